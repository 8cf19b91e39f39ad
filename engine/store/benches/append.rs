//! `cargo bench -p jalon-store`: events appended per second through the
//! store, one per transaction and in batches, beside a raw SQLite insert of
//! the same rows with the same pragmas in the same run; then the time and
//! peak heap to rebuild an edition's state from 1,000,000 stored events,
//! and from a snapshot and the 10,000 events after it, on SQLite and on a
//! real PostgreSQL started for the bench. Prints figures and
//! writes them for the README (`tests/bench-figures append`); asserts
//! nothing about speed.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use jalon_core::clock::{run_on_time, OnTime};
use jalon_core::{Event, State};
use jalon_store::{Entry, Snapshot, SqliteStore, Store};

use jiff::{Timestamp, ToSpan};
use rusqlite::{params, Connection};

#[path = "../../bench_support/editions.rs"]
mod editions;
#[path = "../../bench_support/events.rs"]
mod events;
#[path = "../../bench_support/figures.rs"]
mod figures;
#[path = "../../bench_support/heap.rs"]
mod heap;
use events::sample;

const SINGLE: usize = 1_000;
const BATCHED: usize = 100_000;
const BATCH: usize = 1_000;
const REBUILD: usize = 1_000_000;
const LAUREATES: usize = 10_000;

fn entry(event: Event) -> Entry {
    Entry {
        event,
        version: "0123456789abcdef".into(),
        due: Vec::new(),
        withdraw: Vec::new(),
        change: None,
        documents: Vec::new(),
    }
}

/// The same row, written straight with rusqlite and the store's pragmas.
fn raw(path: &Path, count: usize, batch: usize) -> f64 {
    let conn = Connection::open(path).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE raw (seq INTEGER PRIMARY KEY AUTOINCREMENT, edition TEXT, at TEXT, actor TEXT,
           channel TEXT, verb TEXT, body TEXT, version TEXT, recorded_at TEXT);",
    )
    .expect("schema");
    let start = Instant::now();
    let mut n = 0;
    while n < count {
        let tx = conn.unchecked_transaction().expect("tx");
        {
            let mut statement = tx
                .prepare_cached("INSERT INTO raw (edition, at, actor, channel, verb, body, version, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .expect("statement");
            for _ in 0..batch.min(count - n) {
                let event = sample(n);
                let body = serde_json::to_string(&event).expect("json");
                statement
                    .execute(params![
                        "bench",
                        event.at.to_string(),
                        event.by,
                        "cli",
                        "record",
                        body,
                        "0123456789abcdef",
                        Timestamp::now().to_string()
                    ])
                    .expect("insert");
                n += 1;
            }
        }
        tx.commit().expect("commit");
    }
    count as f64 / start.elapsed().as_secs_f64()
}

