//! The snapshot's types back into a state: the definition's parts built
//! again, the indexes rebuilt from the instances and pending actions, and
//! every index checked against the definition, so that damaged bytes that
//! still decode are refused rather than trusted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jiff::civil::Date;
use jiff::Timestamp;

use super::{wire, SnapshotError};
use crate::action::{Action, Detail, Key, Recipient};
use crate::application::{applicant, describe, Application, ApplicationRecord, Revision};
use crate::due::Due;
use crate::event::Piece;
use crate::sent::Sent;
use crate::state::{
    Closure, Instance, ParticipantState, Progress, Refusal, Score, SelectionRecord, SkipReason,
    State, Submission,
};
use crate::windows::{Override, Window};

type Result<T> = std::result::Result<T, SnapshotError>;

fn mismatch<T>(what: &'static str) -> Result<T> {
    Err(SnapshotError::Mismatch(what))
}

/// `n` if it is below `len`.
fn below(n: usize, len: usize, what: &'static str) -> Result<usize> {
    if n < len {
        Ok(n)
    } else {
        mismatch(what)
    }
}

pub(super) fn state(mut edition: Arc<Edition>, wire: wire::Wire<'_>) -> Result<State> {
    // Applicants join the edition as they did when they applied, after
    // the participants the definition lists.
    let mut applications = BTreeMap::new();
    if !wire.applicants.is_empty() {
        let edition = Arc::make_mut(&mut edition);
        for a in wire.applicants {
            if a.participant != edition.participants.len() {
                return mismatch("an applicant out of place");
            }
            edition.participants.push(applicant(&a.id));
            let revisions = each(a.revisions, revision)?;
            let Some(last) = revisions.last() else {
                return mismatch("an applicant without an application");
            };
            describe(edition, a.participant, &last.application);
            let flagged_at = match a.flagged_at {
                Some((at, n)) => Some((timestamp(at)?, below(n, revisions.len(), "a revision")?)),
                None => None,
            };
            applications.insert(
                a.participant,
                ApplicationRecord {
                    revisions,
                    flagged_at,
                },
            );
        }
    }
    let mut state = State::skeleton(edition);
    let stages = state.edition.stages.len();
    let participant_count = state.edition.participants.len();
    if wire.participants.len() != participant_count
        || wire.windows.len() != stages
        || wire.settled_at.len() != stages
    {
        return mismatch("another count of participants or stages");
    }
    state.applications = applications;
    state.closed = match wire.closed {
        Some((at, by, reason)) => Some(Closure {
            at: timestamp(at)?,
            by,
            reason,
        }),
        None => None,
    };
    state.participants = each(wire.participants, |(status, left_at)| {
        Ok(ParticipantState {
            status,
            left_at: instant(left_at)?,
        })
    })?;
    state.stage_overrides = wire
        .stage_overrides
        .into_iter()
        .map(|(s, o)| Ok((below(s, stages, "a stage")?, over(o)?)))
        .collect::<Result<_>>()?;
    state.windows = each(wire.windows, window)?;
    state.settled_at = each(wire.settled_at, instant)?;
    state.last_event_at = instant(wire.last_event_at)?;
    state.events_applied =
        usize::try_from(wire.events_applied).or_else(|_| mismatch("a count of events"))?;

    // Both the pending actions and the instances come in runs, decoded on
    // every core: first the actions with their keys' fingerprints (by which
    // the instances name them) and the sent keys beside, then the
    // instances with the due order beside.
    let edition = state.edition.clone();
    let (actions, sent) = in_runs(
        &wire.pending,
        |bytes| {
            each(decode(bytes)?, |a| {
                action(a, &edition).map(|a| (crate::sent::fingerprint(&a.key), a))
            })
        },
        || Sent::from_le_bytes(&wire.sent.0),
    )?;
    state.sent = sent.ok_or(SnapshotError::Mismatch("the sent keys"))?;
    let fingerprints: Vec<u128> = actions.iter().map(|(f, _)| *f).collect();
    // The skeleton's index, empty, with the edition's key order.
    let due = std::mem::take(&mut state.pending);
    let (instances, pending) = in_runs(
        &wire.instances,
        |bytes| each(decode(bytes)?, |w| instance(w, &edition, &fingerprints)),
        || pending(actions, due),
    )?;
    (state.actions, state.pending) = pending?;
    state.index.reserve(instances.len());
    for (i, instance) in instances.iter().enumerate() {
        let place = (instance.stage, instance.participant);
        if state.index.insert(place, i).is_some() {
            return mismatch("an instance twice");
        }
        state.by_stage[instance.stage].push(i);
        if !instance.is_settled() {
            state.unsettled[instance.stage] += 1;
        }
    }
    state.instances = instances;
    Ok(state)
}

