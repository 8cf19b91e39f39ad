//! The operator's commands on a live edition, run as an operator runs them:
//! the built binary, the shipped definitions, a real SQLite file.

use std::path::Path;
use std::process::Stdio;

use crate::root;
use crate::support::{copy_dir, Jalon, Run, Spawned};

/// `command` followed by `--definitions DEFINITIONS --db DB`.
fn on(command: Jalon, definitions: &Path, db: &Path) -> Jalon {
    command
        .arg("--definitions")
        .arg(definitions)
        .arg("--db")
        .arg(db)
}

/// `jalon ARGS… --definitions definitions --db DB` for edition 2024-2025.
fn run(db: &Path, args: &[&str]) -> Run {
    on(Jalon::new().args(args), &root().join("definitions"), db).run()
}

/// The standard output of `jalon ARGS…`, which must succeed.
fn ok(db: &Path, args: &[&str]) -> String {
    run(db, args).succeeds().stdout()
}

/// Diagnosis, sourcing and short-list recorded, so the jury is open.
fn up_to_jury(db: &Path) {
    let laureates = [
        "atchoum",
        "mes-parents-et-moi",
        "programme-malin",
        "alternoo",
    ];
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
    let mut select = vec!["shortlist", "2024-2025", "sourcing"];
    select.extend(laureates);
    select.extend(["--by", "aline-pehau", "--at", "2024-09-04 17:00"]);
    ok(db, &select);
    let mut shortlist = vec!["shortlist", "2024-2025", "shortlisting"];
    shortlist.extend(laureates);
    shortlist.extend(["--by", "serge-dobel", "--at", "2024-09-16 10:00"]);
    ok(db, &shortlist);
    ok(
        db,
        &[
            "approve",
            "2024-2025",
            "shortlisting",
            "--by",
            "florence-bannerman",
            "--at",
            "2024-09-17 10:00",
        ],
    );
}

/// `jalon score 2024-2025 jury PARTICIPANT … --by MEMBER`, the same
/// scores from every member.
fn score(member: &str, participant: &str) -> Jalon {
    score_at(member, participant, "2024-10-10 15:00")
}

fn score_at(member: &str, participant: &str, at: &str) -> Jalon {
    Jalon::new()
        .args([
            "score",
            "2024-2025",
            "jury",
            participant,
            "besoin=4",
            "impact=4",
            "faisabilite=3",
            "equipe=5",
        ])
        .args(["--by", member, "--at", at])
}

fn events(db: &Path) -> usize {
    let log = ok(db, &["log", "2024-2025"]);
    log.lines().filter(|l| l.starts_with('#')).count()
}

