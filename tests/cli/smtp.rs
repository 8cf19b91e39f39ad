//! `jalon send` over real SMTP: messages arrive whole, failures are retried
//! or reported as they should be, nothing is sent twice. The edition is
//! `tests/fixtures/smtp/smtp.yaml`: on 3 March 2025, 14 messages fall due
//! (two of them to `rejected@example.org`), in 11 emails: the coordinator's
//! four roadmap openings, due together, go as one.

use std::collections::BTreeMap;
use std::path::Path;

use mail_parser::{MessageParser, MimeHeaders};

use crate::fixtures;
use crate::servers::{free_port, PostfixSink, Sink};
use crate::support::{Jalon, Run};

const FIRST_DAY: &str = "2025-03-03 10:00";
/// Emails of the first day (its 14 messages, the coordinator's 4 as one).
const ALL: usize = 11;

/// `jalon ARGS… --definitions tests/fixtures/smtp --db DB`.
fn run(db: &Path, args: &[&str]) -> Run {
    Jalon::new()
        .args(args)
        .arg("--definitions")
        .arg(fixtures().join("smtp"))
        .arg("--db")
        .arg(db)
        .run()
}

fn send(db: &Path, url: &str, at: &str, extra: &[&str]) -> Run {
    let mut args = vec!["send", "essai", "--smtp", url, "--at", at];
    args.extend(extra);
    run(db, &args)
}

/// `jalon outbox essai ARGS…`, which must succeed.
fn outbox(db: &Path, args: &[&str]) -> String {
    let mut all = vec!["outbox", "essai"];
    all.extend(args);
    run(db, &all).succeeds().stdout()
}

fn report(output: &Run) -> String {
    format!("{}{}", output.stdout(), output.stderr())
}

/// How many times each Message-ID was accepted.
fn ids(accepted: &[serde_json::Value]) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for message in accepted {
        let id = message["message_id"]
            .as_str()
            .expect("every message has a Message-ID")
            .to_owned();
        *seen.entry(id).or_insert(0) += 1;
    }
    seen
}

/// With a relay that takes commands pipelined (RFC 2920) and one that
/// does not, the same outcome.
#[test]
fn messages_arrive_whole_and_a_rejected_address_blocks_nothing() {
    for pipelining in [&[][..], &["--pipelining"]] {
        arrive_whole_and_a_rejected_address_blocks_nothing(pipelining);
    }
}

