//! The one step that records a human act, whoever the channel: the event is
//! checked by the core against the history as it stands, and written with
//! the messages it makes due in one transaction — or refused, and nothing is
//! written. The CLI's recording commands and the daemon's link answers both
//! come through here.

use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_core::{Event, EventKind, Rejection, State};
use jalon_definition::resolved::Edition;
use jalon_store::{
    ByLink, Claim, Delivery, Entry, History, OutboxChange, Recorded, Store, StoreError,
};
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
pub(crate) fn not_future(
    edition: &Edition,
    event: &Event,
    now: Timestamp,
) -> Result<(), RecordError> {
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
    decide_with_state(edition, history, event, precondition).map(|(entry, _)| entry)
}

/// [`decide`] for a caller that builds its event from the history (an
/// application's id is chosen against it).
pub(crate) fn decide_on(
    edition: &Arc<Edition>,
    history: &History,
    event: &Event,
) -> Result<Entry, RecordError> {
    decide(edition, history, event, None).map_err(RecordError::from)
}

/// [`decide`], and the state after the event.
fn decide_with_state(
    edition: &Arc<Edition>,
    history: &History,
    event: &Event,
    precondition: Option<Precondition<'_>>,
) -> Result<(Entry, State), Decline> {
    let mut state = replay(edition.clone(), history).map_err(Decline::Orphaned)?;
    if let Some(check) = precondition {
        check(&state).map_err(Decline::Precondition)?;
    }
    state.admit(event).map_err(Decline::Refused)?;
    state.apply(event).map_err(Decline::Refused)?;
    let mut due = Vec::new();
    deliver_until(&mut state, event.at, |_, action| due.push(action.clone()));
    let mut entry = Entry::new(event.clone(), edition.version.clone(), due);
    entry.change = match &event.kind {
        EventKind::Release { drop: false, .. } => Some(OutboxChange::ReleaseHeld),
        EventKind::Release { drop: true, .. } => Some(OutboxChange::DropHeld),
        EventKind::Retry { key } => Some(OutboxChange::Resend { key: key.clone() }),
        _ => None,
    };
    Ok((entry, state))
}

/// What recording an event would do, worked out without writing anything:
/// shown to the person before they confirm.
pub struct Preview {
    pub before: State,
    pub after: State,
    /// The messages it makes due at once.
    pub due: Vec<jalon_core::Action>,
    /// Queued messages it takes back (never sent).
    pub withdrawn: Vec<String>,
}

/// [`record`]'s checks and decision on the history as it stands, nothing
/// written: what the act would send and change, or why it is refused.
pub fn preview<S: Store>(
    store: &S,
    edition: &Arc<Edition>,
    event: &Event,
    now: Timestamp,
) -> Result<Preview, RecordError> {
    not_future(edition, event, now)?;
    outbox_precondition(store, edition, event)?;
    let history = store.history(&edition.id)?;
    let before = replay(edition.clone(), &history).map_err(RecordError::Orphaned)?;
    let (entry, after) = match event.kind {
        EventKind::Void { seq, .. } => {
            let queued = store.pending(&edition.id)?;
            let entry = crate::correction::decide_void(edition, &history, event, seq, &queued)?;
            let after = crate::replay::replay_events(edition.clone(), &history, Some(seq))
                .map_err(RecordError::Orphaned)?;
            (entry, after)
        }
        _ => decide_with_state(edition, &history, event, None).map_err(RecordError::from)?,
    };
    Ok(Preview {
        before,
        after,
        due: entry.due,
        withdrawn: entry.withdraw,
    })
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
    outbox_precondition(store, edition, event)?;
    let recorded = store.record(&edition.id, |history| decide(edition, history, event, None))?;
    Ok(recorded?)
}

/// [`record`] for a hand-in: the files it names are kept in the event's
/// transaction, so a refused hand-in keeps nothing.
pub fn record_with_documents<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    event: &Event,
    documents: &[jalon_store::NewDocument],
    now: Timestamp,
) -> Result<Recorded, RecordError> {
    not_future(edition, event, now)?;
    let recorded = store.record(&edition.id, |history| {
        decide(edition, history, event, None).map(|mut entry| {
            entry.documents = documents.to_vec();
            entry
        })
    })?;
    Ok(recorded?)
}

/// An act on the outbox needs something to act on.
fn outbox_precondition<S: Store>(
    store: &S,
    edition: &Edition,
    event: &Event,
) -> Result<(), RecordError> {
    let refused = |why: String| Err(RecordError::Precondition(why));
    match &event.kind {
        EventKind::Release { .. } if store.held(&edition.id)?.is_empty() => refused(format!(
            "nothing is held for `{}`: there is nothing to release",
            edition.id
        )),
        EventKind::Retry { key } => {
            let outbox = store.outbox(&edition.id)?;
            let failed = |e: &&jalon_store::OutboxEntry| e.status == Delivery::Failed;
            match key {
                None if !outbox.iter().any(|e| failed(&e)) => refused(format!(
                    "no message of `{}` failed for good: there is nothing to retry \
                     (`jalon outbox {} --status failed`)",
                    edition.id, edition.id
                )),
                Some(key) => match outbox.iter().find(|e| &e.key == key) {
                    None => refused(format!(
                        "`{}` has no message `{key}` (see `jalon outbox {}`)",
                        edition.id, edition.id
                    )),
                    Some(e) if e.status != Delivery::Failed => refused(format!(
                        "`{key}` is {}, not failed: only a message that failed for good is retried",
                        e.status.as_str()
                    )),
                    Some(_) => Ok(()),
                },
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
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