#[test]
fn progress_is_recorded_and_read_back_by_later_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    let said = ok(
        &db,
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
    assert!(said.starts_with("recorded #1: complete"), "{said}");
    assert!(said.contains("messages queued"), "{said}");
    let status = ok(&db, &["status", "2024-2025", "--at", "2024-07-05 09:00"]);
    assert!(status.contains("awaiting validation"), "{status}");
    assert!(
        status.contains("awaits Référent Direction générale"),
        "{status}"
    );
    ok(
        &db,
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
    let log = ok(&db, &["log", "2024-2025"]);
    assert!(
        log.contains("#1") && log.contains("#2") && log.contains("via cli"),
        "{log}"
    );
    let csv = ok(
        &db,
        &[
            "export",
            "2024-2025",
            "--format",
            "csv",
            "--at",
            "2024-07-20",
        ],
    );
    // For a French spreadsheet: a byte-order mark, `;` between fields,
    // French words and dates; read back by the csv crate's own parser.
    let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let header = reader.headers().expect("a header").clone();
    assert_eq!(&header[0], "Étape", "{csv}");
    assert_eq!(&header[10], "Notes du jury", "{csv}");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    let diagnostic = rows
        .iter()
        .find(|r| &r[0] == "Diagnostic des besoins sociaux prioritaires")
        .unwrap_or_else(|| panic!("the diagnostic's row in {csv}"));
    assert_eq!((&diagnostic[2], &diagnostic[3]), ("faite", "non"), "{csv}");
    assert!(
        diagnostic[6].len() == 16 && diagnostic[6].as_bytes()[2] == b'/',
        "done on JJ/MM/AAAA HH:MM: {}",
        &diagnostic[6]
    );
    assert!(diagnostic[8].contains("2024 10:00"), "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&db, &["export", "2024-2025", "--at", "2024-07-20"])).unwrap();
    assert_eq!(json["stages"][0]["state"], "done");
}

#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    ok(
        &db,
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
    let before = std::fs::read(&db).unwrap();
    for (args, code, words) in [
        (
            vec![
                "approve",
                "2024-2025",
                "diagnostic",
                "--by",
                "aline-pehau",
                "--at",
                "2024-07-05 10:00",
            ],
            1,
            "cannot validate",
        ),
        (
            vec!["approve", "2024-2025", "diagnostc", "--by", "referent-dg"],
            1,
            "did you mean `diagnostic`",
        ),
        (
            vec!["approve", "2024-2026", "diagnostic", "--by", "referent-dg"],
            2,
            "no edition `2024-2026`",
        ),
        (
            vec!["withdraw", "2024-2025", "atchum", "--by", "serge-dobel"],
            1,
            "did you mean `atchoum`",
        ),
        (
            vec![
                "refuse",
                "2024-2025",
                "diagnostic",
                "--by",
                "referent-dg",
                "--comment",
                " ",
            ],
            1,
            "needs a comment",
        ),
        (
            vec![
                "score",
                "2024-2025",
                "jury",
                "atchoum",
                "impact",
                "--by",
                "referent-dg",
            ],
            2,
            "CRITERION=VALUE",
        ),
        (
            vec![
                "approve",
                "2024-2025",
                "diagnostic",
                "--by",
                "referent-dg",
                "--at",
                "2024-07-01 10:00",
            ],
            1,
            "before the last recorded",
        ),
    ] {
        let output = run(&db, &args);
        assert_eq!(output.code(), Some(code), "{args:?}: {}", output.stderr());
        assert!(
            output.stderr().contains(words),
            "{args:?}: {}",
            output.stderr()
        );
    }
    assert_eq!(events(&db), 1);
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is untouched");
}

#[test]
fn a_file_that_is_not_ours_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.db");
    std::fs::write(&db, "Compte rendu du jury.\n".repeat(300)).unwrap();
    let output = run(
        &db,
        &["complete", "2024-2025", "diagnostic", "--by", "serge-dobel"],
    );
    output.expect_code(2);
    assert!(
        output.stderr().contains("not a database"),
        "{}",
        output.stderr()
    );
    assert!(std::fs::read_to_string(&db)
        .unwrap()
        .starts_with("Compte rendu"));
}

#[test]
fn concurrent_commands_queue_and_each_is_checked_against_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    up_to_jury(&db);
    let before = events(&db);
    // Five jury members score at the same moment: all are recorded.
    let members = [
        "referent-dg",
        "referent-dpa",
        "referent-dvs",
        "referent-dtmd",
        "referent-dedda",
    ];
    let definitions = root().join("definitions");
    let start =
        |member: &str, participant: &str| on(score(member, participant), &definitions, &db).spawn();
    // All started before any is waited for.
    let children: Vec<_> = members.iter().map(|m| start(m, "atchoum")).collect();
    for child in children {
        child.wait().succeeds();
    }
    // The same member scoring the same pitch twice at once, after the
    // jury's due date (when scores no longer change): one is recorded, the
    // other is refused — each is checked inside the write lock.
    let late = |member: &str, participant: &str| {
        on(
            score_at(member, participant, "2024-10-12 09:00"),
            &definitions,
            &db,
        )
        .spawn()
    };
    let twice: Vec<Run> = [
        late("referent-dg", "alternoo"),
        late("referent-dg", "alternoo"),
    ]
    .into_iter()
    .map(Spawned::wait)
    .collect();
    let codes: Vec<Option<i32>> = twice.iter().map(|o| o.code()).collect();
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(1)),
        "{codes:?}"
    );
    assert!(twice.iter().any(|o| o.stderr().contains("already scored")));
    assert_eq!(events(&db), before + members.len() + 1);
}