fn arrive_whole_and_a_rejected_address_blocks_nothing(options: &[&str]) {
    let mut options = options.to_vec();
    options.extend(["--reject", "rejected@example.org"]);
    let sink = Sink::start(0, &options);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = dir.path().join("jalon.db");

    let output = send(&db, &sink.url(), FIRST_DAY, &[]);
    let text = report(&output);
    assert_eq!(output.code(), Some(1), "a final failure exits 1: {text}");
    assert!(
        text.starts_with("14 newly due, 12 sent, 0 to retry, 2 failed, 0 expired"),
        "{text}"
    );
    assert!(text.contains("contact:p3"), "{text}");
    assert!(text.contains("550"), "the server's answer is shown: {text}");
    assert!(
        text.contains("2 notice(s) of these failures sent to the coordinators"),
        "{text}"
    );

    let accepted = sink.accepted();
    // 12 messages in 9 emails, and the coordinator's 2 notices of the failures.
    assert_eq!(accepted.len(), 11, "{accepted:#?}");
    assert!(ids(&accepted).values().all(|&n| n == 1), "no duplicate");
    let mut invitations = 0;
    for record in &accepted {
        let data = record["data"].as_str().expect("the message text");
        let message = MessageParser::default()
            .parse(data.as_bytes())
            .expect("a parsable message");
        let to = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address());
        assert_eq!(
            record["rcpt_tos"][0].as_str(),
            to,
            "envelope and header agree"
        );
        assert_eq!(
            record["message_id"]
                .as_str()
                .map(|i| i.trim_matches(['<', '>'])),
            message.message_id(),
        );
        assert!(message.date().is_some());
        assert_eq!(
            message.header_raw("Auto-Submitted").map(str::trim),
            Some("auto-generated")
        );
        let subject = message.subject().expect("a subject");
        assert!(!subject.contains("=?"), "subject decoded: {subject}");
        if let Some(calendar) = message.parts.iter().find(|p| {
            p.content_type()
                .is_some_and(|c| c.subtype() == Some("calendar"))
        }) {
            invitations += 1;
            let ics = calendar.text_contents().expect("calendar text");
            let parsed = ical::IcalParser::new(ics.as_bytes())
                .next()
                .expect("a calendar")
                .expect("that parses");
            let event = &parsed.events[0];
            let property = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
            };
            assert_eq!(property("SEQUENCE").as_deref(), Some("0"));
            // 10 March 2025 09:30 in Paris (UTC+1).
            assert!(
                property("DTSTART").is_some_and(|d| d.starts_with("20250310T083000")),
                "{:?}",
                property("DTSTART")
            );
        }
    }
    // Everyone invited but the rejected address: the coordinator, 3 laureates.
    assert_eq!(invitations, 4);
    let notices: Vec<_> = accepted
        .iter()
        .filter_map(|r| r["data"].as_str())
        .filter(|d| d.contains("rejected@example.org"))
        .collect();
    assert_eq!(notices.len(), 2, "the coordinator hears of both failures");
    let notice = MessageParser::default()
        .parse(notices[0].as_bytes())
        .expect("the notice parses");
    assert!(notice
        .subject()
        .unwrap_or("")
        .starts_with("Message non remis"));
    assert!(notice.body_text(0).unwrap_or_default().contains("550"));

    // The coordinator can see what bounced, and why.
    let failed = outbox(&db, &["--status", "failed"]);
    assert!(
        failed.contains("16 messages (0 pending, 14 sent, 2 failed, 0 expired)"),
        "{failed}"
    );
    assert_eq!(failed.matches("contact:p3").count(), 4, "{failed}");
    assert_eq!(failed.matches("last answer:").count(), 2, "{failed}");
    assert!(failed.contains("550"), "{failed}");

    // Nothing is sent twice.
    let again = send(&db, &sink.url(), FIRST_DAY, &[]);
    again.succeeds();
    assert!(
        again.stdout().starts_with("0 newly due, 0 sent"),
        "{}",
        report(&again)
    );
    assert_eq!(sink.accepted().len(), 11);
}

