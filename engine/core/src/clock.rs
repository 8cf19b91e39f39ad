//! Driving the core with a virtual clock: deliver what falls due, apply
//! events in time order, and the on-time run behind `jalon plan`, where
//! every stage is done exactly when the definition says.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use jiff::civil::Time;
use jiff::Timestamp;

use crate::action::Action;
use crate::event::{Channel, Event, EventKind};
use crate::state::{rank, Progress, State};

/// Hands every action due up to `until` (inclusive), in due order, then
/// by key, to `deliver`, and records each as sent. Returns how many went.
pub fn deliver_until(
    state: &mut State,
    until: Timestamp,
    mut deliver: impl FnMut(&State, &Action),
) -> usize {
    let mut count = 0;
    let mut batch = Vec::new();
    // One instant at a time, its actions in key order.
    while state.take_due_instant(until, &mut batch) {
        for (_, fingerprint, action) in batch.drain(..) {
            deliver(state, &action);
            // Taken, so no longer pending: only the sent keys change.
            state.sent.insert_fingerprint(fingerprint);
            count += 1;
        }
    }
    count
}

/// What the on-time run assumes where the definition cannot say.
#[derive(Clone, Debug, Default)]
pub struct OnTime {
    /// The outcome taken by every decision; by default the first outcome
    /// that leads somewhere.
    pub outcome: Option<String>,
}

/// When work is handed in and validations given in the on-time run.
const SUBMIT_TIME: Time = Time::constant(9, 0, 0, 0);
const APPROVE_TIME: Time = Time::constant(12, 0, 0, 0);
const DONE_TIME: Time = Time::constant(17, 0, 0, 0);

/// Runs the edition as if everyone were on time: work handed in so that its
/// validation has its lead time, validations given on the due date, every
/// participant the definition places at a stage retained there, decisions
/// taken as `options` says. Returns the events it made up.
pub fn run_on_time(
    state: &mut State,
    options: &OnTime,
    deliver: impl FnMut(&State, &Action),
) -> Vec<Event> {
    let mut events = Vec::new();
    play_on_time(state, options, deliver, |event| events.push(event));
    events
}

/// [`run_on_time`], each event it made up handed to `made` as it is
/// applied rather than all kept: a year of a large edition makes hundreds
/// of thousands.
pub fn play_on_time(
    state: &mut State,
    options: &OnTime,
    mut deliver: impl FnMut(&State, &Action),
    mut made: impl FnMut(Event),
) {
    // Instances by their next move, earliest first. An instance moved to
    // another instant leaves its old entry behind, skipped when it comes
    // up: `planned` says which entry is current (a heap push and pop cost
    // less than a tree's insert and removal).
    let mut agenda: BinaryHeap<Reverse<(Timestamp, usize)>> = BinaryHeap::new();
    // When each instance next moves, by index: instances are only ever
    // added, so the table grows with them.
    let mut planned: Vec<Option<Timestamp>> = vec![None; state.instances().len()];
    let mut touched: Vec<usize> = (0..state.instances().len()).collect();
    let mut clock = Timestamp::MIN;
    // Instances whose made-up event was refused (a selection the pool cannot
    // meet, a stage nobody can validate): they stay where they are.
    let mut stuck: Vec<bool> = vec![false; state.instances().len()];
    loop {
        touched.extend(state.take_touched());
        touched.sort_unstable();
        touched.dedup();
        let count = state.instances().len();
        planned.resize(count, None);
        stuck.resize(count, false);
        for i in touched.drain(..) {
            let was = planned[i].take();
            if stuck[i] {
                continue;
            }
            if let Some(at) = next_move(state, i) {
                let at = at.max(clock);
                planned[i] = Some(at);
                // Planned for the same instant, its entry is still there.
                if was != Some(at) {
                    agenda.push(Reverse((at, i)));
                }
            }
        }
        let next = std::iter::from_fn(|| agenda.pop())
            .map(|Reverse(entry)| entry)
            .find(|&(at, i)| planned[i] == Some(at));
        let Some((at, i)) = next else {
            break;
        };
        planned[i] = None;
        clock = at;
        deliver_until(state, at, &mut deliver);
        let mut moved = false;
        for kind in on_time_events(state, i, options) {
            let event = Event {
                at,
                by: kind.0,
                channel: Channel::Script,
                kind: kind.1,
            };
            if state.apply(&event).is_ok() {
                made(event);
                moved = true;
            }
        }
        if !moved {
            stuck[i] = true;
        }
        touched.push(i);
    }
    deliver_until(state, Timestamp::MAX, &mut deliver);
}

