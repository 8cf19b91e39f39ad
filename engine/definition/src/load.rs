//! The whole check of definition files: read (with a byte cap) → parse →
//! follow `extends` → merge → read the model from the tree (or, when it
//! does not read, check its structure against the schema) → check
//! meaning. Every problem is collected; nothing stops at the first.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::files::{extends_target, is_yaml, kind_of, read_capped, root_of, ReadProblem, Refusal};
use crate::from_tree;
use crate::model::Document;
use crate::resolved::Edition;
use crate::schema::check_structure;
use crate::source::{FileId, Sources, Span};
use crate::tree::{merge, settle_appends, MergeNotes, Node};
use crate::validate::check_document;
use crate::version::content_hash;
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
///
/// Each file's `extends` chain stays inside a root: the folder given, or
/// for a file given alone the folder above its own (see [`crate::files`]).
/// In a folder, what is not a regular YAML file inside it (a FIFO, a
/// device, a link leading out) is skipped with a warning.
pub fn check_paths(paths: &[PathBuf], limits: &Limits) -> Result<Report, UsageError> {
    let Listing { files, skipped } = list(paths)?;
    let mut loader = Loader::new(limits);
    for (path, why) in skipped {
        loader.skipped(path, why);
    }
    for (file, root) in files {
        loader.root = root;
        loader.check_file(&file);
    }
    Ok(loader.finish())
}

/// The definition files a check of `paths` reads, each with the folder its
/// `extends` chain must stay in, and what it skips (with why).
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<(PathBuf, PathBuf)>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// Lists what [`check_paths`] would check, in the order it would.
pub fn list(paths: &[PathBuf]) -> Result<Listing, UsageError> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        if path.is_dir() {
            let root = root_of(path, true);
            let before = files.len() + skipped.len();
            collect_yaml(path, &root, &mut files, &mut skipped)?;
            if files.len() + skipped.len() == before {
                return Err(UsageError::NoDefinitions(path.clone()));
            }
        } else if path.exists() {
            files.push((path.clone(), root_of(path, false)));
        } else {
            return Err(UsageError::NotFound(path.clone()));
        }
    }
    Ok(Listing { files, skipped })
}

/// One definition file of a listing checked alone, with the files it
/// extends: the same report as [`check_paths`] on that file in `root`, and
/// each `extends` followed (as written, and the file it named).
pub fn check_file(path: &Path, root: &Path, limits: &Limits) -> (Report, Vec<(String, PathBuf)>) {
    let mut loader = Loader::new(limits);
    loader.root = root.to_path_buf();
    loader.check_file(path);
    let links = std::mem::take(&mut loader.links);
    (loader.finish(), links)
}
/// Whether a definition file's text names one of `ids` as a whole word: a
/// hint of which file holds an edition before it is checked (only ever
/// used to choose an order; a regular file only, read under the byte cap).
pub fn mentions(path: &Path, ids: &[String], limits: &Limits) -> bool {
    let Ok(text) = read_capped(path, limits.max_bytes) else {
        return false;
    };
    let in_id = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    ids.iter().filter(|id| !id.is_empty()).any(|id| {
        text.match_indices(id.as_str()).any(|(at, _)| {
            !in_id(text[..at].chars().next_back()) && !in_id(text[at + id.len()..].chars().next())
        })
    })
}

/// The folder of simulation scripts, skipped when a folder is checked.
pub const SCRIPTS_FOLDER: &str = "simulations";

/// The folder of recorded histories (`jalon import`), skipped likewise.
pub const HISTORY_FOLDER: &str = "history";

/// Whether a folder beside the definitions holds scripts, not definitions.
pub fn holds_scripts(name: &std::ffi::OsStr) -> bool {
    name == SCRIPTS_FOLDER || name == HISTORY_FOLDER
}

