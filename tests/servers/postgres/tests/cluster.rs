//! The test PostgreSQL servers themselves: they answer, databases are fresh,
//! a server recovers from a crash, and none outlives its test process.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jalon_test_postgres::Cluster;

#[test]
fn the_shared_cluster_answers() {
    let cluster = Cluster::shared();
    assert_eq!(cluster.psql("postgres", "select 1").trim(), "1");
    assert!(std::ptr::eq(cluster, Cluster::shared()));
    let settings = cluster.psql(
        "postgres",
        "select current_setting('fsync'), current_setting('listen_addresses'), \
         current_setting('max_connections'), current_user",
    );
    assert_eq!(settings.trim(), "on|127.0.0.1|200|jalon");
}

#[test]
fn fresh_databases_are_distinct_and_empty() {
    let cluster = Cluster::shared();
    let first = cluster.fresh_database();
    let second = cluster.fresh_database();
    assert_ne!(first, second);
    let prefix = format!("postgres://jalon@127.0.0.1:{}/", cluster.port());
    let first = first.strip_prefix(&prefix).expect("a URL on the cluster");
    let second = second.strip_prefix(&prefix).expect("a URL on the cluster");
    let tables = "select count(*) from pg_class where relnamespace = 'public'::regnamespace";
    assert_eq!(cluster.psql(first, tables).trim(), "0");
    assert_eq!(cluster.psql(second, tables).trim(), "0");
    cluster.psql(first, "create table t (x int); insert into t values (1)");
    assert_eq!(cluster.psql(first, tables).trim(), "1");
    assert_eq!(cluster.psql(second, tables).trim(), "0");
}

#[test]
fn an_own_cluster_recovers_from_a_crash_and_restarts() {
    let cluster = Cluster::start_own();
    assert_ne!(cluster.port(), Cluster::shared().port());
    let database = cluster.fresh_database();
    let database = database.rsplit('/').next().expect("a database name");
    cluster.psql(
        database,
        "create table kept (x text); insert into kept values ('committed')",
    );

    cluster.kill();
    assert!(
        TcpStream::connect(("127.0.0.1", cluster.port())).is_err(),
        "nothing listens once killed"
    );
    cluster.start();
    assert_eq!(
        cluster.psql(database, "select x from kept").trim(),
        "committed"
    );
    assert!(
        cluster.log_tail(200).contains("not properly shut down"),
        "the server recovered from a crash:\n{}",
        cluster.log_tail(200)
    );

    cluster.stop();
    assert!(TcpStream::connect(("127.0.0.1", cluster.port())).is_err());
    cluster.start();
    cluster.psql(database, "insert into kept values ('again')");
    assert_eq!(
        cluster.psql(database, "select count(*) from kept").trim(),
        "2"
    );

    let data = cluster.data_directory().to_path_buf();
    let port = cluster.port();
    drop(cluster);
    assert!(!data.exists(), "dropping a cluster removes its data");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

/// Run by `no_server_outlives_its_test_process` in a process of its own,
/// which it then kills: holds the shared cluster and an own one.
#[test]
fn holds_clusters_until_killed() {
    if std::env::var_os("JALON_TEST_POSTGRES_HOLD").is_none() {
        return;
    }
    let own = Cluster::start_own();
    let shared = Cluster::shared();
    for cluster in [shared, &own] {
        println!(
            "HOLDING cluster {} {}",
            cluster.port(),
            cluster.data_directory().display()
        );
    }
    println!("HOLDING ready");
    std::thread::sleep(Duration::from_secs(600));
}

#[test]
fn no_server_outlives_its_test_process() {
    /// Kills the child process even if the test fails.
    struct Killed(Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Killed(
        Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--exact", "holds_clusters_until_killed", "--nocapture"])
            .env("JALON_TEST_POSTGRES_HOLD", "1")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the test binary runs"),
    );
    let mut clusters: Vec<(u16, PathBuf)> = Vec::new();
    let stdout = child.0.stdout.take().expect("its stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        // (The harness may print the test's name on the same line.)
        if line.contains("HOLDING ready") {
            break;
        }
        if let Some((_, rest)) = line.split_once("HOLDING cluster ") {
            let (port, data) = rest.split_once(' ').expect("PORT DATA");
            clusters.push((port.parse().expect("a port"), PathBuf::from(data)));
        }
    }
    assert_eq!(clusters.len(), 2, "the child started two clusters");
    for (port, _) in &clusters {
        assert!(TcpStream::connect(("127.0.0.1", *port)).is_ok());
    }

    child.0.kill().expect("SIGKILL the test process");
    child.0.wait().expect("it dies");
    let killed = Instant::now();
    let deadline = killed + Duration::from_secs(2);
    for (port, data) in &clusters {
        while (TcpStream::connect(("127.0.0.1", *port)).is_ok() || data.exists())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            TcpStream::connect(("127.0.0.1", *port)).is_err(),
            "the server on {port} still runs {:?} after its test process died",
            killed.elapsed()
        );
        assert!(!data.exists(), "{} is still there", data.display());
    }
}
