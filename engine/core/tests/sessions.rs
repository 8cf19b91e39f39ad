//! Sessions of an assembly: a file adjourned goes to the next session, its
//! later stages move with it, and only that file's; there is no adjourning
//! past the last session.

mod support;

use jalon_core::clock::deliver_until;
use jalon_core::{Channel, Detail, Event, EventKind, MessageKind, Rejection, State};
use jiff::civil::{date, Date, Time};
use jiff::Timestamp;

const EDITION: &str = "tests/fixtures/sessions/appel.yaml";

fn at(state: &State, day: Date, hour: i8) -> Timestamp {
    jalon_core::time::local(
        &state.edition().time_zone,
        day,
        Time::constant(hour, 0, 0, 0),
    )
}

fn adjourn(state: &mut State, day: Date, participant: &str) -> Result<(), Rejection> {
    let when = at(state, day, 18);
    deliver_until(state, when, |_, _| {});
    state.apply(&Event {
        at: when,
        by: "ana".into(),
        channel: Channel::Cli,
        kind: EventKind::Adjourn {
            stage: "vote".into(),
            participant: Some(participant.into()),
            reason: Some("dossier incomplet".into()),
        },
    })
}

/// (start, due) of a stage for a participant.
fn window(state: &State, stage: &str, participant: &str) -> (Date, Date) {
    let s = state.ids().stages[stage];
    let p = state.ids().participants[participant];
    let instance = state.instance_of(s, Some(p)).expect("the instance");
    (instance.window.start, instance.window.due)
}

fn windows(state: &State, participant: &str) -> Vec<(Date, Date)> {
    ["instruction", "vote", "convention", "bilan"]
        .iter()
        .map(|s| window(state, s, participant))
        .collect()
}

#[test]
fn the_vote_falls_on_the_first_session_after_the_secretariats_lead_time() {
    let state = support::state(EDITION);
    // Instruction due Friday 28 February; ten working days on is Friday
    // 14 March; the first session on or after it, Monday 17 March.
    assert_eq!(
        window(&state, "vote", "p1"),
        (date(2025, 3, 17), date(2025, 3, 17))
    );
}

#[test]
fn adjourning_a_file_moves_its_vote_to_the_next_session_and_its_later_stages_with_it() {
    let mut state = support::state(EDITION);
    let planned_p2 = windows(&state, "p2");
    let instruction = window(&state, "instruction", "p1");
    // The file is instructed: the session's invitation goes out.
    let instructed = at(&state, date(2025, 2, 27), 10);
    state
        .apply(&Event {
            at: instructed,
            by: "ana".into(),
            channel: Channel::Cli,
            kind: EventKind::Complete {
                stage: "instruction".into(),
                participant: Some("p1".into()),
                comment: None,
                documents: Vec::new(),
            },
        })
        .expect("instructed");
    adjourn(&mut state, date(2025, 3, 17), "p1").expect("adjourned");
    assert_eq!(
        window(&state, "vote", "p1"),
        (date(2025, 4, 14), date(2025, 4, 14))
    );
    // The agreement from the working day after the vote, for 20 working
    // days (Easter Monday 21 April, 1 and 8 May off); the report after it.
    assert_eq!(
        window(&state, "convention", "p1"),
        (date(2025, 4, 15), date(2025, 5, 16))
    );
    assert_eq!(
        window(&state, "bilan", "p1"),
        (date(2025, 5, 19), date(2025, 6, 16))
    );
    assert_eq!(window(&state, "instruction", "p1"), instruction);
    assert_eq!(windows(&state, "p2"), planned_p2, "p2 keeps its dates");
    let vote = state.ids().stages["vote"];
    let p1 = state.ids().participants["p1"];
    let instance = state.instance_of(vote, Some(p1)).expect("p1's vote");
    assert_eq!(instance.postponements, 1);
    let (former, reason) = *instance.postponed_from.clone().expect("what it replaces");
    assert_eq!(former.start, date(2025, 3, 17));
    assert_eq!(reason.as_deref(), Some("dossier incomplet"));
    // The session's invitation goes again, for the new day, as after a
    // postponement: a new sequence, to replace the first in calendars.
    let invitations: Vec<_> = state
        .pending_actions()
        .filter(|a| a.kind == MessageKind::SeminarInvitation && a.participant == Some(p1))
        .collect();
    assert!(!invitations.is_empty(), "a new invitation is due");
    for action in invitations {
        let Detail::Invitation {
            sequence, start, ..
        } = action.detail
        else {
            panic!("an invitation");
        };
        assert_eq!(sequence, 1);
        let day = start.to_zoned(state.edition().time_zone.clone()).date();
        assert_eq!(day, date(2025, 4, 14));
    }
    // Adjourned again: the session after.
    adjourn(&mut state, date(2025, 4, 14), "p1").expect("adjourned again");
    assert_eq!(window(&state, "vote", "p1").0, date(2025, 5, 19));
}

