//! What the benches of the `jalon` binary share. Included with
//! `#[path = "../../bench_support/cli.rs"] mod support;`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Installs the test SMTP servers (aiosmtpd, Postfix's `smtp-sink` and
/// `smtp-source`) under `target/test-servers` on first use, as the tests do,
/// and returns that folder.
pub fn test_servers(root: &Path) -> PathBuf {
    let servers = root.join("target/test-servers");
    let status = Command::new("bash")
        .arg(root.join("tests/servers/provision.sh"))
        .arg(&servers)
        .status()
        .expect("the provisioning script runs");
    assert!(status.success(), "installing the test SMTP servers failed");
    servers
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// The `jalon` binary measured: this build's, or the one named by
/// `JALON_BENCH_BINARY` (an earlier build, to compare before and after a
/// change in the same run).
pub fn jalon() -> Command {
    let binary = std::env::var_os("JALON_BENCH_BINARY")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_jalon")), PathBuf::from);
    Command::new(binary)
}
