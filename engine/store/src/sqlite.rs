//! The embedded store: one SQLite file, created on first use. WAL so readers
//! never wait for the writer; `busy_timeout` so two commands queue instead
//! of failing; writes in `BEGIN IMMEDIATE` so the check and the write see the
//! same state; `synchronous=FULL` because an operator is told "recorded".

use std::path::{Path, PathBuf};
use std::time::Duration;

use jalon_core::{Action, Event};
use jiff::Timestamp;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::documents::Document;
use crate::links::{self, ByLink, Claim, Link, StoredLink};
use crate::schema::{APPLICATION_ID, MIGRATIONS};
use crate::sessions::{self, Session, SignIn, SignInLink};
use crate::{
    Delivery, Entry, History, Mark, NewMessage, OutboxChange, OutboxEntry, Recorded, Snapshot,
    Store, StoreError, StoredEvent,
};

/// How long a writer waits for another before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// The file has the `held_at` column (migration 6): false only for a
    /// file of an older Jalon read without migrating it.
    holds: bool,
    /// Whether any migration was applied: a file being created by another
    /// process has none yet, and holds nothing.
    migrated: bool,
}

/// The schema version from which messages can be held.
const HOLDS_FROM: i64 = 6;

impl SqliteStore {
    /// Opens (creating if needed) and migrates a database file.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with(path, flags, true)
    }

    /// Opens an existing database without writing to it (for status, log,
    /// export: they work on a read-only copy too).
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match Self::open_with(path, flags, false) {
            // A write-ahead log needs its shared-memory file, which a reader
            // without write access (a read-only mount, another user's file)
            // cannot make: read the file as it stands instead.
            Err(StoreError::ReadOnly { .. }) => Self::open_immutable(path),
            other => other,
        }
    }

    /// The file read as immutable: what was checkpointed into it, nothing
    /// locked, nothing written beside it.
    fn open_immutable(path: &Path) -> Result<Self, StoreError> {
        let escaped: String = path
            .to_string_lossy()
            .chars()
            .map(|c| match c {
                '%' => "%25".to_owned(),
                '?' => "%3f".to_owned(),
                '#' => "%23".to_owned(),
                c => c.to_string(),
            })
            .collect();
        let uri = format!("file:{escaped}?immutable=1");
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(uri, flags).map_err(|e| error(path, e))?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            holds: true,
            migrated: true,
        };
        store.check_identity()?;
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| store.err(e))?;
        store.holds = version >= HOLDS_FROM;
        store.migrated = version > 0;
        Ok(store)
    }

    fn open_with(path: &Path, flags: OpenFlags, write: bool) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(path, flags).map_err(|e| error(path, e))?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            holds: true,
            migrated: true,
        };
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| store.err(e))?;
        store.check_identity()?;
        if write {
            store.configure()?;
            store.migrate()?;
        }
        // A file not yet migrated, read as it is, has nothing held.
        let version: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| store.err(e))?;
        store.holds = version >= HOLDS_FROM;
        store.migrated = version > 0;
        Ok(store)
    }

    /// Whether the file has its schema (not one another process is still
    /// creating).
    pub fn is_migrated(&self) -> bool {
        self.migrated
    }

    /// `AND …` that keeps only messages not held (all, before migration 6).
    fn not_held(&self) -> &'static str {
        if self.holds {
            "AND held_at IS NULL"
        } else {
            ""
        }
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        error(&self.path, e)
    }

    fn path_text(&self) -> String {
        self.path.display().to_string()
    }

    /// Ours, empty (new), or refused: another application's database, or a
    /// newer schema than this build knows.
    fn check_identity(&self) -> Result<(), StoreError> {
        // One statement, one snapshot: read apart, another process's
        // migration could commit in between (tables, and no identity yet).
        let (app, tables, version): (i64, i64, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT application_id FROM pragma_application_id()), \
                        (SELECT count(*) FROM sqlite_master), \
                        (SELECT user_version FROM pragma_user_version())",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.err(e))?;
        if app != APPLICATION_ID && !(app == 0 && tables == 0) {
            return Err(StoreError::Foreign {
                path: self.path_text(),
            });
        }
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::Newer {
                path: self.path_text(),
                found: version,
                known,
            });
        }
        Ok(())
    }

    fn configure(&self) -> Result<(), StoreError> {
        // Turning a new file to WAL takes a lock SQLite does not wait for
        // (no busy handler): another process opening the new file at the
        // same moment makes it fail at once. It is tried again, for as
        // long as a busy statement would wait.
        let start = std::time::Instant::now();
        loop {
            let configured = self.conn.execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;",
            );
            match configured {
                Ok(()) => return Ok(()),
                Err(e)
                    if matches!(
                        e.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) && start.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(self.err(e)),
            }
        }
    }

    /// Applies the migrations this file lacks, all in one transaction: a
    /// reader sees the file before or after, never half-way. The version is
    /// read again once the write lock is held: another process (the daemon
    /// and a command started together) may have migrated the file while
    /// this one waited for it.
    fn migrate(&self) -> Result<(), StoreError> {
        let version = |conn: &Connection| -> rusqlite::Result<i64> {
            conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        };
        let current = version(&self.conn).map_err(|e| self.err(e))?;
        if current.max(0) as usize >= MIGRATIONS.len() {
            return Ok(());
        }
        let migrated = self.conn.execute_batch("BEGIN IMMEDIATE").and_then(|()| {
            let current = version(&self.conn)?;
            let missing: Vec<&str> = MIGRATIONS
                .iter()
                .skip(current.max(0) as usize)
                .copied()
                .collect();
            if !missing.is_empty() {
                self.conn.execute_batch(&format!(
                    "{}; PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
                    missing.join(";\n"),
                    MIGRATIONS.len()
                ))?;
            }
            self.conn.execute_batch("COMMIT")
        });
        if let Err(e) = migrated {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(self.err(e));
        }
        Ok(())
    }

    fn read_history(conn: &Connection, edition: &str, path: &Path) -> Result<History, StoreError> {
        let mut events = Vec::new();
        Self::each_event(conn, edition, 0, path, |stored| {
            events.push(stored);
            Ok(())
        })?;
        Ok(History {
            events,
            outbox_keys: Self::read_outbox_keys(conn, edition, path)?,
            snapshot: None,
        })
    }

    fn read_outbox_keys(
        conn: &Connection,
        edition: &str,
        path: &Path,
    ) -> Result<Vec<String>, StoreError> {
        let mut statement = conn
            .prepare_cached("SELECT key FROM outbox WHERE edition = ?1")
            .map_err(|e| error(path, e))?;
        let keys = statement
            .query_map([edition], |r| r.get::<_, String>(0))
            .map_err(|e| error(path, e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| error(path, e));
        keys
    }
}

