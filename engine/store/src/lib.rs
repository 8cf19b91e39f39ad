//! Durable progress: the append-only event log (the audit trail) and the
//! outbox of messages due, each unique by its idempotency key. An event and
//! the actions it makes due are written in one transaction, so a crash never
//! leaves one without the other.
//!
//! [`Store`] is the boundary the runtime and the daemon use, and
//! [`Backend`] is how a long-lived process opens stores of one database;
//! SQLite is the embedded implementation, PostgreSQL the one several
//! replicas share, and [`Database`] picks one from the `db` setting.

mod backend;
mod copy;
mod database;
mod documents;
mod links;
mod pg;
mod schema;
mod sessions;
mod sqlite;

use jalon_core::{Action, Event};
use jiff::Timestamp;

pub use backend::{Backend, DaemonHold, SqliteBackend};
pub use copy::{copy, Copied, CopyError};
pub use database::{Database, DatabaseStore};
pub use documents::{Document, NewDocument};
pub use links::{ByLink, Claim, Link, LinkUse, StoredLink};
pub use pg::{is_postgres_url, without_password, Heard, Listening, PostgresBackend, PostgresStore};
pub use sessions::{Session, SignIn, SignInLink};
pub use sqlite::SqliteStore;

/// One event as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredEvent {
    /// Position in the log, from 1, across editions.
    pub seq: i64,
    pub edition: String,
    pub event: Event,
    /// The definition version it was made under.
    pub version: String,
    pub recorded_at: Timestamp,
}

/// Where an outbox message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Pending,
    /// A temporary failure: the message stays pending for another attempt.
    Retry,
    Sent,
    Failed,
    Expired,
    /// Not to go before someone releases it: it was already late when the
    /// definition that makes it due came in.
    Held,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Pending => "pending",
            Delivery::Retry => "retry",
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
            Delivery::Expired => "expired",
            Delivery::Held => "held",
        }
    }

    fn parse(text: &str, held: bool) -> Delivery {
        match text {
            "pending" if held => Delivery::Held,
            "sent" => Delivery::Sent,
            "failed" => Delivery::Failed,
            "expired" => Delivery::Expired,
            _ => Delivery::Pending,
        }
    }
}

/// One message of the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    pub key: String,
    pub edition: String,
    pub kind: String,
    pub due_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// `person:ID` or `contact:PARTICIPANT`, as in the key.
    pub recipient: String,
    /// The action, as JSON, for the dispatcher.
    pub action: String,
    /// The event whose recording enqueued it.
    pub enqueued_by: Option<i64>,
    pub status: Delivery,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// After a temporary failure: not to be tried again before this; while
    /// a replica delivers it, the end of that replica's lease.
    pub retry_at: Option<Timestamp>,
}

impl OutboxEntry {
    /// Pending, due, and not waiting for a retry at `now`.
    pub fn ready(&self, now: Timestamp) -> bool {
        self.status == Delivery::Pending && due_by(self.due_at, self.retry_at, now)
    }
}

/// Due, and not waiting for a retry, at `now`: what a pending row needs to
/// be sent (a claim asks it before reading the rest of the row).
pub(crate) fn due_by(due_at: Timestamp, retry_at: Option<Timestamp>, now: Timestamp) -> bool {
    due_at <= now && retry_at.is_none_or(|t| t <= now)
}

/// The outcome of one delivery attempt, to be recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub key: String,
    pub outcome: Delivery,
    /// The server's answer or the reason, for the log.
    pub detail: Option<String>,
    /// When the attempt ended.
    pub at: Timestamp,
    /// For [`Delivery::Retry`]: the earliest next attempt.
    pub retry_at: Option<Timestamp>,
    /// Messages this outcome calls for (a coordinator told of a failure),
    /// queued in the same transaction.
    pub then_queue: Vec<NewMessage>,
}

/// A message that is not an engine action (a notice to the coordinator).
#[derive(Clone, Debug, PartialEq)]
pub struct NewMessage {
    pub key: String,
    pub kind: String,
    pub due_at: Timestamp,
    /// After this instant the message is recorded `expired` instead of sent.
    pub expires_at: Option<Timestamp>,
    pub recipient: String,
    /// JSON the dispatcher reads back for this kind.
    pub body: String,
}

/// What is recorded of an edition: the events in order and every key that
/// ever entered the outbox. From [`recent`], the events are only
/// those after `snapshot`; from [`Store::history`], all of them.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub events: Vec<StoredEvent>,
    pub outbox_keys: Vec<String>,
    /// The state the events before `events` folded into, when read so.
    pub snapshot: Option<Snapshot>,
}

