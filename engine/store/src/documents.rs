//! Handed-in files, kept in the database beside the event that hands them
//! in (written in its transaction), so every replica reads the same ones.
//! A file is kept once per edition by its SHA-256: handing in the same
//! file twice stores it once, and the events name it by that checksum.

use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

/// A file to keep with an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDocument {
    /// Lower-case hex SHA-256 of `content`.
    pub sha256: String,
    /// What the content is, sniffed.
    pub media_type: String,
    /// Shared, not copied, when a write is tried again.
    pub content: Arc<Vec<u8>>,
}

/// A kept file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub sha256: String,
    pub media_type: String,
    pub content: Vec<u8>,
    pub stored_at: Timestamp,
}

pub(crate) fn insert(
    tx: &rusqlite::Transaction<'_>,
    edition: &str,
    documents: &[NewDocument],
    at: &str,
) -> rusqlite::Result<()> {
    if documents.is_empty() {
        return Ok(());
    }
    let mut statement = tx.prepare_cached(
        "INSERT OR IGNORE INTO documents (edition, sha256, media_type, size, content, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for document in documents {
        statement.execute(params![
            edition,
            document.sha256,
            document.media_type,
            document.content.len() as i64,
            document.content.as_slice(),
            at,
        ])?;
    }
    Ok(())
}

pub(crate) fn find(
    conn: &rusqlite::Connection,
    edition: &str,
    sha256: &str,
) -> rusqlite::Result<Option<Document>> {
    conn.query_row(
        "SELECT media_type, content, stored_at FROM documents WHERE edition = ?1 AND sha256 = ?2",
        params![edition, sha256],
        |row| {
            let stored_at: String = row.get(2)?;
            Ok(Document {
                sha256: sha256.to_owned(),
                media_type: row.get(0)?,
                content: row.get(1)?,
                stored_at: stored_at.parse().unwrap_or(Timestamp::UNIX_EPOCH),
            })
        },
    )
    .optional()
}

pub(crate) fn total_size(conn: &rusqlite::Connection, edition: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COALESCE(SUM(size), 0) FROM documents WHERE edition = ?1",
        params![edition],
        |row| row.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
}