/// The pending actions by key, and by due instant.
fn pending(actions: Vec<(u128, Action)>, mut due: Due) -> Result<(crate::state::Actions, Due)> {
    let mut by_key =
        crate::state::Actions::with_capacity_and_hasher(actions.len(), Default::default());
    for (fingerprint, action) in actions {
        due.insert(&action, fingerprint);
        if by_key.insert(fingerprint, Box::new(action)).is_some() {
            return mismatch("an action twice");
        }
    }
    Ok((by_key, due))
}

/// A run's items, as written.
fn decode<'a, T: serde::Deserialize<'a>>(bytes: &'a wire::Bytes<'_>) -> Result<Vec<T>> {
    postcard::from_bytes(&bytes.0).map_err(|e| SnapshotError::Decode(e.to_string()))
}

/// The items of every run, in order, each run converted by `convert` on
/// one of the cores, while this thread also does `meanwhile`.
fn in_runs<T: Send, R>(
    runs: &[wire::Bytes<'_>],
    convert: impl Fn(&wire::Bytes<'_>) -> Result<Vec<T>> + Sync,
    meanwhile: impl FnOnce() -> R,
) -> Result<(Vec<T>, R)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    // Each thread takes the next run not taken, until none is left.
    let work = || {
        let mut done = Vec::new();
        loop {
            let n = next.fetch_add(1, Ordering::Relaxed);
            let Some(bytes) = runs.get(n) else {
                return done;
            };
            done.push((n, convert(bytes)));
        }
    };
    let (mut done, meanwhile) = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..cores.min(runs.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let meanwhile = meanwhile();
        let mut done = work();
        for helper in helpers {
            done.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        (done, meanwhile)
    });
    done.sort_unstable_by_key(|(n, _)| *n);
    let mut runs = Vec::with_capacity(done.len());
    for (_, run) in done {
        runs.push(run?);
    }
    let mut items = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    for mut run in runs {
        items.append(&mut run);
    }
    Ok((items, meanwhile))
}

/// Each item converted, into a vector of exactly their number: a collect
/// of `Result`s cannot know it, and grows by doubling.
fn each<T, U>(items: Vec<T>, mut convert: impl FnMut(T) -> Result<U>) -> Result<Vec<U>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(convert(item)?);
    }
    Ok(out)
}

fn revision(r: wire::Revision) -> Result<Revision> {
    Ok(Revision {
        at: timestamp(r.at)?,
        by: r.by,
        application: Application {
            name: r.name,
            organisation: r.organisation,
            description: r.description,
            theme: r.theme,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            language: r.language,
            answers: r.answers.into_iter().collect(),
        },
    })
}

fn instance(w: wire::Instance<'_>, edition: &Edition, fingerprints: &[u128]) -> Result<Instance> {
    let stage = below(w.stage, edition.stages.len(), "a stage")?;
    let definition = &edition.stages[stage];
    let participants = edition.participants.len();
    let people = edition.people.len();
    let participant = match w.participant {
        Some(p) => Some(below(p, participants, "a participant")?),
        None => None,
    };
    if participant.is_some() != definition.for_each.is_some() {
        return mismatch("an instance of another kind of stage");
    }
    Ok(Instance {
        stage,
        participant,
        window: window(w.window)?,
        own_override: over(w.own_override)?,
        postponements: w.postponements,
        postponed_at: instant(w.postponed_at)?,
        postponed_from: match w.postponed_from {
            Some((from, reason)) => Some(Box::new((window(from)?, reason))),
            None => None,
        },
        cancelled_events: each(w.cancelled_events, |(e, at, reason)| {
            Ok((
                below(e, definition.events.len(), "an event of a stage")?,
                timestamp(at)?,
                reason,
            ))
        })?,
        ready_at: instant(w.ready_at)?,
        progress: match w.progress {
            wire::Progress::Active => Progress::Active,
            wire::Progress::AwaitingValidation(since) => Progress::AwaitingValidation {
                since: timestamp(since)?,
            },
            wire::Progress::Done(at) => Progress::Done { at: timestamp(at)? },
            wire::Progress::Skipped(at, reason) => Progress::Skipped {
                at: timestamp(at)?,
                reason: match reason {
                    wire::SkipReason::BranchNotTaken(decision, outcome) => {
                        SkipReason::BranchNotTaken { decision, outcome }
                    }
                    wire::SkipReason::ParticipantOut => SkipReason::ParticipantOut,
                    wire::SkipReason::NeedsSkipped => SkipReason::NeedsSkipped,
                },
            },
        },
        round: w.round,
        approvals: each(w.approvals, |(p, at)| {
            Ok((below(p, people, "a person")?, timestamp(at)?))
        })?,
        refusals: each(w.refusals, |r| {
            Ok(Refusal {
                by: below(r.by, people, "a person")?,
                at: timestamp(r.at)?,
                comment: r.comment,
                round: r.round,
            })
        })?,
        submissions: each(w.submissions, |s| {
            Ok(Submission {
                round: s.round,
                at: timestamp(s.at)?,
                by: s.by,
                documents: s.documents.into_iter().map(piece).collect(),
                comment: s.comment,
            })
        })?,
        selection: match w.selection {
            Some(s) => {
                let check = |p: usize| below(p, participants, "a participant");
                Some(Box::new(SelectionRecord {
                    pool: each(s.pool, check)?,
                    retained: each(s.retained, check)?,
                    reasons: s
                        .reasons
                        .into_iter()
                        .map(|(p, r)| Ok((check(p)?, r)))
                        .collect::<Result<_>>()?,
                }))
            }
            None => None,
        },
        outcome: match w.outcome {
            Some(o) => Some(below(o, definition.outcomes.len(), "an outcome")?),
            None => None,
        },
        scores: each(w.scores, |s| {
            Ok(Score {
                member: below(s.member, people, "a person")?,
                participant: below(s.participant, participants, "a participant")?,
                values: s.values,
                comment: s.comment,
                at: timestamp(s.at)?,
            })
        })?,
        indicators: {
            let values = w.indicators.0.into_owned();
            let known = definition.indicators.len();
            if values.iter().any(|v| v.indicator >= known) {
                return mismatch("an indicator");
            }
            values
        },
        action_fingerprints: each(w.action_keys, |k| match k {
            wire::KeyRef::Pending(n) => fingerprints
                .get(n)
                .copied()
                .ok_or(SnapshotError::Mismatch("an action")),
            // Written by an earlier build: a key since sent.
            wire::KeyRef::Own(key) => Ok(crate::sent::fingerprint(key)),
        })?,
    })
}

