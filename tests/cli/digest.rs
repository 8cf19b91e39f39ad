//! Periodic digests: the latest firing is sent once (also after downtime),
//! missed older firings are not, and the text says what is late, what
//! awaits whom and what falls due soon, in the reader's language.

use jalon_message::typography::french;
use std::path::Path;

use crate::fixtures;
use crate::support::Jalon;

/// The delivery fixture with a Monday 08:00 digest to the coordination.
fn edition(dir: &Path) {
    let definitions = dir.join("definitions");
    std::fs::create_dir_all(&definitions).expect("a definitions folder");
    let mut text = std::fs::read_to_string(fixtures().join("smtp/smtp.yaml")).expect("the fixture");
    text.push_str("digests:\n  - {id: weekly, schedule: \"0 8 * * 1\", to: [coordination]}\n");
    std::fs::write(definitions.join("essai.yaml"), text).expect("the edition written");
}

fn send_at(dir: &Path, at: &str) -> String {
    let output = Jalon::new()
        .current_dir(dir)
        .args(&[
            "send",
            "essai",
            "--folder",
            "out",
            "--db",
            "jalon.db",
            "--definitions",
            "definitions",
            "--at",
            at,
        ])
        .run();
    // The fixture's rejected address only fails over SMTP: the folder takes all.
    assert_eq!(
        output.code(),
        Some(0),
        "{}{}",
        output.stdout(),
        output.stderr()
    );
    output.stdout()
}

