//! Generated editions and generated years, shared by the property tests
//! of the core and of the runtime (included with `#[path]`).
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_core::{Action, Channel, Event, EventKind, Progress, State};
use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits};
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;

#[derive(Clone, Debug)]
pub struct StageSpec {
    /// Indices of earlier stages it needs (never empty but for the first).
    pub needs: Vec<usize>,
    pub per_participant: bool,
    pub duration: i32,
    pub validation: Option<(i32, u32)>,
    pub reminders: Vec<(i32, bool, &'static str)>,
    pub escalation: Option<i32>,
    pub seminar: bool,
}

#[derive(Clone, Debug)]
pub struct Spec {
    pub start_week: i64,
    pub participants: usize,
    pub stages: Vec<StageSpec>,
    pub decision: bool,
}

pub fn stage_spec(index: usize) -> impl Strategy<Value = StageSpec> {
    let needs = if index == 0 {
        Just(Vec::new()).boxed()
    } else {
        proptest::collection::btree_set(0..index, 1..=index.min(2))
            .prop_map(|s| s.into_iter().collect())
            .boxed()
    };
    (
        needs,
        any::<bool>(),
        2..40i32,
        proptest::option::of((1..10i32, 1..=2u32)),
        proptest::collection::vec(
            (
                1..40i32,
                any::<bool>(),
                prop_oneof![Just("08:30"), Just("09:00"), Just("14:00")],
            ),
            0..3,
        ),
        proptest::option::of(1..6i32),
        any::<bool>(),
    )
        .prop_map(
            |(needs, per_participant, duration, validation, reminders, escalation, seminar)| {
                StageSpec {
                    needs,
                    per_participant,
                    duration,
                    // The lead time fits in the stage.
                    validation: validation.map(|(lead, quorum)| (lead.min(duration - 1), quorum)),
                    reminders: reminders
                        .into_iter()
                        .map(|(r, working, time)| (r.min(duration - 1), working, time))
                        .collect(),
                    escalation,
                    seminar: seminar && !per_participant,
                }
            },
        )
}

pub fn spec() -> impl Strategy<Value = Spec> {
    (0..60i64, 1..5usize, 2..7usize, any::<bool>()).prop_flat_map(
        |(start_week, participants, count, decision)| {
            let stages: Vec<_> = (0..count).map(stage_spec).collect();
            (Just(start_week), Just(participants), stages, Just(decision)).prop_map(
                |(start_week, participants, stages, decision)| Spec {
                    start_week,
                    participants,
                    stages,
                    decision,
                },
            )
        },
    )
}

/// The edition as a manager would write it.
pub fn yaml(spec: &Spec) -> String {
    let start = jiff::civil::date(2025, 1, 6)
        .checked_add(spec.start_week.weeks())
        .expect("date");
    let end = start.checked_add(30.months()).expect("date");
    let mut y = String::new();
    let _ = writeln!(
        y,
        "programme: {{id: gen, name: Programme généré}}\nedition: {{id: gen, name: Édition générée, start: {start}, end: {end}}}\ntime_zone: Europe/Paris"
    );
    let _ = writeln!(
        y,
        "calendar:\n  public_holidays: france\n  closures:\n    - {{name: Fermeture de fin d'année, from: {}-12-22, to: {}-01-02}}",
        start.year(),
        start.year() + 1
    );
    y.push_str("people:\n  - {id: ana, name: Ana, email: ana@example.org}\n  - {id: bob, name: Bob, email: bob@example.org}\n  - {id: cleo, name: Cléo, email: cleo@example.org}\n");
    y.push_str("roles:\n  - {id: coordination, name: Coordination, kind: coordination, members: [ana, bob]}\n  - {id: equipe, name: Équipe, members: [cleo]}\n");
    y.push_str("participants:\n");
    for p in 0..spec.participants {
        let _ = writeln!(
            y,
            "  - {{id: p{p}, name: Participant {p}, status: laureate, contact: {{name: Contact {p}, email: p{p}@example.org}}}}"
        );
    }
    y.push_str("stages:\n");
    for (i, s) in spec.stages.iter().enumerate() {
        let _ = writeln!(
            y,
            "  - id: s{i}\n    kind: task\n    title: Étape {i}\n    owners: [equipe]"
        );
        if i == 0 {
            y.push_str("    start: edition.start\n");
        } else {
            let needs: Vec<String> = s.needs.iter().map(|n| format!("s{n}")).collect();
            let _ = writeln!(y, "    needs: [{}]", needs.join(", "));
        }
        if s.per_participant {
            y.push_str("    for_each: laureate\n");
        }
        let _ = writeln!(y, "    due: start + {} working days", s.duration);
        if let Some((lead, quorum)) = s.validation {
            let _ = writeln!(
                y,
                "    validation: {{by: [coordination], quorum: {quorum}, lead_time: {lead} working days}}"
            );
        }
        if !s.reminders.is_empty() {
            y.push_str("    reminders:\n");
            for (r, working, time) in &s.reminders {
                let unit = if *working { "working days" } else { "days" };
                let _ = writeln!(y, "      - {{when: due - {r} {unit}, time: \"{time}\"}}");
            }
        }
        if let Some(after) = s.escalation {
            let _ = writeln!(
                y,
                "    escalation: {{after: {after} working days, to: [coordination]}}"
            );
        }
        if s.seminar {
            let _ = writeln!(y, "    events:\n      - {{id: jour-{i}, title: Séminaire {i}, date: start, time: \"09:30\", duration: 1 day}}");
        }
    }
    if spec.decision {
        let last = spec.stages.len() - 1;
        let _ = writeln!(y, "  - id: decision\n    kind: scale_up_decision\n    title: Décision\n    owners: [coordination]\n    for_each: laureate\n    needs: [s{last}]\n    due: start + 10 working days\n    outcomes:\n      - {{id: oui, title: Oui, leads_to: [suite-oui]}}\n      - {{id: non, title: Non, leads_to: [suite-non]}}\n      - {{id: stop, title: Stop, leads_to: []}}");
        for branch in ["suite-oui", "suite-non"] {
            let _ = writeln!(y, "  - id: {branch}\n    kind: task\n    title: Suite {branch}\n    owners: [equipe]\n    for_each: laureate\n    due: start + 10 working days\n    reminders:\n      - when: due - 2 working days");
        }
    }
    y.push_str("templates:\n  - {id: t, subject: \"{{ stage }}\", body: \"Bonjour {{ recipient }}\"}\nmessages:\n");
    for kind in [
        "stage_opened",
        "reminder",
        "validation_request",
        "validation_refused",
        "escalation",
        "seminar_invitation",
        "selection_retained",
        "selection_not_retained",
        "decision_notice",
    ] {
        let _ = writeln!(y, "  {kind}: t");
    }
    y
}

pub fn load(spec: &Spec) -> Arc<Edition> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gen.yaml");
    let text = yaml(spec);
    std::fs::write(&path, &text).expect("write");
    let report = check_paths(&[path], &Limits::default()).expect("readable");
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "the generator wrote an invalid edition: {errors:#?}\n{text}"
    );
    let (_, edition) = report.editions.into_iter().next().expect("an edition");
    Arc::new(edition)
}

