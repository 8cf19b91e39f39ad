//! The SQLite store against real database files.

use std::sync::Arc;

use jalon_core::{Action, Channel, Detail, Event, EventKind, MessageKind, Recipient};
use jalon_store::{Delivery, Entry, Mark, NewMessage, SqliteStore, Store, StoreError};
use jiff::Timestamp;

fn event(n: i64) -> Event {
    Event {
        at: Timestamp::from_second(1_700_000_000 + n).expect("instant"),
        by: "ana".into(),
        channel: Channel::Cli,
        kind: EventKind::Complete {
            stage: format!("s{n}"),
            participant: None,
            comment: None,
            documents: Vec::new(),
        },
    }
}

fn action(key: &str) -> Action {
    Action {
        key: Arc::from(key),
        kind: MessageKind::Reminder,
        due_at: Timestamp::from_second(1_700_000_000).expect("instant"),
        expires_at: None,
        stage: 0,
        participant: None,
        recipient: Recipient::Person(0),
        template: 0,
        detail: Detail::Reminder { index: 0 },
    }
}

fn record(store: &mut SqliteStore, n: i64, keys: &[&str]) -> i64 {
    let due: Vec<Action> = keys.iter().map(|k| action(k)).collect();
    store
        .record("ed", |_| {
            Ok::<_, ()>(Entry {
                event: event(n),
                version: "v1".into(),
                due: due.clone(),
                withdraw: Vec::new(),
                change: None,
                documents: Vec::new(),
            })
        })
        .expect("store works")
        .expect("decided")
        .seq
}

#[test]
fn events_and_outbox_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jalon.db");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(record(&mut store, 1, &["ed/a/person:ana"]), 1);
        assert_eq!(record(&mut store, 2, &["ed/b/person:ana"]), 2);
        store
            .mark(&[mark("ed/a/person:ana", Delivery::Sent, None)])
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let history = store.history("ed").unwrap();
    assert_eq!(history.events.len(), 2);
    assert_eq!(history.events[1].event, event(2));
    assert_eq!(history.events[1].version, "v1");
    let outbox = store.outbox("ed").unwrap();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[0].status, Delivery::Sent);
    assert_eq!(outbox[0].enqueued_by, Some(1));
    assert_eq!(store.integrity().unwrap(), "ok");
    assert!(store.history("other").unwrap().events.is_empty());
}

fn mark(key: &str, outcome: Delivery, retry_at: Option<&str>) -> Mark {
    Mark {
        key: key.into(),
        outcome,
        detail: Some(format!("{outcome:?}")),
        at: "2025-01-06T09:00:00Z".parse().expect("instant"),
        retry_at: retry_at.map(|t| t.parse().expect("instant")),
        then_queue: Vec::new(),
    }
}

#[test]
fn a_retry_stays_pending_until_its_time_and_a_failure_queues_its_notice() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("j.db")).unwrap();
    record(&mut store, 1, &["ed/a/person:ana", "ed/b/person:bob"]);
    let mut failed = mark("ed/b/person:bob", Delivery::Failed, None);
    failed.then_queue.push(NewMessage {
        key: "ed/b/person:bob/undeliverable/person:ana".into(),
        kind: "delivery_failure".into(),
        due_at: failed.at,
        expires_at: None,
        recipient: "person:ana".into(),
        body: "{}".into(),
    });
    store
        .mark(&[
            mark(
                "ed/a/person:ana",
                Delivery::Retry,
                Some("2025-01-06T09:01:00Z"),
            ),
            failed.clone(),
        ])
        .unwrap();
    // The same outcome told twice queues one notice.
    store.mark(&[failed]).unwrap();
    let outbox = store.outbox("ed").unwrap();
    let row = |key: &str| {
        outbox
            .iter()
            .find(|e| e.key == key)
            .unwrap_or_else(|| panic!("{key} in the outbox"))
    };
    let retried = row("ed/a/person:ana");
    assert_eq!((retried.status, retried.attempts), (Delivery::Pending, 1));
    assert!(!retried.ready("2025-01-06T09:00:30Z".parse().unwrap()));
    assert!(retried.ready("2025-01-06T09:01:00Z".parse().unwrap()));
    assert_eq!(row("ed/b/person:bob").status, Delivery::Failed);
    let notice = row("ed/b/person:bob/undeliverable/person:ana");
    assert_eq!(
        (notice.status, notice.kind.as_str()),
        (Delivery::Pending, "delivery_failure")
    );
    assert_eq!(outbox.len(), 3);
    assert_eq!(
        store.outbox_alerts("ed").unwrap(),
        (0, 1),
        "one failed, none held"
    );
    store
        .hold("ed", &[action("ed/c/person:ana")], &[], failed_at())
        .unwrap();
    assert_eq!(store.outbox_alerts("ed").unwrap(), (1, 1));
    assert_eq!(store.outbox_alerts("other").unwrap(), (0, 0));
    let attempts = store.attempts("ed/a/person:ana").unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].1, "retry");
}

