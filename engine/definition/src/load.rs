//! The whole check of definition files: read (with a byte cap) → parse →
//! follow `extends` → merge → check structure against the schema → check
//! meaning. Every problem is collected; nothing stops at the first.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::model::Document;
use crate::resolved::Edition;
use crate::schema::check_structure;
use crate::source::{Sources, Span};
use crate::tree::{merge, Node};
use crate::validate::check_document;
use crate::yaml::{load, Limits, LoadError};

/// What a check found, over every file it read.
#[derive(Debug, Default)]
pub struct Report {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// The editions that checked without error, with the file each came from.
    pub editions: Vec<(PathBuf, Edition)>,
    /// The definition files checked (templates they extend are read too).
    pub checked: Vec<PathBuf>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// A request the checker cannot act on (distinct from problems in a file).
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("`{0}` does not exist")]
    NotFound(PathBuf),
    #[error("`{0}` holds no definition files (*.yaml or *.yml)")]
    NoDefinitions(PathBuf),
    #[error("cannot read `{path}`: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Checks files and folders (searched for `*.yaml` and `*.yml`).
pub fn check_paths(paths: &[PathBuf], limits: &Limits) -> Result<Report, UsageError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = files.len();
            collect_yaml(path, &mut files)?;
            if files.len() == before {
                return Err(UsageError::NoDefinitions(path.clone()));
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            return Err(UsageError::NotFound(path.clone()));
        }
    }
    let mut loader = Loader {
        limits,
        report: Report::default(),
        trees: HashMap::new(),
        chain_names: Vec::new(),
    };
    for file in files {
        loader.check_file(&file);
    }
    let mut report = loader.report;
    // A template's problems show once, however many editions extend it.
    let mut seen = std::collections::HashSet::new();
    report.diagnostics.retain(|d| seen.insert(d.clone()));
    report
        .diagnostics
        .sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
    Ok(report)
}

