//! The PostgreSQL store against a real server (started by the tests,
//! `jalon-test-postgres`): what several replicas on one database rely on.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use jalon_core::{Channel, Event, EventKind};
use jalon_store::{
    Backend, ByLink, Claim, Delivery, Entry, Link, Mark, NewMessage, PostgresBackend, SqliteStore,
    Store, StoreError,
};
use jalon_test_postgres::Cluster;
use jiff::Timestamp;

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + second).expect("instant")
}

fn backend(url: &str, replica: &str) -> PostgresBackend {
    PostgresBackend::new(url, replica).expect("a URL")
}

/// A fresh database and a backend on it.
fn fresh(replica: &str) -> (String, PostgresBackend) {
    let url = Cluster::shared().fresh_database();
    let backend = backend(&url, replica);
    (url, backend)
}

fn complete(stage: &str, second: i64) -> Event {
    Event {
        at: at(second),
        by: "ana".into(),
        channel: Channel::Cli,
        kind: EventKind::Complete {
            stage: stage.into(),
            participant: None,
            comment: None,
            documents: Vec::new(),
        },
    }
}

fn message(key: &str, due: i64) -> NewMessage {
    NewMessage {
        key: key.into(),
        kind: "digest".into(),
        due_at: at(due),
        expires_at: None,
        recipient: "person:ana".into(),
        body: "{}".into(),
    }
}

fn sent(key: &str, second: i64) -> Mark {
    Mark {
        key: key.into(),
        outcome: Delivery::Sent,
        detail: None,
        at: at(second),
        retry_at: None,
        then_queue: Vec::new(),
    }
}

#[test]
fn replicas_starting_together_migrate_once() {
    let (url, _) = fresh("r");
    let start = Arc::new(Barrier::new(4));
    let opened: Vec<_> = (0..4)
        .map(|n| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                backend(&url, &format!("r{n}")).open().map(|_| ())
            })
        })
        .collect();
    for thread in opened {
        thread.join().expect("no panic").expect("opens");
    }
    let name = url.rsplit('/').next().expect("a name");
    assert_eq!(
        Cluster::shared()
            .psql(name, "SELECT version FROM jalon_schema")
            .trim(),
        jalon_store::PostgresBackend::schema_version().to_string()
    );
}

#[test]
fn another_applications_database_and_a_newer_one_are_refused() {
    let cluster = Cluster::shared();
    let url = cluster.fresh_database();
    let name = url.rsplit('/').next().expect("a name").to_owned();
    cluster.psql(&name, "CREATE TABLE invoices (id int)");
    let refused = backend(&url, "r").open().map(|_| ());
    assert!(
        matches!(refused, Err(StoreError::ForeignPostgres { .. })),
        "{refused:?}"
    );

    let (url, ours) = fresh("r");
    ours.open().expect("migrates");
    let name = url.rsplit('/').next().expect("a name");
    cluster.psql(name, "UPDATE jalon_schema SET version = 99");
    let refused = backend(&url, "r").open().map(|_| ());
    let Err(StoreError::Newer { found, .. }) = refused else {
        panic!("a newer schema must be refused: {refused:?}");
    };
    assert_eq!(found, 99);
}

