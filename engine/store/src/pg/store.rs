//! [`Store`] on a pooled PostgreSQL connection.

use std::cell::RefCell;
use std::collections::BTreeSet;

use jalon_core::{Action, Event};
use jiff::Timestamp;
use postgres::{GenericClient, Row};

use super::schema::{MIGRATIONS, MIGRATION_LOCK, SNAPSHOT_PART};
use super::writes::{self, Session};
use super::{error, Conn, Manager};
use crate::documents::Document;
use crate::links::{ByLink, Claim, Link, LinkUse, StoredLink};
use crate::sessions::{Session as WebSession, SignIn, SignInLink};
use crate::{
    Delivery, Entry, History, Mark, NewMessage, OutboxEntry, Recorded, Snapshot, Store, StoreError,
    StoredEvent,
};

pub struct PostgresStore {
    pub(super) database: String,
    pub(super) replica: String,
    /// A client runs statements through `&mut`, while the trait reads
    /// through `&self`: the store is used by one thread at a time (it is
    /// `Send`, not `Sync`), so a cell is enough.
    pub(crate) conn: RefCell<r2d2::PooledConnection<Manager>>,
}

/// Whether the schema table exists, read from the catalog with the
/// statement's snapshot (`to_regclass` reads a cache that an advisory lock
/// does not refresh: a replica that waited for another's migration would
/// not see its table).
const SCHEMA_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables \
     WHERE tablename = 'jalon_schema' AND schemaname = current_schema())";

/// How a write inside [`PostgresStore::record_within`] ended.
enum Written<E, X> {
    Recorded(Recorded),
    Refused(E),
    Aborted(X),
}

impl PostgresStore {
    /// Runs `work` in one transaction, committed when it returns `Ok`.
    fn transaction<T>(
        &self,
        work: impl FnOnce(&mut Session<'_, postgres::Transaction<'_>>) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let database = &self.database;
        let mut conn = self.conn.borrow_mut();
        let Conn { client, statements } = &mut **conn;
        let mut tx = client.transaction().map_err(|e| error(database, &e))?;
        let out = work(&mut Session {
            client: &mut tx,
            statements,
        })
        .map_err(|e| error(database, &e))?;
        tx.commit().map_err(|e| error(database, &e))?;
        Ok(out)
    }

    /// Runs `work` outside any transaction (one statement, one snapshot).
    fn read<T>(
        &self,
        work: impl FnOnce(&mut Session<'_, postgres::Client>) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.borrow_mut();
        let Conn { client, statements } = &mut **conn;
        work(&mut Session { client, statements }).map_err(|e| error(&self.database, &e))
    }

    /// The database as logs name it.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The schema version, `None` when the database has no Jalon schema.
    pub(super) fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let mut conn = self.conn.borrow_mut();
        let client = &mut conn.client;
        let found = client
            .query_one(SCHEMA_EXISTS, &[])
            .map_err(|e| error(&self.database, &e))?;
        if !found.get::<_, bool>(0) {
            return Ok(None);
        }
        let row = client
            .query_opt("SELECT version FROM jalon_schema", &[])
            .map_err(|e| error(&self.database, &e))?;
        Ok(Some(row.map_or(0, |r| i64::from(r.get::<_, i32>(0)))))
    }

    /// Ours, empty (new), or refused: another application's tables, or a
    /// newer schema than this build knows.
    pub(super) fn check_identity(&self) -> Result<(), StoreError> {
        match self.schema_version()? {
            Some(found) if found > MIGRATIONS.len() as i64 => Err(StoreError::Newer {
                path: self.database.clone(),
                found,
                known: MIGRATIONS.len() as i64,
            }),
            Some(_) => Ok(()),
            None => {
                let tables: i64 = self
                    .conn
                    .borrow_mut()
                    .client
                    .query_one(
                        "SELECT count(*) FROM pg_tables
                         WHERE schemaname = ANY(current_schemas(false))",
                        &[],
                    )
                    .map_err(|e| error(&self.database, &e))?
                    .get(0);
                if tables > 0 {
                    return Err(StoreError::ForeignPostgres {
                        database: self.database.clone(),
                    });
                }
                Ok(())
            }
        }
    }

