//! Reload, on SIGHUP or when a definition file is saved (both go through
//! [`Reloader::reload`], one at a time): the definitions are checked in
//! full, and each edition against the progress recorded for it; a set that
//! passes replaces the running one in one swap (which wakes the loop), a set
//! that fails is rejected, logged and mailed to the operator, and the running
//! one stays. A set whose editions all have the versions running (a file
//! saved unchanged, a comment edited) is not swapped.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::signal::unix::Signal;
use tokio::sync::{mpsc, watch};
use tracing::{error, info, warn};

use jalon_definition::cache::CheckCache;
use jalon_runtime::load::LoadError;
use jalon_runtime::payload::RejectedNotice;
use jalon_runtime::replay::replay;
use jalon_runtime::staged::{self, Loaded};
use jalon_runtime::Clock;
use jalon_store::{Backend, Store, StoreError};
use jiff::Timestamp;

use super::http::Health;
use super::operator::Operator;
use super::scheduler::Editions;

pub struct Reloader<B: Backend> {
    pub definitions: PathBuf,
    pub backend: B,
    pub editions: watch::Sender<Editions>,
    pub health: Arc<Health>,
    /// Told of rejections by email, when configured.
    pub operator: Option<Arc<Operator>>,
    pub clock: Arc<dyn Clock>,
    /// Rung when the coordination's notices of a rejection are queued.
    pub wake: Arc<tokio::sync::Notify>,
    /// Checked definitions kept by content, when there is a place for them.
    pub cache: Option<Arc<CheckCache>>,
}

impl<B: Backend> Reloader<B> {
    /// Reloads on each SIGHUP and each (debounced) change of the files,
    /// until the process ends. Without `changes` (no watcher), on SIGHUP only.
    pub async fn run(self, mut hangup: Signal, mut changes: Option<mpsc::Receiver<()>>) {
        loop {
            let trigger = tokio::select! {
                signal = hangup.recv() => match signal {
                    Some(()) => "SIGHUP",
                    None => return,
                },
                change = next(&mut changes) => match change {
                    Some(()) => "a definition file changed",
                    None => {
                        warn!("the watch on the definitions stopped: reload with SIGHUP");
                        changes = None;
                        continue;
                    }
                },
            };
            self.reload(trigger).await;
        }
    }

    pub async fn reload(&self, trigger: &str) {
        info!(
            trigger,
            "{trigger}: checking the definitions in {}",
            self.definitions.display()
        );
        let (folder, backend) = (self.definitions.clone(), self.backend.clone());
        let cache = self.cache.clone();
        let checked =
            tokio::task::spawn_blocking(move || check(&folder, cache.as_deref(), &backend)).await;
        let metrics = &self.health.metrics;
        let running = self.editions.borrow().clone();
        let report = match checked {
            Ok(Ok(checked)) => {
                let set = editions_of(&checked);
                let (backend, now) = (self.backend.clone(), self.clock.now());
                let _ =
                    tokio::task::spawn_blocking(move || keep(&backend, &checked, true, now)).await;
                if versions(&set) == versions(&running) {
                    info!(
                        trigger,
                        outcome = "unchanged",
                        "definitions unchanged: still running {} edition(s): {}",
                        running.len(),
                        ids(&running)
                    );
                    return;
                }
                loaded(&self.health, &set);
                // Logged before counted: whoever sees the count can read
                // the line.
                info!(
                    trigger,
                    outcome = "ok",
                    "reload accepted: running {} edition(s): {}",
                    set.len(),
                    ids(&set)
                );
                metrics.reloads_ok.fetch_add(1, Ordering::Relaxed);
                self.editions.send_replace(set);
                return;
            }
            Ok(Err(refusal)) => {
                let (backend, running, now) =
                    (self.backend.clone(), running.clone(), self.clock.now());
                let told = tokio::task::spawn_blocking(move || {
                    let told = tell_coordination(&backend, &refusal, &running, now);
                    (refusal.report, told)
                })
                .await;
                match told {
                    Ok((report, told)) => {
                        match told {
                            Ok(0) => {}
                            Ok(queued) => {
                                info!(queued, "the coordination of the editions concerned is told of the rejection");
                                self.wake.notify_one();
                            }
                            Err(e) => warn!("cannot tell the coordination of the rejection: {e}"),
                        }
                        report.trim_end().to_owned()
                    }
                    Err(e) => format!("the check failed: {e}"),
                }
            }
            Err(e) => format!("the check failed: {e}"),
        };
        error!(
            trigger,
            outcome = "rejected",
            "reload rejected, still running {} edition(s) ({}):\n{report}",
            running.len(),
            ids(&running),
        );
        metrics.reloads_rejected.fetch_add(1, Ordering::Relaxed);
        if let Some(operator) = &self.operator {
            operator.rejected(trigger, &report, &running);
        }
    }
}

