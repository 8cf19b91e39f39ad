//! Every definition version an edition ran under is kept in the store with
//! its files, so that its log, status and exports never depend on a file
//! still being in the definitions folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits, Report};
use jalon_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::load::LoadError;

/// The definition files of a folder, by path relative to it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Archive {
    files: Vec<(PathBuf, String)>,
}

impl Archive {
    /// The files a check of `definitions` read that lie inside it.
    pub fn of(definitions: &Path, report: &Report) -> Archive {
        let files = report
            .sources
            .files()
            .filter_map(|file| {
                let relative = file.path.strip_prefix(definitions).ok()?;
                Some((relative.to_path_buf(), file.text.clone()))
            })
            .collect();
        Archive { files }
    }

    /// Keeps these files for each edition's version (once per version, as
    /// first seen at `now`).
    pub fn keep<S: Store>(
        &self,
        store: &mut S,
        editions: &[Arc<Edition>],
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(self).unwrap_or_default();
        for edition in editions {
            store.archive(&edition.id, &edition.version, &text, now)?;
        }
        Ok(())
    }

    /// The edition `id` as it was kept, checked again from its files.
    pub fn restore(text: &str, id: &str) -> Result<Arc<Edition>, LoadError> {
        let unreadable = |detail: String| LoadError::Unreadable { detail };
        let archive: Archive = serde_json::from_str(text)
            .map_err(|e| unreadable(format!("the archive of `{id}` cannot be read: {e}")))?;
        let folder = tempfile::tempdir()
            .map_err(|e| unreadable(format!("cannot unpack the archive of `{id}`: {e}")))?;
        for (path, text) in &archive.files {
            // Only plain relative paths: an archive never writes elsewhere.
            let safe = path
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !safe {
                continue;
            }
            let target = folder.path().join(path);
            let written = target
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&target, text));
            written.map_err(|e| unreadable(format!("cannot unpack the archive of `{id}`: {e}")))?;
        }
        let report = check_paths(&[folder.path().to_path_buf()], &Limits::default())
            .map_err(|e| unreadable(e.to_string()))?;
        report
            .editions
            .into_iter()
            .find(|(_, edition)| edition.id == id)
            .map(|(_, edition)| Arc::new(edition))
            .ok_or_else(|| unreadable(format!("the archive holds no edition `{id}`")))
    }
}