impl History {
    /// The edition's last event read: the last of `events`, else the one
    /// the snapshot folded (0 when nothing is recorded).
    pub fn last_seq(&self) -> i64 {
        self.events
            .last()
            .map(|e| e.seq)
            .or(self.snapshot.as_ref().map(|s| s.seq))
            .unwrap_or(0)
    }
}

/// What loading a state needs: the snapshot, the events after it (all of
/// them when there is none), and every outbox key, read in that order so
/// the keys are never older than the events. `restore` turns the snapshot
/// into what the caller needs on another thread while the rest is read:
/// a large edition's snapshot takes as long to restore as its events take
/// to read.
pub fn recent<S: Store + ?Sized, T: Send>(
    store: &S,
    edition: &str,
    restore: impl FnOnce(&Snapshot) -> T + Send,
) -> Result<(History, Option<T>), StoreError> {
    let snapshot = store.snapshot(edition)?;
    let after = snapshot.as_ref().map_or(0, |s| s.seq);
    let (rest, restored) = std::thread::scope(|scope| {
        let restoring = snapshot.as_ref().map(|s| scope.spawn(move || restore(s)));
        let rest = store
            .events_since(edition, after)
            .and_then(|events| Ok((events, store.outbox_keys(edition)?)));
        let restored = restoring.map(|thread| {
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (rest, restored)
    });
    let (events, outbox_keys) = rest?;
    Ok((
        History {
            events,
            outbox_keys,
            snapshot,
        },
        restored,
    ))
}

/// An edition's state as of one event, kept so that loading folds only the
/// events after it. The bytes are the core's (`State::snapshot`): the store
/// keeps them and never reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// The edition's last event it folded (voided ones included).
    pub seq: i64,
    /// The definition version it was folded under.
    pub version: String,
    pub bytes: Vec<u8>,
}

/// What a write decided to record.
pub struct Entry {
    pub event: Event,
    pub version: String,
    /// Actions due now; those already in the outbox are skipped.
    pub due: Vec<Action>,
    /// Keys of queued messages the event withdraws (a void: what the voided
    /// act made due and was not sent yet). Only those still pending go; the
    /// key can be queued again if an act makes it due again.
    pub withdraw: Vec<String>,
    /// What the event does to messages already in the outbox.
    pub change: Option<OutboxChange>,
    /// Files the event hands in, kept in its transaction.
    pub documents: Vec<NewDocument>,
}

/// An act on the outbox itself, written with its event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutboxChange {
    /// The held messages go, as if never held (each still expires).
    ReleaseHeld,
    /// The held messages never go: recorded expired, with the event's number.
    DropHeld,
    /// Failed messages (all, or the one with this key) are pending again.
    Resend { key: Option<String> },
}

impl Entry {
    /// An entry that withdraws nothing.
    pub fn new(event: Event, version: String, due: Vec<Action>) -> Entry {
        Entry {
            event,
            version,
            due,
            withdraw: Vec::new(),
            change: None,
            documents: Vec::new(),
        }
    }
}

/// What was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub seq: i64,
    /// Outbox rows added (keys already there are not added twice).
    pub enqueued: usize,
    /// Queued messages withdrawn (never sent).
    pub withdrawn: usize,
    /// Messages the event's [`OutboxChange`] concerned.
    pub changed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "`{path}` is not a Jalon database (it is another SQLite database); give another --db path"
    )]
    Foreign { path: String },
    #[error("`{path}` is not a database file (or it is damaged): {detail}")]
    NotADatabase { path: String, detail: String },
    #[error("`{path}` was written by a newer Jalon (schema {found}, this one knows up to {known}); upgrade Jalon")]
    Newer {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("`{path}` is locked by another process writing to it; try again in a moment")]
    Locked { path: String },
    #[error(
        "another jalon daemon (process {holder}) runs on `{path}`; stop it first, \
         or give this one another database with --db"
    )]
    InUse { path: String, holder: String },
    #[error("`{path}` cannot be written: {detail}")]
    ReadOnly { path: String, detail: String },
    #[error("the database `{path}` failed: {detail}")]
    Sqlite { path: String, detail: String },
    #[error("a recorded event cannot be read back (seq {seq}): {detail}")]
    Corrupt { seq: i64, detail: String },
    #[error(
        "the PostgreSQL database `{database}` holds tables that are not Jalon's; \
         give an empty database (CREATE DATABASE jalon) or a Jalon one"
    )]
    ForeignPostgres { database: String },
    #[error("cannot reach the PostgreSQL server of `{database}`: {detail}")]
    Unreachable { database: String, detail: String },
    #[error("the PostgreSQL database `{database}` failed: {detail}")]
    Postgres { database: String, detail: String },
    #[error("`{url}` is not a PostgreSQL address Jalon can use: {detail}")]
    BadUrl { url: String, detail: String },
}

