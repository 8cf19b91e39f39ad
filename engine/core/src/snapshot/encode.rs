//! A state into the snapshot's types.

use std::borrow::Cow;

use jiff::civil::Date;
use jiff::Timestamp;
use rustc_hash::FxHashMap;

use super::wire;
use crate::action::{Action, Detail, Recipient};
use crate::event::Piece;
use crate::state::{Instance, Progress, SkipReason, State};
use crate::windows::{Override, Window};

pub(super) fn wire(state: &State) -> wire::Wire<'_> {
    let pending: Vec<(u128, &Action)> = state.pending_by_fingerprint();
    let position: FxHashMap<u128, usize> = pending
        .iter()
        .enumerate()
        .map(|(n, (fingerprint, _))| (*fingerprint, n))
        .collect();
    let sent: Vec<u8> = state
        .sent
        .sorted()
        .into_iter()
        .flat_map(u128::to_le_bytes)
        .collect();
    wire::Wire {
        version: state.edition.version.clone(),
        closed: state
            .closed
            .as_ref()
            .map(|c| (instant(c.at), c.by.clone(), c.reason.clone())),
        participants: state
            .participants
            .iter()
            .map(|p| (p.status, p.left_at.map(instant)))
            .collect(),
        applicants: state
            .applications
            .iter()
            .map(|(&p, record)| wire::Applicant {
                participant: p,
                id: state.edition.participants[p].id.clone(),
                revisions: record
                    .revisions
                    .iter()
                    .map(|r| wire::Revision {
                        at: instant(r.at),
                        by: r.by.clone(),
                        name: r.application.name.clone(),
                        organisation: r.application.organisation.clone(),
                        description: r.application.description.clone(),
                        theme: r.application.theme.clone(),
                        contact_name: r.application.contact_name.clone(),
                        contact_email: r.application.contact_email.clone(),
                        language: r.application.language,
                        answers: r
                            .application
                            .answers
                            .iter()
                            .map(|(q, a)| (q.clone(), a.clone()))
                            .collect(),
                    })
                    .collect(),
                flagged_at: record.flagged_at.map(|(at, n)| (instant(at), n)),
            })
            .collect(),
        stage_overrides: state
            .stage_overrides
            .iter()
            .map(|(&s, o)| (s, over(o)))
            .collect(),
        windows: state.windows.iter().map(window).collect(),
        instances: state
            .instances
            .chunks(wire::PER_RUN)
            .map(|items| run(items, |i| self::instance(i, &position)))
            .collect(),
        settled_at: state.settled_at.iter().map(|t| t.map(instant)).collect(),
        pending: pending
            .chunks(wire::PER_RUN)
            .map(|items| run(items, |(_, a)| action(a)))
            .collect(),
        sent: wire::Bytes(Cow::Owned(sent)),
        last_event_at: state.last_event_at.map(instant),
        events_applied: state.events_applied as u64,
    }
}

/// One run of items, encoded on its own.
fn run<'t, T, W: serde::Serialize>(
    items: &'t [T],
    convert: impl FnMut(&'t T) -> W,
) -> wire::Bytes<'static> {
    let run: Vec<W> = items.iter().map(convert).collect();
    // Serialising our own plain types into a vector cannot fail.
    wire::Bytes(Cow::Owned(postcard::to_stdvec(&run).unwrap_or_default()))
}

