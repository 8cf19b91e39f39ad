//! Real SMTP servers we did not write, installed and started by the tests
//! themselves: aiosmtpd (Python) driven by `tests/servers/sink.py`, which
//! records what it accepts and injects failures, and Postfix's `smtp-sink`.
//! `tests/servers/provision.sh` installs both under `target/test-servers`
//! once per machine.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use crate::root;

/// The folder the servers are installed in (installing them on first use).
pub fn installed() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = root().join("target/test-servers");
        let output = Command::new("bash")
            .arg(root().join("tests/servers/provision.sh"))
            .arg(&folder)
            .output()
            .expect("bash runs the provisioning script");
        assert!(
            output.status.success(),
            "installing the test SMTP servers failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        folder
    })
}

/// A port nobody listens on (right now).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("its address").port()
}

/// aiosmtpd recording every message it accepts in a JSON-lines file.
pub struct Sink {
    child: Child,
    pub port: u16,
    record: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sink {
    /// Started on `port` (0: any) with `sink.py`'s failure options.
    pub fn start(port: u16, options: &[&str]) -> Sink {
        let dir = tempfile::tempdir().expect("a folder for the record");
        let record = dir.path().join("accepted.jsonl");
        let mut child = Command::new(installed().join("venv/bin/python"))
            .arg(root().join("tests/servers/sink.py"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--record")
            .arg(&record)
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the aiosmtpd sink starts");
        let stdout = child.stdout.take().expect("its output");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the sink says it is ready");
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the sink did not start: {line:?}"));
        Sink {
            child,
            port,
            record,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The JSON-lines file it appends each accepted message to (read it
    /// from an offset to see only what came since).
    pub fn record(&self) -> &Path {
        &self.record
    }

    /// Every message accepted so far, in order.
    pub fn accepted(&self) -> Vec<serde_json::Value> {
        let Ok(text) = std::fs::read_to_string(&self.record) else {
            return Vec::new();
        };
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line per message"))
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Postfix's `smtp-sink`, accepting everything.
pub struct PostfixSink {
    child: Child,
    pub port: u16,
}

impl PostfixSink {
    /// Listening on a free port; with `dump`, each message is written there.
    pub fn start(extra: &[&str]) -> PostfixSink {
        let port = free_port();
        // As root, smtp-sink wants to be told whose privileges to run with.
        let as_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
        let user: &[&str] = if as_root { &["-u", "root"] } else { &[] };
        let mut child = Command::new(installed().join("bin/smtp-sink"))
            .args(user)
            .args(extra)
            .arg(format!("127.0.0.1:{port}"))
            .arg("256")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("smtp-sink starts");
        // Ready when it accepts a connection.
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return PostfixSink { child, port };
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("smtp-sink did not listen on {port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

impl Drop for PostfixSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