/// How a write inside [`SqliteStore::record_within`] ended.
enum Written<E, X> {
    Recorded(Recorded),
    /// `decide` refused.
    Refused(E),
    /// `within` asked to roll back, with why.
    Aborted(X),
}

impl SqliteStore {
    /// The optimistic write behind [`Store::record`]: decide on the history
    /// read outside the write lock, then write only if nobody appended
    /// meanwhile, else decide again. `within` runs in the transaction after
    /// the event is written; `Some` rolls everything back.
    fn record_within<E, X>(
        &mut self,
        edition: &str,
        mut decide: impl FnMut(&History) -> Result<Entry, E>,
        mut within: impl FnMut(&rusqlite::Transaction<'_>, &Recorded) -> Result<Option<X>, StoreError>,
    ) -> Result<Written<E, X>, StoreError> {
        let path = self.path.clone();
        loop {
            let history = Self::read_history(&self.conn, edition, &path)?;
            let seen = history.events.last().map(|e| e.seq);
            let entry = match decide(&history) {
                Ok(entry) => entry,
                Err(e) => return Ok(Written::Refused(e)),
            };
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| error(&path, e))?;
            let last: Option<i64> = tx
                .query_row(
                    "SELECT max(seq) FROM events WHERE edition = ?1",
                    [edition],
                    |r| r.get(0),
                )
                .map_err(|e| error(&path, e))?;
            if last != seen {
                // Dropping the transaction rolls it back.
                continue;
            }
            let recorded = write_entries(&tx, edition, std::slice::from_ref(&entry))
                .map_err(|e| error(&path, e))?
                .remove(0);
            if let Some(stop) = within(&tx, &recorded)? {
                return Ok(Written::Aborted(stop));
            }
            tx.commit().map_err(|e| error(&path, e))?;
            return Ok(Written::Recorded(recorded));
        }
    }
}

