//! Recorded histories: an edition's past as a file of dated acts (the
//! simulation-script format), imported all or nothing. The editions shipped
//! with Jalon carry theirs in `definitions/history/EDITION.yaml`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jalon_core::{Channel, Event};
use jalon_definition::load::HISTORY_FOLDER;
use jalon_definition::resolved::Edition;
use jalon_definition::Report;
use jalon_store::{Store, StoreError};
use jiff::Timestamp;

use crate::check_report;
use jalon_core::clock::deliver_until;
use jalon_store::Entry;

use crate::record::{not_future, RecordError};
use crate::replay::replay;
use crate::script;

/// Why a history was not imported. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{}", check_report::text(.0, false))]
    Unreadable(Box<Report>),
    #[error(
        "{place}: a history records what happened; a step expected to be refused \
         (`expect: rejected`) belongs in a simulation script"
    )]
    Rehearsal { place: String },
    #[error("{place}: {source}; nothing was imported")]
    Refused {
        place: String,
        #[source]
        source: RecordError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The history shipped beside the definitions for this edition, if any.
pub fn shipped(definitions: &Path, edition: &Edition) -> Option<PathBuf> {
    let path = definitions
        .join(HISTORY_FOLDER)
        .join(format!("{}.yaml", edition.id));
    path.is_file().then_some(path)
}

/// Imports the history in `path` (see [`import`]).
pub fn import_file<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    path: &Path,
    now: Timestamp,
) -> Result<Imported, HistoryError> {
    let script =
        script::read(path, edition).map_err(|report| HistoryError::Unreadable(Box::new(report)))?;
    if let Some(step) = script.steps.iter().find(|s| s.expect_rejected) {
        return Err(HistoryError::Rehearsal {
            place: step.place.clone(),
        });
    }
    let events: Vec<Event> = script
        .steps
        .iter()
        .map(|step| {
            let mut event = step.event.clone();
            if event.channel == Channel::Script {
                event.channel = Channel::Import;
            }
            event
        })
        .collect();
    import(store, edition, &events, now).map_err(|e| match e {
        ImportError::Event { index, source } => HistoryError::Refused {
            place: script
                .steps
                .get(index)
                .map_or_else(String::new, |s| s.place.clone()),
            source,
        },
        ImportError::Store(e) => HistoryError::Store(e),
    })
}

/// What an import did.
#[derive(Debug, PartialEq, Eq)]
pub struct Imported {
    /// Events written now.
    pub recorded: usize,
    /// Events of the file the log already held (an import run again).
    pub already: usize,
    /// Messages the imported acts made due, recorded expired: they belong
    /// to the past the file tells, not to today's mail.
    pub withheld: usize,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The event at this index of the file does not fit.
    #[error("event {} of the file: {source}", .index + 1)]
    Event {
        index: usize,
        #[source]
        source: RecordError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records a history in one transaction, all or nothing: events the log
/// already holds (same instant, person and act) are skipped, so importing
/// the same file twice records it once; the others are checked in order by
/// the core. The messages they make due are recorded expired, never sent.
pub fn import<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    events: &[Event],
    now: Timestamp,
) -> Result<Imported, ImportError> {
    // Another process (a replica starting too) may append meanwhile: the
    // import is then worked out again on the new history.
    loop {
        if let Some(imported) = import_once(store, edition, events, now)? {
            return Ok(imported);
        }
    }
}

/// One try of [`import`]: `None` when another writer appended first.
fn import_once<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    events: &[Event],
    now: Timestamp,
) -> Result<Option<Imported>, ImportError> {
    let history = store.history(&edition.id)?;
    let seen = history.events.last().map(|e| e.seq);
    let known = |event: &Event| {
        history
            .events
            .iter()
            .any(|s| s.event.at == event.at && s.event.by == event.by && s.event.kind == event.kind)
    };
    let mut state = replay(edition.clone(), &history).map_err(|orphaned| ImportError::Event {
        index: 0,
        source: RecordError::Orphaned(orphaned),
    })?;
    let mut entries = Vec::new();
    let mut already = 0;
    for (index, event) in events.iter().enumerate() {
        if known(event) {
            already += 1;
            continue;
        }
        let failed = |source| ImportError::Event { index, source };
        not_future(edition, event, now).map_err(failed)?;
        state
            .apply(event)
            .map_err(|r| failed(RecordError::Refused(r)))?;
        let mut due = Vec::new();
        deliver_until(&mut state, event.at, |_, action| due.push(action.clone()));
        entries.push(Entry::new(event.clone(), edition.version.clone(), due));
    }
    let withheld: Vec<jalon_store::Mark> = entries
        .iter()
        .flat_map(|e| &e.due)
        .map(|action| jalon_store::Mark {
            key: action.key.to_string(),
            outcome: jalon_store::Delivery::Expired,
            detail: Some("imported history: a past act's message, not sent by Jalon".into()),
            at: now,
            retry_at: None,
            then_queue: Vec::new(),
        })
        .collect();
    // In one transaction: a message of the past is never pending for a
    // moment a dispatcher could send it in.
    if store
        .append_if_last(&edition.id, seen, &entries, &withheld)?
        .is_none()
    {
        return Ok(None);
    }
    Ok(Some(Imported {
        recorded: entries.len(),
        already,
        withheld: withheld.len(),
    }))
}
