//! The replayed state of each edition, kept between pages: rebuilding a
//! 1,000-laureate edition on every request would make twenty people on
//! the workspace cost what a year's simulation does. An entry is good for
//! one definition version and one end of the event log (the highest event
//! number of the whole database): any new event, and any reload, makes
//! the next page replay again. It can only speed a page up, never change it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jalon_core::State;
use jalon_definition::resolved::{Edition, Language};
use jalon_store::History;
use jiff::Timestamp;

struct Entry {
    version: String,
    seq: i64,
    state: Arc<State>,
    history: Arc<History>,
}

/// One entry per edition (the running ones, and any that ran since start).
#[derive(Default)]
pub struct States(Mutex<HashMap<String, Entry>>);

impl States {
    /// The state of `edition` with the log ending at `seq`, if kept.
    pub fn get(&self, edition: &Edition, seq: i64) -> Option<(Arc<State>, Arc<History>)> {
        let kept = self.0.lock().ok()?;
        let entry = kept.get(&edition.id)?;
        (entry.version == edition.version && entry.seq == seq)
            .then(|| (entry.state.clone(), entry.history.clone()))
    }

    pub fn put(&self, edition: &Edition, seq: i64, state: Arc<State>, history: Arc<History>) {
        if let Ok(mut kept) = self.0.lock() {
            kept.insert(
                edition.id.clone(),
                Entry {
                    version: edition.version.clone(),
                    seq,
                    state,
                    history,
                },
            );
        }
    }
}

/// Rendered page bodies that depend only on an edition's record, the
/// reader's language and the minute: one per edition and language.
#[derive(Default)]
pub struct Pages(Mutex<HashMap<(String, Language), Page>>);

struct Page {
    version: String,
    seq: i64,
    minute: i64,
    body: Arc<String>,
}

impl Pages {
    pub fn get(
        &self,
        edition: &Edition,
        seq: i64,
        l: Language,
        now: Timestamp,
    ) -> Option<Arc<String>> {
        let kept = self.0.lock().ok()?;
        let page = kept.get(&(edition.id.clone(), l))?;
        (page.version == edition.version && page.seq == seq && page.minute == minute(now))
            .then(|| page.body.clone())
    }

    pub fn put(&self, edition: &Edition, seq: i64, l: Language, now: Timestamp, body: Arc<String>) {
        if let Ok(mut kept) = self.0.lock() {
            kept.insert(
                (edition.id.clone(), l),
                Page {
                    version: edition.version.clone(),
                    seq,
                    minute: minute(now),
                    body,
                },
            );
        }
    }
}

fn minute(now: Timestamp) -> i64 {
    now.as_second().div_euclid(60)
}