fn collect_yaml(
    dir: &Path,
    root: &Path,
    out: &mut Vec<(PathBuf, PathBuf)>,
    skipped: &mut Vec<(PathBuf, String)>,
) -> Result<(), UsageError> {
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
            collect_yaml(&path, root, out, skipped)?;
        } else if is_yaml(&path) {
            // Looked at, not opened: a FIFO would block the whole check.
            match (std::fs::canonicalize(&path), kind_of(&path)) {
                (Ok(real), _) if !real.starts_with(root) || !is_yaml(&real) => skipped.push((
                    path,
                    format!(
                        "a link to `{}`, outside the definitions folder or not a YAML file",
                        real.display()
                    ),
                )),
                (_, Ok(Some(kind))) => skipped.push((path, kind.to_owned())),
                _ => out.push((path, root.to_path_buf())),
            }
        }
    }
    Ok(())
}

/// A merged definition as read, with what the schema pass removed.
struct Read {
    document: Document,
    /// JSON pointers of the values reported and pruned.
    removed: Vec<String>,
    structural_errors: bool,
}

/// A file parsed without error. A file extended by others keeps its tree
/// (read once, a template serves every edition); a file only checked keeps
/// where its text is, parsed again should a file extend it later, rather
/// than a copy of its tree made on the off chance.
#[derive(Clone)]
enum Parsed {
    Tree(Node),
    Text(FileId),
}

/// Why a file gave no tree (the problem is reported either way).
enum Unread {
    /// It does not fit what is left of one chain's budget.
    OverBudget,
    /// It cannot be read or parsed, whoever extends it.
    Reported,
}

struct Loader<'a> {
    limits: &'a Limits,
    report: Report,
    /// Parsed files by canonical path: a template read once serves every edition.
    /// With each, its size in bytes: a definition's whole chain is budgeted.
    trees: HashMap<PathBuf, Result<(Parsed, u64), ()>>,
    /// The `extends` chain being followed, as the user wrote the paths.
    chain_names: Vec<String>,
    /// The folder the current file's `extends` chain must stay in.
    root: PathBuf,
    /// What merging the current file's chain removed and replaced.
    notes: MergeNotes,
    /// Each `extends` followed: as written, and the file it named.
    links: Vec<(String, PathBuf)>,
}

impl<'a> Loader<'a> {
    fn new(limits: &'a Limits) -> Self {
        Loader {
            limits,
            report: Report::default(),
            trees: HashMap::new(),
            chain_names: Vec::new(),
            root: PathBuf::new(),
            notes: MergeNotes::default(),
            links: Vec::new(),
        }
    }

    fn skipped(&mut self, path: PathBuf, why: String) {
        let file = self.report.sources.add(path.clone(), String::new());
        self.report.diagnostics.push(
            Diagnostic::warning(
                "not-a-definition",
                format!("`{}` is {why}; it is skipped", path.display()),
            )
            .at(Span {
                file,
                start: 0,
                end: 1,
            })
            .hint("keep only definition files (*.yaml) in the definitions folder"),
        );
    }

    fn finish(self) -> Report {
        let mut report = self.report;
        // A template's problems show once, however many editions extend it.
        let mut seen = std::collections::HashSet::new();
        report.diagnostics.retain(|d| seen.insert(d.clone()));
        report
            .diagnostics
            .sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
        report
    }

    fn check_file(&mut self, path: &Path) {
        self.report.checked.push(path.to_path_buf());
        self.notes = MergeNotes::default();
        let Some(merged) = self.resolve(path, &mut Vec::new(), None, 0) else {
            return;
        };
        // A valid file, the usual case, reads straight from its tree; the
        // schema is the slow path, for a file that does not (its report
        // says why, where).
        let read = match from_tree::document(&merged) {
            Some(document) => Read {
                document,
                removed: Vec::new(),
                structural_errors: false,
            },
            None => match self.read_through_schema(&merged) {
                Some(read) => read,
                None => return,
            },
        };
        let (mut diagnostics, edition) = check_document(
            read.document,
            &merged,
            &read.removed,
            &self.notes.removed,
            &self.report.sources,
        );
        diagnostics.iter_mut().for_each(|d| self.notes.relate(d));
        self.report.diagnostics.extend(diagnostics);
        if let (Some(mut edition), false) = (edition, read.structural_errors) {
            // Without structural errors nothing was pruned: the version is
            // that of the tree as merged.
            edition.version = content_hash(&merged);
            self.report.editions.push((path.to_path_buf(), edition));
        }
    }

