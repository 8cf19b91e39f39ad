//! `cargo bench -p jalon-core`: a whole year of the Val d'Oise programme
//! with 10,000 laureates driven through the core (every stage, reminder,
//! validation and message of the on-time run), and the idle check of 1,000
//! loaded editions at an instant when nothing is due. Prints figures (time
//! and peak heap); asserts nothing about speed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jalon_core::clock::{deliver_until, play_on_time, OnTime};
use jalon_core::State;
use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits};
use jiff::ToSpan;

#[path = "../../bench_support/editions.rs"]
mod editions;
#[path = "../../bench_support/figures.rs"]
mod figures;
#[path = "../../bench_support/heap.rs"]
mod heap;

const LAUREATES: usize = 10_000;
const EDITIONS: usize = 1_000;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Val d'Oise template with 10,000 generated laureates.
fn big_edition(dir: &Path) -> Arc<Edition> {
    // `extends` stays inside the checked folder: the template beside it.
    std::fs::copy(
        root().join("definitions/programmes/val-doise.yaml"),
        dir.join("val-doise.yaml"),
    )
    .expect("the template copied");
    let mut y = String::from("extends: val-doise.yaml\n");
    y.push_str("edition: {id: bench, name: Mesure, start: 2024-06-03, end: 2025-09-30}\n");
    y.push_str("people:\n");
    for id in ["ana", "bob", "cleo", "dan"] {
        y.push_str(&format!(
            "  - {{id: {id}, name: {id}, email: {id}@example.org}}\n"
        ));
    }
    y.push_str("roles:\n  - {id: coordination, members: [ana, bob]}\n  - {id: direction-generale, members: [cleo]}\n  - {id: accelerateur, members: [dan]}\n  - {id: labo-impact, members: [cleo]}\n  - {id: jury, members: [ana, cleo]}\n");
    y.push_str("stages:\n  - {id: lancement, start: 2024-11-25}\n  - {id: sourcing, selection: {max: 10000}}\n  - {id: shortlisting, selection: {max: 10000}}\n  - {id: jury, selection: {max: 10000}}\n");
    y.push_str(&editions::laureates_listed(LAUREATES));
    let path = dir.join("bench.yaml");
    std::fs::write(&path, y).expect("write");
    editions::checked(&path)
}

/// Prints the median, spread and peak heap of `runs` runs of `f`, and
/// adds them to `table` as a row.
fn measure<T>(table: &mut figures::Table, what: &str, runs: usize, mut f: impl FnMut() -> T) {
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let mark = heap::Mark::now();
        let start = Instant::now();
        let out = f();
        times.push(start.elapsed());
        peak = peak.max(mark.peak());
        drop(out);
    }
    times.sort();
    println!(
        "{what}: median {} (min {}, max {}), peak heap {:.1} MiB",
        show(times[times.len() / 2]),
        show(times[0]),
        show(times[times.len() - 1]),
        heap::mib(peak)
    );
    let (median, low, high) = (times[times.len() / 2], times[0], times[times.len() - 1]);
    let cell = if high < Duration::from_millis(1) {
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        figures::spread(us(median), us(low), us(high), "µs")
    } else {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        figures::spread(ms(median), ms(low), ms(high), "ms")
    };
    table.row(vec![
        what.to_owned(),
        format!("{cell}, {runs} runs"),
        format!("{:.0} MiB", heap::mib(peak)),
    ]);
}

fn show(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let edition = big_edition(dir.path());
    let mut sent = 0;
    let mut made = 0;
    let mut instances = 0;
    let mut table = figures::Table::new("year", &["", "median (spread)", "peak heap"]);
    measure(
        &mut table,
        &format!("year of {LAUREATES} laureates (on-time run through the core)"),
        5,
        || {
            let mut state = State::new(edition.clone());
            (sent, made) = (0, 0);
            play_on_time(
                &mut state,
                &OnTime::default(),
                |_, _| sent += 1,
                |_| made += 1,
            );
            instances = state.instances().len();
            state
        },
    );
    println!("  {sent} messages, {made} events, {instances} stage instances");

    // 1,000 editions loaded, each caught up to an instant with nothing due.
    let small = {
        let path = root().join("definitions/editions/2024-2025.yaml");
        let report = check_paths(&[path], &Limits::default()).expect("readable");
        Arc::new(report.editions.into_iter().next().expect("an edition").1)
    };
    let now = jalon_core::time::local(
        &small.time_zone,
        jiff::civil::date(2024, 10, 1),
        jiff::civil::Time::midnight(),
    );
    let states: Vec<State> = (0..EDITIONS)
        .map(|_| {
            let mut state = State::new(small.clone());
            deliver_until(&mut state, now, |_, _| {});
            state
        })
        .collect();
    let later = now.checked_add(1.hours()).expect("instant");
    let mut due = 0;
    measure(
        &mut table,
        &format!("idle check of {EDITIONS} editions (nothing due)"),
        51,
        || {
            due = states
                .iter()
                .map(|s| s.due_actions(later).len())
                .sum::<usize>();
            states.iter().filter_map(State::next_due).min()
        },
    );
    assert_eq!(due, 0, "the instant was meant to be idle");
    table.write();
}
