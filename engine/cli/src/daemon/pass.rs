//! One pass over the running editions: queue what time has made due, deliver
//! what is ready, and say when something next needs doing. Blocking (SQLite,
//! and the dispatcher's own runtime): the loop runs it on a thread of its own.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_core::State;
use jalon_definition::resolved::Edition;
use jalon_message::Templates;
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
    /// Keys and reasons of the temporary and the final failures, for the log.
    pub retry: Vec<(String, String)>,
    pub failed: Vec<(String, String)>,
    /// When something of this edition falls due next (an action, or a retry).
    pub next: Option<Timestamp>,
}

/// An edition's id and how its pass went.
pub type Outcome = (String, Result<EditionPass, PassError>);

/// An edition between passes: its state folded up to the last event seen
/// and its compiled templates. A pass then reads only what was recorded
/// since, and an edition with nothing new and nothing due costs one query.
pub struct Cached {
    edition: Arc<Edition>,
    state: State,
    templates: Templates,
    last_seq: i64,
    /// When it next needs a pass.
    next: Option<Timestamp>,
}

/// The cached editions, by id.
pub type Cache = HashMap<String, Cached>;

/// Runs every edition in turn; one edition's failure does not stop the others.
pub fn pass_all(
    db: &Path,
    editions: &[Arc<Edition>],
    settings: &Settings,
    cache: &mut Cache,
) -> Result<Vec<Outcome>, StoreError> {
    let mut store = SqliteStore::open(db)?;
    cache.retain(|id, _| editions.iter().any(|e| &e.id == id));
    Ok(editions
        .iter()
        .map(|edition| {
            let outcome = pass(&mut store, edition, settings, cache);
            if outcome.is_err() {
                // What it had taken from its state may not be queued: the
                // next pass starts again from what is recorded.
                cache.remove(&edition.id);
            }
            (edition.id.clone(), outcome)
        })
        .collect())
}

/// The edition's cached state brought up to date with what was recorded
/// since, or rebuilt from its whole history (first pass, new definitions, or
/// an event the cached state cannot take).
fn refresh<'c>(
    store: &SqliteStore,
    edition: &Arc<Edition>,
    cache: &'c mut Cache,
) -> Result<(&'c mut Cached, bool), PassError> {
    let fresh = match cache.remove(&edition.id) {
        Some(mut cached) if Arc::ptr_eq(&cached.edition, edition) => {
            let events = store.events_since(&edition.id, cached.last_seq)?;
            let news = !events.is_empty();
            let mut applied = true;
            for stored in &events {
                if cached.state.apply(&stored.event).is_err() {
                    applied = false;
                    break;
                }
                cached.last_seq = stored.seq;
            }
            applied.then_some((cached, news))
        }
        _ => None,
    };
    let (cached, news) = match fresh {
        Some(found) => found,
        None => {
            let history = store.history(&edition.id)?;
            let state = live::rebuild(edition.clone(), &history)
                .map_err(|f| PassError::Refused(f.message))?;
            let templates =
                messages::templates(edition).map_err(|e| PassError::Template(e.to_string()))?;
            let cached = Cached {
                edition: edition.clone(),
                state,
                templates,
                last_seq: history.events.last().map_or(0, |e| e.seq),
                next: None,
            };
            (cached, true)
        }
    };
    let slot = cache.entry(edition.id.clone()).or_insert(cached);
    Ok((slot, news))
}

fn pass(
    store: &mut SqliteStore,
    edition: &Arc<Edition>,
    settings: &Settings,
    cache: &mut Cache,
) -> Result<EditionPass, PassError> {
    // The real time (shifted only by a test's clock skew).
    let now = dispatch::now();
    let (cached, news) = refresh(store, edition, cache)?;
    if !news && cached.next.is_none_or(|next| next > now) {
        return Ok(EditionPass {
            counts: Counts::default(),
            retry: Vec::new(),
            failed: Vec::new(),
            next: cached.next,
        });
    }
    let (state, templates) = (&mut cached.state, &cached.templates);
    // Everything overdue since the last pass (or the last run) is queued
    // once; the dispatcher records those past their expiry as expired.
    let mut due = Vec::new();
    deliver_until(state, now, |_, action| due.push(action.clone()));
    let queued =
        store.enqueue(&edition.id, &due)? + store.queue(&edition.id, &digest::due(edition, now))?;
    let mut done = EditionPass {
        counts: Counts {
            due: queued as u64,
            ..Counts::default()
        },
        retry: Vec::new(),
        failed: Vec::new(),
        next: None,
    };
    // Notices of final failures are queued by the first round: the second
    // sends them at once (notices are never escalated, so two rounds do).
    for _ in 0..2 {
        let report = dispatch::deliver(store, state, templates, settings, Clock(None))?;
        done.counts.sent += report.sent as u64;
        done.counts.retried += report.retry.len() as u64;
        done.counts.failed += report.failed.len() as u64;
        done.counts.expired += report.expired as u64;
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
    cached.next = done.next;
    Ok(done)
}
