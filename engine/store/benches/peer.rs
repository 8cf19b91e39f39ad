//! `cargo bench -p jalon-store --bench peer`: the same human workflow per
//! laureate — roadmap handed in then approved, field immersion done,
//! impact review done, a decision among three outcomes: five human
//! transitions each — through Jalon's core and through `acts` (crates.io, a
//! Rust YAML workflow engine whose `acts.core.irq` steps wait for a person),
//! in memory and recorded durably in SQLite (WAL, `synchronous=FULL` for
//! both): Jalon on 10,000 laureates and on 300, acts on 300 (see `MODES`).
//! Each mode runs in a child process of its own, so that the resident
//! memory it reports is its own. Prints the time per human transition
//! (median of the runs, with min–max), the peak heap and the resident
//! growth; asserts nothing about speed.
//!
//! Setting up (Jalon's state for every laureate, acts' started processes,
//! each waiting on its first step) is timed apart: it is no human
//! transition. acts' time runs until `Engine::close` has applied every
//! write it queued: its completions return before their rows are written.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jalon_core::clock::deliver_until;
use jalon_core::{Channel, Event, EventKind, State};
use jalon_definition::resolved::Edition;
use jalon_store::{Entry, SqliteStore, Store};
use jiff::civil::{date, Time};
use jiff::{Timestamp, ToSpan};
use rusqlite::{params, Connection, OptionalExtension};

#[path = "../../bench_support/editions.rs"]
mod editions;
#[path = "../../bench_support/figures.rs"]
mod figures;
#[path = "../../bench_support/heap.rs"]
mod heap;

/// Laureates of a run (each mode's child is told how many, see `MODES`).
static LAUREATES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

fn laureates() -> usize {
    *LAUREATES.get().expect("set by the child")
}

fn transitions() -> usize {
    laureates() * STEPS
}
/// Human transitions per laureate.
const STEPS: usize = 5;
const RUNS: usize = 3;
/// Jalon's batched recording: events per transaction.
const BATCH: usize = 1_000;
/// acts' completions in flight at once (its scheduler runs processes on
/// every core; one at a time would leave it idle between awaits).
const IN_FLIGHT: usize = 64;
/// acts' in-memory queues (scheduler, store writer), at their maximum: with
/// the defaults (4,096 jobs, 16,384 writes) the writer fell behind and acts
/// refused work (`QueueFull`), failing the processes it belonged to.
const QUEUES: usize = 1_048_576;
const OUTCOMES: [&str; 3] = ["implanter", "prolonger", "arreter"];

