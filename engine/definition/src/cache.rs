//! Checked definitions kept by content, so that a daemon restarting on the
//! same files does not check them all again. The cache can only make a
//! check faster, never change its result: an entry is found by the hash of
//! everything the check of a file depends on — this build of Jalon, the
//! limits, the folder `extends` must stay in, the file's path and text —
//! and used only when every file its `extends` chain names resolves the
//! same way today and holds the same text. An entry that is truncated,
//! altered, written by another build or otherwise not as expected is
//! ignored, and replaced by the result of a fresh check. Only checks
//! without errors are kept: a definition with errors is always checked
//! afresh, so its report is always the checker's own.
//!
//! One file per definition file (the name is its key), written whole
//! then renamed into place. [`CheckCache::prune`], after a check of the
//! whole folder, removes the entries that check did not use: what is left
//! is bounded by the files of the definitions folder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Severity};
use crate::files::{extends_target, read_capped};
use crate::load::{check_file, Report};
use crate::resolved::Edition;
use crate::source::{FileId, Span};
use crate::yaml::Limits;

/// Bumped when what an entry holds changes shape.
const FORMAT: u32 = 1;

/// Entries' file names end so; anything else in the folder is left alone.
const SUFFIX: &str = ".checked";

/// A folder of checked definitions.
pub struct CheckCache {
    dir: PathBuf,
    build: String,
    /// Entries found or written since the cache was opened.
    used: Mutex<HashSet<String>>,
    /// Checks answered by an entry.
    hits: AtomicU64,
}

/// What an entry holds.
#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    build: String,
    /// Its own key, so that an entry renamed is not taken for another.
    key: String,
    /// Each `extends` followed: as written, and the file it named.
    links: Vec<(String, PathBuf)>,
    /// The hash of the chain's files as they were checked.
    chain: String,
    edition: Option<Edition>,
    warnings: Vec<Warning>,
}

/// A warning, its places as (index of the file in the chain, start, end).
#[derive(Serialize, Deserialize)]
struct Warning {
    code: String,
    message: String,
    span: Option<(u32, u32, u32)>,
    label: Option<String>,
    hint: Option<String>,
    related: Vec<((u32, u32, u32), String)>,
}

impl CheckCache {
    /// The cache in `dir` (created when the first entry is written), for
    /// this build of Jalon.
    pub fn new(dir: PathBuf) -> Self {
        Self::for_build(dir, this_build().to_owned())
    }

    /// The same for another build (a test's stand-in for another version).
    pub fn for_build(dir: PathBuf, build: String) -> Self {
        CheckCache {
            dir,
            build,
            used: Mutex::new(HashSet::new()),
            hits: AtomicU64::new(0),
        }
    }

    /// How many checks an entry answered since the cache was opened.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What [`check_file`] says of `path` in `root`: from an entry when one
    /// holds exactly this check, else checked now (and kept when clean).
    pub fn check_file(&self, path: &Path, root: &Path, limits: &Limits) -> Report {
        if let Ok(text) = read_capped(path, limits.max_bytes) {
            let key = self.key(limits, root, path, &text);
            if let Some(report) = self.found(&key, path, root, limits, text) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                self.use_key(key);
                return report;
            }
        }
        let (report, links) = check_file(path, root, limits);
        if report.errors() == 0 {
            if let Some(key) = self.keep(&report, &links, path, root, limits) {
                self.use_key(key);
            }
        }
        report
    }

    /// Removes the entries no check used since the last prune (and files
    /// left half-written). Returns how many were removed.
    pub fn prune(&self) -> usize {
        let used = self
            .used
            .lock()
            .map(|mut u| std::mem::take(&mut *u))
            .unwrap_or_default();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        entries
            .filter_map(Result::ok)
            .filter(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let ours = name.ends_with(SUFFIX) || name.contains(".part-");
                let key = name.strip_suffix(SUFFIX).unwrap_or(&name);
                ours && !used.contains(key)
            })
            .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
            .count()
    }

    fn use_key(&self, key: String) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
    }

    /// The key of a file's check: every input but the files it extends.
    fn key(&self, limits: &Limits, root: &Path, path: &Path, text: &str) -> String {
        let mut hash = Sha256::new();
        for part in [
            self.build.as_bytes(),
            format!("{FORMAT} {limits:?}").as_bytes(),
            root.as_os_str().as_encoded_bytes(),
            path.as_os_str().as_encoded_bytes(),
            text.as_bytes(),
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
        hex(&hash.finalize())
    }

    fn entry_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}{SUFFIX}"))
    }

    /// The report an entry holds, if it is whole, ours, and its chain
    /// resolves to the same files with the same texts today.
    fn found(
        &self,
        key: &str,
        path: &Path,
        root: &Path,
        limits: &Limits,
        text: String,
    ) -> Option<Report> {
        let bytes = std::fs::read(self.entry_path(key)).ok()?;
        let entry = open(&bytes)?;
        if entry.format != FORMAT || entry.build != self.build || entry.key != key {
            return None;
        }
        let mut texts = vec![(path.to_path_buf(), text)];
        for (written, named) in &entry.links {
            let from = &texts[texts.len() - 1].0;
            let target = extends_target(root, from, written).ok()?;
            if target != *named {
                return None;
            }
            let text = read_capped(&target, limits.max_bytes).ok()?;
            texts.push((target, text));
        }
        if chain_hash(key, &entry.links, &texts[1..]) != entry.chain {
            return None;
        }
        let files = texts.len() as u32;
        let mut report = Report::default();
        for (file, text) in texts {
            report.sources.add(file, text);
        }
        for warning in entry.warnings {
            report.diagnostics.push(warning.restore(files)?);
        }
        report.checked.push(path.to_path_buf());
        if let Some(edition) = entry.edition {
            report.editions.push((path.to_path_buf(), edition));
        }
        Some(report)
    }

    /// Writes the entry of a clean check; its key comes from the texts the
    /// check read, so a file saved meanwhile cannot be filed under the new
    /// text with the old result.
    fn keep(
        &self,
        report: &Report,
        links: &[(String, PathBuf)],
        path: &Path,
        root: &Path,
        limits: &Limits,
    ) -> Option<String> {
        let texts: Vec<(PathBuf, String)> = report
            .sources
            .files()
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect();
        // The file, then each it extends, in the order followed.
        let chain_paths = std::iter::once(path).chain(links.iter().map(|(_, p)| p.as_path()));
        if texts.len() != links.len() + 1 || !texts.iter().map(|(p, _)| p.as_path()).eq(chain_paths)
        {
            return None;
        }
        let key = self.key(limits, root, path, &texts[0].1);
        let warnings = report
            .diagnostics
            .iter()
            .map(Warning::of)
            .collect::<Option<Vec<_>>>()?;
        let entry = Entry {
            format: FORMAT,
            build: self.build.clone(),
            key: key.clone(),
            links: links.to_vec(),
            chain: chain_hash(&key, links, &texts[1..]),
            edition: report.editions.first().map(|(_, e)| e.clone()),
            warnings,
        };
        let json = serde_json::to_vec(&entry).ok()?;
        self.write(&key, &json).ok()?;
        Some(key)
    }

    /// `SHA-256 of the rest`, a line feed, the entry's JSON: written aside,
    /// then renamed over the entry in one step.
    fn write(&self, key: &str, json: &[u8]) -> std::io::Result<()> {
        static WRITES: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(&self.dir)?;
        let part = self.dir.join(format!(
            "{key}.part-{}-{}",
            std::process::id(),
            WRITES.fetch_add(1, Ordering::Relaxed)
        ));
        let mut bytes = hex(&Sha256::digest(json)).into_bytes();
        bytes.push(b'\n');
        bytes.extend_from_slice(json);
        std::fs::write(&part, &bytes)?;
        std::fs::rename(&part, self.entry_path(key)).inspect_err(|_| {
            let _ = std::fs::remove_file(&part);
        })
    }
}

