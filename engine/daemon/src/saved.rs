//! Watching the definitions folder: a burst of saves becomes one signal,
//! once the folder has been quiet for [`QUIET`]. The folder is watched, not
//! the files: editors that save by writing a temporary file and renaming it
//! over the original replace the file a handle would follow. Only what the
//! check reads counts — `*.yaml`/`*.yml` outside `simulations/` and hidden
//! names — so an editor's swap file, backup (`*~`) or lock (`.#*`) does not
//! reload, nor does the check itself opening the files.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use jalon_definition::load::holds_scripts;
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
    // Events carry absolute paths, canonical or not: both forms of the
    // folder's, to tell where in it they are.
    let absolute = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let roots = [
        folder.canonicalize().unwrap_or_else(|_| absolute.clone()),
        absolute,
    ];
    let (raw, mut events) = mpsc::unbounded_channel::<()>();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<Event>| match event {
            Ok(event) if counts(&roots, &event) => {
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
fn counts(roots: &[PathBuf], event: &Event) -> bool {
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
        .any(|path| definition(roots, path, folder || path.is_dir()))
}

/// Whether `path` is, or (a folder) may hold, a definition the check reads.
fn definition(roots: &[PathBuf], path: &Path, folder: bool) -> bool {
    // Only the part below the folder says whether it is skipped (the folder
    // itself may well sit under a hidden one, such as ~/.config).
    let relative = roots
        .iter()
        .find_map(|root| path.strip_prefix(root).ok())
        .or_else(|| path.file_name().map(Path::new))
        .unwrap_or(path);
    let skipped = relative.components().any(|c| match c {
        Component::Normal(name) => name.to_string_lossy().starts_with('.') || holds_scripts(name),
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
    use super::*;

    /// The paths counted, among `paths`.
    fn counted(root: &str, paths: &[&str]) -> Vec<PathBuf> {
        paths
            .iter()
            .map(PathBuf::from)
            .filter(|p| definition(&[PathBuf::from(root)], p, false))
            .collect()
    }

    #[test]
    fn editors_files_and_scripts_do_not_count() {
        let root = "/home/ana/.config/jalon/defs";
        assert_eq!(
            counted(
                root,
                &[
                    "/home/ana/.config/jalon/defs/editions/2024.yaml",
                    "/home/ana/.config/jalon/defs/programme.yml",
                    "/home/ana/.config/jalon/defs/editions/.2024.yaml.swp",
                    "/home/ana/.config/jalon/defs/editions/2024.yaml~",
                    "/home/ana/.config/jalon/defs/.#2024.yaml",
                    "/home/ana/.config/jalon/defs/4913",
                    "/home/ana/.config/jalon/defs/simulations/2024.yaml",
                    "/home/ana/.config/jalon/defs/.git/x.yaml",
                    "/home/ana/.config/jalon/defs/notes.txt",
                ],
            ),
            vec![
                PathBuf::from("/home/ana/.config/jalon/defs/editions/2024.yaml"),
                PathBuf::from("/home/ana/.config/jalon/defs/programme.yml")
            ]
        );
        // A folder of editions moved in counts; the scripts' does not.
        let roots = [PathBuf::from(root)];
        assert!(definition(
            &roots,
            Path::new("/home/ana/.config/jalon/defs/editions"),
            true
        ));
        assert!(!definition(
            &roots,
            Path::new("/home/ana/.config/jalon/defs/simulations"),
            true
        ));
    }
}
