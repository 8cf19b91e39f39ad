//! Loading the one edition a command works on: the whole check runs first,
//! and any error is shown exactly as `jalon check` shows it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits};

use crate::render;

/// Why a command cannot start. The message is already printed.
pub struct Failed;

pub fn load(path: &Path) -> Result<Arc<Edition>, Failed> {
    let report = match check_paths(&[path.to_path_buf()], &Limits::default()) {
        Ok(report) => report,
        Err(usage) => {
            eprintln!("error: {usage}");
            return Err(Failed);
        }
    };
    if report.errors() > 0 {
        eprint!("{}", render::text(&report, crate::color_wanted_stderr()));
        eprintln!(
            "error: `{}` has errors; fix them first (`jalon check {}`)",
            path.display(),
            path.display()
        );
        return Err(Failed);
    }
    let mut editions: Vec<(PathBuf, Edition)> = report.editions;
    match editions.len() {
        1 => Ok(Arc::new(editions.remove(0).1)),
        0 => {
            eprintln!(
                "error: `{}` describes no edition (no `edition:` with an id and dates); \
                 give an edition file, such as definitions/editions/2024-2025.yaml",
                path.display()
            );
            Err(Failed)
        }
        n => {
            eprintln!(
                "error: `{}` holds {n} editions; give one edition file",
                path.display()
            );
            Err(Failed)
        }
    }
}
