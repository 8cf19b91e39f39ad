//! What the end-to-end tests share: running the binary, waiting on a
//! process that works in the background, reading what it wrote.

pub mod http;
mod jalon;
mod process;

use std::path::Path;
use std::time::{Duration, Instant};

pub use jalon::{Jalon, Run, Spawned};
pub use process::{exit_within, signal, StderrLog};

/// How long anything the daemon should do at once may take on a busy machine.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Waits, at most `PATIENCE`, until `done`.
pub fn eventually(what: &str, done: impl FnMut() -> bool) {
    eventually_within(PATIENCE, what, done);
}

/// Waits, at most `within`, until `done`.
pub fn eventually_within(within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < within, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The content of every `.eml` file in `dir/outbox`, the folder the daemon
/// writes emails to by default (none if it does not exist yet).
pub fn outbox_emails(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir.join("outbox")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect()
}

/// Copies the folder `from`, recursively, to `to`.
/// The event lines of `jalon log EDITION` run in `dir`.
pub fn logged_events(dir: &Path, edition: &str) -> Vec<String> {
    let output = Jalon::new().current_dir(dir).args(["log", edition]).run();
    output.succeeds();
    output
        .stdout()
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy");
    for entry in std::fs::read_dir(from).expect("copy") {
        let entry = entry.expect("copy");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// `jalon ARGS… --definitions DIR/definitions --db DIR/jalon.db`.
pub fn jalon_in(dir: &Path, args: &[&str]) -> Run {
    Jalon::new()
        .args(args)
        .arg("--definitions")
        .arg(dir.join("definitions"))
        .arg("--db")
        .arg(dir.join("jalon.db"))
        .run()
}

/// The line of a plan or status `text` about `instance` (`vote · p1`).
pub fn line_about<'a>(text: &'a str, instance: &str) -> &'a str {
    text.lines()
        .find(|l| l.trim_start().starts_with(&format!("{instance} ")))
        .unwrap_or_else(|| panic!("no line for {instance}:\n{text}"))
}
