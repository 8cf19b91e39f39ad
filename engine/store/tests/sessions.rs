//! Sign-in links and sessions against a real database file.

use std::collections::BTreeSet;

use jalon_store::{Session, SignIn, SignInLink, SqliteStore, Store};
use jiff::{SignedDuration, Timestamp};

fn at(minutes: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + minutes * 60).expect("instant")
}

fn link(hash: &str, email: &str) -> SignInLink {
    SignInLink {
        token_hash: hash.into(),
        email: email.into(),
        issued_at: at(0),
        expires_at: at(15),
    }
}

fn session(hash: &str, started: i64) -> Session {
    Session {
        token_hash: hash.into(),
        // Taken from the link, whatever the caller says.
        email: "someone-else@example.org".into(),
        started_at: at(started),
        expires_at: at(started) + SignedDuration::from_hours(12),
    }
}

#[test]
fn a_link_signs_in_once_before_it_expires_and_the_session_survives_reopening() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.db");
    let mut store = SqliteStore::open(&path).expect("open");
    store
        .issue_sign_in(&link("L1", "ana@example.org"))
        .expect("issue");
    store
        .issue_sign_in(&link("L2", "ana@example.org"))
        .expect("issue");

    assert_eq!(
        store.sign_in("nope", &session("S0", 1)).expect("sign in"),
        SignIn::Missing
    );
    assert_eq!(
        store.sign_in("L1", &session("S1", 14)).expect("sign in"),
        SignIn::SignedIn {
            email: "ana@example.org".into()
        }
    );
    assert_eq!(
        store.sign_in("L1", &session("S2", 14)).expect("again"),
        SignIn::Used
    );
    assert_eq!(
        store.sign_in("L2", &session("S3", 15)).expect("late"),
        SignIn::Expired
    );
    assert_eq!(store.session("S2", at(14)).expect("read"), None);
    assert_eq!(store.session("S3", at(15)).expect("read"), None);
    drop(store);

    let mut store = SqliteStore::open(&path).expect("reopen");
    let running = store.session("S1", at(20)).expect("read").expect("running");
    assert_eq!(running.email, "ana@example.org");
    assert_eq!(
        store.session("S1", at(14 + 12 * 60)).expect("read"),
        None,
        "expired"
    );
    assert!(store.end_session("S1", at(30)).expect("end"));
    assert!(!store.end_session("S1", at(31)).expect("end twice"));
    assert_eq!(
        store.session("S1", at(32)).expect("read"),
        None,
        "signed out"
    );
}

#[test]
fn people_removed_from_the_definitions_lose_their_sessions_and_links() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = SqliteStore::open(&dir.path().join("j.db")).expect("open");
    store
        .issue_sign_in(&link("A", "ana@example.org"))
        .expect("issue");
    store
        .issue_sign_in(&link("B", "bob@example.org"))
        .expect("issue");
    store
        .issue_sign_in(&link("B2", "bob@example.org"))
        .expect("issue");
    store.sign_in("A", &session("SA", 1)).expect("ana");
    store.sign_in("B", &session("SB", 1)).expect("bob");

    let known = BTreeSet::from(["ana@example.org".to_owned()]);
    assert_eq!(
        store.end_sessions_of_unknown(&known, at(2)).expect("end"),
        1
    );
    assert!(store.session("SA", at(3)).expect("read").is_some());
    assert_eq!(store.session("SB", at(3)).expect("read"), None);
    assert_eq!(
        store.sign_in("B2", &session("SB2", 3)).expect("link"),
        SignIn::Missing
    );
}