/// An entry's bytes read back, if their checksum holds.
fn open(bytes: &[u8]) -> Option<Entry> {
    let newline = bytes.iter().position(|b| *b == b'\n')?;
    let (sum, json) = (&bytes[..newline], &bytes[newline + 1..]);
    if sum != hex(&Sha256::digest(json)).as_bytes() {
        return None;
    }
    serde_json::from_slice(json).ok()
}

fn chain_hash(key: &str, links: &[(String, PathBuf)], texts: &[(PathBuf, String)]) -> String {
    let mut hash = Sha256::new();
    hash.update(key.as_bytes());
    for ((written, _), (path, text)) in links.iter().zip(texts) {
        for part in [
            written.as_bytes(),
            path.as_os_str().as_encoded_bytes(),
            text.as_bytes(),
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    hex(&hash.finalize())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// This build: the version and the executable's size and time, so that
/// any rebuild (a changed check) starts from an empty cache.
fn this_build() -> &'static str {
    static BUILD: OnceLock<String> = OnceLock::new();
    BUILD.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {modified}", m.len())
            })
            // Without it no entry can be trusted to come from this build.
            .unwrap_or_else(|_| format!("unknown {}", std::process::id()));
        format!("jalon {} {exe}", env!("CARGO_PKG_VERSION"))
    })
}

impl Warning {
    /// A diagnostic of a clean check, its places by index in the chain.
    fn of(d: &Diagnostic) -> Option<Warning> {
        if d.is_error() {
            return None;
        }
        let place = |s: &Span| (s.file.0, s.start, s.end);
        Some(Warning {
            code: d.code.to_owned(),
            message: d.message.clone(),
            span: d.span.as_ref().map(place),
            label: d.label.clone(),
            hint: d.hint.clone(),
            related: d
                .related
                .iter()
                .map(|(s, n)| (place(s), n.clone()))
                .collect(),
        })
    }

    /// The diagnostic again; `None` when a place is not in the chain.
    fn restore(self, files: u32) -> Option<Diagnostic> {
        let span = |(file, start, end): (u32, u32, u32)| {
            (file < files).then_some(Span {
                file: FileId(file),
                start,
                end,
            })
        };
        Some(Diagnostic {
            severity: Severity::Warning,
            code: intern(&self.code),
            message: self.message,
            span: match self.span {
                Some(s) => Some(span(s)?),
                None => None,
            },
            label: self.label,
            hint: self.hint,
            related: self
                .related
                .into_iter()
                .map(|(s, note)| Some((span(s)?, note)))
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

/// Diagnostic codes are `'static`: each code read back is kept once for
/// the life of the process (a few dozen exist).
fn intern(code: &str) -> &'static str {
    static CODES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let Ok(mut codes) = CODES.get_or_init(Default::default).lock() else {
        return "cached-warning";
    };
    if let Some(known) = codes.get(code) {
        return known;
    }
    let kept: &'static str = Box::leak(code.to_owned().into_boxed_str());
    codes.insert(kept);
    kept
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
