//! `jalon simulate`: a scripted year of each real edition, written out as
//! the emails, the event log and the status a programme manager reads.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use mail_parser::{MessageParser, MimeHeaders};

use crate::support::{Jalon, Run};
use crate::{root, EDITIONS};

fn simulate(edition: &str, out: &Path) -> Run {
    Jalon::new()
        .current_dir(root())
        .args(&[
            "simulate",
            &format!("definitions/editions/{edition}.yaml"),
            "--script",
            &format!("definitions/simulations/{edition}.yaml"),
            "--out",
            out.to_str().expect("utf-8 path"),
        ])
        .run()
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(path)
        .expect("readable")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn each_shipped_script_plays_its_year() {
    for edition in EDITIONS {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("sim");
        let output = simulate(edition, &out);
        assert_eq!(output.code(), Some(0), "{edition}: {}", output.stderr());
        insta::assert_snapshot!(
            format!("simulate-status-{edition}"),
            fs::read_to_string(out.join("status.txt")).expect("status")
        );
        let outbox = lines(&out.join("outbox.jsonl"));
        let files: Vec<_> = fs::read_dir(out.join("messages"))
            .expect("messages folder")
            .map(|e| e.expect("entry").path())
            .collect();
        // A line per message; alike ones due together share one email.
        let emailed: BTreeSet<&str> = outbox.iter().filter_map(|l| l["file"].as_str()).collect();
        assert_eq!(emailed.len(), files.len(), "{edition}");
        assert!(outbox.len() >= files.len(), "{edition}");
        assert!(output
            .stdout()
            .contains(&format!("{} messages written", files.len())));
        let mut ids = BTreeSet::new();
        for file in &files {
            let bytes = fs::read(file).expect("eml");
            let message = MessageParser::default()
                .parse(&bytes)
                .unwrap_or_else(|| panic!("{} does not parse", file.display()));
            assert!(ids.insert(message.message_id().expect("a Message-ID").to_owned()));
            assert_eq!(
                message.header_raw("Auto-Submitted").map(str::trim),
                Some("auto-generated")
            );
            assert!(message.subject().is_some_and(|s| !s.contains("{{")));
            assert!(message
                .body_text(0)
                .is_some_and(|b| b.starts_with("Bonjour")));
            let html = message
                .parts
                .iter()
                .find(|p| {
                    p.content_type()
                        .is_some_and(|c| c.c_subtype.as_deref() == Some("html"))
                })
                .and_then(|p| p.text_contents())
                .unwrap_or_else(|| panic!("{} has no text/html part", file.display()));
            assert!(html.contains("<html lang=\"fr\">") && html.contains(">Bonjour "));
            assert!(!html.contains("{{"));
            // From the programme's sender, Message-IDs in its domain, dates
            // at Paris's offset.
            let from = message.from().and_then(|f| f.first()).expect("a From");
            assert_eq!(
                from.address(),
                Some("experimentations-sociales@valdoise.example")
            );
            assert!(message
                .message_id()
                .is_some_and(|id| id.ends_with("@valdoise.example")));
            let date = message.header_raw("Date").expect("a Date").trim();
            assert!(date.ends_with("+0100") || date.ends_with("+0200"), "{date}");
            let name = file.file_name().unwrap().to_string_lossy();
            let calendar = message.parts.iter().any(|p| {
                p.content_type()
                    .is_some_and(|c| c.c_subtype.as_deref() == Some("calendar"))
            });
            assert_eq!(calendar, name.contains("-invitation-"), "{name}");
        }
        let events = lines(&out.join("events.jsonl"));
        let script =
            fs::read_to_string(root().join(format!("definitions/simulations/{edition}.yaml")))
                .expect("script");
        assert_eq!(
            events.len(),
            script
                .lines()
                .filter(|l| l.trim_start().starts_with("- "))
                .count()
        );
    }
}

#[test]
fn the_2024_2025_year_shows_every_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("sim");
    let output = simulate("2024-2025", &out);
    output.succeeds();
    let outbox = lines(&out.join("outbox.jsonl"));
    let keys: Vec<&str> = outbox.iter().map(|m| m["key"].as_str().unwrap()).collect();
    let has = |part: &str| keys.iter().any(|k| k.contains(part));
    assert!(
        has("feuille-de-route/atchoum/refused/1/"),
        "the refusal is notified"
    );
    assert!(
        has("feuille-de-route/programme-malin/escalation/"),
        "the late roadmap escalates"
    );
    assert!(
        has("seminaire-collectif/invitation/mi-parcours/1/"),
        "the postponement re-invites"
    );
    assert!(
        has("decision/programme-malin/decision/"),
        "decisions are announced"
    );
    // Nothing goes to the withdrawn laureate after 28 February 2025, but
    // the cancellation of the seminar they were invited to, at once.
    let mut cancellations = 0;
    for message in &outbox {
        if message["to"].as_str().unwrap().contains("alternoo@") {
            if message["kind"] == "invitation_cancelled" {
                cancellations += 1;
                assert_eq!(message["sent"], message["due"], "{message}");
                continue;
            }
            assert!(
                message["sent"].as_str().unwrap() < "2025-02-28T12:00",
                "{message}"
            );
        }
    }
    assert_eq!(cancellations, 1, "the seminar is cancelled for them");
    let events = lines(&out.join("events.jsonl"));
    let refused: Vec<&str> = events
        .iter()
        .filter(|e| e["result"] == "rejected")
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused[0].contains("not on the jury"));
}

