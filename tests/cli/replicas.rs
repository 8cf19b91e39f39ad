//! Several `jalon daemon` replicas on one PostgreSQL database (a real
//! server, started by `jalon-test-postgres`), delivering to a real SMTP
//! server (`tests/servers/sink.py`, which records a message before its 250):
//!
//! - three replicas share bursts while one of them is SIGKILLed again and
//!   again: every message goes out, each is recorded sent once, a message
//!   goes out twice only when a kill fell between the server's acceptance
//!   and the commit (same Message-ID, same content), and what the killed
//!   replica held is sent by another once its lease lapses;
//! - PostgreSQL stopped mid-burst, then started again: the replicas say
//!   they are unhealthy meanwhile, then finish the burst by themselves;
//! - one validation link answered on two replicas at the same moment over
//!   HTTP: one event recorded, the other answer told it cannot be.
//!
//! Both print their figures (run with `--nocapture`).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use jalon_test_postgres::Cluster;
use jiff::Timestamp;

use crate::crash::{burst, id_of, planned, Accepted, Daemon, Random, Record, LAUREATES};
use crate::servers::Sink;
use crate::support::eventually_within;
use crate::support::http::request;

/// The lease replicas hold messages under, short for the test.
const LEASE: u64 = 5;

/// Each replica's SMTP connections.
const CONNECTIONS: usize = 2;

/// How long anything should take at most on a busy machine.
const PATIENCE: Duration = Duration::from_secs(120);

/// The database's name, the last part of its URL.
fn name_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or_default()
}

/// Rows of a query, read with `psql` (an independent reader), `|` apart.
fn rows(cluster: &Cluster, url: &str, sql: &str) -> Vec<Vec<String>> {
    cluster
        .psql(name_of(url), sql)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').map(str::to_owned).collect())
        .collect()
}

/// A replica of `jalon daemon` on the database `url`.
fn replica(dir: &Path, url: &str, name: &str, sink: &Sink) -> Daemon {
    let (smtp, lease, connections) = (sink.url(), LEASE.to_string(), CONNECTIONS.to_string());
    Daemon::start(
        dir,
        &[
            "--db",
            url,
            "--replica",
            name,
            "--lease",
            &lease,
            "--smtp",
            &smtp,
            "--connections",
            &connections,
            // Slow enough that a burst takes a few seconds: kills fall
            // while messages are claimed.
            "--rate",
            "150",
        ],
        None,
    )
}

/// Writes a new burst of due messages into the definitions (the replicas
/// reload it) and returns its keys.
fn add_burst(dir: &Path, n: usize) -> Vec<String> {
    let id = format!("burst-{n}");
    let file = format!("definitions/{id}.yaml");
    // Addresses of their own: someone in two running editions has the
    // edition's name added to subjects, which would tell apart the copies
    // of a message sent before and after a burst came.
    let own = burst(&id).replace("@example.org", &format!("@{id}.example.org"));
    std::fs::write(dir.join(&file), own).expect("written");
    let now = Timestamp::now();
    let due: Vec<String> = planned(dir, &file)
        .into_iter()
        .filter(|(_, _, _, at, _)| *at <= now)
        .map(|(key, ..)| key)
        .collect();
    assert_eq!(due.len(), 3 * LAUREATES + 2);
    due
}

/// The coordinator's openings of one burst's roadmaps are alike and due
/// together: they may go as merged emails, named by one of their keys.
fn mergeable(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    parts.len() == 5 && parts[3] == "opened" && parts[4].starts_with("person:")
}