fn store(path: &Path, count: usize, batch: usize) -> f64 {
    let mut store = SqliteStore::open(path).expect("open");
    let start = Instant::now();
    let mut n = 0;
    while n < count {
        let entries: Vec<Entry> = (n..(n + batch).min(count))
            .map(|i| entry(sample(i)))
            .collect();
        n += entries.len();
        store.append("bench", &entries).expect("append");
    }
    count as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let raw_single = raw(&d.join("raw1.db"), SINGLE, 1);
    let store_single = store(&d.join("store1.db"), SINGLE, 1);
    let raw_batch = raw(&d.join("raw2.db"), BATCHED, BATCH);
    let store_batch = store(&d.join("store2.db"), BATCHED, BATCH);
    println!("append, one event per transaction (synchronous=FULL): store {store_single:.0}/s, raw SQLite {raw_single:.0}/s, ratio {:.2}", store_single / raw_single);
    println!("append, {BATCH} events per transaction: store {store_batch:.0}/s, raw SQLite {raw_batch:.0}/s, ratio {:.2}", store_batch / raw_batch);
    let mut table = figures::Table::new(
        "append",
        &["", "Jalon", "anchor, same run", "ratio", "peak heap"],
    );
    for (what, ours, anchor) in [
        (
            format!(
                "append {} events, one per transaction",
                figures::round(SINGLE as f64)
            ),
            store_single,
            raw_single,
        ),
        (
            format!(
                "append {} events, {} per transaction",
                figures::round(BATCHED as f64),
                figures::round(BATCH as f64)
            ),
            store_batch,
            raw_batch,
        ),
    ] {
        table.row(vec![
            what,
            format!("{} /s", figures::round(ours)),
            format!("raw SQLite: {} /s", figures::round(anchor)),
            format!("{:.2}", ours / anchor),
            String::new(),
        ]);
    }

    // 1,000,000 events of a 10,000-laureate edition: its on-time year, then
    // indicator values until the count is reached.
    let edition = big_edition(d);
    let mut state = State::new(edition.clone());
    let mut events = run_on_time(&mut state, &OnTime::default(), |_, _| {});
    let mut at = events.last().map_or(Timestamp::UNIX_EPOCH, |e| e.at);
    let mut n = 0;
    while events.len() < REBUILD {
        at = at.checked_add(1.second()).expect("instant");
        let mut event = sample(n);
        event.at = at;
        events.push(event);
        n += 1;
    }
    let path = d.join("million.db");
    {
        let mut store = SqliteStore::open(&path).expect("open");
        for chunk in events.chunks(10_000) {
            let entries: Vec<Entry> = chunk.iter().cloned().map(entry).collect();
            store.append(&edition.id, &entries).expect("append");
        }
    }
    drop(events);
    drop(state);
    // The anchor: the whole log folded, as without snapshots.
    let mut full = Vec::new();
    for _ in 0..3 {
        let mark = heap::Mark::now();
        let start = Instant::now();
        let store = SqliteStore::open_read_only(&path).expect("open");
        let mut state = State::new(edition.clone());
        let mut count = 0;
        store
            .for_each_event(&edition.id, |stored| {
                state.apply(&stored.event).expect("replays");
                count += 1;
                Ok(())
            })
            .expect("reads");
        full.push((start.elapsed().as_secs_f64(), heap::mib(mark.peak())));
        if full.len() == 1 {
            // The snapshot a load keeps, 10,000 events before the end.
            let tail = store.events_since(&edition.id, 0).expect("reads");
            let cut = tail[tail.len() - 10_000].seq - 1;
            let mut state = State::new(edition.clone());
            for stored in tail.iter().filter(|e| e.seq <= cut) {
                state.apply(&stored.event).expect("replays");
            }
            let bytes = state.snapshot();
            println!("snapshot: {:.1} MiB", bytes.len() as f64 / (1 << 20) as f64);
            let mut store = SqliteStore::open(&path).expect("open");
            store
                .keep_snapshot(
                    &edition.id,
                    &Snapshot {
                        seq: cut,
                        version: edition.version.clone(),
                        bytes,
                    },
                )
                .expect("kept");
        }
        println!(
            "rebuild from {count} events (streamed, folded through the core): {:.2} s",
            full.last().expect("a run").0
        );
    }
    let snap = loads_from_snapshot("SQLite", &edition, || {
        SqliteStore::open_read_only(&path).expect("open")
    });
    report("whole log (anchor)", &full);
    report("snapshot + 10,000 events", &snap);
    rebuild_rows(&mut table, "", "streamed, folded", &full, &snap);
    postgres_rebuild(&path, &edition, &mut table);
    table.write();
}

/// The same rebuilds on a real PostgreSQL (`jalon-test-postgres`): the
/// SQLite file copied over with `jalon copy`'s own function, its snapshot
/// kept again (snapshots are not copied), then loaded as a load reads it.
fn postgres_rebuild(
    sqlite: &Path,
    edition: &Arc<jalon_definition::resolved::Edition>,
    table: &mut figures::Table,
) {
    use jalon_store::Backend;
    let url = jalon_test_postgres::Cluster::shared().fresh_database();
    let backend = jalon_store::PostgresBackend::new(&url, "bench").expect("a URL");
    let source = SqliteStore::open_read_only(sqlite).expect("open");
    let snapshot = source
        .snapshot(&edition.id)
        .expect("reads")
        .expect("a snapshot");
    {
        let mut store = backend.open().expect("PostgreSQL opens");
        jalon_store::copy(&source, &store).expect("copied");
        store
            .keep_snapshot(&edition.id, &snapshot)
            .expect("snapshot kept");
    }
    let mut full = Vec::new();
    for _ in 0..3 {
        let mark = heap::Mark::now();
        let start = Instant::now();
        let store = backend.open().expect("open");
        let history = store.history(&edition.id).expect("reads");
        let mut state = State::new(edition.clone());
        for stored in &history.events {
            state.apply(&stored.event).expect("replays");
        }
        full.push((start.elapsed().as_secs_f64(), heap::mib(mark.peak())));
    }
    let snap = loads_from_snapshot("PostgreSQL", edition, || backend.open().expect("open"));
    report("PostgreSQL, whole log (anchor)", &full);
    report("PostgreSQL, snapshot + 10,000 events", &snap);
    rebuild_rows(table, "PostgreSQL: ", "read, then folded", &full, &snap);
}

/// Loads from the snapshot and the events after it: eleven, since one load
/// is short and this machine's noise moved the median of five by half.
const SNAPSHOT_LOADS: usize = 11;