/// The next change, or never without a watcher.
async fn next(changes: &mut Option<mpsc::Receiver<()>>) -> Option<()> {
    match changes {
        Some(changes) => changes.recv().await,
        None => std::future::pending().await,
    }
}

/// Each edition's id and version, in order: equal sets run the same.
fn versions(set: &Editions) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = set
        .iter()
        .map(|e| (e.id.as_str(), e.version.as_str()))
        .collect();
    out.sort_unstable();
    out
}

/// The definitions, checked in full; then each edition replayed from its
/// recorded progress, so that an edit that would orphan it (a stage removed
/// that has events) is refused here rather than fail every pass. The error
/// is the report, as logged and mailed.
fn check<B: Backend>(
    definitions: &Path,
    cache: Option<&CheckCache>,
    backend: &B,
) -> Result<Vec<Loaded>, Refusal> {
    let loaded = staged::check_folder(definitions, cache, &[], &mut |_| {}).map_err(|e| {
        let concerns = match &e {
            // The editions that did not check: the others are fine.
            LoadError::Invalid { report, .. } => Concerns::AllBut(
                report
                    .editions
                    .iter()
                    .map(|(_, edition)| edition.id.clone())
                    .collect(),
            ),
            _ => Concerns::AllBut(Vec::new()),
        };
        Refusal {
            report: e.to_string(),
            concerns,
        }
    })?;
    let unreadable = |e: StoreError| Refusal {
        report: e.to_string(),
        concerns: Concerns::Only(Vec::new()),
    };
    if let Some(store) = backend.open_read_only().map_err(unreadable)? {
        for Loaded { edition, .. } in &loaded {
            let history = store.history(&edition.id).map_err(unreadable)?;
            replay(edition.clone(), &history).map_err(|e| Refusal {
                report: e.to_string(),
                concerns: Concerns::Only(vec![edition.id.clone()]),
            })?;
        }
    }
    Ok(loaded)
}

/// The running set the loaded editions make.
pub fn editions_of(loaded: &[Loaded]) -> Editions {
    Arc::new(loaded.iter().map(|l| l.edition.clone()).collect())
}

/// Why a reload was refused, and whose coordination should hear of it.
struct Refusal {
    report: String,
    concerns: Concerns,
}

/// The running editions a refusal concerns.
enum Concerns {
    /// Every one but these (which checked).
    AllBut(Vec<String>),
    Only(Vec<String>),
}

impl Concerns {
    fn includes(&self, id: &str) -> bool {
        match self {
            Concerns::AllBut(fine) => !fine.iter().any(|f| f == id),
            Concerns::Only(these) => these.iter().any(|t| t == id),
        }
    }
}

/// Queues, for the coordination of each running edition a refusal
/// concerns, a notice with the report (delivered by the next pass).
/// Returns how many were queued.
fn tell_coordination<B: Backend>(
    backend: &B,
    refusal: &Refusal,
    running: &Editions,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let mut store = backend.open()?;
    let mut queued = 0;
    for edition in running.iter().filter(|e| refusal.concerns.includes(&e.id)) {
        let notices = RejectedNotice::messages(&refusal.report, edition, now);
        queued += store.queue(&edition.id, &notices)?;
    }
    Ok(queued)
}

/// Keeps the running definitions' files with their versions, so that the
/// record of an edition never depends on its file (a failure is logged:
/// the editions run all the same). With the `whole` set, signs out the
/// people it no longer names.
pub fn keep<B: Backend>(backend: &B, loaded: &[Loaded], whole: bool, now: Timestamp) {
    let mut store = match backend.open() {
        Ok(store) => store,
        Err(e) => return warn!("cannot keep the definitions with the record: {e}"),
    };
    for Loaded { edition, archive } in loaded {
        if let Err(e) = archive.keep(&mut store, std::slice::from_ref(edition), now) {
            warn!("cannot keep the definitions with the record: {e}");
        }
    }
    if !whole {
        return;
    }
    // People no longer in the definitions are signed out now, not at
    // their session's end.
    let editions: Vec<_> = loaded.iter().map(|l| l.edition.clone()).collect();
    let known = crate::workspace::known_addresses(&editions);
    match store.end_sessions_of_unknown(&known, now) {
        Ok(0) => {}
        Ok(ended) => info!(
            ended,
            "{ended} workspace session(s) ended: their people are no longer in the definitions"
        ),
        Err(e) => warn!("cannot end the sessions of people removed from the definitions: {e}"),
    }
}

/// Sets the gauge of editions running.
pub fn loaded(health: &Health, editions: &Editions) {
    health
        .metrics
        .editions
        .store(editions.len() as u64, Ordering::Relaxed);
}

pub fn ids(editions: &Editions) -> String {
    let ids: Vec<&str> = editions.iter().map(|e| e.id.as_str()).collect();
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.join(", ")
    }
}