/// Waits until every row of the outbox is sent; else fails with the
/// outbox's state and the replicas' logs.
fn all_sent(cluster: &Cluster, url: &str, expected: usize, logs: impl Fn() -> String) {
    let began = Instant::now();
    loop {
        let counts = rows(
            cluster,
            url,
            "SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM outbox",
        );
        let total: usize = counts[0][0].parse().unwrap_or(0);
        let sent: usize = counts[0][1].parse().unwrap_or(0);
        if total >= expected && sent == total {
            return;
        }
        if began.elapsed() > PATIENCE {
            let left = rows(
                cluster,
                url,
                "SELECT status, attempts, retry_at, lease_until, leased_by, count(*) FROM outbox \
                 WHERE status <> 'sent' GROUP BY 1, 2, 3, 4, 5 ORDER BY 6 DESC LIMIT 20",
            );
            panic!(
                "{sent} of {total} messages sent ({expected} expected) after {PATIENCE:?}; \
                 the others: {left:?}\n{}",
                logs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What the server accepted, checked against the outbox: every row recorded
/// sent exactly once, every email that is not a merge accepted, duplicates
/// alike. Returns (emails accepted, duplicates).
fn check_accepted(
    cluster: &Cluster,
    url: &str,
    expected: &HashSet<String>,
    accepted: &[Accepted],
) -> (usize, usize) {
    let recorded: HashMap<String, usize> = rows(
        cluster,
        url,
        "SELECT key, count(*) FROM attempts WHERE outcome = 'sent' GROUP BY key",
    )
    .into_iter()
    .map(|r| (r[0].clone(), r[1].parse().unwrap_or(0)))
    .collect();
    for key in expected {
        assert_eq!(recorded.get(key), Some(&1), "{key} recorded sent once");
    }
    let keys: Vec<String> = rows(cluster, url, "SELECT key FROM outbox")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    let key_of: HashMap<String, String> = keys.iter().map(|k| (id_of(k), k.clone())).collect();
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut duplicates = 0;
    for message in accepted {
        let key = key_of
            .get(&message.id)
            .unwrap_or_else(|| panic!("<{}@…> is in no outbox row", message.id));
        match seen.get(message.id.as_str()) {
            None => {
                seen.insert(&message.id, message.fingerprint());
            }
            Some(first) => {
                duplicates += 1;
                // A merge made again may carry other rows; anything else
                // goes out again exactly as it went.
                if !mergeable(key) {
                    assert_eq!(
                        first,
                        &message.fingerprint(),
                        "a duplicate of {key} differs"
                    );
                }
            }
        }
    }
    for key in expected.iter().filter(|k| !mergeable(k)) {
        assert!(
            seen.contains_key(id_of(key).as_str()),
            "{key} never reached the server"
        );
    }
    (accepted.len(), duplicates)
}

#[test]
fn three_replicas_share_bursts_and_one_killed_again_and_again_loses_nothing() {
    const KILLS: usize = 4;
    let cluster = Cluster::shared();
    let url = cluster.fresh_database();
    let sink = Sink::start(0, &[]);
    let mut record = Record::new(&sink);
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("a folder");
    let mut expected: HashSet<String> = add_burst(dir.path(), 1).into_iter().collect();

    // The first creates the schema and the links' key the others share.
    let mut first = replica(dir.path(), &url, "r1", &sink);
    eventually_within(PATIENCE, "the first replica running", || {
        dir.path().join("jalon.secret").exists() && first.log().contains("running")
    });
    let others = [
        replica(dir.path(), &url, "r2", &sink),
        replica(dir.path(), &url, "r3", &sink),
    ];
    let mut random = Random(0x5245_504C);
    let mut takeovers = Vec::new();
    for kill in 0..KILLS {
        expected.extend(add_burst(dir.path(), kill + 2));
        std::thread::sleep(Duration::from_millis(700 + random.below(900)));
        let log = first.kill();
        let killed_at = Instant::now();
        assert!(log.contains("replica"), "{log}");
        let held: Vec<String> = rows(
            cluster,
            &url,
            "SELECT key FROM outbox WHERE leased_by = 'r1' AND status = 'pending'",
        )
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
        first = replica(dir.path(), &url, "r1", &sink);
        if held.is_empty() {
            continue;
        }
        // What it held goes out once its lease lapses, sent by whichever
        // replica claims it first.
        let list = held
            .iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(",");
        let query =
            format!("SELECT count(*) FROM outbox WHERE key IN ({list}) AND status <> 'sent'");
        eventually_within(PATIENCE, "the killed replica's messages sent", || {
            rows(cluster, &url, &query)[0][0] == "0"
        });
        takeovers.push((held.len(), killed_at.elapsed()));
    }
    all_sent(cluster, &url, expected.len(), || {
        format!(
            "r1:\n{}\nr2:\n{}\nr3:\n{}",
            first.log(),
            others[0].log(),
            others[1].log()
        )
    });
    record.settle();
    let accepted = record.new_messages();
    let (emails, duplicates) = check_accepted(cluster, &url, &expected, &accepted);
    // Each kill may leave at most two sends per connection unrecorded.
    assert!(
        duplicates <= KILLS * CONNECTIONS * 2,
        "{duplicates} duplicates for {KILLS} kills"
    );
    assert!(!takeovers.is_empty(), "no kill fell while r1 held messages");
    for (held, took) in &takeovers {
        assert!(
            *took <= Duration::from_secs(LEASE + 15),
            "{held} message(s) of the killed replica took {took:?} to go out (lease {LEASE} s)"
        );
    }
    let by: Vec<Vec<String>> = rows(
        cluster,
        &url,
        "SELECT count(*) FROM attempts WHERE outcome = 'sent'",
    );
    println!(
        "replicas: {} messages ({} emails accepted, {} duplicates) over {KILLS} kills of r1; \
         takeovers after SIGKILL (held, time to sent): {takeovers:?}; recorded sends: {}",
        expected.len(),
        emails,
        duplicates,
        by[0][0]
    );
    for daemon in others.into_iter().chain([first]) {
        let (status, log) = daemon.terminate(PATIENCE);
        assert!(status.success(), "{log}");
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

#[test]
fn postgresql_stopped_mid_burst_and_started_again_loses_nothing() {
    let cluster = Cluster::start_own();
    let url = cluster.fresh_database();
    let sink = Sink::start(0, &[]);
    let mut record = Record::new(&sink);
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("a folder");
    let mut expected: HashSet<String> = add_burst(dir.path(), 1).into_iter().collect();
    let first = replica(dir.path(), &url, "r1", &sink);
    eventually_within(PATIENCE, "the first replica running", || {
        dir.path().join("jalon.secret").exists() && first.log().contains("running")
    });
    let second = replica(dir.path(), &url, "r2", &sink);
    expected.extend(add_burst(dir.path(), 2));
    eventually_within(PATIENCE, "the burst under way", || {
        let sent = rows(
            &cluster,
            &url,
            "SELECT count(*) FROM outbox WHERE status = 'sent'",
        );
        sent[0][0].parse::<usize>().unwrap_or(0) > 100
    });
    cluster.stop();
    let stopped = Instant::now();
    // The replicas say so on /healthz while the database is away.
    let address = listening(&second.log()).expect("the replica's address");
    let away = Instant::now();
    loop {
        let reply = request(&address, "GET", "/healthz", None, None);
        if reply.status == 503
            && reply.body.contains("replica r2")
            && reply.body.contains("database")
        {
            break;
        }
        assert!(
            away.elapsed() < PATIENCE,
            "/healthz did not say the database is away: {} {}\n{}",
            reply.status,
            reply.body,
            second.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    cluster.start();
    all_sent(&cluster, &url, expected.len(), || {
        format!("r1:\n{}\nr2:\n{}", first.log(), second.log())
    });
    let recovered = stopped.elapsed();
    eventually_within(PATIENCE, "/healthz ok again", || {
        let reply = request(&address, "GET", "/healthz", None, None);
        reply.status == 200 && reply.body == "ok\nreplica r2\n"
    });
    let metrics = request(&address, "GET", "/metrics", None, None);
    assert!(
        metrics
            .body
            .contains("jalon_replica_info{replica=\"r2\"} 1")
            && metrics.body.contains("jalon_database_up 1"),
        "{}",
        metrics.body
    );
    record.settle();
    let accepted = record.new_messages();
    let (emails, duplicates) = check_accepted(&cluster, &url, &expected, &accepted);
    println!(
        "database restart: {} messages, {emails} emails accepted, {duplicates} duplicates; \
         all sent {recovered:?} after the stop",
        expected.len()
    );
    // Sends whose outcome could not be written when the database went.
    assert!(duplicates <= 2 * CONNECTIONS * 2, "{duplicates} duplicates");
    for daemon in [first, second] {
        let (status, log) = daemon.terminate(PATIENCE);
        assert!(status.success(), "{log}");
    }
}

/// The same validation link answered on two replicas at the same moment,
/// over HTTP as validators' browsers do: one event, and the second answer
/// is told the link was used.
#[test]
fn one_link_answered_on_two_replicas_at_once_records_one_event() {
    use crate::links::{definition, link_to, page_of, PUBLIC_URL};

    let url = Cluster::shared().fresh_database();
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("a folder");
    std::fs::write(dir.path().join("definitions/liens.yaml"), definition()).expect("written");
    crate::support::Jalon::new()
        .current_dir(dir.path())
        .args([
            "complete",
            "liens",
            "diagnostic",
            "--by",
            "ana",
            "--db",
            &url,
        ])
        .run()
        .succeeds();
    let replica = |name: &str| {
        crate::daemon::Daemon::start(
            dir.path(),
            &["--public-url", PUBLIC_URL, "--db", &url, "--replica", name],
        )
    };
    // The first makes the links' key the second reads.
    let first = replica("a");
    let vera = link_to(dir.path(), "vera@example.org", "approve");
    let second = replica("b");
    let start = std::sync::Arc::new(std::sync::Barrier::new(2));
    let answers: Vec<_> = [first.address().to_owned(), second.address().to_owned()]
        .into_iter()
        .map(|address| {
            let (path, start) = (page_of(&vera), start.clone());
            std::thread::spawn(move || {
                start.wait();
                request(
                    &address,
                    "POST",
                    &path,
                    None,
                    Some(&[("answer", "approve"), ("comment", "")]),
                )
            })
        })
        .collect();
    let replies: Vec<_> = answers
        .into_iter()
        .map(|t| t.join().expect("no panic"))
        .collect();
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409],
        "one recorded, the other told it cannot be"
    );
    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == 200 && r.body.contains("Merci"))
            .count(),
        1,
        "{statuses:?}"
    );
    let log = crate::support::Jalon::new()
        .current_dir(dir.path())
        .args(["log", "liens", "--db", &url])
        .run()
        .succeeds()
        .stdout();
    let approvals = log
        .lines()
        .filter(|l| l.contains("approve") && l.contains("vera"))
        .count();
    assert_eq!(approvals, 1, "{log}");
    drop((first, second));
}
