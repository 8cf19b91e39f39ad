//! Alike messages due together to one person go as one email, and each of
//! their outbox rows records the one outcome: four laureates' roadmaps open
//! on the same morning, the coordinator gets one email naming the four (the
//! laureates' contacts each get their own), a temporary failure retries the
//! four rows together, and the retry is the same email (same Message-ID).

use std::path::Path;
use std::sync::Arc;

mod support;
use support::{Hand, Relay};

use jalon_delivery::DeliveryError;
use jalon_runtime::compose::messages;
use jalon_runtime::dispatch::Dispatcher;
use jalon_runtime::replay::replay;
use jalon_runtime::{load, tick, Clock};
use jalon_store::{Backend, Delivery, SqliteBackend, Store};
use jiff::SignedDuration;

fn fixture(dir: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/smtp/smtp.yaml");
    std::fs::create_dir_all(dir).expect("a folder");
    std::fs::copy(source, dir.join("essai.yaml")).expect("the fixture");
}

/// A fake relay, a clock on the fixture's first morning, and a dispatcher
/// of `connections` to that relay.
fn delivering(connections: usize) -> (Relay, Hand, Dispatcher<Relay>) {
    let relay = Relay::default();
    let clock = Hand::at("2025-03-03T08:00:00Z");
    let for_workers = relay.clone();
    let dispatcher =
        Dispatcher::with_connector(Arc::new(clock.clone()), connections, None, move || {
            for_workers.clone()
        })
        .expect("a dispatcher");
    (relay, clock, dispatcher)
}

/// The store in `dir`, the edition's state replayed from it, and the
/// report of a first tick at the clock's instant.
fn first_tick(
    dir: &Path,
    edition: &Arc<jalon_definition::resolved::Edition>,
    templates: &jalon_message::Templates,
    dispatcher: &mut Dispatcher<Relay>,
    clock: &Hand,
) -> (jalon_store::SqliteStore, jalon_core::State, tick::Tick) {
    let mut store = SqliteBackend::new(dir.join("jalon.db"))
        .open()
        .expect("the store");
    let mut state = replay(
        edition.clone(),
        &store.history(&edition.id).expect("history"),
    )
    .expect("replays");
    let report = tick::tick(
        &mut store,
        &mut state,
        templates,
        dispatcher,
        clock.now(),
        None,
    )
    .expect("a tick");
    (store, state, report)
}

fn parsed(bytes: &[u8]) -> mail_parser::Message<'static> {
    mail_parser::MessageParser::default()
        .parse(bytes)
        .expect("an email")
        .into_owned()
}

