//! `jalon daemon` run as an operator runs it: the built binary in a folder
//! holding `definitions/` (a copy of `tests/fixtures/smtp/`), on the defaults
//! (`jalon.db`, an `outbox/` folder), with signals sent by `kill`. The
//! fixture's edition `essai` started on 3 March 2025, so on first start
//! every one of its messages is overdue: sent late or recorded as expired.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::fixtures;
use crate::support::{eventually, exit_within, outbox_emails, signal, Jalon, StderrLog, PATIENCE};

/// How soon a daemon with nothing under way exits on SIGTERM or SIGINT.
pub(crate) const QUICKLY: Duration = Duration::from_secs(5);

/// A folder laid out as an operator's: `definitions/smtp.yaml`.
pub(crate) fn workplace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("definitions folder");
    std::fs::copy(
        fixtures().join("smtp/smtp.yaml"),
        dir.path().join("definitions/smtp.yaml"),
    )
    .expect("copy of the fixture");
    dir
}

/// A running daemon, killed if a test fails before stopping it.
pub(crate) struct Daemon {
    child: Child,
    log: StderrLog,
    address: String,
}

impl Daemon {
    /// `jalon daemon --listen 127.0.0.1:0 EXTRA…` in `dir`, once it listens
    /// (`EXTRA` may name its own `--listen`).
    pub(crate) fn start(dir: &Path, extra: &[&str]) -> Daemon {
        Daemon::start_with(dir, extra, &[])
    }

    /// The same, with these variables set (all other JALON_* unset). The
    /// fixtures' dates are past, so what they make due is sent, not held
    /// (`JALON_SEND_LATE=true`), unless `variables` say otherwise.
    pub(crate) fn start_with(dir: &Path, extra: &[&str], variables: &[(&str, &str)]) -> Daemon {
        Daemon::start_under(dir, extra, variables, None)
    }

