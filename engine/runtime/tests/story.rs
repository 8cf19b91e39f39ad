//! One story of an edition against the world, run in process with a fake
//! deliverer and a virtual clock, through the same function for every
//! store backend (SQLite here; PostgreSQL joins by adding its backend to
//! [`every_backend`]): a human act recorded, what it makes due queued and
//! dispatched, a temporary failure retried, a final one told to the
//! coordinator, a stale reminder expired, an answer through a link recorded
//! once, and a reload that would orphan progress refused.

use std::path::Path;
use std::sync::Arc;

mod support;
use support::{Hand, Relay};

use jalon_core::{Channel, Event, EventKind, Rejection};
use jalon_delivery::DeliveryError;
use jalon_runtime::compose::messages;
use jalon_runtime::dispatch::Dispatcher;
use jalon_runtime::links::{token_hash, Key, Links, KEY_LEN};
use jalon_runtime::record::{record, record_by_link, LinkAnswer, RecordError};
use jalon_runtime::replay::replay;
use jalon_runtime::{load, tick, Clock};
use jalon_store::{Backend, Claim, Database, Delivery, SqliteBackend, Store};
use jiff::SignedDuration;

fn definition(with_reminder_stage: bool) -> String {
    let extra = if with_reminder_stage {
        r#"  - id: feuille-de-route
    kind: seminar
    title: Feuille de route
    owners: [coordination]
    needs: [diagnostic]
    start: 2025-03-10
    due: 2025-03-21
    reminders:
      - when: due - 5 days
"#
    } else {
        ""
    };
    format!(
        r#"programme:
  id: histoire
  name: Programme de l'histoire
edition:
  id: histoire
  name: Édition de l'histoire
  start: 2025-01-06
  end: 2025-12-31
time_zone: Europe/Paris
organisations:
  - {{id: cd, name: Département, kind: public_body}}
people:
  - {{id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}}
  - {{id: vera, name: Véra Valide, email: vera@example.org, organisation: cd}}
  - {{id: bob, name: Bob Absent, email: bob@example.org, organisation: cd}}
roles:
  - {{id: coordination, name: Coordination, kind: coordination, members: [ana]}}
  - {{id: validation, name: Validation, kind: management, members: [vera]}}
  - {{id: suivi, name: Suivi, kind: management, members: [bob]}}
stages:
  - id: diagnostic
    kind: needs_diagnosis
    title: Diagnostic des besoins
    owners: [coordination, suivi]
    start: edition.start
    due: start + 60 days
    validation: {{by: [validation], quorum: 1}}
{extra}templates:
  - id: t
    subject: "{{{{ stage }}}}"
    body: "Bonjour {{{{ recipient }}}} : {{{{ stage }}}} {{{{ approve_link }}}}"
messages:
  stage_opened: t
  reminder: t
  validation_request: t
  validation_refused: t
"#
    )
}

fn write_definition(dir: &Path, with_reminder_stage: bool) {
    std::fs::create_dir_all(dir).expect("a folder");
    std::fs::write(dir.join("histoire.yaml"), definition(with_reminder_stage)).expect("written");
}

fn status_of<S: Store>(store: &S, key_part: &str) -> Vec<(String, Delivery, u32)> {
    store
        .outbox("histoire")
        .expect("the outbox")
        .into_iter()
        .filter(|e| e.key.contains(key_part))
        .map(|e| (e.key, e.status, e.attempts))
        .collect()
}

