//! `jalon daemon` at rest and at work, on 100 editions × 1,000 laureates:
//! - at rest (nothing due): CPU, resident memory and wake-ups over a minute;
//! - from a due instant to the relay's acceptance (aiosmtpd, loopback);
//! - restart to the first send with 1,000,000 events stored: with the
//!   checked definitions' cache cold (removed) and warm, beside the anchor
//!   of a start that checks the whole set before it sends (nothing kept of
//!   who follows several editions, cache cold), rounds interleaved; and
//!   with an earlier build named by `JALON_BENCH_BEFORE` (one that opens
//!   this build's database).
//!
//! `cargo bench -p jalon-cli --bench daemon` (installs the test SMTP server
//! on first use, like the tests). `JALON_BENCH_IDLE_SECONDS` sets the rest
//! measurement (default 60). Writes its table for `tests/bench-figures`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use jalon_core::{Channel, Event, EventKind};
use jalon_definition::{check_paths, Limits};
use jalon_store::{Entry, NewMessage, SqliteStore, Store};
use jiff::{SignedDuration, Timestamp};

#[path = "../../bench_support/editions.rs"]
mod editions;
#[path = "../../bench_support/figures.rs"]
mod figures;
#[path = "../../bench_support/cli.rs"]
mod support;

const EDITIONS: usize = 100;
const LAUREATES: usize = 1_000;
const EVENTS: usize = 1_000_000;
const ROUNDS: usize = 3;
/// Rounds of the restart, the figure this bench is about.
const RESTARTS: usize = 5;

/// The instant the latency edition's first message falls due: its start
/// (Tuesday 8 December 2026, not a Monday, when the template's weekly
/// digest goes out at 08:00) at the engine's notice time, 09:00 in Paris.
const DUE: &str = "2026-12-08T08:00:00Z";