    /// Applies the migrations the database lacks, in one transaction under
    /// an advisory lock: replicas starting together migrate once, and a
    /// reader sees the schema before or after, never half-way.
    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        self.check_identity()?;
        let database = self.database.clone();
        let mut conn = self.conn.borrow_mut();
        let client = &mut conn.client;
        let mut tx = client.transaction().map_err(|e| error(&database, &e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(|e| error(&database, &e))?;
        let exists: bool = tx
            .query_one(SCHEMA_EXISTS, &[])
            .map_err(|e| error(&database, &e))?
            .get(0);
        let current: i64 = if exists {
            tx.query_opt("SELECT version FROM jalon_schema", &[])
                .map_err(|e| error(&database, &e))?
                .map_or(0, |r| i64::from(r.get::<_, i32>(0)))
        } else {
            tx.batch_execute("CREATE TABLE jalon_schema (version INTEGER NOT NULL)")
                .map_err(|e| error(&database, &e))?;
            0
        };
        let missing: Vec<&str> = MIGRATIONS
            .iter()
            .skip(current.max(0) as usize)
            .copied()
            .collect();
        if missing.is_empty() {
            return tx.commit().map_err(|e| error(&database, &e));
        }
        tx.batch_execute(&missing.join(";\n"))
            .map_err(|e| error(&database, &e))?;
        let version = MIGRATIONS.len() as i32;
        tx.execute("DELETE FROM jalon_schema", &[])
            .and_then(|_| {
                tx.execute(
                    "INSERT INTO jalon_schema (version) VALUES ($1)",
                    &[&version],
                )
            })
            .map_err(|e| error(&database, &e))?;
        tx.commit().map_err(|e| error(&database, &e))
    }

    fn read_history(&self, edition: &str) -> Result<History, StoreError> {
        let mut events = Vec::new();
        self.each_event(edition, 0, |stored| {
            events.push(stored);
            Ok(())
        })?;
        Ok(History {
            events,
            outbox_keys: self.outbox_keys(edition)?,
            snapshot: None,
        })
    }

    /// Streams the events of an edition recorded after `after`, in order
    /// (`f` must not use the store: the connection is held meanwhile).
    fn each_event(
        &self,
        edition: &str,
        after: i64,
        mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        let database = self.database.clone();
        let failed = |e: postgres::Error| error(&database, &e);
        let mut conn = self.conn.borrow_mut();
        let Conn { client, statements } = &mut **conn;
        let sql = "SELECT seq, body, version, recorded_at FROM events
                   WHERE edition = $1 AND seq > $2 ORDER BY seq";
        let statement = match statements.get(sql) {
            Some(s) => s.clone(),
            None => {
                let s = client.prepare(sql).map_err(failed)?;
                statements.insert(sql, s.clone());
                s
            }
        };
        let params: [&(dyn postgres::types::ToSql + Sync); 2] = [&edition, &after];
        let mut rows = client.query_raw(&statement, params).map_err(failed)?;
        while let Some(row) = rows.next().map_err(failed)? {
            let seq: i64 = row.get(0);
            let event: Event =
                serde_json::from_str(row.get::<_, &str>(1)).map_err(|e| StoreError::Corrupt {
                    seq,
                    detail: e.to_string(),
                })?;
            f(StoredEvent {
                seq,
                edition: edition.to_owned(),
                event,
                version: row.get(2),
                recorded_at: row.get(3),
            })?;
        }
        Ok(())
    }

    fn record_within<E, X>(
        &mut self,
        edition: &str,
        mut decide: impl FnMut(&History) -> Result<Entry, E>,
        mut within: impl FnMut(
            &mut Session<'_, postgres::Transaction<'_>>,
            &Recorded,
        ) -> Result<Option<X>, postgres::Error>,
    ) -> Result<Written<E, X>, StoreError> {
        loop {
            let history = self.read_history(edition)?;
            let seen = history.events.last().map(|e| e.seq);
            let entry = match decide(&history) {
                Ok(entry) => entry,
                Err(e) => return Ok(Written::Refused(e)),
            };
            let replica = self.replica.clone();
            let database = self.database.clone();
            let mut conn = self.conn.borrow_mut();
            let Conn { client, statements } = &mut **conn;
            let mut tx = client.transaction().map_err(|e| error(&database, &e))?;
            let mut s = Session {
                client: &mut tx,
                statements,
            };
            let outcome = (|| {
                writes::lock_log(&mut s)?;
                let last: Option<i64> = s
                    .query_one(
                        "SELECT max(seq) FROM events WHERE edition = $1",
                        &[&edition],
                    )?
                    .get(0);
                if last != seen {
                    return Ok(None);
                }
                let recorded =
                    writes::write_entries(&mut s, edition, std::slice::from_ref(&entry))?.remove(0);
                if let Some(stop) = within(&mut s, &recorded)? {
                    return Ok(Some(Written::Aborted(stop)));
                }
                writes::notify(&mut s, &replica)?;
                Ok(Some(Written::Recorded(recorded)))
            })()
            .map_err(|e: postgres::Error| error(&database, &e))?;
            match outcome {
                // Someone appended meanwhile: decide again (dropping the
                // transaction rolls it back).
                None => continue,
                Some(Written::Recorded(recorded)) => {
                    tx.commit().map_err(|e| error(&database, &e))?;
                    return Ok(Written::Recorded(recorded));
                }
                Some(other) => return Ok(other),
            }
        }
    }

    fn outbox_where(&self, edition: &str, filter: Filter) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows = self.read(|s| s.query(filter.sql(), &[&edition]))?;
        rows.iter().map(|r| entry(r, edition)).collect()
    }
}

