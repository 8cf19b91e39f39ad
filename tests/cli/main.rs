//! The `jalon` binary as a user runs it: real files on disk, exit codes and
//! what it prints.

mod amounts;
mod broken;
mod browser;
mod call;
mod check;
mod config;
mod crash;
mod daemon;
mod dates;
mod digest;
mod emails;
mod graph;
mod hand_in;
mod hold;
mod hostile;
mod jury;
mod links;
mod live;
mod plan;
mod postgres;
mod relay;
mod replicas;
mod schema;
mod second_programme;
mod servers;
mod sessions;
mod simulate;
mod slowloris;
mod smtp;
mod start;
mod support;
mod web_links;
mod web_workspace;
mod workspace;

use std::path::{Path, PathBuf};

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

/// The four real editions shipped in `definitions/editions`.
pub const EDITIONS: [&str; 4] = ["2020", "2021", "2022-2023", "2024-2025"];
