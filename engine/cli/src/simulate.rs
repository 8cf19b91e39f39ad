//! `jalon simulate`: drives the core with a virtual clock through a
//! scripted year and writes what would happen — every message as an `.eml`
//! file, the event log, the outbox and the final status — into a folder.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use jalon_core::clock::deliver_until;
use jalon_core::{Action, State};
use jalon_message::to_eml;
use jiff::{Timestamp, ToSpan};
use serde_json::json;

use crate::plan::kind_word;
use jalon_runtime::compose::grouped;
use jalon_runtime::compose::messages::{self, mailbox};
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::script::Script;
use jalon_runtime::status;

pub struct Summary {
    pub steps: usize,
    pub rejected: usize,
    /// Steps whose outcome differs from the script's `expect`.
    pub surprises: Vec<String>,
    pub messages: usize,
    pub problems: Vec<String>,
    pub status: String,
}

/// Files of ours that a previous run may have left in the folder.
const OUTPUTS: [&str; 4] = ["events.jsonl", "outbox.jsonl", "status.txt", "messages"];

#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("`{0}` is not empty and holds no earlier simulation; choose a new or empty folder")]
    NotOurs(PathBuf),
    #[error("cannot write in `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> SimulateError + '_ {
    move |source| SimulateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes `out` ready: created, or emptied of an earlier run's files (and
/// only those: anything else in it means it is not ours to clear).
fn prepare(out: &Path) -> Result<(), SimulateError> {
    if out.exists() {
        let entries: Vec<_> = fs::read_dir(out)
            .map_err(io_at(out))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if entries.iter().any(|name| !OUTPUTS.contains(&name.as_str())) {
            return Err(SimulateError::NotOurs(out.to_path_buf()));
        }
        let messages = out.join("messages");
        if messages.exists() {
            fs::remove_dir_all(&messages).map_err(io_at(&messages))?;
        }
    }
    fs::create_dir_all(out.join("messages")).map_err(io_at(out))?;
    Ok(())
}

pub fn run(state: State, script: &Script, out: &Path) -> Result<Summary, SimulateError> {
    prepare(out)?;
    let mut state = state;
    let templates = match messages::templates(state.edition()) {
        Ok(t) => t,
        Err(e) => {
            return Ok(Summary {
                steps: 0,
                rejected: 0,
                surprises: Vec::new(),
                messages: 0,
                problems: vec![format!("a template does not compile: {e}")],
                status: String::new(),
            })
        }
    };
    let events_path = out.join("events.jsonl");
    let outbox_path = out.join("outbox.jsonl");
    let mut events =
        io::BufWriter::new(fs::File::create(&events_path).map_err(io_at(&events_path))?);
    let mut outbox =
        io::BufWriter::new(fs::File::create(&outbox_path).map_err(io_at(&outbox_path))?);
    let mut mailer = Mailer {
        dir: out.join("messages"),
        count: 0,
        problems: Vec::new(),
        outbox: &mut outbox,
        templates: &templates,
        clock: Timestamp::MIN,
        waiting: Vec::new(),
    };
    let mut summary = Summary {
        steps: script.steps.len(),
        rejected: 0,
        surprises: Vec::new(),
        messages: 0,
        problems: Vec::new(),
        status: String::new(),
    };
    for (n, step) in script.steps.iter().enumerate() {
        deliver_until(&mut state, step.event.at, |s, a| mailer.deliver(s, a));
        mailer.flush(&state);
        mailer.clock = step.event.at;
        let result = state
            .admit(&step.event)
            .and_then(|()| state.apply(&step.event));
        let edition = state.edition();
        let mut line = serde_json::to_value(&step.event).unwrap_or_default();
        if let Some(map) = line.as_object_mut() {
            map.insert("step".into(), json!(n + 1));
            map.insert("local".into(), json!(short_local(edition, step.event.at)));
            map.insert("script".into(), json!(step.place));
            if let Some(note) = &step.note {
                map.insert("note".into(), json!(note));
            }
            match &result {
                Ok(()) => map.insert("result".into(), json!("accepted")),
                Err(reason) => {
                    map.insert("reason".into(), json!(reason.to_string()));
                    map.insert("result".into(), json!("rejected"))
                }
            };
        }
        writeln!(events, "{line}").map_err(io_at(&events_path))?;
        match (&result, step.expect_rejected) {
            (Err(reason), true) => {
                // Refused, as expected: for the reason the script gives?
                if let Some(expected) = &step.expect_reason {
                    let english = reason.to_string();
                    let french = jalon_runtime::texts::refusal(
                        jalon_definition::resolved::Language::Fr,
                        reason,
                    );
                    if !english.contains(expected.as_str()) && !french.contains(expected.as_str()) {
                        summary.surprises.push(format!(
                            "{}: {} was refused, as expected, but not for « {expected} »: {english}",
                            step.place,
                            step.event.kind.verb()
                        ));
                    }
                }
            }
            (Ok(()), false) => {}
            (Err(reason), false) => summary.surprises.push(format!(
                "{}: {} was refused: {reason}",
                step.place,
                step.event.kind.verb()
            )),
            (Ok(()), true) => summary.surprises.push(format!(
                "{}: {} was accepted, but the script expects it to be refused",
                step.place,
                step.event.kind.verb()
            )),
        }
        if result.is_err() {
            summary.rejected += 1;
        }
    }
    let edition = state.edition();
    let last_step = script.steps.last().map(|s| s.event.at);
    let until = match script.until {
        Some(date) => jalon_core::time::end_of_day(&edition.time_zone, date),
        None => {
            let end = jalon_core::time::end_of_day(&edition.time_zone, edition.end);
            end.max(last_step.unwrap_or(end))
                .checked_add(24.hours())
                .unwrap_or(end)
        }
    };
    deliver_until(&mut state, until, |s, a| mailer.deliver(s, a));
    mailer.flush(&state);
    summary.messages = mailer.count;
    summary.problems = std::mem::take(&mut mailer.problems);
    events.flush().map_err(io_at(&events_path))?;
    outbox.flush().map_err(io_at(&outbox_path))?;
    // Shown as the last minute of the simulated period, not the next midnight.
    let shown = until.checked_sub(1.minute()).unwrap_or(until);
    summary.status = status::table(&state, shown);
    let status_path = out.join("status.txt");
    fs::write(&status_path, &summary.status).map_err(io_at(&status_path))?;
    Ok(summary)
}