/// [`SNAPSHOT_LOADS`] loads from the snapshot and the events after it, as
/// `load` reads them (time and peak heap of each), with where the median one's time
/// went: reading the snapshot, then restoring it while the events after
/// it are read, then folding those.
fn loads_from_snapshot<S: Store>(
    backend: &str,
    edition: &Arc<jalon_definition::resolved::Edition>,
    open: impl Fn() -> S,
) -> Vec<(f64, f64)> {
    let mut runs = Vec::new();
    let mut phases = Vec::new();
    for _ in 0..SNAPSHOT_LOADS {
        let mark = heap::Mark::now();
        let start = Instant::now();
        let (recent, state) = jalon_store::recent(&open(), &edition.id, |snapshot| {
            let begun = start.elapsed();
            let state = State::restore(edition.clone(), &snapshot.bytes).expect("restores");
            (state, begun, start.elapsed() - begun)
        })
        .expect("reads");
        let both = start.elapsed();
        let (mut state, snapshot_read, restore) = state.expect("a snapshot");
        for stored in &recent.events {
            state.apply(&stored.event).expect("replays");
        }
        let elapsed = start.elapsed();
        phases.push((elapsed, snapshot_read, restore, both, elapsed - both));
        runs.push((elapsed.as_secs_f64(), heap::mib(mark.peak())));
    }
    phases.sort();
    if let Some((_, snapshot_read, restore, both, fold)) = phases.get(phases.len() / 2) {
        let ms = |d: &std::time::Duration| d.as_secs_f64() * 1e3;
        println!(
            "{backend}: a load from the snapshot, by phase (the median run): open and read the snapshot {:.0} ms; then restore it ({:.0} ms) while the events after it are read, both done at {:.0} ms; fold the tail {:.0} ms",
            ms(snapshot_read),
            ms(restore),
            ms(both),
            ms(fold)
        );
    }
    runs
}

/// The table's two rows of one backend's rebuilds: the whole log (the
/// anchor) and the snapshot with the events after it.
fn rebuild_rows(
    table: &mut figures::Table,
    backend: &str,
    how: &str,
    full: &[(f64, f64)],
    snap: &[(f64, f64)],
) {
    let (anchor, anchor_heap) = median(full);
    let (restore, restore_heap) = median(snap);
    table.row(vec![
        format!(
            "{backend}rebuild from the whole log of {} events ({how})",
            figures::round(REBUILD as f64)
        ),
        format!("{}, {} runs", seconds(full), full.len()),
        "(the anchor)".to_owned(),
        String::new(),
        format!("{anchor_heap:.0} MiB"),
    ]);
    table.row(vec![
        format!("{backend}rebuild from a snapshot + the 10,000 events after it"),
        format!("{}, {} runs", seconds(snap), snap.len()),
        format!("whole log: {anchor:.2} s"),
        format!("{:.2}", restore / anchor),
        format!("{restore_heap:.0} MiB"),
    ]);
}

/// Median and range of times, and the peak heap, as printed.
fn report(what: &str, runs: &[(f64, f64)]) {
    let (median, heap) = median(runs);
    let (low, high) = range(runs);
    println!(
        "rebuild, {what}: median {median:.3} s ({low:.3}–{high:.3}, {} runs), peak heap {heap:.0} MiB",
        runs.len()
    );
}

/// The median time of the runs and the highest peak heap among them.
fn median(runs: &[(f64, f64)]) -> (f64, f64) {
    let mut times: Vec<f64> = runs.iter().map(|r| r.0).collect();
    times.sort_by(f64::total_cmp);
    let heap = runs.iter().map(|r| r.1).fold(0.0, f64::max);
    (times[times.len() / 2], heap)
}

fn range(runs: &[(f64, f64)]) -> (f64, f64) {
    let times = runs.iter().map(|r| r.0);
    (
        times.clone().fold(f64::INFINITY, f64::min),
        times.fold(0.0, f64::max),
    )
}

/// `0.412 s (0.398–0.440)`, or in ms below a second.
fn seconds(runs: &[(f64, f64)]) -> String {
    let (median, _) = median(runs);
    let (low, high) = range(runs);
    if high < 1.0 {
        figures::spread(median * 1e3, low * 1e3, high * 1e3, "ms")
    } else {
        figures::spread(median, low, high, "s")
    }
}

fn big_edition(dir: &Path) -> Arc<jalon_definition::resolved::Edition> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // `extends` stays inside the checked folder: the template beside it.
    std::fs::copy(
        root.join("definitions/programmes/val-doise.yaml"),
        dir.join("val-doise.yaml"),
    )
    .expect("the template copied");
    let y = editions::edition(
        Path::new("val-doise.yaml"),
        "bench",
        "2024-06-03",
        "2025-09-30",
        "2024-11-25",
        LAUREATES,
    );
    let path = dir.join("bench.yaml");
    std::fs::write(&path, y).expect("write");
    editions::checked(&path)
}