/// One thing someone does, as drawn by proptest.
#[derive(Clone, Debug)]
pub struct Move {
    pub what: u8,
    pub pick: u16,
    pub hours: u16,
}

pub fn moves() -> impl Strategy<Value = Vec<Move>> {
    proptest::collection::vec(
        (0..10u8, any::<u16>(), 1..400u16).prop_map(|(what, pick, hours)| Move {
            what,
            pick,
            hours,
        }),
        0..80,
    )
}

/// The event a move stands for in the current state, if any fits.
pub fn event_for(state: &State, m: &Move, at: Timestamp) -> Option<Event> {
    let edition = state.edition();
    let open: Vec<_> = state
        .instances()
        .iter()
        .filter(|i| !i.is_settled())
        .collect();
    let awaiting: Vec<_> = open
        .iter()
        .filter(|i| matches!(i.progress, Progress::AwaitingValidation { .. }))
        .collect();
    let pick = |n: usize| (m.pick as usize) % n.max(1);
    let id = |i: &jalon_core::Instance| {
        (
            edition.stages[i.stage].id.clone(),
            i.participant.map(|p| edition.participants[p].id.clone()),
        )
    };
    let validator = if m.pick.is_multiple_of(2) {
        "ana"
    } else {
        "bob"
    };
    let kind = match m.what {
        0..=3 => {
            let instance = open.get(pick(open.len()))?;
            let (stage, participant) = id(instance);
            if edition.stages[instance.stage].outcomes.is_empty() {
                EventKind::Complete {
                    stage,
                    participant,
                    comment: None,
                    documents: Vec::new(),
                }
            } else {
                let outcome = ["oui", "non", "stop"][pick(3)].to_owned();
                EventKind::Decide {
                    stage,
                    participant,
                    outcome,
                    comment: None,
                }
            }
        }
        4 | 5 => {
            let (stage, participant) = id(awaiting.get(pick(awaiting.len()))?);
            EventKind::Approve {
                stage,
                participant,
                comment: None,
            }
        }
        6 => {
            let (stage, participant) = id(awaiting.get(pick(awaiting.len()))?);
            EventKind::Refuse {
                stage,
                participant,
                comment: "À reprendre".into(),
            }
        }
        7 => EventKind::Withdraw {
            participant: edition.participants[pick(edition.participants.len())]
                .id
                .clone(),
            reason: None,
        },
        _ => {
            let instance = open.get(pick(open.len()))?;
            let (stage, participant) = id(instance);
            let due = instance
                .window
                .due
                .checked_add(((m.pick % 15) as i64).days())
                .ok()?;
            EventKind::Postpone {
                stage,
                participant,
                start: None,
                due: Some(due),
                reason: None,
            }
        }
    };
    let by = match kind {
        EventKind::Approve { .. } | EventKind::Refuse { .. } => validator,
        _ => "cleo",
    };
    Some(Event {
        at,
        by: by.into(),
        channel: Channel::Script,
        kind,
    })
}