/// Each entry: its event row, then its outbox rows.
fn write_entries(
    tx: &rusqlite::Transaction<'_>,
    edition: &str,
    entries: &[Entry],
) -> rusqlite::Result<Vec<Recorded>> {
    let now = Timestamp::now().to_string();
    let mut statement = tx.prepare_cached(
        "INSERT INTO events (edition, at, actor, channel, verb, body, version, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let body = serde_json::to_string(&entry.event)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        statement.execute(params![
            edition,
            entry.event.at.to_string(),
            entry.event.by,
            channel_word(entry.event.channel),
            entry.event.kind.verb(),
            body,
            entry.version,
            now,
        ])?;
        let seq = tx.last_insert_rowid();
        crate::documents::insert(tx, edition, &entry.documents, &now)?;
        let withdrawn = withdraw(tx, &entry.withdraw)?;
        let changed = match &entry.change {
            Some(change) => change_outbox(tx, edition, change, seq, &entry.event.at)?,
            None => 0,
        };
        let enqueued = insert_actions(tx, edition, &entry.due, Some(seq), &now, None)?;
        out.push(Recorded {
            seq,
            enqueued,
            withdrawn,
            changed,
        });
    }
    Ok(out)
}

pub(crate) fn channel_word(channel: jalon_core::Channel) -> &'static str {
    match channel {
        jalon_core::Channel::Cli => "cli",
        jalon_core::Channel::Link => "link",
        jalon_core::Channel::Api => "api",
        jalon_core::Channel::Script => "script",
        jalon_core::Channel::Import => "import",
        jalon_core::Channel::Web => "web",
    }
}

/// Removes queued messages not sent yet, with their attempts: the key is
/// free again for an act that makes it due anew.
fn withdraw(tx: &rusqlite::Transaction<'_>, keys: &[String]) -> rusqlite::Result<usize> {
    let mut attempts = tx.prepare_cached(
        "DELETE FROM attempts WHERE key = ?1
         AND EXISTS (SELECT 1 FROM outbox WHERE key = ?1 AND status = 'pending')",
    )?;
    let mut rows = tx.prepare_cached("DELETE FROM outbox WHERE key = ?1 AND status = 'pending'")?;
    let mut withdrawn = 0;
    for key in keys {
        attempts.execute([key])?;
        withdrawn += rows.execute([key])?;
    }
    Ok(withdrawn)
}

/// Lets an edition's held messages go, or records them expired, or puts
/// failed messages back; each concerned message's attempts name the event,
/// for the audit trail.
fn change_outbox(
    tx: &rusqlite::Transaction<'_>,
    edition: &str,
    change: &OutboxChange,
    seq: i64,
    at: &Timestamp,
) -> rusqlite::Result<usize> {
    const HELD: &str = "edition = ?1 AND status = 'pending' AND held_at IS NOT NULL";
    match change {
        OutboxChange::ReleaseHeld => tx.execute(
            &format!("UPDATE outbox SET held_at = NULL WHERE {HELD}"),
            [edition],
        ),
        OutboxChange::Resend { key } => {
            const FAILED: &str = "edition = ?1 AND status = 'failed' AND (?2 IS NULL OR key = ?2)";
            tx.execute(
                &format!(
                    "INSERT INTO attempts (key, at, outcome, detail)
                     SELECT key, ?3, 'pending', ?4 FROM outbox WHERE {FAILED}"
                ),
                params![
                    edition,
                    key,
                    at.to_string(),
                    format!("put back by event {seq}")
                ],
            )?;
            tx.execute(
                &format!("UPDATE outbox SET status = 'pending', retry_at = NULL WHERE {FAILED}"),
                params![edition, key],
            )
        }
        OutboxChange::DropHeld => {
            tx.execute(
                &format!(
                    "INSERT INTO attempts (key, at, outcome, detail)
                     SELECT key, ?2, 'expired', ?3 FROM outbox WHERE {HELD}"
                ),
                params![
                    edition,
                    at.to_string(),
                    format!("held, then dropped by event {seq}")
                ],
            )?;
            tx.execute(
                &format!("UPDATE outbox SET status = 'expired', held_at = NULL WHERE {HELD}"),
                [edition],
            )
        }
    }
}