#[test]
fn a_second_run_replaces_the_first_but_a_foreign_folder_is_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("sim");
    simulate("2021", &out).succeeds();
    let first = fs::read_dir(out.join("messages")).unwrap().count();
    simulate("2021", &out).succeeds();
    assert_eq!(fs::read_dir(out.join("messages")).unwrap().count(), first);

    let foreign = dir.path().join("notes");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("compte-rendu.txt"), "à garder").unwrap();
    let output = simulate("2021", &foreign);
    output.expect_code(2);
    assert!(output.stderr().contains("not empty"), "{}", output.stderr());
    assert_eq!(
        fs::read_to_string(foreign.join("compte-rendu.txt")).unwrap(),
        "à garder"
    );
}

#[test]
fn script_mistakes_are_all_reported_with_their_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("script.yaml");
    fs::write(
        &script,
        "edition: 2024-2025\nsteps:\n  - {at: 2024-07-04 16:00, by: serge-dobel, do: complète, stage: diagnostic}\n  - {at: 2024-07-03, by: serge-dobel, do: complete, stage: diagnostic, participnt: atchoum}\n  - {by: serge-dobel, do: approve, stage: diagnostic}\n  - {at: 2024-13-01 10:00, by: referent-dg, do: approve, stage: diagnostic}\n",
    )
    .unwrap();
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(&[
            "simulate",
            root()
                .join("definitions/editions/2024-2025.yaml")
                .to_str()
                .unwrap(),
            "--script",
            "script.yaml",
            "--out",
            "out",
        ])
        .run();
    output.expect_code(2);
    insta::assert_snapshot!("simulate-script-errors", output.stderr());
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn an_unexpected_refusal_fails_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("script.yaml");
    fs::write(
        &script,
        "steps:\n  - {at: 2024-07-04 16:00, by: referent-dg, do: approve, stage: diagnostic}\n",
    )
    .unwrap();
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(&[
            "simulate",
            root()
                .join("definitions/editions/2024-2025.yaml")
                .to_str()
                .unwrap(),
            "--script",
            "script.yaml",
            "--out",
            "out",
        ])
        .run();
    output.expect_code(1);
    assert!(
        output.stderr().contains(
            "script.yaml:2: approve was refused: `diagnostic` is open: there is nothing to approve"
        ),
        "{}",
        output.stderr()
    );
}

#[test]
fn a_refusal_for_another_reason_than_the_script_says_fails_the_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |expect: &str| {
        fs::write(
            dir.path().join("script.yaml"),
            format!("steps:\n  - {{at: 2024-07-04 16:00, by: referent-dg, do: approve, stage: diagnostic, expect: {expect}}}\n"),
        )
        .unwrap();
        Jalon::new()
            .current_dir(dir.path())
            .args(&[
                "simulate",
                root()
                    .join("definitions/editions/2024-2025.yaml")
                    .to_str()
                    .unwrap(),
                "--script",
                "script.yaml",
                "--out",
                "out",
            ])
            .run()
    };
    // The reason, in English or in French words: as expected.
    run("{rejected: \"nothing to approve\"}").succeeds();
    run("{rejected: \"rien à valider\"}").succeeds();
    // Refused, but not for that.
    let other = run("{rejected: \"not on the jury\"}");
    other.expect_code(1);
    assert!(
        other.stderr().contains(
            "script.yaml:2: approve was refused, as expected, but not for « not on the jury »: `diagnostic` is open: there is nothing to approve"
        ),
        "{}",
        other.stderr()
    );
    // A malformed expectation is a script mistake, at its place.
    let malformed = run("{rejected: 3}");
    malformed.expect_code(2);
    assert!(
        malformed
            .stderr()
            .contains("`expect` is `accepted`, `rejected` or `{rejected: WHY}`"),
        "{}",
        malformed.stderr()
    );
}

#[test]
fn an_english_laureate_reads_english_with_english_dates() {
    // The real 2024-2025 edition, with one laureate's contact reading English.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("sim");
    let output = Jalon::new()
        .current_dir(root())
        .args(&[
            "simulate",
            "tests/fixtures/english.yaml",
            "--script",
            "definitions/simulations/2024-2025.yaml",
            "--out",
            out.to_str().expect("utf-8 path"),
        ])
        .run();
    output.succeeds();
    let mut english = 0;
    for entry in fs::read_dir(out.join("messages")).expect("messages folder") {
        let path = entry.expect("entry").path();
        let bytes = fs::read(&path).expect("eml");
        let message = MessageParser::default().parse(&bytes).expect("parses");
        let to = message
            .to()
            .and_then(|t| t.first())
            .and_then(|a| a.address())
            .expect("a To")
            .to_owned();
        let body = message.body_text(0).expect("a text body").into_owned();
        let html = message.body_html(0).expect("an HTML body").into_owned();
        if to == "atchoum@example.org" {
            english += 1;
            assert!(body.starts_with("Hello "), "{}: {body}", path.display());
            assert!(html.contains("<html lang=\"en\">"), "{html}");
            let french = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", " h "];
            assert!(
                !french.iter().any(|w| body.contains(w)),
                "{}: {body}",
                path.display()
            );
            if path.to_string_lossy().contains("-invitation-") {
                assert!(body.contains(" at 9:"), "{body}");
            }
        } else {
            assert!(body.starts_with("Bonjour "), "{}: {body}", path.display());
        }
    }
    assert!(english >= 5, "{english} messages to the English reader");
}
