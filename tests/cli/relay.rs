//! A relay that fails is not a message that fails: a black-holed relay,
//! one that refuses the session, and `jalon retry` for what failed for good.

use std::net::TcpListener;
use std::path::Path;

use crate::fixtures;
use crate::servers::Sink;
use crate::support::{Jalon, Run};

const FIRST_DAY: &str = "2025-03-03 10:00";

fn run(db: &Path, args: &[&str]) -> Run {
    Jalon::new()
        .args(args)
        .arg("--definitions")
        .arg(fixtures().join("smtp"))
        .arg("--db")
        .arg(db)
        .run()
}

fn report(output: &Run) -> String {
    format!("{}{}", output.stdout(), output.stderr())
}

/// The first line of `jalon outbox essai`.
fn counts(db: &Path) -> String {
    let out = run(db, &["outbox", "essai"]).succeeds().stdout();
    out.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn a_relay_that_never_answers_fails_no_message_and_is_not_dialled_again_at_once() {
    // Accepts connections and says nothing: a black hole.
    let hole = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = hole.local_addr().expect("its address").port();
    let _keep = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in hole.incoming().flatten() {
            held.push(stream);
        }
    });
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    let url = format!("smtp://127.0.0.1:{port}?tls=none");
    let output = run(&db, &["send", "essai", "--smtp", &url, "--at", FIRST_DAY]);
    let text = report(&output);
    assert_eq!(output.code(), Some(1), "{text}");
    assert!(text.contains("the relay failed"), "{text}");
    assert!(text.contains("no greeting"), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    // Every message still waits; at most one attempt per connection was
    // made before the breaker stopped the others.
    let line = counts(&db);
    assert!(line.contains("(14 pending, 0 sent, 0 failed"), "{line}");
}

#[test]
fn a_failed_message_is_put_back_by_retry_with_the_act_in_the_log() {
    let sink = Sink::start(0, &["--reject", "rejected@example.org"]);
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    let send = |at: &str| run(&db, &["send", "essai", "--smtp", &sink.url(), "--at", at]);
    let first = send(FIRST_DAY);
    assert_eq!(first.code(), Some(1), "{}", report(&first));
    assert!(counts(&db).contains("2 failed"), "{}", counts(&db));

    // Nothing to retry by that key; a key that did not fail is refused.
    let unknown = run(
        &db,
        &[
            "retry",
            "essai",
            "--key",
            "essai/nope",
            "--by",
            "ana",
            "--at",
            "2025-03-03 11:00",
        ],
    );
    assert_eq!(unknown.code(), Some(1), "{}", report(&unknown));
    assert!(
        unknown.stderr().contains("has no message `essai/nope`"),
        "{}",
        report(&unknown)
    );

    // The address fixed at the relay's end: every failed message goes back.
    let retried = run(
        &db,
        &["retry", "essai", "--by", "ana", "--at", "2025-03-03 11:00"],
    );
    retried.succeeds();
    assert!(
        retried.stdout().contains("2 failed message(s) put back"),
        "{}",
        report(&retried)
    );
    assert!(
        counts(&db).contains("(2 pending, 14 sent, 0 failed"),
        "{}",
        counts(&db)
    );
    let log = run(&db, &["log", "essai"]).succeeds().stdout();
    assert!(log.contains("retry") && log.contains("ana"), "{log}");
    // The relay still refuses them: they fail again, and are told again.
    let again = send("2025-03-03 11:05");
    assert!(report(&again).contains("2 failed"), "{}", report(&again));
    // And with nothing failed left to put back… after a second retry and a
    // fixed relay, a third retry has nothing to do.
    let nothing = run(
        &dir.path().join("empty.db"),
        &["retry", "essai", "--by", "ana", "--at", FIRST_DAY],
    );
    assert_eq!(nothing.code(), Some(1), "{}", report(&nothing));
    assert!(
        nothing.stderr().contains("nothing to retry"),
        "{}",
        report(&nothing)
    );
}

#[test]
fn send_refuses_connections_and_rates_out_of_range() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("jalon.db");
    for (flag, value, says) in [
        ("--connections", "0", "use 1 to 64"),
        ("--connections", "65", "use 1 to 64"),
        ("--rate", "1e-9", "one an hour"),
        ("--rate", "NaN", "one an hour"),
    ] {
        let output = run(
            &db,
            &[
                "send",
                "essai",
                "--smtp",
                "smtp://127.0.0.1:9",
                flag,
                value,
                "--at",
                FIRST_DAY,
            ],
        );
        assert_eq!(
            output.code(),
            Some(2),
            "{flag} {value}: {}",
            report(&output)
        );
        assert!(
            output.stderr().contains(says),
            "{flag} {value}: {}",
            report(&output)
        );
    }
    assert!(!db.exists(), "nothing was started");
}

/// A relay written by hand for one misbehaviour: `script` answers each
/// line the client sends, in turn (`None`: hang up).
fn scripted_relay(greeting: &'static str, script: Vec<Option<&'static str>>) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let script = script.clone();
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().expect("a clone");
                let _ = writer.write_all(greeting.as_bytes());
                let mut reader = BufReader::new(stream);
                for answer in script {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    match answer {
                        Some(text) => {
                            let _ = writer.write_all(text.as_bytes());
                        }
                        None => return,
                    }
                }
            });
        }
    });
    port
}

