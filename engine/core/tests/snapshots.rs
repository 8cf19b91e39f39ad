//! A snapshot of a state, restored and followed by the rest of the events,
//! is the state the whole log gives; a snapshot that does not fit is
//! refused, never trusted.

#[path = "../../bench_support/editions.rs"]
mod editions;
#[path = "support/generated.rs"]
mod generated;
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use jalon_core::clock::{run_on_time, OnTime};
use jalon_core::{Application, Channel, Event, EventKind, SnapshotError, State, SNAPSHOT_FORMAT};
use jalon_definition::resolved::Edition;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;

use generated::{load, moves, observe, run, spec};

fn fold(edition: &Arc<Edition>, events: &[Event]) -> State {
    let mut state = State::new(edition.clone());
    for event in events {
        state
            .apply(event)
            .expect("an accepted event is accepted again");
    }
    state
}

/// The first `cut` events folded, snapshotted, restored, then the rest.
fn through_snapshot(edition: &Arc<Edition>, events: &[Event], cut: usize) -> State {
    let bytes = fold(edition, &events[..cut]).snapshot();
    let mut state = State::restore(edition.clone(), &bytes).expect("its own snapshot restores");
    for event in &events[cut..] {
        state.apply(event).expect("the rest applies");
    }
    state
}

/// Everything a caller can see of a state: the snapshot's bytes (all that
/// events produced, sets sorted), the pending actions and each instance,
/// what is due and when next.
fn same(a: &State, b: &State, now: Timestamp) -> Result<(), TestCaseError> {
    prop_assert_eq!(observe(a), observe(b));
    prop_assert!(a.snapshot() == b.snapshot(), "the snapshots differ");
    prop_assert_eq!(a.due_actions(now), b.due_actions(now));
    prop_assert_eq!(a.next_due(), b.next_due());
    prop_assert_eq!(a.events_applied(), b.events_applied());
    prop_assert_eq!(a.closed(), b.closed());
    Ok(())
}

