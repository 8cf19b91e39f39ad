//! Crash safety of `jalon daemon`, against a real SMTP server
//! (`tests/servers/sink.py`, which records every message it accepts before
//! it answers 250):
//!
//! - killed with SIGKILL at random moments during bursts of sends, and
//!   restarted each time, it loses no email, and sends one twice only when
//!   the kill fell between the server's acceptance and our commit;
//! - stopped across a reminder's due instant, it sends the reminder once on
//!   restart, and records as expired what passed its expiry meanwhile.
//!
//! The daemon runs on the real clock; the second test moves it forward with
//! the test-only `JALON_CLOCK_SKEW_SECONDS`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use jiff::{Span, Timestamp, Zoned};
use mail_parser::MessageParser;
use rusqlite::{Connection, OpenFlags};

use crate::fixtures;
use crate::servers::Sink;
use crate::support::{eventually_within, exit_within, signal, Jalon, StderrLog};

/// How long anything the daemon should do at once may take on a busy machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// The variable that moves the daemon's clock (tests only).
const SKEW: &str = "JALON_CLOCK_SKEW_SECONDS";

/// A running `jalon daemon`, killed if a test fails before stopping it.
pub(crate) struct Daemon {
    child: Child,
    log: StderrLog,
}

impl Daemon {
    /// `jalon daemon --listen 127.0.0.1:0 --send-late EXTRA…` in `dir`,
    /// with no setting from this process's environment but `skew`, if any.
    /// (The editions here begin in the past on purpose: what they make due
    /// at the first start is sent, not held.)
    pub(crate) fn start(dir: &Path, extra: &[&str], skew: Option<i64>) -> Daemon {
        let mut daemon = Jalon::new()
            .args(["daemon", "--listen", "127.0.0.1:0", "--send-late"])
            .args(extra)
            .current_dir(dir);
        if let Some(seconds) = skew {
            daemon = daemon.env(SKEW, seconds.to_string());
        }
        let mut child = daemon
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the jalon binary starts");
        let log = StderrLog::follow(child.stderr.take().expect("its standard error"));
        Daemon { child, log }
    }

    pub(crate) fn log(&self) -> String {
        self.log.text()
    }

    /// SIGKILL, which it cannot handle: asserts it was still running, waits
    /// for the end and returns the log.
    pub(crate) fn kill(mut self) -> String {
        let exited = self.child.try_wait().expect("the daemon's status");
        assert!(
            exited.is_none(),
            "the daemon stopped by itself ({exited:?}):\n{}",
            self.log()
        );
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the killed daemon's status");
        self.log.finish()
    }

    /// SIGTERM; waits, at most `within`, for the exit.
    pub(crate) fn terminate(mut self, within: Duration) -> (ExitStatus, String) {
        signal(&self.child, "TERM");
        let log = &self.log;
        let status = exit_within(&mut self.child, within, "SIGTERM", || log.text());
        (status, self.log.finish())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sink's record read as it grows: each call returns the messages
/// accepted since the previous one.
pub(crate) struct Record {
    path: PathBuf,
    offset: u64,
}

impl Record {
    pub(crate) fn new(sink: &Sink) -> Record {
        Record {
            path: sink.record().to_path_buf(),
            offset: 0,
        }
    }

    fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// Waits until the server has recorded nothing for a moment: a message
    /// a killed daemon had sent whole is on record before the next start.
    pub(crate) fn settle(&self) {
        let mut last = self.size();
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let now = self.size();
            if now == last {
                return;
            }
            last = now;
        }
    }

    pub(crate) fn new_messages(&mut self) -> Vec<Accepted> {
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return Vec::new();
        };
        file.seek(SeekFrom::Start(self.offset))
            .expect("seek in the record");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("the record is UTF-8");
        // Only whole lines: the sink writes each in one go, but be sure.
        let whole = text.rfind('\n').map_or(0, |end| end + 1);
        self.offset += whole as u64;
        text[..whole].lines().map(Accepted::parse).collect()
    }
}

/// One message as the server accepted it.
pub(crate) struct Accepted {
    /// The Message-ID's local part (the hash of the outbox key).
    pub(crate) id: String,
    rcpt_tos: Vec<String>,
    data: String,
}

