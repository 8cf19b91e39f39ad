//! How a long-lived process reaches its database: it opens a store when it
//! needs one (a pass, a page, a link answered), for writing or only for
//! reading. The daemon and the runtime are generic over this, so another
//! database (PostgreSQL) attaches by implementing it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::{SqliteStore, Store, StoreError};

pub trait Backend: Clone + Send + Sync + 'static {
    type Store: Store + Send;

    /// A store to write to, created and migrated if needed.
    fn open(&self) -> Result<Self::Store, StoreError>;

    /// A store that is only read (status pages, link pages: shown to a mail
    /// scanner, they write nothing); `None` when nothing was ever recorded.
    fn open_read_only(&self) -> Result<Option<Self::Store>, StoreError>;

    /// The database as an operator names it, for logs (never a password).
    fn describe(&self) -> String;

    /// The file the database lives in, for a backend that has one: the
    /// daemon watches its folder to hear of events other processes record.
    fn file(&self) -> Option<&Path>;

    /// What a daemon holds for as long as it runs on this database: a
    /// backend that serves one daemon at a time refuses a second one,
    /// naming the first; one that coordinates replicas holds nothing.
    fn hold_for_daemon(&self) -> Result<DaemonHold, StoreError>;

    /// Hears what other processes commit, for a database that can tell
    /// (PostgreSQL's notifications); `None` for one whose file the daemon
    /// watches instead. Listening stops when the value is dropped.
    fn listen(
        &self,
        ring: Box<dyn Fn(crate::Heard) + Send>,
    ) -> Option<Result<crate::Listening, StoreError>> {
        let _ = ring;
        None
    }
}

/// Held by a running daemon; dropped (or the process gone), the database
/// is free for another.
#[derive(Debug)]
pub struct DaemonHold {
    _lock: Option<File>,
}

impl DaemonHold {
    /// What a daemon holds on a database replicas share: nothing.
    pub fn none() -> DaemonHold {
        DaemonHold { _lock: None }
    }
}

/// The embedded default: one SQLite file, created on first write.
#[derive(Clone, Debug)]
pub struct SqliteBackend {
    path: PathBuf,
}

impl SqliteBackend {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SqliteBackend { path: path.into() }
    }
}

impl Backend for SqliteBackend {
    type Store = SqliteStore;

    fn open(&self) -> Result<SqliteStore, StoreError> {
        SqliteStore::open(&self.path)
    }

    fn open_read_only(&self) -> Result<Option<SqliteStore>, StoreError> {
        if !self.path.exists() {
            return Ok(None);
        }
        // A file the daemon is creating right now holds nothing yet.
        let store = SqliteStore::open_read_only(&self.path)?;
        Ok(store.is_migrated().then_some(store))
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.path)
    }

    /// An exclusive lock on `DB.daemon` beside the database, holding the
    /// daemon's process id: the kernel releases it when the process ends,
    /// however it ends, so a crash never leaves the database claimed.
    fn hold_for_daemon(&self) -> Result<DaemonHold, StoreError> {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".daemon");
        let path = self.path.with_file_name(name);
        let failed = |e: std::io::Error| StoreError::ReadOnly {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // Bounded: a process id, not whatever the file became.
                let _ = (&mut file).take(32).read_to_string(&mut holder);
                return Err(StoreError::InUse {
                    path: self.path.display().to_string(),
                    holder: holder.trim().to_owned(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(failed(e)),
        }
        file.set_len(0).map_err(failed)?;
        file.write_all(std::process::id().to_string().as_bytes())
            .map_err(failed)?;
        Ok(DaemonHold { _lock: Some(file) })
    }
}
