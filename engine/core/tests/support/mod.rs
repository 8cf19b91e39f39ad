//! Loading real definitions for the core's tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jalon_core::State;
use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A checked edition from a file of the repository (panics with the
/// diagnostics when it does not load: a test fixture must be valid).
pub fn edition(relative: &str) -> Arc<Edition> {
    let path = repo().join(relative);
    let report = check_paths(&[path], &Limits::default()).expect("readable");
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let (_, edition) = report.editions.into_iter().next().expect("an edition");
    Arc::new(edition)
}

pub fn state(relative: &str) -> State {
    State::new(edition(relative))
}
