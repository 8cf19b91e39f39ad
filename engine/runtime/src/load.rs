//! Loading editions: the whole check runs first, and an error carries the
//! check's report so that each shell shows it its way (a terminal in
//! colour, a log line, an operator's email).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jalon_definition::diagnostic::did_you_mean;
use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits, Report};

use crate::archive::Archive;
use crate::check_report;

/// Why the editions cannot be loaded. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path cannot be read at all (missing, not a folder of YAML…).
    #[error("{detail}")]
    Unreadable { detail: String },
    /// The definitions have errors: the report says each, with its place.
    #[error("{}the definitions in `{}` have errors; fix them first", check_report::text(.report, false), .place.display())]
    Invalid { place: PathBuf, report: Box<Report> },
    #[error("there is no edition `{id}` in `{}`{} (editions: {})", .place.display(), hint(.suggestion), .known.join(", "))]
    NoSuchEdition {
        id: String,
        place: PathBuf,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    #[error(
        "`{}` describes no edition (no `edition:` with an id and dates); \
         give an edition file, such as definitions/editions/2024-2025.yaml", .0.display()
    )]
    NoEdition(PathBuf),
    #[error("`{}` holds {count} editions; give one edition file", .place.display())]
    Several { place: PathBuf, count: usize },
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" — did you mean `{s}`?"))
        .unwrap_or_default()
}

/// The files or folders, checked in full: the report, or why not.
fn checked(place: &Path) -> Result<Report, LoadError> {
    let report = check_paths(&[place.to_path_buf()], &Limits::default()).map_err(|e| {
        LoadError::Unreadable {
            detail: e.to_string(),
        }
    })?;
    if report.errors() > 0 {
        return Err(LoadError::Invalid {
            place: place.to_path_buf(),
            report: Box::new(report),
        });
    }
    Ok(report)
}

/// Every edition of a definitions folder (the daemon's set).
pub fn editions(definitions: &Path) -> Result<Vec<Arc<Edition>>, LoadError> {
    editions_kept(definitions).map(|(editions, _)| editions)
}

/// The same, with the files to keep with the editions' versions.
pub fn editions_kept(definitions: &Path) -> Result<(Vec<Arc<Edition>>, Archive), LoadError> {
    let mut report = checked(definitions)?;
    let archive = Archive::of(definitions, &report);
    let editions = std::mem::take(&mut report.editions)
        .into_iter()
        .map(|(_, edition)| Arc::new(edition))
        .collect();
    Ok((editions, archive))
}

/// The edition `id` of a definitions folder.
pub fn edition(definitions: &Path, id: &str) -> Result<Arc<Edition>, LoadError> {
    edition_kept(definitions, id).map(|(edition, _)| edition)
}

/// The same, with the files to keep with its version.
pub fn edition_kept(definitions: &Path, id: &str) -> Result<(Arc<Edition>, Archive), LoadError> {
    let report = checked(definitions)?;
    let archive = Archive::of(definitions, &report);
    let known: Vec<String> = report.editions.iter().map(|(_, e)| e.id.clone()).collect();
    match report.editions.into_iter().find(|(_, e)| e.id == id) {
        Some((_, edition)) => Ok((Arc::new(edition), archive)),
        None => Err(LoadError::NoSuchEdition {
            id: id.to_owned(),
            place: definitions.to_path_buf(),
            suggestion: did_you_mean(id, known.iter().map(String::as_str)).map(str::to_owned),
            known,
        }),
    }
}

/// The one edition an edition file describes (`plan`, `simulate`, `graph`).
pub fn edition_file(path: &Path) -> Result<Arc<Edition>, LoadError> {
    let mut editions = checked(path)?.editions;
    match editions.len() {
        1 => Ok(Arc::new(editions.remove(0).1)),
        0 => Err(LoadError::NoEdition(path.to_path_buf())),
        count => Err(LoadError::Several {
            place: path.to_path_buf(),
            count,
        }),
    }
}
