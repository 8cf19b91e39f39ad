//! The emails people receive, read by tools we did not write: every kind of
//! message of every shipped simulation (and one that merges several) scored
//! by SpamAssassin with its standard rules, rendered by Chromium at a
//! phone's width (screenshots kept in `target/screenshots/email-*.png`),
//! their French text checked for its typography; DKIM signatures verified
//! by dkimpy.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use mail_parser::{Message, MessageParser, MimeHeaders};

use crate::browser::Browser;
use crate::servers::installed;
use crate::support::Jalon;
use crate::{fixtures, root, EDITIONS};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// A phone's CSS width (a Pixel 7, the workspace tests' own).
const PHONE: u32 = 412;

/// The highest SpamAssassin score an email may have.
const SPAM_LIMIT: f64 = 2.0;

/// Every shipped simulation: (edition, kind, email file). One email per kind
/// of message (the first), and the first email that carries several.
fn one_of_each_kind(out: &Path) -> Vec<(String, String, PathBuf)> {
    let mut chosen = Vec::new();
    for edition in EDITIONS
        .iter()
        .chain(&["exemple-2027", "exemple-appel-2027"])
    {
        let dir = out.join(edition);
        Jalon::new()
            .current_dir(root())
            .args([
                "simulate",
                &format!("definitions/editions/{edition}.yaml"),
                "--script",
                &format!("definitions/simulations/{edition}.yaml"),
                "--out",
                dir.to_str().expect("a UTF-8 path"),
            ])
            .run()
            .succeeds();
        let outbox = std::fs::read_to_string(dir.join("outbox.jsonl")).expect("the outbox");
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        let mut carried: BTreeMap<String, usize> = BTreeMap::new();
        for line in outbox.lines() {
            let line: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let file = line["file"].as_str().expect("a file").to_owned();
            let kind = line["kind"].as_str().expect("a kind").to_owned();
            *carried.entry(file.clone()).or_insert(0) += 1;
            first.entry(kind).or_insert(file);
        }
        if let Some((file, _)) = carried.iter().find(|(_, n)| **n > 1) {
            first.insert("grouped".to_owned(), file.clone());
        }
        for (kind, file) in first {
            chosen.push((edition.to_string(), kind, dir.join(file)));
        }
    }
    assert!(chosen.len() > 30, "{chosen:?}");
    chosen
}

fn parsed(path: &Path) -> Message<'static> {
    let bytes = std::fs::read(path).expect("an email file");
    MessageParser::default()
        .parse(&bytes)
        .unwrap_or_else(|| panic!("{} does not parse", path.display()))
        .into_owned()
}

/// The text of the message's first part of type `text/SUBTYPE`.
fn part_of<'a>(message: &'a Message<'_>, subtype: &str) -> Option<&'a str> {
    message
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.c_subtype.as_deref() == Some(subtype))
        })
        .and_then(|p| p.text_contents())
}

fn html_of<'a>(message: &'a Message<'_>) -> &'a str {
    part_of(message, "html").expect("a text/html part")
}

/// Where French typography is broken: an ordinary space before `:`, `;`,
/// `!`, `?` or `»`, or after `«`, outside web addresses.
fn typography_faults(text: &str) -> Vec<String> {
    let mut faults = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line
            .split(' ')
            .filter(|w| !w.contains("://") && !w.starts_with("mailto:"))
            .collect();
        let line = words.join(" ");
        for bad in [" :", " ;", " !", " ?", " »", "« "] {
            if line.contains(bad) {
                faults.push(format!("{bad:?} in {line:?}"));
            }
        }
    }
    faults
}

