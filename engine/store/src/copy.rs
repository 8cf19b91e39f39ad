//! Moving over: a SQLite database copied whole into an empty PostgreSQL
//! one — events (their numbers kept), definition versions, the outbox with
//! its attempts, links, sign-ins, sessions and files — in one transaction,
//! then read back from both sides and compared, table by table, by count
//! and SHA-256.

use std::fmt::Write as _;

use jiff::Timestamp;
use postgres::types::Type;
use sha2::{Digest, Sha256};

use crate::pg::{error as pg_error, PostgresStore};
use crate::{SqliteStore, StoreError};

/// What a column holds, for reading it from either side.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Int,
    Instant,
    Bytes,
}

/// A table as copied: its columns, and the order its rows are compared in.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    order: &'static str,
    /// SQLite's ordering (attempts: by rowid, as they were made).
    sqlite_order: &'static str,
}

use Kind::{Bytes, Instant, Int, Text};

const TABLES: &[Table] = &[
    Table {
        name: "events",
        columns: &[
            ("seq", Int),
            ("edition", Text),
            ("at", Instant),
            ("actor", Text),
            ("channel", Text),
            ("verb", Text),
            ("body", Text),
            ("version", Text),
            ("recorded_at", Instant),
        ],
        order: "seq",
        sqlite_order: "seq",
    },
    Table {
        name: "definitions",
        columns: &[
            ("edition", Text),
            ("version", Text),
            ("sources", Text),
            ("archived_at", Instant),
        ],
        order: "edition, version",
        sqlite_order: "edition, version",
    },
    Table {
        name: "outbox",
        columns: &[
            ("key", Text),
            ("edition", Text),
            ("kind", Text),
            ("due_at", Instant),
            ("expires_at", Instant),
            ("recipient", Text),
            ("action", Text),
            ("enqueued_by", Int),
            ("enqueued_at", Instant),
            ("status", Text),
            ("attempts", Int),
            ("retry_at", Instant),
            ("held_at", Instant),
        ],
        order: "key",
        sqlite_order: "key",
    },
    Table {
        name: "attempts",
        columns: &[
            ("key", Text),
            ("at", Instant),
            ("outcome", Text),
            ("detail", Text),
        ],
        order: "id",
        sqlite_order: "rowid",
    },
    Table {
        name: "links",
        columns: &[
            ("token_hash", Text),
            ("edition", Text),
            ("action_key", Text),
            ("person", Text),
            ("stage", Text),
            ("participant", Text),
            ("round", Int),
            ("answers", Text),
            ("issued_at", Instant),
            ("expires_at", Instant),
            ("used_at", Instant),
            ("answer", Text),
            ("seq", Int),
        ],
        order: "token_hash",
        sqlite_order: "token_hash",
    },
    Table {
        name: "sign_ins",
        columns: &[
            ("token_hash", Text),
            ("email", Text),
            ("issued_at", Instant),
            ("expires_at", Instant),
            ("used_at", Instant),
        ],
        order: "token_hash",
        sqlite_order: "token_hash",
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_hash", Text),
            ("email", Text),
            ("started_at", Instant),
            ("expires_at", Instant),
            ("ended_at", Instant),
        ],
        order: "token_hash",
        sqlite_order: "token_hash",
    },
    Table {
        name: "documents",
        columns: &[
            ("edition", Text),
            ("sha256", Text),
            ("media_type", Text),
            ("size", Int),
            ("content", Bytes),
            ("stored_at", Instant),
        ],
        order: "edition, sha256",
        sqlite_order: "edition, sha256",
    },
];

/// One value, as both sides compare it.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Text(String),
    Int(i64),
    /// To the microsecond, PostgreSQL's precision.
    Instant(Timestamp),
    Bytes(Vec<u8>),
}

/// What was copied: each table's rows, and the checksum both sides agree on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    pub tables: Vec<(&'static str, usize)>,
    pub checksum: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the target `{database}` is not empty (it holds {rows} row(s) of `{table}`): \
         `jalon copy` only fills an empty database; give a new one (CREATE DATABASE …)"
    )]
    NotEmpty {
        database: String,
        table: &'static str,
        rows: i64,
    },
    #[error(
        "the copy does not match its source in `{table}`: {detail}; \
         nothing was kept in the target"
    )]
    Mismatch { table: &'static str, detail: String },
    #[error("`{path}`: {detail}")]
    Source { path: String, detail: String },
}

/// Copies `from` into `to` (a store opened for writing, so migrated; its
/// database empty), in one transaction that commits only when both sides
/// read back the same.
pub fn copy(from: &SqliteStore, to: &PostgresStore) -> Result<Copied, CopyError> {
    let database = to.database().to_owned();
    let mut conn = to.conn.borrow_mut();
    let client = &mut conn.client;
    let failed = |e: postgres::Error| CopyError::Store(pg_error(&database, &e));
    let mut tx = client.transaction().map_err(failed)?;
    // Nobody appends while the log is copied.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&crate::pg::LOG_LOCK])
        .map_err(failed)?;
    for table in TABLES {
        let sql = format!("SELECT count(*) FROM {}", table.name);
        let rows: i64 = tx.query_one(&sql, &[]).map_err(failed)?.get(0);
        if rows > 0 {
            return Err(CopyError::NotEmpty {
                database,
                table: table.name,
                rows,
            });
        }
    }
    let mut tables = Vec::new();
    let mut total = Sha256::new();
    for table in TABLES {
        let rows = sqlite_rows(from, table)?;
        write_rows(&mut tx, table, &rows).map_err(failed)?;
        let back = postgres_rows(&mut tx, table).map_err(failed)?;
        if back.len() != rows.len() {
            return Err(CopyError::Mismatch {
                table: table.name,
                detail: format!("{} row(s) in the source, {} copied", rows.len(), back.len()),
            });
        }
        let (source, target) = (digest(&rows), digest(&back));
        if source != target {
            return Err(CopyError::Mismatch {
                table: table.name,
                detail: format!("checksums differ ({source} in the source, {target} copied)"),
            });
        }
        total.update(table.name.as_bytes());
        total.update(source.as_bytes());
        tables.push((table.name, rows.len()));
    }
    // The next event, and the next attempt, number on from the copied ones.
    tx.batch_execute(
        "SELECT setval(pg_get_serial_sequence('events', 'seq'), coalesce(max(seq), 0) + 1, false)
         FROM events",
    )
    .map_err(failed)?;
    tx.commit().map_err(failed)?;
    Ok(Copied {
        tables,
        checksum: hex(&total.finalize()),
    })
}