#[test]
fn a_temporary_failure_is_retried_later_and_delivered_once() {
    let sink = Sink::start(0, &["--tempfail-first", "9"]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");

    // One connection, so that the order is known: the four laureates' own
    // two emails each, then the coordinator's, the first of them merging
    // four messages. The first nine emails fail: every laureate's and the
    // merged one, twelve messages.
    let one = ["--connections", "1"];
    let first = send(&db, &sink.url(), FIRST_DAY, &one);
    let text = report(&first);
    assert_eq!(first.code(), Some(0), "{text}");
    assert!(
        text.starts_with("14 newly due, 2 sent, 12 to retry"),
        "{text}"
    );
    assert!(text.contains("451"), "{text}");
    assert_eq!(sink.accepted().len(), 2);
    let waiting = outbox(&db, &["--status", "pending"]);
    assert_eq!(
        waiting.matches("next attempt from").count(),
        12,
        "{waiting}"
    );
    assert_eq!(waiting.matches("last answer: ").count(), 12, "{waiting}");
    assert_eq!(
        waiting.matches("/opened/person:ana").count(),
        4,
        "the merged email's four messages wait together: {waiting}"
    );

    // Not before its backoff.
    let early = send(&db, &sink.url(), "2025-03-03 10:00", &one);
    assert!(
        early.stdout().starts_with("0 newly due, 0 sent"),
        "{}",
        report(&early)
    );

    let later = send(&db, &sink.url(), "2025-03-03 13:00", &one);
    assert!(
        later
            .stdout()
            .starts_with("0 newly due, 12 sent, 0 to retry"),
        "{}",
        report(&later)
    );
    let accepted = sink.accepted();
    assert_eq!(accepted.len(), ALL);
    assert_eq!(ids(&accepted).len(), ALL, "each message exactly once");
}

#[test]
fn a_server_that_is_down_then_back_gets_everything_once() {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");

    // A relay down: said (exit 1, for cron to mail it), but no message
    // failed; they all wait.
    let down = send(&db, &url, FIRST_DAY, &[]);
    let text = report(&down);
    assert_eq!(down.code(), Some(1), "{text}");
    assert!(text.starts_with("14 newly due, 0 sent, "), "{text}");
    assert!(
        text.contains(" 0 failed"),
        "a server down is not final: {text}"
    );
    assert!(text.contains("cannot reach"), "{text}");
    assert!(text.contains("14 message(s) wait in the outbox"), "{text}");

    let sink = Sink::start(port, &[]);
    let back = send(&db, &url, "2025-03-03 14:00", &[]);
    assert!(
        back.stdout().starts_with("0 newly due, 14 sent"),
        "{}",
        report(&back)
    );
    let accepted = sink.accepted();
    assert_eq!(ids(&accepted).len(), ALL);
    assert_eq!(accepted.len(), ALL);
}

#[test]
fn a_message_past_its_expiry_is_not_sent() {
    let sink = Sink::start(0, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    // First run on 14 March: the seminar of 10 March is over, so its
    // invitations (and its opening notice) expired; the roadmap's opening
    // messages and reminders are late but still before its deadline.
    let late = send(&db, &sink.url(), "2025-03-14 10:00", &[]);
    let text = report(&late);
    assert_eq!(late.code(), Some(0), "{text}");
    assert!(
        text.starts_with("22 newly due, 16 sent, 0 to retry, 0 failed, 6 expired"),
        "{text}"
    );
    // 16 messages: the openings and reminders of four laureates, to them
    // (8 emails) and to the coordinator (2 emails, one for each kind).
    let accepted = sink.accepted();
    assert_eq!(accepted.len(), 10);
    assert!(
        accepted
            .iter()
            .all(|m| !m["data"].as_str().unwrap_or("").contains("text/calendar")),
        "no invitation to a past seminar"
    );
    // After the deadline, nothing is left to say.
    let dir = tempfile::tempdir().unwrap();
    let after = send(
        &dir.path().join("j.db"),
        &sink.url(),
        "2025-04-15 10:00",
        &[],
    );
    assert!(
        after
            .stdout()
            .starts_with("22 newly due, 0 sent, 0 to retry, 0 failed, 22 expired"),
        "{}",
        report(&after)
    );
    assert_eq!(sink.accepted().len(), 10);
}

#[test]
fn a_postponed_seminar_sends_an_invite_that_replaces_the_first() {
    let sink = Sink::start(0, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    let first = send(&db, &sink.url(), FIRST_DAY, &[]);
    first.succeeds();
    let postpone = run(
        &db,
        &[
            "postpone",
            "essai",
            "lancement",
            "--start",
            "2025-03-10",
            "--by",
            "ana",
            "--at",
            "2025-03-04 09:00",
        ],
    );
    postpone.succeeds();
    let second = send(&db, &sink.url(), "2025-03-04 09:30", &[]);
    second.succeeds();

    let invites: Vec<(String, String, String)> = sink
        .accepted()
        .iter()
        .filter_map(|r| r["data"].as_str())
        .filter_map(|data| {
            let message = MessageParser::default().parse(data.as_bytes())?;
            let to = message.to()?.first()?.address()?.to_owned();
            let part = message.parts.iter().find(|p| {
                p.content_type()
                    .is_some_and(|c| c.subtype() == Some("calendar"))
            })?;
            let ics = part.text_contents()?.to_owned();
            let calendar = ical::IcalParser::new(ics.as_bytes()).next()?.ok()?;
            let event = calendar.events.first()?;
            let get = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            Some((
                to,
                get("UID"),
                format!("{} {}", get("SEQUENCE"), get("DTSTART")),
            ))
        })
        .filter(|(to, ..)| to == "un@example.org")
        .collect();
    assert_eq!(invites.len(), 2, "{invites:#?}");
    assert_eq!(invites[0].1, invites[1].1, "same UID: the update replaces");
    assert!(invites[0].2.starts_with("0 20250310T083000"), "{invites:?}");
    assert!(invites[1].2.starts_with("1 20250317T083000"), "{invites:?}");
}

#[test]
fn the_rate_limit_spaces_messages_out() {
    let sink = Sink::start(0, &[]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    let start = std::time::Instant::now();
    let output = send(
        &db,
        &sink.url(),
        FIRST_DAY,
        &["--rate", "10", "--connections", "4"],
    );
    output.succeeds();
    // 11 emails at 10 per second take at least 1.0 s, however many
    // connections.
    assert!(start.elapsed() >= std::time::Duration::from_millis(1_000));
    assert_eq!(sink.accepted().len(), ALL);
}

#[test]
fn postfix_smtp_sink_takes_a_burst_over_several_connections() {
    let dump = tempfile::tempdir().unwrap();
    let template = dump.path().join("%M");
    let sink = PostfixSink::start(&["-d", template.to_str().expect("a UTF-8 path")]);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jalon.db");
    let output = send(&db, &sink.url(), FIRST_DAY, &["--connections", "4"]);
    assert!(
        output.stdout().starts_with("14 newly due, 14 sent"),
        "{}",
        report(&output)
    );
    // smtp-sink writes each message it accepted to its own file.
    let mut ids = std::collections::BTreeSet::new();
    for file in std::fs::read_dir(dump.path()).expect("the dump folder") {
        let text = std::fs::read_to_string(file.expect("a dump").path()).expect("a dump file");
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .expect("each message has its Message-ID");
        ids.insert(id.to_owned());
    }
    assert_eq!(ids.len(), ALL, "every message once");
}

#[test]
fn starttls_and_authentication_with_a_relay_certified_by_our_own_authority() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    let (cert_arg, key_arg) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let sink = Sink::start(
        0,
        &["--starttls", cert_arg, key_arg, "--auth", "jalon:s3cret"],
    );
    let db = dir.path().join("jalon.db");
    let relay = |credentials: &str| {
        format!(
            "smtp://{credentials}@localhost:{}?tls=required&ca={cert_arg}",
            sink.port
        )
    };

    // A wrong password is the relay's problem, not the messages': none
    // fails, all wait, and the password is never printed.
    let refused = send(&db, &relay("jalon:wrong"), FIRST_DAY, &[]);
    let text = report(&refused);
    assert_eq!(refused.code(), Some(1), "{text}");
    assert!(text.contains("535"), "the server's answer: {text}");
    assert!(text.contains("the relay failed"), "{text}");
    assert!(text.contains("14 message(s) wait in the outbox"), "{text}");
    assert!(
        !text.contains("wrong") && !text.contains("s3cret"),
        "{text}"
    );
    assert!(sink.accepted().is_empty());
    assert!(
        outbox(&db, &[]).contains("14 messages (14 pending, 0 sent, 0 failed"),
        "{}",
        outbox(&db, &[])
    );
    // The password fixed, the same database sends everything (once the
    // breaker's probe time has come).
    let fixed = send(&db, &relay("jalon:s3cret"), "2025-03-03 10:05", &[]);
    assert!(
        fixed.stdout().starts_with("0 newly due, 14 sent"),
        "{}",
        report(&fixed)
    );
    assert_eq!(ids(&sink.accepted()).len(), ALL);
    let sink = Sink::start(
        0,
        &["--starttls", cert_arg, key_arg, "--auth", "jalon:s3cret"],
    );
    let relay = |credentials: &str| {
        format!(
            "smtp://{credentials}@localhost:{}?tls=required&ca={cert_arg}",
            sink.port
        )
    };

    // Without the authority, the certificate is not trusted: nothing is sent
    // in clear, nothing recorded as sent.
    let db = dir.path().join("second.db");
    let untrusted = send(
        &db,
        &format!("smtp://jalon:s3cret@localhost:{}?tls=required", sink.port),
        FIRST_DAY,
        &[],
    );
    let text = report(&untrusted);
    assert!(text.starts_with("14 newly due, 0 sent, "), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    assert!(text.contains("certificate"), "says why: {text}");
    assert!(sink.accepted().is_empty());

    let db = dir.path().join("third.db");
    let sent = send(&db, &relay("jalon:s3cret"), FIRST_DAY, &[]);
    assert!(
        sent.stdout().starts_with("14 newly due, 14 sent"),
        "{}",
        report(&sent)
    );
    assert_eq!(ids(&sink.accepted()).len(), ALL);
}

/// Pipelining (RFC 2920) as an observer outside Jalon sees it: the
/// kernel's record of every write to the relay (strace). With Postfix's
/// smtp-sink, which offers PIPELINING, each email's envelope (MAIL FROM,
/// RCPT TO and DATA) goes in one write, and, when the connection already
/// carried an email, at the end of that email's content; with smtp-sink
/// told not to offer it (`-p`), each command goes alone, after the reply
/// to the one before. Either way every email arrives, once.
#[test]
fn the_envelope_goes_in_one_write_when_the_relay_offers_pipelining() {
    for offered in [true, false] {
        let dump = tempfile::tempdir().unwrap();
        let template = dump.path().join("%M");
        let mut options = vec!["-d", template.to_str().expect("a UTF-8 path")];
        if !offered {
            options.push("-p");
        }
        let sink = PostfixSink::start(&options);
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("jalon.db");
        let trace = dir.path().join("writes.strace");
        let url = sink.url();
        let output = Jalon::new()
            .args(["send", "essai", "--smtp", &url, "--at", FIRST_DAY])
            .args(["--connections", "2", "--definitions"])
            .arg(fixtures().join("smtp"))
            .arg("--db")
            .arg(&db)
            .under(
                "strace",
                &[
                    "-f",
                    "-qq",
                    "-e",
                    "trace=write,writev,sendto,sendmsg",
                    // Whole writes: an envelope may follow a content.
                    "-s",
                    "1000000",
                    "-o",
                    trace.to_str().expect("a UTF-8 path"),
                ],
            )
            .run();
        assert!(
            output.stdout().starts_with("14 newly due, 14 sent"),
            "{}",
            report(&output)
        );
        // strace shows the bytes written, CR and LF as `\r` and `\n`.
        let writes = std::fs::read_to_string(&trace).expect("strace's record");
        let smtp: Vec<&str> = writes
            .lines()
            .filter(|l| {
                ["MAIL FROM:", "RCPT TO:", "DATA\\r\\n"]
                    .iter()
                    .any(|c| l.contains(c))
            })
            .collect();
        let envelopes: Vec<&&str> = smtp.iter().filter(|l| l.contains("MAIL FROM:")).collect();
        assert_eq!(envelopes.len(), ALL, "one MAIL FROM per email: {smtp:#?}");
        let whole = |l: &&&str| l.contains("RCPT TO:") && l.contains("DATA\\r\\n");
        // A content's final dot, then the next envelope in the same write.
        let behind_content = |l: &str| l.contains("\\r\\n.\\r\\nMAIL FROM:");
        if offered {
            assert!(envelopes.iter().all(whole), "{smtp:#?}");
            assert_eq!(smtp.len(), ALL, "no command alone: {smtp:#?}");
            // Two connections: each one's first envelope goes alone; the
            // others behind a content when the next email was ready.
            let behind = envelopes.iter().filter(|l| behind_content(l)).count();
            assert!(
                (1..=ALL - 2).contains(&behind),
                "{behind} envelopes behind a content: {smtp:#?}"
            );
        } else {
            assert!(!envelopes.iter().any(|l| behind_content(l)), "{smtp:#?}");
            assert!(
                !envelopes.iter().any(|l| l.contains("RCPT TO:")),
                "{smtp:#?}"
            );
            let data_alone = smtp
                .iter()
                .filter(|l| !l.contains("RCPT TO:") && l.contains("DATA\\r\\n"));
            assert_eq!(data_alone.count(), ALL, "{smtp:#?}");
        }
        // smtp-sink writes each message it accepted to its own file.
        let mut ids = BTreeMap::new();
        for file in std::fs::read_dir(dump.path()).expect("the dump folder") {
            let text = std::fs::read_to_string(file.expect("a dump").path()).expect("a dump file");
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .expect("each message has its Message-ID");
            *ids.entry(id.to_owned()).or_insert(0) += 1;
        }
        assert_eq!(ids.len(), ALL, "every email: {ids:#?}");
        assert!(ids.values().all(|&n| n == 1), "once: {ids:#?}");
    }
}
