//! What the benches of the `jalon` binary share. Included with
//! `#[path = "../../bench_support/cli.rs"] mod support;`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

/// Postfix's `smtp-sink` on a free loopback port, killed when dropped.
pub struct Sink {
    child: Child,
    pub port: u16,
}

impl Sink {
    pub fn start(servers: &Path) -> Sink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(servers.join("bin/smtp-sink"))
            .args(user())
            .arg(format!("127.0.0.1:{port}"))
            .arg("1024")
            .stdout(Stdio::null())
            .spawn()
            .expect("smtp-sink starts");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Sink { child, port };
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("smtp-sink did not listen");
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// As root, smtp-sink must be told whose privileges to keep.
fn user() -> Vec<String> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root {
        vec!["-u".into(), "root".into()]
    } else {
        Vec::new()
    }
}
