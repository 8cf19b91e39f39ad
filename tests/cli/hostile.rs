//! Hostile input: each file must fail cleanly — exit 1 with a located
//! diagnostic — within 1 s of CPU and 80 MiB of address space, enforced by
//! the kernel (`prlimit`), not by a timer in the test. About 30 MiB of that
//! is the binary and its libraries mapped; it was 64 MiB until the
//! PostgreSQL client (2.2 MB more code) left the longest `needs` chain a few
//! hundred KiB short, then 72 MiB until mimalloc (the binary's allocator,
//! which reserves address space in larger steps than glibc's) needed
//! between 76 and 80 for that chain.

use std::path::Path;

use crate::support::{Jalon, Run};

const ADDRESS_SPACE: u64 = 80 * 1024 * 1024;

/// Set in the environment of every hostile run: no output may show it (a
/// definition that reads `/proc/self/environ` would).
const SECRET: &str = "s3cret-probe-8d1f";

/// `jalon check --format json FILE` under the kernel's limits (`prlimit`
/// from util-linux), and a wall-clock bound (`timeout`) for what waits
/// without spending CPU, such as opening a FIFO.
fn check_limited(dir: &Path, file: &str) -> Run {
    Jalon::new()
        .args(["check", "--format", "json", file])
        .current_dir(dir)
        .env("JALON_SECRET_PROBE", SECRET)
        .under(
            "timeout",
            &[
                "20",
                "prlimit",
                &format!("--as={ADDRESS_SPACE}"),
                "--cpu=1",
                "--",
            ],
        )
        .run()
}

/// `expect` is a diagnostic code, optionally with the `line:col` of its
/// first occurrence (`not-utf8 2:9`).
fn assert_fails_cleanly(dir: &Path, file: &str, expect: &str) -> serde_json::Value {
    let output = check_limited(dir, file);
    assert_eq!(
        output.code(),
        Some(1),
        "{file}: expected a clean failure, got {:?} (killed by a limit, or 124: still waiting after 20 s?)\n{}",
        output.status(),
        output.stderr()
    );
    assert!(
        !output.stdout().contains(SECRET) && !output.stderr().contains(SECRET),
        "{file}: the environment leaked into the output"
    );
    let report = output.json();
    let (code, place) = expect.split_once(' ').unwrap_or((expect, ""));
    let diagnostics: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(
        codes.contains(&code),
        "{file}: expected `{code}`, got {codes:?}\n{}",
        output.stdout()
    );
    let located = diagnostics.iter().all(|d| d["line"].is_u64());
    assert!(located, "{file}: every diagnostic is located");
    if !place.is_empty() {
        let first = diagnostics
            .iter()
            .find(|d| d["code"] == code)
            .map(|d| format!("{}:{}", d["line"], d["column"]));
        assert_eq!(
            first.as_deref(),
            Some(place),
            "{file}: where `{code}` is reported"
        );
    }
    report
}