#[test]
fn every_kind_of_email_reads_on_a_phone_in_french_typography() {
    let out = tempfile::tempdir().expect("a folder");
    let emails = one_of_each_kind(out.path());
    let pages = root().join("target/screenshots/emails");
    std::fs::create_dir_all(&pages).expect("a folder for the pages");
    let browser = Browser::start();
    for (edition, kind, path) in &emails {
        let message = parsed(path);
        let text = message
            .body_text(0)
            .expect("a text part")
            .replace("\r\n", "\n");
        let subject = message.subject().unwrap_or_default();
        let faults = typography_faults(&format!("{subject}\n{text}"));
        assert!(faults.is_empty(), "{edition} {kind}: {faults:#?}");
        assert!(text.contains("\n-- \n"), "{edition} {kind}: signed\n{text}");

        let html = html_of(&message);
        let page = pages.join(format!("{edition}-{kind}.html"));
        std::fs::write(&page, html).expect("the page written");
        browser.goto(&format!("file://{}", page.display()));
        browser.set_width(PHONE);
        browser.no_horizontal_scroll();
        browser.screenshot(&format!("email-{edition}-{kind}"), PHONE);
        // Each link of a button is one the text part gives in full.
        let buttons = browser.execute(
            "return [...document.querySelectorAll('table[role=presentation] a')]\
             .map(a => [a.textContent, a.getAttribute('href')]);",
            vec![],
        );
        let buttons = buttons.as_array().expect("a list");
        for button in buttons {
            let href = button[1].as_str().expect("an address");
            assert!(
                text.contains(href),
                "{edition} {kind}: {href} not in the text"
            );
        }
        if kind == "validation_request" {
            let labels: Vec<&str> = buttons.iter().filter_map(|b| b[0].as_str()).collect();
            assert_eq!(
                labels,
                ["Valider", "Demander des modifications"],
                "{edition}"
            );
        }
    }
}

/// SpamAssassin's score of an email, and the rules that made it.
fn spam_score(path: &Path) -> (f64, String) {
    let email = std::fs::File::open(path).expect("an email file");
    let output = Command::new("spamassassin")
        .args(["-L", "-t"])
        .stdin(email)
        .output()
        .expect("spamassassin runs");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    let details = report
        .split("Content analysis details:")
        .nth(1)
        .unwrap_or_else(|| panic!("no SpamAssassin report for {}", path.display()));
    let score: f64 = details
        .trim_start()
        .trim_start_matches('(')
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no score in {details}"));
    (score, details.to_owned())
}

