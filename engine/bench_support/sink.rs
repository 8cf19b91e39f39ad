//! Postfix's `smtp-sink` for the benches that send. Included with
//! `#[path = "../../bench_support/sink.rs"] mod sink;`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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