/// Each way a relay can fail at the start of a session leaves every
/// message waiting, none failed; a connection dropped in the middle of a
/// message is a temporary failure of that message.
#[test]
fn session_failures_are_the_relays_and_a_dropped_message_is_tried_again() {
    let ehlo = "250-relay\r\n250 8BITMIME\r\n";
    let cases: Vec<(&str, &str, Vec<Option<&str>>, &str)> = vec![
        (
            "greeting refused",
            "554 5.3.2 no service\r\n",
            vec![],
            "554",
        ),
        ("greeting 421", "421 4.3.2 shutting down\r\n", vec![], "421"),
        (
            "EHLO refused",
            "220 relay ESMTP\r\n",
            vec![Some("554 5.7.1 go away\r\n"), Some("554 5.7.1 go away\r\n")],
            "554",
        ),
    ];
    for (name, greeting, script, code) in cases {
        let port = scripted_relay(greeting, script);
        let dir = tempfile::tempdir().expect("a folder");
        let db = dir.path().join("jalon.db");
        let url = format!("smtp://127.0.0.1:{port}?tls=none");
        let output = run(&db, &["send", "essai", "--smtp", &url, "--at", FIRST_DAY]);
        let text = report(&output);
        assert_eq!(output.code(), Some(1), "{name}: {text}");
        assert!(
            text.contains("the relay failed") && text.contains(code),
            "{name}: {text}"
        );
        let line = counts(&db);
        assert!(
            line.contains("(14 pending, 0 sent, 0 failed"),
            "{name}: {line}"
        );
    }

    // Greeted and EHLO answered (twice: the second reads PIPELINING), then
    // hung up on MAIL FROM, sent alone or with the rest of the envelope:
    // temporary.
    let pipelining = "250-relay\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
    for ehlo in [ehlo, pipelining] {
        let port = scripted_relay("220 relay ESMTP\r\n", vec![Some(ehlo), Some(ehlo), None]);
        let dir = tempfile::tempdir().expect("a folder");
        let db = dir.path().join("jalon.db");
        let url = format!("smtp://127.0.0.1:{port}?tls=none&nodelay=true");
        let output = run(
            &db,
            &[
                "send",
                "essai",
                "--smtp",
                &url,
                "--connections",
                "1",
                "--at",
                FIRST_DAY,
            ],
        );
        let text = report(&output);
        assert!(text.contains(" 0 failed"), "{ehlo:?}: {text}");
        assert!(
            counts(&db).contains("(14 pending, 0 sent, 0 failed"),
            "{ehlo:?}: {}",
            counts(&db)
        );
    }
}

/// Answers about messages, from a real SMTP server (aiosmtpd): a `4xx` to
/// a recipient or to the data is a temporary failure of each message, a
/// `5xx` a final one; the relay itself is fine, so nothing waits for a probe.
#[test]
fn answers_about_messages_fail_them_for_now_or_for_good() {
    let cases = [
        ("--rcpt-reply", "452 4.2.2 mailbox full", "to retry", false),
        ("--rcpt-reply", "550 5.1.1 no such user", "failed", true),
        (
            "--data-reply",
            "451 4.3.0 try again later",
            "to retry",
            false,
        ),
        ("--data-reply", "552 5.3.4 message too big", "failed", true),
        ("--data-reply", "554 5.6.0 rejected", "failed", true),
    ];
    // Read one at a time or pipelined (RFC 2920), the same answers.
    let each_way = [&[][..], &["--pipelining"]];
    for ((flag, answer, word, final_failure), pipelining) in cases
        .into_iter()
        .flat_map(|case| each_way.map(|way| (case, way)))
    {
        let mut options = vec![flag, answer];
        options.extend(pipelining);
        let sink = Sink::start(0, &options);
        let dir = tempfile::tempdir().expect("a folder");
        let db = dir.path().join("jalon.db");
        let output = run(
            &db,
            &["send", "essai", "--smtp", &sink.url(), "--at", FIRST_DAY],
        );
        let text = report(&output);
        let code = &answer[..3];
        assert!(
            text.contains(code),
            "{answer}: the server's answer is shown: {text}"
        );
        assert!(!text.contains("the relay failed"), "{answer}: {text}");
        assert!(text.contains(&format!("14 {word}")), "{answer}: {text}");
        let line = counts(&db);
        if final_failure {
            assert_eq!(output.code(), Some(1), "{answer}: {text}");
            // The messages, and the coordinator's notices of them (which
            // the same server refuses too).
            assert!(line.contains("0 pending, 0 sent"), "{answer}: {line}");
        } else {
            assert_eq!(output.code(), Some(0), "{answer}: {text}");
            assert!(
                line.contains("(14 pending, 0 sent, 0 failed"),
                "{answer}: {line}"
            );
        }
        assert!(sink.accepted().is_empty(), "{answer}");
    }
}

/// Every message has the same sender: a relay that refuses it (or puts
/// MAIL FROM off) fails the relay, not each message.
#[test]
fn a_refused_sender_is_the_relays_failure() {
    let answers = [
        "553 5.1.8 sender address rejected",
        "451 4.3.0 try again later",
    ];
    let each_way = [&[][..], &["--pipelining"]];
    for (answer, pipelining) in answers
        .into_iter()
        .flat_map(|answer| each_way.map(|way| (answer, way)))
    {
        let mut options = vec!["--mail-reply", answer];
        options.extend(pipelining);
        let sink = Sink::start(0, &options);
        let dir = tempfile::tempdir().expect("a folder");
        let db = dir.path().join("jalon.db");
        let output = run(
            &db,
            &["send", "essai", "--smtp", &sink.url(), "--at", FIRST_DAY],
        );
        let text = report(&output);
        assert_eq!(output.code(), Some(1), "{answer}: {text}");
        assert!(
            text.contains("refuses the sender") && text.contains(&answer[..3]),
            "{answer}: {text}"
        );
        let line = counts(&db);
        assert!(
            line.contains("(14 pending, 0 sent, 0 failed"),
            "{answer}: {line}"
        );
    }
}
