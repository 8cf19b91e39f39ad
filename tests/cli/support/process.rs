//! A long-running `jalon` (the daemon): its log followed as it is written,
//! signals, and its exit awaited with a deadline.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A child's standard error, read line by line into a text the test can
/// look at while the child runs.
pub struct StderrLog {
    text: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

impl StderrLog {
    pub fn follow(stderr: ChildStderr) -> StderrLog {
        let text = Arc::new(Mutex::new(String::new()));
        let sink = text.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().expect("the log");
                log.push_str(&line);
                log.push('\n');
            }
        });
        StderrLog {
            text,
            reader: Some(reader),
        }
    }

    /// What it has written so far.
    pub fn text(&self) -> String {
        self.text.lock().expect("the log").clone()
    }

    /// All it wrote, once the child has exited (the pipe then ends).
    pub fn finish(&mut self) -> String {
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the log reader");
        }
        self.text()
    }
}

/// `kill -s NAME` to the child.
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -s {name}");
}

/// Waits for the child's exit, failing with `log()` if it takes longer than
/// `within` after `what` (the signal sent).
pub fn exit_within(
    child: &mut Child,
    within: Duration,
    what: &str,
    log: impl Fn() -> String,
) -> ExitStatus {
    let asked = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("the daemon's status") {
            return status;
        }
        assert!(
            asked.elapsed() < within,
            "still running {within:?} after {what}:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
