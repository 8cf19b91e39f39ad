//! One pass over the running editions: queue what time has made due, deliver
//! what is ready, and say when something next needs doing. Blocking (SQLite,
//! and the dispatcher's own runtime): the loop runs it on a thread of its own.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_definition::resolved::Edition;
use jalon_store::{SqliteStore, Store, StoreError};
use jiff::Timestamp;

use super::metrics::Counts;
use crate::dispatch::{self, Clock, DispatchError, Settings};
use crate::{digest, live, messages};

/// Why an edition's pass did not run to the end. What it had committed stays.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
    #[error("{0}")]
    Refused(String),
    #[error("a template does not compile: {0}")]
    Template(String),
}

/// What a pass did for one edition.
pub struct EditionPass {
    pub counts: Counts,
    /// Keys of the messages sent and of those recorded expired, and keys and
    /// reasons of the temporary and the final failures, for the log.
    pub sent: Vec<String>,
    pub expired: Vec<String>,
    pub retry: Vec<(String, String)>,
    pub failed: Vec<(String, String)>,
    /// When something of this edition falls due next (an action, or a retry).
    pub next: Option<Timestamp>,
}

/// An edition's id and how its pass went.
pub type Outcome = (String, Result<EditionPass, PassError>);

/// What a pass remembers of an edition: the definition it ran under, the
/// last event it saw and when it next needs a pass. An edition with nothing
/// new and nothing due then costs one query. States are not kept: rebuilding
/// the one edition that needs a pass takes milliseconds, keeping a hundred
/// editions' states would take hundreds of MiB.
pub struct Seen {
    edition: Arc<Edition>,
    last_seq: i64,
    next: Option<Timestamp>,
}

/// What passes remember, by edition id.
pub type Cache = HashMap<String, Seen>;

/// Runs every edition in turn; one edition's failure does not stop the others.
pub fn pass_all(
    db: &Path,
    editions: &[Arc<Edition>],
    settings: &Settings,
    cache: &mut Cache,
) -> Result<Vec<Outcome>, StoreError> {
    let mut store = SqliteStore::open(db)?;
    cache.retain(|id, _| editions.iter().any(|e| &e.id == id));
    // Editions with messages waiting go first: after a restart, what was
    // queued before the stop goes out before a hundred states are rebuilt.
    let waiting = store.editions_pending()?;
    let mut order: Vec<&Arc<Edition>> = editions.iter().collect();
    order.sort_by_key(|e| !waiting.contains(&e.id));
    Ok(order
        .into_iter()
        .map(|edition| {
            let outcome = pass(&mut store, edition, settings, cache);
            if outcome.is_err() {
                // Try it again in full next time.
                cache.remove(&edition.id);
            }
            (edition.id.clone(), outcome)
        })
        .collect())
}

/// Whether an edition can be left alone: same definition, no event since
/// the last pass, nothing due yet. Returns when it next needs a pass.
fn resting(
    store: &SqliteStore,
    edition: &Arc<Edition>,
    cache: &Cache,
    now: Timestamp,
) -> Result<Option<Option<Timestamp>>, StoreError> {
    let Some(seen) = cache.get(&edition.id) else {
        return Ok(None);
    };
    if !Arc::ptr_eq(&seen.edition, edition) || seen.next.is_some_and(|next| next <= now) {
        return Ok(None);
    }
    let news = !store.events_since(&edition.id, seen.last_seq)?.is_empty();
    Ok((!news).then_some(seen.next))
}

fn pass(
    store: &mut SqliteStore,
    edition: &Arc<Edition>,
    settings: &Settings,
    cache: &mut Cache,
) -> Result<EditionPass, PassError> {
    // The real time (shifted only by a test's clock skew).
    let now = dispatch::now();
    if let Some(next) = resting(store, edition, cache, now)? {
        return Ok(EditionPass {
            counts: Counts::default(),
            sent: Vec::new(),
            expired: Vec::new(),
            retry: Vec::new(),
            failed: Vec::new(),
            next,
        });
    }
    let history = store.history(&edition.id)?;
    let mut state =
        live::rebuild(edition.clone(), &history).map_err(|f| PassError::Refused(f.message))?;
    let templates = messages::templates(edition).map_err(|e| PassError::Template(e.to_string()))?;
    // Everything overdue since the last pass (or the last run) is queued
    // once; the dispatcher records those past their expiry as expired.
    let mut due = Vec::new();
    deliver_until(&mut state, now, |_, action| due.push(action.clone()));
    let queued =
        store.enqueue(&edition.id, &due)? + store.queue(&edition.id, &digest::due(edition, now))?;
    let mut done = EditionPass {
        counts: Counts {
            due: queued as u64,
            ..Counts::default()
        },
        sent: Vec::new(),
        expired: Vec::new(),
        retry: Vec::new(),
        failed: Vec::new(),
        next: None,
    };
    // Notices of final failures are queued by the first round: the second
    // sends them at once (notices are never escalated, so two rounds do).
    for _ in 0..2 {
        let report = dispatch::deliver(store, &state, &templates, settings, Clock(None))?;
        done.counts.sent += report.sent as u64;
        done.counts.retried += report.retry.len() as u64;
        done.counts.failed += report.failed.len() as u64;
        done.counts.expired += report.expired as u64;
        done.sent.extend(report.sent_keys);
        done.expired.extend(report.expired_keys);
        done.retry
            .extend(report.retry.into_iter().map(|(key, _, why)| (key, why)));
        done.failed
            .extend(report.failed.into_iter().map(|(key, _, why)| (key, why)));
        if report.notices == 0 {
            break;
        }
    }
    let waiting = store
        .pending(&edition.id)?
        .into_iter()
        .map(|e| e.retry_at.map_or(e.due_at, |r| r.max(e.due_at)))
        .min();
    done.next = [state.next_due(), waiting, digest::next(edition, now)]
        .into_iter()
        .flatten()
        .min();
    cache.insert(
        edition.id.clone(),
        Seen {
            edition: edition.clone(),
            last_seq: history.events.last().map_or(0, |e| e.seq),
            next: done.next,
        },
    );
    Ok(done)
}
