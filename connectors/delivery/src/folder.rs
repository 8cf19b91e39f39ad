//! The `.eml` folder: one file per message, named from its key, written to
//! a temporary name then renamed, so a reader never sees half a message and
//! a retry replaces rather than duplicates. Files are readable by their
//! owner only: a validation request holds a working link.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{DeliveryError, Outgoing};

pub struct FolderConnector {
    dir: PathBuf,
}

impl FolderConnector {
    pub fn new(dir: &Path) -> Self {
        FolderConnector {
            dir: dir.to_path_buf(),
        }
    }

    /// The file a message with this key is written to.
    pub fn path_for(&self, key: &str) -> PathBuf {
        let digest = Sha256::digest(key.as_bytes());
        let name: String = digest.iter().take(10).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.eml"))
    }

    pub fn deliver(&self, message: &Outgoing) -> Result<(), DeliveryError> {
        let fail = |e: std::io::Error| {
            DeliveryError::Transient(format!("cannot write in `{}`: {e}", self.dir.display()))
        };
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        let path = self.path_for(&message.key);
        let temporary = path.with_extension("eml.part");
        // Left by a crash, it may have other permissions: start afresh.
        let _ = std::fs::remove_file(&temporary);
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .and_then(|mut file| file.write_all(&message.bytes))
            .and_then(|()| std::fs::rename(&temporary, &path));
        if let Err(e) = written {
            // A full disk leaves no half-written file behind.
            let _ = std::fs::remove_file(&temporary);
            return Err(fail(e));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_per_key_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let folder = FolderConnector::new(&dir.path().join("outbox"));
        let message = Outgoing {
            key: "ed/stage/opened/person:ana".into(),
            from: "a@example.org".into(),
            to: vec!["b@example.org".into()],
            bytes: b"Subject: x\r\n\r\nbody\r\n".to_vec(),
        };
        folder.deliver(&message).unwrap();
        folder.deliver(&message).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .collect();
        assert_eq!(files.len(), 1, "a retry replaces the file");
        assert_eq!(
            std::fs::read(folder.path_for(&message.key)).unwrap(),
            message.bytes
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder.path_for(&message.key))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the owner's only: it may hold a link");
    }

    #[test]
    fn a_write_that_fails_leaves_no_part_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = FolderConnector::new(dir.path());
        let message = Outgoing {
            key: "ed/stage/opened/person:ana".into(),
            from: "a@example.org".into(),
            to: vec!["b@example.org".into()],
            bytes: b"Subject: x\r\n\r\nbody\r\n".to_vec(),
        };
        // A folder where the file should go: the rename fails.
        std::fs::create_dir_all(folder.path_for(&message.key).join("x")).unwrap();
        let failed = folder.deliver(&message);
        assert!(failed.is_err_and(|e| e.is_transient()));
        let parts = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .count();
        assert_eq!(parts, 0, "nothing half-written is left");
    }
}
