//! A relay that fails is not dialled again before its probe: the message
//! that met the failure waits for the probe, the others are not tried, none
//! fails, and once the relay answers everything goes.

use jalon_delivery::DeliveryError;
use jalon_runtime::compose::messages;
use jalon_runtime::replay::replay;
use jalon_runtime::{tick, Clock};
use jalon_store::{Backend, Delivery, SqliteBackend, Store};

mod support;
use support::{Hand, Relay};

const DEFINITION: &str = r#"programme:
  id: relais
  name: Programme du relais
edition:
  id: relais
  name: Édition du relais
  start: 2025-01-06
  end: 2025-03-31
time_zone: Europe/Paris
organisations:
  - {id: cd, name: Département, kind: public_body}
people:
  - {id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}
  - {id: bea, name: Béa Martin, email: bea@example.org, organisation: cd}
  - {id: cyr, name: Cyr Martin, email: cyr@example.org, organisation: cd}
roles:
  - {id: coordination, name: Coordination, kind: coordination, members: [ana, bea, cyr]}
stages:
  - id: diagnostic
    kind: needs_diagnosis
    title: Diagnostic des besoins
    owners: [coordination]
    start: edition.start
    due: 2025-01-31
templates:
  - id: t
    subject: "{{ stage }}"
    body: "Bonjour {{ recipient }}"
messages:
  stage_opened: t
"#;

#[test]
fn the_breaker_stops_dialling_a_failed_relay_until_its_probe() {
    let dir = tempfile::tempdir().expect("a folder");
    let edition = support::edition(&dir.path().join("definitions"), "relais", DEFINITION);
    let templates = messages::templates(&edition).expect("compile");
    let relay = Relay::default();
    let clock = Hand::at("2025-01-06T09:00:00Z");
    let mut dispatcher = support::dispatcher(&relay, &clock, 1);
    let mut store = SqliteBackend::new(dir.path().join("jalon.db"))
        .open()
        .expect("opens");
    let mut tick_now = |store: &mut _| {
        let history = Store::history(store, "relais").expect("history");
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
    let statuses = |store: &jalon_store::SqliteStore| -> Vec<Delivery> {
        store
            .outbox("relais")
            .expect("the outbox")
            .into_iter()
            .map(|r| r.status)
            .collect()
    };

    // Three openings due; the relay refuses the password on the first try.
    for to in ["ana@example.org", "bea@example.org", "cyr@example.org"] {
        relay.answer(to, Err(DeliveryError::Relay("535 bad credentials".into())));
    }
    let first = tick_now(&mut store);
    let down = first.report.relay.clone().expect("the relay is down");
    assert!(down.newly && down.reason.contains("535"), "{down:?}");
    assert_eq!(
        first.report.failed.len(),
        0,
        "no message fails for the relay"
    );
    assert_eq!(
        first.report.retry.len(),
        1,
        "one worker met it, the others were not tried"
    );
    assert_eq!(statuses(&store), vec![Delivery::Pending; 3]);
    assert_eq!(first.next, Some(down.until), "the next wake is the probe");

    // Before the probe: nothing is dialled (the planned failures stay unused).
    clock.set("2025-01-06T09:00:10Z");
    let early = tick_now(&mut store);
    assert!(early.report.relay.as_ref().is_some_and(|d| !d.newly));
    assert_eq!(early.report.retry.len() + early.report.sent, 0);

    // At the probe the relay answers again (its remaining planned failures
    // are used up one by one, then it works): in the end all three go.
    for passes in 0.. {
        assert!(
            passes < 10,
            "the relay is probed with backoff until it works"
        );
        match tick_now(&mut store).next {
            Some(next) => clock.set(&next.max(clock.now()).to_string()),
            None => break,
        }
    }
    for to in ["ana@example.org", "bea@example.org", "cyr@example.org"] {
        assert_eq!(relay.delivered_to(to).len(), 1, "{to}");
    }
    assert_eq!(statuses(&store), vec![Delivery::Sent; 3]);
}

/// More messages than the workers' queue holds, and a relay that goes down
/// at the first: the pass ends (it once waited for ever, its producer
/// blocked on the full queue of workers that had stopped).
#[test]
fn a_relay_down_with_a_long_queue_left_ends_the_pass() {
    let dir = tempfile::tempdir().expect("a folder");
    let people: String = (1..=40)
        .map(|n| {
            format!("  - {{id: p{n:02}, name: Personne {n}, email: p{n:02}@example.org, organisation: cd}}\n")
        })
        .collect();
    let members: Vec<String> = (1..=40).map(|n| format!("p{n:02}")).collect();
    let definition = DEFINITION
        .replace(
            "  - {id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}\n",
            &people,
        )
        .replace(
            "members: [ana, bea, cyr]",
            &format!("members: [{}]", members.join(", ")),
        );
    let edition = support::edition(&dir.path().join("definitions"), "relais", &definition);
    let templates = messages::templates(&edition).expect("compile");
    let relay = Relay::default();
    for n in 1..=40 {
        relay.answer(
            &format!("p{n:02}@example.org"),
            Err(DeliveryError::Relay("421 shutting down".into())),
        );
    }
    let clock = Hand::at("2025-01-06T09:00:00Z");
    let mut dispatcher = support::dispatcher(&relay, &clock, 1);
    let mut store = SqliteBackend::new(dir.path().join("jalon.db"))
        .open()
        .expect("opens");
    let (done, ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let history = Store::history(&store, "relais").expect("history");
        let mut state = replay(edition.clone(), &history).expect("replays");
        let tick = tick::tick(
            &mut store,
            &mut state,
            &templates,
            &mut dispatcher,
            clock.now(),
            None,
        )
        .expect("a tick");
        let _ = done.send(tick.report.relay.is_some());
    });
    let down = ended
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the pass ends");
    assert!(down, "the relay is taken for down");
}