/// When the on-time run next acts on an instance, if it does.
fn next_move(state: &State, i: usize) -> Option<Timestamp> {
    let instance = &state.instances()[i];
    let open = state.open_at(instance)?;
    let s = instance.stage;
    let due = instance.window.due;
    match instance.progress {
        Progress::Active => {
            let at = match &state.edition().stages[s].validation {
                Some(validation) => {
                    let date = validation
                        .lead_time
                        .and_then(|lead| state.shifted(s, lead.negate(), due))
                        .unwrap_or(due);
                    state.instant(state.sending_day(s, date), SUBMIT_TIME)
                }
                None => state.instant(due, DONE_TIME),
            };
            Some(at.max(open))
        }
        Progress::AwaitingValidation { since } => Some(state.instant(due, APPROVE_TIME).max(since)),
        _ => None,
    }
}

/// The events an on-time edition records for an instance at its move.
fn on_time_events(state: &State, i: usize, options: &OnTime) -> Vec<(String, EventKind)> {
    let edition = state.edition();
    let instance = &state.instances()[i];
    let stage = &edition.stages[instance.stage];
    let participant = instance
        .participant
        .map(|p| edition.participants[p].id.clone());
    // The stage's people, roles expanded once for the edition.
    let people = &state.stage_people[instance.stage];
    let owner = || {
        let owners = people.owners.people(edition, instance.participant);
        owners
            .first()
            .map_or_else(|| "plan".into(), |&p| edition.people[p].id.clone())
    };
    match instance.progress {
        Progress::AwaitingValidation { .. } => {
            let Some(validation) = &stage.validation else {
                return Vec::new();
            };
            let validators = people.validators.people(edition, instance.participant);
            validators
                .iter()
                .take(validation.quorum.max(1) as usize)
                .map(|&p| {
                    (
                        edition.people[p].id.clone(),
                        EventKind::Approve {
                            stage: stage.id.clone(),
                            participant: participant.clone(),
                            comment: None,
                        },
                    )
                })
                .collect()
        }
        Progress::Active if stage.selection.is_some() => {
            let Some(selection) = &stage.selection else {
                return Vec::new();
            };
            let floor = selection.from.and_then(rank).unwrap_or(0);
            let pool: Vec<usize> = (0..edition.participants.len())
                .filter(|&p| rank(state.participant(p).status).is_some_and(|r| r >= floor))
                .collect();
            let mut retained: Vec<usize> = pool
                .iter()
                .copied()
                .filter(|&p| rank(state.participant(p).status) >= rank(selection.to))
                .collect();
            if retained.is_empty() {
                retained = pool.iter().copied().take(selection.max as usize).collect();
            }
            let ids = retained
                .into_iter()
                .map(|p| edition.participants[p].id.clone())
                .collect();
            vec![(
                owner(),
                EventKind::Select {
                    stage: stage.id.clone(),
                    participants: Some(ids),
                    reasons: Default::default(),
                },
            )]
        }
        Progress::Active if !stage.outcomes.is_empty() => {
            let outcome = options
                .outcome
                .as_ref()
                .and_then(|wanted| stage.outcomes.iter().find(|o| &o.id == wanted))
                .or_else(|| stage.outcomes.iter().find(|o| !o.leads_to.is_empty()))
                .or(stage.outcomes.first());
            let Some(outcome) = outcome else {
                return Vec::new();
            };
            vec![(
                owner(),
                EventKind::Decide {
                    stage: stage.id.clone(),
                    participant,
                    outcome: outcome.id.clone(),
                    comment: None,
                },
            )]
        }
        Progress::Active => vec![(
            owner(),
            EventKind::Complete {
                stage: stage.id.clone(),
                participant,
                comment: None,
                documents: Vec::new(),
            },
        )],
        _ => Vec::new(),
    }
}
