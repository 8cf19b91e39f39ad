//! The start: the definitions checked (on every core, through the cache),
//! the editions with messages waiting handed over as soon as their own
//! definitions pass, and each edition's files kept with the record (and its
//! shipped history imported) before its first pass.

use std::sync::Arc;

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

/// The check under way.
pub struct Checking {
    /// The editions with messages waiting, once checked; closed without
    /// them when none waits (or none of them passed).
    pub early: mpsc::UnboundedReceiver<Vec<Loaded>>,
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
            let _ = early.send(first);
        })
    });
    Checking {
        early: receiver,
        done,
    }
}

/// The editions with messages waiting; none without a database yet (a
/// first start creates nothing before its definitions pass).
fn waiting<B: Backend>(backend: &B) -> Vec<String> {
    match backend.open_read_only() {
        Ok(Some(store)) => store.editions_pending().unwrap_or_default(),
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