#[test]
fn a_writer_killed_mid_write_leaves_a_consistent_database() {
    use jalon_store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    up_to_jury(&db);
    let before = events(&db);
    let definitions = root().join("definitions");
    let members = [
        "referent-dg",
        "referent-dpa",
        "referent-dvs",
        "referent-dtmd",
        "referent-dedda",
    ];
    let participants = [
        "atchoum",
        "mes-parents-et-moi",
        "programme-malin",
        "alternoo",
    ];
    let mut succeeded = 0;
    let mut spawned = 0;
    for (n, (member, participant)) in members
        .iter()
        .flat_map(|m| participants.iter().map(move |p| (m, p)))
        .enumerate()
    {
        let mut child = on(score(member, participant), &definitions, &db)
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts");
        spawned += 1;
        // Kill at varied moments: before, during or after the write.
        std::thread::sleep(std::time::Duration::from_millis((n as u64 * 7) % 40));
        let _ = child.kill();
        if child.wait().expect("waits").code() == Some(0) {
            succeeded += 1;
        }
    }
    let store = jalon_store::SqliteStore::open(&db).unwrap();
    assert_eq!(store.integrity().unwrap(), "ok");
    let history = store.history("2024-2025").unwrap();
    let recorded = history.events.len() - before;
    assert!(
        recorded >= succeeded && recorded <= spawned,
        "{recorded} of {spawned}, {succeeded} said so"
    );
    // Every queued message belongs to a recorded event (all or nothing).
    let seqs: Vec<i64> = history.events.iter().map(|e| e.seq).collect();
    for entry in store.outbox("2024-2025").unwrap() {
        if let Some(seq) = entry.enqueued_by {
            assert!(
                seqs.contains(&seq),
                "{} points at a missing event",
                entry.key
            );
        }
    }
    drop(store);
    // And the edition still rebuilds from its log.
    ok(&db, &["status", "2024-2025", "--at", "2024-10-11 09:00"]);
}

#[test]
fn a_definition_change_is_accepted_unless_it_orphans_recorded_progress() {
    let dir = tempfile::tempdir().unwrap();
    let definitions = dir.path().join("definitions");
    copy_dir(&root().join("definitions"), &definitions);
    let db = dir.path().join("jalon.db");
    let run_here = |args: &[&str]| on(Jalon::new().args(args), &definitions, &db).run();
    let output = run_here(&[
        "withdraw",
        "2024-2025",
        "alternoo",
        "--by",
        "serge-dobel",
        "--at",
        "2024-07-01 10:00",
    ]);
    output.succeeds();
    let edition = definitions.join("editions/2024-2025.yaml");
    let text = std::fs::read_to_string(&edition).unwrap();
    // A new reminder on a stage: progress still fits; the plan follows.
    let with_reminder = text.replace(
        "  - id: lancement\n    start: 2024-11-25",
        "  - id: lancement\n    start: 2024-11-25\n    reminders:\n      - {when: start, time: \"08:00\"}",
    );
    assert_ne!(with_reminder, text);
    std::fs::write(&edition, &with_reminder).unwrap();
    let output = run_here(&["status", "2024-2025", "--at", "2024-07-02"]);
    output.succeeds();
    // Renaming the participant with history would orphan the withdrawal.
    std::fs::write(
        &edition,
        with_reminder.replace("- id: alternoo", "- id: alternoo-sas"),
    )
    .unwrap();
    let output = run_here(&["status", "2024-2025"]);
    output.expect_code(1);
    let message = output.stderr();
    assert!(message.contains("orphans recorded progress"), "{message}");
    assert!(message.contains("withdraw"), "{message}");
    assert!(message.contains("alternoo"), "{message}");
}

/// A fresh clone's first send, today: the shipped editions ended long ago,
/// so nothing goes — no « En retard » about 2019 — and what fell due is
/// recorded expired.
#[test]
fn ended_editions_send_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    let folder = dir.path().join("outbox");
    for edition in crate::EDITIONS {
        let sent = run(
            &db,
            &["send", edition, "--folder", folder.to_str().expect("utf-8")],
        )
        .succeeds()
        .stdout();
        assert!(
            sent.contains(" 0 sent, 0 to retry, 0 failed"),
            "{edition}: {sent}"
        );
    }
    assert!(
        std::fs::read_dir(&folder).map_or(true, |mut f| f.next().is_none()),
        "no email written"
    );
}