impl StoreError {
    /// The database could not be reached at all (a server down, a network
    /// cut): worth trying again later, unlike a refusal.
    pub fn unreachable(&self) -> bool {
        matches!(self, StoreError::Unreachable { .. })
    }
}

/// The storage boundary.
pub trait Store {
    /// Everything recorded for an edition.
    fn history(&self, edition: &str) -> Result<History, StoreError>;

    /// Records one event and the actions it makes due, atomically. `decide`
    /// sees the history as it stands; if another writer appended before the
    /// write, `decide` runs again on the new history, so two writers never
    /// both act on the same state. When it returns an error, nothing is
    /// written.
    fn record<E>(
        &mut self,
        edition: &str,
        decide: impl FnMut(&History) -> Result<Entry, E>,
    ) -> Result<Result<Recorded, E>, StoreError>;

    /// Appends already-checked entries in one transaction (imports, and the
    /// write half of [`Store::record`]).
    fn append(&mut self, edition: &str, entries: &[Entry]) -> Result<Vec<Recorded>, StoreError>;

    /// [`Store::append`] and [`Store::mark`] in one transaction, if the
    /// edition's last event is still `seen` (`None`: no event yet); when
    /// another writer appended meanwhile, writes nothing and returns `None`.
    /// An import is written this way: its past messages are never pending
    /// for a moment another process could send them in.
    fn append_if_last(
        &mut self,
        edition: &str,
        seen: Option<i64>,
        entries: &[Entry],
        marks: &[Mark],
    ) -> Result<Option<Vec<Recorded>>, StoreError>;

    /// Adds actions that fell due with time (no event), skipping keys
    /// already there. Returns how many were added.
    fn enqueue(&mut self, edition: &str, due: &[Action]) -> Result<usize, StoreError>;

    /// Adds messages that no event or engine action makes (periodic
    /// digests), skipping keys already there. Returns how many were added.
    fn queue(&mut self, edition: &str, messages: &[NewMessage]) -> Result<usize, StoreError>;

    /// Adds actions and messages as held at `at` (kept, but not delivered
    /// before a release), skipping keys already there. Returns how many
    /// were added.
    fn hold(
        &mut self,
        edition: &str,
        due: &[Action],
        messages: &[NewMessage],
        at: Timestamp,
    ) -> Result<usize, StoreError>;

