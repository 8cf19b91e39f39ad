//! Nothing sent by surprise: an edition whose dates are already past when
//! the daemon first sees it (the fixture `essai`, moved to have begun three
//! days ago) has its late messages held, the coordination and the operator
//! told, and nothing sent until `jalon release` (or never, with `--drop`).

use std::path::Path;
use std::time::Duration;

use mail_parser::MessageParser;

use crate::daemon::{starting_on, Daemon, QUICKLY};
use crate::support::{eventually, outbox_emails, Jalon, Run};

const OPERATOR: &str = "exploitation@example.org";

/// The fixture, begun three days ago: its openings are late, not expired.
fn workplace() -> tempfile::TempDir {
    let dir = crate::daemon::workplace();
    let start = jiff::Zoned::now()
        .date()
        .checked_sub(jiff::Span::new().days(3))
        .expect("a date");
    starting_on(dir.path(), start);
    dir
}

/// A daemon that holds (the default), with an operator.
fn holding(dir: &Path) -> Daemon {
    Daemon::start_with(
        dir,
        &["--operator", OPERATOR],
        &[("JALON_SEND_LATE", "false")],
    )
}

fn jalon(dir: &Path, args: &[&str]) -> Run {
    Jalon::new().current_dir(dir).args(args).run()
}

/// (recipient, subject, text) of every email written so far.
fn emails(dir: &Path) -> Vec<(String, String, String)> {
    outbox_emails(dir)
        .into_iter()
        .map(|bytes| {
            let message = MessageParser::default()
                .parse(&bytes)
                .expect("a parsable email");
            let to = message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned();
            let subject = message.subject().unwrap_or_default().to_owned();
            let text = message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default();
            (to, subject, text)
        })
        .collect()
}

/// The keys `jalon outbox essai --status STATUS` lists.
fn keys(dir: &Path, status: &str) -> Vec<String> {
    let output = jalon(dir, &["outbox", "essai", "--status", status]);
    output.succeeds();
    output
        .stdout()
        .lines()
        .filter(|line| line.starts_with(status))
        .filter_map(|line| line.split_whitespace().last().map(str::to_owned))
        .collect()
}

#[test]
fn late_messages_are_held_told_and_sent_only_when_released() {
    let dir = workplace();
    let daemon = holding(dir.path());
    eventually("messages held", || !keys(dir.path(), "held").is_empty());
    let held = keys(dir.path(), "held");
    eventually("the coordination and the operator told", || {
        emails(dir.path()).len() == 2
    });
    std::thread::sleep(Duration::from_millis(500));
    let written = emails(dir.path());
    // Nothing but the two notices went: not one of the late messages.
    assert_eq!(written.len(), 2, "{written:#?}");
    let coordination = written
        .iter()
        .find(|(to, ..)| to == "ana@example.org")
        .expect("the coordinator's notice");
    assert_eq!(
        coordination.1,
        format!("{} messages retenus\u{a0}: Édition d’essai", held.len())
    );
    assert!(
        coordination.2.contains("jalon release essai") && coordination.2.contains("Atelier Un"),
        "it says what is held and how to release it: {}",
        coordination.2
    );
    let operator = written
        .iter()
        .find(|(to, ..)| to == OPERATOR)
        .expect("the operator's email");
    assert!(
        operator.1.contains("messages retenus pour essai"),
        "{operator:?}"
    );
    assert!(daemon.log().contains("HELD"), "{}", daemon.log());

    // The status says so, on the command line and on the page.
    let status = jalon(dir.path(), &["status", "essai"]);
    status.succeeds();
    assert!(
        status
            .stdout()
            .contains(&format!("{} message(s) HELD", held.len())),
        "{}",
        status.stdout()
    );
    let mut ana = crate::workspace::signed_in_to(&daemon, dir.path(), "essai", "ana");
    let page = ana.get("/");
    assert!(
        page.body
            .contains(&format!("{} messages retenus pour", held.len())),
        "{}",
        page.body
    );

    // Released: they go at the daemon's next pass, woken by the event.
    let released = jalon(dir.path(), &["release", "essai", "--by", "ana"]);
    released.succeeds();
    assert!(
        released
            .stdout()
            .contains(&format!("{} held message(s) released", held.len())),
        "{}",
        released.stdout()
    );
    eventually("the released messages sent", || {
        keys(dir.path(), "held").is_empty() && keys(dir.path(), "pending").is_empty()
    });
    let sent = keys(dir.path(), "sent");
    let gone: Vec<&String> = held.iter().filter(|k| !sent.contains(k)).collect();
    // A released message still honours its expiry (the fixture's
    // reminders are long past): whatever did not go was recorded expired.
    let expired = keys(dir.path(), "expired");
    assert!(gone.iter().all(|k| expired.contains(k)), "{gone:?}");
    assert!(sent.iter().any(|k| held.contains(k)), "some went: {sent:?}");

    // The release is in the audit trail, and cannot be given twice.
    let log = jalon(dir.path(), &["log", "essai"]);
    assert!(log.stdout().contains("release"), "{}", log.stdout());
    let again = jalon(dir.path(), &["release", "essai", "--by", "ana"]);
    assert_eq!(again.code(), Some(1), "{}", again.stderr());
    assert!(
        again.stderr().contains("nothing is held"),
        "{}",
        again.stderr()
    );
    let (status, log) = daemon.stop("TERM", QUICKLY);
    assert!(status.success(), "{log}");

    // Restarted: the version was released, nothing is held again.
    let daemon = holding(dir.path());
    eventually("a pass", || daemon.log().contains("pass over"));
    assert!(keys(dir.path(), "held").is_empty());
    let (status, log) = daemon.stop("TERM", QUICKLY);
    assert!(status.success(), "{log}");
}

#[test]
fn dropped_messages_are_recorded_expired_and_never_sent() {
    let dir = workplace();
    let daemon = holding(dir.path());
    eventually("messages held", || !keys(dir.path(), "held").is_empty());
    let held = keys(dir.path(), "held");
    let dropped = jalon(
        dir.path(),
        &[
            "release",
            "essai",
            "--by",
            "ana",
            "--drop",
            "--reason",
            "dates fausses",
        ],
    );
    dropped.succeeds();
    assert!(dropped.stdout().contains("dropped"), "{}", dropped.stdout());
    std::thread::sleep(Duration::from_secs(1));
    let expired = keys(dir.path(), "expired");
    assert!(held.iter().all(|k| expired.contains(k)), "{expired:?}");
    // Only the two notices were ever written.
    assert_eq!(emails(dir.path()).len(), 2);
    let (status, log) = daemon.stop("TERM", QUICKLY);
    assert!(status.success(), "{log}");
}

#[test]
fn with_send_late_nothing_is_held() {
    // An edition added late on purpose: nothing held, nobody told.
    let dir = workplace();
    let daemon = Daemon::start_with(
        dir.path(),
        &["--operator", OPERATOR],
        &[("JALON_SEND_LATE", "true")],
    );
    eventually("messages sent", || !keys(dir.path(), "sent").is_empty());
    assert!(keys(dir.path(), "held").is_empty());
    assert!(emails(dir.path()).iter().all(|(to, ..)| to != OPERATOR));
    let (status, log) = daemon.stop("TERM", QUICKLY);
    assert!(status.success(), "{log}");
}

#[test]
fn release_without_anything_held_is_refused() {
    let dir = workplace();
    let output = jalon(dir.path(), &["release", "essai", "--by", "ana"]);
    assert_eq!(output.code(), Some(1), "{}", output.stderr());
    assert!(
        output.stderr().contains("nothing is held for `essai`"),
        "{}",
        output.stderr()
    );
}
