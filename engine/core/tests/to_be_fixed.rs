//! Dates `à fixer`: a stage whose day is not known when the edition is
//! planned waits, and so do the dates written from it; its owners are
//! reminded to fix it; a postponement fixes it, and what follows moves.

mod support;

use jalon_core::clock::deliver_until;
use jalon_core::{Channel, Detail, Event, EventKind, MessageKind, State};
use jiff::civil::{date, Date, Time};
use jiff::Timestamp;

const EDITION: &str = "tests/fixtures/to-be-fixed/restitution.yaml";

fn at(state: &State, day: Date, hour: i8) -> Timestamp {
    jalon_core::time::local(
        &state.edition().time_zone,
        day,
        Time::constant(hour, 0, 0, 0),
    )
}

fn window(state: &State, stage: &str, participant: Option<&str>) -> jalon_core::windows::Window {
    let s = state.ids().stages[stage];
    let p = participant.map(|p| state.ids().participants[p]);
    state.instance_of(s, p).expect("the instance").window
}

/// (kind, stage id, local day) of every pending action.
fn pending(state: &State) -> Vec<(MessageKind, String, Date)> {
    let tz = &state.edition().time_zone;
    state
        .pending_actions()
        .map(|a| {
            (
                a.kind,
                state.edition().stages[a.stage].id.clone(),
                a.due_at.to_zoned(tz.clone()).date(),
            )
        })
        .collect()
}

fn fix(state: &mut State, when: Timestamp, start: Option<Date>, due: Option<Date>) {
    deliver_until(state, when, |_, _| {});
    state
        .apply(&Event {
            at: when,
            by: "ana".into(),
            channel: Channel::Cli,
            kind: EventKind::Postpone {
                stage: "restitution".into(),
                participant: None,
                start,
                due,
                reason: None,
            },
        })
        .expect("the date is fixed");
}

#[test]
fn a_date_to_be_fixed_waits_with_what_follows_and_reminds_its_owners() {
    let state = support::state(EDITION);
    assert!(window(&state, "restitution", None).to_be_fixed);
    // Written from the restitution's day: unknown too, for each laureate.
    assert!(window(&state, "synthese", Some("p1")).to_be_fixed);
    assert!(window(&state, "synthese", Some("p2")).to_be_fixed);
    assert!(!window(&state, "immersion", Some("p1")).to_be_fixed);
    let restitution: Vec<_> = pending(&state)
        .into_iter()
        .filter(|(_, stage, _)| stage != "immersion")
        .collect();
    // Nothing opens or invites; the coordination is reminded ten working
    // days before 1 September, then on the day.
    assert_eq!(
        restitution,
        vec![
            (
                MessageKind::DateToFix,
                "restitution".to_owned(),
                date(2025, 8, 18)
            ),
            (
                MessageKind::DateToFix,
                "restitution".to_owned(),
                date(2025, 9, 1)
            ),
        ]
    );
    // No one is late on a day nobody knows.
    let s = state.ids().stages["restitution"];
    let instance = state.instance_of(s, None).expect("the instance");
    let far = at(&state, date(2025, 12, 19), 23);
    assert!(!state.lifecycle(instance, far).1);
}

fn immersions_done(state: &mut State) {
    let when = at(state, date(2025, 3, 27), 10);
    deliver_until(state, when, |_, _| {});
    for p in ["p1", "p2"] {
        state
            .apply(&Event {
                at: when,
                by: "ana".into(),
                channel: Channel::Cli,
                kind: EventKind::Complete {
                    stage: "immersion".into(),
                    participant: Some(p.into()),
                    comment: None,
                    documents: Vec::new(),
                },
            })
            .expect("done");
    }
}

#[test]
fn fixing_the_date_opens_the_way_and_the_dates_written_from_it_follow() {
    let mut state = support::state(EDITION);
    immersions_done(&mut state);
    // Its needs done, it still waits for its day.
    assert!(!pending(&state)
        .iter()
        .any(|(k, stage, _)| stage == "restitution" && *k != MessageKind::DateToFix));
    // The first reminder went; the day is fixed two days later.
    let mut sent = Vec::new();
    let reminded = at(&state, date(2025, 8, 19), 9);
    deliver_until(&mut state, reminded, |_, a| sent.push(a.kind));
    assert!(sent.contains(&MessageKind::DateToFix));
    let fixed = at(&state, date(2025, 8, 20), 10);
    fix(&mut state, fixed, None, Some(date(2025, 10, 16)));
    let restitution = window(&state, "restitution", None);
    assert!(!restitution.to_be_fixed);
    assert_eq!(
        (restitution.start, restitution.due),
        (date(2025, 4, 1), date(2025, 10, 16))
    );
    for p in ["p1", "p2"] {
        let synthese = window(&state, "synthese", Some(p));
        assert!(!synthese.to_be_fixed, "{p}");
        assert_eq!(
            (synthese.start, synthese.due),
            (date(2025, 9, 18), date(2025, 10, 2)),
            "{p}"
        );
    }
    let after = pending(&state);
    // The reminder on the day is withdrawn, the invitation goes now, and
    // the laureates' summaries open on their new start.
    assert!(!after.iter().any(|(k, ..)| *k == MessageKind::DateToFix));
    let invitation = state
        .pending_actions()
        .find(|a| a.kind == MessageKind::SeminarInvitation)
        .expect("an invitation to the restitution");
    assert!(
        matches!(invitation.detail, Detail::Invitation { .. }),
        "{:?}",
        invitation.detail
    );
    // Nothing was announced before, so nothing is said to be replaced.
    let s = state.ids().stages["restitution"];
    let instance = state.instance_of(s, None).expect("the instance");
    assert!(instance.postponed_from.is_none());
    assert!(after.contains(&(
        MessageKind::StageOpened,
        "synthese".to_owned(),
        date(2025, 9, 18)
    )));
}

#[test]
fn a_stage_stays_to_be_fixed_until_every_unknown_date_is_given() {
    let mut state = support::state(EDITION);
    // Its start was known already: moving it leaves the due date unknown.
    let moved = at(&state, date(2025, 3, 3), 10);
    fix(&mut state, moved, Some(date(2025, 4, 7)), None);
    assert!(window(&state, "restitution", None).to_be_fixed);
    assert!(window(&state, "synthese", Some("p1")).to_be_fixed);
    assert!(pending(&state)
        .iter()
        .any(|(k, ..)| *k == MessageKind::DateToFix));
}