/// A year typed wrong in `--at` is refused (it would hold back every later
/// event), and nothing is written.
#[test]
fn an_act_dated_in_the_future_is_refused() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    let next_year = jiff::Zoned::now()
        .checked_add(jiff::Span::new().days(365))
        .expect("a date")
        .strftime("%Y-%m-%d 10:00")
        .to_string();
    let refused = run(
        &db,
        &[
            "complete",
            "2024-2025",
            "diagnostic",
            "--by",
            "serge-dobel",
            "--at",
            &next_year,
        ],
    );
    refused.expect_code(1);
    assert!(
        refused.stderr().contains("later than now"),
        "{}",
        refused.stderr()
    );
    let log = run(&db, &["log", "2024-2025"]);
    assert!(
        log.code() != Some(0) || log.stdout().contains("(0 events)"),
        "nothing recorded: {}",
        log.stdout()
    );
}

/// `jalon close`: shown closed, sends nothing, records nothing more; the
/// audit trail keeps the closing act.
#[test]
fn a_closed_edition_says_so_sends_nothing_and_records_nothing_more() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    up_to_jury(&db);
    let closed = ok(
        &db,
        &[
            "close",
            "2024-2025",
            "--by",
            "serge-dobel",
            "--at",
            "2024-10-01 10:00",
            "--reason",
            "Promotion suspendue",
        ],
    );
    assert!(closed.contains("recorded"), "{closed}");
    let status = ok(&db, &["status", "2024-2025", "--at", "2024-10-02 10:00"]);
    assert!(
        status.contains("CLOSED on mar. 01/10/2024 10:00 by serge-dobel: Promotion suspendue"),
        "{status}"
    );
    assert!(
        !status.contains("LATE"),
        "nothing is late in a closed edition: {status}"
    );
    assert!(status.contains("not recorded (edition closed)"), "{status}");
    let refused = run(
        &db,
        &[
            "score",
            "2024-2025",
            "jury",
            "atchoum",
            "besoin=4",
            "impact=5",
            "faisabilite=3",
            "equipe=4",
            "--by",
            "referent-dg",
            "--at",
            "2024-10-03 10:00",
        ],
    );
    refused.expect_code(1);
    assert!(refused.stderr().contains("closed"), "{}", refused.stderr());
    let folder = dir.path().join("outbox");
    let sent = ok(
        &db,
        &[
            "send",
            "2024-2025",
            "--at",
            "2024-10-03 10:00",
            "--folder",
            folder.to_str().expect("utf-8"),
        ],
    );
    assert!(sent.contains(" 0 sent"), "{sent}");
    let log = ok(&db, &["log", "2024-2025"]);
    assert!(
        log.contains("close") && log.contains("Promotion suspendue"),
        "{log}"
    );
    let export = run(&db, &["export", "2024-2025", "--at", "2024-10-03 10:00"]);
    assert_eq!(export.json()["closed"]["reason"], "Promotion suspendue");
}

/// `postpone` takes dates as definitions write them: a new due date
/// relative to the new start, in working days.
#[test]
fn a_postponement_takes_relative_dates() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    up_to_jury(&db);
    ok(
        &db,
        &[
            "postpone",
            "2024-2025",
            "jury",
            "--start",
            "2024-10-07",
            "--due",
            "start + 10 working days",
            "--by",
            "serge-dobel",
            "--at",
            "2024-09-20 10:00",
            "--reason",
            "Jury reporté",
        ],
    );
    let status = ok(&db, &["status", "2024-2025", "--at", "2024-09-21 10:00"]);
    let jury = status
        .lines()
        .find(|l| l.starts_with("jury "))
        .unwrap_or_else(|| panic!("{status}"));
    assert!(
        jury.contains("07/10/2024") && jury.contains("21/10/2024"),
        "{jury}"
    );
    assert!(
        jury.contains("(postponed ×1; planned "),
        "planned beside actual: {jury}"
    );
    let bad = run(
        &db,
        &[
            "postpone",
            "2024-2025",
            "jury",
            "--due",
            "start + 35 workin days",
            "--by",
            "serge-dobel",
            "--at",
            "2024-09-22 10:00",
        ],
    );
    bad.expect_code(2);
    assert!(
        bad.stderr().contains("--due `start + 35 workin days`"),
        "{}",
        bad.stderr()
    );
}