/// The engines and modes compared, each measured in a process of its own so
/// that its resident memory is its own.
/// acts is run on 300 laureates (and 1,000 in memory): its time per
/// transition grows with its number of processes, so 10,000 would take
/// hours a run. Jalon runs both sizes, 300 as the anchor beside acts.
const MODES: [(&str, usize, usize); 9] = [
    ("Jalon, in memory", 0, 10_000),
    ("Jalon, SQLite, one event per transaction", 1, 10_000),
    ("Jalon, SQLite, 1,000 events per transaction", 2, 10_000),
    ("Jalon, in memory", 0, 300),
    ("Jalon, SQLite, one event per transaction", 1, 300),
    ("Jalon, SQLite, 1,000 events per transaction", 2, 300),
    ("acts, in memory (its MemoryStore)", 3, 300),
    ("acts, SQLite (its KvStore, every write)", 4, 300),
    ("acts, in memory (its MemoryStore)", 3, 1_000),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--mode") {
        let n = args[i + 2].parse().expect("a number of laureates");
        LAUREATES.set(n).expect("set once");
        return child(args[i + 1].parse().expect("a mode number"));
    }
    let exe = std::env::current_exe().expect("this bench");
    let mut rows = Vec::new();
    for &(name, mode, laureates) in &MODES {
        let transitions = (laureates * STEPS) as f64;
        let out = std::process::Command::new(&exe)
            .args(["--mode", &mode.to_string(), &laureates.to_string()])
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("the bench runs one mode");
        assert!(out.status.success(), "{name} failed");
        let mut runs: Vec<[f64; 4]> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("run "))
            .map(|l| {
                let v: Vec<f64> = l.split(' ').map(|x| x.parse().expect("a figure")).collect();
                [v[0], v[1], v[2], v[3]]
            })
            .collect();
        for r in &runs {
            println!(
                "  {name}, {laureates} laureates: {:.2} µs per transition, set-up {:.0} ms, peak heap {:.0} MiB, RSS +{:.0} MiB",
                r[1] / transitions / 1e3,
                r[0] / 1e6,
                heap::mib(r[2] as usize),
                heap::mib(r[3] as usize)
            );
        }
        runs.sort_by(|a, b| a[1].total_cmp(&b[1]));
        let per = |r: &[f64; 4]| r[1] / transitions / 1e3;
        let max = |i: usize| runs.iter().map(|r| r[i]).fold(0.0, f64::max);
        let mut setups: Vec<f64> = runs.iter().map(|r| r[0]).collect();
        setups.sort_by(f64::total_cmp);
        rows.push(Row {
            name,
            laureates,
            median: per(&runs[RUNS / 2]),
            min: per(&runs[0]),
            max: per(&runs[RUNS - 1]),
            setup_ms: setups[RUNS / 2] / 1e6,
            heap: max(2),
            rss: max(3),
        });
    }

    println!(
        "\n{STEPS} human transitions per laureate; medians of {RUNS} runs (min–max); load {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "{:<46} {:>9} {:>26} {:>10} {:>10} {:>14} {:>10}",
        "",
        "laureates",
        "µs per transition",
        "set-up",
        "peak heap",
        "heap/transition",
        "RSS growth"
    );
    for r in &rows {
        println!(
            "{:<46} {:>9} {:>8.2} ({:>6.2}–{:<7.2}) {:>7.0} ms {:>6.0} MiB {:>12.0} B {:>6.0} MiB",
            r.name,
            r.laureates,
            r.median,
            r.min,
            r.max,
            r.setup_ms,
            heap::mib(r.heap as usize),
            r.heap / (r.laureates * STEPS) as f64,
            heap::mib(r.rss as usize)
        );
    }
    let mut table = figures::Table::new(
        "peer",
        &["", "laureates", "µs per human transition", "peak heap"],
    );
    for r in &rows {
        table.row(vec![
            r.name.to_owned(),
            figures::round(r.laureates as f64),
            figures::spread(r.median, r.min, r.max, "µs"),
            format!("{:.0} MiB", heap::mib(r.heap as usize)),
        ]);
    }
    // The target's pair: durable, at the size acts can run.
    let (jalon, acts) = (&rows[4], &rows[7]);
    table.row(vec![
        format!("**{} ÷ {}**", acts.name, jalon.name),
        figures::round(jalon.laureates as f64),
        format!(
            "**{:.1}×** ({:.1}–{:.1}×)",
            acts.median / jalon.median,
            acts.min / jalon.max,
            acts.max / jalon.min
        ),
        format!("{:.1}×", acts.heap / jalon.heap.max(1.0)),
    ]);
    table.write();
    for (j, a) in [(3, 6), (4, 7), (5, 7), (0, 6), (1, 7), (2, 7)] {
        let (j, a) = (&rows[j], &rows[a]);
        println!(
            "{} ({}) / {} ({}): time {:.1}× (runs' extremes {:.1}–{:.1}×), peak heap {:.1}×, RSS growth {:.1}×",
            a.name,
            a.laureates,
            j.name,
            j.laureates,
            a.median / j.median,
            a.min / j.max,
            a.max / j.min,
            a.heap / j.heap.max(1.0),
            a.rss / j.rss.max(1.0)
        );
    }
}

struct Row {
    name: &'static str,
    laureates: usize,
    /// µs per transition.
    median: f64,
    min: f64,
    max: f64,
    setup_ms: f64,
    /// Highest over the runs, set-up included, in bytes.
    heap: f64,
    rss: f64,
}

/// What one run gives: set-up time, time of the transitions.
struct Timed {
    setup: Duration,
    transitions: Duration,
}

