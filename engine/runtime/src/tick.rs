//! The one step time drives, for one edition: queue what has fallen due
//! (the engine's actions and the digests), deliver what is ready, then what
//! the outcomes call for (the coordinators' notices of final failures), and
//! say when something is next due. `jalon send` is one tick at an instant;
//! the daemon is ticks on a schedule.

use jalon_core::clock::deliver_until;
use jalon_core::State;
use jalon_delivery::Deliver;
use jalon_message::Templates;
use jalon_store::{Store, StoreError};
use jiff::Timestamp;

use crate::compose::digest;
use crate::dispatch::{DispatchError, Dispatcher, Report};
use crate::hold::HeldNotice;

/// What a tick did.
#[derive(Debug, Default)]
pub struct Tick {
    /// Messages newly queued (actions and digests).
    pub queued: usize,
    /// Messages newly held for a release (see [`crate::hold`]).
    pub held: usize,
    /// The first round of delivery.
    pub report: Report,
    /// The second round, when the first queued notices to the coordinators.
    pub notices: Option<Report>,
    /// When something of this edition falls due next (an action, a digest,
    /// a retry).
    pub next: Option<Timestamp>,
}

#[derive(Debug, thiserror::Error)]
pub enum TickError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
}

/// One tick of `state`'s edition at `now`: [`queue`], then [`deliver`].
/// What falls due before `hold` is held (see [`crate::hold`]).
pub fn tick<S: Store + Send, D: Deliver + Send + 'static>(
    store: &mut S,
    state: &mut State,
    templates: &Templates,
    dispatcher: &mut Dispatcher<D>,
    now: Timestamp,
    hold: Option<Timestamp>,
) -> Result<Tick, TickError> {
    let Queued { queued, held } = queue(store, state, now, hold)?;
    let (report, notices) = deliver(store, state, templates, dispatcher)?;
    let mut next = next(store, state, now)?;
    // A relay taken for down is not dialled before its probe.
    if let Some(down) = &report.relay {
        next = next.map(|n| n.max(down.until));
    }
    Ok(Tick {
        queued,
        held,
        report,
        notices,
        next,
    })
}

/// What [`queue`] added to the outbox.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Queued {
    /// To go (actions, digests, notices).
    pub queued: usize,
    /// Held for a release.
    pub held: usize,
}

/// Queues what has fallen due by `now`: the engine's actions (everything
/// overdue since the last tick, once; the dispatcher records those past
/// their expiry as expired) and the digests' latest firings. Actions due
/// before `hold` are held instead, and the coordination told (once per
/// definition version).
pub fn queue<S: Store>(
    store: &mut S,
    state: &mut State,
    now: Timestamp,
    hold: Option<Timestamp>,
) -> Result<Queued, TickError> {
    let edition = state.edition().clone();
    let mut due = Vec::new();
    deliver_until(state, now, |_, action| due.push(action.clone()));
    let late: Vec<_>;
    (late, due) = due
        .into_iter()
        .partition(|action| hold.is_some_and(|before| action.due_at < before));
    // A closed edition has no digest to send.
    let digests = match state.closed() {
        Some(_) => Vec::new(),
        None => digest::due(&edition, now),
    };
    let mut queued = store.enqueue(&edition.id, &due)? + store.queue(&edition.id, &digests)?;
    let mut held = 0;
    if !late.is_empty() {
        held = store.hold(&edition.id, &late, &[], now)?;
        if held > 0 {
            let notice = HeldNotice::of(&edition, &late);
            queued += store.queue(&edition.id, &notice.messages(&edition, now))?;
        }
    }
    Ok(Queued { queued, held })
}

/// Delivers what is ready, then the coordinators' notices of the final
/// failures that round had (notices are never escalated, so two rounds
/// send everything).
pub fn deliver<S: Store + Send, D: Deliver + Send + 'static>(
    store: &mut S,
    state: &State,
    templates: &Templates,
    dispatcher: &mut Dispatcher<D>,
) -> Result<(Report, Option<Report>), TickError> {
    let report = dispatcher.deliver(store, state, templates)?;
    let notices = if report.notices > 0 {
        Some(dispatcher.deliver(store, state, templates)?)
    } else {
        None
    };
    Ok((report, notices))
}

/// When something of the edition falls due next: an action, a message
/// waiting (for its instant or its retry), a digest.
pub fn next<S: Store>(
    store: &S,
    state: &State,
    now: Timestamp,
) -> Result<Option<Timestamp>, TickError> {
    let edition = state.edition();
    let waiting = store
        .pending(&edition.id)?
        .into_iter()
        .map(|e| e.retry_at.map_or(e.due_at, |r| r.max(e.due_at)))
        .min();
    let digest = state
        .closed()
        .is_none()
        .then(|| digest::next(edition, now))
        .flatten();
    Ok([state.next_due(), waiting, digest]
        .into_iter()
        .flatten()
        .min())
}