/// Everything observable about a state (the pending actions and each
/// instance), to compare two states.
pub fn observe(state: &State) -> (Vec<String>, Vec<String>) {
    let pending = state
        .pending_actions()
        .map(|a| format!("{} {}", a.key, a.due_at))
        .collect();
    let instances = state
        .instances()
        .iter()
        .map(|i| {
            format!(
                "{} {:?} {:?} {:?} {:?} {}",
                i.stage, i.participant, i.window, i.ready_at, i.progress, i.round
            )
        })
        .collect();
    (pending, instances)
}

pub struct Run {
    pub state: State,
    /// Each delivered action with the virtual instant it went out.
    pub delivered: Vec<(Timestamp, Action)>,
    pub accepted: Vec<Event>,
    /// Participants who left, and when.
    pub left: HashMap<usize, Timestamp>,
}

pub fn run(edition: Arc<Edition>, moves: &[Move]) -> Run {
    let mut state = State::new(edition.clone());
    let mut clock = jalon_core::time::local(
        &edition.time_zone,
        edition.start,
        jiff::civil::Time::midnight(),
    );
    let mut delivered = Vec::new();
    let mut accepted = Vec::new();
    let mut left = HashMap::new();
    for m in moves {
        clock = clock
            .checked_add((i64::from(m.hours) * 6).hours())
            .expect("instant");
        let now = clock;
        deliver_until(&mut state, now, |_, a| delivered.push((now, a.clone())));
        let Some(event) = event_for(&state, m, now) else {
            continue;
        };
        let before = observe(&state);
        match state.apply(&event) {
            Ok(()) => {
                if let EventKind::Withdraw { participant, .. } = &event.kind {
                    left.insert(state.ids().participants[participant], now);
                }
                accepted.push(event);
            }
            Err(_) => assert_eq!(observe(&state), before, "a refused event changed the state"),
        }
    }
    let end = clock.checked_add(24 * 400.hours()).expect("instant");
    deliver_until(&mut state, end, |_, a| delivered.push((end, a.clone())));
    Run {
        state,
        delivered,
        accepted,
        left,
    }
}