    /// The definition read through its JSON, checked against the schema:
    /// every structural problem reported, bad values pruned so that the
    /// meaning of the rest can still be checked; `None` when it cannot be.
    fn read_through_schema(&mut self, merged: &Node) -> Option<Read> {
        let mut json = merged.to_json();
        let structure = check_structure(merged, &mut json);
        let structural_errors = !structure.diagnostics.is_empty();
        let mut structural = structure.diagnostics;
        structural.iter_mut().for_each(|d| self.notes.relate(d));
        self.report.diagnostics.extend(structural);
        if !structure.pruned {
            return None;
        }
        match serde_json::from_value(json) {
            Ok(document) => Some(Read {
                document,
                removed: structure.removed,
                structural_errors,
            }),
            Err(e) => {
                self.report.diagnostics.push(
                    Diagnostic::error("internal", format!("the definition passed the schema but could not be read ({e}); this is a bug in Jalon"))
                        .at(merged.span),
                );
                None
            }
        }
    }

    /// The tree of `path` with its `extends` chain merged in; `spent` is
    /// what the files extending it hold, in bytes.
    fn resolve(
        &mut self,
        path: &Path,
        chain: &mut Vec<PathBuf>,
        from: Option<Span>,
        spent: u64,
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
        let (tree, size) = self.parse(path, &canonical, from, spent)?;
        let Some(entry) = tree.entry("extends") else {
            let mut tree = tree;
            settle_appends(&mut tree);
            return Some(tree);
        };
        let Some(parent) = entry.value.as_str() else {
            // The schema check reports the wrong type.
            return Some(tree);
        };
        let at = entry.value.span;
        let parent_path = match extends_target(&self.root, path, parent) {
            Ok(p) => p,
            Err(refusal) => {
                self.refuse_extends(parent, refusal, at);
                return None;
            }
        };
        self.links.push((parent.to_owned(), parent_path.clone()));
        chain.push(canonical);
        self.chain_names.push(path.display().to_string());
        let base = self.resolve(&parent_path, chain, Some(at), spent + size);
        chain.pop();
        self.chain_names.pop();
        let base = base?;
        let mut merged = merge(base, tree, &mut self.notes);
        settle_appends(&mut merged);
        self.report.diagnostics.append(&mut self.notes.problems);
        Some(merged)
    }

    fn refuse_extends(&mut self, written: &str, refusal: Refusal, at: Span) {
        let diagnostic = match refusal {
            Refusal::Outside => Diagnostic::error(
                "extends-outside",
                format!("`extends: {written}` leads outside the definitions folder; it is not read"),
            )
            .label("outside the definitions folder")
            .hint(format!("`extends` takes a path relative to this file that stays in `{}`, e.g. `../programmes/val-doise.yaml`", self.root.display())),
            Refusal::NotYaml => Diagnostic::error(
                "extends-not-yaml",
                format!("`extends: {written}` is not a definition file (*.yaml or *.yml); it is not read"),
            )
            .label("not a definition file")
            .hint("`extends` names a programme template, e.g. `../programmes/val-doise.yaml`"),
        };
        self.report.diagnostics.push(diagnostic.at(at));
    }

    fn parse(
        &mut self,
        path: &Path,
        canonical: &Path,
        from: Option<Span>,
        spent: u64,
    ) -> Option<(Node, u64)> {
        let (parsed, size) = match self.trees.get(canonical) {
            Some(Ok((parsed, size))) => (parsed.clone(), *size),
            Some(Err(())) => return None,
            None => match self.read_and_parse(path, from, spent) {
                Ok((tree, size)) => {
                    let kept = match from {
                        Some(_) => Parsed::Tree(tree.clone()),
                        None => Parsed::Text(tree.span.file),
                    };
                    self.trees.insert(canonical.to_path_buf(), Ok((kept, size)));
                    (Parsed::Tree(tree), size)
                }
                // Over this chain's budget only: a shorter chain may read it.
                Err(Unread::OverBudget) => return None,
                Err(Unread::Reported) => {
                    self.trees.insert(canonical.to_path_buf(), Err(()));
                    return None;
                }
            },
        };
        // A file read for a shorter chain may not fit this one.
        if spent + size > self.limits.max_bytes {
            self.too_large_chain(path, size, spent, from);
            return None;
        }
        let tree = match parsed {
            Parsed::Tree(tree) => tree,
            Parsed::Text(file) => {
                // It parsed before: the same text under the same limits
                // parses again.
                let tree = load(file, &self.report.sources.get(file).text, self.limits).ok()?;
                if from.is_some() {
                    let kept = Parsed::Tree(tree.clone());
                    self.trees.insert(canonical.to_path_buf(), Ok((kept, size)));
                }
                tree
            }
        };
        Some((tree, size))
    }

