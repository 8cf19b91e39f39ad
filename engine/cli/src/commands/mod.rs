//! One module per command family; each returns the text to print or a
//! [`Failure`].

pub mod daemon;
pub mod files;
pub mod live;
pub mod record;
pub mod send;

use std::path::PathBuf;
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_runtime::archive::Archive;
use jalon_runtime::load::LoadError;
use jalon_runtime::{load, local_time, Clock, FixedClock, SystemClock};
use jalon_store::{Backend, Database, DatabaseStore, History, Store};
use jiff::Timestamp;

use crate::failure::Failure;

/// Where an edition's definition and progress live.
pub struct Target {
    pub edition: String,
    pub definitions: PathBuf,
    pub db: PathBuf,
    /// The database `db` names, made once: a PostgreSQL backend holds a
    /// pool of connections a command reuses.
    database: std::sync::OnceLock<Database>,
}

impl Target {
    pub fn new(edition: String, definitions: PathBuf, db: PathBuf) -> Target {
        Target {
            edition,
            definitions,
            db,
            database: std::sync::OnceLock::new(),
        }
    }

    /// The edition, from its definitions checked in full; when its file
    /// is gone from the folder, as the database kept it (reading only).
    pub fn edition(&self) -> Result<Arc<Edition>, Failure> {
        match load::edition(&self.definitions, &self.edition) {
            Ok(edition) => Ok(edition),
            Err(missing @ LoadError::NoSuchEdition { .. }) => {
                let kept = match self.backend()?.open_read_only()? {
                    Some(store) => store.archived(&self.edition)?,
                    None => None,
                };
                let Some(kept) = kept else {
                    return Err(missing.into());
                };
                let edition = Archive::restore(&kept, &self.edition)?;
                eprintln!(
                    "note: `{}` is no longer in `{}`: shown from the definition kept with its record (version {})",
                    self.edition,
                    self.definitions.display(),
                    edition.version
                );
                Ok(edition)
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The edition to record into, the database, which keeps the edition's
    /// definition files with its version, and the instant of the act (`at`,
    /// by default now).
    pub fn recording(
        &self,
        at: Option<&str>,
    ) -> Result<(Arc<Edition>, DatabaseStore, Timestamp), Failure> {
        let (edition, archive) = load::edition_kept(&self.definitions, &self.edition)?;
        let now = clock(&edition, at)?.now();
        let mut store = self.backend_store()?;
        archive.keep(&mut store, std::slice::from_ref(&edition), now)?;
        Ok((edition, store, now))
    }

    /// The database as messages name it (a URL without its password).
    fn shown_db(&self) -> String {
        self.backend()
            .map(|b| b.describe())
            .unwrap_or_else(|_| self.db.display().to_string())
    }

    /// The database `--db` names: a SQLite file, or a PostgreSQL URL.
    pub fn backend(&self) -> Result<Database, Failure> {
        if let Some(database) = self.database.get() {
            return Ok(database.clone());
        }
        let database = Database::from_setting(&self.db, "jalon-cli")?;
        Ok(self.database.get_or_init(|| database).clone())
    }

    /// The database, to write to (created on first use).
    pub fn backend_store(&self) -> Result<DatabaseStore, Failure> {
        Ok(self.backend()?.open()?)
    }

    /// The database, for reading only; it must exist.
    pub fn read_only(&self) -> Result<DatabaseStore, Failure> {
        self.backend()?.open_read_only()?.ok_or_else(|| {
            Failure::Usage(format!(
                "there is no database `{}` yet: nothing has been recorded (give it with --db)",
                self.shown_db()
            ))
        })
    }

    /// What is recorded of the edition; nothing when there is no database.
    pub fn history(&self, edition: &Edition) -> Result<History, Failure> {
        Ok(match self.backend()?.open_read_only()? {
            Some(store) => store.history(&edition.id)?,
            None => {
                // Said, not silent: a mistyped --db would otherwise show
                // the edition with nothing done and everything late.
                eprintln!(
                    "note: there is no database `{}`: nothing is recorded there, so this is `{}` \
                     with nothing done yet (check --db, or JALON_DB)",
                    self.shown_db(),
                    edition.id
                );
                History::default()
            }
        })
    }
}

/// The clock of a command: fixed at `--at` (local time of the edition),
/// else the system's.
pub fn clock(edition: &Edition, at: Option<&str>) -> Result<Arc<dyn Clock>, Failure> {
    Ok(match at {
        Some(text) => Arc::new(FixedClock(instant(edition, text)?)),
        None => Arc::new(SystemClock),
    })
}

/// `--at` in the edition's zone.
pub fn instant(edition: &Edition, text: &str) -> Result<Timestamp, Failure> {
    local_time::parse(&edition.time_zone, text).ok_or_else(|| {
        Failure::Usage(format!(
            "--at `{}` is not a local date and time such as 2025-01-09 10:00",
            text.trim()
        ))
    })
}