#[test]
fn each_message_is_claimed_by_one_replica_at_a_time() {
    let (url, first) = fresh("one");
    let mut store = first.open().expect("opens");
    let messages: Vec<NewMessage> = (0..200)
        .map(|n| message(&format!("ed/m{n:03}"), 0))
        .collect();
    assert_eq!(store.queue("ed", &messages).expect("queued"), 200);

    // Two replicas claim in small batches at the same time: every message
    // goes to exactly one of them.
    let start = Arc::new(Barrier::new(2));
    let claimers: Vec<_> = ["one", "two"]
        .into_iter()
        .map(|replica| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = backend(&url, replica).open().expect("opens");
                start.wait();
                let mut mine = Vec::new();
                loop {
                    let claimed = store
                        .claim("ed", at(10), at(70), replica, 17)
                        .expect("claims");
                    if claimed.is_empty() {
                        return mine;
                    }
                    mine.extend(claimed.into_iter().map(|e| e.key));
                }
            })
        })
        .collect();
    let mut all: Vec<String> = claimers
        .into_iter()
        .flat_map(|t| t.join().expect("no panic"))
        .collect();
    assert_eq!(all.len(), 200, "each message claimed once");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 200, "no message claimed twice");

    // While the leases run, nobody else gets them, and they show as not
    // ready before the lease's end.
    assert!(store
        .claim("ed", at(69), at(129), "three", 1000)
        .expect("claims")
        .is_empty());
    let pending = store.pending("ed").expect("pending");
    assert!(pending.iter().all(|e| !e.ready(at(69)) && e.ready(at(70))));
    // A replica that died holding them: once the lease lapses, another
    // takes them over; what was marked sent meanwhile stays sent.
    store.mark(&[sent("ed/m000", 30)]).expect("marked");
    let taken = store
        .claim("ed", at(71), at(131), "three", 1000)
        .expect("claims");
    assert_eq!(taken.len(), 199);
    assert!(taken.iter().all(|e| e.key != "ed/m000"));
    // Released (not tried), they are free at once.
    let keys: Vec<String> = taken.iter().map(|e| e.key.clone()).collect();
    store.release(&keys, "three").expect("released");
    assert_eq!(
        store
            .claim("ed", at(72), at(132), "four", 5)
            .expect("claims")
            .len(),
        5
    );
}

#[test]
fn two_writers_on_one_edition_never_act_on_the_same_state() {
    let (url, _) = fresh("r");
    let start = Arc::new(Barrier::new(3));
    let writers: Vec<_> = (0..3)
        .map(|n| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = backend(&url, &format!("w{n}")).open().expect("opens");
                start.wait();
                for _ in 0..20 {
                    store
                        .record("ed", |history| {
                            // Each decision names the history it saw.
                            let seen = history.events.len() as i64;
                            Ok::<_, ()>(Entry::new(
                                complete(&format!("after-{seen}"), seen),
                                "v1".into(),
                                Vec::new(),
                            ))
                        })
                        .expect("the store works")
                        .expect("decided");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("no panic");
    }
    let history = backend(&url, "r")
        .open()
        .expect("opens")
        .history("ed")
        .expect("read");
    assert_eq!(history.events.len(), 60);
    for (n, stored) in history.events.iter().enumerate() {
        let EventKind::Complete { stage, .. } = &stored.event.kind else {
            panic!("{stored:?}");
        };
        assert_eq!(
            stage,
            &format!("after-{n}"),
            "decided on the history it follows"
        );
        assert_eq!(stored.seq, n as i64 + 1, "numbers in commit order");
    }
}

fn link(hash: &str) -> Link {
    Link {
        token_hash: hash.into(),
        edition: "ed".into(),
        action_key: format!("ed/s/validation/1/person:vera/{hash}"),
        person: "vera".into(),
        stage: "s".into(),
        participant: None,
        round: 1,
        answers: vec!["approve".into(), "refuse".into()],
        issued_at: at(0),
        expires_at: at(1_000),
    }
}

#[test]
fn one_link_answered_on_two_replicas_at_once_records_one_event() {
    let (url, first) = fresh("one");
    first
        .open()
        .expect("opens")
        .issue_links(&[link("h")])
        .expect("kept");
    let start = Arc::new(Barrier::new(2));
    let answers: Vec<_> = ["one", "two"]
        .into_iter()
        .map(|replica| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = backend(&url, replica).open().expect("opens");
                let claim = Claim {
                    token_hash: "h".into(),
                    answer: "approve".into(),
                    at: at(5),
                };
                start.wait();
                let answered = store
                    .record_by_link("ed", &claim, |_| {
                        Ok::<_, ()>(Entry::new(
                            Event {
                                by: "vera".into(),
                                channel: Channel::Link,
                                kind: EventKind::Approve {
                                    stage: "s".into(),
                                    participant: None,
                                    comment: None,
                                },
                                ..complete("s", 5)
                            },
                            "v1".into(),
                            Vec::new(),
                        ))
                    })
                    .expect("the store works");
                matches!(answered, ByLink::Recorded(_))
            })
        })
        .collect();
    let recorded: Vec<bool> = answers
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .collect();
    assert_eq!(recorded.iter().filter(|r| **r).count(), 1, "{recorded:?}");
    let store = first.open().expect("opens");
    assert_eq!(store.history("ed").expect("read").events.len(), 1);
    let used = store
        .link("h")
        .expect("read")
        .expect("kept")
        .used
        .expect("used");
    assert_eq!((used.answer.as_str(), used.seq), ("approve", 1));
}