fn failed_at() -> Timestamp {
    "2025-01-06T09:00:00Z".parse().expect("instant")
}

#[test]
fn one_key_is_never_enqueued_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("j.db")).unwrap();
    record(&mut store, 1, &["ed/k/person:ana", "ed/k/person:ana"]);
    record(&mut store, 2, &["ed/k/person:ana"]);
    assert_eq!(
        store.enqueue("ed", &[action("ed/k/person:ana")]).unwrap(),
        0
    );
    assert_eq!(store.outbox("ed").unwrap().len(), 1);
}

#[test]
fn a_refused_decision_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("j.db")).unwrap();
    record(&mut store, 1, &["ed/a/person:ana"]);
    let refused = store
        .record("ed", |history| {
            assert_eq!(history.events.len(), 1);
            Err::<Entry, _>("not allowed")
        })
        .unwrap();
    assert_eq!(refused, Err("not allowed"));
    assert_eq!(store.history("ed").unwrap().events.len(), 1);
    assert_eq!(store.outbox("ed").unwrap().len(), 1);
}

#[test]
fn foreign_damaged_and_newer_files_are_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    // Not a database at all.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "Compte rendu du jury, à garder.\n".repeat(200)).unwrap();
    let e = SqliteStore::open(&text).err().expect("refused");
    assert!(matches!(e, StoreError::NotADatabase { .. }), "{e}");
    assert!(std::fs::read_to_string(&text)
        .unwrap()
        .starts_with("Compte rendu"));
    // Another application's SQLite database.
    let other = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
            .unwrap();
    }
    let e = SqliteStore::open(&other).err().expect("refused");
    assert!(matches!(e, StoreError::Foreign { .. }), "{e}");
    // Written by a newer Jalon.
    let newer = dir.path().join("newer.db");
    drop(SqliteStore::open(&newer).unwrap());
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let e = SqliteStore::open(&newer).err().expect("refused");
    assert!(e.to_string().contains("newer Jalon"), "{e}");
}

#[test]
fn a_read_only_file_is_readable_but_not_writable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        record(&mut store, 1, &[]);
    }
    let store = SqliteStore::open_read_only(&path).unwrap();
    assert_eq!(store.history("ed").unwrap().events.len(), 1);
}

#[test]
fn a_cached_reader_sees_only_later_events_and_pending_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("j.db")).unwrap();
    let first = record(&mut store, 1, &["ed/a/person:ana", "ed/b/person:bob"]);
    let second = record(&mut store, 2, &[]);
    let later = store.events_since("ed", first).unwrap();
    assert_eq!(later.iter().map(|e| e.seq).collect::<Vec<_>>(), [second]);
    assert!(store.events_since("ed", second).unwrap().is_empty());
    assert_eq!(store.events_since("ed", 0).unwrap().len(), 2);

    store
        .mark(&[mark("ed/a/person:ana", Delivery::Sent, None)])
        .unwrap();
    let pending: Vec<String> = store
        .pending("ed")
        .unwrap()
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(pending, ["ed/b/person:bob"]);

    // A digest queued twice (two passes at the same firing) is one row.
    let digest = NewMessage {
        key: "ed/digest/weekly/2025-03-10T08:00/person:ana".into(),
        kind: "digest".into(),
        due_at: "2025-03-10T07:00:00Z".parse().unwrap(),
        expires_at: Some("2025-03-17T07:00:00Z".parse().unwrap()),
        recipient: "person:ana".into(),
        body: "{}".into(),
    };
    assert_eq!(store.queue("ed", std::slice::from_ref(&digest)).unwrap(), 1);
    assert_eq!(store.queue("ed", &[digest]).unwrap(), 0);
    let queued = store.pending("ed").unwrap();
    let row = queued.iter().find(|e| e.kind == "digest").unwrap();
    assert_eq!(
        row.expires_at,
        Some("2025-03-17T07:00:00Z".parse().unwrap())
    );
}

