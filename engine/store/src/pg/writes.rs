//! The statements that write: events with what they make due, outbox rows,
//! delivery outcomes and leases. Rows go in as arrays (`UNNEST`), so a
//! thousand events or outcomes cost one round trip, not a thousand.

use std::collections::HashMap;

use jalon_core::Action;
use jiff::Timestamp;
use postgres::{GenericClient, Row, Statement};

use crate::{Delivery, Entry, Mark, NewMessage, OutboxChange, Recorded};

/// A client (or a transaction) with its connection's prepared statements.
pub(crate) struct Session<'a, C: GenericClient> {
    pub client: &'a mut C,
    pub statements: &'a mut HashMap<&'static str, Statement>,
}

type Params<'p> = [&'p (dyn postgres::types::ToSql + Sync)];

impl<C: GenericClient> Session<'_, C> {
    fn prepared(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    pub fn execute(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<u64, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.client.execute(&statement, params)
    }

    pub fn query(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<Vec<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.client.query(&statement, params)
    }

    pub fn query_opt(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<Option<Row>, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_opt(&statement, params)
    }

    pub fn query_one(
        &mut self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> Result<Row, postgres::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_one(&statement, params)
    }
}

/// Tells the other replicas that something was committed (delivered on
/// commit, dropped on rollback).
pub(crate) fn notify<C: GenericClient>(
    s: &mut Session<'_, C>,
    replica: &str,
) -> Result<(), postgres::Error> {
    s.query("SELECT pg_notify('jalon', $1)", &[&replica])
        .map(|_| ())
}

/// Takes the log's lock for the rest of the transaction.
pub(crate) fn lock_log<C: GenericClient>(s: &mut Session<'_, C>) -> Result<(), postgres::Error> {
    s.query("SELECT pg_advisory_xact_lock($1)", &[&super::LOG_LOCK])
        .map(|_| ())
}

/// Each entry: its event row, then what it does to the outbox, in order.
/// Runs of plain entries (no files, no withdrawal, no outbox change) go in
/// as one statement for the events and one for their messages.
pub(crate) fn write_entries<C: GenericClient>(
    s: &mut Session<'_, C>,
    edition: &str,
    entries: &[Entry],
) -> Result<Vec<Recorded>, postgres::Error> {
    let mut out = Vec::with_capacity(entries.len());
    let plain = |e: &Entry| e.documents.is_empty() && e.withdraw.is_empty() && e.change.is_none();
    let mut start = 0;
    while start < entries.len() {
        let end = if plain(&entries[start]) {
            start + entries[start..].iter().take_while(|e| plain(e)).count()
        } else {
            start + 1
        };
        out.extend(write_run(s, edition, &entries[start..end])?);
        start = end;
    }
    Ok(out)
}

