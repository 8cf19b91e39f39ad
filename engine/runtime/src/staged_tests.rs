use std::path::{Path, PathBuf};

use super::*;

/// The shipped definitions (template, real and example editions).
fn shipped() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a folder");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../definitions");
    for folder in ["programmes", "editions"] {
        std::fs::create_dir_all(dir.path().join(folder)).expect("folder");
        for entry in std::fs::read_dir(from.join(folder)).expect("shipped") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("name");
            std::fs::copy(&path, dir.path().join(folder).join(name)).expect("copied");
        }
    }
    dir
}

fn versions(loaded: &[Loaded]) -> Vec<(String, String)> {
    loaded
        .iter()
        .map(|l| (l.edition.id.clone(), l.edition.version.clone()))
        .collect()
}

#[test]
fn the_staged_check_gives_the_folder_s_set_in_its_order_and_hands_the_waiting_first() {
    let dir = shipped();
    let whole = load::editions(dir.path()).expect("the shipped definitions pass");
    let expected: Vec<(String, String)> = whole
        .iter()
        .map(|e| (e.id.clone(), e.version.clone()))
        .collect();
    let caches = tempfile::tempdir().expect("a cache folder");
    let first = vec!["exemple-2027".to_owned()];
    for round in ["cold", "warm"] {
        let cache = CheckCache::new(caches.path().to_path_buf());
        let mut early = Vec::new();
        let set = check_folder(dir.path(), Some(&cache), &first, &mut |got| early.push(got))
            .expect("the set");
        assert_eq!(versions(&set), expected, "{round}");
        assert_eq!(early.len(), 1, "{round}: handed over once");
        assert_eq!(
            versions(&early[0]),
            expected
                .iter()
                .filter(|(id, _)| id == "exemple-2027")
                .cloned()
                .collect::<Vec<_>>(),
            "{round}"
        );
        // The edition served first is the one the set runs, not a copy.
        let in_set = set.iter().find(|l| l.edition.id == "exemple-2027");
        assert!(Arc::ptr_eq(
            &early[0][0].edition,
            &in_set.expect("in the set").edition
        ));
        if round == "warm" {
            assert!(cache.hits() > 0, "the second start reads the cache");
        }
    }
}

#[test]
fn with_an_error_anywhere_the_report_is_the_folder_s_own() {
    let dir = shipped();
    let broken: PathBuf = dir.path().join("editions/zz-broken.yaml");
    std::fs::write(
        &broken,
        "extends: ../programmes/val-doise.yaml\nedition: [\n",
    )
    .expect("written");
    let expected = match load::editions(dir.path()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a broken file fails the check"),
    };
    let mut early = Vec::new();
    let staged = check_folder(dir.path(), None, &["exemple-2027".to_owned()], &mut |got| {
        early.push(got)
    });
    match staged {
        Err(e) => assert_eq!(e.to_string(), expected),
        Ok(_) => panic!("the staged check passed a broken folder"),
    }
    assert_eq!(
        early.len(),
        1,
        "the waiting edition was handed over all the same"
    );
}