fn corpus() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut laughs = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
        ("h", "g"),
        ("i", "h"),
    ] {
        laughs.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let deep_flow = format!("stages: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let mut deep_block = String::new();
    for depth in 0..2_000 {
        deep_block.push_str(&" ".repeat(depth));
        deep_block.push_str("k:\n");
    }
    let many_values = format!("stages: [{}]\n", vec!["0"; 150_000].join(","));
    let huge = {
        let mut s = String::from("programme:\n  description: \"");
        s.push_str(&"x".repeat(9 * 1024 * 1024));
        s.push_str("\"\n");
        s
    };
    let long_text = format!(
        "programme:\n  description: \"{}\"\nstages: 3\n",
        "é".repeat(3 * 1024 * 1024)
    );
    let mut many_keys = String::from("programme:\n");
    for i in 0..60_000 {
        many_keys.push_str(&format!("  k{i}: v\n"));
    }
    let mut cycle_chain = String::from("stages:\n  - {id: s0, kind: task, title: S, needs: [s1], due: 2025-01-10}\n  - {id: s1, kind: task, title: S, needs: [s0], due: 2025-01-10}\n");
    for i in 2..8_000 {
        cycle_chain.push_str(&format!(
            "  - {{id: s{i}, kind: task, title: S, needs: [s{}], due: start + 1 day}}\n",
            i - 1
        ));
    }
    let mut date_chain = String::from("programme: {name: P}\nedition: {id: e, start: 2025-01-06, end: 2025-12-19}\nstages:\n  - {id: s0, kind: task, title: S, start: s7999.due, due: start + 1 day}\n");
    for i in 1..8_000 {
        date_chain.push_str(&format!(
            "  - {{id: s{i}, kind: task, title: S, start: s{}.due, due: start + 1 day}}\n",
            i - 1
        ));
    }
    // Did-you-mean over ids of 20,000 characters, and one of 100,000.
    let mut long_ids = String::from("stages:\n");
    for i in 0..40 {
        let id = format!("{}{i}", "s".repeat(20_000));
        let unknown = format!("{}{i}", "t".repeat(20_000));
        long_ids.push_str(&format!(
            "  - {{id: {id}, kind: task, title: S, needs: [{unknown}], due: 2025-01-10}}\n"
        ));
    }
    long_ids.push_str(&format!(
        "  - {{id: last, kind: task, title: S, needs: [{}], due: 2025-01-10}}\n",
        "s".repeat(100_000)
    ));
    // Each turn writes 4 KiB: past the output cap long before the fuel ends.
    let output_bomb = format!(
        "templates:\n  - id: t\n    subject: S\n    body: \"{{% for i in range(1000) %}}{}{{% endfor %}}\"\n",
        "y".repeat(4096)
    );
    vec![
        ("billion-laughs.yaml", laughs.into_bytes(), "alias-bomb"),
        ("deep-flow.yaml", deep_flow.into_bytes(), "too-deep"),
        ("deep-block.yaml", deep_block.into_bytes(), "too-deep"),
        (
            "many-values.yaml",
            many_values.into_bytes(),
            "too-many-values",
        ),
        ("huge.yaml", huge.into_bytes(), "file-too-large"),
        ("long-text.yaml", long_text.into_bytes(), "wrong-type"),
        ("many-keys.yaml", many_keys.into_bytes(), "too-many-values"),
        (
            "not-utf8.yaml",
            b"programme:\n  name: \xff\xfe\xfd\n".to_vec(),
            "not-utf8 2:9",
        ),
        (
            "not-utf8-later.yaml",
            b"programme:\n  name: P\n  x: \xc3\xa9\xc3\xa9\xff\n".to_vec(),
            "not-utf8 3:8",
        ),
        (
            "bare-cr.yaml",
            b"programme:\r  name: P\r  nmae: x\r".to_vec(),
            "unknown-key 3:3",
        ),
        (
            "binary.yaml",
            (0u8..=255).cycle().take(4096).collect(),
            "not-utf8",
        ),
        ("self-alias.yaml", b"a: &a [*a]\n".to_vec(), "yaml-syntax"),
        (
            "unclosed-quote.yaml",
            b"programme:\n  name: \"never closed\n".to_vec(),
            "yaml-syntax",
        ),
        (
            "tab-indent.yaml",
            b"programme:\n\tname: x\n".to_vec(),
            "yaml-syntax",
        ),
        (
            "complex-key.yaml",
            b"? [a, b]\n: c\n".to_vec(),
            "yaml-syntax",
        ),
        (
            "cycle-chain.yaml",
            cycle_chain.into_bytes(),
            "dependency-cycle",
        ),
        ("date-chain.yaml", date_chain.into_bytes(), "date-cycle"),
        ("long-ids.yaml", long_ids.into_bytes(), "unknown-reference"),
        (
            "template-output-bomb.yaml",
            output_bomb.into_bytes(),
            "template-limit 4:12",
        ),
    ]
}

#[test]
fn hostile_inputs_fail_cleanly_within_one_second_and_72_mib() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The committed corpus, plus large files generated here (not committed: they are big).
    let committed = crate::fixtures().join("hostile");
    let mut cases: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(&committed).expect("hostile corpus") {
        let path = entry.expect("entry").path();
        let Some(code) = std::fs::read(&path).ok().and_then(|bytes| {
            let t = String::from_utf8_lossy(&bytes).into_owned();
            t.lines()
                .next()
                .and_then(|l| l.strip_prefix("# expect: "))
                .map(str::to_owned)
        }) else {
            continue;
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        std::fs::copy(&path, dir.path().join(&name)).expect("copy");
        cases.push((name, code));
    }
    for (name, bytes, code) in corpus() {
        std::fs::write(dir.path().join(name), bytes).expect("write");
        cases.push((name.to_string(), code.to_string()));
    }
    assert!(cases.len() >= 40);
    for (name, code) in cases {
        assert_fails_cleanly(dir.path(), &name, &code);
    }
}

#[test]
fn an_extends_chain_that_loops_is_reported_not_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.yaml"), "extends: b.yaml\n").expect("write");
    std::fs::write(dir.path().join("b.yaml"), "extends: ./a.yaml\n").expect("write");
    std::fs::write(dir.path().join("self.yaml"), "extends: self.yaml\n").expect("write");
    assert_fails_cleanly(dir.path(), "a.yaml", "extends-cycle");
    assert_fails_cleanly(dir.path(), "self.yaml", "extends-cycle");
}

