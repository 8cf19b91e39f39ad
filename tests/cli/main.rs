//! The `jalon` binary as a user runs it: real files on disk, exit codes and
//! what it prints.

mod broken;
mod check;
mod config;
mod crash;
mod daemon;
mod digest;
mod graph;
mod hostile;
mod links;
mod live;
mod plan;
mod schema;
mod servers;
mod simulate;
mod smtp;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's top folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

/// `jalon ARGS…` run in `dir`.
pub fn jalon(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jalon"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the jalon binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The four real editions shipped in `definitions/editions`.
pub const EDITIONS: [&str; 4] = ["2020", "2021", "2022-2023", "2024-2025"];

/// The parsed `--format json` report.
pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}): {}", stdout(output)))
}
