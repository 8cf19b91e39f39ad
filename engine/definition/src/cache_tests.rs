use std::path::{Path, PathBuf};

use super::*;
use crate::load::check_file;

/// A definitions folder with the shipped template and an edition extending
/// it that has a warning (a person without an address).
struct Folder {
    _dir: tempfile::TempDir,
    root: PathBuf,
    edition: PathBuf,
    template: PathBuf,
}

fn folder() -> Folder {
    let dir = tempfile::tempdir().expect("a folder");
    let root = std::fs::canonicalize(dir.path()).expect("its real path");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../definitions");
    std::fs::create_dir_all(root.join("programmes")).expect("programmes");
    std::fs::create_dir_all(root.join("editions")).expect("editions");
    let template = root.join("programmes/val-doise.yaml");
    std::fs::copy(shipped.join("programmes/val-doise.yaml"), &template).expect("template");
    let text =
        std::fs::read_to_string(shipped.join("editions/exemple-2027.yaml")).expect("edition");
    let text = text.replacen(
        "\npeople:\n",
        "\npeople:\n  - id: sans-adresse\n    name: Sans Adresse\n    organisation: cd95\n",
        1,
    );
    let edition = root.join("editions/exemple-2027.yaml");
    std::fs::write(&edition, text).expect("edition written");
    Folder {
        _dir: dir,
        root,
        edition,
        template,
    }
}

/// Everything a report says, comparable.
fn said(report: &Report) -> String {
    let sources: Vec<(&Path, &str)> = report
        .sources
        .files()
        .map(|f| (f.path.as_path(), f.text.as_str()))
        .collect();
    let editions: Vec<(&PathBuf, serde_json::Value)> = report
        .editions
        .iter()
        .map(|(p, e)| (p, serde_json::to_value(e).expect("serialised")))
        .collect();
    format!(
        "{sources:?}\n{:?}\n{editions:?}\n{:?}",
        report.diagnostics, report.checked
    )
}

fn only_entry(dir: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the cache folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

#[test]
fn a_cached_check_says_what_a_fresh_one_says_warnings_included() {
    let f = folder();
    let caches = tempfile::tempdir().expect("a cache folder");
    let limits = Limits::default();
    let (fresh, _) = check_file(&f.edition, &f.root, &limits);
    assert_eq!(fresh.errors(), 0, "{:?}", fresh.diagnostics);
    assert!(fresh.warnings() > 0, "the fixture has a warning");
    assert_eq!(fresh.editions.len(), 1);

    let cache = CheckCache::new(caches.path().to_path_buf());
    let first = cache.check_file(&f.edition, &f.root, &limits);
    assert_eq!(cache.hits(), 0, "an empty cache answers nothing");
    let again = CheckCache::new(caches.path().to_path_buf());
    let second = again.check_file(&f.edition, &f.root, &limits);
    assert_eq!(again.hits(), 1, "the entry answered");
    assert_eq!(said(&first), said(&fresh));
    assert_eq!(said(&second), said(&fresh));
}

#[test]
fn a_truncated_altered_or_foreign_entry_is_ignored_and_replaced() {
    let f = folder();
    let caches = tempfile::tempdir().expect("a cache folder");
    let limits = Limits::default();
    let (fresh, _) = check_file(&f.edition, &f.root, &limits);
    let cache = || CheckCache::new(caches.path().to_path_buf());
    cache().check_file(&f.edition, &f.root, &limits);
    let entry = only_entry(caches.path());
    let good = std::fs::read(&entry).expect("the entry");

    let truncated = &good[..good.len() / 2];
    let mut altered = good.clone();
    let middle = altered.len() / 2;
    altered[middle] = if altered[middle] == b'7' { b'8' } else { b'7' };
    for (what, bytes) in [("truncated", truncated), ("altered", &altered[..])] {
        std::fs::write(&entry, bytes).expect("entry spoilt");
        let cache = cache();
        let report = cache.check_file(&f.edition, &f.root, &limits);
        assert_eq!(cache.hits(), 0, "a {what} entry is not used");
        assert_eq!(said(&report), said(&fresh), "{what}");
        assert_eq!(
            std::fs::read(&entry).expect("entry"),
            good,
            "{what}: replaced"
        );
    }

    // Written by another build, even with its checksum right: not ours.
    let other = tempfile::tempdir().expect("another cache folder");
    CheckCache::for_build(other.path().to_path_buf(), "jalon 0.0.0 other".into())
        .check_file(&f.edition, &f.root, &limits);
    std::fs::copy(only_entry(other.path()), &entry).expect("foreign entry planted");
    let cache = cache();
    let report = cache.check_file(&f.edition, &f.root, &limits);
    assert_eq!(cache.hits(), 0, "a foreign entry is not used");
    assert_eq!(said(&report), said(&fresh));
    assert_eq!(std::fs::read(&entry).expect("entry"), good, "replaced");
}

#[test]
fn a_changed_template_invalidates_the_editions_built_on_it() {
    let f = folder();
    let caches = tempfile::tempdir().expect("a cache folder");
    let limits = Limits::default();
    let cache = || CheckCache::new(caches.path().to_path_buf());
    let before = cache().check_file(&f.edition, &f.root, &limits);
    let text = std::fs::read_to_string(&f.template).expect("template");
    let changed = text.replacen("territory: Val d'Oise", "territory: Ailleurs", 1);
    assert_ne!(changed, text, "the template changed");
    std::fs::write(&f.template, changed).expect("template saved");

    let cache = cache();
    let after = cache.check_file(&f.edition, &f.root, &limits);
    assert_eq!(cache.hits(), 0, "the edition is checked again");
    let (fresh, _) = check_file(&f.edition, &f.root, &limits);
    assert_eq!(said(&after), said(&fresh));
    assert_ne!(
        before.editions[0].1.version, after.editions[0].1.version,
        "the edition has the template's change"
    );
    assert_eq!(after.editions[0].1.territory.as_deref(), Some("Ailleurs"));
}

#[test]
fn a_definition_with_errors_is_never_kept_and_pruning_drops_what_was_not_used() {
    let f = folder();
    let caches = tempfile::tempdir().expect("a cache folder");
    let limits = Limits::default();
    let broken = f.root.join("editions/broken.yaml");
    std::fs::write(
        &broken,
        "extends: ../programmes/val-doise.yaml\nedition: [\n",
    )
    .expect("broken");
    let cache = CheckCache::new(caches.path().to_path_buf());
    let report = cache.check_file(&broken, &f.root, &limits);
    assert!(report.errors() > 0);
    assert!(std::fs::read_dir(caches.path()).map_or(true, |mut d| d.next().is_none()));

    cache.check_file(&f.edition, &f.root, &limits);
    let stale = caches.path().join(format!("{}.checked", "0".repeat(64)));
    std::fs::write(&stale, "old").expect("a stale entry");
    assert_eq!(cache.prune(), 1);
    assert!(!stale.exists());
    only_entry(caches.path());
    // Unused since that prune: gone at the next.
    assert_eq!(cache.prune(), 1);
}
