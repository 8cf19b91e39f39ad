//! Reload on SIGHUP: the definitions are checked in full, and each edition
//! against the progress recorded for it; a set that passes replaces the
//! running one in one swap (which wakes the loop), a set that fails is
//! rejected and the running one stays.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::signal::unix::Signal;
use tokio::sync::watch;
use tracing::{error, info};

use super::http::Health;
use super::schedule::Editions;
use crate::live::{self, Failure};

pub async fn on_hangup(
    mut hangup: Signal,
    definitions: PathBuf,
    db: PathBuf,
    editions: watch::Sender<Editions>,
    health: Arc<Health>,
) {
    while hangup.recv().await.is_some() {
        info!(
            "SIGHUP: checking the definitions in {}",
            definitions.display()
        );
        let (folder, db) = (definitions.clone(), db.clone());
        let checked = tokio::task::spawn_blocking(move || check(&folder, &db)).await;
        let metrics = &health.metrics;
        match checked {
            Ok(Ok(set)) => {
                let set: Editions = Arc::new(set);
                loaded(&health, &set);
                metrics.reloads_ok.fetch_add(1, Ordering::Relaxed);
                info!(
                    outcome = "ok",
                    "reload accepted: running {} edition(s): {}",
                    set.len(),
                    ids(&set)
                );
                editions.send_replace(set);
            }
            Ok(Err(failure)) => {
                metrics.reloads_rejected.fetch_add(1, Ordering::Relaxed);
                let running = editions.borrow().clone();
                error!(
                    outcome = "rejected",
                    "reload rejected, still running {} edition(s) ({}):\n{}",
                    running.len(),
                    ids(&running),
                    failure.message.trim_end()
                );
            }
            Err(e) => {
                metrics.reloads_rejected.fetch_add(1, Ordering::Relaxed);
                error!(
                    outcome = "rejected",
                    "reload rejected: the check failed: {e}"
                );
            }
        }
    }
}

/// The definitions, checked in full; then each edition rebuilt from its
/// recorded progress, so that an edit that would orphan it (a stage removed
/// that has events) is refused here rather than fail every pass.
fn check(
    definitions: &Path,
    db: &Path,
) -> Result<Vec<Arc<jalon_definition::resolved::Edition>>, Failure> {
    let set = live::editions(definitions)?;
    if db.exists() {
        let store = live::open_read_only(db)?;
        for edition in &set {
            let history =
                jalon_store::Store::history(&store, &edition.id).map_err(|e| Failure {
                    message: e.to_string(),
                    code: 2,
                })?;
            live::rebuild(edition.clone(), &history)?;
        }
    }
    Ok(set)
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
