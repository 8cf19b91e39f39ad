//! The one step that records a human act, whoever the channel: the event is
//! checked by the core against the history as it stands, and written with
//! the messages it makes due in one transaction — or refused, and nothing is
//! written. The CLI's recording commands and the daemon's link answers both
//! come through here.

use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_core::{Event, Rejection, State};
use jalon_definition::resolved::Edition;
use jalon_store::{ByLink, Claim, Entry, History, Recorded, Store, StoreError};
use jiff::Timestamp;

use crate::replay::{replay, Orphaned};

/// Why an act was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The core refuses it (a stage not open, a person not a validator…).
    #[error("refused: {0}")]
    Refused(Rejection),
    /// The recorded history no longer fits the definition.
    #[error(transparent)]
    Orphaned(Box<Orphaned>),
    /// A check of the caller's on the state (a link about an older
    /// submission, say); its reason is the caller's own.
    #[error("refused: {0}")]
    Precondition(String),
    /// Dated later than now: an act is recorded once it happened (a
    /// mistyped year would otherwise hold back every later event).
    #[error(
        "refused: this event is dated {at}, later than now ({now}); record an act once it happened \
         (check --at: a date and time in the edition's zone)"
    )]
    Future { at: String, now: String },
    /// A void that cannot be: no such event, a void, already voided, or a
    /// later event that needs the voided one.
    #[error("refused: {0}")]
    Void(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How far ahead of the recording clock an event may be dated: clocks of
/// two machines, a form filled in a minute ago.
pub const FUTURE_TOLERANCE: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// Refuses an event dated later than `now` (and the tolerance).
fn not_future(edition: &Edition, event: &Event, now: Timestamp) -> Result<(), RecordError> {
    if event.at > now.checked_add(FUTURE_TOLERANCE).unwrap_or(Timestamp::MAX) {
        return Err(RecordError::Future {
            at: crate::local_time::short(edition, event.at),
            now: crate::local_time::short(edition, now),
        });
    }
    Ok(())
}

/// What the decision step refuses, before anything is written.
#[derive(Debug)]
enum Decline {
    Refused(Rejection),
    Orphaned(Box<Orphaned>),
    Precondition(String),
}

impl From<Decline> for RecordError {
    fn from(decline: Decline) -> RecordError {
        match decline {
            Decline::Refused(r) => RecordError::Refused(r),
            Decline::Orphaned(o) => RecordError::Orphaned(o),
            Decline::Precondition(p) => RecordError::Precondition(p),
        }
    }
}

/// A check run on the state before the event is applied; `Err` refuses.
pub type Precondition<'a> = &'a dyn Fn(&State) -> Result<(), String>;

/// Decides on `history`: the event applied, what it makes due at its
/// instant, the entry to write.
fn decide(
    edition: &Arc<Edition>,
    history: &History,
    event: &Event,
    precondition: Option<Precondition<'_>>,
) -> Result<Entry, Decline> {
    let mut state = replay(edition.clone(), history).map_err(Decline::Orphaned)?;
    if let Some(check) = precondition {
        check(&state).map_err(Decline::Precondition)?;
    }
    state.apply(event).map_err(Decline::Refused)?;
    let mut due = Vec::new();
    deliver_until(&mut state, event.at, |_, action| due.push(action.clone()));
    Ok(Entry::new(event.clone(), edition.version.clone(), due))
}

/// Records one event (optimistically: decided again if another writer went
/// first); `now` is the recording clock's instant.
pub fn record<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    event: &Event,
    now: Timestamp,
) -> Result<Recorded, RecordError> {
    not_future(edition, event, now)?;
    let recorded = store.record(&edition.id, |history| decide(edition, history, event, None))?;
    Ok(recorded?)
}

/// What an answer through a link did.
#[derive(Debug)]
pub enum LinkAnswer {
    Recorded(Recorded),
    /// The link was used meanwhile: nothing written.
    Used(Box<jalon_store::StoredLink>),
    /// There is no such link.
    Missing,
}

/// [`record`] for an answer given through a link: the event, what it makes
/// due and the link marked used, in one transaction.
pub fn record_by_link<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    claim: &Claim,
    event: &Event,
    precondition: Precondition<'_>,
) -> Result<LinkAnswer, RecordError> {
    not_future(edition, event, claim.at)?;
    let outcome = store.record_by_link(&edition.id, claim, |history| {
        decide(edition, history, event, Some(precondition))
    })?;
    match outcome {
        ByLink::Recorded(recorded) => Ok(LinkAnswer::Recorded(recorded)),
        ByLink::Refused(decline) => Err(decline.into()),
        ByLink::Used(stored) => Ok(LinkAnswer::Used(stored)),
        ByLink::Missing => Ok(LinkAnswer::Missing),
    }
}

/// What an import did.
#[derive(Debug, PartialEq, Eq)]
pub struct Imported {
    /// Events written now.
    pub recorded: usize,
    /// Events of the file the log already held (an import run again).
    pub already: usize,
    /// Messages the imported acts made due, recorded expired: they belong
    /// to the past the file tells, not to today's mail.
    pub withheld: usize,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The event at this index of the file does not fit.
    #[error("event {} of the file: {source}", .index + 1)]
    Event {
        index: usize,
        #[source]
        source: RecordError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records a history in one transaction, all or nothing: events the log
/// already holds (same instant, person and act) are skipped, so importing
/// the same file twice records it once; the others are checked in order by
/// the core. The messages they make due are recorded expired, never sent.
pub fn import<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    events: &[Event],
    now: Timestamp,
) -> Result<Imported, ImportError> {
    let history = store.history(&edition.id)?;
    let known = |event: &Event| {
        history
            .events
            .iter()
            .any(|s| s.event.at == event.at && s.event.by == event.by && s.event.kind == event.kind)
    };
    let mut state = replay(edition.clone(), &history).map_err(|orphaned| ImportError::Event {
        index: 0,
        source: RecordError::Orphaned(orphaned),
    })?;
    let mut entries = Vec::new();
    let mut already = 0;
    for (index, event) in events.iter().enumerate() {
        if known(event) {
            already += 1;
            continue;
        }
        let failed = |source| ImportError::Event { index, source };
        not_future(edition, event, now).map_err(failed)?;
        state
            .apply(event)
            .map_err(|r| failed(RecordError::Refused(r)))?;
        let mut due = Vec::new();
        deliver_until(&mut state, event.at, |_, action| due.push(action.clone()));
        entries.push(Entry::new(event.clone(), edition.version.clone(), due));
    }
    let withheld: Vec<jalon_store::Mark> = entries
        .iter()
        .flat_map(|e| &e.due)
        .map(|action| jalon_store::Mark {
            key: action.key.to_string(),
            outcome: jalon_store::Delivery::Expired,
            detail: Some("imported history: a past act's message, not sent by Jalon".into()),
            at: now,
            retry_at: None,
            then_queue: Vec::new(),
        })
        .collect();
    store.append(&edition.id, &entries)?;
    // Right after, in the same process: a message of the past is never
    // handed to delivery before this (the dispatcher reads them only in
    // a later pass).
    store.mark(&withheld)?;
    Ok(Imported {
        recorded: entries.len(),
        already,
        withheld: withheld.len(),
    })
}

/// What a void did.
#[derive(Debug)]
pub struct Voided {
    pub recorded: Recorded,
    /// Messages the voided act made due that had already gone out: they
    /// cannot be taken back; the person may need a word.
    pub already_sent: Vec<String>,
}

/// Records a void of event `seq` (the `event` is a [`EventKind::Void`]):
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

fn decide_void(
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
    })
}