/// A daemon and a command started together both find a new file and both
/// migrate it: the one that waited for the lock sees the work done.
#[test]
fn stores_opened_at_once_on_a_new_file_all_open() {
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("jalon.db");
        let barrier = Arc::new(std::sync::Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    SqliteStore::open(&path).map(|_| ())
                })
            })
            .collect();
        for thread in threads {
            let opened = thread.join().expect("the thread ends");
            assert!(opened.is_ok(), "round {round}: {opened:?}");
        }
    }
}

#[test]
fn files_are_kept_with_their_event_once_by_checksum_and_not_when_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("jalon.db")).unwrap();
    let file = |bytes: &[u8], sha: &str| jalon_store::NewDocument {
        sha256: sha.into(),
        media_type: "application/pdf".into(),
        content: Arc::new(bytes.to_vec()),
    };
    let entry = |n: i64, documents: Vec<jalon_store::NewDocument>| Entry {
        documents,
        ..Entry::new(event(n), "v1".into(), Vec::new())
    };
    // Refused: the event and its files are not written.
    let refused = store
        .record("ed", |_| {
            let _ = entry(1, vec![file(b"%PDF-no", "00")]);
            Err::<Entry, _>("no")
        })
        .unwrap();
    assert!(refused.is_err());
    assert_eq!(store.document("ed", "00").unwrap(), None);
    assert_eq!(store.documents_size("ed").unwrap(), 0);
    // Kept with the event; the same file again is kept once.
    store
        .append(
            "ed",
            &[entry(
                1,
                vec![file(b"%PDF-a", "aa"), file(b"%PDF-bb", "bb")],
            )],
        )
        .unwrap();
    store
        .append("ed", &[entry(2, vec![file(b"%PDF-a", "aa")])])
        .unwrap();
    let kept = store.document("ed", "aa").unwrap().expect("kept");
    assert_eq!(kept.content, b"%PDF-a");
    assert_eq!(kept.media_type, "application/pdf");
    assert_eq!(store.documents_size("ed").unwrap(), 13);
    // Per edition: another edition does not see them.
    assert_eq!(store.document("other", "aa").unwrap(), None);
}

#[test]
fn a_claim_is_the_first_ready_pending_rows_in_due_order_up_to_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("j.db")).unwrap();
    let keys = ["ed/a/person:ana", "ed/b/person:ana", "ed/c/person:ana"];
    record(&mut store, 1, &keys);
    record(&mut store, 2, &["ed/d/person:ana", "ed/e/person:ana"]);
    store
        .hold("ed", &[action("ed/0/person:ana")], &[], failed_at())
        .unwrap();
    store
        .mark(&[
            mark(
                "ed/b/person:ana",
                Delivery::Retry,
                Some("2025-01-06T09:01:00Z"),
            ),
            mark("ed/d/person:ana", Delivery::Sent, None),
        ])
        .unwrap();
    let claim = |store: &mut SqliteStore, at: &str, limit: usize| -> Vec<String> {
        let now: Timestamp = at.parse().unwrap();
        let claimed = store.claim("ed", now, now, "me", limit).unwrap();
        // What reading every pending row, then keeping the ready ones, gives.
        let mut all = store.pending("ed").unwrap();
        all.retain(|e| e.ready(now));
        all.truncate(limit);
        assert_eq!(claimed, all);
        claimed.into_iter().map(|e| e.key).collect()
    };
    let short = |keys: &[&str]| -> Vec<String> {
        keys.iter().map(|k| format!("ed/{k}/person:ana")).collect()
    };
    // The held row, the one waiting for its retry and the sent one are left.
    assert_eq!(
        claim(&mut store, "2025-01-06T09:00:30Z", 2),
        short(&["a", "c"])
    );
    assert_eq!(
        claim(&mut store, "2025-01-06T09:00:30Z", 10),
        short(&["a", "c", "e"])
    );
    assert_eq!(
        claim(&mut store, "2025-01-06T09:01:00Z", 10),
        short(&["a", "b", "c", "e"])
    );
    assert!(claim(&mut store, "2025-01-06T09:01:00Z", 0).is_empty());
    // Not yet due: nothing.
    assert!(claim(&mut store, "2023-01-01T00:00:00Z", 10).is_empty());
}
