//! The operator's commands on a PostgreSQL database (a real server, started
//! by `jalon-test-postgres`), as an operator runs them: `--db postgres://…`
//! instead of a file, and `jalon copy` to move a SQLite database over.

use std::path::Path;

use jalon_test_postgres::Cluster;

use crate::root;
use crate::support::{Jalon, Run};

/// `jalon ARGS… --definitions definitions --db DB`.
fn run(db: &str, args: &[&str]) -> Run {
    Jalon::new()
        .args(args)
        .arg("--definitions")
        .arg(root().join("definitions"))
        .args(["--db", db])
        .run()
}

fn ok(db: &str, args: &[&str]) -> String {
    run(db, args).succeeds().stdout()
}

/// The diagnosis handed in and approved, as `live.rs` records it.
fn diagnosis(db: &str) {
    ok(
        db,
        &[
            "complete",
            "2024-2025",
            "diagnostic",
            "--by",
            "serge-dobel",
            "--at",
            "2024-07-04 16:00",
        ],
    );
    ok(
        db,
        &[
            "approve",
            "2024-2025",
            "diagnostic",
            "--by",
            "referent-dg",
            "--at",
            "2024-07-10 10:00",
        ],
    );
}

/// The log without its first line, which names the database.
fn log_of(db: &str) -> Vec<String> {
    ok(db, &["log", "2024-2025"])
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn commands_record_into_postgresql_as_into_a_file() {
    let url = Cluster::shared().fresh_database();
    // Nothing recorded yet: said, as for a missing file.
    let empty = run(&url, &["status", "2024-2025"]);
    assert!(
        empty.stderr().contains("nothing is recorded there"),
        "{}",
        empty.stderr()
    );
    diagnosis(&url);
    let status = ok(&url, &["status", "2024-2025", "--at", "2024-07-11 09:00"]);
    assert!(status.contains("done mer. 10/07/2024 10:00"), "{status}");
    let log = log_of(&url);
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log[0].starts_with("#1") && log[1].starts_with("#2"),
        "{log:?}"
    );
    // The same act again is refused by the engine, as on SQLite.
    let twice = run(
        &url,
        &[
            "approve",
            "2024-2025",
            "diagnostic",
            "--by",
            "referent-dg",
            "--at",
            "2024-07-11 10:00",
        ],
    );
    twice.expect_code(1);
    assert_eq!(log_of(&url).len(), 2);
}

#[test]
fn a_sqlite_database_is_copied_into_postgresql_and_reads_the_same() {
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("jalon.db");
    let file = file.to_str().expect("utf-8");
    diagnosis(file);
    let url = Cluster::shared().fresh_database();
    let copied = Jalon::new()
        .args(["copy", "--from", file, "--to", &url])
        .run();
    let said = copied.succeeds().stdout();
    assert!(said.contains("both sides read back the same"), "{said}");
    assert!(
        said.contains("events") && said.contains("2 row(s)"),
        "{said}"
    );
    assert!(said.contains("Checksum"), "{said}");
    assert_eq!(log_of(file), log_of(&url));
    assert_eq!(
        ok(file, &["outbox", "2024-2025"]),
        ok(&url, &["outbox", "2024-2025"])
    );
    // Recording goes on in PostgreSQL from the copied numbers.
    let next = ok(
        &url,
        &[
            "void",
            "2024-2025",
            "2",
            "--by",
            "serge-dobel",
            "--reason",
            "approuvé par erreur",
            "--at",
            "2024-07-11 10:00",
        ],
    );
    assert!(next.starts_with("recorded #3"), "{next}");

    // A second copy into the same database is refused, and changes nothing.
    let again = Jalon::new()
        .args(["copy", "--from", file, "--to", &url])
        .run();
    again.expect_code(2);
    assert!(
        again.stderr().contains("is not empty"),
        "{}",
        again.stderr()
    );
    assert_eq!(log_of(&url).len(), 3);

    // What is not a PostgreSQL address, or not a database file, is said.
    let not_url = Jalon::new()
        .args(["copy", "--from", file, "--to", "elsewhere.db"])
        .run();
    not_url.expect_code(2);
    assert!(
        not_url.stderr().contains("not a PostgreSQL address"),
        "{}",
        not_url.stderr()
    );
    let missing = Jalon::new()
        .args(["copy", "--from", "nowhere.db", "--to", &url])
        .run();
    missing.expect_code(2);
    assert!(
        missing.stderr().contains("no such database file"),
        "{}",
        missing.stderr()
    );
}

#[test]
fn a_database_address_the_daemon_cannot_use_is_refused_before_anything_starts() {
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("a folder");
    let refused = Jalon::new()
        .current_dir(dir.path())
        .args(["daemon", "--db", "postgres://jalon:secret@127.0.0.1:1"])
        .run();
    refused.expect_code(2);
    let said = refused.stderr();
    assert!(
        said.contains("no database") && said.contains("--db"),
        "{said}"
    );
    assert!(!said.contains("secret"), "a password in the output: {said}");
    assert!(!Path::new(&dir.path().join("jalon.db")).exists());
}
