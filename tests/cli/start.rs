//! The daemon's start: editions with messages waiting are served as soon as
//! their own definitions pass, before big ones are checked, once a pass over
//! the whole set has kept who follows several editions; a second start
//! reads the checked definitions from the cache beside the database.

use std::path::Path;
use std::time::Duration;

use crate::daemon::{starting_this_morning, workplace, Daemon};
use crate::support::eventually;

#[path = "../../engine/bench_support/editions.rs"]
mod editions;

/// Big editions (slow to check) on the shipped template, nothing due now.
const BIG: usize = 8;

fn add_big_editions(definitions: &Path) {
    let programmes = definitions.join("programmes");
    std::fs::create_dir_all(&programmes).expect("programmes folder");
    std::fs::copy(
        crate::root().join("definitions/programmes/val-doise.yaml"),
        programmes.join("val-doise.yaml"),
    )
    .expect("the template copied");
    for n in 0..BIG {
        let id = format!("grande-{n}");
        let text = editions::edition(
            Path::new("programmes/val-doise.yaml"),
            &id,
            "2027-01-04",
            "2028-03-31",
            "2027-06-07",
            1_000,
        );
        std::fs::write(definitions.join(format!("{id}.yaml")), text).expect("edition written");
    }
}

/// A port nobody listens on: the relay of a daemon whose sends must wait.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("its address").port()
}

fn line_of(log: &str, text: &str) -> Option<usize> {
    log.lines().position(|l| l.contains(text))
}

#[test]
fn an_edition_with_messages_waiting_is_served_before_big_ones_are_checked() {
    let dir = workplace();
    let skew = starting_this_morning(dir.path());
    let clock = [("JALON_CLOCK_SKEW_SECONDS", skew.as_str())];
    // A first run whose relay is down leaves essai's messages waiting.
    let relay = format!("smtp://127.0.0.1:{}", closed_port());
    let daemon = Daemon::start_with(dir.path(), &["--smtp", &relay], &clock);
    eventually("the relay to be found down", || {
        daemon.log().contains("the relay failed")
    });
    let (status, _) = daemon.stop("TERM", Duration::from_secs(15));
    assert_eq!(status.code(), Some(0));

    add_big_editions(&dir.path().join("definitions"));
    // Ten minutes later: past the retry the relay's failure set.
    let later = (skew.parse::<i64>().expect("a skew") + 600).to_string();
    let clock = [("JALON_CLOCK_SKEW_SECONDS", later.as_str())];
    let daemon = Daemon::start_with(dir.path(), &["--folder", "outbox"], &clock);
    eventually("every edition to run", || {
        daemon
            .log()
            .contains(&format!("running {} edition(s)", BIG + 1))
    });
    let log = daemon.log();
    let first = line_of(
        &log,
        "serving first 1 edition(s) with messages waiting: essai",
    );
    let sent = line_of(&log, " sent essai/");
    let all = line_of(&log, &format!("running {} edition(s)", BIG + 1));
    assert!(first.is_some() && sent.is_some(), "{log}");
    assert!(
        first < sent && sent < all,
        "essai is served, and sends, before the big editions are checked:\n{log}"
    );
    let (status, _) = daemon.stop("TERM", Duration::from_secs(15));
    assert_eq!(status.code(), Some(0));

    // Restarted on the same files: every definition comes from the cache.
    let daemon = Daemon::start_with(dir.path(), &["--folder", "outbox"], &clock);
    let log = daemon.log();
    let files = BIG + 2; // the editions and the template
    assert!(
        log.contains(&format!("from_cache={files}")),
        "every file read from the cache:\n{log}"
    );
    let (status, _) = daemon.stop("TERM", Duration::from_secs(15));
    assert_eq!(status.code(), Some(0));
}
