//! Corrections: a void cancels an event recorded by mistake. The state is
//! as if it had never been recorded, what it queued and was not sent is
//! withdrawn (its key free to be queued again), and the log keeps both.

use std::path::Path;

use jalon_core::{Channel, Event, EventKind};
use jalon_runtime::correction::void;
use jalon_runtime::record::{record, RecordError};
use jalon_runtime::replay::replay;
use jalon_runtime::status;
use jalon_store::{Backend, Delivery, SqliteBackend, Store};
use jiff::Timestamp;

mod support;

const DEFINITION: &str = r#"programme:
  id: correction
  name: Programme des corrections
edition:
  id: correction
  name: Édition des corrections
  start: 2025-01-06
  end: 2025-12-19
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
    due: 2025-03-31
    validation: {by: [validation], quorum: 1}
templates:
  - id: t
    subject: "{{ stage }}"
    body: "Bonjour {{ recipient }}"
messages:
  stage_opened: t
  validation_request: t
  validation_refused: t
"#;

fn at(text: &str) -> Timestamp {
    text.parse().expect("an instant")
}

fn act(when: &str, by: &str, kind: EventKind) -> Event {
    Event {
        at: at(when),
        by: by.into(),
        channel: Channel::Cli,
        kind,
    }
}

fn complete() -> EventKind {
    EventKind::Complete {
        stage: "diagnostic".into(),
        participant: None,
        comment: None,
        documents: Vec::new(),
    }
}

fn voiding(seq: i64) -> EventKind {
    EventKind::Void {
        seq,
        reason: "saisi par erreur".into(),
    }
}

