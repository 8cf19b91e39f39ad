//! Properties over generated editions and generated years: whatever the
//! definition and whatever people do, the core keeps its promises.

use std::collections::BTreeSet;

use jalon_core::clock::deliver_until;
use jalon_core::{
    Action, Channel, Event, EventKind, MessageKind, Progress, Recipient, SkipReason, State,
};
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;

#[path = "support/generated.rs"]
mod generated;
use generated::{event_for, load, moves, observe, run, spec, Run};

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_core_keeps_its_promises(spec in spec(), moves in moves()) {
        let edition = load(&spec);
        let Run { state, delivered, accepted, left } = run(edition.clone(), &moves);

        // No action key is ever emitted twice.
        let mut keys = BTreeSet::new();
        for (_, action) in &delivered {
            prop_assert!(keys.insert(action.key.clone()), "{} went twice", action.key);
        }

        for (sent_at, action) in &delivered {
            let instance = state.instance_of(action.stage, action.participant).expect("its instance");
            // Nothing of a stage goes out before its needs are done.
            if matches!(action.kind, MessageKind::StageOpened | MessageKind::Reminder | MessageKind::ValidationRequest | MessageKind::Escalation | MessageKind::SeminarInvitation) {
                let ready = instance.ready_at.expect("a stage that sends is ready");
                prop_assert!(ready <= action.due_at, "{} before its needs were done", action.key);
            }
            // Skipped branches never receive anything.
            if let Progress::Skipped { reason: SkipReason::BranchNotTaken { .. }, .. } = instance.progress {
                prop_assert!(false, "{} belongs to a branch not taken", action.key);
            }
            // Participants who left receive nothing afterwards.
            let about = match action.recipient {
                Recipient::Participant(p) => Some(p),
                Recipient::Person(_) => action.participant,
            };
            if let Some(gone) = about.and_then(|p| left.get(&p)) {
                prop_assert!(sent_at < gone || action.due_at < *gone, "{} after withdrawal", action.key);
            }
            // Reminders keep their local time across DST, and every dated
            // message lands on a working day.
            let local = action.due_at.to_zoned(edition.time_zone.clone());
            if action.kind == MessageKind::Reminder {
                let jalon_core::Detail::Reminder { index } = action.detail else { unreachable!() };
                prop_assert_eq!(local.time(), edition.stages[action.stage].reminders[index].time);
            }
            if matches!(action.kind, MessageKind::Reminder | MessageKind::Escalation) {
                prop_assert!(edition.calendar.is_working_day(local.date()), "{} on {}", action.key, local.date());
            }
        }

        // Needs are done before what needs them is ready.
        for instance in state.instances() {
            let Some(ready) = instance.ready_at else { continue };
            for &need in &edition.stages[instance.stage].needs {
                let per_participant = edition.stages[need].for_each.is_some();
                let needed: Vec<_> = match (per_participant, instance.participant) {
                    (true, Some(p)) => state.instance_of(need, Some(p)).into_iter().collect(),
                    (true, None) => state.instances().iter().filter(|i| i.stage == need).collect(),
                    (false, _) => state.instance_of(need, None).into_iter().collect(),
                };
                for n in needed {
                    let settled = match n.progress {
                        Progress::Done { at } | Progress::Skipped { at, .. } => Some(at),
                        _ => None,
                    };
                    prop_assert!(settled.is_some_and(|at| at <= ready), "{:?} ready before need {}: {:?} (needs {:?})", instance, need, n, edition.stages[instance.stage].needs);
                }
            }
        }

        // The pending index: in due order then by key, each once, none of
        // them sent, and what is due at the end of time is all of it.
        let pending: Vec<&Action> = state.pending_actions().collect();
        for pair in pending.windows(2) {
            prop_assert!((pair[0].due_at, &pair[0].key) < (pair[1].due_at, &pair[1].key), "{} then {}", pair[0].key, pair[1].key);
        }
        for action in &pending {
            prop_assert!(!state.was_sent(&action.key), "{} pending and sent", action.key);
        }
        prop_assert_eq!(state.due_actions(Timestamp::MAX), pending);

        // Replaying the accepted events gives the same state and actions.
        let mut replay = State::new(edition);
        for event in &accepted {
            replay.apply(event).expect("an accepted event is accepted again");
        }
        for (_, action) in &delivered {
            replay.record_sent(&action.key);
        }
        prop_assert_eq!(observe(&replay), observe(&state));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever people do, nothing falls due after an edition is closed,
    /// nor after its end and grace, and every message's window closes by
    /// then.
    #[test]
    fn closed_and_ended_editions_send_nothing(spec in spec(), moves in moves(), cut in 0..40usize) {
        let edition = load(&spec);
        let ends = jalon_core::time::end_of_day(&edition.time_zone, edition.end)
            + jalon_core::time::SENDING_GRACE;
        let mut state = State::new(edition.clone());
        let mut clock = jalon_core::time::local(&edition.time_zone, edition.start, jiff::civil::Time::midnight());
        let mut delivered: Vec<(Timestamp, Action)> = Vec::new();
        let mut closed_at = None;
        for (n, m) in moves.iter().enumerate() {
            clock = clock.checked_add((i64::from(m.hours) * 6).hours()).expect("instant");
            let now = clock;
            deliver_until(&mut state, now, |_, a| delivered.push((now, a.clone())));
            if n == cut {
                let close = Event {
                    at: now,
                    by: "ana".into(),
                    channel: Channel::Script,
                    kind: EventKind::Close { reason: "fin".into() },
                };
                prop_assert!(state.apply(&close).is_ok());
                closed_at = Some(now);
                continue;
            }
            if let Some(event) = event_for(&state, m, now) {
                let applied = state.apply(&event);
                prop_assert!(closed_at.is_none() || applied.is_err(), "an event after the close was taken");
            }
        }
        let end = clock.checked_add(24 * 400.hours()).expect("instant");
        deliver_until(&mut state, end, |_, a| delivered.push((end, a.clone())));
        for (sent_at, action) in &delivered {
            prop_assert!(action.due_at <= ends, "{} due after the edition's end", action.key);
            let expires = action.expires_at.expect("every message expires");
            prop_assert!(expires <= ends, "{} outlives the edition", action.key);
            if let Some(closed) = closed_at {
                prop_assert!(*sent_at <= closed, "{} went after the close", action.key);
            }
        }
    }
}