/// The first 16 hex digits of the SHA-256 of the merged definition: the
/// same content gives the same version whatever its layout or comments.
fn content_hash(json: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(json.to_string().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The folder of simulation scripts, skipped when a folder is checked.
pub const SCRIPTS_FOLDER: &str = "simulations";

/// The folder of recorded histories (`jalon import`), skipped likewise.
pub const HISTORY_FOLDER: &str = "history";

/// Whether a folder beside the definitions holds scripts, not definitions.
pub fn holds_scripts(name: &std::ffi::OsStr) -> bool {
    name == SCRIPTS_FOLDER || name == HISTORY_FOLDER
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), UsageError> {
    let unreadable = |source| UsageError::Unreadable {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        // Simulation scripts and histories live beside the definitions but
        // are not definitions; `jalon simulate` and `jalon import` read them.
        if path.is_dir() && path.file_name().is_some_and(holds_scripts) {
            continue;
        }
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

struct Loader<'a> {
    limits: &'a Limits,
    report: Report,
    /// Parsed files by canonical path: a template read once serves every edition.
    trees: HashMap<PathBuf, Result<Node, ()>>,
    /// The `extends` chain being followed, as the user wrote the paths.
    chain_names: Vec<String>,
}

impl Loader<'_> {
    fn check_file(&mut self, path: &Path) {
        self.report.checked.push(path.to_path_buf());
        let Some(merged) = self.resolve(path, &mut Vec::new(), None) else {
            return;
        };
        let mut json = merged.to_json();
        let structure = check_structure(&merged, &mut json);
        let pruned = structure.pruned;
        let structure_removed = structure.removed;
        let structural_errors = !structure.diagnostics.is_empty();
        self.report.diagnostics.extend(structure.diagnostics);
        if !pruned {
            return;
        }
        let version = content_hash(&json);
        let document: Document = match serde_json::from_value(json) {
            Ok(d) => d,
            Err(e) => {
                self.report.diagnostics.push(
                    Diagnostic::error("internal", format!("the definition passed the schema but could not be read ({e}); this is a bug in Jalon"))
                        .at(merged.span),
                );
                return;
            }
        };
        let (diagnostics, edition) =
            check_document(&document, &merged, &structure_removed, &self.report.sources);
        self.report.diagnostics.extend(diagnostics);
        if let (Some(mut edition), false) = (edition, structural_errors) {
            edition.version = version;
            self.report.editions.push((path.to_path_buf(), edition));
        }
    }

    /// The tree of `path` with its `extends` chain merged in.
    fn resolve(
        &mut self,
        path: &Path,
        chain: &mut Vec<PathBuf>,
        from: Option<Span>,
    ) -> Option<Node> {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(i) = chain.iter().position(|p| *p == canonical) {
            let mut names: Vec<String> = self.chain_names[i..].to_vec();
            names.push(path.display().to_string());
            self.report.diagnostics.push(
                Diagnostic::error(
                    "extends-cycle",
                    format!(
                        "these files extend each other in a circle: {}",
                        names.join(" → ")
                    ),
                )
                .at_opt(from)
                .hint("a template must not extend the file that extends it"),
            );
            return None;
        }
        let tree = self.parse(path, &canonical, from)?;
        let Some(entry) = tree.entry("extends") else {
            return Some(tree);
        };
        let Some(parent) = entry.value.as_str() else {
            // The schema check reports the wrong type.
            return Some(tree);
        };
        let parent_path = normalise(&path.parent().unwrap_or(Path::new(".")).join(parent));
        chain.push(canonical);
        self.chain_names.push(path.display().to_string());
        let base = self.resolve(&parent_path, chain, Some(entry.value.span));
        chain.pop();
        self.chain_names.pop();
        let base = base?;
        Some(merge(base, tree))
    }

    fn parse(&mut self, path: &Path, canonical: &Path, from: Option<Span>) -> Option<Node> {
        if let Some(cached) = self.trees.get(canonical) {
            return cached.clone().ok();
        }
        let result = self.read_and_parse(path, from);
        self.trees
            .insert(canonical.to_path_buf(), result.clone().map_err(|_| ()));
        result.ok()
    }

    fn read_and_parse(&mut self, path: &Path, from: Option<Span>) -> Result<Node, ()> {
        let text = match read_capped(path, self.limits.max_bytes) {
            Ok(text) => text,
            Err(problem) => {
                let file = self.report.sources.add(path.to_path_buf(), String::new());
                let at = from.unwrap_or(Span {
                    file,
                    start: 0,
                    end: 1,
                });
                let diagnostic = match problem {
                    ReadProblem::TooLarge(size) => Diagnostic::error(
                        "file-too-large",
                        format!("`{}` is {} bytes; definitions are limited to {} bytes", path.display(), size, self.limits.max_bytes),
                    )
                    .hint("split the edition, or check that this is the right file"),
                    ReadProblem::NotUtf8 => Diagnostic::error("not-utf8", format!("`{}` is not UTF-8 text", path.display()))
                        .hint("save the file as UTF-8 in your editor"),
                    ReadProblem::Io(e) => Diagnostic::error("unreadable", format!("cannot read `{}`: {e}", path.display()))
                        .hint("check the path (relative to the file that names it) and the file's permissions"),
                };
                self.report.diagnostics.push(diagnostic.at(at));
                return Err(());
            }
        };
        let file = self.report.sources.add(path.to_path_buf(), text);
        let text = &self.report.sources.get(file).text;
        load(file, text, self.limits).map_err(|e| {
            let d = load_diagnostic(&e);
            self.report.diagnostics.push(d);
        })
    }
}

/// `a/b/../c` → `a/c`, without touching the disk, so messages show the
/// path a person would write.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir
                if matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                ) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

enum ReadProblem {
    TooLarge(u64),
    NotUtf8,
    Io(std::io::Error),
}

/// Reads at most `max_bytes`, refusing bigger files before parsing anything.
fn read_capped(path: &Path, max_bytes: u64) -> Result<String, ReadProblem> {
    let file = File::open(path).map_err(ReadProblem::Io)?;
    let size = file.metadata().map_err(ReadProblem::Io)?.len();
    if size > max_bytes {
        return Err(ReadProblem::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadProblem::TooLarge(bytes.len() as u64));
    }
    let mut text = String::from_utf8(bytes).map_err(|_| ReadProblem::NotUtf8)?;
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    Ok(text)
}

/// The diagnostic for a file that does not parse.
pub fn load_diagnostic(error: &LoadError) -> Diagnostic {
    let base = |code| Diagnostic::error(code, error.to_string()).at(error.span());
    match error {
        LoadError::Syntax { .. } => base("yaml-syntax")
            .hint("check the indentation and the brackets or quotes around this point"),
        LoadError::TooDeep { .. } => base("too-deep")
            .hint("a definition needs only a few levels; this file looks generated or hostile"),
        LoadError::TooManyNodes { .. } => base("too-many-values")
            .hint("split the definition; this file looks generated or hostile"),
        LoadError::AliasBudget { .. } => {
            base("alias-bomb").hint("aliases (`*name`) may repeat a few values, not multiply them")
        }
        LoadError::UnknownAlias { .. } => {
            base("yaml-syntax").hint("define the anchor (`&name`) before using it")
        }
        LoadError::DuplicateKey { first, .. } => base("duplicate-key")
            .label("second time")
            .related(Some(*first), "first time")
            .hint("keep one of them"),
        LoadError::ComplexKey { .. } => {
            base("yaml-syntax").hint("keys are plain words such as `title`")
        }
        LoadError::UnsupportedTag { .. } => {
            base("yaml-syntax").hint("remove the tag; Jalon reads plain values")
        }
        LoadError::MergeKey { .. } => {
            base("yaml-syntax").hint("use `extends:` to reuse a template, or repeat the keys")
        }
        LoadError::SeveralDocuments { .. } => {
            base("yaml-syntax").hint("put each edition in its own file")
        }
        LoadError::Empty { .. } => {
            base("empty-file").hint("a definition starts with `programme:` or `extends:`")
        }
    }
}