/// Which outbox rows to read.
#[derive(Clone, Copy)]
enum Filter {
    All,
    Pending,
    Held,
}

impl Filter {
    /// The rows' query, static text so that it is prepared once. A message
    /// another replica is delivering shows its lease's end as its next try.
    fn sql(self) -> &'static str {
        match self {
            Filter::All => concat!(
                "SELECT key, kind, due_at, expires_at, recipient, action, enqueued_by, status, ",
                "attempts, GREATEST(retry_at, lease_until), held_at IS NOT NULL ",
                "FROM outbox WHERE edition = $1 ORDER BY due_at, key"
            ),
            Filter::Pending => concat!(
                "SELECT key, kind, due_at, expires_at, recipient, action, enqueued_by, status, ",
                "attempts, GREATEST(retry_at, lease_until), held_at IS NOT NULL ",
                "FROM outbox WHERE edition = $1 AND status = 'pending' AND held_at IS NULL ",
                "ORDER BY due_at, key"
            ),
            Filter::Held => concat!(
                "SELECT key, kind, due_at, expires_at, recipient, action, enqueued_by, status, ",
                "attempts, GREATEST(retry_at, lease_until), held_at IS NOT NULL ",
                "FROM outbox WHERE edition = $1 AND status = 'pending' AND held_at IS NOT NULL ",
                "ORDER BY due_at, key"
            ),
        }
    }
}

/// An outbox row, its columns in the order of [`Filter::sql`].
fn entry(row: &Row, edition: &str) -> Result<OutboxEntry, StoreError> {
    let status: &str = row.get(7);
    Ok(OutboxEntry {
        key: row.get(0),
        edition: edition.to_owned(),
        kind: row.get(1),
        due_at: row.get(2),
        expires_at: row.get(3),
        recipient: row.get(4),
        action: row.get(5),
        enqueued_by: row.get(6),
        status: Delivery::parse(status, row.get(10)),
        attempts: row.get::<_, i32>(8).max(0) as u32,
        retry_at: row.get(9),
    })
}

impl Store for PostgresStore {
    fn history(&self, edition: &str) -> Result<History, StoreError> {
        self.read_history(edition)
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
        let replica = self.replica.clone();
        self.transaction(|s| {
            writes::lock_log(s)?;
            let recorded = writes::write_entries(s, edition, entries)?;
            writes::notify(s, &replica)?;
            Ok(recorded)
        })
    }