fn write_run<C: GenericClient>(
    s: &mut Session<'_, C>,
    edition: &str,
    entries: &[Entry],
) -> Result<Vec<Recorded>, postgres::Error> {
    let now = Timestamp::now();
    let mut at = Vec::with_capacity(entries.len());
    let (mut actor, mut channel, mut verb, mut body, mut version) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for entry in entries {
        at.push(entry.event.at);
        actor.push(entry.event.by.clone());
        channel.push(crate::sqlite::channel_word(entry.event.channel).to_owned());
        verb.push(entry.event.kind.verb().to_owned());
        body.push(serde_json::to_string(&entry.event).unwrap_or_default());
        version.push(entry.version.clone());
    }
    let rows = s.query(
        "INSERT INTO events (edition, at, actor, channel, verb, body, version, recorded_at)
         SELECT $1, e.at, e.actor, e.channel, e.verb, e.body, e.version, $2
         FROM UNNEST($3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
              WITH ORDINALITY AS e(at, actor, channel, verb, body, version, n)
         ORDER BY e.n
         RETURNING seq",
        &[
            &edition, &now, &at, &actor, &channel, &verb, &body, &version,
        ],
    )?;
    // Numbers are taken in the order the rows are inserted.
    let mut seqs: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    seqs.sort_unstable();
    let mut out: Vec<Recorded> = seqs
        .iter()
        .map(|&seq| Recorded {
            seq,
            enqueued: 0,
            withdrawn: 0,
            changed: 0,
        })
        .collect();
    for (entry, recorded) in entries.iter().zip(&mut out) {
        insert_documents(s, edition, entry, now)?;
        recorded.withdrawn = withdraw(s, &entry.withdraw)?;
        if let Some(change) = &entry.change {
            recorded.changed = change_outbox(s, edition, change, recorded.seq, entry.event.at)?;
        }
    }
    let due: Vec<(&Action, Option<i64>)> = entries
        .iter()
        .zip(&seqs)
        .flat_map(|(entry, &seq)| entry.due.iter().map(move |a| (a, Some(seq))))
        .collect();
    let by = insert_actions(s, edition, &due, None)?;
    for recorded in &mut out {
        recorded.enqueued = by.get(&Some(recorded.seq)).copied().unwrap_or(0);
    }
    Ok(out)
}

fn insert_documents<C: GenericClient>(
    s: &mut Session<'_, C>,
    edition: &str,
    entry: &Entry,
    now: Timestamp,
) -> Result<(), postgres::Error> {
    for document in &entry.documents {
        s.execute(
            "INSERT INTO documents (edition, sha256, media_type, size, content, stored_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (edition, sha256) DO NOTHING",
            &[
                &edition,
                &document.sha256,
                &document.media_type,
                &(document.content.len() as i64),
                &document.content.as_slice(),
                &now,
            ],
        )?;
    }
    Ok(())
}

/// Removes queued messages not sent yet, with their attempts.
fn withdraw<C: GenericClient>(
    s: &mut Session<'_, C>,
    keys: &[String],
) -> Result<usize, postgres::Error> {
    if keys.is_empty() {
        return Ok(0);
    }
    let keys = keys.to_vec();
    s.execute(
        "DELETE FROM attempts WHERE key IN
           (SELECT key FROM outbox WHERE key = ANY($1) AND status = 'pending')",
        &[&keys],
    )?;
    let removed = s.execute(
        "DELETE FROM outbox WHERE key = ANY($1) AND status = 'pending'",
        &[&keys],
    )?;
    Ok(removed as usize)
}

/// Lets an edition's held messages go, records them expired, or puts failed
/// messages back; each concerned message's attempts name the event.
fn change_outbox<C: GenericClient>(
    s: &mut Session<'_, C>,
    edition: &str,
    change: &OutboxChange,
    seq: i64,
    at: Timestamp,
) -> Result<usize, postgres::Error> {
    let changed = match change {
        OutboxChange::ReleaseHeld => s.execute(
            "UPDATE outbox SET held_at = NULL
             WHERE edition = $1 AND status = 'pending' AND held_at IS NOT NULL",
            &[&edition],
        )?,
        OutboxChange::Resend { key } => {
            let why = format!("put back by event {seq}");
            s.execute(
                "INSERT INTO attempts (key, at, outcome, detail)
                 SELECT key, $3, 'pending', $4 FROM outbox
                 WHERE edition = $1 AND status = 'failed' AND ($2::text IS NULL OR key = $2)
                 ORDER BY key",
                &[&edition, key, &at, &why],
            )?;
            s.execute(
                "UPDATE outbox SET status = 'pending', retry_at = NULL
                 WHERE edition = $1 AND status = 'failed' AND ($2::text IS NULL OR key = $2)",
                &[&edition, key],
            )?
        }
        OutboxChange::DropHeld => {
            let why = format!("held, then dropped by event {seq}");
            s.execute(
                "INSERT INTO attempts (key, at, outcome, detail)
                 SELECT key, $2, 'expired', $3 FROM outbox
                 WHERE edition = $1 AND status = 'pending' AND held_at IS NOT NULL
                 ORDER BY key",
                &[&edition, &at, &why],
            )?;
            s.execute(
                "UPDATE outbox SET status = 'expired', held_at = NULL
                 WHERE edition = $1 AND status = 'pending' AND held_at IS NOT NULL",
                &[&edition],
            )?
        }
    };
    Ok(changed as usize)
}

/// Adds the actions (each with the event that made it due), skipping keys
/// already there; returns how many each event added.
pub(crate) fn insert_actions<C: GenericClient>(
    s: &mut Session<'_, C>,
    edition: &str,
    due: &[(&Action, Option<i64>)],
    held_at: Option<Timestamp>,
) -> Result<HashMap<Option<i64>, usize>, postgres::Error> {
    if due.is_empty() {
        return Ok(HashMap::new());
    }
    let mut rows = Rows::default();
    for (action, by) in due {
        rows.key.push(action.key.to_string());
        rows.kind.push(
            serde_json::to_value(action.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        );
        rows.due_at.push(action.due_at);
        rows.expires_at.push(action.expires_at);
        rows.recipient.push(
            jalon_core::ActionKey::addressee_text(&action.key)
                .unwrap_or_default()
                .to_owned(),
        );
        rows.action
            .push(serde_json::to_string(action).unwrap_or_default());
        rows.by.push(*by);
    }
    rows.insert(s, edition, held_at)
}

/// Adds messages that are not engine actions, skipping keys already there.
pub(crate) fn insert_messages<C: GenericClient>(
    s: &mut Session<'_, C>,
    edition: &str,
    messages: &[NewMessage],
    held_at: Option<Timestamp>,
) -> Result<usize, postgres::Error> {
    if messages.is_empty() {
        return Ok(0);
    }
    let mut rows = Rows::default();
    for message in messages {
        rows.key.push(message.key.clone());
        rows.kind.push(message.kind.clone());
        rows.due_at.push(message.due_at);
        rows.expires_at.push(message.expires_at);
        rows.recipient.push(message.recipient.clone());
        rows.action.push(message.body.clone());
        rows.by.push(None);
    }
    Ok(rows.insert(s, edition, held_at)?.values().sum())
}

/// Outbox rows as columns.
#[derive(Default)]
struct Rows {
    key: Vec<String>,
    kind: Vec<String>,
    due_at: Vec<Timestamp>,
    expires_at: Vec<Option<Timestamp>>,
    recipient: Vec<String>,
    action: Vec<String>,
    by: Vec<Option<i64>>,
}

impl Rows {
    fn insert<C: GenericClient>(
        &self,
        s: &mut Session<'_, C>,
        edition: &str,
        held_at: Option<Timestamp>,
    ) -> Result<HashMap<Option<i64>, usize>, postgres::Error> {
        let added = s.query(
            "INSERT INTO outbox (key, edition, kind, due_at, expires_at, recipient, action,
                                 enqueued_by, enqueued_at, held_at)
             SELECT r.key, $1, r.kind, r.due_at, r.expires_at, r.recipient, r.action, r.by, $2, $3
             FROM UNNEST($4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                         $8::text[], $9::text[], $10::int8[])
                  WITH ORDINALITY AS r(key, kind, due_at, expires_at, recipient, action, by, n)
             ORDER BY r.n
             ON CONFLICT (key) DO NOTHING
             RETURNING enqueued_by",
            &[
                &edition,
                &Timestamp::now(),
                &held_at,
                &self.key,
                &self.kind,
                &self.due_at,
                &self.expires_at,
                &self.recipient,
                &self.action,
                &self.by,
            ],
        )?;
        let mut by = HashMap::new();
        for row in added {
            *by.entry(row.get::<_, Option<i64>>(0)).or_insert(0) += 1;
        }
        Ok(by)
    }
}

/// Delivery outcomes: one attempt row each, the message's new status (its
/// lease ended), then the messages they call for.
pub(crate) fn write_marks<C: GenericClient>(
    s: &mut Session<'_, C>,
    marks: &[Mark],
) -> Result<(), postgres::Error> {
    if marks.is_empty() {
        return Ok(());
    }
    let mut key = Vec::with_capacity(marks.len());
    let (mut at, mut outcome, mut detail, mut status, mut retry_at) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for mark in marks {
        key.push(mark.key.clone());
        at.push(mark.at);
        outcome.push(mark.outcome.as_str());
        detail.push(mark.detail.clone());
        // A temporary failure leaves the message pending, to be tried again.
        status.push(match mark.outcome {
            Delivery::Retry => Delivery::Pending.as_str(),
            other => other.as_str(),
        });
        retry_at.push(mark.retry_at);
    }
    s.execute(
        "WITH m AS (
             SELECT * FROM UNNEST($1::text[], $2::timestamptz[], $3::text[], $4::text[],
                                  $5::text[], $6::timestamptz[])
                    WITH ORDINALITY AS m(key, at, outcome, detail, status, retry_at, n)),
         tried AS (
             INSERT INTO attempts (key, at, outcome, detail)
             SELECT key, at, outcome, detail FROM m ORDER BY n)
         UPDATE outbox o SET status = m.status, attempts = o.attempts + 1,
                             retry_at = m.retry_at, lease_until = NULL, leased_by = NULL
         FROM m WHERE o.key = m.key",
        &[&key, &at, &outcome, &detail, &status, &retry_at],
    )?;
    for mark in marks {
        for message in &mark.then_queue {
            s.execute(
                "INSERT INTO outbox (key, edition, kind, due_at, expires_at, recipient, action, enqueued_at)
                 SELECT $2, edition, $3, $4, $8, $5, $6, $7 FROM outbox WHERE key = $1
                 ON CONFLICT (key) DO NOTHING",
                &[
                    &mark.key,
                    &message.key,
                    &message.kind,
                    &message.due_at,
                    &message.recipient,
                    &message.body,
                    &mark.at,
                    &message.expires_at,
                ],
            )?;
        }
    }
    Ok(())
}