fn main() {
    let idle_seconds: u64 = std::env::var("JALON_BENCH_IDLE_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let servers = support::test_servers(&root);

    let work = tempfile::tempdir().expect("a work folder");
    let definitions = work.path().join("definitions");
    write_editions(&root, &definitions);
    println!("{EDITIONS} editions × {LAUREATES} laureates (+ 1 small edition for latency)");

    // At rest.
    let sink = Sink::start(&servers, &root);
    let daemon = Daemon::start(
        work.path(),
        &definitions,
        &work.path().join("rest.db"),
        &sink,
        None,
    );
    let started = daemon.wait_for("next wake-up");
    println!(
        "start to the end of the first pass: {:.2} s",
        started.as_secs_f64()
    );
    let before = daemon.sample();
    std::thread::sleep(Duration::from_secs(idle_seconds));
    let after = daemon.sample();
    let ticks_per_second = clock_ticks();
    let cpu = (after.ticks - before.ticks) as f64 / ticks_per_second / idle_seconds as f64;
    let woken: u64 = after
        .switches
        .iter()
        .map(|(tid, n)| n - before.switches.get(tid).copied().unwrap_or(0).min(*n))
        .sum();
    let switches = woken as f64 * 60.0 / idle_seconds as f64;
    let rest = format!(
        "{:.3} % of a core, {:.0} MiB resident (peak {:.0} MiB), {switches:.0} thread wake-ups a minute",
        cpu * 100.0,
        after.rss_kib as f64 / 1024.0,
        after.peak_kib as f64 / 1024.0,
    );
    println!("at rest over {idle_seconds} s: {rest}");
    let mut table = figures::Table::new("daemon", &["", "median (spread)", "target"]);
    table.row(vec![
        format!("at rest, nothing due ({idle_seconds} s, `/proc`)"),
        rest,
        "< 1 %, < 200 MiB".into(),
    ]);
    table.row(vec![
        "start to the end of the first pass".into(),
        format!("{:.2} s", started.as_secs_f64()),
        String::new(),
    ]);
    daemon.stop();

    // From the due instant to acceptance: the daemon's clock is skewed so
    // that the instant comes a few seconds after its first pass.
    let due: Timestamp = DUE.parse().expect("instant");
    let lead = started + Duration::from_secs(3);
    let mut latencies = Vec::new();
    for round in 0..ROUNDS {
        // Whole seconds: what the daemon is given.
        let ahead =
            due.duration_since(Timestamp::now()) - SignedDuration::try_from(lead).expect("lead");
        let skew = SignedDuration::from_secs(ahead.as_secs());
        let real_due = due - skew;
        let accepted = sink.accepted();
        let db = work.path().join(format!("latency-{round}.db"));
        let daemon = Daemon::start(work.path(), &definitions, &db, &sink, Some(skew));
        let at = sink.wait_beyond(accepted, Duration::from_secs(60));
        let latency = at.duration_since(real_due);
        latencies.push(latency.as_secs_f64() * 1000.0);
        daemon.stop();
    }
    println!(
        "due instant to SMTP acceptance: median {:.0} ms (rounds: {})",
        support::median(&latencies),
        list(&latencies)
    );
    table.row(vec![
        format!("from a due instant to the relay's acceptance ({ROUNDS} rounds)"),
        figures::spread_of(&latencies, "ms"),
        String::new(),
    ]);

    // Restart with a million events stored: the first send is a digest row
    // of the last big edition (10,000 events of its own to rebuild).
    let db = work.path().join("million.db");
    let last = store_million(&definitions, &db);
    let cache = work.path().join("million.db.checked");
    let mut runs: Vec<(&str, Option<PathBuf>, Start, Vec<f64>)> = Vec::new();
    if let Some(before) = std::env::var_os("JALON_BENCH_BEFORE") {
        runs.push((
            "earlier build",
            Some(before.into()),
            Start::Cold,
            Vec::new(),
        ));
    }
    // The anchor in the same run: nothing kept of who follows several
    // editions (as on a first start), so the whole set is checked, on a
    // cold cache, before anything is sent.
    runs.push((
        "whole set checked first, cold cache (anchor)",
        None,
        Start::WholeSetFirst,
        Vec::new(),
    ));
    runs.push(("this build, cold cache", None, Start::Cold, Vec::new()));
    runs.push(("this build, warm cache", None, Start::Warm, Vec::new()));
    // One start first, not timed: the pass over the whole set keeps who
    // follows several editions, which a start needs to serve first.
    queue_digest(&db, &last, usize::MAX);
    let accepted = sink.accepted();
    let daemon = Daemon::start_binary(None, work.path(), &definitions, &db, &sink, None);
    sink.wait_beyond(accepted, Duration::from_secs(120));
    daemon.stop();
    println!("load before the restarts: {}", loadavg());
    let mut queued = 0;
    for _ in 0..RESTARTS {
        for (_, binary, start, times) in &mut runs {
            if *start != Start::Warm {
                let _ = std::fs::remove_dir_all(&cache);
            }
            if *start == Start::WholeSetFirst {
                forget_readers_of_several(&db);
            }
            queue_digest(&db, &last, queued);
            queued += 1;
            let accepted = sink.accepted();
            let spawned = Timestamp::now();
            let daemon = Daemon::start_binary(
                binary.as_deref(),
                work.path(),
                &definitions,
                &db,
                &sink,
                None,
            );
            let at = sink.wait_beyond(accepted, Duration::from_secs(120));
            times.push(at.duration_since(spawned).as_secs_f64());
            daemon.stop();
        }
    }
    println!("load after the restarts: {}", loadavg());
    for (what, _, _, times) in &runs {
        let low = times.iter().copied().fold(f64::INFINITY, f64::min);
        let high = times.iter().copied().fold(0.0, f64::max);
        println!(
            "restart to the first send with {EVENTS} events stored, {what}: median {:.3} s ({low:.3}–{high:.3}; rounds: {})",
            support::median(times),
            list(times)
        );
        table.row(vec![
            format!(
                "restart to the first send, {} events stored, {what} ({RESTARTS} rounds)",
                figures::round(EVENTS as f64)
            ),
            figures::spread_of(times, "s"),
            "< 0.3 s".into(),
        ]);
    }
    table.write();
}

/// The load averages, as /proc/loadavg gives them.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The Val d'Oise template with `EDITIONS` editions of `LAUREATES`
/// laureates in 2027 (nothing due now), and one small edition whose stages
/// open on [`DUE`].
fn write_editions(root: &Path, definitions: &Path) {
    std::fs::create_dir_all(definitions).expect("definitions folder");
    // `extends` stays inside the definitions folder: the template in it.
    std::fs::create_dir_all(definitions.join("programmes")).expect("programmes folder");
    std::fs::copy(
        root.join("definitions/programmes/val-doise.yaml"),
        definitions.join("programmes/val-doise.yaml"),
    )
    .expect("the template copied");
    let template = Path::new("programmes/val-doise.yaml");
    for e in 0..EDITIONS {
        let text = editions::edition(
            template,
            &format!("e{e:03}"),
            "2027-01-04",
            "2028-03-31",
            "2027-06-07",
            LAUREATES,
        );
        std::fs::write(definitions.join(format!("e{e:03}.yaml")), text).expect("edition written");
    }
    let text = editions::edition(
        template,
        "latence",
        "2026-12-08",
        "2028-03-31",
        "2027-06-07",
        3,
    );
    std::fs::write(definitions.join("latence.yaml"), text).expect("edition written");
}

/// `EVENTS` indicator values spread over the big editions, written through
/// the store as the daemon would find them. Returns the id of the last big
/// edition.
fn store_million(definitions: &Path, db: &Path) -> String {
    let report = check_paths(&[definitions.to_path_buf()], &Limits::default()).expect("readable");
    assert_eq!(report.errors(), 0, "the bench's definitions have errors");
    let mut store = SqliteStore::open(db).expect("the database");
    let big: Vec<_> = report
        .editions
        .iter()
        .map(|(_, e)| e)
        .filter(|e| e.id != "latence")
        .collect();
    let per_edition = EVENTS / big.len();
    let at: Timestamp = "2026-11-01T10:00:00Z".parse().expect("instant");
    for edition in &big {
        let mut state = jalon_core::State::new(std::sync::Arc::new((*edition).clone()));
        let entries: Vec<Entry> = (0..per_edition)
            .map(|n| Entry {
                event: Event {
                    at: at + SignedDuration::from_secs(n as i64),
                    by: "serge-dobel".into(),
                    channel: Channel::Cli,
                    kind: EventKind::Record {
                        stage: "mesure-impact".into(),
                        participant: Some(format!("p{}", n % LAUREATES)),
                        indicator: "trajets".into(),
                        value: n.to_string(),
                    },
                },
                version: edition.version.clone(),
                due: Vec::new(),
                withdraw: Vec::new(),
                change: None,
                documents: Vec::new(),
            })
            .collect();
        // The core must take them, or the daemon would refuse to start.
        state
            .apply(&entries[0].event)
            .expect("the core takes the event");
        for chunk in entries.chunks(10_000) {
            store.append(&edition.id, chunk).expect("append");
        }
    }
    big.last().map(|e| e.id.clone()).expect("editions")
}

/// How a restart round begins.
#[derive(PartialEq)]
enum Start {
    /// The cache of checked definitions removed, and who follows several
    /// editions forgotten: nothing can be served before the whole set.
    WholeSetFirst,
    /// The cache of checked definitions removed.
    Cold,
    /// As the last round left it.
    Warm,
}

/// Drops what the last pass over the whole set kept of who follows several
/// editions, as in a database that never had it.
fn forget_readers_of_several(db: &Path) {
    rusqlite::Connection::open(db)
        .and_then(|c| c.execute("DELETE FROM readers_of_several", []))
        .expect("forgotten");
}

/// A digest for `ana` due now: the first (and only) message of the restart.
fn queue_digest(db: &Path, edition: &str, round: usize) {
    let mut store = SqliteStore::open(db).expect("the database");
    let now = Timestamp::now();
    let message = NewMessage {
        key: format!("{edition}/digest/bench/{round}/person:ana"),
        kind: "digest".into(),
        due_at: now,
        expires_at: None,
        recipient: "person:ana".into(),
        body: format!("{{\"digest\":\"bench\",\"at\":\"{now}\"}}"),
    };
    assert_eq!(store.queue(edition, &[message]).expect("queued"), 1);
}

struct Daemon {
    child: Child,
    lines: mpsc::Receiver<String>,
    spawned: Instant,
}

struct Sample {
    ticks: u64,
    /// Context switches by thread id (threads come and go: compare those
    /// present in both samples).
    switches: std::collections::HashMap<String, u64>,
    rss_kib: u64,
    peak_kib: u64,
}

impl Daemon {
    fn start(
        dir: &Path,
        definitions: &Path,
        db: &Path,
        sink: &Sink,
        skew: Option<SignedDuration>,
    ) -> Daemon {
        Daemon::start_binary(None, dir, definitions, db, sink, skew)
    }

    /// The same with another `jalon` than the bench's.
    fn start_binary(
        binary: Option<&Path>,
        dir: &Path,
        definitions: &Path,
        db: &Path,
        sink: &Sink,
        skew: Option<SignedDuration>,
    ) -> Daemon {
        let mut command = binary.map_or_else(support::jalon, Command::new);
        command
            .arg("daemon")
            .arg("--definitions")
            .arg(definitions)
            .arg("--db")
            .arg(db)
            .args(["--smtp", &sink.url(), "--listen", "127.0.0.1:0"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(skew) = skew {
            command.env("JALON_CLOCK_SKEW_SECONDS", skew.as_secs().to_string());
        }
        let spawned = Instant::now();
        let mut child = command.spawn().expect("the daemon starts");
        let stderr = child.stderr.take().expect("its log");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Daemon {
            child,
            lines,
            spawned,
        }
    }

    /// Time from spawn until a log line contains `text`.
    fn wait_for(&self, text: &str) -> Duration {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) if line.contains(text) => return self.spawned.elapsed(),
                Ok(line) => seen.push(line),
                Err(e) => panic!(
                    "the daemon never logged {text:?} ({e}):\n{}",
                    seen.join("\n")
                ),
            }
        }
    }

    /// CPU ticks, context switches of every thread, memory: from /proc.
    fn sample(&self) -> Sample {
        let pid = self.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
        // Fields after the command name (which may hold spaces).
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .expect("stat fields");
        let ticks =
            fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
        let mut switches = std::collections::HashMap::new();
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))
            .expect("tasks")
            .flatten()
        {
            let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
            switches.insert(
                task.file_name().to_string_lossy().into_owned(),
                field(&status, "voluntary_ctxt_switches:")
                    + field(&status, "nonvoluntary_ctxt_switches:"),
            );
        }
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
        Sample {
            ticks,
            switches,
            rss_kib: field(&status, "VmRSS:"),
            peak_kib: field(&status, "VmHWM:"),
        }
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn field(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// aiosmtpd appending each accepted message to a file, watched for growth.
struct Sink {
    child: Child,
    port: u16,
    record: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sink {
    fn start(servers: &Path, root: &Path) -> Sink {
        let dir = tempfile::tempdir().expect("a folder for the record");
        let record = dir.path().join("accepted.jsonl");
        let mut child = Command::new(servers.join("venv/bin/python"))
            .arg(root.join("tests/servers/sink.py"))
            .args(["--host", "127.0.0.1", "--port", "0", "--record"])
            .arg(&record)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the aiosmtpd sink starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("the sink says it is ready");
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the sink did not start: {line:?}"));
        Sink {
            child,
            port,
            record,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Bytes recorded so far.
    fn accepted(&self) -> u64 {
        std::fs::metadata(&self.record).map_or(0, |m| m.len())
    }

    /// When the record first grows beyond `size` (polled every millisecond).
    fn wait_beyond(&self, size: u64, limit: Duration) -> Timestamp {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.accepted() > size {
                return Timestamp::now();
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("nothing accepted within {limit:?}");
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}
