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
use crate::record::{self, ImportError, Imported, RecordError};
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

/// Imports the history in `path` (see [`record::import`]).
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
    record::import(store, edition, &events, now).map_err(|e| match e {
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