fn piece(p: wire::Piece) -> Piece {
    match p {
        wire::Piece::File {
            deliverable,
            name,
            media_type,
            sha256,
            size,
        } => Piece::File {
            deliverable,
            name,
            media_type,
            sha256,
            size,
        },
        wire::Piece::Link { deliverable, url } => Piece::Link { deliverable, url },
    }
}

fn action(a: wire::Action<'_>, edition: &Edition) -> Result<Action> {
    let (stages, people) = (edition.stages.len(), edition.people.len());
    let participant = |p: usize| below(p, edition.participants.len(), "a participant");
    Ok(Action {
        key: Key::from(a.key),
        kind: a.kind,
        due_at: timestamp(a.due_at)?,
        expires_at: instant(a.expires_at)?,
        stage: below(a.stage, stages, "a stage")?,
        participant: match a.participant {
            Some(p) => Some(participant(p)?),
            None => None,
        },
        recipient: match a.recipient {
            wire::Recipient::Person(p) => Recipient::Person(below(p, people, "a person")?),
            wire::Recipient::Participant(p) => Recipient::Participant(participant(p)?),
        },
        template: below(a.template, edition.templates.len(), "a template")?,
        detail: match a.detail {
            wire::Detail::None => Detail::None,
            wire::Detail::Reminder(index) => Detail::Reminder { index },
            wire::Detail::ValidationRequest(round) => Detail::ValidationRequest { round },
            wire::Detail::Refused(index) => Detail::Refused { index },
            wire::Detail::Invitation {
                event,
                sequence,
                start,
                end,
            } => Detail::Invitation {
                event,
                sequence,
                start: timestamp(start)?,
                end: timestamp(end)?,
            },
            wire::Detail::Selection {
                participant: p,
                retained,
            } => Detail::Selection {
                participant: participant(p)?,
                retained,
            },
            wire::Detail::Cancellation {
                participant: p,
                event,
                sequence,
                start,
                end,
            } => Detail::Cancellation {
                participant: participant(p)?,
                event,
                sequence,
                start: timestamp(start)?,
                end: timestamp(end)?,
            },
            wire::Detail::EventCancelled {
                event,
                sequence,
                start,
                end,
            } => Detail::EventCancelled {
                event,
                sequence,
                start: timestamp(start)?,
                end: timestamp(end)?,
            },
            wire::Detail::Decision(outcome) => Detail::Decision { outcome },
            wire::Detail::Application {
                participant: p,
                revision,
            } => Detail::Application {
                participant: participant(p)?,
                revision,
            },
        },
    })
}

fn timestamp(n: wire::Instant) -> Result<Timestamp> {
    Timestamp::from_nanosecond(n).map_err(|_| SnapshotError::Mismatch("an instant"))
}

fn instant(n: Option<wire::Instant>) -> Result<Option<Timestamp>> {
    n.map(timestamp).transpose()
}

fn day((year, month, day): wire::Day) -> Result<Date> {
    Date::new(year, month, day).map_err(|_| SnapshotError::Mismatch("a date"))
}

fn window(w: wire::Window) -> Result<Window> {
    Ok(Window {
        start: day(w.start)?,
        due: day(w.due)?,
        to_be_fixed: w.to_be_fixed,
    })
}

fn over(o: wire::Override) -> Result<Override> {
    Ok(Override {
        start: o.start.map(day).transpose()?,
        due: o.due.map(day).transpose()?,
    })
}