    /// The same, run under `program ARGS…` when given (such as `prlimit`).
    pub(crate) fn start_under(
        dir: &Path,
        extra: &[&str],
        variables: &[(&str, &str)],
        wrapper: Option<(&str, &[&str])>,
    ) -> Daemon {
        // Any free port, unless the test chose one.
        let listen: &[&str] = if extra.contains(&"--listen") {
            &[]
        } else {
            &["--listen", "127.0.0.1:0"]
        };
        let mut jalon = Jalon::new()
            .args(["daemon"])
            .args(listen)
            .args(extra)
            .current_dir(dir)
            .env("JALON_SEND_LATE", "true")
            .envs(variables);
        if let Some((program, args)) = wrapper {
            jalon = jalon.under(program, args);
        }
        let mut child = jalon
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the jalon binary starts");
        let log = StderrLog::follow(child.stderr.take().expect("its standard error"));
        let mut daemon = Daemon {
            child,
            log,
            address: String::new(),
        };
        let mut address = None;
        // Its address comes first, then the line that says its editions run:
        // by then the database exists, so a command run next reads it.
        eventually("the daemon to log its address and run", || {
            let log = daemon.log();
            address = listening(&log);
            address.is_some() && log.contains("running ")
        });
        daemon.address = address.expect("the address");
        daemon
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where it listens (`127.0.0.1:PORT`).
    pub(crate) fn address(&self) -> &str {
        &self.address
    }

    pub(crate) fn log(&self) -> String {
        self.log.text()
    }

    fn signal(&self, name: &str) {
        signal(&self.child, name);
    }

    fn running(&mut self) -> bool {
        self.child
            .try_wait()
            .expect("the daemon's status")
            .is_none()
    }

    /// `GET path`: the status code and the body.
    fn get(&self, path: &str) -> Option<(u16, String)> {
        let mut stream = TcpStream::connect(&self.address).ok()?;
        stream.set_read_timeout(Some(PATIENCE)).ok()?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let code = response.split(' ').nth(1)?.parse().ok()?;
        let body = response.split_once("\r\n\r\n")?.1.to_owned();
        Some((code, body))
    }

    pub(crate) fn healthy(&self) -> bool {
        self.get("/healthz")
            .is_some_and(|(code, body)| code == 200 && body.lines().next() == Some("ok"))
    }

    /// The value of one series of `/metrics`, such as `jalon_actions_sent_total`.
    pub(crate) fn metric(&self, series: &str) -> Option<u64> {
        let (code, body) = self.get("/metrics")?;
        assert_eq!(code, 200, "{body}");
        body.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .and_then(|value| value.trim().parse().ok())
    }

    /// Sends `signal` and waits, at most `within`, for the exit: its status
    /// and the whole log.
    pub(crate) fn stop(mut self, signal: &str, within: Duration) -> (ExitStatus, String) {
        self.signal(signal);
        let log = &self.log;
        let status = exit_within(&mut self.child, within, signal, || log.text());
        // The reader thread sees the end of the pipe soon after the exit.
        std::thread::sleep(Duration::from_millis(100));
        (status, self.log())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in the `listening on http://ADDRESS` line.
fn listening(log: &str) -> Option<String> {
    let (_, rest) = log.split_once("listening on http://")?;
    let address: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
        .collect();
    Some(address).filter(|a| a.contains(':'))
}

/// The counts in `jalon outbox EDITION`'s first line: (total, pending).
fn outbox_counts(dir: &Path, edition: &str) -> Option<(usize, usize)> {
    let output = Jalon::new()
        .current_dir(dir)
        .args(&["outbox", edition])
        .run();
    if output.code() != Some(0) {
        return None;
    }
    let text = output.stdout();
    let header = text.lines().next()?;
    let (_, counts) = header.rsplit_once(": ")?;
    let total = counts.split(' ').next()?.parse().ok()?;
    let pending = counts.split_once('(')?.1.split(' ').next()?.parse().ok()?;
    Some((total, pending))
}

/// `jalon_reloads_total{outcome="OUTCOME"}`.
fn reloads(daemon: &Daemon, outcome: &str) -> u64 {
    daemon
        .metric(&format!("jalon_reloads_total{{outcome=\"{outcome}\"}}"))
        .unwrap_or(0)
}

/// Waits until the edition has messages and none is pending.
fn drained(dir: &Path, edition: &str) {
    eventually(&format!("the outbox of {edition} to drain"), || {
        outbox_counts(dir, edition).is_some_and(|(total, pending)| total > 0 && pending == 0)
    });
}

/// What `jalon send` reports doing on a fresh database in the same folder:
/// `[due, sent, retry, failed, expired]`.
fn sent_by_hand(dir: &Path) -> [u64; 5] {
    let output = Jalon::new()
        .current_dir(dir)
        .args(&["send", "essai", "--db", "by-hand.db", "--folder", "by-hand"])
        .run();
    output.succeeds();
    let text = output.stdout();
    let numbers: Vec<u64> = text
        .lines()
        .next()
        .expect("a summary line")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    numbers
        .try_into()
        .unwrap_or_else(|n| panic!("five counts in {text}: {n:?}"))
}

#[test]
fn catches_up_once_counts_it_and_stops_on_sigterm() {
    let dir = workplace();
    let expected = sent_by_hand(dir.path());
    assert!(expected[0] > 0, "the fixture has overdue messages");

    let daemon = Daemon::start(dir.path(), &[]);
    eventually("/healthz", || daemon.healthy());
    drained(dir.path(), "essai");
    let series = [
        "jalon_actions_due_total",
        "jalon_actions_sent_total",
        "jalon_actions_retried_total",
        "jalon_actions_failed_total",
        "jalon_actions_expired_total",
    ];
    eventually("the metrics of the first pass", || {
        daemon.metric(series[0]) == Some(expected[0])
    });
    let measured: Vec<Option<u64>> = series.iter().map(|s| daemon.metric(s)).collect();
    let expected_all: Vec<Option<u64>> = expected.iter().copied().map(Some).collect();
    assert_eq!(measured, expected_all, "{series:?} as `jalon send` counts");
    assert_eq!(daemon.metric("jalon_editions_loaded"), Some(1));
    assert_eq!(
        daemon.metric("jalon_reloads_total{outcome=\"ok\"}"),
        Some(0)
    );
    // The same outbox as `jalon send` leaves.
    let by_hand = Jalon::new()
        .current_dir(dir.path())
        .args(&["outbox", "essai", "--db", "by-hand.db"])
        .run();
    let daemon_outbox = Jalon::new()
        .current_dir(dir.path())
        .args(&["outbox", "essai"])
        .run();
    assert_eq!(
        daemon_outbox.stdout().lines().next(),
        by_hand.stdout().lines().next()
    );
    let log = daemon.log();
    assert!(log.contains("edition essai:"), "{log}");
    assert!(
        log.contains("next wake-up") || log.contains("nothing scheduled"),
        "{log}"
    );
    // Every message sent is logged with its idempotency key.
    let keys = log
        .lines()
        .filter(|l| l.contains(" sent essai/") && l.contains("key=essai/"))
        .count() as u64;
    assert_eq!(
        Some(keys),
        daemon.metric("jalon_actions_sent_total"),
        "{log}"
    );

    let (status, log) = daemon.stop("TERM", QUICKLY);
    assert_eq!(status.code(), Some(0));
    assert!(log.contains("SIGTERM: stopping"), "{log}");

    // Restarted, it has nothing left to catch up: nothing is queued twice.
    let daemon = Daemon::start(dir.path(), &[]);
    eventually("/healthz after restart", || daemon.healthy());
    eventually("the pass after restart", || {
        daemon.log().contains("pass over")
    });
    assert_eq!(daemon.metric("jalon_actions_due_total"), Some(0));
    assert_eq!(daemon.metric("jalon_actions_sent_total"), Some(0));
    assert_eq!(
        outbox_counts(dir.path(), "essai").map(|(total, _)| total as u64),
        Some(expected[0])
    );
    assert_eq!(daemon.stop("INT", QUICKLY).0.code(), Some(0));
}

#[test]
fn a_broken_reload_is_rejected_and_a_good_one_swapped_in() {
    let dir = workplace();
    let (today, skew) = paris_morning();
    let mut daemon = Daemon::start_with(
        dir.path(),
        &["--log-format", "json"],
        &[("JALON_CLOCK_SKEW_SECONDS", &skew)],
    );
    eventually("/healthz", || daemon.healthy());
    drained(dir.path(), "essai");

    // The watch on the folder may reload too: SIGHUP makes one at least.
    let broken = dir.path().join("definitions/second.yaml");
    std::fs::write(&broken, "edition: [\n").expect("a broken definition");
    daemon.signal("HUP");
    eventually("a rejected reload", || reloads(&daemon, "rejected") >= 1);
    eventually("the reload on SIGHUP", || {
        daemon.log().contains("SIGHUP: checking the definitions")
    });
    assert!(daemon.running(), "{}", daemon.log());
    assert!(daemon.healthy());
    assert_eq!(daemon.metric("jalon_editions_loaded"), Some(1));
    assert!(daemon.log().contains("second.yaml"), "{}", daemon.log());
    // Nothing due and a rejected reload: the loop slept through both.
    let passes = |log: String| log.matches("pass over").count();
    assert_eq!(passes(daemon.log()), 1, "{}", daemon.log());

    // Fixed: a second edition, starting today, which runs at once.
    let second = std::fs::read_to_string(fixtures().join("smtp/smtp.yaml"))
        .expect("the fixture")
        .replace("edition:\n  id: essai", "edition:\n  id: essai-bis")
        .replace("start: 2025-03-03", &format!("start: {today}"))
        .replace("end: 2025-12-19", "end: 2099-12-18");
    std::fs::write(&broken, second).expect("a good definition");
    daemon.signal("HUP");
    eventually("an accepted reload", || {
        daemon.metric("jalon_reloads_total{outcome=\"ok\"}") == Some(1)
    });
    assert_eq!(daemon.metric("jalon_editions_loaded"), Some(2));
    eventually("a pass on the new set", || passes(daemon.log()) == 2);
    drained(dir.path(), "essai-bis");
    // Its opening messages went out as .eml files in the default folder.
    eventually("the metrics of the new edition's pass", || {
        daemon
            .metric("jalon_actions_sent_total")
            .is_some_and(|n| n > 0)
    });
    let written = std::fs::read_dir(dir.path().join("outbox"))
        .expect("the outbox folder")
        .filter(|f| {
            f.as_ref()
                .is_ok_and(|f| f.path().extension().is_some_and(|e| e == "eml"))
        })
        .count();
    // Alike messages due together to one person go as one email: there
    // are as many messages sent as written, or more.
    let sent = daemon.metric("jalon_actions_sent_total").unwrap_or(0);
    assert!(sent >= written as u64 && written > 0, "{sent} / {written}");
    assert!(reloads(&daemon, "rejected") >= 1);
    // The second look at the same good set (SIGHUP and the watch) saw it
    // unchanged and swapped nothing.
    assert_eq!(
        daemon.metric("jalon_reloads_total{outcome=\"ok\"}"),
        Some(1)
    );

    // `--log-format json`: one JSON object per line, the rejection included.
    let log = daemon.log();
    for line in log.lines() {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(parsed["fields"]["message"].is_string(), "{line}");
    }
    assert!(log.contains("\"outcome\":\"rejected\""), "{log}");
    assert_eq!(daemon.stop("INT", QUICKLY).0.code(), Some(0));
}

#[test]
fn broken_definitions_at_start_exit_2_with_the_diagnostics() {
    let dir = workplace();
    std::fs::write(dir.path().join("definitions/second.yaml"), "edition: [\n")
        .expect("a broken definition");
    let output = Jalon::new()
        .args(["daemon", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .run();
    output.expect_code(2);
    let text = output.stderr();
    assert!(text.contains("second.yaml"), "{text}");
    assert!(!dir.path().join("jalon.db").exists(), "nothing recorded");
}

#[test]
fn sleeps_until_the_first_message_of_a_future_edition() {
    let dir = workplace();
    let start = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(400))
        .expect("a date next year");
    starting_on(dir.path(), start);
    let plan = Jalon::new()
        .current_dir(dir.path())
        .args(&["plan", "definitions/smtp.yaml", "--format", "json"])
        .run()
        .json();
    let first = plan["messages"]
        .as_array()
        .expect("the planned messages")
        .iter()
        .map(|m| {
            m["at"]
                .as_str()
                .expect("a send instant")
                .parse::<jiff::Zoned>()
                .expect("a zoned instant")
                .timestamp()
        })
        .min()
        .expect("a first message");

    // An SMTP relay nobody listens on: nothing is due, so nothing connects,
    // and its password never reaches the log.
    let port = crate::servers::free_port();
    let relay = format!("smtp://jalon:s3cret-pw@127.0.0.1:{port}");
    let daemon = Daemon::start(dir.path(), &["--smtp", &relay]);
    let wake = format!("next wake-up at {first}");
    eventually(&wake, || daemon.log().contains(&wake));
    assert_eq!(daemon.metric("jalon_actions_due_total"), Some(0));
    let log = daemon.log();
    assert!(log.contains("via=smtp://"), "{log}");
    assert!(log.contains(&format!("127.0.0.1:{port}")), "{log}");
    assert!(!log.contains("s3cret"), "{log}");
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

/// Today in Paris, and the clock skew that sets a daemon at 09:30 there
/// at least (`JALON_CLOCK_SKEW_SECONDS`): an edition starting today then
/// has its 09:00 messages due as the daemon starts — and within the hold's
/// hour, so not held — whatever the hour the tests run.
pub(crate) fn paris_morning() -> (jiff::civil::Date, String) {
    let now = jiff::Zoned::now().in_tz("Europe/Paris").expect("Paris");
    let morning = now
        .date()
        .at(9, 30, 0, 0)
        .to_zoned(now.time_zone().clone())
        .expect("09:30 in Paris");
    let skew = (morning.timestamp() - now.timestamp()).get_seconds().max(0);
    (now.date(), skew.to_string())
}

/// The fixture's edition moved to start today in Paris; the skew its
/// daemon needs for the opening messages to be due ([`paris_morning`]).
pub(crate) fn starting_this_morning(dir: &Path) -> String {
    let (today, skew) = paris_morning();
    starting_on(dir, today);
    skew
}

/// The fixture's edition moved to start on `start` (today: its opening
/// messages are due at once, and not expired).
pub(crate) fn starting_on(dir: &Path, start: jiff::civil::Date) {
    let end = start
        .checked_add(jiff::Span::new().days(290))
        .expect("its end");
    let file = dir.join("definitions/smtp.yaml");
    let text = std::fs::read_to_string(&file)
        .expect("the fixture")
        .replace("start: 2025-03-03", &format!("start: {start}"))
        .replace("end: 2025-12-19", &format!("end: {end}"));
    std::fs::write(&file, text).expect("the moved edition");
}

#[test]
fn sigterm_during_a_stuck_send_exits_0_within_the_grace_period() {
    let dir = workplace();
    let skew = starting_this_morning(dir.path());
    // A relay that accepts connections and never says a word.
    let relay = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = relay.local_addr().expect("its address").port();
    let (connected, told) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in relay.incoming().map_while(Result::ok) {
            held.push(stream);
            let _ = connected.send(());
        }
    });
    let daemon = Daemon::start_with(
        dir.path(),
        &["--smtp", &format!("smtp://127.0.0.1:{port}")],
        &[("JALON_CLOCK_SKEW_SECONDS", &skew)],
    );
    told.recv_timeout(PATIENCE)
        .expect("the daemon connects to deliver");

    let asked = Instant::now();
    let (status, log) = daemon.stop("TERM", Duration::from_secs(15));
    assert_eq!(status.code(), Some(0));
    assert!(
        asked.elapsed() >= Duration::from_secs(9),
        "it waited for the pass"
    );
    assert!(log.contains("still under way"), "{log}");
    // Nothing was lost: what was not sent is still pending, for next time.
    let (total, pending) = outbox_counts(dir.path(), "essai").expect("an outbox");
    assert!(
        total > 0 && pending == total,
        "{total} messages, {pending} pending"
    );
}

#[test]
fn a_reload_that_would_orphan_recorded_progress_is_rejected() {
    let dir = workplace();
    let recorded = Jalon::new()
        .current_dir(dir.path())
        .args(&[
            "complete",
            "essai",
            "feuille-de-route",
            "--participant",
            "p1",
            "--by",
            "ana",
        ])
        .run();
    recorded.succeeds();
    let mut daemon = Daemon::start(dir.path(), &[]);
    eventually("/healthz", || daemon.healthy());
    drained(dir.path(), "essai");

    // Valid on its own, but the recorded completion names the old stage.
    let file = dir.path().join("definitions/smtp.yaml");
    let renamed = std::fs::read_to_string(&file)
        .expect("the fixture")
        .replace("id: feuille-de-route", "id: feuille");
    std::fs::write(&file, renamed).expect("the renamed stage");
    let check = Jalon::new()
        .current_dir(dir.path())
        .args(&["check", "definitions"])
        .run();
    check.succeeds();
    daemon.signal("HUP");
    // The watch on the folder may reject it too: once at least.
    eventually("a rejected reload", || {
        daemon
            .metric("jalon_reloads_total{outcome=\"rejected\"}")
            .is_some_and(|n| n >= 1)
    });
    assert!(daemon.running());
    let log = daemon.log();
    assert!(log.contains("orphans recorded progress"), "{log}");
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

/// Saves `text` as an editor that writes a temporary file and renames it
/// over the original does (gedit, VS Code, IntelliJ, `sed -i`).
fn save_by_rename(file: &Path, text: &str) {
    let name = file
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let temporary = file.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&temporary, text).expect("the temporary file");
    std::fs::rename(&temporary, file).expect("the rename over the original");
}

/// The `.eml` files in the default folder that are addressed to `address`,
/// as written (headers and encoded body).
fn emails_to(dir: &Path, address: &str) -> Vec<String> {
    outbox_emails(dir)
        .into_iter()
        .filter_map(|bytes| String::from_utf8(bytes).ok())
        .filter(|text| {
            text.lines()
                .any(|l| l.starts_with("To:") && l.contains(address))
        })
        .collect()
}

#[test]
fn a_saved_definition_is_reloaded_without_sighup_and_a_broken_one_mailed_once() {
    let dir = workplace();
    let operator = "exploitation@example.org";
    let mut daemon = Daemon::start(dir.path(), &["--operator", operator]);
    eventually("/healthz", || daemon.healthy());
    drained(dir.path(), "essai");
    assert!(
        daemon.log().contains("watching"),
        "the watch is announced: {}",
        daemon.log()
    );
    let checks = |daemon: &Daemon| {
        daemon
            .log()
            .matches("a definition file changed: checking")
            .count()
    };

    // Saved by rename: reloaded, with no signal.
    let file = dir.path().join("definitions/smtp.yaml");
    let original = std::fs::read_to_string(&file).expect("the fixture");
    let revised = original.replace("name: Édition d'essai", "name: Édition d'essai révisée");
    save_by_rename(&file, &revised);
    eventually("a reload on the saved file", || reloads(&daemon, "ok") == 1);
    assert!(daemon.log().contains("reload accepted"), "{}", daemon.log());
    assert_eq!(checks(&daemon), 1, "one reload for one save");

    // An editor's swap, backup and lock files and a simulation script are
    // not definitions: no reload.
    let definitions = dir.path().join("definitions");
    std::fs::write(definitions.join(".smtp.yaml.swp"), "swap").expect("a swap file");
    std::fs::write(definitions.join("smtp.yaml~"), &original).expect("a backup");
    std::fs::write(definitions.join(".#smtp.yaml"), "lock").expect("a lock");
    std::fs::create_dir(definitions.join("simulations")).expect("a scripts folder");
    std::fs::write(definitions.join("simulations/essai.yaml"), "steps: [").expect("a script");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(checks(&daemon), 1, "{}", daemon.log());

    // Saved again unchanged: checked, not swapped.
    save_by_rename(&file, &revised);
    eventually("the unchanged set noticed", || {
        daemon.log().contains("definitions unchanged")
    });
    assert_eq!(reloads(&daemon, "ok"), 1);

    // Saved broken, in a burst of ten saves: one reload, rejected.
    let broken = revised.replace(
        "id: lancement\n    kind: seminar",
        "id: lancement\n    kind: seminaire",
    );
    for _ in 0..10 {
        save_by_rename(&file, &broken);
    }
    eventually("a rejected reload", || reloads(&daemon, "rejected") == 1);
    // Then twice more, apart: each is rejected again.
    for n in 2..=3 {
        std::thread::sleep(Duration::from_millis(800));
        save_by_rename(&file, &broken);
        eventually("another rejected reload", || {
            reloads(&daemon, "rejected") == n
        });
    }
    assert_eq!(checks(&daemon), 5, "{}", daemon.log());
    // The running set stays.
    assert!(daemon.running(), "{}", daemon.log());
    assert!(daemon.healthy());
    assert_eq!(daemon.metric("jalon_editions_loaded"), Some(1));
    // The operator got the report once, in the daemon's .eml folder.
    eventually("the operator's email", || {
        !emails_to(dir.path(), operator).is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    let mails = emails_to(dir.path(), operator);
    assert_eq!(mails.len(), 1, "one email for three identical rejections");
    assert!(mails[0].contains("smtp.yaml"), "{}", mails[0]);
    assert!(
        mails[0].contains("seminaire"),
        "the report itself: {}",
        mails[0]
    );
    // And the coordination of the edition concerned, once too.
    let parsed: Vec<(String, String)> = outbox_emails(dir.path())
        .iter()
        .filter_map(|bytes| mail_parser::MessageParser::default().parse(bytes))
        .map(|m| {
            (
                m.subject().unwrap_or_default().to_owned(),
                m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            )
        })
        .collect();
    let told: Vec<&String> = parsed
        .iter()
        .filter(|(subject, _)| subject.starts_with("Définition refusée\u{a0}: Édition d’essai"))
        .map(|(_, text)| text)
        .collect();
    let subjects: Vec<&String> = parsed.iter().map(|(s, _)| s).collect();
    assert_eq!(
        told.len(),
        1,
        "the coordination is told once: {subjects:#?}"
    );
    assert!(
        told[0].contains("seminaire"),
        "with the report: {}",
        told[0]
    );
    let log = daemon.log();
    assert_eq!(
        log.matches("already told of this rejection").count(),
        2,
        "{log}"
    );

    // Another mistake is another email.
    save_by_rename(&file, &broken.replace("kind: task", "kind: tache"));
    eventually("the second operator's email", || {
        emails_to(dir.path(), operator).len() == 2
    });
    // Fixed: accepted.
    save_by_rename(&file, &original);
    eventually("the fixed set accepted", || reloads(&daemon, "ok") == 2);
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

#[test]
fn without_an_operator_a_rejection_is_only_logged() {
    let dir = workplace();
    let daemon = Daemon::start(dir.path(), &[]);
    eventually("/healthz", || daemon.healthy());
    assert!(
        daemon
            .log()
            .contains("a rejected reload will only be logged"),
        "{}",
        daemon.log()
    );
    save_by_rename(&dir.path().join("definitions/smtp.yaml"), "edition: [\n");
    eventually("a rejected reload", || reloads(&daemon, "rejected") == 1);
    assert!(daemon.log().contains("reload rejected"), "{}", daemon.log());
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

/// The fixture with its roadmap awaiting the coordination's validation once
/// complete, and the email that asks for it.
fn with_validation(dir: &Path) {
    let file = dir.join("definitions/smtp.yaml");
    let text = std::fs::read_to_string(&file)
        .expect("the fixture")
        .replace(
            "      - when: due - 2 working days\n",
            "      - when: due - 2 working days\n    validation:\n      by: [coordination]\n      lead_time: 2 working days\n",
        )
        .replace(
            "messages:\n",
            "  - id: validation\n    subject: \"À valider : {{ stage }}\"\n    body: |\n      Bonjour {{ recipient }}, « {{ stage }} » attend votre validation.\nmessages:\n",
        )
        .replace(
            "  seminar_invitation: invitation",
            "  seminar_invitation: invitation\n  validation_request: validation\n  validation_refused: validation",
        );
    std::fs::write(&file, text).expect("the fixture with a validation");
}

#[test]
fn an_event_recorded_by_a_command_wakes_the_sleeping_daemon() {
    let dir = workplace();
    let skew = starting_this_morning(dir.path());
    with_validation(dir.path());
    let check = Jalon::new()
        .current_dir(dir.path())
        .args(&["check", "definitions"])
        .run();
    check.succeeds();

    let daemon = Daemon::start_with(dir.path(), &[], &[("JALON_CLOCK_SKEW_SECONDS", &skew)]);
    eventually("/healthz", || daemon.healthy());
    drained(dir.path(), "essai");
    // Asleep until a reminder days away.
    eventually("the daemon asleep", || {
        daemon.log().contains("next wake-up at")
    });
    let passes = |daemon: &Daemon| daemon.log().matches("pass over").count();
    let before = passes(&daemon);
    let requests = |dir: &Path| {
        emails_to(dir, "ana@example.org")
            .iter()
            .filter(|m| m.contains("valider") || m.contains("validation"))
            .count()
    };
    assert_eq!(requests(dir.path()), 0);

    // The daemon's own writes do not wake it: it stays asleep.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(passes(&daemon), before, "{}", daemon.log());

    let recorded = Jalon::new()
        .current_dir(dir.path())
        .args(&[
            "complete",
            "essai",
            "feuille-de-route",
            "--participant",
            "p1",
            "--by",
            "ana",
        ])
        .run();
    recorded.succeeds();
    let asked = Instant::now();
    eventually("the validation request sent", || requests(dir.path()) == 1);
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "sent {:?} after the command",
        asked.elapsed()
    );
    assert!(
        daemon.log().contains("recorded by another process"),
        "{}",
        daemon.log()
    );
    // One pass for it, and no loop of passes after.
    std::thread::sleep(Duration::from_secs(3));
    let after = passes(&daemon);
    assert!(
        (before + 1..=before + 2).contains(&after),
        "{before} → {after} passes:\n{}",
        daemon.log()
    );
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

/// A second daemon on the same database would send everything twice: it
/// refuses to start, naming the first one; once the first stops, it starts.
#[test]
fn a_second_daemon_on_the_same_database_refuses_naming_the_first() {
    let dir = workplace();
    let first = Daemon::start(dir.path(), &[]);
    eventually("/healthz", || first.healthy());
    let mut second = Jalon::new()
        .args(["daemon", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .spawn();
    let status = exit_within(second.child(), PATIENCE, "starting", String::new);
    let refused = second.wait();
    assert_eq!(status.code(), Some(2), "{}", refused.stderr());
    let said = refused.stderr();
    assert!(
        said.contains(&format!("another jalon daemon (process {})", first.pid())),
        "{said}"
    );
    let (stopped, _) = first.stop("TERM", PATIENCE);
    assert!(stopped.success());
    let again = Daemon::start(dir.path(), &[]);
    eventually("/healthz of the second", || again.healthy());
    let (stopped, _) = again.stop("TERM", PATIENCE);
    assert!(stopped.success());
}

/// A history shipped beside the definitions is imported at start for an
/// edition with nothing recorded: the edition shows its past, closed.
#[test]
fn a_shipped_history_is_imported_at_start() {
    let dir = workplace();
    let folder = dir.path().join("definitions/history");
    std::fs::create_dir(&folder).expect("a folder");
    std::fs::write(
        folder.join("essai.yaml"),
        "edition: essai\nsteps:\n  - {at: 2025-03-04 10:00, by: ana, do: close, reason: Édition d'essai close}\n",
    )
    .expect("written");
    let daemon = Daemon::start(dir.path(), &[]);
    eventually("the import", || {
        daemon
            .log()
            .contains("imported the recorded history of essai")
    });
    let (stopped, _) = daemon.stop("TERM", PATIENCE);
    assert!(stopped.success());
    let status = Jalon::new()
        .current_dir(dir.path())
        .args(["status", "essai"])
        .run();
    let status = status.succeeds().stdout();
    assert!(
        status.contains("CLOSED on") && status.contains("Édition d'essai close"),
        "{status}"
    );
    // Started again, it imports nothing twice.
    let again = Daemon::start(dir.path(), &[]);
    eventually("/healthz", || again.healthy());
    let (_, log) = again.stop("TERM", PATIENCE);
    assert!(!log.contains("imported the recorded history"), "{log}");
}

/// A fresh clone: the shipped editions import their recorded histories,
/// show closed, and the daemon sends nothing.
#[test]
fn the_shipped_editions_start_closed_with_their_history_and_send_nothing() {
    let dir = tempfile::tempdir().expect("a folder");
    crate::support::copy_dir(
        &crate::root().join("definitions"),
        &dir.path().join("definitions"),
    );
    // The upcoming example edition is meant to send: not this test's subject.
    for entry in std::fs::read_dir(dir.path().join("definitions/editions")).expect("editions") {
        let path = entry.expect("an entry").path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("exemple"))
        {
            std::fs::remove_file(path).expect("removed");
        }
    }
    let daemon = Daemon::start(dir.path(), &[]);
    for edition in crate::EDITIONS {
        eventually(&format!("the history of {edition}"), || {
            daemon
                .log()
                .contains(&format!("imported the recorded history of {edition}"))
        });
    }
    eventually("/healthz", || daemon.healthy());
    // The coordination's page says it too.
    let mut serge = crate::workspace::signed_in_to(&daemon, dir.path(), "2024-2025", "serge-dobel");
    let page = serge.get("/editions/2024-2025");
    page.expect(200);
    assert!(page.body.contains("Édition close le"), "{}", page.body);
    assert!(
        !page.body.contains("tag late"),
        "nothing late: {}",
        page.body
    );
    let (stopped, log) = daemon.stop("TERM", PATIENCE);
    assert!(stopped.success(), "{log}");
    assert!(!log.contains(" sent "), "{log}");
    assert!(
        outbox_emails(dir.path()).is_empty(),
        "nothing written to outbox/"
    );
    for edition in crate::EDITIONS {
        let status = Jalon::new()
            .current_dir(dir.path())
            .args(["status", edition])
            .run();
        let status = status.succeeds().stdout();
        assert!(status.contains("CLOSED on"), "{edition}: {status}");
    }
}
