//! One pass over the running editions: queue what time has made due, deliver
//! what is ready, and say when something next needs doing. Blocking (SQLite,
//! and the dispatcher's own runtime): the loop runs it on a thread of its own.

use std::path::Path;
use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_definition::resolved::Edition;
use jalon_store::{Delivery, SqliteStore, Store, StoreError};
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

/// Runs every edition in turn; one edition's failure does not stop the others.
pub fn pass_all(
    db: &Path,
    editions: &[Arc<Edition>],
    settings: &Settings,
) -> Result<Vec<Outcome>, StoreError> {
    let mut store = SqliteStore::open(db)?;
    Ok(editions
        .iter()
        .map(|edition| (edition.id.clone(), pass(&mut store, edition, settings)))
        .collect())
}

fn pass(
    store: &mut SqliteStore,
    edition: &Arc<Edition>,
    settings: &Settings,
) -> Result<EditionPass, PassError> {
    // The real time (shifted only by a test's clock skew).
    let now = dispatch::now();
    let history = store.history(&edition.id)?;
    let mut state =
        live::rebuild(edition.clone(), &history).map_err(|f| PassError::Refused(f.message))?;
    // Everything overdue since the last pass (or the last run) is queued
    // once; the dispatcher records those past their expiry as expired.
    let mut due = Vec::new();
    deliver_until(&mut state, now, |_, action| due.push(action.clone()));
    let queued = store.enqueue(&edition.id, &due)?
        + store.queue(&edition.id, &digest::due(edition, now))?;
    let templates = messages::templates(edition).map_err(|e| PassError::Template(e.to_string()))?;
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
        let report = dispatch::deliver(store, &state, &templates, settings, Clock(None))?;
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
        .outbox(&edition.id)?
        .into_iter()
        .filter(|e| e.status == Delivery::Pending)
        .map(|e| e.retry_at.map_or(e.due_at, |r| r.max(e.due_at)))
        .min();
    done.next = [state.next_due(), waiting, digest::next(edition, now)]
        .into_iter()
        .flatten()
        .min();
    Ok(done)
}
