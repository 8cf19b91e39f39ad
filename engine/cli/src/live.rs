//! The operator's commands on a live edition: each records one event (with
//! who, when, and the CLI as channel) in the store, with the messages it
//! makes due, or says why not and changes nothing; and the read-only views
//! (status, log, export).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_core::{Channel, Event, EventKind, State};
use jalon_definition::diagnostic::did_you_mean;
use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits};
use jalon_store::{Entry, History, SqliteStore, Store};
use jiff::civil::{Date, DateTime, Time};
use jiff::Timestamp;

use crate::messages::short_local;

/// Where an edition's definition and progress live.
pub struct Target {
    pub edition: String,
    pub definitions: PathBuf,
    pub db: PathBuf,
}

/// A command failed; the message says why. `code` is the exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 2,
        }
    }

    fn refused(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

/// The definitions folder, checked in full: every edition in it, or every
/// problem found.
fn checked(definitions: &Path) -> Result<jalon_definition::Report, Failure> {
    let report = check_paths(&[definitions.to_path_buf()], &Limits::default()).map_err(|e| {
        Failure::usage(format!(
            "{e} (give the definitions folder with --definitions)"
        ))
    })?;
    if report.errors() > 0 {
        let text = crate::render::text(&report, false);
        return Err(Failure::usage(format!(
            "{text}the definitions in `{}` have errors; fix them first",
            definitions.display()
        )));
    }
    Ok(report)
}

/// Every edition among the definitions, checked in full (the daemon's set).
pub fn editions(definitions: &Path) -> Result<Vec<Arc<Edition>>, Failure> {
    let report = checked(definitions)?;
    Ok(report
        .editions
        .into_iter()
        .map(|(_, edition)| Arc::new(edition))
        .collect())
}

/// The edition `id` among the definitions, checked in full.
pub fn edition(definitions: &Path, id: &str) -> Result<Arc<Edition>, Failure> {
    let report = checked(definitions)?;
    let ids: Vec<&str> = report.editions.iter().map(|(_, e)| e.id.as_str()).collect();
    match report.editions.iter().find(|(_, e)| e.id == id) {
        Some((_, edition)) => Ok(Arc::new(edition.clone())),
        None => {
            let hint = did_you_mean(id, ids.iter().copied())
                .map(|s| format!(" — did you mean `{s}`?"))
                .unwrap_or_default();
            Err(Failure::usage(format!(
                "there is no edition `{id}` in `{}`{hint} (editions: {})",
                definitions.display(),
                ids.join(", ")
            )))
        }
    }
}

/// The state of an edition from its recorded events, under today's
/// definition. An event the definition no longer allows means the change
/// would orphan recorded progress: it is refused, with what to do.
pub fn rebuild(edition: Arc<Edition>, history: &History) -> Result<State, Failure> {
    let current = edition.version.clone();
    let mut state = State::new(edition);
    for stored in &history.events {
        if let Err(reason) = state.apply(&stored.event) {
            return Err(Failure::refused(format!(
                "the definition of `{}` changed (version {} → {current}) in a way that orphans recorded progress: \
                 event #{} ({} by {} on {}) no longer applies: {reason}. \
                 Put back what that event refers to (a stage, a participant, a person), or keep the previous definition for this edition.",
                stored.edition,
                stored.version,
                stored.seq,
                stored.event.kind.verb(),
                stored.event.by,
                short_local(state.edition(), stored.event.at),
            )));
        }
    }
    for key in &history.outbox_keys {
        state.record_sent(key);
    }
    Ok(state)
}

/// `2025-01-09 10:00` (or a date, meaning 09:00) in the edition's zone; now
/// when absent.
pub fn instant(edition: &Edition, at: Option<&str>) -> Result<Timestamp, Failure> {
    let Some(text) = at else {
        return Ok(Timestamp::now());
    };
    let text = text.trim();
    let parsed = text
        .parse::<DateTime>()
        .or_else(|_| text.replace(' ', "T").parse::<DateTime>())
        .or_else(|_| {
            text.parse::<Date>()
                .map(|d| d.to_datetime(Time::constant(9, 0, 0, 0)))
        })
        .map_err(|_| {
            Failure::usage(format!(
                "--at `{text}` is not a local date and time such as 2025-01-09 10:00"
            ))
        })?;
    Ok(jalon_core::time::local(
        &edition.time_zone,
        parsed.date(),
        parsed.time(),
    ))
}

fn open(db: &Path) -> Result<SqliteStore, Failure> {
    SqliteStore::open(db).map_err(|e| Failure::usage(e.to_string()))
}

pub fn open_read_only(db: &Path) -> Result<SqliteStore, Failure> {
    if !db.exists() {
        return Err(Failure::usage(format!(
            "there is no database `{}` yet: nothing has been recorded (give it with --db)",
            db.display()
        )));
    }
    SqliteStore::open_read_only(db).map_err(|e| Failure::usage(e.to_string()))
}

/// Records one event; returns what to tell the operator.
pub fn record(
    target: &Target,
    by: &str,
    at: Option<&str>,
    kind: EventKind,
) -> Result<String, Failure> {
    let edition = edition(&target.definitions, &target.edition)?;
    let at = instant(&edition, at)?;
    let event = Event {
        at,
        by: by.to_owned(),
        channel: Channel::Cli,
        kind,
    };
    let mut store = open(&target.db)?;
    let version = edition.version.clone();
    let outcome = store
        .record(&edition.id, |history| {
            let mut state = rebuild(edition.clone(), history)?;
            state
                .apply(&event)
                .map_err(|reason| Failure::refused(format!("refused: {reason}")))?;
            let mut due = Vec::new();
            deliver_until(&mut state, at, |_, action| due.push(action.clone()));
            Ok(Entry {
                event: event.clone(),
                version: version.clone(),
                due,
            })
        })
        .map_err(|e| Failure::usage(e.to_string()))?;
    let recorded = outcome?;
    Ok(format!(
        "recorded #{}: {} ({}), {} message{} queued\n",
        recorded.seq,
        event.kind.verb(),
        short_local(&edition, at),
        recorded.enqueued,
        if recorded.enqueued == 1 { "" } else { "s" }
    ))
}

/// The status table at `at` (now by default).
pub fn status(target: &Target, at: Option<&str>) -> Result<String, Failure> {
    let edition = edition(&target.definitions, &target.edition)?;
    let now = instant(&edition, at)?;
    let history = if target.db.exists() {
        open_read_only(&target.db)?
            .history(&edition.id)
            .map_err(|e| Failure::usage(e.to_string()))?
    } else {
        History::default()
    };
    let state = rebuild(edition, &history)?;
    Ok(crate::status::table(&state, now))
}

/// The audit trail: every event with who, when, how and under which
/// definition version.
pub fn log(target: &Target) -> Result<String, Failure> {
    let store = open_read_only(&target.db)?;
    let history = store
        .history(&target.edition)
        .map_err(|e| Failure::usage(e.to_string()))?;
    let edition = edition(&target.definitions, &target.edition)?;
    let mut out = format!(
        "Log of {} — {} ({} events)\n",
        edition.programme_name,
        edition.name,
        history.events.len()
    );
    for stored in &history.events {
        let details = serde_json::to_value(&stored.event.kind)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .map(|m| {
                m.into_iter()
                    .filter(|(k, _)| k != "do")
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => format!("{k}={s}"),
                        other => format!("{k}={other}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let channel = serde_json::to_value(stored.event.channel)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(
            "#{:<4} {}  {:<10} {:<20} via {:<6} {details}  [definition {}]\n",
            stored.seq,
            short_local(&edition, stored.event.at),
            stored.event.kind.verb(),
            stored.event.by,
            channel,
            stored.version
        ));
    }
    Ok(out)
}
