//! The table of broken definitions: each file in `tests/fixtures/broken`
//! states, on `# expect: CODE [FILE:]LINE:COL` lines, the diagnostics it must
//! cause; the full text report is kept as a snapshot.

use std::path::Path;

use crate::fixtures;
use crate::support::Jalon;

struct Expected {
    code: String,
    file: String,
    line: u64,
    column: u64,
}

fn expectations(path: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let own = format!(
        "broken/{}",
        path.file_name().and_then(|n| n.to_str()).expect("name")
    );
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|spec| {
            let (code, place) = spec
                .split_once(' ')
                .expect("`# expect: CODE [FILE:]LINE:COL`");
            let mut parts: Vec<&str> = place.rsplitn(3, ':').collect();
            parts.reverse();
            let (file, line, column) = match parts.as_slice() {
                [file, line, column] => (file.to_string(), line, column),
                [line, column] => (own.clone(), line, column),
                _ => panic!("bad expectation `{spec}` in {own}"),
            };
            Expected {
                code: code.to_string(),
                file,
                line: line.parse().expect("line"),
                column: column.parse().expect("column"),
            }
        })
        .collect()
}

#[test]
fn every_broken_definition_reports_its_problem_where_it_is() {
    let dir = fixtures();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("broken"))
        .expect("broken fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the table covers every check");
    for path in files {
        let name = format!(
            "broken/{}",
            path.file_name().and_then(|n| n.to_str()).expect("name")
        );
        let expected = expectations(&path);
        assert!(!expected.is_empty(), "{name} has no `# expect:` line");
        let stem = name.trim_start_matches("broken/").trim_end_matches(".yaml");
        // Fixtures are named after the diagnostic code they exercise.
        let code_of_name = stem.split("--").next().expect("stem");
        assert!(
            expected.iter().any(|e| e.code == code_of_name
                || (code_of_name == "extends-missing" && e.code == "unreadable")),
            "{name} should expect a `{code_of_name}` diagnostic"
        );

        let output = Jalon::new()
            .current_dir(&dir)
            .args(&["check", "--format", "json", &name])
            .run();
        let report = output.json();
        let found: Vec<(String, String, u64, u64)> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or_default().to_string(),
                    d["file"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or_default(),
                    d["column"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        for e in &expected {
            assert!(
                found
                    .iter()
                    .any(|f| f.0 == e.code && f.1 == e.file && f.2 == e.line && f.3 == e.column),
                "{name}: expected `{}` at {}:{}:{}, got {found:?}",
                e.code,
                e.file,
                e.line,
                e.column
            );
        }
        let has_error = report["errors"].as_u64().unwrap_or_default() > 0;
        assert_eq!(
            output.code(),
            Some(i32::from(has_error)),
            "{name}: exit code"
        );
        for d in report["diagnostics"].as_array().into_iter().flatten() {
            assert!(
                d["hint"].as_str().is_some_and(|h| !h.is_empty()),
                "{name}: every diagnostic has a hint: {d}"
            );
            assert!(
                d["snippet"].is_string(),
                "{name}: every diagnostic shows its line: {d}"
            );
        }

        let text = Jalon::new()
            .current_dir(&dir)
            .args(&["check", &name])
            .run()
            .stdout();
        insta::assert_snapshot!(stem, text);
    }
}