/// Amounts nobody means (a typo, an attack) are located errors in `check`
/// and a clean refusal in `plan`: never a crash (exit 101).
#[test]
fn huge_offsets_are_located_errors_not_crashes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = std::fs::read_to_string(crate::fixtures().join("base.yaml")).expect("base");
    let cases = [
        ("due: start + 20 working days", "due: start + 8000000 days"),
        ("due: start + 20 working days", "due: start + 2000000 weeks"),
        ("due: start + 20 working days", "due: start - -2147483648 days"),
        ("due: start + 20 working days", "due: start + 9000000 working days"),
        ("start: edition.start\n", "start: edition.start + 7400000 days\n"),
        ("when: due - 5 working days", "when: due - 9000000 days"),
        ("lead_time: 5 working days", "lead_time: 9000000 days"),
        (
            "validation: {by: [coordination], lead_time: 5 working days}",
            "validation: {by: [coordination], lead_time: 5 working days}\n    escalation: {after: 2000000 weeks, to: [coordination]}",
        ),
    ];
    for (n, (from, to)) in cases.iter().enumerate() {
        assert!(base.contains(from), "the fixture has `{from}`");
        let name = format!("huge-{n}.yaml");
        std::fs::write(dir.path().join(&name), base.replacen(from, to, 1)).expect("written");
        let checked = Jalon::new()
            .current_dir(dir.path())
            .args(["check", "--format", "json", &name])
            .run();
        checked.expect_code(1);
        let report = checked.json();
        let codes: Vec<&str> = report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.contains(&"invalid-expression"), "{to}: {codes:?}");
        let planned = Jalon::new()
            .current_dir(dir.path())
            .args(["plan", &name])
            .run();
        planned.expect_code(2);
    }
}

/// `extends` never opens what is not a definition inside the definitions
/// folder, so never quotes it; a FIFO, named or listed, blocks nothing.
#[test]
fn extends_never_reads_what_is_not_a_definition() {
    let dir = tempfile::tempdir().expect("temp dir");
    let at = |name: &str| dir.path().join(name);
    let fifo = std::process::Command::new("mkfifo")
        .arg(at("pipe.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());
    std::fs::write(at("to-pipe.yaml"), "extends: pipe.yaml\n").expect("write");
    std::fs::write(at("notes.txt"), format!("password: {SECRET}\n")).expect("write");
    std::fs::write(at("to-notes.yaml"), "extends: notes.txt\n").expect("write");
    std::os::unix::fs::symlink("/proc/self/environ", at("environ.yaml")).expect("link");
    std::fs::write(at("to-environ.yaml"), "extends: environ.yaml\n").expect("write");
    std::fs::create_dir(at("inner")).expect("dir");
    std::fs::write(
        at("secret.yaml"),
        format!("programme: {{name: {SECRET}}}\nx: [\n"),
    )
    .expect("write");
    std::fs::write(at("inner/up.yaml"), "extends: ../secret.yaml\n").expect("write");

    assert_fails_cleanly(dir.path(), "pipe.yaml", "not-a-file 1:1");
    assert_fails_cleanly(dir.path(), "to-pipe.yaml", "not-a-file 1:10");
    assert_fails_cleanly(dir.path(), "to-notes.yaml", "extends-not-yaml 1:10");
    assert_fails_cleanly(dir.path(), "to-environ.yaml", "extends-outside 1:10");
    // Checked as a folder, `inner` is the definitions folder: `..` leaves it.
    assert_fails_cleanly(dir.path(), "inner", "extends-outside 1:10");
    // The whole folder: the FIFO and the link out are skipped, with a warning.
    let report = assert_fails_cleanly(dir.path(), ".", "not-a-definition 1:1");
    let skipped: Vec<&str> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == "not-a-definition")
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(skipped, ["./environ.yaml", "./pipe.yaml"], "{report}");
}

/// The byte cap holds for a definition with everything it extends, and a
/// template too large for one chain still serves a shorter one.
#[test]
fn a_chain_of_extends_is_capped_in_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let padding = format!("# {}\n", "x".repeat(3 * 1024 * 1024));
    let files = [
        ("a.yaml", "extends: b.yaml\n"),
        ("b.yaml", "extends: c.yaml\n"),
        ("c.yaml", "programme: {name: P}\n"),
    ];
    for (name, head) in files {
        std::fs::write(dir.path().join(name), format!("{head}{padding}")).expect("write");
    }
    let report = assert_fails_cleanly(dir.path(), "a.yaml", "definition-too-large 1:10");
    let first = &report["diagnostics"][0];
    assert_eq!(first["file"], "b.yaml", "{report}");
    // b with c is 6 MiB: within the cap.
    Jalon::new()
        .current_dir(dir.path())
        .args(["check", "b.yaml"])
        .run()
        .succeeds();
}