#[test]
fn a_commit_on_one_replica_wakes_the_others() {
    let (url, listening) = fresh("listener");
    listening.open().expect("migrates");
    let (heard, hear) = std::sync::mpsc::channel();
    let _listening = Backend::listen(
        &listening,
        Box::new(move |h| {
            let _ = heard.send(h);
        }),
    )
    .expect("a listener")
    .expect("listens");
    // Its own commits do not wake it.
    std::thread::sleep(Duration::from_millis(300));
    listening
        .open()
        .expect("opens")
        .append(
            "ed",
            &[Entry::new(complete("a", 1), "v1".into(), Vec::new())],
        )
        .expect("appended");
    assert!(hear.recv_timeout(Duration::from_millis(800)).is_err());
    // Another replica's do.
    backend(&url, "writer")
        .open()
        .expect("opens")
        .append(
            "ed",
            &[Entry::new(complete("b", 2), "v1".into(), Vec::new())],
        )
        .expect("appended");
    assert_eq!(
        hear.recv_timeout(Duration::from_secs(5)).expect("woken"),
        jalon_store::Heard::Commit
    );
}

#[test]
fn a_sqlite_database_is_copied_whole_and_checked() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("jalon.db");
    let mut sqlite = SqliteStore::open(&path).expect("opens");
    sqlite
        .archive("ed", "v1", "sources: …", at(0))
        .expect("kept");
    for n in 1..=30 {
        let mut entry = Entry::new(complete(&format!("s{n}"), n), "v1".into(), Vec::new());
        if n == 3 {
            entry.documents.push(jalon_store::NewDocument {
                sha256: "ab".repeat(32),
                media_type: "application/pdf".into(),
                content: Arc::new(b"%PDF-1.4\n\t\\ binary \x00\xff".to_vec()),
            });
        }
        sqlite.append("ed", &[entry]).expect("appended");
    }
    let messages: Vec<NewMessage> = (0..5).map(|n| message(&format!("ed/m{n}"), n)).collect();
    sqlite.queue("ed", &messages).expect("queued");
    sqlite
        .mark(&[Mark {
            detail: Some("250 2.0.0 Ok: queued as\tABC\nline two".into()),
            ..sent("ed/m1", 7)
        }])
        .expect("marked");
    sqlite.issue_links(&[link("h")]).expect("kept");

    let (url, target) = fresh("copy");
    let store = target.open().expect("opens");
    let copied = jalon_store::copy(&sqlite, &store).expect("copied");
    let rows = |table: &str| {
        copied
            .tables
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| *n)
            .expect("the table")
    };
    assert_eq!(
        (
            rows("events"),
            rows("outbox"),
            rows("attempts"),
            rows("links"),
            rows("documents")
        ),
        (30, 5, 1, 1, 1)
    );
    assert_eq!(copied.checksum.len(), 64);
    // What the runtime reads is the same on both sides.
    let (from, to) = (
        sqlite.history("ed").expect("read"),
        store.history("ed").expect("read"),
    );
    assert_eq!(from.events.len(), to.events.len());
    for (a, b) in from.events.iter().zip(&to.events) {
        assert_eq!((a.seq, &a.event, &a.version), (b.seq, &b.event, &b.version));
    }
    assert_eq!(
        sqlite.attempts("ed/m1").expect("read"),
        store.attempts("ed/m1").expect("read")
    );
    assert_eq!(
        sqlite
            .document("ed", &"ab".repeat(32))
            .expect("read")
            .map(|d| d.content),
        store
            .document("ed", &"ab".repeat(32))
            .expect("read")
            .map(|d| d.content)
    );
    // The log goes on from the copied numbers.
    drop(store);
    let mut store = target.open().expect("opens");
    let next = store
        .append(
            "ed",
            &[Entry::new(complete("after", 40), "v1".into(), Vec::new())],
        )
        .expect("appended");
    assert_eq!(next[0].seq, 31);
    // A target that is not empty is refused, and left as it was.
    let again = jalon_store::copy(&sqlite, &store);
    assert!(
        matches!(
            again,
            Err(jalon_store::CopyError::NotEmpty {
                table: "events",
                rows: 31,
                ..
            })
        ),
        "{again:?}"
    );
    let _ = url;
}