/// The story, on one backend.
fn story<B: Backend>(backend: B, definitions: &Path) {
    write_definition(definitions, true);
    let edition = load::edition(definitions, "histoire").expect("the edition loads");
    let templates = messages::templates(&edition).expect("templates compile");
    let relay = Relay::default();
    let clock = Hand::at("2025-01-06T08:00:00Z");
    let for_workers = relay.clone();
    let mut dispatcher = Dispatcher::with_connector(Arc::new(clock.clone()), 2, None, move || {
        for_workers.clone()
    })
    .expect("a dispatcher");
    let key = Key::from_bytes(&[7; KEY_LEN]);
    dispatcher.links = Some(Arc::new(
        Links::new("https://jalon.example.org", key).expect("links"),
    ));
    let mut store = backend.open().expect("the store opens");
    let state_now = |store: &B::Store| {
        let history = store.history("histoire").expect("the history");
        replay(edition.clone(), &history).expect("replays")
    };

    // The edition opens: Ana and Bob are told; Bob's relay says 4xx once.
    relay.answer(
        "bob@example.org",
        Err(DeliveryError::Transient("451 later".into())),
    );
    let mut state = state_now(&store);
    let first = tick::tick(
        &mut store,
        &mut state,
        &templates,
        &mut dispatcher,
        clock.now(),
        None,
    )
    .expect("a tick");
    assert_eq!(first.queued, 2, "{first:?}");
    assert_eq!(first.report.sent, 1);
    assert_eq!(first.report.retry.len(), 1);
    let retry_at = first.report.retry[0].1;
    assert!(retry_at > clock.now(), "a retry waits");
    assert_eq!(first.next, Some(retry_at), "the next tick is the retry");
    assert_eq!(relay.delivered_to("ana@example.org").len(), 1);
    let bob = status_of(&store, "person:bob");
    assert_eq!(bob[0].1, Delivery::Pending);
    assert_eq!(bob[0].2, 1, "one attempt recorded");

    // Before its retry instant nothing goes; after it, it does.
    let again = tick::tick(
        &mut store,
        &mut state,
        &templates,
        &mut dispatcher,
        clock.now(),
        None,
    )
    .expect("a tick");
    assert_eq!(again.report.sent + again.report.retry.len(), 0);
    clock.set(&(retry_at + SignedDuration::from_secs(1)).to_string());
    let retried = tick::tick(
        &mut store,
        &mut state,
        &templates,
        &mut dispatcher,
        clock.now(),
        None,
    )
    .expect("a tick");
    assert_eq!(retried.report.sent, 1);
    assert_eq!(relay.delivered_to("bob@example.org").len(), 1);

    // Ana hands the diagnostic in: the validation request is queued with
    // the event, in one write.
    clock.set("2025-02-03T09:00:00Z");
    let done = Event {
        at: clock.now(),
        by: "ana".into(),
        channel: Channel::Cli,
        kind: EventKind::Complete {
            stage: "diagnostic".into(),
            participant: None,
            comment: None,
            documents: Vec::new(),
        },
    };
    let recorded = record(&mut store, &edition, &done, clock.now()).expect("recorded");
    assert_eq!(recorded.enqueued, 1, "the validation request");
    // The same act again is refused by the core, and nothing is written.
    let twice = record(&mut store, &edition, &done, clock.now());
    assert!(matches!(twice, Err(RecordError::Refused(_))), "{twice:?}");
    assert_eq!(store.history("histoire").expect("history").events.len(), 1);
    // An act dated a year ahead (a typo in --at) is refused, not recorded:
    // it would hold back every later event.
    let ahead = Event {
        at: clock.now() + SignedDuration::from_hours(365 * 24),
        ..done.clone()
    };
    let refused = record(&mut store, &edition, &ahead, clock.now());
    assert!(
        matches!(refused, Err(RecordError::Future { .. })),
        "{refused:?}"
    );
    assert_eq!(store.history("histoire").expect("history").events.len(), 1);

    // Véra's relay refuses for good: the coordinator is told in the same
    // tick; the validation link was kept before the send.
    relay.answer(
        "vera@example.org",
        Err(DeliveryError::Permanent("550 no such user".into())),
    );
    let mut state = state_now(&store);
    let failed = tick::tick(
        &mut store,
        &mut state,
        &templates,
        &mut dispatcher,
        clock.now(),
        None,
    )
    .expect("a tick");
    assert_eq!(failed.report.failed.len(), 1, "{failed:?}");
    assert_eq!(failed.report.failed[0].1, "person:vera");
    let notices = failed.notices.expect("a second round for the notice");
    assert_eq!(notices.sent, 1);
    let told = relay.delivered_to("ana@example.org");
    let notice = String::from_utf8_lossy(&told.last().expect("a notice").bytes).into_owned();
    assert!(notice.contains("550 no such user"), "{notice}");
    let request: Vec<_> = status_of(&store, "validation")
        .into_iter()
        .filter(|(key, _, _)| key.ends_with("person:vera"))
        .collect();
    assert_eq!(request.len(), 1);
    assert_eq!(request[0].1, Delivery::Failed);

    // Véra answers through her link all the same (the coordinator forwarded
    // it): recorded once, with the link marked used.
    let request_key = &request[0].0;
    let link_key = Key::from_bytes(&[7; KEY_LEN]);
    let token = link_key.token(request_key);
    let stored = store
        .link(&token_hash(&token))
        .expect("readable")
        .expect("the link was kept before the send");
    assert_eq!(stored.link.person, "vera");
    let claim = Claim {
        token_hash: stored.link.token_hash.clone(),
        answer: "approve".into(),
        at: clock.now(),
    };
    let approve = Event {
        at: clock.now(),
        by: "vera".into(),
        channel: Channel::Link,
        kind: EventKind::Approve {
            stage: "diagnostic".into(),
            participant: None,
            comment: None,
        },
    };
    let always = |_: &jalon_core::State| Ok(());
    let answered =
        record_by_link(&mut store, &edition, &claim, &approve, &always).expect("recorded");
    assert!(matches!(answered, LinkAnswer::Recorded(_)), "{answered:?}");
    // A second answer writes nothing (the stage is done, the link used).
    let again = record_by_link(&mut store, &edition, &claim, &approve, &always);
    assert!(
        matches!(
            again,
            Ok(LinkAnswer::Used(_)) | Err(RecordError::Refused(_))
        ),
        "{again:?}"
    );
    let used = store
        .link(&claim.token_hash)
        .expect("readable")
        .expect("kept");
    assert_eq!(used.used.map(|u| u.answer).as_deref(), Some("approve"));
    // A precondition that fails writes nothing.
    let stale = |_: &jalon_core::State| Err("stale".to_owned());
    let other = Claim {
        token_hash: token_hash("not-a-link"),
        ..claim.clone()
    };
    let refused = record_by_link(&mut store, &edition, &other, &approve, &stale);
    assert!(
        matches!(
            refused,
            Ok(LinkAnswer::Missing) | Err(RecordError::Precondition(_))
        ),
        "{refused:?}"
    );
    assert_eq!(store.history("histoire").expect("history").events.len(), 2);

    // The roadmap's reminder (five days before its due date) falls due
    // while the daemon is down until after the deadline: it is recorded
    // expired, never sent.
    clock.set("2025-03-25T09:00:00Z");
    let mut state = state_now(&store);
    let late = tick::tick(
        &mut store,
        &mut state,
        &templates,
        &mut dispatcher,
        clock.now(),
        None,
    )
    .expect("a tick");
    let reminders = status_of(&store, "reminder");
    assert!(!reminders.is_empty(), "{late:?}");
    assert!(
        reminders
            .iter()
            .all(|(_, status, _)| *status == Delivery::Expired),
        "{reminders:?}"
    );
    assert!(late.report.expired >= reminders.len(), "{late:?}");

    // A reload that removes the roadmap stage, which has progress, would
    // orphan it: replaying under it is refused with the event it orphans.
    let changed = definitions.join("changed");
    write_definition(&changed, false);
    let without = load::edition(&changed, "histoire").expect("loads");
    let history = store.history("histoire").expect("history");
    // The roadmap has no event of its own: the reload is accepted …
    assert!(replay(without.clone(), &history).is_ok());
    // … but an event on it makes the same reload refused.
    let step = Event {
        at: clock.now(),
        by: "ana".into(),
        channel: Channel::Cli,
        kind: EventKind::Complete {
            stage: "feuille-de-route".into(),
            participant: None,
            comment: None,
            documents: Vec::new(),
        },
    };
    record(&mut store, &edition, &step, clock.now()).expect("recorded");
    let history = store.history("histoire").expect("history");
    let Err(orphaned) = replay(without, &history) else {
        panic!("a reload that orphans progress must be refused");
    };
    assert_eq!(orphaned.seq, 3);
    assert!(
        matches!(orphaned.reason, Rejection::UnknownStage { .. }),
        "{orphaned}"
    );
    dispatcher.close();
}

/// Every backend this build has, each on a fresh database: a SQLite file,
/// and a database of a real PostgreSQL server.
fn every_backend(dir: &Path) -> Vec<Database> {
    let postgres = jalon_test_postgres::Cluster::shared().fresh_database();
    vec![
        Database::Sqlite(SqliteBackend::new(dir.join("jalon.db"))),
        Database::from_setting(Path::new(&postgres), "story").expect("a PostgreSQL URL"),
    ]
}

#[test]
fn the_story_holds_on_every_backend() {
    let dir = tempfile::tempdir().expect("a folder");
    for (n, backend) in every_backend(dir.path()).into_iter().enumerate() {
        // A folder each: the story writes a changed definition beside its own.
        story(backend, &dir.path().join(format!("definitions-{n}")));
    }
}
