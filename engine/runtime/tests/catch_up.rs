//! A catch-up after downtime sends nothing stale: a reminder waiting for
//! its retry is dropped once the work is handed in, a validation request
//! once the approval is given, and an edition past its end sends nothing.

use std::path::Path;

use jalon_core::{Channel, Event, EventKind};
use jalon_delivery::DeliveryError;
use jalon_runtime::compose::messages;
use jalon_runtime::record::record;
use jalon_runtime::replay::replay;
use jalon_runtime::{tick, Clock};
use jalon_store::{Backend, Delivery, SqliteBackend, Store};
use jiff::SignedDuration;

mod support;
use support::{Hand, Relay};

const DEFINITION: &str = r#"programme:
  id: reprise
  name: Programme de la reprise
edition:
  id: reprise
  name: Édition de la reprise
  start: 2025-01-06
  end: 2025-03-31
time_zone: Europe/Paris
organisations:
  - {id: cd, name: Département, kind: public_body}
people:
  - {id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}
  - {id: vera, name: Véra Valide, email: vera@example.org, organisation: cd}
roles:
  - {id: coordination, name: Coordination, kind: coordination, members: [ana]}
  - {id: validation, name: Validation, kind: management, members: [vera]}
stages:
  - id: diagnostic
    kind: needs_diagnosis
    title: Diagnostic des besoins
    owners: [coordination]
    start: edition.start
    due: 2025-01-31
    reminders:
      - when: due - 5 days
    validation: {by: [validation], quorum: 1}
templates:
  - id: t
    subject: "{{ stage }}"
    body: "Bonjour {{ recipient }}"
messages:
  stage_opened: t
  reminder: t
  validation_request: t
  validation_refused: t
"#;

fn event(at: jiff::Timestamp, by: &str, kind: EventKind) -> Event {
    Event {
        at,
        by: by.into(),
        channel: Channel::Cli,
        kind,
    }
}

fn status<S: Store>(store: &S, part: &str) -> Vec<Delivery> {
    store
        .outbox("reprise")
        .expect("the outbox")
        .into_iter()
        .filter(|r| r.key.contains(part))
        .map(|r| r.status)
        .collect()
}

fn run<B: Backend>(backend: B, definitions: &Path) {
    let edition = support::edition(definitions, "reprise", DEFINITION);
    let templates = messages::templates(&edition).expect("compile");
    let relay = Relay::default();
    let clock = Hand::at("2025-01-06T09:00:00Z");
    let mut dispatcher = support::dispatcher(&relay, &clock, 1);
    let mut store = backend.open().expect("opens");
    let mut tick_now = |store: &mut B::Store| {
        let history = store.history("reprise").expect("history");
        let mut state = replay(edition.clone(), &history).expect("replays");
        tick::tick(
            store,
            &mut state,
            &templates,
            &mut dispatcher,
            clock.now(),
            None,
        )
        .expect("a tick")
    };

    // The stage opens and Ana is told.
    let opened = tick_now(&mut store);
    assert_eq!(opened.report.sent, 1, "{opened:?}");
    // The reminder falls due while the relay is down: it waits for a retry.
    clock.set("2025-01-27T08:00:00Z");
    relay.answer(
        "ana@example.org",
        Err(DeliveryError::Transient("421".into())),
    );
    let first = tick_now(&mut store);
    assert_eq!(first.report.retry.len(), 1, "{first:?}");
    // Ana hands the work in meanwhile; the retry finds nothing to remind.
    let handed_in = event(
        clock.now() + SignedDuration::from_mins(5),
        "ana",
        EventKind::Complete {
            stage: "diagnostic".into(),
            participant: None,
            comment: None,
            documents: Vec::new(),
        },
    );
    clock.set(&(clock.now() + SignedDuration::from_mins(10)).to_string());
    record(&mut store, &edition, &handed_in, clock.now()).expect("recorded");
    relay.answer(
        "vera@example.org",
        Err(DeliveryError::Transient("421".into())),
    );
    clock.set(&(clock.now() + SignedDuration::from_hours(3)).to_string());
    let retried = tick_now(&mut store);
    assert_eq!(
        status(&store, "reminder"),
        vec![Delivery::Expired],
        "{retried:?}"
    );
    assert_eq!(
        relay.delivered_to("ana@example.org").len(),
        1,
        "the opening only"
    );
    let reminder = &retried.report.expired_keys[0];
    let said = store.attempts(reminder).expect("its attempts");
    let why = said.last().and_then(|(_, _, detail)| detail.clone());
    assert_eq!(
        why.as_deref(),
        Some("the work was handed in since it was queued")
    );
    // The validation request waits for its retry; Véra approves by another
    // way meanwhile; the retry finds nothing to ask.
    assert_eq!(status(&store, "validation"), vec![Delivery::Pending]);
    let approved = event(
        clock.now(),
        "vera",
        EventKind::Approve {
            stage: "diagnostic".into(),
            participant: None,
            comment: None,
        },
    );
    record(&mut store, &edition, &approved, clock.now()).expect("recorded");
    clock.set(&(clock.now() + SignedDuration::from_hours(3)).to_string());
    tick_now(&mut store);
    assert_eq!(status(&store, "validation"), vec![Delivery::Expired]);
    assert!(relay.delivered_to("vera@example.org").is_empty());

    // Long after the edition's end, a tick queues and sends nothing.
    clock.set("2026-11-29T05:20:00Z");
    let late = tick_now(&mut store);
    assert_eq!(late.queued, 0, "{late:?}");
    assert_eq!(late.report.sent, 0);
    assert_eq!(late.next, None, "an ended edition needs no more ticks");
    dispatcher.close();
}

#[test]
fn a_catch_up_sends_nothing_stale() {
    let dir = tempfile::tempdir().expect("a folder");
    run(
        SqliteBackend::new(dir.path().join("jalon.db")),
        &dir.path().join("definitions"),
    );
}