#[test]
fn spamassassin_scores_every_kind_of_email_below_two() {
    installed();
    let out = tempfile::tempdir().expect("a folder");
    let emails = one_of_each_kind(out.path());
    let scores: Vec<(f64, String, String)> = std::thread::scope(|scope| {
        let halves: Vec<_> = emails
            .chunks(emails.len().div_ceil(2))
            .map(|half| {
                scope.spawn(move || {
                    half.iter()
                        .map(|(edition, kind, path)| {
                            let (score, report) = spam_score(path);
                            (score, format!("{edition} {kind}"), report)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| h.join().expect("scored"))
            .collect()
    });
    let worst = scores
        .iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("scores");
    println!(
        "SpamAssassin: {} emails, highest {:.1} ({}):{}",
        scores.len(),
        worst.0,
        worst.1,
        worst.2
    );
    for (score, which, report) in &scores {
        assert!(*score < SPAM_LIMIT, "{which}: {score}{report}");
    }
}

/// A fresh 2048-bit RSA key, as `openssl genrsa` writes it (PKCS#8), and
/// its DNS TXT record.
fn dkim_key(dir: &Path) -> (PathBuf, String) {
    let key = dir.join("dkim.pem");
    let made = Command::new("openssl")
        .args(["genrsa", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let public = Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .expect("openssl runs");
    assert!(public.status.success());
    let record = format!("v=DKIM1; k=rsa; p={}", STANDARD.encode(&public.stdout));
    (key, record)
}

/// `jalon send` on the delivery fixture's first day into `folder`.
fn send_signed(dir: &Path, folder: &Path, key: &Path, at: &str) -> crate::support::Run {
    Jalon::new()
        .args(["send", "essai", "--at", at, "--definitions"])
        .arg(fixtures().join("smtp"))
        .arg("--db")
        .arg(dir.join("jalon.db"))
        .arg("--folder")
        .arg(folder)
        .arg("--dkim-key")
        .arg(key)
        .args(["--dkim-selector", "jalon2026"])
        .run()
}

#[test]
fn dkim_signatures_verify_with_dkimpy_and_a_changed_email_does_not() {
    let servers = installed();
    let dir = tempfile::tempdir().expect("a folder");
    let (key, record) = dkim_key(dir.path());
    let folder = dir.path().join("sent");
    let sent = send_signed(dir.path(), &folder, &key, "2025-03-03 10:00");
    sent.succeeds();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("the folder")
        .map(|f| f.expect("a file").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 11, "{}", sent.stdout());
    // Copies changed on the way: a subject, a body.
    let original = std::fs::read_to_string(&files[0]).expect("an email");
    let subject = original
        .lines()
        .find(|l| l.starts_with("Subject: "))
        .expect("a subject");
    let changed_subject = dir.path().join("changed-subject.eml");
    std::fs::write(
        &changed_subject,
        original.replacen(subject, "Subject: Autre chose", 1),
    )
    .expect("written");
    let changed_body = dir.path().join("changed-body.eml");
    let (head, body) = original.split_once("\r\n\r\n").expect("a body");
    std::fs::write(&changed_body, format!("{head}\r\n\r\nX{body}")).expect("written");
    files.push(changed_subject.clone());
    files.push(changed_body.clone());

    let verified = Command::new(servers.join("venv/bin/python"))
        .arg(root().join("tests/servers/dkim_verify.py"))
        .arg(&record)
        .args(&files)
        .output()
        .expect("dkimpy runs");
    let said = String::from_utf8_lossy(&verified.stdout).into_owned();
    assert!(
        verified.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let verdicts: Vec<&str> = said.lines().collect();
    assert_eq!(verdicts.len(), files.len(), "{said}");
    for (verdict, file) in verdicts.iter().zip(&files) {
        let changed = *file == changed_subject || *file == changed_body;
        let expected = if changed { "fail" } else { "pass" };
        assert!(verdict.starts_with(expected), "{said}");
        // Looked up under the selector, in the sender's domain.
        assert!(
            verdict.ends_with("jalon2026._domainkey.jalon.invalid."),
            "{verdict}"
        );
    }
}

#[test]
fn a_dkim_key_that_is_not_one_or_lacks_its_selector_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().expect("a folder");
    let folder = dir.path().join("sent");
    std::fs::write(dir.path().join("bad.pem"), "not a key").expect("written");
    let refused = send_signed(
        dir.path(),
        &folder,
        &dir.path().join("bad.pem"),
        "2025-03-03 10:00",
    );
    assert_ne!(refused.code(), Some(0));
    assert!(
        refused
            .stderr()
            .contains("is not an RSA private key in PEM"),
        "{}",
        refused.stderr()
    );
    assert!(!folder.exists(), "nothing sent");

    // The daemon's settings say both faults at their place.
    let daemon = Jalon::new()
        .current_dir(dir.path())
        .args(["daemon", "--dkim-key"])
        .arg(dir.path().join("bad.pem"))
        .run();
    daemon.expect_code(2);
    assert!(
        daemon.stderr().contains("a DKIM key without its selector"),
        "{}",
        daemon.stderr()
    );
    let daemon = Jalon::new()
        .current_dir(dir.path())
        .args(["daemon", "--dkim-selector", "jalon2026", "--dkim-key"])
        .arg(dir.path().join("bad.pem"))
        .run();
    daemon.expect_code(2);
    assert!(
        daemon.stderr().contains("is not an RSA private key in PEM"),
        "{}",
        daemon.stderr()
    );
}

/// The delivery fixture with a template for cancellations, in `dir`.
fn with_cancellations(dir: &Path) -> PathBuf {
    let definitions = dir.join("definitions");
    std::fs::create_dir_all(&definitions).expect("a folder");
    let text = std::fs::read_to_string(fixtures().join("smtp/smtp.yaml")).expect("the fixture");
    let text = text.replace(
        "messages:\n  stage_opened: ouverture",
        "  - id: annulation\n    subject: \"Annulé : {{ event }} — {{ event_date }}\"\n    body: |\n      Bonjour {{ recipient }},\n\n      {% if event_cancelled %}« {{ event }} » n'aura pas lieu.{% if comment %}\n      Motif : {{ comment }}{% endif %}{% else %}{{ participant }} a quitté le programme.{% endif %}\nmessages:\n  invitation_cancelled: annulation\n  stage_opened: ouverture",
    );
    std::fs::write(definitions.join("essai.yaml"), text).expect("written");
    definitions
}

#[test]
fn an_event_called_off_is_withdrawn_from_every_calendar_that_had_it_with_the_reason() {
    let dir = tempfile::tempdir().expect("a folder");
    let definitions = with_cancellations(dir.path());
    let jalon = |args: &[&str]| {
        Jalon::new()
            .args(args)
            .arg("--definitions")
            .arg(&definitions)
            .arg("--db")
            .arg(dir.path().join("jalon.db"))
            .run()
    };
    let folder = |name: &str| dir.path().join(name).to_str().expect("UTF-8").to_owned();
    jalon(&[
        "send",
        "essai",
        "--at",
        "2025-03-03 10:00",
        "--folder",
        &folder("first"),
    ])
    .succeeds();

    // Refused, with what is wrong: an unknown event, then (after it is
    // called off) the same again, and one that already took place.
    let unknown = jalon(&[
        "cancel-event",
        "essai",
        "lancement",
        "--event",
        "pot",
        "--by",
        "ana",
        "--at",
        "2025-03-05 10:00",
    ]);
    unknown.expect_code(1);
    assert!(
        unknown
            .stderr()
            .contains("`pot` is not an event of `lancement`: `lancement`"),
        "{}",
        unknown.stderr()
    );
    jalon(&[
        "cancel-event",
        "essai",
        "lancement",
        "--event",
        "lancement",
        "--by",
        "ana",
        "--at",
        "2025-03-05 10:00",
        "--reason",
        "Salle indisponible",
    ])
    .succeeds();
    let again = jalon(&[
        "cancel-event",
        "essai",
        "lancement",
        "--event",
        "lancement",
        "--by",
        "ana",
        "--at",
        "2025-03-05 11:00",
    ]);
    again.expect_code(1);
    assert!(
        again.stderr().contains("`lancement` was already cancelled"),
        "{}",
        again.stderr()
    );

    let sent = jalon(&[
        "send",
        "essai",
        "--at",
        "2025-03-05 10:10",
        "--folder",
        &folder("second"),
    ]);
    sent.succeeds();
    let mut invited: Vec<String> = Vec::new();
    for file in std::fs::read_dir(dir.path().join("first")).expect("the first folder") {
        let message = parsed(&file.expect("a file").path());
        if message
            .subject()
            .unwrap_or_default()
            .starts_with("Invitation")
        {
            let to = message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address());
            invited.push(to.unwrap_or_default().to_owned());
        }
    }
    let mut told: Vec<String> = Vec::new();
    for file in std::fs::read_dir(dir.path().join("second")).expect("the second folder") {
        let message = parsed(&file.expect("a file").path());
        let to = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address());
        told.push(to.unwrap_or_default().to_owned());
        let text = message.body_text(0).expect("a text part");
        assert!(text.contains("n’aura pas lieu"), "{text}");
        assert!(text.contains("Motif\u{a0}: Salle indisponible"), "{text}");
        let calendar = part_of(&message, "calendar")
            .expect("a calendar part")
            .to_owned();
        let parsed = ical::IcalParser::new(calendar.as_bytes())
            .next()
            .expect("a calendar")
            .expect("it parses");
        let method = parsed
            .properties
            .iter()
            .find(|p| p.name == "METHOD")
            .and_then(|p| p.value.clone());
        assert_eq!(method.as_deref(), Some("CANCEL"));
        let event = &parsed.events[0];
        let property = |name: &str| {
            event
                .properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
        };
        assert_eq!(
            property("UID").as_deref(),
            Some("essai.lancement.lancement@jalon.invalid")
        );
        assert_eq!(property("SEQUENCE").as_deref(), Some("1"));
        assert_eq!(property("STATUS").as_deref(), Some("CANCELLED"));
    }
    invited.sort();
    told.sort();
    assert_eq!(invited.len(), 5);
    assert_eq!(told, invited, "everyone invited, and no one else");

    // Past its start, an event can no longer be called off (another
    // database, where it was not).
    let passed = Jalon::new()
        .args([
            "cancel-event",
            "essai",
            "lancement",
            "--event",
            "lancement",
            "--by",
            "ana",
            "--at",
            "2025-03-11 10:00",
            "--definitions",
        ])
        .arg(&definitions)
        .arg("--db")
        .arg(dir.path().join("other.db"))
        .run();
    passed.expect_code(1);
    assert!(
        passed.stderr().contains(
            "`lancement` began on 2025-03-10 09:30: an event that took place cannot be cancelled"
        ),
        "{}",
        passed.stderr()
    );
}
