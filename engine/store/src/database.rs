//! The database a `db` setting names: a path is a SQLite file (the
//! embedded default), a `postgres://` URL a PostgreSQL database that
//! several replicas may share. Commands and the daemon hold a [`Database`]
//! and never ask which.

use std::collections::BTreeSet;
use std::path::Path;

use jalon_core::Action;
use jiff::Timestamp;

use crate::documents::Document;
use crate::links::{ByLink, Claim, Link, StoredLink};
use crate::pg::{Heard, Listening};
use crate::sessions::{Session, SignIn, SignInLink};
use crate::{
    is_postgres_url, Backend, DaemonHold, Entry, History, Mark, NewMessage, OutboxEntry,
    PostgresBackend, PostgresStore, Recorded, Snapshot, SqliteBackend, SqliteStore, Store,
    StoreError, StoredEvent,
};

#[derive(Clone, Debug)]
pub enum Database {
    Sqlite(SqliteBackend),
    Postgres(PostgresBackend),
}

impl Database {
    /// The database of a `db` setting; `replica` names this process among
    /// those sharing a PostgreSQL database.
    pub fn from_setting(setting: &Path, replica: &str) -> Result<Database, StoreError> {
        match setting.to_str().filter(|s| is_postgres_url(s)) {
            Some(url) => PostgresBackend::new(url, replica).map(Database::Postgres),
            None => Ok(Database::Sqlite(SqliteBackend::new(setting))),
        }
    }

    /// The name a process goes by among replicas when none is given: the
    /// machine's name and the process id.
    pub fn default_replica() -> String {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "jalon".to_owned());
        format!("{host}:{}", std::process::id())
    }
}

impl Backend for Database {
    type Store = DatabaseStore;

    fn open(&self) -> Result<DatabaseStore, StoreError> {
        Ok(match self {
            Database::Sqlite(b) => DatabaseStore::Sqlite(b.open()?),
            Database::Postgres(b) => DatabaseStore::Postgres(Box::new(b.open()?)),
        })
    }

    fn open_read_only(&self) -> Result<Option<DatabaseStore>, StoreError> {
        Ok(match self {
            Database::Sqlite(b) => b.open_read_only()?.map(DatabaseStore::Sqlite),
            Database::Postgres(b) => b
                .open_read_only()?
                .map(|s| DatabaseStore::Postgres(Box::new(s))),
        })
    }

    fn describe(&self) -> String {
        match self {
            Database::Sqlite(b) => b.describe(),
            Database::Postgres(b) => Backend::describe(b),
        }
    }

    fn file(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(b) => b.file(),
            Database::Postgres(_) => None,
        }
    }

    fn hold_for_daemon(&self) -> Result<DaemonHold, StoreError> {
        match self {
            Database::Sqlite(b) => b.hold_for_daemon(),
            Database::Postgres(b) => b.hold_for_daemon(),
        }
    }

    fn listen(&self, ring: Box<dyn Fn(Heard) + Send>) -> Option<Result<Listening, StoreError>> {
        match self {
            Database::Sqlite(_) => None,
            Database::Postgres(b) => Backend::listen(b, ring),
        }
    }
}

impl Backend for PostgresBackend {
    type Store = PostgresStore;

    fn open(&self) -> Result<PostgresStore, StoreError> {
        self.store()
    }

    fn open_read_only(&self) -> Result<Option<PostgresStore>, StoreError> {
        self.reader()
    }

    fn describe(&self) -> String {
        PostgresBackend::describe(self).to_owned()
    }

    fn file(&self) -> Option<&Path> {
        None
    }

    /// Nothing: replicas share the database, each message under a lease.
    fn hold_for_daemon(&self) -> Result<DaemonHold, StoreError> {
        Ok(DaemonHold::none())
    }

    fn listen(&self, ring: Box<dyn Fn(Heard) + Send>) -> Option<Result<Listening, StoreError>> {
        Some(PostgresBackend::listen(self, ring))
    }
}

/// A store of either database.
pub enum DatabaseStore {
    Sqlite(SqliteStore),
    /// Boxed: a pooled connection is much larger than a SQLite handle.
    Postgres(Box<PostgresStore>),
}

/// The same call on whichever store it is.
macro_rules! either {
    ($self:expr, $s:ident => $call:expr) => {
        match $self {
            DatabaseStore::Sqlite($s) => $call,
            DatabaseStore::Postgres($s) => $call,
        }
    };
}

impl Store for DatabaseStore {
    fn history(&self, edition: &str) -> Result<History, StoreError> {
        either!(self, s => s.history(edition))
    }

    fn snapshot(&self, edition: &str) -> Result<Option<Snapshot>, StoreError> {
        either!(self, s => s.snapshot(edition))
    }

    fn keep_snapshot(&mut self, edition: &str, snapshot: &Snapshot) -> Result<(), StoreError> {
        either!(self, s => s.keep_snapshot(edition, snapshot))
    }

    fn readers_of_several(&self) -> Result<Option<Vec<String>>, StoreError> {
        either!(self, s => s.readers_of_several())
    }

