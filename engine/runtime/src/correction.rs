//! Corrections: a void cancels an event recorded by mistake. The log keeps
//! both; the state is rebuilt without the voided event.

use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_core::Event;
use jalon_definition::resolved::Edition;
use jalon_store::{Entry, History, Recorded, Store};
use jiff::Timestamp;

use crate::record::{not_future, RecordError};

/// What a void did.
#[derive(Debug)]
pub struct Voided {
    pub recorded: Recorded,
    /// Messages the voided act made due that had already gone out: they
    /// cannot be taken back; the person may need a word.
    pub already_sent: Vec<String>,
}

/// Records a void of event `seq` (the `event` is a [`jalon_core::EventKind::Void`]):
/// the state is rebuilt without it, messages queued that the state no
/// longer implies are withdrawn in the same transaction (their keys free
/// for an act that makes them due again), and what it already sent is
/// listed. Refused, and nothing written, when there is no such event, it is
/// a void or already voided, or a later event needs it (void that first).
pub fn void<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    event: &Event,
    now: Timestamp,
) -> Result<Voided, RecordError> {
    let jalon_core::EventKind::Void { seq, .. } = event.kind else {
        return Err(RecordError::Void("not a void".into()));
    };
    not_future(edition, event, now)?;
    // Read first: the rows a decision may withdraw (a row sent meanwhile
    // is not withdrawn: the store deletes only what is still pending).
    let queued = store.pending(&edition.id)?;
    let outbox = store.outbox(&edition.id)?;
    let recorded = store.record(&edition.id, |history| {
        decide_void(edition, history, event, seq, &queued)
    })??;
    let already_sent = outbox
        .iter()
        .filter(|row| row.enqueued_by == Some(seq) && row.status == jalon_store::Delivery::Sent)
        .map(|row| row.key.clone())
        .collect();
    Ok(Voided {
        recorded,
        already_sent,
    })
}

pub(crate) fn decide_void(
    edition: &Arc<Edition>,
    history: &History,
    event: &Event,
    seq: i64,
    queued: &[jalon_store::OutboxEntry],
) -> Result<Entry, RecordError> {
    let target = history
        .events
        .iter()
        .find(|stored| stored.seq == seq)
        .ok_or_else(|| {
            RecordError::Void(format!(
                "there is no event #{seq} in the log of `{}` (see `jalon log {}`)",
                edition.id, edition.id
            ))
        })?;
    if matches!(target.event.kind, jalon_core::EventKind::Void { .. }) {
        return Err(RecordError::Void(format!(
            "event #{seq} is itself a void; record the act again instead"
        )));
    }
    if crate::replay::voided(history, None).contains(&seq) {
        return Err(RecordError::Void(format!("event #{seq} is already voided")));
    }
    // What the log implies without it: a later event that needed it makes
    // the void impossible until that one is voided too.
    let implied =
        crate::replay::replay_events(edition.clone(), history, Some(seq)).map_err(|o| {
            RecordError::Void(format!(
                "event #{} ({} by {} on {}) needs event #{seq}: void #{} first ({})",
                o.seq, o.verb, o.by, o.when, o.seq, o.reason
            ))
        })?;
    let still: std::collections::HashSet<&str> =
        implied.pending_actions().map(|a| &*a.key).collect();
    let withdraw = queued
        .iter()
        .filter(|row| {
            matches!(
                crate::payload::Payload::read(row),
                Ok(crate::payload::Payload::Action(_))
            )
        })
        .filter(|row| !still.contains(row.key.as_str()))
        .map(|row| row.key.clone())
        .collect();
    // The state after the void, with what was queued marked sent: what it
    // makes due now is queued with it.
    let mut state = implied;
    for key in &history.outbox_keys {
        state.record_sent(key);
    }
    let mut due = Vec::new();
    deliver_until(&mut state, event.at, |_, action| due.push(action.clone()));
    Ok(Entry {
        event: event.clone(),
        version: edition.version.clone(),
        due,
        withdraw,
        change: None,
        documents: Vec::new(),
    })
}