/// (subject, text body, Message-ID) of every digest in the folder, oldest first.
fn digests(dir: &Path) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir.join("out")).expect("the .eml folder") {
        let bytes = std::fs::read(entry.expect("an entry").path()).expect("an .eml file");
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("a parsable email");
        let subject = message.subject().unwrap_or_default().to_owned();
        if subject.starts_with("Point ") {
            found.push((
                subject,
                message.body_text(0).unwrap_or_default().into_owned(),
                message.message_id().unwrap_or_default().to_owned(),
            ));
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found
}

#[test]
fn the_latest_firing_is_sent_once_with_what_is_late_and_awaited() {
    let dir = tempfile::tempdir().unwrap();
    edition(dir.path());

    // Monday 10 March 08:00: the seminar and the four roadmaps fall due within the week.
    send_at(dir.path(), "2025-03-10 09:00");
    let sent = digests(dir.path());
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (subject, text, _) = &sent[0];
    assert_eq!(
        subject,
        "Point Édition d’essai\u{a0}: 0 en retard, 0 validation en attente"
    );
    assert!(text.starts_with("Bonjour Ana Martin,"), "{text}");
    // Where to act on it: the edition's page in the workspace (a button in HTML).
    assert!(
        text.contains("Tableau de bord\u{a0}: http://127.0.0.1:8080/editions/essai"),
        "{text}"
    );
    assert!(
        text.contains(&french("le point du lundi 10 mars 2025")),
        "{text}"
    );
    assert!(
        text.contains("Échéances des 7 prochains jours (5)"),
        "{text}"
    );
    assert!(
        text.contains(&french(
            "- Feuille de route — Atelier Un, le lundi 17 mars 2025 — par Ana Martin"
        )),
        "{text}"
    );

    // The same instant again: that firing is already queued.
    let again = send_at(dir.path(), "2025-03-10 09:30");
    assert!(again.starts_with("0 newly due"), "{again}");
    assert_eq!(digests(dir.path()).len(), 1);

    // Down from then until Tuesday 25 March: of the firings of the 17th and
    // the 24th only the latest goes out, and says the roadmaps and the
    // seminar (nobody marked it done) are late.
    send_at(dir.path(), "2025-03-25 10:00");
    let sent = digests(dir.path());
    assert_eq!(sent.len(), 2, "{sent:?}");
    let (subject, text, _) = &sent[1];
    assert_eq!(
        subject,
        "Point Édition d’essai\u{a0}: 5 en retard, 0 validation en attente"
    );
    assert!(
        text.contains(&french("le point du mardi 25 mars 2025")),
        "{text}"
    );
    assert!(text.contains("En retard (5)"), "{text}");
    assert!(
        text.contains(&french("- Feuille de route — Atelier Deux, échéance le lundi 17 mars 2025 — attendu de Ana Martin")),
        "{text}"
    );

    let outbox = Jalon::new()
        .current_dir(dir.path())
        .args(&[
            "outbox",
            "essai",
            "--db",
            "jalon.db",
            "--definitions",
            "definitions",
        ])
        .run()
        .stdout();
    assert!(
        outbox.contains("essai/digest/weekly/2025-03-10T08:00/person:ana"),
        "{outbox}"
    );
    assert!(
        outbox.contains("essai/digest/weekly/2025-03-24T08:00/person:ana"),
        "{outbox}"
    );
    assert!(!outbox.contains("2025-03-17T08:00"), "{outbox}");
}

#[test]
fn no_digest_after_the_edition_and_a_stale_one_expires() {
    let dir = tempfile::tempdir().unwrap();
    edition(dir.path());
    // The edition ended on Friday 19 December 2025. Its last firing, Monday
    // the 15th, was good until the next one (the 22nd): now it is stale.
    send_at(dir.path(), "2025-12-23 09:00");
    assert!(!dir.path().join("out").exists() || digests(dir.path()).is_empty());
    let outbox = Jalon::new()
        .current_dir(dir.path())
        .args(&[
            "outbox",
            "essai",
            "--db",
            "jalon.db",
            "--definitions",
            "definitions",
        ])
        .run()
        .stdout();
    let line = outbox
        .lines()
        .find(|l| l.contains("essai/digest/weekly/2025-12-15T08:00/person:ana"))
        .unwrap_or_else(|| panic!("{outbox}"));
    assert!(line.contains("expired"), "{line}");
    assert!(!outbox.contains("2025-12-22T08:00"), "{outbox}");
}

#[test]
fn a_reader_of_english_gets_it_in_english() {
    let dir = tempfile::tempdir().unwrap();
    edition(dir.path());
    let file = dir.path().join("definitions/essai.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "email: ana@example.org,",
        "email: ana@example.org, language: en,",
    );
    std::fs::write(&file, text).unwrap();
    send_at(dir.path(), "2025-03-25 10:00");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("out")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let message = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        if message.subject().unwrap_or_default().contains("digest") {
            found.push(message.body_text(0).unwrap_or_default().into_owned());
            assert_eq!(
                message.subject(),
                Some("Édition d'essai digest: 5 late, 0 awaiting validation")
            );
        }
    }
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("Here is where \"Édition d'essai\" (Programme d'essai) stands on Tuesday 25 March 2025."), "{}", found[0]);
    assert!(
        found[0].contains(
            "- Feuille de route — Atelier Un, due Monday 17 March 2025 — waiting for Ana Martin"
        ),
        "{}",
        found[0]
    );
}

/// A schedule that can never fire (31 February) or a number written `+5`
/// is refused where it is written, not accepted and silently never sent.
#[test]
fn a_schedule_that_never_fires_is_refused_where_it_is_written() {
    let dir = tempfile::tempdir().expect("a folder");
    let base = std::fs::read_to_string(fixtures().join("smtp/smtp.yaml")).expect("the fixture");
    for (schedule, found) in [
        ("0 9 31 2 *", "never fires"),
        ("+5 8 * * 1", "not a number"),
    ] {
        let text = format!(
            "{base}digests:\n  - {{id: weekly, schedule: \"{schedule}\", to: [coordination]}}\n"
        );
        std::fs::write(dir.path().join("essai.yaml"), text).expect("written");
        let checked = Jalon::new()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "essai.yaml"])
            .run();
        checked.expect_code(1);
        let report = checked.json();
        let problem = report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["code"] == "invalid-schedule")
            .unwrap_or_else(|| panic!("{schedule}: {report}"));
        assert!(
            problem["message"]
                .as_str()
                .is_some_and(|m| m.contains(found)),
            "{problem}"
        );
        assert!(problem["line"].is_u64(), "located: {problem}");
    }
}
