//! A recorded history folded into a state under today's definition.

use std::sync::Arc;

use std::collections::HashSet;

use jalon_core::{EventKind, Rejection, SnapshotError, State};
use jalon_definition::resolved::Edition;
use jalon_store::{History, Snapshot, Store, StoreError};

use crate::local_time;

/// The definition changed in a way that orphans recorded progress: an event
/// it no longer allows. Says which event and what to do.
#[derive(Debug, thiserror::Error)]
#[error(
    "the definition of `{edition}` changed (version {recorded_under} → {current}) in a way that orphans recorded progress: \
     event #{seq} ({verb} by {by} on {when}) no longer applies: {reason}. \
     Put back what that event refers to (a stage, a participant, a person), or keep the previous definition for this edition."
)]
pub struct Orphaned {
    pub edition: String,
    pub recorded_under: String,
    pub current: String,
    pub seq: i64,
    pub verb: &'static str,
    pub by: String,
    pub when: String,
    pub reason: Rejection,
}

/// The state of an edition from its recorded events — voided ones left out
/// — and the keys of every message ever queued (so none is queued twice).
pub fn replay(edition: Arc<Edition>, history: &History) -> Result<State, Box<Orphaned>> {
    let mut state = replay_events(edition, history, None)?;
    for key in &history.outbox_keys {
        state.record_sent(key);
    }
    Ok(state)
}

/// The events voided in the log (and `also`, a void being decided).
pub fn voided(history: &History, also: Option<i64>) -> HashSet<i64> {
    history
        .events
        .iter()
        .filter_map(|stored| match stored.event.kind {
            EventKind::Void { seq, .. } => Some(seq),
            _ => None,
        })
        .chain(also)
        .collect()
}

/// The state from the events alone (nothing marked sent), voided events and
/// voids left out, `also` voided too.
pub fn replay_events(
    edition: Arc<Edition>,
    history: &History,
    also: Option<i64>,
) -> Result<State, Box<Orphaned>> {
    fold(State::new(edition), history, also)
}

/// `state` with the history's events applied, voided ones and voids left out.
fn fold(mut state: State, history: &History, also: Option<i64>) -> Result<State, Box<Orphaned>> {
    let voided = voided(history, also);
    for stored in &history.events {
        if voided.contains(&stored.seq) || matches!(stored.event.kind, EventKind::Void { .. }) {
            continue;
        }
        if let Err(reason) = state.apply(&stored.event) {
            let edition = state.edition();
            return Err(Box::new(Orphaned {
                edition: stored.edition.clone(),
                recorded_under: stored.version.clone(),
                current: edition.version.clone(),
                seq: stored.seq,
                verb: stored.event.kind.verb(),
                by: stored.event.by.clone(),
                when: local_time::short(edition, stored.event.at),
                reason,
            }));
        }
    }
    Ok(state)
}

/// Once this many events were folded past the last snapshot, loading keeps
/// a new one: a snapshot of a 10,000-laureate edition takes a few tens of
/// milliseconds to write, about what folding 10,000 events costs, so a load
/// never folds much more than that and writes seldom.
pub const SNAPSHOT_EVERY: usize = 10_000;

/// An edition's state as [`load`] found it.
pub struct Loaded {
    pub state: State,
    /// What was read: only the events after the snapshot when one was used.
    pub history: History,
    /// Why a snapshot was ignored or not kept, for the log: never an error,
    /// the state is right all the same.
    pub warning: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Orphaned(#[from] Box<Orphaned>),
}

/// The state of an edition from its snapshot and the events after it —
/// from the whole log when there is no snapshot or it does not fit (another
/// definition version, an event at or before it voided since, bytes that do
/// not decode) — with every message ever queued marked sent, as [`replay`]
/// gives it. Keeps a new snapshot when many events were folded, or the
/// edition is closed.
pub fn load<S: Store>(store: &mut S, edition: &Arc<Edition>) -> Result<Loaded, StateError> {
    let (recent, restored) =
        jalon_store::recent(&*store, &edition.id, |snapshot| restore(edition, snapshot))?;
    let mut warning = None;
    let restored = match (&recent.snapshot, restored) {
        (Some(snapshot), Some(restored)) => match usable(snapshot, restored, &recent) {
            Ok(state) => Some(state),
            Err(why) => {
                warning = why;
                None
            }
        },
        _ => None,
    };
    let (mut state, history) = match restored {
        Some(state) => (fold(state, &recent, None)?, recent),
        None => {
            let history = match recent.snapshot {
                Some(_) => store.history(&edition.id)?,
                None => recent,
            };
            (replay_events(edition.clone(), &history, None)?, history)
        }
    };
    let folded = history.events.len();
    let closing = state.closed().is_some() && folded > 0;
    if let Some(last) = history
        .events
        .last()
        .filter(|_| folded >= SNAPSHOT_EVERY || closing)
    {
        // Taken before the sent keys are marked: a snapshot is the fold of
        // the log alone, and the keys are read afresh at every load.
        let snapshot = Snapshot {
            seq: last.seq,
            version: edition.version.clone(),
            bytes: state.snapshot(),
        };
        if let Err(e) = store.keep_snapshot(&edition.id, &snapshot) {
            warning = Some(format!(
                "the snapshot of `{}` was not kept: {e}",
                edition.id
            ));
        }
    }
    for key in &history.outbox_keys {
        state.record_sent(key);
    }
    Ok(Loaded {
        state,
        history,
        warning,
    })
}

/// The state a snapshot holds, if it was made under this definition
/// version and decodes; otherwise why not, for the log (nothing for what
/// is expected: another version, or another build's format).
fn restore(edition: &Arc<Edition>, snapshot: &Snapshot) -> Result<State, Option<String>> {
    if snapshot.version != edition.version {
        return Err(None);
    }
    State::restore(edition.clone(), &snapshot.bytes).map_err(|e| match e {
        // Written by another build: expected after an upgrade, and
        // replaced by this load's own.
        SnapshotError::Format { .. } => None,
        e => Some(format!(
            "the snapshot of `{}` (event #{}) was ignored, the whole log folded instead: {e}",
            edition.id, snapshot.seq
        )),
    })
}

/// The restored state, unless an event after the snapshot voids one it
/// folded: that event must leave the fold, so the whole log is folded.
fn usable(
    snapshot: &Snapshot,
    restored: Result<State, Option<String>>,
    recent: &History,
) -> Result<State, Option<String>> {
    let undoes = recent.events.iter().any(
        |stored| matches!(stored.event.kind, EventKind::Void { seq, .. } if seq <= snapshot.seq),
    );
    if undoes {
        return Err(None);
    }
    restored
}
