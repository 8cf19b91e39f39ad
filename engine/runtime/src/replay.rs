//! A recorded history folded into a state under today's definition.

use std::sync::Arc;

use std::collections::HashSet;

use jalon_core::{EventKind, Rejection, State};
use jalon_definition::resolved::Edition;
use jalon_store::History;

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
    let voided = voided(history, also);
    let mut state = State::new(edition);
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