fn close(at: Timestamp) -> Event {
    Event {
        at,
        by: "ana".into(),
        channel: Channel::Cli,
        kind: EventKind::Close {
            reason: "Promotion terminée".into(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the edition, the history and where the snapshot falls, the
    /// snapshot and the events after it give the state of the whole fold,
    /// and sent keys recorded afterwards leave the same pending actions.
    #[test]
    fn snapshot_then_tail_is_the_whole_fold(
        spec in spec(), moves in moves(), cut in 0usize..100, closed in any::<bool>()
    ) {
        let edition = load(&spec);
        let played = run(edition.clone(), &moves);
        let mut events = played.accepted;
        let end = events.last().map_or(Timestamp::UNIX_EPOCH, |e| e.at);
        if closed {
            events.push(close(end));
        }
        let cut = cut.min(events.len());
        let mut whole = fold(&edition, &events);
        let mut restored = through_snapshot(&edition, &events, cut);
        same(&whole, &restored, end)?;
        for (_, action) in &played.delivered {
            whole.record_sent(&action.key);
            restored.record_sent(&action.key);
        }
        same(&whole, &restored, end.checked_add((24 * 400).hours()).expect("instant"))?;
    }

    /// Bytes damaged anywhere are refused, never a panic nor a wrong state
    /// taken for the right one.
    #[test]
    fn damaged_snapshots_are_refused(spec in spec(), moves in moves(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let edition = load(&spec);
        let state = run(edition.clone(), &moves).state;
        let mut bytes = state.snapshot();
        let n = at.index(bytes.len());
        bytes[n] ^= 1 << bit;
        prop_assert!(State::restore(edition, &bytes).is_err());
    }
}

#[test]
fn the_real_year_and_applications_survive_a_snapshot() {
    // The Val d'Oise edition's on-time year, cut in three places.
    let edition = support::edition("definitions/editions/2024-2025.yaml");
    let mut state = State::new(edition.clone());
    let events = run_on_time(&mut state, &OnTime::default(), |_, _| {});
    assert!(events.len() > 20, "a real year: {}", events.len());
    let end = events.last().expect("events").at;
    let whole = fold(&edition, &events);
    for cut in [1, events.len() / 2, events.len()] {
        let restored = through_snapshot(&edition, &events, cut);
        same(&whole, &restored, end).expect("the same state");
    }

    // Applicants join the edition as they applied, then amended.
    let edition = support::edition("tests/fixtures/call/appel.yaml");
    let opened = jalon_core::time::local(
        &edition.time_zone,
        jiff::civil::date(2027, 1, 11),
        jiff::civil::Time::constant(10, 0, 0, 0),
    );
    let application = |name: &str, email: &str| Application {
        name: name.into(),
        organisation: "Zoé & Cie".into(),
        description: "Un projet pour les proches aidants du département.".into(),
        theme: Some("aidants".into()),
        contact_name: "Zoé Porteuse".into(),
        contact_email: email.into(),
        language: None,
        answers: BTreeMap::from([
            ("effectif".into(), "12".into()),
            ("statut".into(), "Association".into()),
            ("finance".into(), "no".into()),
        ]),
    };
    let act = |hours: i64, kind: EventKind| Event {
        at: opened.checked_add(hours.hours()).expect("instant"),
        by: "zoe@example.org".into(),
        channel: Channel::Web,
        kind,
    };
    let events = vec![
        act(
            0,
            EventKind::Apply {
                participant: "cafe-zoe".into(),
                application: application("Café Zoé", "zoe@example.org"),
            },
        ),
        act(
            1,
            EventKind::Apply {
                participant: "cafe-zoe-bis".into(),
                application: application("Café Zoé bis", "zoe@example.org"),
            },
        ),
        act(
            2,
            EventKind::Amend {
                participant: "cafe-zoe".into(),
                application: application("Le Café de Zoé", "contact@cafe-zoe.example.org"),
            },
        ),
    ];
    let whole = fold(&edition, &events);
    let p = whole.ids().participants["cafe-zoe"];
    assert_eq!(whole.edition().participants[p].name, "Le Café de Zoé");
    for cut in 0..=events.len() {
        let restored = through_snapshot(&edition, &events, cut);
        same(&whole, &restored, opened).expect("the same state");
        assert_eq!(
            format!("{:?}", restored.edition().participants),
            format!("{:?}", whole.edition().participants)
        );
    }
}

#[test]
fn a_large_edition_survives_a_snapshot_restored_on_every_core() {
    // 1,000 laureates: more instances and pending actions than one run of
    // the snapshot holds, so the runs are decoded on several threads and
    // must come back in order.
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::copy(
        root.join("definitions/programmes/val-doise.yaml"),
        dir.path().join("val-doise.yaml"),
    )
    .expect("the template copied");
    let path = dir.path().join("large.yaml");
    let yaml = editions::edition(
        std::path::Path::new("val-doise.yaml"),
        "large",
        "2024-06-03",
        "2025-09-30",
        "2024-11-25",
        1_000,
    );
    std::fs::write(&path, yaml).expect("written");
    let edition = editions::checked(&path);
    let mut scratch = State::new(edition.clone());
    let events = run_on_time(&mut scratch, &OnTime::default(), |_, _| {});
    let end = events.last().expect("events").at;
    let whole = fold(&edition, &events);
    let cuts = [events.len() / 3, 2 * events.len() / 3, events.len()];
    for cut in cuts {
        let before = fold(&edition, &events[..cut]);
        assert!(
            before.pending_actions().count() > 4096,
            "{} pending actions at {cut}: fewer than a run",
            before.pending_actions().count()
        );
        let restored = through_snapshot(&edition, &events, cut);
        same(&whole, &restored, end).expect("the same state");
    }
    // And with the keys sent, as a load marks them from the outbox.
    let mut sent = scratch;
    let restored = State::restore(edition.clone(), &sent.snapshot()).expect("restores");
    same(&sent, &restored, end).expect("the same state");
    sent.record_sent("no/such/key");
    assert!(sent.snapshot() != restored.snapshot());
}

#[test]
fn a_snapshot_that_does_not_fit_is_refused() {
    let edition = support::edition("definitions/editions/2024-2025.yaml");
    let mut state = State::new(edition.clone());
    run_on_time(&mut state, &OnTime::default(), |_, _| {});
    let bytes = state.snapshot();

    // Made under another definition version.
    let mut other = (*edition).clone();
    other.version = "another".into();
    assert!(matches!(
        State::restore(Arc::new(other), &bytes),
        Err(SnapshotError::Version { .. })
    ));
    // Of another format (an older build's), or not a snapshot at all.
    let mut older = bytes.clone();
    older[4..6].copy_from_slice(&(SNAPSHOT_FORMAT - 1).to_le_bytes());
    assert!(matches!(
        State::restore(edition.clone(), &older),
        Err(SnapshotError::Format { .. })
    ));
    for bad in [&b""[..], b"JSNP", b"{\"json\": true}"] {
        assert!(matches!(
            State::restore(edition.clone(), bad),
            Err(SnapshotError::NotASnapshot)
        ));
    }
    // Cut short.
    assert!(State::restore(edition.clone(), &bytes[..bytes.len() / 2]).is_err());
    // And the whole one restores.
    assert!(State::restore(edition, &bytes).is_ok());
}