    fn append_if_last(
        &mut self,
        edition: &str,
        seen: Option<i64>,
        entries: &[Entry],
        marks: &[Mark],
    ) -> Result<Option<Vec<Recorded>>, StoreError> {
        let replica = self.replica.clone();
        self.transaction(|s| {
            writes::lock_log(s)?;
            let last: Option<i64> = s
                .query_one(
                    "SELECT max(seq) FROM events WHERE edition = $1",
                    &[&edition],
                )?
                .get(0);
            if last != seen {
                return Ok(None);
            }
            let recorded = writes::write_entries(s, edition, entries)?;
            writes::write_marks(s, marks)?;
            writes::notify(s, &replica)?;
            Ok(Some(recorded))
        })
    }

    fn enqueue(&mut self, edition: &str, due: &[Action]) -> Result<usize, StoreError> {
        let replica = self.replica.clone();
        self.transaction(|s| {
            let due: Vec<_> = due.iter().map(|a| (a, None)).collect();
            let added: usize = writes::insert_actions(s, edition, &due, None)?
                .values()
                .sum();
            if added > 0 {
                writes::notify(s, &replica)?;
            }
            Ok(added)
        })
    }

    fn queue(&mut self, edition: &str, messages: &[NewMessage]) -> Result<usize, StoreError> {
        let replica = self.replica.clone();
        self.transaction(|s| {
            let added = writes::insert_messages(s, edition, messages, None)?;
            if added > 0 {
                writes::notify(s, &replica)?;
            }
            Ok(added)
        })
    }

    fn hold(
        &mut self,
        edition: &str,
        due: &[Action],
        messages: &[NewMessage],
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        self.transaction(|s| {
            let due: Vec<_> = due.iter().map(|a| (a, None)).collect();
            let actions: usize = writes::insert_actions(s, edition, &due, Some(at))?
                .values()
                .sum();
            Ok(actions + writes::insert_messages(s, edition, messages, Some(at))?)
        })
    }

    fn held(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox_where(edition, Filter::Held)
    }

