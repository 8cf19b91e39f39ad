//! The daemon's check of a definitions folder: file by file (each with the
//! files it extends) on every core, through the cache of checked files when
//! there is one, the files naming editions with messages waiting first, so
//! that those editions can be served while the others are checked. The set
//! is the one [`crate::load::editions`] gives, in the same order; when a
//! file has errors, the report is the whole folder's check, word for word.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jalon_definition::cache::CheckCache;
use jalon_definition::resolved::Edition;
use jalon_definition::{check_file, list, mentions, Limits, Report};

use crate::archive::Archive;
use crate::load::{self, LoadError};

/// An edition checked, with the files its definition was read from.
#[derive(Clone)]
pub struct Loaded {
    pub edition: Arc<Edition>,
    pub archive: Archive,
}

/// Checks every definition file of `definitions`. Those whose text names
/// one of `first` are checked before the others, and the editions among
/// them with an id in `first` are handed to `early` as soon as they are;
/// the rest is checked when `early` returns. The whole set (or the whole folder's report)
/// is the result: `early` is only a head start.
pub fn check_folder(
    definitions: &Path,
    cache: Option<&CheckCache>,
    first: &[String],
    early: &mut dyn FnMut(Vec<Loaded>),
) -> Result<Vec<Loaded>, LoadError> {
    let limits = Limits::default();
    let listing = list(&[definitions.to_path_buf()]).map_err(|e| LoadError::Unreadable {
        detail: e.to_string(),
    })?;
    let files = listing.files;
    let (ahead, after): (Vec<usize>, Vec<usize>) =
        (0..files.len()).partition(|&i| !first.is_empty() && mentions(&files[i].0, first, &limits));
    // Each file's editions, or `None` when it has errors.
    let checked: Vec<Mutex<Option<Option<Vec<Loaded>>>>> =
        files.iter().map(|_| Mutex::new(None)).collect();
    let check = |i: usize| {
        let (path, root) = &files[i];
        let report = match cache {
            Some(cache) => cache.check_file(path, root, &limits),
            None => check_file(path, root, &limits).0,
        };
        if let Ok(mut slot) = checked[i].lock() {
            *slot = Some(clean(definitions, report));
        }
    };
    on_every_core(&ahead, &check);
    let served: Vec<Loaded> = ahead
        .iter()
        .filter_map(|&i| loaded(&checked[i]))
        .flatten()
        .filter(|loaded| first.contains(&loaded.edition.id))
        .collect();
    if !served.is_empty() {
        early(served);
    }
    on_every_core(&after, &check);
    let mut set = Vec::new();
    for slot in &checked {
        match loaded(slot) {
            Some(loaded) => set.extend(loaded),
            // The folder's own report, as every other shell shows it.
            None => return whole_folder(definitions),
        }
    }
    if let Some(cache) = cache {
        cache.prune();
    }
    Ok(set)
}

/// The editions of a report without errors (none for a template), or
/// `None` when it has errors.
fn clean(definitions: &Path, report: Report) -> Option<Vec<Loaded>> {
    if report.errors() > 0 {
        return None;
    }
    let archive = Archive::of(definitions, &report);
    Some(
        report
            .editions
            .into_iter()
            .map(|(_, edition)| Loaded {
                edition: Arc::new(edition),
                archive: archive.clone(),
            })
            .collect(),
    )
}

/// What a file's check gave, the same `Arc`s each time; `None` when it has
/// errors or was not checked.
fn loaded(slot: &Mutex<Option<Option<Vec<Loaded>>>>) -> Option<Vec<Loaded>> {
    slot.lock().ok()?.clone()?
}

/// The sequential check of the whole folder: the report of errors, or (a
/// file fixed meanwhile) the set it gives.
fn whole_folder(definitions: &Path) -> Result<Vec<Loaded>, LoadError> {
    let (editions, archive) = load::editions_kept(definitions)?;
    Ok(editions
        .into_iter()
        .map(|edition| Loaded {
            edition,
            archive: archive.clone(),
        })
        .collect())
}

/// Runs `work` on each of `items` on as many threads as there are cores
/// (at most one per item), taking them in order.
fn on_every_core(items: &[usize], work: &(dyn Fn(usize) + Sync)) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len());
    let next = AtomicUsize::new(0);
    let run = || {
        while let Some(&item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
            work(item);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(run);
        }
        run();
    });
}

/// Where the daemon keeps its checked definitions: beside its database.
pub fn cache_folder(database: &Path) -> PathBuf {
    let mut name = database.file_name().unwrap_or_default().to_os_string();
    name.push(".checked");
    database.with_file_name(name)
}

#[cfg(test)]
#[path = "staged_tests.rs"]
mod tests;