    fn keep_readers_of_several(&mut self, addresses: &[String]) -> Result<(), StoreError> {
        either!(self, s => s.keep_readers_of_several(addresses))
    }

    fn released_under(&self, edition: &str, version: &str) -> Result<bool, StoreError> {
        either!(self, s => s.released_under(edition, version))
    }

    fn outbox_keys(&self, edition: &str) -> Result<Vec<String>, StoreError> {
        either!(self, s => s.outbox_keys(edition))
    }

    fn record<E>(
        &mut self,
        edition: &str,
        decide: impl FnMut(&History) -> Result<Entry, E>,
    ) -> Result<Result<Recorded, E>, StoreError> {
        either!(self, s => s.record(edition, decide))
    }

    fn append(&mut self, edition: &str, entries: &[Entry]) -> Result<Vec<Recorded>, StoreError> {
        either!(self, s => s.append(edition, entries))
    }

    fn append_if_last(
        &mut self,
        edition: &str,
        seen: Option<i64>,
        entries: &[Entry],
        marks: &[Mark],
    ) -> Result<Option<Vec<Recorded>>, StoreError> {
        either!(self, s => s.append_if_last(edition, seen, entries, marks))
    }

    fn enqueue(&mut self, edition: &str, due: &[Action]) -> Result<usize, StoreError> {
        either!(self, s => s.enqueue(edition, due))
    }

    fn queue(&mut self, edition: &str, messages: &[NewMessage]) -> Result<usize, StoreError> {
        either!(self, s => s.queue(edition, messages))
    }

    fn hold(
        &mut self,
        edition: &str,
        due: &[Action],
        messages: &[NewMessage],
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        either!(self, s => s.hold(edition, due, messages, at))
    }

    fn held(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        either!(self, s => s.held(edition))
    }

    fn editions_pending(&self) -> Result<Vec<String>, StoreError> {
        either!(self, s => s.editions_pending())
    }

    fn pending(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        either!(self, s => s.pending(edition))
    }

    fn claim(
        &mut self,
        edition: &str,
        now: Timestamp,
        until: Timestamp,
        holder: &str,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        either!(self, s => s.claim(edition, now, until, holder, limit))
    }

    fn release(&mut self, keys: &[String], holder: &str) -> Result<(), StoreError> {
        either!(self, s => s.release(keys, holder))
    }

    fn events_since(&self, edition: &str, after: i64) -> Result<Vec<StoredEvent>, StoreError> {
        either!(self, s => s.events_since(edition, after))
    }

    fn outbox(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        either!(self, s => s.outbox(edition))
    }

    fn outbox_alerts(&self, edition: &str) -> Result<(usize, usize), StoreError> {
        either!(self, s => s.outbox_alerts(edition))
    }

    fn attempts(&self, key: &str) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
        either!(self, s => s.attempts(key))
    }

    fn last_seq(&self) -> Result<i64, StoreError> {
        either!(self, s => s.last_seq())
    }

    fn archive(
        &mut self,
        edition: &str,
        version: &str,
        sources: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        either!(self, s => s.archive(edition, version, sources, at))
    }

    fn archived_at(&self, edition: &str, version: &str) -> Result<Option<Timestamp>, StoreError> {
        either!(self, s => s.archived_at(edition, version))
    }

    fn archived(&self, edition: &str) -> Result<Option<String>, StoreError> {
        either!(self, s => s.archived(edition))
    }

    fn mark(&mut self, marks: &[Mark]) -> Result<(), StoreError> {
        either!(self, s => s.mark(marks))
    }

    fn issue_links(&mut self, links: &[Link]) -> Result<usize, StoreError> {
        either!(self, s => s.issue_links(links))
    }

    fn link(&self, token_hash: &str) -> Result<Option<StoredLink>, StoreError> {
        either!(self, s => s.link(token_hash))
    }

    fn record_by_link<E>(
        &mut self,
        edition: &str,
        claim: &Claim,
        decide: impl FnMut(&History) -> Result<Entry, E>,
    ) -> Result<ByLink<E>, StoreError> {
        either!(self, s => s.record_by_link(edition, claim, decide))
    }

    fn document(&self, edition: &str, sha256: &str) -> Result<Option<Document>, StoreError> {
        either!(self, s => s.document(edition, sha256))
    }

    fn documents_size(&self, edition: &str) -> Result<u64, StoreError> {
        either!(self, s => s.documents_size(edition))
    }

    fn issue_sign_in(&mut self, link: &SignInLink) -> Result<(), StoreError> {
        either!(self, s => s.issue_sign_in(link))
    }

    fn sign_in(&mut self, link_hash: &str, session: &Session) -> Result<SignIn, StoreError> {
        either!(self, s => s.sign_in(link_hash, session))
    }

    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>, StoreError> {
        either!(self, s => s.session(token_hash, now))
    }

    fn end_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool, StoreError> {
        either!(self, s => s.end_session(token_hash, at))
    }

    fn end_sessions_of_unknown(
        &mut self,
        known: &BTreeSet<String>,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        either!(self, s => s.end_sessions_of_unknown(known, at))
    }
}