/// Claims up to `limit` messages of the edition ready at `now`, nobody
/// else's lease running, for `holder` until `until`; skips rows another
/// replica is claiming at this instant. A recipient's messages due together
/// come in one batch as far as the limit allows, so that they can still
/// merge into one email (`compose::grouped`).
pub(crate) fn claim<C: GenericClient>(
    s: &mut Session<'_, C>,
    edition: &str,
    now: Timestamp,
    until: Timestamp,
    holder: &str,
    limit: i64,
) -> Result<Vec<Row>, postgres::Error> {
    s.query(
        "WITH ready AS (
             SELECT key FROM outbox
             WHERE edition = $1 AND status = 'pending' AND held_at IS NULL AND due_at <= $2
               AND (retry_at IS NULL OR retry_at <= $2)
               AND (lease_until IS NULL OR lease_until <= $2)
             ORDER BY due_at, recipient, key
             LIMIT $5
             FOR UPDATE SKIP LOCKED)
         UPDATE outbox o SET lease_until = $3, leased_by = $4
         FROM ready WHERE o.key = ready.key
         RETURNING o.key, o.kind, o.due_at, o.expires_at, o.recipient, o.action,
                   o.enqueued_by, o.status, o.attempts, o.retry_at, false",
        &[&edition, &now, &until, &holder, &limit],
    )
}

/// Ends the leases of claimed messages that were not tried.
pub(crate) fn release<C: GenericClient>(
    s: &mut Session<'_, C>,
    keys: &[String],
    holder: &str,
) -> Result<(), postgres::Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let keys = keys.to_vec();
    s.execute(
        "UPDATE outbox SET lease_until = NULL, leased_by = NULL
         WHERE key = ANY($1) AND leased_by = $2 AND status = 'pending'",
        &[&keys, &holder],
    )
    .map(|_| ())
}
