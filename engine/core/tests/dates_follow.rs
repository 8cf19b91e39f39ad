//! Dates follow: postponing one laureate's stage moves that laureate's
//! dates written from it, transitively, and no one else's; a start written
//! from `needs.done` follows when the needs were actually done.

mod support;

use jalon_core::clock::deliver_until;
use jalon_core::{Channel, Event, EventKind, State};
use jiff::civil::{date, Date, Time};
use jiff::Timestamp;

const EDITION: &str = "tests/fixtures/dates/follow.yaml";

fn at(state: &State, day: Date, hour: i8) -> Timestamp {
    jalon_core::time::local(
        &state.edition().time_zone,
        day,
        Time::constant(hour, 0, 0, 0),
    )
}

fn record(state: &mut State, when: Timestamp, kind: EventKind) {
    // What falls due before the act goes first, as the runtime does.
    deliver_until(state, when, |_, _| {});
    let event = Event {
        at: when,
        by: "ana".into(),
        channel: Channel::Cli,
        kind,
    };
    state.apply(&event).expect("the event is allowed");
}

/// (start, due) of a stage for a participant.
fn window(state: &State, stage: &str, participant: &str) -> (Date, Date) {
    let s = state.ids().stages[stage];
    let p = state.ids().participants[participant];
    let instance = state.instance_of(s, Some(p)).expect("the instance");
    (instance.window.start, instance.window.due)
}

#[test]
fn postponing_a_laureates_stage_moves_their_later_dates_transitively_and_only_theirs() {
    let mut state = support::state(EDITION);
    let before = |state: &State, who| {
        [
            window(state, "convention", who),
            window(state, "rapport", who),
            window(state, "immersion", who),
        ]
    };
    let planned = before(&state, "p1");
    assert_eq!(planned, before(&state, "p2"));
    let when = at(&state, date(2025, 3, 10), 10);
    record(
        &mut state,
        when,
        EventKind::Postpone {
            stage: "feuille-de-route".into(),
            participant: Some("p1".into()),
            start: None,
            due: Some(date(2025, 4, 11)),
            reason: Some("ajournée".into()),
        },
    );
    // p1: the agreement from the working day after the new due date, for
    // 15 working days (Easter Monday and 1 May off); the report and the
    // immersion from the agreement's planned end (8 May is off too).
    assert_eq!(
        window(&state, "convention", "p1"),
        (date(2025, 4, 14), date(2025, 5, 7))
    );
    assert_eq!(window(&state, "rapport", "p1").0, date(2025, 5, 9));
    assert_eq!(window(&state, "immersion", "p1").0, date(2025, 5, 9));
    // p2: as planned.
    assert_eq!(before(&state, "p2"), planned);
}

#[test]
fn finishing_early_brings_what_follows_completion_forward_for_that_laureate() {
    let mut state = support::state(EDITION);
    let planned = window(&state, "immersion", "p1");
    assert_eq!(planned.0, date(2025, 4, 8));
    let complete = |stage: &str, who: &str| EventKind::Complete {
        stage: stage.into(),
        participant: Some(who.into()),
        comment: None,
        documents: Vec::new(),
    };
    let day = |d| at(&state, d, 16);
    let (roadmap, signed) = (day(date(2025, 3, 12)), day(date(2025, 3, 20)));
    record(&mut state, roadmap, complete("feuille-de-route", "p1"));
    record(&mut state, signed, complete("convention", "p1"));
    // Signed on Thursday 20 March: the immersion starts the next working
    // day, and its due date (written from its start) follows.
    assert_eq!(
        window(&state, "immersion", "p1"),
        (date(2025, 3, 21), date(2025, 4, 18))
    );
    // The report is written from the agreement's due date, not from its
    // completion: it stays.
    assert_eq!(window(&state, "rapport", "p1").0, date(2025, 4, 8));
    assert_eq!(window(&state, "immersion", "p2"), planned);
    // Its opening is now due the day after signing, at the notice time.
    let s = state.ids().stages["immersion"];
    let p1 = state.ids().participants["p1"];
    let instance = state.instance_of(s, Some(p1)).expect("the instance");
    assert_eq!(
        state.open_at(instance),
        Some(at(&state, date(2025, 3, 21), 9))
    );
}

#[test]
fn finishing_late_pushes_what_follows_completion_back() {
    let mut state = support::state(EDITION);
    let complete = |stage: &str| EventKind::Complete {
        stage: stage.into(),
        participant: Some("p2".into()),
        comment: None,
        documents: Vec::new(),
    };
    let (roadmap, signed) = (
        at(&state, date(2025, 3, 14), 16),
        at(&state, date(2025, 4, 30), 11),
    );
    record(&mut state, roadmap, complete("feuille-de-route"));
    record(&mut state, signed, complete("convention"));
    assert_eq!(
        window(&state, "immersion", "p2"),
        (date(2025, 5, 2), date(2025, 6, 3)),
        "1 May is a holiday: the next working day is Friday 2 May; then 20 working days \
         (8 and 29 May off)"
    );
}
