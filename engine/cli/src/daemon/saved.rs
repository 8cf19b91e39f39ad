//! Watching the definitions folder: a burst of saves becomes one signal,
//! once the folder has been quiet for [`QUIET`]. The folder is watched, not
//! the files: editors that save by writing a temporary file and renaming it
//! over the original replace the file a handle would follow. Only what the
//! check reads counts — `*.yaml`/`*.yml` outside `simulations/` and hidden
//! names — so an editor's swap file, backup (`*~`) or lock (`.#*`) does not
//! reload, nor does the check itself opening the files.

use std::path::{Component, Path};
use std::time::Duration;

use jalon_definition::load::SCRIPTS_FOLDER;
use notify::event::{CreateKind, ModifyKind, RemoveKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// How long the folder must stay quiet after a change before the reload.
pub const QUIET: Duration = Duration::from_millis(500);

/// The watch, to keep for as long as changes are wanted, and its signals.
pub struct Watch {
    pub watcher: RecommendedWatcher,
    pub changes: mpsc::Receiver<()>,
}

/// Starts watching `folder` (recursively). Must run inside the runtime: the
/// debounce is one of its tasks.
pub fn watch(folder: &Path) -> notify::Result<Watch> {
    // Events carry absolute paths; the folder's, to tell where they are.
    let root = folder
        .canonicalize()
        .unwrap_or_else(|_| folder.to_path_buf());
    let (raw, mut events) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| match event {
        Ok(event) if counts(&root, &event) => {
            debug!(paths = ?event.paths, "a definition changed");
            let _ = raw.send(());
        }
        Ok(_) => {}
        Err(e) => warn!("watching the definitions: {e}"),
    })?;
    watcher.watch(folder, RecursiveMode::Recursive)?;
    // Capacity 1: a change while a reload is pending adds nothing, since
    // that reload reads the files as they are then.
    let (changed, changes) = mpsc::channel(1);
    tokio::spawn(async move {
        while events.recv().await.is_some() {
            loop {
                match tokio::time::timeout(QUIET, events.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_quiet) => break,
                }
            }
            if let Err(mpsc::error::TrySendError::Closed(())) = changed.try_send(()) {
                return;
            }
        }
    });
    Ok(Watch { watcher, changes })
}

/// Whether an event may change what the check reads.
fn counts(root: &Path, event: &Event) -> bool {
    let folder = match event.kind {
        EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder) => true,
        EventKind::Create(_)
        | EventKind::Remove(_)
        | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any) => false,
        // Opening and reading (the check does), and metadata.
        _ => return false,
    };
    event
        .paths
        .iter()
        .any(|path| definition(root, path, folder || path.is_dir()))
}

/// Whether `path` is, or (a folder) may hold, a definition the check reads.
fn definition(root: &Path, path: &Path, folder: bool) -> bool {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let skipped = relative.components().any(|c| match c {
        Component::Normal(name) => {
            let name = name.to_string_lossy();
            name.starts_with('.') || name == SCRIPTS_FOLDER
        }
        _ => false,
    });
    if skipped {
        return false;
    }
    folder
        || matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The paths counted, among `paths`.
    fn counted(root: &str, paths: &[&str]) -> Vec<PathBuf> {
        paths
            .iter()
            .map(PathBuf::from)
            .filter(|p| definition(Path::new(root), p, false))
            .collect()
    }

    #[test]
    fn editors_files_and_scripts_do_not_count() {
        let root = "/srv/defs";
        assert_eq!(
            counted(
                root,
                &[
                    "/srv/defs/editions/2024.yaml",
                    "/srv/defs/programme.yml",
                    "/srv/defs/editions/.2024.yaml.swp",
                    "/srv/defs/editions/2024.yaml~",
                    "/srv/defs/.#2024.yaml",
                    "/srv/defs/4913",
                    "/srv/defs/simulations/2024.yaml",
                    "/srv/defs/.git/x.yaml",
                    "/srv/defs/notes.txt",
                ],
            ),
            vec![
                PathBuf::from("/srv/defs/editions/2024.yaml"),
                PathBuf::from("/srv/defs/programme.yml")
            ]
        );
        // A folder of editions moved in counts; the scripts' does not.
        assert!(definition(
            Path::new(root),
            Path::new("/srv/defs/editions"),
            true
        ));
        assert!(!definition(
            Path::new(root),
            Path::new("/srv/defs/simulations"),
            true
        ));
    }
}