    fn too_large_chain(&mut self, path: &Path, size: u64, spent: u64, from: Option<Span>) {
        let max = self.limits.max_bytes;
        let at = from.unwrap_or_else(|| {
            let file = self.report.sources.add(path.to_path_buf(), String::new());
            Span {
                file,
                start: 0,
                end: 1,
            }
        });
        self.report.diagnostics.push(
            Diagnostic::error(
                "definition-too-large",
                format!("`{}` holds {size} bytes; with the {spent} bytes of the files extending it, this definition would exceed {max} bytes in all", path.display()),
            )
            .at(at)
            .label("too large for what is left")
            .hint("a definition with every file it extends is limited in all; check that this is the right template"),
        );
    }

    fn read_and_parse(
        &mut self,
        path: &Path,
        from: Option<Span>,
        spent: u64,
    ) -> Result<(Node, u64), Unread> {
        let left = self.limits.max_bytes.saturating_sub(spent);
        let text = match read_capped(path, left) {
            Ok(text) => text,
            Err(ReadProblem::TooLarge(size)) if spent > 0 && size <= self.limits.max_bytes => {
                self.too_large_chain(path, size, spent, from);
                return Err(Unread::OverBudget);
            }
            Err(ReadProblem::NotUtf8 { text, at }) => {
                // The file itself (a definition it names, never a refused
                // target) is kept so the snippet shows the bad byte's line.
                let file = self.report.sources.add(path.to_path_buf(), text);
                self.report.diagnostics.push(
                    Diagnostic::error(
                        "not-utf8",
                        format!("`{}` is not UTF-8 text", path.display()),
                    )
                    .at(Span {
                        file,
                        start: at,
                        end: at + 1,
                    })
                    .label("first byte that is not UTF-8")
                    .hint("save the file as UTF-8 in your editor"),
                );
                return Err(Unread::Reported);
            }
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
                    ReadProblem::NotAFile(kind) => Diagnostic::error(
                        "not-a-file",
                        format!("`{}` is {kind}, not a definition file; it is not read", path.display()),
                    )
                    .label("not a definition file")
                    .hint("name a definition file (*.yaml), e.g. `extends: ../programmes/val-doise.yaml`"),
                    ReadProblem::Io(e) => Diagnostic::error("unreadable", format!("cannot read `{}`: {e}", path.display()))
                        .hint("check the path (relative to the file that names it) and the file's permissions"),
                    ReadProblem::NotUtf8 { .. } => return Err(Unread::Reported),
                };
                self.report.diagnostics.push(diagnostic.at(at));
                return Err(Unread::Reported);
            }
        };
        let size = text.len() as u64;
        let file = self.report.sources.add(path.to_path_buf(), text);
        let text = &self.report.sources.get(file).text;
        load(file, text, self.limits)
            .map(|tree| (tree, size))
            .map_err(|e| {
                let d = load_diagnostic(&e);
                self.report.diagnostics.push(d);
                Unread::Reported
            })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_mentions_an_id_only_as_a_whole_word() {
        let dir = tempfile::tempdir().expect("a folder");
        let file = dir.path().join("e.yaml");
        std::fs::write(&file, "edition: {id: promo-2027, name: x}\n").expect("written");
        let limits = Limits::default();
        let says = |id: &str| mentions(&file, &[id.to_owned()], &limits);
        assert!(says("promo-2027"));
        assert!(!says("promo-202"), "a prefix is not the id");
        assert!(!says("2027"), "nor a suffix");
        assert!(!says(""));
        let missing = dir.path().join("missing.yaml");
        assert!(!mentions(&missing, &["promo-2027".to_owned()], &limits));
    }
}