/// `jalon import`: a history recorded all or nothing, once however often
/// it is imported, its past messages never sent.
#[test]
fn a_history_is_imported_once_whole_and_sends_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    let history = dir.path().join("history.yaml");
    let steps = "edition: 2024-2025\nsteps:\n  - {at: 2024-07-04 16:00, by: serge-dobel, do: complete, stage: diagnostic}\n  - {at: 2024-07-15 11:00, by: referent-dg, do: approve, stage: diagnostic}\n";
    // One step the engine refuses (an approval of nothing): nothing written.
    let wrong = format!(
        "{steps}  - {{at: 2024-07-16 11:00, by: referent-dg, do: approve, stage: diagnostic}}\n"
    );
    std::fs::write(&history, &wrong).expect("written");
    let refused = run(
        &db,
        &["import", "2024-2025", history.to_str().expect("utf-8")],
    );
    refused.expect_code(1);
    assert!(
        refused.stderr().contains("history.yaml:5"),
        "{}",
        refused.stderr()
    );
    assert!(
        refused.stderr().contains("nothing was imported"),
        "{}",
        refused.stderr()
    );
    let closing = format!(
        "{steps}  - {{at: 2025-09-30 17:00, by: serge-dobel, do: close, reason: Promotion terminée}}\n"
    );
    std::fs::write(&history, closing).expect("written");
    let first = ok(
        &db,
        &["import", "2024-2025", history.to_str().expect("utf-8")],
    );
    assert!(first.starts_with("imported 3 event(s)"), "{first}");
    let again = ok(
        &db,
        &["import", "2024-2025", history.to_str().expect("utf-8")],
    );
    assert!(
        again.starts_with("imported 0 event(s) into 2024-2025 (3 already recorded)"),
        "{again}"
    );
    let log = ok(&db, &["log", "2024-2025"]);
    assert_eq!(log.matches("via import").count(), 3, "{log}");
    let folder = dir.path().join("outbox");
    let sent = ok(
        &db,
        &[
            "send",
            "2024-2025",
            "--folder",
            folder.to_str().expect("utf-8"),
        ],
    );
    assert!(sent.contains(" 0 sent"), "{sent}");
    let status = ok(&db, &["status", "2024-2025"]);
    assert!(status.contains("CLOSED on"), "{status}");
}