fn instance<'a>(i: &'a Instance, position: &FxHashMap<u128, usize>) -> wire::Instance<'a> {
    wire::Instance {
        stage: i.stage,
        participant: i.participant,
        window: window(&i.window),
        own_override: over(&i.own_override),
        postponements: i.postponements,
        postponed_at: i.postponed_at.map(instant),
        postponed_from: i
            .postponed_from
            .as_ref()
            .map(|from| (window(&from.0), from.1.clone())),
        cancelled_events: i
            .cancelled_events
            .iter()
            .map(|(e, at, reason)| (*e, instant(*at), reason.clone()))
            .collect(),
        ready_at: i.ready_at.map(instant),
        progress: match &i.progress {
            Progress::Active => wire::Progress::Active,
            Progress::AwaitingValidation { since } => {
                wire::Progress::AwaitingValidation(instant(*since))
            }
            Progress::Done { at } => wire::Progress::Done(instant(*at)),
            Progress::Skipped { at, reason } => wire::Progress::Skipped(
                instant(*at),
                match reason {
                    SkipReason::BranchNotTaken { decision, outcome } => {
                        wire::SkipReason::BranchNotTaken(*decision, *outcome)
                    }
                    SkipReason::ParticipantOut => wire::SkipReason::ParticipantOut,
                    SkipReason::NeedsSkipped => wire::SkipReason::NeedsSkipped,
                },
            ),
        },
        round: i.round,
        approvals: i
            .approvals
            .iter()
            .map(|(p, at)| (*p, instant(*at)))
            .collect(),
        refusals: i
            .refusals
            .iter()
            .map(|r| wire::Refusal {
                by: r.by,
                at: instant(r.at),
                comment: r.comment.clone(),
                round: r.round,
            })
            .collect(),
        submissions: i
            .submissions
            .iter()
            .map(|s| wire::Submission {
                round: s.round,
                at: instant(s.at),
                by: s.by.clone(),
                documents: s.documents.iter().map(piece).collect(),
                comment: s.comment.clone(),
            })
            .collect(),
        selection: i.selection.as_ref().map(|s| wire::Selection {
            pool: s.pool.clone(),
            retained: s.retained.clone(),
            reasons: s.reasons.iter().map(|(p, r)| (*p, r.clone())).collect(),
        }),
        outcome: i.outcome,
        scores: i
            .scores
            .iter()
            .map(|s| wire::Score {
                member: s.member,
                participant: s.participant,
                values: s.values.clone(),
                comment: s.comment.clone(),
                at: instant(s.at),
            })
            .collect(),
        indicators: wire::Indicators(Cow::Borrowed(&i.indicators)),
        // Those since sent are left out: a refresh would find them gone.
        action_keys: i
            .action_fingerprints
            .iter()
            .filter_map(|f| position.get(f).map(|&n| wire::KeyRef::Pending(n)))
            .collect(),
    }
}

fn piece(p: &Piece) -> wire::Piece {
    match p.clone() {
        Piece::File {
            deliverable,
            name,
            media_type,
            sha256,
            size,
        } => wire::Piece::File {
            deliverable,
            name,
            media_type,
            sha256,
            size,
        },
        Piece::Link { deliverable, url } => wire::Piece::Link { deliverable, url },
    }
}

fn action(a: &Action) -> wire::Action<'_> {
    wire::Action {
        key: &a.key,
        kind: a.kind,
        due_at: instant(a.due_at),
        expires_at: a.expires_at.map(instant),
        stage: a.stage,
        participant: a.participant,
        recipient: match a.recipient {
            Recipient::Person(p) => wire::Recipient::Person(p),
            Recipient::Participant(p) => wire::Recipient::Participant(p),
        },
        template: a.template,
        detail: match a.detail {
            Detail::None => wire::Detail::None,
            Detail::Reminder { index } => wire::Detail::Reminder(index),
            Detail::ValidationRequest { round } => wire::Detail::ValidationRequest(round),
            Detail::Refused { index } => wire::Detail::Refused(index),
            Detail::Invitation {
                event,
                sequence,
                start,
                end,
            } => wire::Detail::Invitation {
                event,
                sequence,
                start: instant(start),
                end: instant(end),
            },
            Detail::Selection {
                participant,
                retained,
            } => wire::Detail::Selection {
                participant,
                retained,
            },
            Detail::Cancellation {
                participant,
                event,
                sequence,
                start,
                end,
            } => wire::Detail::Cancellation {
                participant,
                event,
                sequence,
                start: instant(start),
                end: instant(end),
            },
            Detail::EventCancelled {
                event,
                sequence,
                start,
                end,
            } => wire::Detail::EventCancelled {
                event,
                sequence,
                start: instant(start),
                end: instant(end),
            },
            Detail::Decision { outcome } => wire::Detail::Decision(outcome),
            Detail::Application {
                participant,
                revision,
            } => wire::Detail::Application {
                participant,
                revision,
            },
        },
    }
}

fn instant(t: Timestamp) -> wire::Instant {
    t.as_nanosecond()
}

fn day(d: Date) -> wire::Day {
    (d.year(), d.month(), d.day())
}

fn window(w: &Window) -> wire::Window {
    wire::Window {
        start: day(w.start),
        due: day(w.due),
        to_be_fixed: w.to_be_fixed,
    }
}

fn over(o: &Override) -> wire::Override {
    wire::Override {
        start: o.start.map(day),
        due: o.due.map(day),
    }
}
