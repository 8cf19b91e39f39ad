//! Loading an edition from its kept snapshot and the events after it gives
//! the state the whole log gives, on every backend — and a snapshot that
//! does not fit (damaged, another definition, an event before it voided) is
//! ignored, never trusted.

#[path = "../../core/tests/support/generated.rs"]
mod generated;

use std::path::Path;
use std::sync::Arc;

use jalon_core::{Channel, Event, EventKind, State, SNAPSHOT_FORMAT};
use jalon_definition::resolved::Edition;
use jalon_runtime::replay::{load, replay, replay_events};
use jalon_store::{Backend, Database, Entry, Snapshot, SqliteBackend, Store};
use proptest::prelude::*;

use generated::{load as edition_of, moves, run, spec};

fn backends(dir: &Path) -> Vec<Database> {
    let postgres = jalon_test_postgres::Cluster::shared().fresh_database();
    vec![
        Database::Sqlite(SqliteBackend::new(dir.join("jalon.db"))),
        Database::from_setting(Path::new(&postgres), "snapshots").expect("a PostgreSQL URL"),
    ]
}

fn append(store: &mut impl Store, edition: &Edition, events: &[Event]) {
    let entries: Vec<Entry> = events
        .iter()
        .map(|e| Entry::new(e.clone(), edition.version.clone(), Vec::new()))
        .collect();
    if !entries.is_empty() {
        store.append(&edition.id, &entries).expect("appended");
    }
}

/// What a snapshot at the edition's last event is made of, then spoiled
/// as `damage` says: 1 a flipped byte, 2 another definition version, 3
/// the format of an earlier build (ignored without a warning: expected
/// after an upgrade).
fn keep(store: &mut impl Store, edition: &Arc<Edition>, damage: u8) {
    let history = store.history(&edition.id).expect("history");
    let state = replay_events(edition.clone(), &history, None).expect("folds");
    let mut snapshot = Snapshot {
        seq: history.last_seq(),
        version: edition.version.clone(),
        bytes: state.snapshot(),
    };
    match damage {
        1 => {
            let middle = snapshot.bytes.len() / 2;
            snapshot.bytes[middle] ^= 0x20;
        }
        2 => snapshot.version = "another".into(),
        3 => snapshot.bytes[4..6].copy_from_slice(&(SNAPSHOT_FORMAT - 1).to_le_bytes()),
        _ => {}
    }
    store
        .keep_snapshot(&edition.id, &snapshot)
        .expect("snapshot kept");
}

fn observe(state: &State) -> (Vec<u8>, Vec<String>) {
    (
        state.snapshot(),
        state
            .pending_actions()
            .map(|a| format!("{} {} {:?}", a.key, a.due_at, a.detail))
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_then_tail_is_the_whole_log_on_every_backend(
        spec in spec(),
        moves in moves(),
        cut in 0usize..60,
        void in proptest::option::of(0usize..60),
        sent in 0usize..40,
        damage in 0u8..4,
    ) {
        let edition = edition_of(&spec);
        let played = run(edition.clone(), &moves);
        let events = played.accepted;
        let cut = cut.min(events.len());
        let last_at = events.last().map(|e| e.at);
        let dir = tempfile::tempdir().expect("a folder");
        for backend in backends(dir.path()) {
            let mut store = backend.open().expect("opens");
            append(&mut store, &edition, &events[..cut]);
            if cut > 0 {
                keep(&mut store, &edition, damage);
            }
            append(&mut store, &edition, &events[cut..]);
            // A void at the end, of an event before or after the snapshot.
            if let (Some(k), Some(at)) = (void.filter(|k| *k < events.len()), last_at) {
                let seqs: Vec<i64> = store.history(&edition.id).expect("history").events.iter().map(|e| e.seq).collect();
                let void = Event {
                    at,
                    by: "ana".into(),
                    channel: Channel::Cli,
                    kind: EventKind::Void { seq: seqs[k], reason: "erreur".into() },
                };
                append(&mut store, &edition, &[void]);
            }
            // Messages queued: marked sent on the way in.
            let delivered: Vec<_> = played.delivered.iter().take(sent).map(|(_, a)| a.clone()).collect();
            store.enqueue(&edition.id, &delivered).expect("queued");

            let whole = replay(edition.clone(), &store.history(&edition.id).expect("history"));
            let loaded = load(&mut store, &edition);
            match (whole, loaded) {
                (Ok(whole), Ok(loaded)) => {
                    prop_assert_eq!(observe(&whole), observe(&loaded.state));
                    prop_assert_eq!(
                        loaded.warning.is_some(),
                        damage == 1 && cut > 0 && !voids_before(&events, void, cut),
                        "{:?}", loaded.warning
                    );
                }
                (Err(_), Err(_)) => {}
                (whole, loaded) => prop_assert!(false, "whole {:?}, loaded {:?}", whole.is_ok(), loaded.is_ok()),
            }
        }
    }
}

/// Whether the void (of event `k`) undoes an event the snapshot folded.
fn voids_before(events: &[Event], void: Option<usize>, cut: usize) -> bool {
    void.is_some_and(|k| k < events.len() && k < cut)
}