/// Writes each due message as an `.eml` and a line of the outbox.
struct Mailer<'a, W: Write> {
    dir: PathBuf,
    count: usize,
    problems: Vec<String>,
    outbox: &'a mut W,
    templates: &'a jalon_message::Templates,
    /// The simulated now: messages are stamped when they would be sent.
    clock: Timestamp,
    /// Due at the same instant, not yet written: alike ones merge into one
    /// email, as the daemon sends them.
    waiting: Vec<Action>,
}

impl<W: Write> Mailer<'_, W> {
    fn deliver(&mut self, state: &State, action: &Action) {
        if self
            .waiting
            .first()
            .is_some_and(|w| w.due_at != action.due_at)
        {
            self.flush(state);
        }
        self.waiting.push(action.clone());
    }

    /// Writes what waits: one `.eml` per email, a line of the outbox per
    /// message it carries.
    fn flush(&mut self, state: &State) {
        let edition = state.edition();
        let waiting = std::mem::take(&mut self.waiting);
        let Some(due_at) = waiting.first().map(|a| a.due_at) else {
            return;
        };
        let sent_at = due_at.max(self.clock);
        let addressed = waiting
            .into_iter()
            .filter(|a| mailbox(edition, a.recipient).is_some())
            .collect();
        for letter in grouped::letters(state, self.templates, addressed, sent_at, None) {
            let Some(first) = letter.actions.first() else {
                continue;
            };
            let email = match letter.email {
                Ok(email) => email,
                Err(e) => {
                    self.problems.push(format!("{}: {e}", first.key));
                    continue;
                }
            };
            let bytes = match to_eml(&email, messages::MAIL_DOMAIN) {
                Ok(bytes) => bytes,
                Err(e) => {
                    self.problems.push(format!("{}: {e}", first.key));
                    continue;
                }
            };
            self.count += 1;
            let name = format!(
                "{:04}-{}.eml",
                self.count,
                slug(&format!(
                    "{}-{}",
                    kind_word(first.kind),
                    first.key_parts().map(|k| k.joined("-")).unwrap_or_default()
                ))
            );
            let path = self.dir.join(&name);
            if let Err(e) = fs::write(&path, &bytes) {
                self.problems
                    .push(format!("cannot write `{}`: {e}", path.display()));
                continue;
            }
            let to = email
                .to
                .first()
                .map_or_else(String::new, |m| format!("{} <{}>", m.name, m.email));
            for action in &letter.actions {
                let line = json!({
                    "key": action.key,
                    "kind": action.kind,
                    "due": action.due_at.to_zoned(edition.time_zone.clone()).to_string(),
                    "sent": sent_at.to_zoned(edition.time_zone.clone()).to_string(),
                    "late": sent_at > action.due_at,
                    "to": to,
                    "subject": email.subject,
                    "file": format!("messages/{name}"),
                });
                if writeln!(self.outbox, "{line}").is_err() {
                    self.problems.push("cannot write the outbox".into());
                }
            }
        }
    }
}

/// File-name safe: letters, digits and dashes.
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').chars().take(150).collect()
}
