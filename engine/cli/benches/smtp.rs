//! Messages per second from the outbox to Postfix's `smtp-sink` on loopback,
//! with 1 and 10 connections, beside Postfix's own load generator
//! `smtp-source` sending as many messages of the same size to the same sink
//! with the same connection count, in the same run.
//!
//! `cargo bench -p jalon-cli --bench smtp` (installs the servers on first
//! use, like the tests). `JALON_BENCH_LAUREATES` sets the edition's size
//! (default 5,000 laureates → 10,000 messages). Writes its table for
//! `tests/bench-figures`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

#[path = "../../bench_support/figures.rs"]
mod figures;
#[path = "../../bench_support/sink.rs"]
mod sink;
#[path = "../../bench_support/cli.rs"]
mod support;

const ROUNDS: usize = 3;

fn main() {
    let laureates: usize = std::env::var("JALON_BENCH_LAUREATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let servers = support::test_servers(&root);

    let work = tempfile::tempdir().expect("a work folder");
    let definitions = work.path().join("definitions");
    std::fs::create_dir_all(&definitions).expect("definitions folder");
    std::fs::write(definitions.join("bench.yaml"), edition(laureates)).expect("edition written");
    let messages = laureates * 2;
    let size = average_size(&definitions, work.path());
    println!(
        "{messages} messages of {size} bytes on average ({laureates} laureates), median of {ROUNDS} rounds"
    );
    println!(
        "{:>11}  {:>14}  {:>18}  {:>6}",
        "connections", "jalon msg/s", "smtp-source msg/s", "ratio"
    );
    let mut table = figures::Table::new(
        "smtp",
        &[
            "connections",
            "`jalon send` msg/s",
            "`smtp-source` msg/s (anchor)",
            "ratio",
        ],
    );
    for connections in [1usize, 10] {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for round in 0..ROUNDS {
            let sink = sink::Sink::start(&servers);
            let db = work.path().join(format!("bench-{connections}-{round}.db"));
            let address = format!("127.0.0.1:{}", sink.port);
            ours.push(jalon_rate(
                &definitions,
                &db,
                &address,
                connections,
                messages,
            ));
            drop(sink);
            let sink = sink::Sink::start(&servers);
            theirs.push(source_rate(
                &servers,
                sink.port,
                connections,
                messages,
                size,
            ));
        }
        table.row(vec![
            connections.to_string(),
            figures::spread_of(&ours, ""),
            figures::spread_of(&theirs, ""),
            format!("{:.2}", support::median(&ours) / support::median(&theirs)),
        ]);
        let (ours, theirs) = (support::median(&ours), support::median(&theirs));
        println!(
            "{connections:>11}  {ours:>14.0}  {theirs:>18.0}  {:>6.2}",
            ours / theirs
        );
    }
    table.write();
    // The regression this guards against: lettre's own sockets keep Nagle's
    // algorithm on, and each message waits for a delayed ACK.
    let small = work.path().join("small");
    std::fs::create_dir_all(&small).expect("definitions folder");
    std::fs::write(small.join("bench.yaml"), edition(100)).expect("edition written");
    for nodelay in [true, false] {
        let sink = sink::Sink::start(&servers);
        let db = work.path().join(format!("nagle-{nodelay}.db"));
        let url = format!("127.0.0.1:{}?nodelay={nodelay}", sink.port);
        let rate = jalon_rate(&small, &db, &url, 1, 200);
        println!("1 connection, 200 messages, TCP_NODELAY {nodelay}: {rate:.0} msg/s");
    }
}

/// One coordinator, `n` laureates: on 3 March each laureate's roadmap opens,
/// one message to its contact and one to the coordinator.
fn edition(n: usize) -> String {
    let mut yaml = String::from(
        "programme: {id: bench, name: Programme de mesure}
edition: {id: bench, name: Édition de mesure, start: 2025-03-03, end: 2025-12-19}
time_zone: Europe/Paris
organisations: [{id: cd, name: Département, kind: public_body}]
people: [{id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}]
roles: [{id: coordination, name: Coordination, kind: coordination, members: [ana]}]
themes: [{id: seniors, title: Isolement des seniors}]
stages:
  - id: feuille-de-route
    kind: task
    title: Feuille de route
    description: Écrire la feuille de route de l'expérimentation avec les directions.
    owners: [coordination]
    for_each: laureate
    start: edition.start
    due: start + 30 working days
templates:
  - id: ouverture
    subject: \"{{ programme }} — « {{ stage }} » commence\"
    body: |
      Bonjour {{ recipient }},

      L'étape « {{ stage }} » de {{ edition }} s'ouvre le {{ start }} et doit être terminée le {{ due }}.
      {{ description }}

      Bien à vous,
      L'équipe du programme
messages: {stage_opened: ouverture}
participants:
",
    );
    for i in 0..n {
        yaml.push_str(&format!(
            "  - {{id: p{i}, name: Structure {i}, theme: seniors, status: laureate, contact: {{name: Contact {i}, email: contact{i}@example.org}}}}\n"
        ));
    }
    yaml
}

/// The mean size of the edition's messages, read from an `.eml` run.
fn average_size(definitions: &Path, work: &Path) -> usize {
    let folder = work.join("eml");
    let output = jalon(
        definitions,
        &work.join("size.db"),
        &["--folder"],
        &[&folder],
    );
    assert!(output.status.success(), "{}", text(&output));
    let sizes: Vec<u64> = std::fs::read_dir(&folder)
        .expect("the .eml folder")
        .map(|f| f.expect("a file").metadata().expect("its size").len())
        .collect();
    (sizes.iter().sum::<u64>() / sizes.len().max(1) as u64) as usize
}

fn jalon(definitions: &Path, db: &Path, args: &[&str], paths: &[&Path]) -> std::process::Output {
    support::jalon()
        .args(["send", "bench", "--at", "2025-03-03 10:00"])
        .args(args)
        .args(paths)
        .arg("--definitions")
        .arg(definitions)
        .arg("--db")
        .arg(db)
        .output()
        .expect("jalon runs")
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Outbox to sink: the dispatcher's own timing of its delivery (rendering
/// included, loading the definitions and the database not).
fn jalon_rate(
    definitions: &Path,
    db: &Path,
    address: &str,
    connections: usize,
    expected: usize,
) -> f64 {
    let url = format!("smtp://{address}");
    let count = connections.to_string();
    let output = jalon(
        definitions,
        db,
        &["--smtp", &url, "--connections", &count],
        &[],
    );
    let report = text(&output);
    assert!(
        report.starts_with(&format!("{expected} newly due, {expected} sent")),
        "{report}"
    );
    let seconds: f64 = report
        .split(" attempted in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no timing in {report}"));
    expected as f64 / seconds
}

/// smtp-source: `-s` sessions in parallel, `-d` keeping each connection for
/// the next message, `-m` messages of `-l` bytes.
fn source_rate(servers: &Path, port: u16, connections: usize, messages: usize, size: usize) -> f64 {
    let started = Instant::now();
    let status = Command::new(servers.join("bin/smtp-source"))
        .args(["-d", "-s", &connections.to_string()])
        .args(["-m", &messages.to_string(), "-l", &size.to_string()])
        .args(["-M", "localhost", "-f", "programme@example.org"])
        .args(["-t", "contact@example.org"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .status()
        .expect("smtp-source runs");
    assert!(status.success(), "smtp-source failed");
    messages as f64 / started.elapsed().as_secs_f64()
}