/// Runs one mode `RUNS` times and prints a line per run for the parent:
/// set-up and transitions in ns, peak heap and resident growth in bytes.
fn child(mode: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut run: Box<dyn FnMut(usize) -> Timed> = if mode < 3 {
        let edition = edition(dir.path());
        let events = human_events(&edition);
        assert_eq!(events.len(), transitions());
        let recording = [Recording::None, Recording::Each, Recording::Batched][mode];
        let base = dir.path().to_owned();
        Box::new(move |n| {
            jalon(
                &edition,
                &events,
                recording,
                &base.join(format!("jalon-{n}.db")),
            )
        })
    } else {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let base = dir.path().to_owned();
        let durable = mode == 4;
        Box::new(move |n| {
            let path = durable.then(|| base.join(format!("acts-{n}.db")));
            runtime.block_on(acts_run(path))
        })
    };
    for n in 0..RUNS {
        let rss = Rss::mark();
        let mark = heap::Mark::now();
        let timed = run(n);
        println!(
            "run {} {} {} {}",
            timed.setup.as_nanos(),
            timed.transitions.as_nanos(),
            mark.peak(),
            rss.growth()
        );
    }
}

/// The resident set's high-water mark, reset (`/proc/self/clear_refs`) at
/// the start of a run: counts what the Rust heap figure cannot, SQLite's
/// page cache and QuickJS's heap (acts' expressions), both allocated in C.
struct Rss {
    base: usize,
}

impl Rss {
    fn mark() -> Rss {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Rss {
            base: status_kib("VmRSS:"),
        }
    }

    fn growth(&self) -> usize {
        status_kib("VmHWM:").saturating_sub(self.base) * 1024
    }
}