    fn editions_pending(&self) -> Result<Vec<String>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT DISTINCT edition FROM outbox
                 WHERE status = 'pending' AND held_at IS NULL",
                &[],
            )?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    fn pending(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox_where(edition, Filter::Pending)
    }

    fn claim(
        &mut self,
        edition: &str,
        now: Timestamp,
        until: Timestamp,
        holder: &str,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows = self.transaction(|s| {
            writes::claim(
                s,
                edition,
                now,
                until,
                holder,
                limit.min(i64::MAX as usize) as i64,
            )
        })?;
        let mut claimed = rows
            .iter()
            .map(|r| entry(r, edition))
            .collect::<Result<Vec<_>, _>>()?;
        claimed.sort_by(|a, b| (a.due_at, &a.key).cmp(&(b.due_at, &b.key)));
        Ok(claimed)
    }

    fn release(&mut self, keys: &[String], holder: &str) -> Result<(), StoreError> {
        self.transaction(|s| writes::release(s, keys, holder))
    }

    fn snapshot(&self, edition: &str) -> Result<Option<Snapshot>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT s.seq, s.version, p.body FROM snapshots s
                 JOIN snapshot_parts p USING (edition)
                 WHERE s.edition = $1 ORDER BY p.part",
                &[&edition],
            )?;
            let Some(first) = rows.first() else {
                return Ok(None);
            };
            let parts: Vec<&[u8]> = rows.iter().map(|r| r.get(2)).collect();
            Ok(Some(Snapshot {
                seq: first.get(0),
                version: first.get(1),
                bytes: parts.concat(),
            }))
        })
    }

    fn keep_snapshot(&mut self, edition: &str, snapshot: &Snapshot) -> Result<(), StoreError> {
        let parts: Vec<&[u8]> = snapshot.bytes.chunks(SNAPSHOT_PART).collect();
        self.transaction(|s| {
            let newer = s.query_opt(
                "INSERT INTO snapshots (edition, seq, version, taken_at)
                 VALUES ($1, $2, $3, now())
                 ON CONFLICT (edition) DO UPDATE SET
                   seq = excluded.seq, version = excluded.version,
                   taken_at = excluded.taken_at
                 WHERE excluded.seq >= snapshots.seq OR excluded.version <> snapshots.version
                 RETURNING 1",
                &[&edition, &snapshot.seq, &snapshot.version],
            )?;
            if newer.is_some() {
                s.execute(
                    "DELETE FROM snapshot_parts WHERE edition = $1",
                    &[&edition],
                )?;
                s.execute(
                    "INSERT INTO snapshot_parts (edition, part, body)
                     SELECT $1, n - 1, body FROM unnest($2::bytea[]) WITH ORDINALITY AS p (body, n)",
                    &[&edition, &parts],
                )?;
            }
            Ok(())
        })
    }

    fn readers_of_several(&self) -> Result<Option<Vec<String>>, StoreError> {
        self.read(|s| {
            let row = s.query_opt("SELECT addresses FROM readers_of_several WHERE id = 1", &[])?;
            Ok(row.map(|r| crate::addresses_of(r.get(0))))
        })
    }

    fn keep_readers_of_several(&mut self, addresses: &[String]) -> Result<(), StoreError> {
        let text = addresses.join("\n");
        self.read(|s| {
            s.execute(
                "INSERT INTO readers_of_several (id, addresses, kept_at) VALUES (1, $1, now())
                 ON CONFLICT (id) DO UPDATE SET
                   addresses = excluded.addresses, kept_at = excluded.kept_at",
                &[&text],
            )
            .map(|_| ())
        })
    }

    fn released_under(&self, edition: &str, version: &str) -> Result<bool, StoreError> {
        self.read(|s| {
            s.query_one(
                "SELECT EXISTS (SELECT 1 FROM events
                 WHERE edition = $1 AND version = $2 AND verb = 'release')",
                &[&edition, &version],
            )
            .map(|r| r.get(0))
        })
    }

    fn outbox_keys(&self, edition: &str) -> Result<Vec<String>, StoreError> {
        self.read(|s| {
            let rows = s.query("SELECT key FROM outbox WHERE edition = $1", &[&edition])?;
            Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
        })
    }

    fn events_since(&self, edition: &str, after: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let mut events = Vec::new();
        self.each_event(edition, after, |stored| {
            events.push(stored);
            Ok(())
        })?;
        Ok(events)
    }

    fn outbox(&self, edition: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox_where(edition, Filter::All)
    }

    fn outbox_alerts(&self, edition: &str) -> Result<(usize, usize), StoreError> {
        self.read(|s| {
            let row = s.query_one(
                "SELECT count(*) FILTER (WHERE status = 'pending' AND held_at IS NOT NULL),
                        count(*) FILTER (WHERE status = 'failed')
                 FROM outbox WHERE edition = $1",
                &[&edition],
            )?;
            Ok((
                row.get::<_, i64>(0).max(0) as usize,
                row.get::<_, i64>(1).max(0) as usize,
            ))
        })
    }

    fn attempts(&self, key: &str) -> Result<Vec<(String, String, Option<String>)>, StoreError> {
        self.read(|s| {
            let rows = s.query(
                "SELECT at, outcome, detail FROM attempts WHERE key = $1 ORDER BY id",
                &[&key],
            )?;
            Ok(rows
                .iter()
                .map(|r| (r.get::<_, Timestamp>(0).to_string(), r.get(1), r.get(2)))
                .collect())
        })
    }

    fn last_seq(&self) -> Result<i64, StoreError> {
        self.read(|s| {
            s.query_one("SELECT coalesce(max(seq), 0) FROM events", &[])
                .map(|r| r.get(0))
        })
    }

    fn archive(
        &mut self,
        edition: &str,
        version: &str,
        sources: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.transaction(|s| {
            s.execute(
                "INSERT INTO definitions (edition, version, sources, archived_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&edition, &version, &sources, &at],
            )
            .map(|added| added > 0)
        })
    }

    fn archived_at(&self, edition: &str, version: &str) -> Result<Option<Timestamp>, StoreError> {
        self.read(|s| {
            s.query_opt(
                "SELECT archived_at FROM definitions WHERE edition = $1 AND version = $2",
                &[&edition, &version],
            )
            .map(|row| row.map(|r| r.get(0)))
        })
    }

    fn archived(&self, edition: &str) -> Result<Option<String>, StoreError> {
        self.read(|s| {
            s.query_opt(
                "SELECT d.sources FROM definitions d
                 LEFT JOIN (SELECT version, max(seq) AS seq FROM events WHERE edition = $1
                            GROUP BY version) e ON e.version = d.version
                 WHERE d.edition = $1
                 ORDER BY coalesce(e.seq, 0) DESC, d.archived_at DESC LIMIT 1",
                &[&edition],
            )
            .map(|row| row.map(|r| r.get(0)))
        })
    }

    fn mark(&mut self, marks: &[Mark]) -> Result<(), StoreError> {
        let replica = self.replica.clone();
        let queues = marks.iter().any(|m| !m.then_queue.is_empty());
        self.transaction(|s| {
            // An outcome trades durability for speed as with SQLite's
            // synchronous=NORMAL: a commit lost to a crash of the server
            // means a message goes out once more, never that it is lost.
            s.client
                .batch_execute("SET LOCAL synchronous_commit = off")?;
            writes::write_marks(s, marks)?;
            if queues {
                writes::notify(s, &replica)?;
            }
            Ok(())
        })
    }

    fn issue_links(&mut self, links: &[Link]) -> Result<usize, StoreError> {
        if links.is_empty() {
            return Ok(0);
        }
        self.transaction(|s| {
            let mut added = 0;
            for link in links {
                added += s.execute(
                    "INSERT INTO links (token_hash, edition, action_key, person, stage,
                         participant, round, answers, issued_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (token_hash) DO NOTHING",
                    &[
                        &link.token_hash,
                        &link.edition,
                        &link.action_key,
                        &link.person,
                        &link.stage,
                        &link.participant,
                        &(link.round.min(i32::MAX as u32) as i32),
                        &link.answers.join(","),
                        &link.issued_at,
                        &link.expires_at,
                    ],
                )?;
            }
            Ok(added as usize)
        })
    }

    fn link(&self, token_hash: &str) -> Result<Option<StoredLink>, StoreError> {
        self.read(|s| read_link(s, token_hash))
    }

    fn record_by_link<E>(
        &mut self,
        edition: &str,
        claim: &Claim,
        decide: impl FnMut(&History) -> Result<Entry, E>,
    ) -> Result<ByLink<E>, StoreError> {
        let written = self.record_within(edition, decide, |s, recorded| {
            let used = s.execute(
                "UPDATE links SET used_at = $2, answer = $3, seq = $4
                 WHERE token_hash = $1 AND used_at IS NULL",
                &[&claim.token_hash, &claim.at, &claim.answer, &recorded.seq],
            )?;
            if used == 1 {
                return Ok(None);
            }
            // Used since the caller looked (or gone): say by whom and when.
            Ok(Some(read_link(s, &claim.token_hash)?))
        })?;
        Ok(match written {
            Written::Recorded(recorded) => ByLink::Recorded(recorded),
            Written::Refused(e) => ByLink::Refused(e),
            Written::Aborted(Some(stored)) => ByLink::Used(Box::new(stored)),
            Written::Aborted(None) => ByLink::Missing,
        })
    }

    fn document(&self, edition: &str, sha256: &str) -> Result<Option<Document>, StoreError> {
        self.read(|s| {
            let row = s.query_opt(
                "SELECT media_type, content, stored_at FROM documents
                 WHERE edition = $1 AND sha256 = $2",
                &[&edition, &sha256],
            )?;
            Ok(row.map(|r| Document {
                sha256: sha256.to_owned(),
                media_type: r.get(0),
                content: r.get(1),
                stored_at: r.get(2),
            }))
        })
    }

    fn documents_size(&self, edition: &str) -> Result<u64, StoreError> {
        self.read(|s| {
            s.query_one(
                "SELECT COALESCE(SUM(size), 0)::bigint FROM documents WHERE edition = $1",
                &[&edition],
            )
            .map(|r| r.get::<_, i64>(0).max(0) as u64)
        })
    }

    fn issue_sign_in(&mut self, link: &SignInLink) -> Result<(), StoreError> {
        self.transaction(|s| {
            s.execute(
                "INSERT INTO sign_ins (token_hash, email, issued_at, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &link.token_hash,
                    &link.email,
                    &link.issued_at,
                    &link.expires_at,
                ],
            )
            .map(|_| ())
        })
    }

    fn sign_in(&mut self, link_hash: &str, session: &WebSession) -> Result<SignIn, StoreError> {
        self.transaction(|s| {
            // Locked, so that two requests with one link start one session.
            let row = s.query_opt(
                "SELECT email, expires_at, used_at FROM sign_ins WHERE token_hash = $1 FOR UPDATE",
                &[&link_hash],
            )?;
            let Some(row) = row else {
                return Ok(SignIn::Missing);
            };
            let (email, expires_at, used_at): (String, Timestamp, Option<Timestamp>) =
                (row.get(0), row.get(1), row.get(2));
            if used_at.is_some() {
                return Ok(SignIn::Used);
            }
            if session.started_at >= expires_at {
                return Ok(SignIn::Expired);
            }
            s.execute(
                "UPDATE sign_ins SET used_at = $2 WHERE token_hash = $1",
                &[&link_hash, &session.started_at],
            )?;
            s.execute(
                "INSERT INTO sessions (token_hash, email, started_at, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[
                    &session.token_hash,
                    &email,
                    &session.started_at,
                    &session.expires_at,
                ],
            )?;
            Ok(SignIn::SignedIn { email })
        })
    }

    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<WebSession>, StoreError> {
        self.read(|s| {
            let row = s.query_opt(
                "SELECT email, started_at, expires_at FROM sessions
                 WHERE token_hash = $1 AND ended_at IS NULL AND expires_at > $2",
                &[&token_hash, &now],
            )?;
            Ok(row.map(|r| WebSession {
                token_hash: token_hash.to_owned(),
                email: r.get(0),
                started_at: r.get(1),
                expires_at: r.get(2),
            }))
        })
    }

    fn end_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool, StoreError> {
        self.transaction(|s| {
            s.execute(
                "UPDATE sessions SET ended_at = $2 WHERE token_hash = $1 AND ended_at IS NULL",
                &[&token_hash, &at],
            )
            .map(|changed| changed == 1)
        })
    }

    fn end_sessions_of_unknown(
        &mut self,
        known: &BTreeSet<String>,
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        let known: Vec<String> = known.iter().cloned().collect();
        let day_ago = at
            .checked_sub(jiff::SignedDuration::from_hours(24))
            .unwrap_or(at);
        self.transaction(|s| {
            let ended = s.execute(
                "UPDATE sessions SET ended_at = $2
                 WHERE ended_at IS NULL AND NOT (email = ANY($1))",
                &[&known, &at],
            )?;
            s.execute(
                "DELETE FROM sign_ins WHERE used_at IS NULL AND NOT (email = ANY($1))",
                &[&known],
            )?;
            // What expired a day ago is of no more use, even to the audit.
            s.execute("DELETE FROM sign_ins WHERE expires_at < $1", &[&day_ago])?;
            s.execute("DELETE FROM sessions WHERE expires_at < $1", &[&day_ago])?;
            Ok(ended as usize)
        })
    }
}

fn read_link<C: GenericClient>(
    s: &mut Session<'_, C>,
    token_hash: &str,
) -> Result<Option<StoredLink>, postgres::Error> {
    let row = s.query_opt(
        "SELECT token_hash, edition, action_key, person, stage, participant, round,
                answers, issued_at, expires_at, used_at, answer, seq
         FROM links WHERE token_hash = $1",
        &[&token_hash],
    )?;
    Ok(row.map(|r| {
        let used = match (r.get(10), r.get::<_, Option<String>>(11), r.get(12)) {
            (Some(at), Some(answer), Some(seq)) => Some(LinkUse { at, answer, seq }),
            _ => None,
        };
        StoredLink {
            link: Link {
                token_hash: r.get(0),
                edition: r.get(1),
                action_key: r.get(2),
                person: r.get(3),
                stage: r.get(4),
                participant: r.get(5),
                round: r.get::<_, i32>(6).max(0) as u32,
                answers: r
                    .get::<_, String>(7)
                    .split(',')
                    .map(str::to_owned)
                    .collect(),
                issued_at: r.get(8),
                expires_at: r.get(9),
            },
            used,
        }
    }))
}
