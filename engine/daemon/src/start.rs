//! The start: the definitions checked (on every core, through the cache),
//! the editions with messages waiting handed over as soon as their own
//! definitions pass, and each edition's files kept with the record (and its
//! shipped history imported) before its first pass.

use std::sync::Arc;
use std::time::Duration;

use jalon_definition::cache::CheckCache;
use jalon_runtime::history::{self, HistoryError};
use jalon_runtime::load::LoadError;
use jalon_runtime::staged::{self, Loaded};
use jalon_runtime::Clock;
use jalon_store::{Backend, Store};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{info, warn};

use super::reload;
use super::scheduler::Editions;
use super::Options;

/// How long the check of the other definitions waits for the first pass
/// over the editions served first (a relay that hangs must not hold the
/// whole start).
const FIRST_PASS: Duration = Duration::from_secs(10);

/// The check under way.
pub struct Checking {
    /// The editions with messages waiting, once checked, and whom to tell
    /// when their first pass is over; closed without them when none waits
    /// (or none of them passed).
    pub early: mpsc::UnboundedReceiver<(Vec<Loaded>, std::sync::mpsc::Sender<()>)>,
    /// The whole set, or the report of what has errors.
    pub done: JoinHandle<Result<Vec<Loaded>, LoadError>>,
}

/// Starts checking the definitions, those of editions with messages
/// waiting in the database first.
pub async fn check<B: Backend>(options: &Options<B>, cache: Option<Arc<CheckCache>>) -> Checking {
    let backend = options.backend.clone();
    let waiting = tokio::task::spawn_blocking(move || waiting(&backend))
        .await
        .unwrap_or_default();
    let definitions = options.definitions.clone();
    let (early, receiver) = mpsc::unbounded_channel();
    let done = tokio::task::spawn_blocking(move || {
        staged::check_folder(&definitions, cache.as_deref(), &waiting, &mut |first| {
            // The others are checked once the first pass is over: on two
            // cores, checking beside it made it several times slower.
            let (passed, first_pass) = std::sync::mpsc::channel();
            if early.send((first, passed)).is_ok() {
                let _ = first_pass.recv_timeout(FIRST_PASS);
            }
        })
    });
    Checking {
        early: receiver,
        done,
    }
}

/// The editions with messages waiting, when the last pass over the whole
/// set kept who follows several editions: their subjects name the edition,
/// and a message sent again after a crash must read as it did the first
/// time (the SIGKILL test caught one without the name). None without a
/// database yet (a first start creates nothing before its definitions
/// pass), or without that set kept (nothing is served before the whole set
/// is checked).
fn waiting<B: Backend>(backend: &B) -> Vec<String> {
    match backend.open_read_only() {
        Ok(Some(store)) if matches!(store.readers_of_several(), Ok(Some(_))) => {
            store.editions_pending().unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// Before their first pass: the editions' files kept with their versions
/// (what the hold of late messages counts from), the people of a `whole`
/// set's previous one signed out, and the shipped histories imported.
pub async fn prepare<B: Backend>(options: &Options<B>, loaded: &[Loaded], whole: bool) {
    let (backend, definitions) = (options.backend.clone(), options.definitions.clone());
    let clock = options.clock.clone();
    let loaded = loaded.to_vec();
    let _ = tokio::task::spawn_blocking(move || {
        reload::keep(&backend, &loaded, whole, clock.now());
        import_shipped_histories(
            &backend,
            &definitions,
            &reload::editions_of(&loaded),
            &*clock,
        )
    })
    .await;
}

/// The histories shipped beside the definitions (`history/EDITION.yaml`),
/// imported for editions that have nothing recorded yet: a fresh clone's
/// editions then show their past and, closed, send nothing. An edition with
/// events of its own is left alone (`jalon import` remains for that).
fn import_shipped_histories<B: Backend>(
    backend: &B,
    definitions: &std::path::Path,
    editions: &Editions,
    clock: &dyn Clock,
) {
    for edition in editions.iter() {
        let Some(path) = history::shipped(definitions, edition) else {
            continue;
        };
        let outcome = backend
            .open()
            .map_err(HistoryError::from)
            .and_then(|mut store| {
                if !store.history(&edition.id)?.events.is_empty() {
                    return Ok(None);
                }
                history::import_file(&mut store, edition, &path, clock.now()).map(Some)
            });
        match outcome {
            Ok(Some(imported)) => info!(
                edition = %edition.id,
                events = imported.recorded,
                "imported the recorded history of {} from {} ({} events; its past messages recorded expired)",
                edition.id,
                path.display(),
                imported.recorded
            ),
            Ok(None) => {}
            Err(e) => warn!(
                edition = %edition.id,
                "the history in {} was not imported: {}",
                path.display(),
                e.to_string().trim_end()
            ),
        }
    }
}
