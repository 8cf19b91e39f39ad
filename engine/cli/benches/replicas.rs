//! Several `jalon daemon` replicas on one PostgreSQL database (a real
//! server started for the bench, fsync on), delivering to Postfix's
//! `smtp-sink` on loopback:
//!
//! - messages per second from the outbox to the sink with 1, 2 and 4
//!   replicas of 4 connections each: from the moment an edition with
//!   `JALON_BENCH_LAUREATES` laureates (default 3,000: 6,000 messages due at
//!   once) is saved into the definitions the replicas run, to the moment the
//!   database shows every message sent (the reload, its check and the
//!   queueing included);
//! - the time from a replica's SIGKILL to the moment the messages it held
//!   are sent by another (lease 10 s, 200 messages per second per replica).
//!
//! `cargo bench -p jalon-cli --bench replicas`. Prints figures; asserts
//! nothing about speed.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use jalon_test_postgres::Cluster;
use jiff::{Span, Zoned};

#[path = "../../bench_support/figures.rs"]
mod figures;
#[path = "../../bench_support/sink.rs"]
mod sink;
#[path = "../../bench_support/cli.rs"]
mod support;

const ROUNDS: usize = 3;
const CONNECTIONS: usize = 4;

fn main() {
    let laureates: usize = std::env::var("JALON_BENCH_LAUREATES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let servers = support::test_servers(&root);
    let cluster = Cluster::start_own();
    let messages = laureates * 2;
    println!(
        "{messages} messages ({laureates} laureates), {CONNECTIONS} SMTP connections per replica, median of {ROUNDS} rounds"
    );
    println!("{:>8}  {:>10}  {:>22}", "replicas", "msg/s", "spread");
    let mut table = figures::Table::new("replicas", &["replicas", "messages/s, median (spread)"]);
    for replicas in [1usize, 2, 4] {
        let mut rates = Vec::new();
        for _ in 0..ROUNDS {
            rates.push(burst_rate(&cluster, &servers, replicas, laureates));
        }
        let low = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let high = rates.iter().copied().fold(0.0, f64::max);
        println!(
            "{replicas:>8}  {:>10.0}  {:>22}",
            support::median(&rates),
            format!("{low:.0}-{high:.0}")
        );
        table.row(vec![
            replicas.to_string(),
            figures::spread(support::median(&rates), low, high, ""),
        ]);
    }
    let takeovers: Vec<f64> = (0..ROUNDS)
        .filter_map(|_| takeover(&cluster, &servers))
        .collect();
    println!(
        "SIGKILL of a replica holding messages (lease 10 s) to their sending by another: \
         median {:.1} s ({} of {ROUNDS} rounds had messages held at the kill)",
        if takeovers.is_empty() {
            f64::NAN
        } else {
            support::median(&takeovers)
        },
        takeovers.len()
    );
    table.write();
}

/// An edition that started yesterday: each laureate's roadmap opening, to
/// its contact and to the coordinator, is due.
fn edition(n: usize) -> String {
    let yesterday = Zoned::now()
        .date()
        .checked_sub(Span::new().days(1))
        .expect("yesterday");
    let end = yesterday
        .checked_add(Span::new().days(200))
        .expect("the end");
    let mut yaml = format!(
        "programme: {{id: bench, name: Programme de mesure}}
edition: {{id: bench, name: Édition de mesure, start: {yesterday}, end: {end}}}
time_zone: Europe/Paris
organisations: [{{id: cd, name: Département, kind: public_body}}]
people: [{{id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}}]
roles: [{{id: coordination, name: Coordination, kind: coordination, members: [ana]}}]
themes: [{{id: seniors, title: Isolement des seniors}}]
stages:
  - id: feuille-de-route
    kind: task
    title: Feuille de route
    owners: [coordination]
    for_each: laureate
    start: edition.start
    due: start + 30 working days
templates:
  - id: ouverture
    subject: \"{{{{ programme }}}} — « {{{{ stage }}}} » commence pour {{{{ participant }}}}\"
    body: |
      Bonjour {{{{ recipient }}}},

      L'étape « {{{{ stage }}}} » s'ouvre le {{{{ start }}}} et doit être terminée le {{{{ due }}}}.
messages: {{stage_opened: ouverture}}
participants:
"
    );
    for i in 0..n {
        yaml.push_str(&format!(
            "  - {{id: p{i}, name: Structure {i}, theme: seniors, status: laureate, contact: {{name: Contact {i}, email: contact{i}@example.org}}}}\n"
        ));
    }
    yaml
}

/// The definitions folder with a one-laureate edition of its own: a
/// daemon starts only on definitions, and the measured one comes later.
fn warm_up(dir: &Path) {
    std::fs::create_dir(dir.join("definitions")).expect("a folder");
    let warm = edition(1).replace("{id: bench, name: Édition", "{id: warm, name: Édition");
    std::fs::write(dir.join("definitions/warm.yaml"), warm).expect("written");
}

/// A replica, in `dir`, on `url`; its logs are dropped.
fn replica(dir: &Path, url: &str, name: &str, sink: u16, extra: &[&str]) -> Child {
    support::jalon()
        .current_dir(dir)
        .args(["daemon", "--listen", "127.0.0.1:0", "--send-late"])
        .args(["--db", url, "--replica", name])
        .args(["--smtp", &format!("smtp://127.0.0.1:{sink}")])
        .args(["--connections", &CONNECTIONS.to_string()])
        .args(extra)
        .env("JALON_LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the daemon starts")
}

fn count(cluster: &Cluster, url: &str, sql: &str) -> usize {
    let name = url.rsplit('/').next().unwrap_or_default();
    cluster.psql(name, sql).trim().parse().unwrap_or(0)
}

/// Waits until the database has a schema (the first replica made it).
fn schema_ready(cluster: &Cluster, url: &str) {
    let name = url.rsplit('/').next().unwrap_or_default();
    for _ in 0..600 {
        if cluster
            .psql(name, "SELECT to_regclass('outbox') IS NOT NULL")
            .trim()
            == "t"
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the replicas did not create the schema");
}

/// Messages per second of `replicas` replicas sending one burst.
fn burst_rate(cluster: &Cluster, servers: &Path, replicas: usize, laureates: usize) -> f64 {
    let sink = sink::Sink::start(servers);
    let url = cluster.fresh_database();
    let work = tempfile::tempdir().expect("a work folder");
    warm_up(work.path());
    let mut children: Vec<Child> = Vec::new();
    children.push(replica(work.path(), &url, "r1", sink.port, &[]));
    schema_ready(cluster, &url);
    for n in 2..=replicas {
        children.push(replica(work.path(), &url, &format!("r{n}"), sink.port, &[]));
    }
    // Every replica up and listening before the burst comes.
    std::thread::sleep(Duration::from_millis(1500));
    let expected = laureates * 2;
    let started = Instant::now();
    std::fs::write(
        work.path().join("definitions/bench.yaml"),
        edition(laureates),
    )
    .expect("written");
    loop {
        let sent = count(
            cluster,
            &url,
            "SELECT count(*) FROM outbox WHERE edition = 'bench' AND status = 'sent'",
        );
        if sent >= expected {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "{sent} of {expected} sent after 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let rate = expected as f64 / started.elapsed().as_secs_f64();
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    rate
}

/// Seconds from the SIGKILL of a replica holding messages to their sending
/// by the other; `None` when it held none at the kill.
fn takeover(cluster: &Cluster, servers: &Path) -> Option<f64> {
    let sink = sink::Sink::start(servers);
    let url = cluster.fresh_database();
    let work = tempfile::tempdir().expect("a work folder");
    warm_up(work.path());
    let slow = ["--rate", "200", "--lease", "10"];
    let mut first = replica(work.path(), &url, "r1", sink.port, &slow);
    schema_ready(cluster, &url);
    let mut second = replica(work.path(), &url, "r2", sink.port, &slow);
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::write(work.path().join("definitions/bench.yaml"), edition(2_000)).expect("written");
    std::thread::sleep(Duration::from_secs(3));
    let _ = first.kill();
    let killed = Instant::now();
    let _ = first.wait();
    let name = url.rsplit('/').next().unwrap_or_default();
    let held: Vec<String> = cluster
        .psql(
            name,
            "SELECT key FROM outbox WHERE leased_by = 'r1' AND status = 'pending'",
        )
        .lines()
        .filter(|l| !l.is_empty())
        .map(|k| format!("'{k}'"))
        .collect();
    let left = format!(
        "SELECT count(*) FROM outbox WHERE status <> 'sent' AND key IN ({})",
        held.join(",")
    );
    let outcome = (!held.is_empty()).then(|| {
        while count(cluster, &url, &left) > 0 {
            std::thread::sleep(Duration::from_millis(50));
        }
        killed.elapsed().as_secs_f64()
    });
    let _ = second.kill();
    let _ = second.wait();
    outcome
}