fn run<B: Backend>(backend: B, definitions: &Path) {
    let edition = support::edition(definitions, "correction", DEFINITION);
    let now = at("2025-02-20T12:00:00Z");
    let mut store = backend.open().expect("opens");
    let fresh = status::table(
        &replay(edition.clone(), &Default::default()).expect("a state"),
        now,
    );

    // Handed in by mistake: the validation request is queued with it.
    let mistake = record(
        &mut store,
        &edition,
        &act("2025-02-10T09:00:00Z", "ana", complete()),
        now,
    )
    .expect("recorded");
    assert_eq!(
        mistake.enqueued, 2,
        "the opening notice, and the validation request"
    );
    let request = |store: &B::Store| {
        store
            .outbox("correction")
            .expect("outbox")
            .into_iter()
            .filter(|r| r.key.contains("/validation/"))
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(request(&store), vec![Delivery::Pending]);

    // Voided: the state is the fresh one again, the request withdrawn.
    let undone = void(
        &mut store,
        &edition,
        &act("2025-02-11T09:00:00Z", "ana", voiding(mistake.seq)),
        now,
    )
    .expect("voided");
    assert_eq!(undone.recorded.withdrawn, 1);
    assert!(undone.already_sent.is_empty());
    assert_eq!(request(&store), Vec::<Delivery>::new());
    let history = store.history("correction").expect("history");
    assert_eq!(history.events.len(), 2, "the log keeps both");
    assert_eq!(
        status::table(&replay(edition.clone(), &history).expect("replays"), now),
        fresh
    );

    // Handed in for real: the same request is queued again.
    let real = record(
        &mut store,
        &edition,
        &act("2025-02-12T09:00:00Z", "ana", complete()),
        now,
    )
    .expect("recorded");
    assert_eq!(real.enqueued, 1, "the withdrawn key is free again");
    assert_eq!(request(&store), vec![Delivery::Pending]);

    // What cannot be voided, with nothing written.
    let approve = act(
        "2025-02-13T09:00:00Z",
        "vera",
        EventKind::Approve {
            stage: "diagnostic".into(),
            participant: None,
            comment: None,
        },
    );
    record(&mut store, &edition, &approve, now).expect("approved");
    let count = |store: &B::Store| store.history("correction").expect("history").events.len();
    let before = count(&store);
    for (seq, says) in [
        (99, "no event #99"),
        (undone.recorded.seq, "itself a void"),
        (mistake.seq, "already voided"),
        (real.seq, "needs event"),
    ] {
        let refused = void(
            &mut store,
            &edition,
            &act("2025-02-14T09:00:00Z", "ana", voiding(seq)),
            now,
        );
        match refused {
            Err(RecordError::Void(why)) => assert!(why.contains(says), "#{seq}: {why}"),
            other => panic!("#{seq}: {other:?}"),
        }
    }
    assert_eq!(count(&store), before, "nothing written");
}

#[test]
fn a_void_undoes_an_event_withdraws_its_messages_and_keeps_the_log() {
    let dir = tempfile::tempdir().expect("a folder");
    run(
        SqliteBackend::new(dir.path().join("jalon.db")),
        &dir.path().join("definitions"),
    );
}

mod property {
    use std::path::Path;
    use std::sync::Arc;

    use jalon_core::clock::{run_on_time, OnTime};
    use jalon_core::{Channel, Event, EventKind, State};
    use jalon_runtime::correction::void;
    use jalon_runtime::record::record;
    use jalon_runtime::replay::replay;
    use jalon_runtime::{load, status};
    use jalon_store::{Backend, SqliteBackend, Store};
    use jiff::Timestamp;
    use proptest::prelude::*;

    /// The first acts of the real 2024-2025 edition's on-time year.
    fn acts() -> (Arc<jalon_definition::resolved::Edition>, Vec<Event>) {
        let definitions = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../definitions");
        let edition = load::edition(&definitions, "2024-2025").expect("the real edition");
        let mut state = State::new(edition.clone());
        let mut events = run_on_time(&mut state, &OnTime::default(), |_, _| {});
        events.truncate(12);
        (edition, events)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// Voiding an event, then replaying the log, gives the state as if
        /// it had never been recorded — or the void is refused because a
        /// later act needs it, and nothing is written.
        #[test]
        fn voiding_then_replaying_is_never_having_recorded(k in 0..12usize) {
            let (edition, events) = acts();
            let now: Timestamp = "2026-11-29T12:00:00Z".parse().expect("an instant");
            let dir = tempfile::tempdir().expect("a folder");
            let mut voided = SqliteBackend::new(dir.path().join("voided.db")).open().expect("opens");
            let mut never = SqliteBackend::new(dir.path().join("never.db")).open().expect("opens");
            let mut seqs = Vec::new();
            for (n, event) in events.iter().enumerate() {
                seqs.push(record(&mut voided, &edition, event, now).expect("recorded").seq);
                if n != k {
                    // Without it, a later act may not fit: then the void must
                    // be refused too.
                    let _ = record(&mut never, &edition, event, now);
                }
            }
            let cancel = Event {
                at: events.last().expect("acts").at,
                by: "serge-dobel".into(),
                channel: Channel::Cli,
                kind: EventKind::Void { seq: seqs[k], reason: "erreur".into() },
            };
            let before = voided.history("2024-2025").expect("history").events.len();
            let at = events.last().expect("acts").at;
            match void(&mut voided, &edition, &cancel, now) {
                Ok(_) => {
                    let after = replay(edition.clone(), &voided.history("2024-2025").expect("history")).expect("replays");
                    let without = replay(edition.clone(), &never.history("2024-2025").expect("history")).expect("replays");
                    prop_assert_eq!(status::table(&after, at), status::table(&without, at));
                    prop_assert_eq!(never.history("2024-2025").expect("history").events.len(), events.len() - 1);
                }
                Err(_) => {
                    prop_assert_eq!(voided.history("2024-2025").expect("history").events.len(), before);
                    prop_assert!(never.history("2024-2025").expect("history").events.len() < events.len() - 1,
                        "refused although every later act fits without it");
                }
            }
        }
    }
}