#[test]
fn the_coordinator_gets_one_email_for_four_laureates_and_its_retry_is_the_same() {
    let dir = tempfile::tempdir().expect("a folder");
    let definitions = dir.path().join("definitions");
    fixture(&definitions);
    let edition = load::edition(&definitions, "essai").expect("the edition loads");
    let templates = messages::templates(&edition).expect("templates compile");
    let (relay, clock, mut dispatcher) = delivering(2);

    // Every email to Ana fails once (she also gets the seminar's).
    for _ in 0..3 {
        relay.answer(
            "ana@example.org",
            Err(DeliveryError::Transient("451 try later".into())),
        );
    }
    let (mut store, mut state, first) =
        first_tick(dir.path(), &edition, &templates, &mut dispatcher, &clock);
    let opened: Vec<_> = store
        .outbox("essai")
        .expect("the outbox")
        .into_iter()
        .filter(|e| e.key.contains("feuille-de-route/") && e.key.contains("/opened/person:ana"))
        .collect();
    assert_eq!(opened.len(), 4, "one row per laureate");
    assert!(
        opened
            .iter()
            .all(|e| e.status == Delivery::Pending && e.attempts == 1),
        "the failure is recorded on every row: {opened:?}"
    );
    let retry_at: Vec<_> = first
        .report
        .retry
        .iter()
        .filter(|(key, _, _)| {
            key.contains("feuille-de-route/") && key.contains("/opened/person:ana")
        })
        .map(|(_, at, _)| *at)
        .collect();
    assert_eq!(retry_at.len(), 4);
    assert!(
        retry_at.iter().all(|at| *at == retry_at[0]),
        "retried together"
    );
    assert!(relay.delivered_to("ana@example.org").is_empty());
    // Each laureate's contact has its own message.
    for contact in ["un@example.org", "deux@example.org", "quatre@example.org"] {
        let theirs = relay.delivered_to(contact);
        assert!(!theirs.is_empty(), "{contact}");
        let message = parsed(&theirs[0].bytes);
        assert!(!message.subject().unwrap_or_default().contains(" et "));
    }

    clock.set(&(retry_at[0] + SignedDuration::from_secs(1)).to_string());
    let again = tick::tick(
        &mut store,
        &mut state,
        &templates,
        &mut dispatcher,
        clock.now(),
        None,
    )
    .expect("a tick");
    let to_ana: Vec<_> = relay
        .delivered_to("ana@example.org")
        .into_iter()
        .filter(|m| {
            parsed(&m.bytes)
                .subject()
                .is_some_and(|s| s.contains("Feuille de route"))
        })
        .collect();
    assert_eq!(to_ana.len(), 1, "one email for four rows: {again:?}");
    let message = parsed(&to_ana[0].bytes);
    let subject = message.subject().expect("a subject").to_owned();
    assert_eq!(
        subject,
        "Atelier Un, Atelier Deux et 2 autres — Programme d’essai — «\u{a0}Feuille de route\u{a0}» commence"
    );
    let text = message.body_text(0).expect("a text part").into_owned();
    for name in [
        "Atelier Un",
        "Atelier Deux",
        "Atelier Trois",
        "Atelier Quatre",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
    assert_eq!(text.matches("Bonjour Ana Martin").count(), 1, "{text}");
    // Named after the first row by key: the same id on every attempt.
    let first_key = opened.iter().map(|e| e.key.as_str()).min().expect("a key");
    let id = message.message_id().expect("a Message-ID");
    assert_eq!(
        format!("<{id}>"),
        jalon_message::message_id(first_key, messages::MAIL_DOMAIN)
    );
    let rows: Vec<_> = store
        .outbox("essai")
        .expect("the outbox")
        .into_iter()
        .filter(|e| e.key.contains("feuille-de-route/") && e.key.contains("/opened/person:ana"))
        .collect();
    assert!(rows.iter().all(|e| e.status == Delivery::Sent), "{rows:?}");
    dispatcher.close();
}

#[test]
fn a_merged_email_goes_after_the_single_ones_due_with_it() {
    let dir = tempfile::tempdir().expect("a folder");
    let definitions = dir.path().join("definitions");
    fixture(&definitions);
    let edition = load::edition(&definitions, "essai").expect("the edition loads");
    let templates = messages::templates(&edition).expect("templates compile");
    // One connection: the relay sees the messages in the order handed out.
    let (relay, clock, mut dispatcher) = delivering(1);
    first_tick(dir.path(), &edition, &templates, &mut dispatcher, &clock);
    dispatcher.close();

    let subjects: Vec<(String, String)> = relay
        .delivered()
        .iter()
        .map(|m| {
            let subject = parsed(&m.bytes).subject().unwrap_or_default().to_owned();
            (m.to.join(","), subject)
        })
        .filter(|(_, subject)| subject.contains("Feuille de route"))
        .collect();
    let merged = subjects
        .iter()
        .position(|(to, _)| to == "ana@example.org")
        .expect("Ana's one email");
    let singles: Vec<usize> = subjects
        .iter()
        .enumerate()
        .filter(|(_, (to, _))| to != "ana@example.org")
        .map(|(i, _)| i)
        .collect();
    // The roadmap opens for the four laureates at one instant: their
    // contacts' own emails, quick to compose, go first, so that every
    // connection is busy while the longer merged one is composed.
    assert!(singles.len() >= 3, "{subjects:?}");
    assert!(
        singles.iter().all(|&i| i < merged),
        "the merged email after the single ones: {subjects:?}"
    );
}

#[test]
fn who_follows_two_running_editions_reads_which_one_each_subject_is_about() {
    let dir = tempfile::tempdir().expect("a folder");
    let definitions = dir.path().join("definitions");
    fixture(&definitions);
    // A second edition with the same coordinator and other laureates.
    let text = std::fs::read_to_string(definitions.join("essai.yaml")).expect("the fixture");
    let other = text
        .replace(
            "  id: essai\n  name: Édition d'essai",
            "  id: autre\n  name: Autre édition",
        )
        .replace("@example.org}}", ".autre@example.org}}");
    std::fs::write(definitions.join("autre.yaml"), other).expect("written");
    let essai = load::edition(&definitions, "essai").expect("loads");
    let autre = load::edition(&definitions, "autre").expect("loads");

    let during: jiff::Timestamp = "2025-03-03T08:00:00Z".parse().expect("an instant");
    let several = jalon_runtime::compose::several::readers_of_several([&*essai, &*autre], during);
    assert!(several.contains("ana@example.org"), "{several:?}");
    assert!(!several.contains("un@example.org"), "{several:?}");
    // Before both begin, nobody follows two.
    let before: jiff::Timestamp = "2025-01-03T08:00:00Z".parse().expect("an instant");
    assert!(
        jalon_runtime::compose::several::readers_of_several([&*essai, &*autre], before).is_empty()
    );

    let templates = messages::templates(&essai).expect("templates compile");
    let (relay, clock, mut dispatcher) = delivering(2);
    dispatcher.several = Arc::new(several);
    first_tick(dir.path(), &essai, &templates, &mut dispatcher, &clock);
    let to_ana = relay.delivered_to("ana@example.org");
    assert!(!to_ana.is_empty());
    for message in &to_ana {
        let subject = parsed(&message.bytes)
            .subject()
            .unwrap_or_default()
            .to_owned();
        assert!(subject.starts_with("[Édition d’essai] "), "{subject}");
    }
    // A subject that names the edition already (as typography sets it) is
    // left as it is.
    let several = jalon_runtime::compose::several::readers_of_several([&*essai, &*autre], during);
    let ana = [jalon_message::Mailbox {
        name: "Ana".into(),
        email: "ANA@example.org".into(),
    }];
    assert_eq!(
        jalon_runtime::compose::several::subject_for(
            &essai,
            "Point Édition d’essai : 0",
            &ana,
            &several
        ),
        "Point Édition d’essai : 0"
    );
    assert_eq!(
        jalon_runtime::compose::several::subject_for(&essai, "Rappel", &ana, &several),
        "[Édition d'essai] Rappel"
    );
    let to_contact = relay.delivered_to("un@example.org");
    let subject = parsed(&to_contact[0].bytes)
        .subject()
        .unwrap_or_default()
        .to_owned();
    assert!(!subject.starts_with('['), "{subject}");
    dispatcher.close();
}