    /// The messages of an edition held for a release, in due order.
    fn held(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError>;

    /// The editions with messages still to deliver, so that they can be
    /// served first.
    fn editions_pending(&self) -> Result<Vec<String>, StoreError>;

    /// The messages of an edition still to deliver (pending), in due order.
    fn pending(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError>;

    /// Takes up to `limit` messages of the edition ready at `now` for
    /// `holder` to deliver, in due order: nobody else delivers them before
    /// `until` (a lease), or before their outcome is marked or they are
    /// released. A database one daemon serves at a time needs no lease: it
    /// returns what is ready.
    fn claim(
        &mut self,
        edition: &str,
        now: Timestamp,
        until: Timestamp,
        holder: &str,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let _ = (until, holder);
        let mut ready = self.pending(edition)?;
        ready.retain(|e| e.ready(now));
        ready.truncate(limit);
        Ok(ready)
    }

    /// Gives back claimed messages that were not tried (their lease ends).
    fn release(&mut self, keys: &[String], holder: &str) -> Result<(), StoreError> {
        let _ = (keys, holder);
        Ok(())
    }

    /// The edition's snapshot, if one was kept.
    fn snapshot(&self, edition: &str) -> Result<Option<Snapshot>, StoreError>;

    /// Keeps a snapshot of the edition in place of the one kept, unless
    /// that one is of a later event (several processes may write them:
    /// each is the fold of the log up to its event, so any is right).
    fn keep_snapshot(&mut self, edition: &str, snapshot: &Snapshot) -> Result<(), StoreError>;

    /// Who followed several editions (addresses in lower case) at the
    /// last pass over the whole set, if one was kept.
    fn readers_of_several(&self) -> Result<Option<Vec<String>>, StoreError>;

    /// Keeps who follows several editions, in place of what was kept.
    fn keep_readers_of_several(&mut self, addresses: &[String]) -> Result<(), StoreError>;

    /// Whether a `release` was recorded for the edition under this
    /// definition version, however far back: what a history read from a
    /// snapshot cannot tell by itself.
    fn released_under(&self, edition: &str, version: &str) -> Result<bool, StoreError>;

    /// Every key that ever entered the edition's outbox.
    fn outbox_keys(&self, edition: &str) -> Result<Vec<String>, StoreError>;

    /// The events of an edition recorded after the one numbered `after`, in
    /// order: what a cached state has not seen yet.
    fn events_since(&self, edition: &str, after: i64) -> Result<Vec<StoredEvent>, StoreError>;

    /// The outbox of an edition, in due order.
    fn outbox(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError>;

    /// How many messages of an edition are held, and how many failed for
    /// good: what a coordinator is told first, counted without reading
    /// the outbox.
    fn outbox_alerts(&self, edition: &str) -> Result<(usize, usize), StoreError>;

    /// Delivery attempts of a message: (instant, outcome, detail), oldest first.
    fn attempts(&self, key: &str) -> Result<Vec<(String, String, Option<String>)>, StoreError>;

    /// The highest event number of the whole log (0 when empty): how a
    /// process tells that another one recorded something.
    fn last_seq(&self) -> Result<i64, StoreError>;

    /// Keeps the files of a definition version an edition runs under (once
    /// per version), as first seen at `at`. Returns whether it was new.
    fn archive(
        &mut self,
        edition: &str,
        version: &str,
        sources: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// When a version of an edition was first kept, if it was.
    fn archived_at(&self, edition: &str, version: &str) -> Result<Option<Timestamp>, StoreError>;

    /// The files of the version the edition's last event was recorded
    /// under (else the last kept), when its file is gone.
    fn archived(&self, edition: &str) -> Result<Option<String>, StoreError>;

    /// Records delivery attempts and their outcomes, in one transaction
    /// (outcomes that arrive together commit together).
    fn mark(&mut self, marks: &[Mark]) -> Result<(), StoreError>;

    /// Keeps the validation links of messages about to be sent. A link
    /// already kept (a retried send) is left as it was. Returns how many
    /// were added.
    fn issue_links(&mut self, links: &[Link]) -> Result<usize, StoreError>;

    /// The link whose token has this hash, and whether it was used.
    fn link(&self, token_hash: &str) -> Result<Option<StoredLink>, StoreError>;

    /// [`Store::record`] for an answer given through a link: the event, the
    /// actions it makes due and the link marked used are written in one
    /// transaction. A link used meanwhile writes nothing.
    fn record_by_link<E>(
        &mut self,
        edition: &str,
        claim: &Claim,
        decide: impl FnMut(&History) -> Result<Entry, E>,
    ) -> Result<ByLink<E>, StoreError>;

    /// A file handed in for an edition, by its SHA-256.
    fn document(&self, edition: &str, sha256: &str) -> Result<Option<Document>, StoreError>;

    /// The bytes of all the files kept for an edition.
    fn documents_size(&self, edition: &str) -> Result<u64, StoreError>;

    /// Keeps a sign-in link to the workspace.
    fn issue_sign_in(&mut self, link: &SignInLink) -> Result<(), StoreError>;

    /// Uses the sign-in link whose token has the hash `link_hash` to start
    /// `session` (for the link's address), in one transaction: a link
    /// signs in once, before it expires.
    fn sign_in(&mut self, link_hash: &str, session: &Session) -> Result<SignIn, StoreError>;

    /// The session whose token has this hash, if it is running at `now`.
    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>, StoreError>;

    /// Ends a session (signing out); false when it was not running.
    fn end_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool, StoreError>;

    /// Ends the sessions, and drops the unused sign-in links, of every
    /// address not in `known` (people removed from the definitions), and
    /// forgets links and sessions expired for a day. Returns how many
    /// sessions ended.
    fn end_sessions_of_unknown(
        &mut self,
        known: &std::collections::BTreeSet<String>,
        at: Timestamp,
    ) -> Result<usize, StoreError>;
}

/// The addresses kept one per line (no address holds a line break).
fn addresses_of(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}