impl Accepted {
    fn parse(line: &str) -> Accepted {
        let record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let id = record["message_id"]
            .as_str()
            .expect("every message has a Message-ID");
        Accepted {
            id: local_part(id),
            rcpt_tos: record["rcpt_tos"]
                .as_array()
                .expect("recipients")
                .iter()
                .map(|r| r.as_str().expect("an address").to_owned())
                .collect(),
            data: record["data"].as_str().expect("the message").to_owned(),
        }
    }

    /// What must be the same each time this message is sent: envelope,
    /// Message-ID, addressee, subject and text (not the Date header or the
    /// MIME boundaries).
    pub(crate) fn fingerprint(&self) -> String {
        let message = MessageParser::default()
            .parse(self.data.as_bytes())
            .expect("a parsable message");
        let to = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default();
        format!(
            "{} | {:?} | {to} | {} | {}",
            self.id,
            self.rcpt_tos,
            message.subject().unwrap_or_default(),
            message.body_text(0).unwrap_or_default()
        )
    }
}

/// `<HEX@domain>` → `HEX`.
fn local_part(message_id: &str) -> String {
    message_id
        .trim_matches(['<', '>'])
        .split('@')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The rows one email carries, named by its first row's key: the
/// coordinator's openings of one burst's roadmaps, all due together, go as
/// one email (`compose::grouped`); any other message alone.
pub(crate) fn carried_with(first: &str, known: &HashSet<String>) -> Vec<String> {
    let parts: Vec<&str> = first.split('/').collect();
    let merged = parts.len() == 5 && parts[3] == "opened" && parts[4].starts_with("person:");
    if !merged {
        return vec![first.to_owned()];
    }
    let mut carried: Vec<String> = known
        .iter()
        .filter(|k| {
            let other: Vec<&str> = k.split('/').collect();
            other.len() == 5
                && (other[0], other[1], other[3], other[4])
                    == (parts[0], parts[1], parts[3], parts[4])
        })
        .cloned()
        .collect();
    carried.sort();
    assert_eq!(
        carried.first().map(String::as_str),
        Some(first),
        "named by its first row"
    );
    carried
}

/// The Message-ID local part the daemon gives the message of `key`.
pub(crate) fn id_of(key: &str) -> String {
    local_part(&jalon_message::message_id(key, "jalon.invalid"))
}

/// Every outbox row (edition, key, status), read without writing: the
/// daemon that opens the file next recovers it itself. Empty before the
/// first daemon created it.
fn outbox_rows(db: &Path) -> Vec<(String, String, String)> {
    if !db.exists() {
        return Vec::new();
    }
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the database opens read-only");
    conn.busy_timeout(Duration::from_secs(10))
        .expect("a busy timeout");
    let mut statement = match conn.prepare("SELECT edition, key, status FROM outbox") {
        Ok(statement) => statement,
        // Killed before its schema was written.
        Err(e) if e.to_string().contains("no such table") => return Vec::new(),
        Err(e) => panic!("reading the outbox: {e}"),
    };
    statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("the outbox query")
        .collect::<Result<_, _>>()
        .expect("the outbox rows")
}

/// SplitMix64: a small seeded generator for the kill delays.
pub(crate) struct Random(pub(crate) u64);

impl Random {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// The SMTP connections the daemon uses (its default).
const CONNECTIONS: usize = 4;

/// Laureates per burst: each makes 3 messages due at once (its roadmap's
/// opening to its contact and to the coordinator, an invitation), plus the
/// seminar's opening and the coordinator's invitation: 602 messages.
pub(crate) const LAUREATES: usize = 200;

/// `tests/fixtures/smtp/smtp.yaml` as edition `id`, started yesterday with
/// `LAUREATES` laureates: its opening messages are all overdue, none
/// expired (the seminar is a week after the start).
pub(crate) fn burst(id: &str) -> String {
    let yesterday = Zoned::now()
        .date()
        .checked_sub(Span::new().days(1))
        .expect("yesterday");
    let end = yesterday
        .checked_add(Span::new().days(290))
        .expect("the end");
    let fixture = std::fs::read_to_string(fixtures().join("smtp/smtp.yaml")).expect("the fixture");
    let mut out = String::new();
    for line in fixture.lines() {
        if line.starts_with("  - {id: p") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line == "participants:" {
            for n in 1..=LAUREATES {
                out.push_str(&format!(
                    "  - {{id: p{n}, name: Atelier {n}, theme: seniors, status: laureate, \
                     contact: {{name: Contact {n}, email: c{n}@example.org}}}}\n"
                ));
            }
        }
    }
    out.replace("edition:\n  id: essai", &format!("edition:\n  id: {id}"))
        .replace("start: 2025-03-03", &format!("start: {yesterday}"))
        .replace("end: 2025-12-19", &format!("end: {end}"))
}

/// The messages `jalon plan` shows for a definition: (key, kind, stage,
/// at, expires_at).
pub(crate) fn planned(
    dir: &Path,
    file: &str,
) -> Vec<(String, String, String, Timestamp, Timestamp)> {
    let plan = Jalon::new()
        .current_dir(dir)
        .args(&["plan", file, "--format", "json"])
        .run()
        .json();
    let instant = |v: &serde_json::Value| {
        v.as_str()
            .expect("an instant")
            .parse::<Zoned>()
            .expect("a zoned instant")
            .timestamp()
    };
    plan["messages"]
        .as_array()
        .expect("the planned messages")
        .iter()
        .map(|m| {
            (
                m["key"].as_str().expect("a key").to_owned(),
                m["kind"].as_str().expect("a kind").to_owned(),
                m["stage"].as_str().unwrap_or_default().to_owned(),
                instant(&m["at"]),
                instant(&m["expires_at"]),
            )
        })
        .collect()
}

/// Up to 100 cycles of: start the daemon on bursts of 602 due messages, kill
/// it after a random delay; then let it drain and stop it with SIGTERM.
/// After each kill, what the server accepted during that run is set against
/// the outbox the run left: a message accepted but not marked sent must go
/// out exactly once more, and nothing else may. Prints its figures (run with
/// `--nocapture`); `JALON_CRASH_SEED=N` varies the delays.
#[test]
fn sigkill_at_random_moments_loses_nothing_and_duplicates_only_unrecorded_sends() {
    const CYCLES: usize = 100;
    // The kill loop stops early rather than make the suite slow.
    const BUDGET: Duration = Duration::from_secs(100);
    const MAX_BURSTS: usize = 60;
    let seed = std::env::var("JALON_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x4A41_4C4E_u64);
    let began = Instant::now();
    // Offering PIPELINING, as most relays do: the envelope of each message
    // goes in one write (the window is the same without it, see
    // `dispatch::UNRECORDED_PER_CONNECTION`).
    let sink = Sink::start(0, &["--pipelining"]);
    let mut record = Record::new(&sink);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("definitions")).unwrap();
    let db = dir.path().join("jalon.db");
    let url = sink.url();
    let connections = CONNECTIONS.to_string();
    let args = [
        "--smtp",
        url.as_str(),
        "--connections",
        connections.as_str(),
    ];

    // Every message due now: the plan's messages up to now, by key.
    let mut expected: HashSet<String> = HashSet::new();
    let mut bursts: Vec<String> = Vec::new();
    let add_burst = |bursts: &mut Vec<String>, expected: &mut HashSet<String>| {
        let id = format!("burst-{}", bursts.len() + 1);
        let file = format!("definitions/{id}.yaml");
        std::fs::write(dir.path().join(&file), burst(&id)).unwrap();
        let now = Timestamp::now();
        let due: Vec<_> = planned(dir.path(), &file)
            .into_iter()
            .filter(|(_, _, _, at, _)| *at <= now)
            .collect();
        assert_eq!(due.len(), 3 * LAUREATES + 2, "{due:?}");
        assert!(due.iter().all(|(_, _, _, _, expires)| *expires > now));
        expected.extend(due.into_iter().map(|(key, ..)| key));
        bursts.push(id);
    };
    add_burst(&mut bursts, &mut expected);

    // Outbox keys by Message-ID.
    let mut known: HashSet<String> = HashSet::new();
    let mut key_of: HashMap<String, String> = HashMap::new();
    // How many times the server accepted each message, and how many of
    // those a kill explains: accepted, then the daemon killed before it
    // committed the message as sent, so that it goes out again.
    let mut accepted: HashMap<String, usize> = HashMap::new();
    let mut explained: HashMap<String, usize> = HashMap::new();
    // The first copy of each message that must go out again, to compare.
    let mut first_copy: HashMap<String, String> = HashMap::new();
    // Takes in what the server accepted during one run, given the outbox
    // as that run left it; returns (accepted, accepted but not committed).
    let mut take =
        |messages: Vec<Accepted>, rows: &[(String, String, String)], log: &str| -> (usize, usize) {
            for (_, key, _) in rows {
                if known.insert(key.clone()) {
                    key_of.insert(id_of(key), key.clone());
                }
            }
            let sent: HashSet<&str> = rows
                .iter()
                .filter(|(_, _, status)| status == "sent")
                .map(|(_, key, _)| key.as_str())
                .collect();
            let mut run = HashSet::new();
            let mut uncommitted = 0;
            for message in &messages {
                assert!(
                    run.insert(message.id.clone()),
                    "<{}@…> accepted twice by one daemon run:\n{log}",
                    message.id
                );
                let first_key = key_of
                    .get(&message.id)
                    .unwrap_or_else(|| panic!("<{}@…> is in no outbox row", message.id))
                    .clone();
                let carried = carried_with(&first_key, &known);
                let unsent = carried
                    .iter()
                    .filter(|k| !sent.contains(k.as_str()))
                    .count();
                assert!(
                    unsent == 0 || unsent == carried.len(),
                    "the rows of one email are recorded together: {carried:?}"
                );
                uncommitted += usize::from(unsent > 0);
                for key in carried {
                    *accepted.entry(key.clone()).or_insert(0) += 1;
                    if let Some(first) = first_copy.remove(&key) {
                        assert_eq!(first, message.fingerprint(), "a duplicate of {key} differs");
                    }
                    if !sent.contains(key.as_str()) {
                        *explained.entry(key.clone()).or_insert(0) += 1;
                        first_copy.insert(key, message.fingerprint());
                    }
                }
            }
            (messages.len(), uncommitted)
        };

    let mut random = Random(seed);
    let mut cycles = 0;
    let (mut early, mut sending, mut between) = (0, 0, 0);
    // Restarts that served the editions with messages waiting before the
    // others were checked (with who follows several editions as kept).
    let mut served_first = 0;
    let mut most_from_one_kill = 0;
    while cycles < CYCLES && began.elapsed() < BUDGET {
        cycles += 1;
        // A quarter of the kills early (opening and recovering the
        // database, loading and rebuilding the editions, queueing a burst,
        // composing the first messages), the rest while messages go out and
        // their outcomes are committed.
        let delay = if random.below(4) == 0 {
            random.below(120)
        } else {
            120 + random.below(680)
        };
        let daemon = Daemon::start(dir.path(), &args, None);
        std::thread::sleep(Duration::from_millis(delay));
        let log = daemon.kill();
        assert!(!log.contains(" ERROR "), "cycle {cycles}:\n{log}");
        served_first += usize::from(log.contains("serving first"));
        record.settle();
        let rows = outbox_rows(&db);
        let (sent, uncommitted) = take(record.new_messages(), &rows, &log);
        match (sent, uncommitted) {
            (0, _) => early += 1,
            (_, 0) => sending += 1,
            (_, n) => {
                between += 1;
                most_from_one_kill = most_from_one_kill.max(n);
            }
        }
        // A new burst as soon as the last is out: every kill falls on work.
        let drained = bursts.iter().all(|b| {
            let mut of_burst = rows.iter().filter(|(edition, ..)| edition == b).peekable();
            of_burst.peek().is_some() && of_burst.all(|(_, _, status)| status == "sent")
        });
        if drained && bursts.len() < MAX_BURSTS {
            add_burst(&mut bursts, &mut expected);
        }
    }
    let kills = cycles;
    assert!(
        served_first > 0,
        "no restart served the waiting editions first"
    );

    // Then left to drain, and stopped.
    let daemon = Daemon::start(dir.path(), &args, None);
    eventually_within(PATIENCE, "the outbox to drain", || {
        let rows = outbox_rows(&db);
        rows.len() == expected.len() && rows.iter().all(|(_, _, status)| status == "sent")
    });
    let (status, log) = daemon.terminate(Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(!log.contains(" ERROR "), "{log}");
    record.settle();
    let rows = outbox_rows(&db);
    let (_, uncommitted) = take(record.new_messages(), &rows, &log);
    assert_eq!(uncommitted, 0);

    // Every due email is in the outbox, sent, and was accepted.
    let keys: HashSet<String> = rows.iter().map(|(_, key, _)| key.clone()).collect();
    assert_eq!(keys.len(), rows.len());
    assert_eq!(
        keys.symmetric_difference(&expected).count(),
        0,
        "the outbox holds every due message and nothing else"
    );
    let lost: Vec<&String> = expected
        .iter()
        .filter(|k| !accepted.contains_key(*k))
        .collect();
    assert!(lost.is_empty(), "never accepted: {lost:?}");
    // Each extra copy is explained by a kill between its acceptance and our
    // commit, and was the same message.
    for key in &expected {
        assert_eq!(
            accepted[key],
            1 + explained.get(key).copied().unwrap_or(0),
            "{key}: accepted {} times",
            accepted[key]
        );
    }
    assert!(
        first_copy.is_empty(),
        "every unrecorded send went out again"
    );
    let total: usize = accepted.values().sum();
    let duplicates = total - expected.len();
    assert_eq!(duplicates, explained.values().sum::<usize>());
    // A worker sends its next message while the last outcome commits, then
    // waits for that commit: a kill catches at most two accepted, unrecorded
    // messages per connection.
    assert!(
        most_from_one_kill <= 2 * CONNECTIONS,
        "{most_from_one_kill} messages accepted and not recorded at one kill"
    );

    // One successful attempt on record per message, and a sound file.
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut statement = conn
        .prepare("SELECT key, count(*) FROM attempts WHERE outcome = 'sent' GROUP BY key")
        .unwrap();
    let sent_attempts: BTreeMap<String, i64> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sent_attempts.len(), expected.len());
    assert!(sent_attempts.values().all(|&n| n == 1), "{sent_attempts:?}");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    println!(
        "crash safety: {cycles} cycles, {kills} SIGKILLs ({early} before the run's first \
         acceptance, {sending} while sending, {between} between an acceptance and its commit; \
         {served_first} restarts served the waiting editions first); {} bursts, {} messages, {total} acceptances, {duplicates} duplicates (at most \
         {most_from_one_kill} from one kill); {:.1} s (seed {seed})",
        bursts.len(),
        expected.len(),
        began.elapsed().as_secs_f64()
    );
}

/// One laureate, two tasks opening yesterday: `fiche`, reminded in a few
/// days and due soon after, and `rapport`, reminded in about three weeks.
const CATCH_UP: &str = r#"programme:
  id: rattrapage
  name: Programme de rattrapage
edition:
  id: rattrapage
  name: Édition de rattrapage
  start: START
  end: END
time_zone: Europe/Paris
organisations:
  - {id: cd, name: Département, kind: public_body}
people:
  - {id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}
roles:
  - {id: coordination, name: Coordination, kind: coordination, members: [ana]}
themes:
  - {id: seniors, title: Isolement des seniors}
participants:
  - {id: p1, name: Atelier Un, theme: seniors, status: laureate, contact: {name: Élodie Un, email: un@example.org}}
stages:
  - id: fiche
    kind: task
    title: Fiche projet
    owners: [coordination]
    for_each: laureate
    start: edition.start
    due: start + 4 working days
    reminders:
      - when: due - 1 working day
  - id: rapport
    kind: task
    title: Rapport d'étape
    owners: [coordination]
    for_each: laureate
    start: edition.start
    due: start + 15 working days
    reminders:
      - when: due - 2 working days
templates:
  - id: ouverture
    subject: "{{ programme }} — « {{ stage }} » commence"
    body: |
      Bonjour {{ recipient }},

      L'étape « {{ stage }} » s'ouvre le {{ start }} et doit être terminée le {{ due }}.
  - id: rappel
    subject: "Rappel : « {{ stage }} » à rendre le {{ due }}"
    body: |
      Bonjour {{ recipient }},

      Pour rappel, « {{ stage }} » est attendue le {{ due }}.
messages:
  stage_opened: ouverture
  reminder: rappel
"#;

/// `jalon outbox rattrapage`: status and attempts by key.
fn outbox_of(dir: &Path) -> BTreeMap<String, (String, u32)> {
    let output = Jalon::new()
        .current_dir(dir)
        .args(&["outbox", "rattrapage"])
        .run();
    output.succeeds();
    output
        .stdout()
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let key = *words.last()?;
            if !key.starts_with("rattrapage/") || words.len() < 4 {
                return None;
            }
            let attempts = words[words.len() - 3].parse().ok()?;
            Some((key.to_owned(), (words[0].to_owned(), attempts)))
        })
        .collect()
}

