//! Validation links in the SQLite store: kept once, found by their hash,
//! used once, in the transaction of the event they record.

use jalon_core::{Channel, Event, EventKind};
use jalon_store::{ByLink, Claim, Entry, Link, SqliteStore, Store};
use jiff::Timestamp;

fn at(second: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + second).expect("instant")
}

fn link(hash: &str) -> Link {
    Link {
        token_hash: hash.into(),
        edition: "ed".into(),
        action_key: format!("ed/s/validation/1/person:vera/{hash}"),
        person: "vera".into(),
        stage: "s".into(),
        participant: Some("p1".into()),
        round: 1,
        answers: vec!["approve".into(), "refuse".into()],
        issued_at: at(0),
        expires_at: at(1_000),
    }
}

fn approve(second: i64) -> Entry {
    Entry {
        event: Event {
            at: at(second),
            by: "vera".into(),
            channel: Channel::Link,
            kind: EventKind::Approve {
                stage: "s".into(),
                participant: Some("p1".into()),
                comment: None,
            },
        },
        version: "v1".into(),
        due: Vec::new(),
        withdraw: Vec::new(),
        change: None,
        documents: Vec::new(),
    }
}

fn claim(hash: &str, second: i64) -> Claim {
    Claim {
        token_hash: hash.into(),
        answer: "approve".into(),
        at: at(second),
    }
}

#[test]
fn a_link_is_kept_once_and_read_back_unused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("j.db")).unwrap();
    assert_eq!(store.issue_links(&[link("a"), link("b")]).unwrap(), 2);
    // A retried send issues the same link again: the first is kept.
    let mut again = link("a");
    again.expires_at = at(5_000);
    assert_eq!(store.issue_links(&[again]).unwrap(), 0);
    let stored = store.link("a").unwrap().expect("kept");
    assert_eq!(stored.link, link("a"));
    assert_eq!(stored.used, None);
    assert!(stored.link.allows("refuse") && !stored.link.allows("decide"));
    assert!(!stored.link.expired(at(999)) && stored.link.expired(at(1_000)));
    assert_eq!(store.link("c").unwrap(), None);
}

#[test]
fn a_link_records_one_event_and_is_then_used() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("j.db")).unwrap();
    store.issue_links(&[link("a")]).unwrap();
    let first = store
        .record_by_link("ed", &claim("a", 10), |_| Ok::<_, ()>(approve(10)))
        .unwrap();
    let ByLink::Recorded(recorded) = first else {
        panic!("recorded: {first:?}")
    };
    let used = store.link("a").unwrap().expect("kept").used.expect("used");
    assert_eq!(
        (used.at, used.answer.as_str(), used.seq),
        (at(10), "approve", recorded.seq)
    );

    // The second use writes nothing and says who used it.
    let second = store
        .record_by_link("ed", &claim("a", 20), |_| Ok::<_, ()>(approve(20)))
        .unwrap();
    let ByLink::Used(stored) = second else {
        panic!("refused as used: {second:?}")
    };
    assert_eq!(stored.used.map(|u| u.at), Some(at(10)));
    assert_eq!(store.history("ed").unwrap().events.len(), 1);

    // An unknown link writes nothing either, and neither does a refusal.
    let missing = store
        .record_by_link("ed", &claim("zz", 30), |_| Ok::<_, ()>(approve(30)))
        .unwrap();
    assert!(matches!(missing, ByLink::Missing), "{missing:?}");
    store.issue_links(&[link("b")]).unwrap();
    let refused = store
        .record_by_link("ed", &claim("b", 40), |_| Err::<Entry, _>("no"))
        .unwrap();
    assert!(matches!(refused, ByLink::Refused("no")), "{refused:?}");
    assert_eq!(store.link("b").unwrap().expect("kept").used, None);
    assert_eq!(store.history("ed").unwrap().events.len(), 1);
    assert_eq!(store.integrity().unwrap(), "ok");
}