#[test]
fn there_is_no_adjourning_past_the_last_session() {
    let mut state = support::state(EDITION);
    for day in [
        date(2025, 3, 17),
        date(2025, 4, 14),
        date(2025, 5, 19),
        date(2025, 6, 23),
    ] {
        adjourn(&mut state, day, "p1").expect("a later session");
    }
    assert_eq!(window(&state, "vote", "p1").0, date(2025, 7, 7));
    let before = windows(&state, "p1");
    let refused = adjourn(&mut state, date(2025, 7, 7), "p1").expect_err("the last one");
    assert_eq!(
        refused,
        Rejection::LastSession {
            what: "vote for p1".into(),
            session: "Commission permanente".into(),
            last: "2025-07-07".into(),
        }
    );
    assert!(refused.to_string().contains("no later one"), "{refused}");
    assert_eq!(windows(&state, "p1"), before, "nothing moved");
}

#[test]
fn a_stage_not_dated_from_sessions_is_postponed_not_adjourned() {
    let mut state = support::state(EDITION);
    let when = at(&state, date(2025, 2, 3), 10);
    let refused = state
        .apply(&Event {
            at: when,
            by: "ana".into(),
            channel: Channel::Cli,
            kind: EventKind::Adjourn {
                stage: "convention".into(),
                participant: Some("p1".into()),
                reason: None,
            },
        })
        .expect_err("not on sessions");
    assert_eq!(
        refused,
        Rejection::NotOnSessions {
            stage: "convention".into()
        }
    );
}

#[test]
fn postponing_the_instruction_past_the_last_session_is_refused() {
    let mut state = support::state(EDITION);
    let when = at(&state, date(2025, 2, 3), 10);
    let postpone = |due| Event {
        at: when,
        by: "ana".into(),
        channel: Channel::Cli,
        kind: EventKind::Postpone {
            stage: "instruction".into(),
            participant: Some("p1".into()),
            start: None,
            due: Some(due),
            reason: None,
        },
    };
    let refused = state
        .apply(&postpone(date(2025, 6, 30)))
        .expect_err("no session after 14 July");
    assert!(
        matches!(&refused, Rejection::NoSessionAfter { what, after, .. }
            if what == "vote for p1" && after == "2025-07-15"),
        "{refused:?}"
    );
    // A month later is fine: the vote follows to the next session.
    state
        .apply(&postpone(date(2025, 3, 31)))
        .expect("a later session");
    assert_eq!(window(&state, "vote", "p1").0, date(2025, 4, 14));
}

#[test]
fn an_edition_appends_a_session_to_its_templates_list() {
    let mut state = support::state("tests/fixtures/sessions/appel-autumn.yaml");
    let session = state
        .edition()
        .session("commission-permanente")
        .expect("merged by id");
    assert_eq!(
        session.name, "Commission permanente",
        "kept from the template"
    );
    assert_eq!(session.dates.len(), 6);
    for day in [
        date(2025, 3, 17),
        date(2025, 4, 14),
        date(2025, 5, 19),
        date(2025, 6, 23),
        date(2025, 7, 7),
    ] {
        adjourn(&mut state, day, "p1").expect("a later session");
    }
    assert_eq!(window(&state, "vote", "p1").0, date(2025, 9, 22));
}