fn sqlite_rows(from: &SqliteStore, table: &Table) -> Result<Vec<Vec<Value>>, CopyError> {
    let source = |e: rusqlite::Error| CopyError::Source {
        path: from.path().display().to_string(),
        detail: e.to_string(),
    };
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        table.name,
        table.sqlite_order
    );
    let mut statement = from.conn().prepare(&sql).map_err(source)?;
    let mut rows = statement.query([]).map_err(source)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(source)? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, (name, kind)) in table.columns.iter().enumerate() {
            use rusqlite::types::ValueRef;
            let value = match (row.get_ref(i).map_err(source)?, kind) {
                (ValueRef::Null, _) => Value::Null,
                (ValueRef::Integer(n), Int) => Value::Int(n),
                (ValueRef::Text(t), Instant) => {
                    let text = String::from_utf8_lossy(t);
                    let instant: Timestamp = text.parse().map_err(|e| CopyError::Source {
                        path: from.path().display().to_string(),
                        detail: format!("{}.{name}: `{text}` is not an instant: {e}", table.name),
                    })?;
                    Value::Instant(to_microsecond(instant))
                }
                (ValueRef::Text(t), Text) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                (ValueRef::Blob(b), Bytes) => Value::Bytes(b.to_vec()),
                (other, _) => {
                    return Err(CopyError::Source {
                        path: from.path().display().to_string(),
                        detail: format!(
                            "{}.{name} holds an unexpected {:?} value",
                            table.name,
                            other.data_type()
                        ),
                    })
                }
            };
            values.push(value);
        }
        out.push(values);
    }
    Ok(out)
}

/// PostgreSQL keeps instants to the microsecond: the source's are cut to
/// it before they are written and compared.
fn to_microsecond(instant: Timestamp) -> Timestamp {
    Timestamp::from_microsecond(instant.as_microsecond()).unwrap_or(instant)
}

/// The rows, through `COPY … FROM STDIN` (text format): a million events
/// take seconds, not the minutes of one statement each.
fn write_rows(
    tx: &mut postgres::Transaction<'_>,
    table: &Table,
    rows: &[Vec<Value>],
) -> Result<(), postgres::Error> {
    use std::io::Write;
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let sql = format!("COPY {} ({}) FROM STDIN", table.name, columns.join(", "));
    let mut writer = tx.copy_in(&sql)?;
    let mut line = String::new();
    for row in rows {
        line.clear();
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                line.push('\t');
            }
            copy_text(&mut line, value);
        }
        line.push('\n');
        // A failed write surfaces as the COPY's error at `finish`.
        if writer.write_all(line.as_bytes()).is_err() {
            break;
        }
    }
    writer.finish().map(|_| ())
}

/// A value in COPY's text format.
fn copy_text(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("\\N"),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Instant(t) => {
            let _ = write!(out, "{t}");
        }
        Value::Text(text) => {
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
        }
        Value::Bytes(bytes) => {
            // bytea's hex form, its backslash escaped for COPY.
            out.push_str("\\\\x");
            out.push_str(&hex(bytes));
        }
    }
}

fn postgres_rows(
    tx: &mut postgres::Transaction<'_>,
    table: &Table,
) -> Result<Vec<Vec<Value>>, postgres::Error> {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        columns.join(", "),
        table.name,
        table.order
    );
    let rows = tx.query(&sql, &[])?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = Vec::with_capacity(columns.len());
        for (i, (_, kind)) in table.columns.iter().enumerate() {
            let value = match kind {
                Text => row.get::<_, Option<String>>(i).map(Value::Text),
                Int => match *row.columns()[i].type_() {
                    Type::INT4 => row.get::<_, Option<i32>>(i).map(|n| Value::Int(n.into())),
                    _ => row.get::<_, Option<i64>>(i).map(Value::Int),
                },
                Instant => row.get::<_, Option<Timestamp>>(i).map(Value::Instant),
                Bytes => row.get::<_, Option<Vec<u8>>>(i).map(Value::Bytes),
            };
            values.push(value.unwrap_or(Value::Null));
        }
        out.push(values);
    }
    Ok(out)
}

/// SHA-256 of the rows in a form both sides render alike.
fn digest(rows: &[Vec<Value>]) -> String {
    let mut hasher = Sha256::new();
    for row in rows {
        for value in row {
            let rendered = match value {
                Value::Null => "N".to_owned(),
                Value::Text(t) => format!("T{}:{t}", t.len()),
                Value::Int(n) => format!("I{n}"),
                Value::Instant(t) => format!("D{}", t.as_microsecond()),
                Value::Bytes(b) => format!("B{}:{}", b.len(), hex(b)),
            };
            hasher.update(rendered.as_bytes());
            hasher.update([0x1f]);
        }
        hasher.update([0x1e]);
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