/// The ids of what the server accepted since the last look, once it is quiet.
fn accepted_ids(record: &mut Record) -> Vec<String> {
    record.settle();
    let mut ids: Vec<String> = record.new_messages().into_iter().map(|m| m.id).collect();
    ids.sort();
    ids
}

#[test]
fn a_reminder_due_while_stopped_goes_out_once_on_restart_and_an_expired_one_never() {
    let sink = Sink::start(0, &[]);
    let mut record = Record::new(&sink);
    let url = sink.url();
    let args = ["--smtp", url.as_str()];
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("definitions")).unwrap();
    let start = Zoned::now()
        .date()
        .checked_sub(Span::new().days(1))
        .unwrap();
    let end = start.checked_add(Span::new().days(290)).unwrap();
    let definition = CATCH_UP
        .replace("START", &start.to_string())
        .replace("END", &end.to_string());
    std::fs::write(dir.path().join("definitions/rattrapage.yaml"), definition).unwrap();

    let plan = planned(dir.path(), "definitions/rattrapage.yaml");
    let of = |kind: &str, stage: &str| -> Vec<_> {
        plan.iter()
            .filter(|(_, k, s, _, _)| k == kind && s == stage)
            .cloned()
            .collect()
    };
    let ids = |messages: &[(String, String, String, Timestamp, Timestamp)]| {
        let mut ids: Vec<String> = messages.iter().map(|(key, ..)| id_of(key)).collect();
        ids.sort();
        ids
    };
    let (fiche, rapport) = (of("reminder", "fiche"), of("reminder", "rapport"));
    let mut openings = of("stage_opened", "fiche");
    openings.extend(of("stage_opened", "rapport"));
    // Each to the laureate's contact and to the coordinator.
    assert_eq!((fiche.len(), rapport.len(), openings.len()), (2, 2, 4));
    let now = Timestamp::now();
    let (fiche_at, fiche_expires) = (fiche[0].3, fiche[0].4);
    let (rapport_at, rapport_expires) = (rapport[0].3, rapport[0].4);
    let hour = jiff::SignedDuration::from_hours(1);
    assert!(openings.iter().all(|m| m.3 < now && m.4 > now));
    assert!(fiche_at > now + hour, "the first reminder is ahead");
    // After the restart the clock stands an hour past the second reminder:
    // by then the first one's stage is past due, and the reminder with it.
    let later = rapport_at + hour;
    assert!(fiche_expires < later, "{fiche_expires} {later}");
    assert!(rapport_expires > later + hour, "{rapport_expires} {later}");

    // 1. On the real clock: the openings (overdue since yesterday) go out,
    // and it sleeps until the first reminder. Stopped before it.
    let daemon = Daemon::start(dir.path(), &args, None);
    let wake = format!("next wake-up at {fiche_at}");
    eventually_within(PATIENCE, &wake, || daemon.log().contains(&wake));
    let (status, log) = daemon.terminate(Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(!log.contains(SKEW), "{log}");
    assert_eq!(accepted_ids(&mut record), ids(&openings));
    let outbox = outbox_of(dir.path());
    assert_eq!(outbox.len(), 4, "only the openings are queued: {outbox:?}");
    assert!(outbox.values().all(|(status, _)| status == "sent"));

    // 2. Restarted past both reminders' due instants: the one still
    // current goes out once, the other is recorded expired, never sent.
    let skew = |to: Timestamp| Timestamp::now().duration_until(to).as_secs();
    let daemon = Daemon::start(dir.path(), &args, Some(skew(later)));
    eventually_within(PATIENCE, "a pass", || daemon.log().contains("pass over"));
    let (status, log) = daemon.terminate(Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(
        log.contains(&format!("{SKEW} is set")) && log.contains(" WARN "),
        "the skew is logged as a warning: {log}"
    );
    assert_eq!(accepted_ids(&mut record), ids(&rapport), "{log}");
    let outbox = outbox_of(dir.path());
    for (key, ..) in &rapport {
        assert_eq!(outbox[key], ("sent".to_owned(), 1), "{key}");
    }
    // (Recording the expiry counts as its one attempt; none reached the
    // server, as the ids above show.)
    for (key, ..) in &fiche {
        assert_eq!(outbox[key].0, "expired", "{key}");
    }
    assert!(log.contains("2 expired"), "{log}");

    // 3. Restarted again (later still): nothing more goes out.
    let daemon = Daemon::start(dir.path(), &args, Some(skew(later + hour)));
    eventually_within(PATIENCE, "a pass", || daemon.log().contains("pass over"));
    let (status, log) = daemon.terminate(Duration::from_secs(15));
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(log.contains("due=0 sent=0"), "{log}");
    assert_eq!(accepted_ids(&mut record), Vec::<String>::new());
    assert_eq!(outbox_of(dir.path()), outbox);
}