/// Runs `openssl ARGS…` in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let status = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl {args:?}");
}

#[test]
fn tls_to_the_server_is_verified_against_the_authority_given() {
    let cluster = Cluster::start_own();
    // An authority of our own and a certificate for 127.0.0.1 it signed.
    let keys = tempfile::tempdir().expect("a folder");
    let dir = keys.path();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Jalon test authority",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").expect("written");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
    let data = cluster.data_directory();
    for file in ["server.crt", "server.key"] {
        std::fs::copy(dir.join(file), data.join(file)).expect("copied");
    }
    // The server's key: its own, readable by it alone.
    let key = data.join("server.key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("mode 0600");
    let owner = std::fs::metadata(data).expect("the data folder");
    std::os::unix::fs::chown(
        &key,
        Some(std::os::unix::fs::MetadataExt::uid(&owner)),
        Some(std::os::unix::fs::MetadataExt::gid(&owner)),
    )
    .expect("owned by the server's user");
    std::os::unix::fs::chown(
        data.join("server.crt"),
        Some(std::os::unix::fs::MetadataExt::uid(&owner)),
        Some(std::os::unix::fs::MetadataExt::gid(&owner)),
    )
    .expect("owned by the server's user");
    cluster.psql(
        "postgres",
        "ALTER SYSTEM SET ssl = on;\nALTER SYSTEM SET ssl_cert_file = 'server.crt';\n\
         ALTER SYSTEM SET ssl_key_file = 'server.key';\nSELECT pg_reload_conf();",
    );
    let url = cluster.fresh_database();
    let ca = dir.join("ca.pem");

    // With the authority: a verified, encrypted connection.
    let verified = format!("{url}?sslmode=require&sslrootcert={}", ca.display());
    let store = backend(&verified, "tls-check")
        .open()
        .expect("opens over TLS");
    let encrypted = cluster.psql(
        "postgres",
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
         WHERE a.application_name = 'tls-check'",
    );
    assert!(encrypted.lines().any(|l| l.trim() == "t"), "{encrypted}");
    drop(store);

    // Without it, the server's certificate is unknown: refused, and said.
    let unverified = format!("{url}?sslmode=require");
    let refused = backend(&unverified, "tls-refused").open().map(|_| ());
    let Err(StoreError::Unreachable { detail, .. }) = &refused else {
        panic!("an unknown certificate must be refused: {refused:?}");
    };
    assert!(detail.to_lowercase().contains("certificate"), "{detail}");
}