fn status_kib(field: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------- Jalon

#[derive(Clone, Copy, Debug)]
enum Recording {
    None,
    Each,
    Batched,
}

/// The workflow as a programme manager writes it for Jalon: four stages per
/// laureate, the roadmap validated by the coordination, the decision's three
/// outcomes leading to a convention, a prolongation or nothing.
fn edition(dir: &Path) -> Arc<Edition> {
    let mut y = String::from(
        "programme: {id: pair, name: Programme de comparaison}
edition: {id: pair, name: Comparaison, start: 2025-01-06, end: 2026-06-30}
time_zone: Europe/Paris
calendar:
  public_holidays: france
people:
  - {id: ana, name: Ana, email: ana@example.org}
  - {id: dan, name: Dan, email: dan@example.org}
  - {id: cleo, name: Cléo, email: cleo@example.org}
roles:
  - {id: coordination, name: Coordination, kind: coordination, members: [ana]}
  - {id: accompagnement, name: Accompagnement, kind: accelerator, members: [dan]}
  - {id: labo-impact, name: Labo d'impact, kind: impact_lab, members: [cleo]}
stages:
  - id: feuille-de-route
    kind: task
    title: Feuille de route
    owners: [accompagnement]
    for_each: laureate
    start: edition.start
    due: start + 30 working days
    validation: {by: [coordination], quorum: 1, lead_time: 10 working days}
    reminders:
      - when: due - 15 working days
  - id: immersion
    kind: field_immersion
    title: Immersion terrain
    owners: [accompagnement]
    for_each: laureate
    needs: [feuille-de-route]
    due: start + 120 working days
    reminders:
      - when: due - 20 working days
  - id: mesure-impact
    kind: impact_review
    title: Mesure d'impact
    owners: [labo-impact]
    for_each: laureate
    needs: [immersion]
    due: start + 20 working days
  - id: decision
    kind: scale_up_decision
    title: Décision
    owners: [coordination]
    for_each: laureate
    needs: [mesure-impact]
    due: start + 10 working days
    outcomes:
      - {id: implanter, title: Implantation, leads_to: [convention]}
      - {id: prolonger, title: Prolongation, leads_to: [prolongation]}
      - {id: arreter, title: Arrêt, leads_to: []}
  - {id: convention, kind: task, title: Convention, owners: [coordination], for_each: laureate, due: start + 20 working days}
  - {id: prolongation, kind: task, title: Prolongation, owners: [coordination], for_each: laureate, due: start + 15 working days}
templates:
  - {id: t, subject: \"{{ stage }}\", body: \"Bonjour {{ recipient }}\"}
messages:
",
    );
    for kind in [
        "stage_opened",
        "reminder",
        "validation_request",
        "validation_refused",
        "escalation",
        "seminar_invitation",
        "selection_retained",
        "selection_not_retained",
        "decision_notice",
    ] {
        y.push_str(&format!("  {kind}: t\n"));
    }
    y.push_str(&editions::laureates_listed(laureates()));
    let path = dir.join("pair.yaml");
    std::fs::write(&path, y).expect("write");
    editions::checked(&path)
}

/// The first human act: 10:00 on the edition's first day.
fn first_act(edition: &Edition) -> Timestamp {
    jalon_core::time::local(
        &edition.time_zone,
        date(2025, 1, 6),
        Time::constant(10, 0, 0, 0),
    )
}

/// Every laureate's five acts, a second apart, step after step (all
/// roadmaps handed in, then all approved…), as a year runs.
fn human_events(edition: &Edition) -> Vec<Event> {
    let start = first_act(edition);
    let mut events = Vec::with_capacity(transitions());
    for step in 0..STEPS {
        for i in 0..laureates() {
            let participant = Some(format!("p{i}"));
            let (by, kind) = match step {
                0 => ("dan", complete("feuille-de-route", participant)),
                1 => (
                    "ana",
                    EventKind::Approve {
                        stage: "feuille-de-route".into(),
                        participant,
                        comment: None,
                    },
                ),
                2 => ("dan", complete("immersion", participant)),
                3 => ("cleo", complete("mesure-impact", participant)),
                _ => (
                    "ana",
                    EventKind::Decide {
                        stage: "decision".into(),
                        participant,
                        outcome: OUTCOMES[i % 3].into(),
                        comment: None,
                    },
                ),
            };
            let n = (step * laureates() + i) as i64;
            events.push(Event {
                at: start.checked_add(n.seconds()).expect("instant"),
                by: by.into(),
                channel: Channel::Web,
                kind,
            });
        }
    }
    events
}

fn complete(stage: &str, participant: Option<String>) -> EventKind {
    EventKind::Complete {
        stage: stage.into(),
        participant,
        comment: None,
        documents: Vec::new(),
    }
}

/// Per act: the core checks it (the actor's right on that instance, its
/// state, time order) and applies it, the messages it makes due are taken
/// (`deliver_until` at its instant), and — when recording — the event and
/// those messages are written through the store.
fn jalon(edition: &Arc<Edition>, events: &[Event], recording: Recording, db: &Path) -> Timed {
    let setup = Instant::now();
    let mut state = State::new(edition.clone());
    // The roadmaps' opening notices fall due before the first act: the
    // daemon's tick queues those, not a person.
    deliver_until(&mut state, first_act(edition), |_, _| {});
    let mut store = match recording {
        Recording::None => None,
        _ => Some(SqliteStore::open(db).expect("open")),
    };
    let setup = setup.elapsed();

    let start = Instant::now();
    let mut pending: Vec<Entry> = Vec::new();
    let mut messages = 0;
    for event in events {
        state.apply(event).expect("allowed");
        let mut due = Vec::new();
        deliver_until(&mut state, event.at, |_, action| due.push(action.clone()));
        messages += due.len();
        let Some(store) = store.as_mut() else {
            continue;
        };
        pending.push(Entry::new(event.clone(), edition.version.clone(), due));
        if matches!(recording, Recording::Each) || pending.len() == BATCH {
            store.append(&edition.id, &pending).expect("append");
            pending.clear();
        }
    }
    if let Some(store) = store.as_mut() {
        if !pending.is_empty() {
            store.append(&edition.id, &pending).expect("append");
        }
    }
    let transitions = start.elapsed();
    // Every laureate decided: 10,000 decision notices at least.
    assert!(messages >= laureates(), "{messages} messages");
    drop(store);
    let _ = std::fs::remove_file(db);
    Timed { setup, transitions }
}

// ---------------------------------------------------------------- acts

/// The same workflow in acts' YAML: one process per laureate, each human
/// step an `acts.core.irq` act (it waits until a client completes it), the
/// decision's outcome a variable its branches test.
const MODEL: &str = r#"
id: laureat
name: Parcours d'un lauréat
ver: "1.0.0"
vars:
  - name: outcome
    value: ""
steps:
  - id: feuille-de-route
    params: {key: feuille-de-route}
    name: Feuille de route remise
    uses: acts.core.irq
  - id: validation-feuille-de-route
    params: {key: validation-feuille-de-route}
    name: Feuille de route validée
    uses: acts.core.irq
  - id: immersion
    params: {key: immersion}
    name: Immersion terrain
    uses: acts.core.irq
  - id: mesure-impact
    params: {key: mesure-impact}
    name: Mesure d'impact
    uses: acts.core.irq
  - id: decision
    params: {key: decision}
    name: Décision
    uses: acts.core.irq
  - id: suite
    name: Suite de la décision
    branches:
      - id: implanter
        if: outcome == "implanter"
        steps:
          - id: convention
            uses: acts.core.msg
      - id: prolonger
        if: outcome == "prolonger"
        steps:
          - id: prolongation
            uses: acts.core.msg
      - id: arreter
        else: true
        steps:
          - id: arret
            uses: acts.core.msg
"#;

/// Per completion acts finds the process (its cache of processes), checks
/// the task is an act not yet completed, stores the options as variables,
/// emits the task's message to the channels, and queues `next` on the
/// process's lane; the lane then creates the next step's task and act and
/// emits its message. Every state change is also queued, as rows with their
/// index keys, to its store writer, which applies them behind the caller;
/// the time here runs until `Engine::close` has applied every queued write.
async fn acts_run(durable: Option<PathBuf>) -> Timed {
    let setup = Instant::now();
    // Every process stays in its cache, as every laureate stays in Jalon's
    // state (the default keeps 1,024 and reloads the rest from the store).
    let mut builder = acts::Engine::builder()
        .cache_size(2 * laureates() as i64)
        .scheduler_queue_cap(QUEUES)
        .store_writer_queue_cap(QUEUES);
    if let Some(path) = &durable {
        builder = builder.set_store(Arc::new(SqliteKv::open(path)));
    }
    let engine = builder.start().await.expect("acts starts");
    let executor = engine.executor(&acts::Principal::unrestricted());
    let workflow = acts::Workflow::from_yml(MODEL).expect("the model reads");
    executor
        .model()
        .deploy(&workflow, None)
        .await
        .expect("deployed");

    let (waiting, mut asks) = tokio::sync::mpsc::unbounded_channel::<(String, String, bool)>();
    let finished = Arc::new(AtomicUsize::new(0));
    let all_done = Arc::new(tokio::sync::Notify::new());
    let channel = engine.channel();
    channel.on_message(move |e| {
        // A failed process would never finish: say why and stop.
        if e.is_type("workflow") && e.is_state(acts::MessageState::Error) {
            eprintln!("acts failed {}: {:?}", e.pid, e.outputs);
            std::process::exit(1);
        }
        if e.is_irq() && e.is_state(acts::MessageState::Created) {
            let decision = e.is_params_key("decision");
            let _ = waiting.send((e.pid.clone(), e.tid.clone(), decision));
        }
        async {}
    });
    {
        let (finished, all_done) = (finished.clone(), all_done.clone());
        channel.on_complete(move |_| {
            if finished.fetch_add(1, Ordering::SeqCst) + 1 == laureates() {
                all_done.notify_one();
            }
            async {}
        });
    }
    for i in 0..laureates() {
        let mut vars = acts::Vars::new();
        vars.set("pid", format!("p{i}"));
        executor
            .proc()
            .start(&workflow.id, vars)
            .await
            .expect("started");
    }
    // Set up once every laureate waits on its roadmap.
    let mut ready = VecDeque::new();
    while ready.len() < laureates() {
        ready.push_back(asks.recv().await.expect("a waiting act"));
    }
    let setup = setup.elapsed();

    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..transitions() {
        let (pid, tid, decision) = match ready.pop_front() {
            Some(ask) => ask,
            None => asks.recv().await.expect("a waiting act"),
        };
        let mut options = acts::Vars::new();
        if decision {
            let i: usize = pid[1..].parse().expect("p<n>");
            options.set("outcome", OUTCOMES[i % 3]);
        }
        let executor = executor.clone();
        tasks.spawn(async move {
            executor
                .act()
                .complete(&pid, &tid, options)
                .await
                .expect("completed")
        });
        if tasks.len() >= IN_FLIGHT {
            tasks.join_next().await;
        }
    }
    while tasks.join_next().await.is_some() {}
    let returned = start.elapsed();
    if finished.load(Ordering::SeqCst) < laureates() {
        all_done.notified().await;
    }
    let finished = start.elapsed();
    engine.close().await;
    let transitions = start.elapsed();
    eprintln!(
        "    acts: completions returned at {:.2} s, processes finished at {:.2} s, writes applied at {:.2} s",
        returned.as_secs_f64(),
        finished.as_secs_f64(),
        transitions.as_secs_f64()
    );
    assert!(asks.try_recv().is_err(), "an act was left waiting");
    if let Some(path) = durable {
        let _ = std::fs::remove_file(path);
    }
    Timed { setup, transitions }
}

/// acts' durable store on SQLite, written here because `acts-store`'s own
/// (`sqlite` feature) is built on sqlx 0.8, whose bundled SQLite cannot be
/// linked beside rusqlite 0.37's in one workspace. Same table, same
/// statements as that backend (a key-value table, an upsert per put, a
/// batch in one `BEGIN IMMEDIATE` transaction), on one connection with
/// Jalon's pragmas (WAL, `synchronous=FULL`: sqlx's default is FULL too).
/// It calls SQLite on the engine's threads where sqlx hops to its own.
struct SqliteKv {
    conn: Mutex<Connection>,
}

impl SqliteKv {
    fn open(path: &Path) -> SqliteKv {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             PRAGMA case_sensitive_like = ON;
             CREATE TABLE IF NOT EXISTS acts_store (key TEXT PRIMARY KEY, value BLOB NOT NULL);",
        )
        .expect("schema");
        SqliteKv {
            conn: Mutex::new(conn),
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

const UPSERT: &str = "INSERT INTO acts_store (key, value) VALUES (?1, ?2)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value";

fn store_error(e: rusqlite::Error) -> acts::ActError {
    acts::ActError::Store(e.to_string())
}

/// A key prefix as a `LIKE` pattern (`\` escapes).
fn like(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[async_trait::async_trait]
impl acts::KvStore for SqliteKv {
    async fn one(&self, key: &str) -> acts::Result<Option<Vec<u8>>> {
        self.conn()
            .prepare_cached("SELECT value FROM acts_store WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(store_error)
    }

    async fn put(&self, key: &str, value: Vec<u8>) -> acts::Result<()> {
        self.conn()
            .prepare_cached(UPSERT)
            .and_then(|mut s| s.execute(params![key, value]))
            .map(|_| ())
            .map_err(store_error)
    }

    async fn delete(&self, key: &str) -> acts::Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM acts_store WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map(|_| ())
            .map_err(store_error)
    }

    async fn batch(&self, ops: &[acts::StoreBatchOp]) -> acts::Result<()> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(store_error)?;
        for op in ops {
            match op {
                acts::StoreBatchOp::Put { key, value } => tx
                    .prepare_cached(UPSERT)
                    .and_then(|mut s| s.execute(params![key, value])),
                acts::StoreBatchOp::Delete { key } => tx
                    .prepare_cached("DELETE FROM acts_store WHERE key = ?1")
                    .and_then(|mut s| s.execute([key])),
            }
            .map_err(store_error)?;
        }
        tx.commit().map_err(store_error)
    }

    async fn scan_prefix(
        &self,
        key: &str,
        options: acts::ScanOptions,
    ) -> acts::Result<Vec<(String, Vec<u8>)>> {
        let mut sql =
            String::from("SELECT key, value FROM acts_store WHERE key LIKE ? ESCAPE '\\'");
        let mut binds = vec![like(&options.prefix)];
        match &options.op {
            acts::ScanOperation::Eq => {
                sql.push_str(" AND key LIKE ? ESCAPE '\\'");
                binds.push(like(key));
            }
            acts::ScanOperation::Ne => {
                sql.push_str(" AND key NOT LIKE ? ESCAPE '\\'");
                binds.push(like(key));
            }
            acts::ScanOperation::Range { lower, upper } => {
                if let Some(lower) = lower {
                    sql.push_str(" AND key >= ?");
                    binds.push(lower.clone());
                }
                if let Some(upper) = upper {
                    sql.push_str(" AND key < ?");
                    binds.push(upper.clone());
                }
            }
            acts::ScanOperation::In { values } if values.is_empty() => sql.push_str(" AND 0"),
            acts::ScanOperation::In { values } => {
                let any: Vec<&str> = values.iter().map(|_| "key LIKE ? ESCAPE '\\'").collect();
                sql.push_str(&format!(" AND ({})", any.join(" OR ")));
                binds.extend(values.iter().map(|v| like(v)));
            }
        }
        sql.push_str(if options.is_rev {
            " ORDER BY key DESC"
        } else {
            " ORDER BY key ASC"
        });
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&sql).map_err(store_error)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(binds.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(store_error)?;
        rows.collect::<Result<_, _>>().map_err(store_error)
    }
}
