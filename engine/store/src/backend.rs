//! How a long-lived process reaches its database: it opens a store when it
//! needs one (a pass, a page, a link answered), for writing or only for
//! reading. The daemon and the runtime are generic over this, so another
//! database (PostgreSQL) attaches by implementing it.

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
        SqliteStore::open_read_only(&self.path).map(Some)
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.path)
    }
}