fn insert_actions(
    tx: &rusqlite::Transaction<'_>,
    edition: &str,
    due: &[Action],
    by: Option<i64>,
    now: &str,
    held_at: Option<&str>,
) -> rusqlite::Result<usize> {
    let mut statement = tx.prepare_cached(
        "INSERT OR IGNORE INTO outbox (key, edition, kind, due_at, expires_at, recipient, action, enqueued_by, enqueued_at, held_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut added = 0;
    for action in due {
        let kind = serde_json::to_value(action.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let recipient = jalon_core::ActionKey::addressee_text(&action.key).unwrap_or_default();
        let body = serde_json::to_string(action).unwrap_or_default();
        added += statement.execute(params![
            &*action.key,
            edition,
            kind,
            action.due_at.to_string(),
            action.expires_at.map(|t| t.to_string()),
            recipient,
            body,
            by,
            now,
            held_at,
        ])?;
    }
    Ok(added)
}

impl Store for SqliteStore {
    fn history(&self, edition: &str) -> Result<History, StoreError> {
        Self::read_history(&self.conn, edition, &self.path)
    }

    fn record<E>(
        &mut self,
        edition: &str,
        decide: impl FnMut(&History) -> Result<Entry, E>,
    ) -> Result<Result<Recorded, E>, StoreError> {
        let written =
            self.record_within(edition, decide, |_, _| Ok(None::<std::convert::Infallible>))?;
        Ok(match written {
            Written::Recorded(recorded) => Ok(recorded),
            Written::Refused(e) => Err(e),
            Written::Aborted(never) => match never {},
        })
    }

    fn append(&mut self, edition: &str, entries: &[Entry]) -> Result<Vec<Recorded>, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let recorded = write_entries(&tx, edition, entries).map_err(|e| error(&path, e))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(recorded)
    }

    fn append_if_last(
        &mut self,
        edition: &str,
        seen: Option<i64>,
        entries: &[Entry],
        marks: &[Mark],
    ) -> Result<Option<Vec<Recorded>>, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let last: Option<i64> = tx
            .query_row(
                "SELECT max(seq) FROM events WHERE edition = ?1",
                [edition],
                |r| r.get(0),
            )
            .map_err(|e| error(&path, e))?;
        if last != seen {
            return Ok(None);
        }
        let recorded = write_entries(&tx, edition, entries)
            .and_then(|recorded| {
                for mark in marks {
                    write_mark(&tx, mark)?;
                }
                Ok(recorded)
            })
            .map_err(|e| error(&path, e))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(Some(recorded))
    }

    fn enqueue(&mut self, edition: &str, due: &[Action]) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let added = insert_actions(&tx, edition, due, None, &Timestamp::now().to_string(), None)
            .map_err(|e| error(&path, e))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(added)
    }

    fn queue(&mut self, edition: &str, messages: &[NewMessage]) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let added = insert_messages(&tx, edition, messages, &Timestamp::now().to_string(), None)
            .map_err(|e| error(&path, e))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(added)
    }

    fn hold(
        &mut self,
        edition: &str,
        due: &[Action],
        messages: &[NewMessage],
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let (now, held_at) = (Timestamp::now().to_string(), at.to_string());
        let added = insert_actions(&tx, edition, due, None, &now, Some(&held_at))
            .and_then(|a| Ok(a + insert_messages(&tx, edition, messages, &now, Some(&held_at))?))
            .map_err(|e| error(&path, e))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(added)
    }

    fn held(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        if !self.holds {
            return Ok(Vec::new());
        }
        self.outbox_where(edition, "AND status = 'pending' AND held_at IS NOT NULL")
    }

    fn outbox(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox_where(edition, "")
    }

    fn outbox_alerts(&self, edition: &str) -> Result<(usize, usize), StoreError> {
        let held = if self.holds {
            "status = 'pending' AND held_at IS NOT NULL"
        } else {
            "0"
        };
        let sql = format!(
            "SELECT coalesce(sum({held}), 0), coalesce(sum(status = 'failed'), 0)
             FROM outbox WHERE edition = ?1"
        );
        let (held, failed): (i64, i64) = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([edition], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(|e| error(&self.path, e))?;
        Ok((held.max(0) as usize, failed.max(0) as usize))
    }

    fn attempts(&self, key: &str) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
        self.attempts_of(key)
    }

    fn last_seq(&self) -> Result<i64, StoreError> {
        self.highest_seq()
    }

    fn archive(
        &mut self,
        edition: &str,
        version: &str,
        sources: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let added = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO definitions (edition, version, sources, archived_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![edition, version, sources, at.to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(added > 0)
    }

    fn archived_at(&self, edition: &str, version: &str) -> Result<Option<Timestamp>, StoreError> {
        let at: Option<String> = self
            .conn
            .query_row(
                "SELECT archived_at FROM definitions WHERE edition = ?1 AND version = ?2",
                [edition, version],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        at.map(|text| {
            text.parse::<Timestamp>().map_err(|e| StoreError::Corrupt {
                seq: 0,
                detail: format!("the archive of `{edition}` has a bad instant: {e}"),
            })
        })
        .transpose()
    }

    fn archived(&self, edition: &str) -> Result<Option<String>, StoreError> {
        // A file not yet migrated (opened read-only) has no archive.
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version < 5 {
            return Ok(None);
        }
        self.conn
            .query_row(
                "SELECT d.sources FROM definitions d
                 LEFT JOIN (SELECT version, max(seq) AS seq FROM events WHERE edition = ?1
                            GROUP BY version) e ON e.version = d.version
                 WHERE d.edition = ?1
                 ORDER BY coalesce(e.seq, 0) DESC, d.archived_at DESC LIMIT 1",
                [edition],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn editions_pending(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT DISTINCT edition FROM outbox WHERE status = 'pending' {}",
                self.not_held()
            ))
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn pending(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox_where(
            edition,
            &format!("AND status = 'pending' {}", self.not_held()),
        )
    }

    /// What the default does (the first `limit` ready rows of `pending`, in
    /// due order), reading no further: each batch used to read and parse
    /// every pending row, so a burst cost its size squared over the batch.
    fn claim(
        &mut self,
        edition: &str,
        now: Timestamp,
        until: Timestamp,
        holder: &str,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let _ = (until, holder);
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT key, kind, due_at, expires_at, recipient, action, enqueued_by, status,
                        attempts, retry_at, 0
                 FROM outbox WHERE edition = ?1 AND status = 'pending' {}
                 ORDER BY due_at, key",
                self.not_held()
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = statement.query([edition]).map_err(|e| self.err(e))?;
        let mut ready = Vec::new();
        while ready.len() < limit {
            let Some(row) = rows.next().map_err(|e| self.err(e))? else {
                break;
            };
            // Its instants first: a row not ready is skipped unread.
            let due_at: &str = row
                .get_ref(2)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(|e| error(&self.path, e))?;
            let retry_at: Option<&str> = row
                .get_ref(9)
                .and_then(|v| Ok(v.as_str_or_null()?))
                .map_err(|e| error(&self.path, e))?;
            let key = || row.get::<_, String>(0).unwrap_or_default();
            let due_at = instant(due_at, &key)?;
            let retry_at = retry_at.map(|t| instant(t, &key)).transpose()?;
            if !crate::due_by(due_at, retry_at, now) {
                continue;
            }
            let raw = raw_entry(row).map_err(|e| error(&self.path, e))?;
            ready.push(raw.entry(edition)?);
        }
        Ok(ready)
    }

    fn snapshot(&self, edition: &str) -> Result<Option<Snapshot>, StoreError> {
        self.conn
            .query_row(
                "SELECT seq, version, body FROM snapshots WHERE edition = ?1",
                [edition],
                |r| {
                    Ok(Snapshot {
                        seq: r.get(0)?,
                        version: r.get(1)?,
                        bytes: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn keep_snapshot(&mut self, edition: &str, snapshot: &Snapshot) -> Result<(), StoreError> {
        // Written without a wait for the disk: a snapshot lost to a power
        // cut only makes the next load fold more events.
        self.conn
            .execute(
                "INSERT INTO snapshots (edition, seq, version, body, taken_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (edition) DO UPDATE SET
                   seq = excluded.seq, version = excluded.version,
                   body = excluded.body, taken_at = excluded.taken_at
                 WHERE excluded.seq >= snapshots.seq OR excluded.version <> snapshots.version",
                params![
                    edition,
                    snapshot.seq,
                    snapshot.version,
                    snapshot.bytes,
                    Timestamp::now().to_string()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn readers_of_several(&self) -> Result<Option<Vec<String>>, StoreError> {
        let kept: Option<String> = self
            .conn
            .query_row(
                "SELECT addresses FROM readers_of_several WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(kept.map(|text| crate::addresses_of(&text)))
    }

    fn keep_readers_of_several(&mut self, addresses: &[String]) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO readers_of_several (id, addresses, kept_at) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET
                   addresses = excluded.addresses, kept_at = excluded.kept_at",
                params![addresses.join("\n"), Timestamp::now().to_string()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn released_under(&self, edition: &str, version: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM events
                 WHERE edition = ?1 AND version = ?2 AND verb = 'release')",
                [edition, version],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    fn outbox_keys(&self, edition: &str) -> Result<Vec<String>, StoreError> {
        Self::read_outbox_keys(&self.conn, edition, &self.path)
    }

    fn events_since(&self, edition: &str, after: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let mut events = Vec::new();
        Self::each_event(&self.conn, edition, after, &self.path, |stored| {
            events.push(stored);
            Ok(())
        })?;
        Ok(events)
    }

    fn mark(&mut self, marks: &[Mark]) -> Result<(), StoreError> {
        let path = self.path.clone();
        // Delivery outcomes trade power-cut durability for speed: in WAL mode
        // with synchronous=NORMAL a commit survives the process being killed
        // and only a power cut can roll the last ones back, and an outcome
        // rolled back means a message goes out once more, never that it is
        // lost. Without this every message waits for an fsync. Events stay
        // FULL: an operator was told "recorded".
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| error(&path, e))?;
        let written = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            for mark in marks {
                write_mark(&tx, mark)?;
            }
            tx.commit()
        })();
        let restored = self.conn.pragma_update(None, "synchronous", "FULL");
        written.and(restored).map_err(|e| error(&path, e))
    }

    fn issue_links(&mut self, links: &[Link]) -> Result<usize, StoreError> {
        if links.is_empty() {
            return Ok(0);
        }
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let added = links::insert(&tx, links).map_err(|e| error(&path, e))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(added)
    }

    fn link(&self, token_hash: &str) -> Result<Option<StoredLink>, StoreError> {
        links::read(&self.conn, token_hash).map_err(|e| e.into_store(&self.path))
    }

    fn record_by_link<E>(
        &mut self,
        edition: &str,
        claim: &Claim,
        decide: impl FnMut(&History) -> Result<Entry, E>,
    ) -> Result<ByLink<E>, StoreError> {
        let path = self.path.clone();
        let written = self.record_within(edition, decide, |tx, recorded| {
            if links::claim(tx, claim, recorded.seq).map_err(|e| error(&path, e))? {
                return Ok(None);
            }
            // Used since the caller looked (or gone): say by whom and when.
            let stored = links::read(tx, &claim.token_hash).map_err(|e| e.into_store(&path))?;
            Ok(Some(stored))
        })?;
        Ok(match written {
            Written::Recorded(recorded) => ByLink::Recorded(recorded),
            Written::Refused(e) => ByLink::Refused(e),
            Written::Aborted(Some(stored)) => ByLink::Used(Box::new(stored)),
            Written::Aborted(None) => ByLink::Missing,
        })
    }

    fn document(&self, edition: &str, sha256: &str) -> Result<Option<Document>, StoreError> {
        crate::documents::find(&self.conn, edition, sha256).map_err(|e| error(&self.path, e))
    }

    fn documents_size(&self, edition: &str) -> Result<u64, StoreError> {
        crate::documents::total_size(&self.conn, edition).map_err(|e| error(&self.path, e))
    }

    fn issue_sign_in(&mut self, link: &SignInLink) -> Result<(), StoreError> {
        sessions::issue(&self.conn, link).map_err(|e| error(&self.path, e))
    }

    fn sign_in(&mut self, link_hash: &str, session: &Session) -> Result<SignIn, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let outcome =
            sessions::sign_in(&tx, link_hash, session).map_err(|e| e.into_store(&path))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(outcome)
    }

    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>, StoreError> {
        sessions::session(&self.conn, token_hash, now).map_err(|e| e.into_store(&self.path))
    }

    fn end_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool, StoreError> {
        sessions::end(&self.conn, token_hash, at).map_err(|e| error(&self.path, e))
    }

    fn end_sessions_of_unknown(
        &mut self,
        known: &std::collections::BTreeSet<String>,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| error(&path, e))?;
        let ended = sessions::end_unknown(&tx, known, at).map_err(|e| error(&path, e))?;
        tx.commit().map_err(|e| error(&path, e))?;
        Ok(ended)
    }
}

impl SqliteStore {
    /// The outbox rows of an edition matching `filter` (SQL after the
    /// edition's condition), in due order.
    fn outbox_where(&self, edition: &str, filter: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT key, kind, due_at, expires_at, recipient, action, enqueued_by, status,
                        attempts, retry_at, {}
                 FROM outbox WHERE edition = ?1 {filter} ORDER BY due_at, key",
                if self.holds {
                    "held_at IS NOT NULL"
                } else {
                    "0"
                }
            ))
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([edition], raw_entry)
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let raw = row.map_err(|e| self.err(e))?;
            out.push(raw.entry(edition)?);
        }
        Ok(out)
    }
}

/// An outbox row, selected as `outbox_where` does.
fn raw_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        key: r.get(0)?,
        kind: r.get(1)?,
        due_at: r.get(2)?,
        expires_at: r.get(3)?,
        recipient: r.get(4)?,
        action: r.get(5)?,
        enqueued_by: r.get(6)?,
        status: r.get(7)?,
        attempts: r.get(8)?,
        retry_at: r.get(9)?,
        held: r.get(10)?,
    })
}

/// An instant of the outbox row `key` names.
fn instant(text: &str, key: &dyn Fn() -> String) -> Result<Timestamp, StoreError> {
    text.parse::<Timestamp>().map_err(|e| StoreError::Corrupt {
        seq: 0,
        detail: format!("outbox row `{}`: {e}", key()),
    })
}

/// An outbox row as SQLite returns it, before its instants are parsed.
struct RawEntry {
    key: String,
    kind: String,
    due_at: String,
    expires_at: Option<String>,
    recipient: String,
    action: String,
    enqueued_by: Option<i64>,
    status: String,
    attempts: u32,
    retry_at: Option<String>,
    held: bool,
}

impl RawEntry {
    fn entry(self, edition: &str) -> Result<OutboxEntry, StoreError> {
        let key = self.key;
        let instant = |text: &str| {
            text.parse::<Timestamp>().map_err(|e| StoreError::Corrupt {
                seq: 0,
                detail: format!("outbox row `{key}`: {e}"),
            })
        };
        Ok(OutboxEntry {
            due_at: instant(&self.due_at)?,
            expires_at: self.expires_at.as_deref().map(instant).transpose()?,
            retry_at: self.retry_at.as_deref().map(instant).transpose()?,
            edition: edition.to_owned(),
            kind: self.kind,
            recipient: self.recipient,
            action: self.action,
            enqueued_by: self.enqueued_by,
            status: Delivery::parse(&self.status, self.held),
            attempts: self.attempts,
            key,
        })
    }
}

/// One attempt: its row in `attempts`, the message's new status, and the
/// messages it calls for.
fn insert_messages(
    tx: &rusqlite::Transaction<'_>,
    edition: &str,
    messages: &[NewMessage],
    now: &str,
    held_at: Option<&str>,
) -> rusqlite::Result<usize> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO outbox (key, edition, kind, due_at, expires_at, recipient, action, enqueued_at, held_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut added = 0;
    for message in messages {
        added += insert.execute(params![
            message.key,
            edition,
            message.kind,
            message.due_at.to_string(),
            message.expires_at.map(|t| t.to_string()),
            message.recipient,
            message.body,
            now,
            held_at,
        ])?;
    }
    Ok(added)
}

fn write_mark(tx: &rusqlite::Transaction<'_>, mark: &Mark) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO attempts (key, at, outcome, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            mark.key,
            mark.at.to_string(),
            mark.outcome.as_str(),
            mark.detail
        ])?;
    // A temporary failure leaves the message pending, to be tried again.
    let status = match mark.outcome {
        Delivery::Retry => Delivery::Pending,
        other => other,
    };
    tx.prepare_cached(
        "UPDATE outbox SET status = ?2, attempts = attempts + 1, retry_at = ?3 WHERE key = ?1",
    )?
    .execute(params![
        mark.key,
        status.as_str(),
        mark.retry_at.map(|t| t.to_string())
    ])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO outbox (key, edition, kind, due_at, expires_at, recipient, action, enqueued_at)
         SELECT ?2, edition, ?3, ?4, ?8, ?5, ?6, ?7 FROM outbox WHERE key = ?1",
    )?;
    for message in &mark.then_queue {
        insert.execute(params![
            mark.key,
            message.key,
            message.kind,
            message.due_at.to_string(),
            message.recipient,
            message.body,
            mark.at.to_string(),
            message.expires_at.map(|t| t.to_string()),
        ])?;
    }
    Ok(())
}

