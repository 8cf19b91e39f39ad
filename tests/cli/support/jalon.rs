//! `Jalon`: the built `jalon` binary, configured as a test needs it, run,
//! and its result asserted on. Every test runs the binary through this one
//! place, so that what each run inherits is decided here.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};

/// The binary Cargo built for this test crate.
const BINARY: &str = env!("CARGO_BIN_EXE_jalon");

/// A `jalon` command line being put together.
pub struct Jalon {
    command: Command,
    /// The words run, for the messages of failed assertions.
    words: Vec<OsString>,
}

impl Jalon {
    /// `jalon` with no arguments, no colour, and no `JALON_*` setting from
    /// this process's environment: a test states every setting it relies on.
    pub fn new() -> Jalon {
        let mut command = Command::new(BINARY);
        command.env("NO_COLOR", "1");
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("JALON_") {
                command.env_remove(name);
            }
        }
        Jalon {
            command,
            words: vec![OsString::from("jalon")],
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Jalon {
        self.words.push(arg.as_ref().to_owned());
        self.command.arg(arg);
        self
    }

    pub fn args<I>(mut self, args: I) -> Jalon
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Jalon {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Jalon {
        self.command.env(name, value);
        self
    }

    pub fn envs(mut self, variables: &[(&str, &str)]) -> Jalon {
        self.command.envs(variables.iter().copied());
        self
    }

    /// Runs it under `program ARGS…` (such as `prlimit`), which is given the
    /// binary and its arguments.
    pub fn under(mut self, program: &str, args: &[&str]) -> Jalon {
        let mut wrapper = Command::new(program);
        wrapper.args(args).arg(BINARY);
        wrapper.args(self.command.get_args());
        if let Some(dir) = self.command.get_current_dir() {
            wrapper.current_dir(dir);
        }
        for (name, value) in self.command.get_envs() {
            match value {
                Some(value) => wrapper.env(name, value),
                None => wrapper.env_remove(name),
            };
        }
        let mut words: Vec<OsString> = std::iter::once(program)
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect();
        words.push(BINARY.into());
        words.extend(self.words.drain(1..));
        self.command = wrapper;
        self.words = words;
        self
    }

    /// The configured command, for a test that spawns and drives the
    /// process itself (a daemon, a process killed on purpose).
    pub fn command(self) -> Command {
        self.command
    }

    /// Started with an empty standard input and its output captured;
    /// `Spawned::wait` collects it.
    pub fn spawn(mut self) -> Spawned {
        let line = self.line();
        let child = self
            .command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("`{line}` starts: {e}"));
        Spawned { child, line }
    }

    /// Runs it to the end, capturing what it prints.
    pub fn run(self) -> Run {
        self.spawn().wait()
    }

    fn line(&self) -> String {
        self.words
            .iter()
            .map(|w| w.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A `jalon` started by `Jalon::spawn`.
pub struct Spawned {
    child: Child,
    line: String,
}

impl Spawned {
    /// The process, to watch or kill it before collecting its output.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    pub fn wait(self) -> Run {
        let output = self
            .child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("`{}` runs: {e}", self.line));
        Run {
            output,
            line: self.line,
        }
    }
}

/// A finished run: its exit status and what it printed.
pub struct Run {
    output: Output,
    line: String,
}

impl Run {
    pub fn status(&self) -> ExitStatus {
        self.output.status
    }

    /// The exit code (none when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn stdout_bytes(&self) -> &[u8] {
        &self.output.stdout
    }

    /// Asserts the exit code, showing the command and all it printed if not.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            Some(code),
            "`{}`\n--- stdout\n{}--- stderr\n{}",
            self.line,
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Asserts it exited 0.
    pub fn succeeds(&self) -> &Run {
        self.expect_code(0)
    }

    /// The standard output parsed as JSON (a `--format json` report).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout)
            .unwrap_or_else(|e| panic!("JSON from `{}` ({e}): {}", self.line, self.stdout()))
    }
}