/// A date typed wrong holds back every later act; `jalon void` cancels it,
/// the refusal says so, and the log keeps both.
#[test]
fn an_event_recorded_by_mistake_is_voided() {
    fn args(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    let complete = |at: &str| {
        vec![
            "complete".to_owned(),
            "2024-2025".into(),
            "diagnostic".into(),
            "--by".into(),
            "serge-dobel".into(),
            "--at".into(),
            at.into(),
        ]
    };
    let typo = complete("2024-12-04 16:00");
    let recorded = ok(&db, &args(&typo));
    assert!(recorded.starts_with("recorded #1"), "{recorded}");
    let meant = complete("2024-07-04 16:00");
    let held = run(&db, &args(&meant));
    held.expect_code(1);
    assert!(held.stderr().contains("jalon void"), "{}", held.stderr());
    let voided = ok(
        &db,
        &[
            "void",
            "2024-2025",
            "1",
            "--by",
            "serge-dobel",
            "--reason",
            "date mal saisie",
        ],
    );
    assert!(voided.starts_with("recorded #2: void of #1"), "{voided}");
    assert!(voided.contains("1 queued message(s) withdrawn"), "{voided}");
    let recorded = ok(&db, &args(&meant));
    assert!(recorded.starts_with("recorded #3"), "{recorded}");
    let log = ok(&db, &["log", "2024-2025"]);
    assert_eq!(log.matches("complete").count(), 2, "{log}");
    assert!(
        log.contains("void") && log.contains("date mal saisie"),
        "{log}"
    );
    let again = run(
        &db,
        &[
            "void",
            "2024-2025",
            "1",
            "--by",
            "serge-dobel",
            "--reason",
            "encore",
        ],
    );
    again.expect_code(1);
    assert!(
        again.stderr().contains("already voided"),
        "{}",
        again.stderr()
    );
}

/// The record never depends on a file: once an edition's file is moved out
/// of the definitions folder, its log, status and export are read from the
/// definition the database kept with its version.
#[test]
fn the_record_outlives_the_definition_file() {
    let dir = tempfile::tempdir().expect("a folder");
    let definitions = dir.path().join("definitions");
    copy_dir(&root().join("definitions"), &definitions);
    let db = dir.path().join("jalon.db");
    let here = |command: Jalon| on(command, &definitions, &db);
    here(Jalon::new().args([
        "complete",
        "2024-2025",
        "diagnostic",
        "--by",
        "serge-dobel",
        "--at",
        "2024-07-04 16:00",
    ]))
    .run()
    .succeeds();
    std::fs::rename(
        definitions.join("editions/2024-2025.yaml"),
        dir.path().join("2024-2025.yaml"),
    )
    .expect("moved away");
    let log = here(Jalon::new().args(["log", "2024-2025"])).run();
    let text = log.succeeds().stdout();
    assert!(text.contains("complete"), "{text}");
    assert!(log.stderr().contains("no longer in"), "{}", log.stderr());
    let status = here(Jalon::new().args(["status", "2024-2025", "--at", "2024-07-05 10:00"])).run();
    assert!(status.succeeds().stdout().contains("diagnostic"));
    let export = here(Jalon::new().args(["export", "2024-2025", "--at", "2024-07-05 10:00"])).run();
    assert_eq!(export.json()["edition"], "2024-2025");
    // Recording needs the definition in the folder: nothing is recorded
    // into an edition no daemon runs.
    let refused =
        here(Jalon::new().args(["complete", "2024-2025", "sourcing", "--by", "aline-pehau"])).run();
    refused.expect_code(2);
}

/// `plan --against DB`: what a definition would send now, given what the
/// database recorded, before anything is saved or sent; it writes nothing.
#[test]
fn plan_against_a_database_previews_what_would_go_now() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    up_to_jury(&db);
    let outbox_before = ok(&db, &["outbox", "2024-2025"]);
    let file = root().join("definitions/editions/2024-2025.yaml");
    let preview = Jalon::new()
        .args(["plan", file.to_str().expect("utf-8"), "--against"])
        .arg(&db)
        .args(["--at", "2024-10-07 10:00"])
        .run();
    let text = preview.succeeds().stdout();
    assert!(
        text.contains("would send now (lun. 07/10/2024 10:00)"),
        "{text}"
    );
    assert!(text.contains("SENT"), "{text}");
    assert!(
        text.contains("would go at once although their date has passed"),
        "{text}"
    );
    assert_eq!(
        ok(&db, &["outbox", "2024-2025"]),
        outbox_before,
        "nothing written"
    );
}

/// A database the reader cannot write (another user's file, a read-only
/// mount): status, log and outbox still read it.
#[test]
fn status_log_and_outbox_read_a_database_they_cannot_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    up_to_jury(&db);
    let read_only = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    read_only(&db, 0o444);
    read_only(dir.path(), 0o555);
    // Root may write anything: read as the unprivileged user instead.
    let as_reader = |args: &[&str]| {
        let command = on(Jalon::new().args(args), &root().join("definitions"), &db);
        let root_user = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
        if root_user {
            command.under(
                "setpriv",
                &["--reuid=65534", "--regid=65534", "--clear-groups", "--"],
            )
        } else {
            command
        }
        .run()
    };
    let status = as_reader(&["status", "2024-2025", "--at", "2024-10-07 10:00"]);
    assert!(
        status.succeeds().stdout().contains("jury"),
        "{}",
        status.stderr()
    );
    let log = as_reader(&["log", "2024-2025"]);
    assert!(
        log.succeeds().stdout().contains("select"),
        "{}",
        log.stderr()
    );
    as_reader(&["outbox", "2024-2025"]).succeeds();
    read_only(dir.path(), 0o755);
}
