//! The workspace's sign-in links and sessions. Both are found by the
//! SHA-256 of their token (the token itself is never stored, so a copy of
//! the database signs nobody in). A sign-in link is used once: it is marked
//! used and its session started in one transaction.

use std::collections::BTreeSet;

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

/// A sign-in link emailed to someone (or printed for the operator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInLink {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// The address it was sent to, lower-cased: who signs in with it.
    pub email: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A signed-in browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Hex SHA-256 of the cookie's token.
    pub token_hash: String,
    pub email: String,
    pub started_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What using a sign-in link did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    /// The session is started, for this address.
    SignedIn { email: String },
    /// The link was used already: nothing written.
    Used,
    /// The link is too old: nothing written.
    Expired,
    /// There is no such link.
    Missing,
}

pub(crate) fn issue(conn: &Connection, link: &SignInLink) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sign_ins (token_hash, email, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        link.token_hash,
        link.email,
        link.issued_at.to_string(),
        link.expires_at.to_string()
    ])?;
    Ok(())
}

/// Uses the link `link_hash` to start `session` (whose `email` is replaced
/// by the link's).
pub(crate) fn sign_in(
    tx: &Transaction<'_>,
    link_hash: &str,
    session: &Session,
) -> Result<SignIn, SessionError> {
    let row: Option<(String, String, Option<String>)> = tx
        .prepare_cached("SELECT email, expires_at, used_at FROM sign_ins WHERE token_hash = ?1")?
        .query_row([link_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((email, expires_at, used_at)) = row else {
        return Ok(SignIn::Missing);
    };
    if used_at.is_some() {
        return Ok(SignIn::Used);
    }
    if session.started_at >= instant(&expires_at)? {
        return Ok(SignIn::Expired);
    }
    tx.prepare_cached("UPDATE sign_ins SET used_at = ?2 WHERE token_hash = ?1")?
        .execute(params![link_hash, session.started_at.to_string()])?;
    tx.prepare_cached(
        "INSERT INTO sessions (token_hash, email, started_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        session.token_hash,
        email,
        session.started_at.to_string(),
        session.expires_at.to_string()
    ])?;
    Ok(SignIn::SignedIn { email })
}

/// The session of this token, if it is running at `now`.
pub(crate) fn session(
    conn: &Connection,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<Session>, SessionError> {
    let row: Option<(String, String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT email, started_at, expires_at, ended_at FROM sessions WHERE token_hash = ?1",
        )?
        .query_row([token_hash], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((email, started_at, expires_at, None)) = row else {
        return Ok(None);
    };
    let expires_at = instant(&expires_at)?;
    if now >= expires_at {
        return Ok(None);
    }
    Ok(Some(Session {
        token_hash: token_hash.to_owned(),
        email,
        started_at: instant(&started_at)?,
        expires_at,
    }))
}

/// Ends one session; false when it was not running.
pub(crate) fn end(conn: &Connection, token_hash: &str, at: Timestamp) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL",
        )?
        .execute(params![token_hash, at.to_string()])?;
    Ok(changed == 1)
}

/// Ends the sessions of every address not in `known`; returns how many.
pub(crate) fn end_unknown(
    tx: &Transaction<'_>,
    known: &BTreeSet<String>,
    at: Timestamp,
) -> rusqlite::Result<usize> {
    let open: Vec<(String, String)> = tx
        .prepare_cached("SELECT token_hash, email FROM sessions WHERE ended_at IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut ended = 0;
    for (token_hash, email) in open {
        if !known.contains(&email) {
            ended += usize::from(end(tx, &token_hash, at)?);
        }
    }
    // Unused sign-in links of those addresses go too.
    let links: Vec<(String, String)> = tx
        .prepare_cached("SELECT token_hash, email FROM sign_ins WHERE used_at IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (token_hash, email) in links {
        if !known.contains(&email) {
            tx.prepare_cached("DELETE FROM sign_ins WHERE token_hash = ?1")?
                .execute([token_hash])?;
        }
    }
    // What expired a day ago is of no more use, even to the audit: the
    // log keeps the acts, not the sign-ins.
    let day_ago = at
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .unwrap_or(at);
    for table in ["sign_ins", "sessions"] {
        let rows: Vec<(String, String)> = tx
            .prepare_cached(&format!("SELECT token_hash, expires_at FROM {table}"))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (token_hash, expires_at) in rows {
            if expires_at.parse::<Timestamp>().is_ok_and(|t| t < day_ago) {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE token_hash = ?1"))?
                    .execute([token_hash])?;
            }
        }
    }
    Ok(ended)
}

fn instant(text: &str) -> Result<Timestamp, SessionError> {
    text.parse::<Timestamp>()
        .map_err(|e| SessionError::Corrupt(format!("a session's instant `{text}`: {e}")))
}

/// Reading a session back failed: SQLite, or a row that does not parse.
#[derive(Debug)]
pub(crate) enum SessionError {
    Sqlite(rusqlite::Error),
    Corrupt(String),
}

impl From<rusqlite::Error> for SessionError {
    fn from(e: rusqlite::Error) -> Self {
        SessionError::Sqlite(e)
    }
}

impl SessionError {
    pub(crate) fn into_store(self, path: &std::path::Path) -> crate::StoreError {
        match self {
            SessionError::Sqlite(e) => crate::sqlite::error(path, e),
            SessionError::Corrupt(detail) => crate::StoreError::Corrupt { seq: 0, detail },
        }
    }
}
