//! Validation links: one row per validation request sent, found again by the
//! SHA-256 of its token (the token itself is never stored), and used once —
//! the answer it records and the mark "used" are written in one transaction.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::{Recorded, StoreError};

/// What a link lets one person answer, as issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    pub edition: String,
    /// The validation request the link was sent in.
    pub action_key: String,
    /// The person id the link is bound to: the answer is recorded as theirs.
    pub person: String,
    pub stage: String,
    pub participant: Option<String>,
    /// The submission it asks about: a later submission makes it stale.
    pub round: u32,
    /// The answers it may give (`approve`, `refuse`).
    pub answers: Vec<String>,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Link {
    pub fn allows(&self, answer: &str) -> bool {
        self.answers.iter().any(|a| a == answer)
    }

    pub fn expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

/// How a link was used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkUse {
    pub at: Timestamp,
    pub answer: String,
    /// The event it recorded.
    pub seq: i64,
}

/// A link as stored: what it allows, and whether it was used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLink {
    pub link: Link,
    pub used: Option<LinkUse>,
}

/// A use of a link, to be written with the event it records.
#[derive(Clone, Debug)]
pub struct Claim {
    pub token_hash: String,
    pub answer: String,
    pub at: Timestamp,
}

/// What [`crate::Store::record_by_link`] did.
#[derive(Debug)]
pub enum ByLink<E> {
    Recorded(Recorded),
    /// `decide` refused: nothing written.
    Refused(E),
    /// The link was used meanwhile (by another request): nothing written.
    Used(Box<StoredLink>),
    /// There is no such link: nothing written.
    Missing,
}

pub(crate) fn insert(tx: &rusqlite::Transaction<'_>, links: &[Link]) -> rusqlite::Result<usize> {
    let mut statement = tx.prepare_cached(
        "INSERT OR IGNORE INTO links (token_hash, edition, action_key, person, stage,
             participant, round, answers, issued_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut added = 0;
    for link in links {
        added += statement.execute(params![
            link.token_hash,
            link.edition,
            link.action_key,
            link.person,
            link.stage,
            link.participant,
            link.round,
            link.answers.join(","),
            link.issued_at.to_string(),
            link.expires_at.to_string(),
        ])?;
    }
    Ok(added)
}

/// The columns a [`StoredLink`] is read from, before its instants are parsed.
type Row = (
    [String; 5],
    Option<String>,
    u32,
    [String; 3],
    (Option<String>, Option<String>, Option<i64>),
);

pub(crate) fn read(conn: &Connection, token_hash: &str) -> Result<Option<StoredLink>, LinkError> {
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT token_hash, edition, action_key, person, stage, participant, round,
                    answers, issued_at, expires_at, used_at, answer, seq
             FROM links WHERE token_hash = ?1",
        )?
        .query_row([token_hash], |r| {
            Ok((
                [r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
                r.get(5)?,
                r.get(6)?,
                [r.get(7)?, r.get(8)?, r.get(9)?],
                (r.get(10)?, r.get(11)?, r.get(12)?),
            ))
        })
        .optional()?;
    let Some(([token_hash, edition, action_key, person, stage], participant, round, rest, used)) =
        row
    else {
        return Ok(None);
    };
    let [answers, issued_at, expires_at] = rest;
    let instant = |text: &str| {
        text.parse::<Timestamp>()
            .map_err(|e| LinkError::Corrupt(format!("link of `{action_key}`: {e}")))
    };
    let used = match used {
        (Some(at), Some(answer), Some(seq)) => Some(LinkUse {
            at: instant(&at)?,
            answer,
            seq,
        }),
        _ => None,
    };
    Ok(Some(StoredLink {
        link: Link {
            issued_at: instant(&issued_at)?,
            expires_at: instant(&expires_at)?,
            token_hash,
            edition,
            person,
            stage,
            participant,
            round,
            answers: answers.split(',').map(str::to_owned).collect(),
            action_key,
        },
        used,
    }))
}

/// Marks the link used by the event `seq`, unless it already is: false when
/// it was (or there is no such link), and the caller rolls back.
pub(crate) fn claim(
    tx: &rusqlite::Transaction<'_>,
    claim: &Claim,
    seq: i64,
) -> rusqlite::Result<bool> {
    let changed = tx
        .prepare_cached(
            "UPDATE links SET used_at = ?2, answer = ?3, seq = ?4
             WHERE token_hash = ?1 AND used_at IS NULL",
        )?
        .execute(params![
            claim.token_hash,
            claim.at.to_string(),
            claim.answer,
            seq
        ])?;
    Ok(changed == 1)
}

/// Reading a link back failed: SQLite, or a row that does not parse.
#[derive(Debug)]
pub(crate) enum LinkError {
    Sqlite(rusqlite::Error),
    Corrupt(String),
}

impl From<rusqlite::Error> for LinkError {
    fn from(e: rusqlite::Error) -> Self {
        LinkError::Sqlite(e)
    }
}

impl LinkError {
    pub(crate) fn into_store(self, path: &std::path::Path) -> StoreError {
        match self {
            LinkError::Sqlite(e) => crate::sqlite::error(path, e),
            LinkError::Corrupt(detail) => StoreError::Corrupt { seq: 0, detail },
        }
    }
}