impl SqliteStore {
    /// Delivery attempts of a message: (instant, outcome, detail), oldest first.
    pub(crate) fn attempts_of(
        &self,
        key: &str,
    ) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT at, outcome, detail FROM attempts WHERE key = ?1 ORDER BY rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The highest event number of the log, 0 when it is empty.
    pub(crate) fn highest_seq(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Streams an edition's events in order, without holding them all: a
    /// daemon rebuilding a long edition needs only the state.
    pub fn for_each_event(
        &self,
        edition: &str,
        f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        Self::each_event(&self.conn, edition, 0, &self.path, f)
    }

    /// Streams the events of an edition recorded after `after` (a seq; 0
    /// for all), in order.
    fn each_event(
        conn: &Connection,
        edition: &str,
        after: i64,
        path: &Path,
        mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut statement = conn
            .prepare_cached(
                "SELECT seq, body, version, recorded_at FROM events
                 WHERE edition = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(|e| error(path, e))?;
        let mut rows = statement
            .query(params![edition, after])
            .map_err(|e| error(path, e))?;
        while let Some(row) = rows.next().map_err(|e| error(path, e))? {
            let seq: i64 = row.get(0).map_err(|e| error(path, e))?;
            let corrupt = |detail: String| StoreError::Corrupt { seq, detail };
            // Decoded from the row's bytes, without copying them first.
            let body = row
                .get_ref(1)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(|e| error(path, e))?;
            let event: Event = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
            let version: String = row.get(2).map_err(|e| error(path, e))?;
            let recorded_at = row
                .get_ref(3)
                .and_then(|v| v.as_str().map_err(Into::into))
                .map_err(|e| error(path, e))?
                .parse()
                .map_err(|e: jiff::Error| corrupt(e.to_string()))?;
            f(StoredEvent {
                seq,
                edition: edition.to_owned(),
                event,
                version,
                recorded_at,
            })?;
        }
        Ok(())
    }

    /// The ids of the editions with recorded events.
    pub fn editions(&self) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT DISTINCT edition FROM events ORDER BY edition")
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    pub fn integrity(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
            .map(Option::unwrap_or_default)
    }
}

/// SQLite's errors in the words of the person who gave the path.
pub(crate) fn error(path: &Path, e: rusqlite::Error) -> StoreError {
    let path_text = path.display().to_string();
    let detail = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path_text,
            detail,
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Locked { path: path_text }
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            StoreError::ReadOnly {
                path: path_text,
                detail,
            }
        }
        Some(ErrorCode::DatabaseCorrupt) => StoreError::NotADatabase {
            path: path_text,
            detail,
        },
        _ => StoreError::Sqlite {
            path: path_text,
            detail,
        },
    }
}