#[test]
fn who_follows_several_editions_is_kept_alike_on_both_backends() {
    let dir = tempfile::tempdir().expect("a folder");
    let (_, postgres) = fresh("r");
    let backends = [
        jalon_store::Database::Sqlite(jalon_store::SqliteBackend::new(dir.path().join("j.db"))),
        jalon_store::Database::Postgres(postgres),
    ];
    for backend in backends {
        let mut store = backend.open().expect("opens");
        // Nothing kept is not the same as nobody kept.
        assert_eq!(store.readers_of_several().expect("read"), None);
        store.keep_readers_of_several(&[]).expect("kept");
        assert_eq!(store.readers_of_several().expect("read"), Some(Vec::new()));
        let two = vec!["ana@example.org".to_owned(), "léa@example.org".to_owned()];
        store.keep_readers_of_several(&two).expect("kept");
        assert_eq!(store.readers_of_several().expect("read"), Some(two));
        // What is kept replaces what was.
        store
            .keep_readers_of_several(&["bo@example.org".to_owned()])
            .expect("kept");
        let reopened = backend.open().expect("opens again");
        assert_eq!(
            reopened.readers_of_several().expect("read"),
            Some(vec!["bo@example.org".to_owned()])
        );
    }
}

#[test]
fn a_large_snapshot_is_kept_in_parts_and_read_back_whole() {
    let (url, backend) = fresh("r");
    let mut store = backend.open().expect("opens");
    let snapshot = |seq: i64, len: usize| jalon_store::Snapshot {
        seq,
        version: "v1".into(),
        // Not a multiple of the part size, every byte value present.
        bytes: (0..len).map(|n| (n * 7 % 251) as u8).collect(),
    };
    let large = snapshot(10, (5 << 20) / 2 + 3);
    store.keep_snapshot("e", &large).expect("kept");
    let name = url.rsplit('/').next().expect("a name");
    let parts = Cluster::shared().psql(name, "SELECT count(*) FROM snapshot_parts");
    assert_eq!(parts.trim(), "3", "2.5 MiB in parts of 1 MiB");
    let read = store.snapshot("e").expect("reads").expect("a snapshot");
    assert_eq!((read.seq, read.bytes == large.bytes), (10, true));

    // An older one is not kept over it; a newer, smaller one replaces
    // every part.
    store
        .keep_snapshot("e", &snapshot(9, 100))
        .expect("ignored");
    assert_eq!(store.snapshot("e").expect("reads").expect("one").seq, 10);
    let small = snapshot(11, 100);
    store.keep_snapshot("e", &small).expect("kept");
    let read = store.snapshot("e").expect("reads").expect("a snapshot");
    assert_eq!((read.seq, read.bytes), (11, small.bytes));
    let parts = Cluster::shared().psql(name, "SELECT count(*) FROM snapshot_parts");
    assert_eq!(parts.trim(), "1");
    assert!(store.snapshot("other").expect("reads").is_none());
}

#[test]
fn a_snapshot_kept_before_parts_is_read_after_the_migration() {
    let (url, backend) = fresh("r");
    backend.open().expect("migrates");
    // The database as schema version 4 left it: the body in the row.
    let name = url.rsplit('/').next().expect("a name");
    Cluster::shared().psql(
        name,
        "DROP TABLE snapshot_parts;
         ALTER TABLE snapshots ADD COLUMN body BYTEA NOT NULL;
         INSERT INTO snapshots (edition, seq, version, body, taken_at)
           VALUES ('e', 42, 'v1', '\\x4a534e50ff00'::bytea, now());
         UPDATE jalon_schema SET version = 4;",
    );
    let store = jalon_store::PostgresBackend::new(&url, "r2")
        .expect("a URL")
        .open()
        .expect("migrates to parts");
    let read = store.snapshot("e").expect("reads").expect("kept");
    assert_eq!(
        (read.seq, read.version.as_str(), read.bytes),
        (42, "v1", b"JSNP\xff\x00".to_vec())
    );
}
