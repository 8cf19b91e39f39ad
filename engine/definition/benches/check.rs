//! `cargo bench -p jalon-definition`: the whole check of a generated edition
//! with 1,000 stages and 10,000 participants, against the bare YAML parse of
//! the same file, with the peak heap of each. Prints figures; asserts nothing.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jalon_definition::source::FileId;
use jalon_definition::yaml::load;
use jalon_definition::{check_paths, Limits};

#[path = "../../bench_support/figures.rs"]
mod figures;
#[path = "../../bench_support/heap.rs"]
mod heap;

const STAGES: usize = 1_000;
const PARTICIPANTS: usize = 10_000;

fn generate() -> String {
    let mut y = String::with_capacity(4 << 20);
    y.push_str("programme: {id: bench, name: Programme de mesure}\n");
    y.push_str("edition: {id: bench, name: Mesure, start: 2025-01-06, end: 2035-12-19}\n");
    y.push_str("calendar: {public_holidays: france, closures: [{name: Été, from: 2025-08-04, to: 2025-08-15}]}\n");
    y.push_str("people:\n");
    for i in 0..20 {
        y.push_str(&format!(
            "  - {{id: person-{i}, name: Personne {i}, email: person{i}@example.org}}\n"
        ));
    }
    y.push_str("roles:\n  - {id: coordination, name: Coordination, kind: coordination, members: [person-0, person-1]}\n");
    y.push_str("  - {id: jury, name: Jury, kind: jury, members: [person-2, person-3, person-4]}\n");
    y.push_str("themes:\n  - {id: theme, title: Besoin prioritaire}\n");
    y.push_str("participants:\n");
    for i in 0..PARTICIPANTS {
        y.push_str(&format!(
            "  - id: p{i}\n    name: Participant {i}\n    organisation: Association {i}\n    theme: theme\n    contact: {{name: Contact {i}, email: p{i}@example.org}}\n"
        ));
    }
    y.push_str("stages:\n");
    for i in 0..STAGES {
        y.push_str(&format!(
            "  - id: s{i}\n    kind: task\n    title: Étape {i}\n    owners: [coordination]\n"
        ));
        match i {
            0 => y.push_str("    start: edition.start\n"),
            _ if i % 10 == 0 => y.push_str(&format!("    needs: [s{}, s{}]\n", i - 1, i - 10)),
            _ => y.push_str(&format!("    needs: [s{}]\n", i - 1)),
        }
        y.push_str("    due: start + 1 working day\n");
        if i % 5 == 0 {
            y.push_str("    reminders: [{when: start, time: \"09:00\"}]\n");
            y.push_str(
                "    validation: {by: [coordination], quorum: 2, lead_time: 1 working day}\n",
            );
        }
    }
    y.push_str("templates: [{id: t, subject: Sujet, body: Corps}]\n");
    y.push_str(
        "messages: {stage_opened: t, reminder: t, validation_request: t, validation_refused: t}\n",
    );
    y
}

/// Wall time and peak heap of one run of `run`.
fn once(run: &mut dyn FnMut()) -> (Duration, usize) {
    let mark = heap::Mark::now();
    let start = Instant::now();
    run();
    (start.elapsed(), mark.peak())
}

/// Wall times (sorted) and peak heaps of `a` and `b` over a few rounds,
/// taken in turn: on a shared machine both see the same load, so their
/// ratio holds even when the load drifts during the run.
fn measure_in_turn(
    rounds: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> [(Vec<Duration>, usize); 2] {
    let mut figures = [(Vec::new(), 0), (Vec::new(), 0)];
    for _ in 0..rounds {
        for (run, (times, peak)) in [&mut a as &mut dyn FnMut(), &mut b]
            .into_iter()
            .zip(figures.iter_mut())
        {
            let (time, heap) = once(run);
            times.push(time);
            *peak = (*peak).max(heap);
        }
    }
    for (times, _) in &mut figures {
        times.sort();
    }
    figures
}

fn median(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}

/// `62.1 ms (58.0–66.2)`.
fn ms(times: &[Duration]) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    figures::spread(
        ms(median(times)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        "ms",
    )
}

fn main() {
    let text = generate();
    let dir = std::env::temp_dir().join(format!("jalon-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path: PathBuf = dir.join("edition.yaml");
    std::fs::write(&path, &text).expect("write");
    // 10,000 participants are more values than the default budget allows.
    let limits = Limits {
        max_nodes: 250_000,
        ..Limits::default()
    };
    println!(
        "definition: {STAGES} stages, {PARTICIPANTS} participants, {:.1} MiB of YAML",
        heap::mib(text.len())
    );

    let [(parse_time, parse_peak), (check_time, check_peak)] = measure_in_turn(
        11,
        || {
            let text = std::fs::read_to_string(&path).expect("read");
            let tree = load(FileId(0), &text, &limits).expect("parses");
            std::hint::black_box(tree);
        },
        || {
            let report = check_paths(std::slice::from_ref(&path), &limits).expect("checks");
            assert_eq!(report.errors(), 0, "{:?}", report.diagnostics.first());
            assert_eq!(report.editions.len(), 1);
            std::hint::black_box(report);
        },
    );
    let ratio = median(&check_time).as_secs_f64() / median(&parse_time).as_secs_f64();
    let mut table = figures::Table::new(
        "check",
        &["", "median (spread), 11 runs in turn", "peak heap"],
    );
    table.row(vec![
        "parse alone (YAML → tree), the anchor".into(),
        ms(&parse_time),
        format!("{:.0} MiB", heap::mib(parse_peak)),
    ]);
    table.row(vec![
        format!("whole check ({ratio:.2}× the parse)"),
        ms(&check_time),
        format!("{:.0} MiB", heap::mib(check_peak)),
    ]);
    table.write();
    let _ = std::fs::remove_dir_all(&dir);
}
