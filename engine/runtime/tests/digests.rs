//! Periodic digests in process, with a fake relay and a virtual clock: a
//! firing is queued and sent once, written from the state when it goes, in
//! the reader's language; a firing that could not go before the next one is
//! recorded expired, never sent late.

use std::path::Path;

use jalon_delivery::DeliveryError;
use jalon_runtime::compose::messages;
use jalon_runtime::replay::replay;
use jalon_runtime::{tick, Clock};
use jalon_store::{Backend, Delivery, SqliteBackend, Store};

mod support;
use support::{Hand, Relay};

const DEFINITION: &str = r#"programme:
  id: points
  name: Programme des points
edition:
  id: points
  name: Édition des points
  start: 2025-01-06
  end: 2025-06-30
time_zone: Europe/Paris
organisations:
  - {id: cd, name: Département, kind: public_body}
people:
  - {id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}
  - {id: ed, name: Ed English, email: ed@example.org, organisation: cd, language: en}
roles:
  - {id: coordination, name: Coordination, kind: coordination, members: [ana, ed]}
stages:
  - id: diagnostic
    kind: needs_diagnosis
    title: Diagnostic des besoins
    owners: [coordination]
    start: edition.start
    due: 2025-01-10
templates:
  - id: t
    subject: "{{ stage }}"
    body: "Bonjour {{ recipient }}"
messages:
  stage_opened: t
digests:
  - {id: hebdo, schedule: "0 8 * * 1", to: [coordination]}
"#;

fn body(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    // Quoted-printable soft breaks and encoded accents are not what the
    // test is about: the subject header and plain ASCII words are.
    text.replace("=\r\n", "")
}

fn run<B: Backend>(backend: B, definitions: &Path) {
    let edition = support::edition(definitions, "points", DEFINITION);
    let templates = messages::templates(&edition).expect("compile");
    let relay = Relay::default();
    let clock = Hand::at("2025-01-13T07:00:00Z");
    let mut dispatcher = support::dispatcher(&relay, &clock, 1);
    let mut store = backend.open().expect("opens");
    let mut tick_now = |store: &mut B::Store| {
        let history = store.history("points").expect("history");
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

    // Monday 13 January, 08:00 Paris: the diagnostic, due on the 10th, is
    // late; each coordinator gets the digest once, in their language.
    let first = tick_now(&mut store);
    let digests = |to: &str| {
        relay
            .delivered_to(to)
            .into_iter()
            .filter(|m| m.key.contains("/digest/"))
            .map(|m| body(&m.bytes))
            .collect::<Vec<_>>()
    };
    let french = digests("ana@example.org");
    assert_eq!(french.len(), 1, "{first:?}");
    assert!(
        french[0].contains("1 en retard, 0 validation en attente"),
        "{}",
        french[0]
    );
    let english = digests("ed@example.org");
    assert_eq!(english.len(), 1);
    assert!(
        english[0].contains("1 late, 0 awaiting validation"),
        "{}",
        english[0]
    );
    assert!(english[0].contains("Late (1)"), "{}", english[0]);
    // The next tick is the next firing at the latest.
    assert!(first.next.is_some_and(|n| n
        <= "2025-01-20T07:00:00Z"
            .parse::<jiff::Timestamp>()
            .expect("an instant")));

    // The same firing again: nothing queued, nothing sent twice.
    let again = tick_now(&mut store);
    assert_eq!(again.report.sent, 0, "{again:?}");
    assert_eq!(digests("ana@example.org").len(), 1);

    // Ana's relay is down at the next firing and stays down past the one
    // after: that digest expires when the fresher one is due, unsent.
    clock.set("2025-01-20T07:00:00Z");
    relay.answer(
        "ana@example.org",
        Err(DeliveryError::Transient("421 down".into())),
    );
    tick_now(&mut store);
    clock.set("2025-01-27T07:00:30Z");
    tick_now(&mut store);
    let rows = store.outbox("points").expect("the outbox");
    let of = |stamp: &str| {
        rows.iter()
            .find(|r| r.key.contains(stamp) && r.recipient == "person:ana")
            .map(|r| r.status)
    };
    assert_eq!(of("2025-01-20T08:00"), Some(Delivery::Expired));
    assert_eq!(of("2025-01-27T08:00"), Some(Delivery::Sent));
    assert_eq!(digests("ana@example.org").len(), 2, "the 20th never went");
    dispatcher.close();
}

#[test]
fn digests_go_once_per_firing_and_expire_rather_than_go_late() {
    let dir = tempfile::tempdir().expect("a folder");
    run(
        SqliteBackend::new(dir.path().join("jalon.db")),
        &dir.path().join("definitions"),
    );
}
