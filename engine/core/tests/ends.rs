//! Editions end: on the four real editions, no message falls due after the
//! edition's last day and its grace, every message has a window after which
//! it is recorded expired rather than sent, and a year replayed in one catch
//! long after the end sends nothing.

mod support;

use jalon_core::clock::{deliver_until, run_on_time, OnTime};
use jalon_core::time::{end_of_day, ANNOUNCEMENT_WINDOW, SENDING_GRACE};
use jalon_core::MessageKind;

const EDITIONS: [&str; 4] = [
    "definitions/editions/2020.yaml",
    "definitions/editions/2021.yaml",
    "definitions/editions/2022-2023.yaml",
    "definitions/editions/2024-2025.yaml",
];

#[test]
fn every_message_has_a_window_that_closes_by_the_end_of_the_edition() {
    for file in EDITIONS {
        let mut state = support::state(file);
        let edition = state.edition().clone();
        let ends = end_of_day(&edition.time_zone, edition.end) + SENDING_GRACE;
        let mut seen = 0;
        run_on_time(&mut state, &OnTime::default(), |_, action| {
            seen += 1;
            let expires = action.expires_at.expect("every message expires");
            assert!(
                action.due_at <= ends,
                "{file}: {} due after the end",
                action.key
            );
            assert!(
                expires <= ends,
                "{file}: {} outlives the edition",
                action.key
            );
            assert!(
                expires >= action.due_at,
                "{file}: {} expires before it is due",
                action.key
            );
            if matches!(
                action.kind,
                MessageKind::SelectionRetained
                    | MessageKind::SelectionNotRetained
                    | MessageKind::DecisionNotice
                    | MessageKind::ValidationRefused
            ) {
                assert!(
                    expires <= action.due_at + ANNOUNCEMENT_WINDOW,
                    "{file}: {} is announced too long",
                    action.key
                );
            }
        });
        assert!(seen > 20, "{file}: {seen} messages");
    }
}

#[test]
fn a_catch_up_long_after_the_end_finds_nothing_worth_sending() {
    for file in EDITIONS {
        let mut state = support::state(file);
        let now: jiff::Timestamp = "2026-11-29T05:20:00Z".parse().expect("an instant");
        let mut worth_sending = Vec::new();
        deliver_until(&mut state, now, |_, action| {
            if action.expires_at.is_none_or(|t| t >= now) {
                worth_sending.push(action.key.to_string());
            }
        });
        assert!(worth_sending.is_empty(), "{file}: {worth_sending:?}");
    }
}

#[test]
fn a_closed_edition_has_nothing_due_and_takes_no_more_events() {
    use jalon_core::{Channel, Event, EventKind, Rejection};
    let mut state = support::state("definitions/editions/2024-2025.yaml");
    let edition = state.edition().clone();
    let day = |d: jiff::civil::Date| {
        jalon_core::time::local(
            &edition.time_zone,
            d,
            jiff::civil::Time::constant(10, 0, 0, 0),
        )
    };
    let close = Event {
        at: day(jiff::civil::date(2024, 9, 2)),
        by: "serge-dobel".into(),
        channel: Channel::Cli,
        kind: EventKind::Close {
            reason: "Édition annulée".into(),
        },
    };
    assert!(state.next_due().is_some(), "an open edition has things due");
    state.apply(&close).expect("closed");
    assert_eq!(state.next_due(), None);
    assert_eq!(state.pending_actions().count(), 0);
    let closure = state.closed().expect("closed");
    assert_eq!(
        (closure.by.as_str(), closure.reason.as_str()),
        ("serge-dobel", "Édition annulée")
    );
    let later = Event {
        at: day(jiff::civil::date(2024, 9, 3)),
        kind: EventKind::Complete {
            stage: "diagnostic".into(),
            participant: None,
            comment: None,
            documents: Vec::new(),
        },
        ..close.clone()
    };
    assert!(matches!(
        state.apply(&later),
        Err(Rejection::EditionClosed { .. })
    ));
    assert!(matches!(
        state.apply(&close),
        Err(Rejection::EditionClosed { .. })
    ));
    // However far the clock goes, nothing falls due.
    let mut due = 0;
    deliver_until(&mut state, day(jiff::civil::date(2030, 1, 1)), |_, _| {
        due += 1
    });
    assert_eq!(due, 0);
}

#[test]
fn an_invitation_ready_at_midnight_goes_at_the_notice_time() {
    let mut state = support::state("definitions/editions/exemple-2027.yaml");
    let edition = state.edition().clone();
    let mut invitations = Vec::new();
    run_on_time(&mut state, &OnTime::default(), |_, action| {
        if action.kind == MessageKind::SeminarInvitation {
            invitations.push(action.due_at.to_zoned(edition.time_zone.clone()));
        }
    });
    let first = invitations
        .iter()
        .min()
        .expect("the example invites to a workshop");
    assert_eq!(
        first.strftime("%Y-%m-%d %H:%M").to_string(),
        "2026-12-07 09:00"
    );
    assert!(invitations
        .iter()
        .all(|at| at.time() >= jalon_core::time::NOTICE_TIME));
}
