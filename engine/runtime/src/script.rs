//! Simulation scripts: a year of an edition as a list of dated steps, each
//! an event (`do: complete`, `approve`, `refuse`, `select`, `score`,
//! `decide`, `record`, `withdraw`, `postpone`, `adjourn`, `cancel_event`)
//! with who did it. Every problem is reported with its line and column, all
//! at once.

use std::path::Path;

use jalon_core::{Channel, Event, EventKind};
use jalon_definition::resolved::Edition;
use jalon_definition::source::{Sources, Span};
use jalon_definition::tree::{Node, NodeValue};
use jalon_definition::yaml::{load, Limits};
use jalon_definition::{load_diagnostic, Diagnostic, Report};
use jiff::civil::Date;

pub struct Script {
    pub until: Option<Date>,
    pub steps: Vec<Step>,
}

pub struct Step {
    pub event: Event,
    pub expect_rejected: bool,
    /// With `expect: {rejected: TEXT}`: what the refusal must say (part of
    /// its English or French words).
    pub expect_reason: Option<String>,
    pub note: Option<String>,
    /// `file:line`, to point back at the script in the log.
    pub place: String,
}

const STEP_KEYS: [&str; 5] = ["at", "by", "channel", "expect", "note"];

/// Reads a script; on any problem, returns the report to print.
pub fn read(path: &Path, edition: &Edition) -> Result<Script, Report> {
    let mut report = Report {
        checked: vec![path.to_path_buf()],
        ..Report::default()
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            report.diagnostics.push(Diagnostic::error(
                "unreadable",
                format!("cannot read `{}`: {error}", path.display()),
            ));
            return Err(report);
        }
    };
    let file = report.sources.add(path.to_path_buf(), text.clone());
    let root = match load(file, &text, &Limits::default()) {
        Ok(root) => root,
        Err(error) => {
            report.diagnostics.push(load_diagnostic(&error));
            return Err(report);
        }
    };
    let mut reader = Reader {
        edition,
        sources: &report.sources,
        problems: Vec::new(),
    };
    let script = reader.script(&root);
    report.diagnostics = reader.problems;
    match script {
        Some(script) if report.diagnostics.is_empty() => Ok(script),
        _ => Err(report),
    }
}

struct Reader<'a> {
    edition: &'a Edition,
    sources: &'a Sources,
    problems: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, span: Span, code: &'static str, message: String, hint: &str) {
        self.problems
            .push(Diagnostic::error(code, message).at(span).hint(hint));
    }

    fn script(&mut self, root: &Node) -> Option<Script> {
        let NodeValue::Map(entries) = &root.value else {
            self.error(
                root.span,
                "script-shape",
                format!(
                    "a script is a mapping with `steps:`, not {}",
                    root.describe()
                ),
                "start the file with `steps:` and a list of dated steps",
            );
            return None;
        };
        let mut until = None;
        let mut steps = None;
        for entry in entries {
            match entry.key.as_str() {
                "edition" => {
                    // `edition: 2021` reads as a number; the id is its text.
                    let written = match &entry.value.value {
                        NodeValue::Str(s) => s.clone(),
                        NodeValue::Int(i) => i.to_string(),
                        _ => String::new(),
                    };
                    if written != self.edition.id {
                        self.error(
                            entry.value.span,
                            "wrong-edition",
                            format!(
                                "this script is for edition `{written}`, not for `{}`",
                                self.edition.id
                            ),
                            "run it with its own edition file",
                        );
                    }
                }
                "until" => until = self.date(&entry.value),
                "steps" => steps = Some(&entry.value),
                other => self.error(
                    entry.key_span,
                    "unknown-key",
                    format!("a script has no key `{other}`"),
                    "the keys are `edition`, `until` and `steps`",
                ),
            }
        }
        let Some(steps) = steps else {
            self.error(
                root.span,
                "missing-key",
                "the script has no `steps:`".into(),
                "add `steps:` with a list of dated steps",
            );
            return None;
        };
        let NodeValue::Seq(items) = &steps.value else {
            self.error(
                steps.span,
                "script-shape",
                format!("`steps` is a list, not {}", steps.describe()),
                "write each step as `- at: 2024-07-01 10:00` followed by its keys",
            );
            return None;
        };
        let mut out = Vec::new();
        let mut last: Option<(jiff::Timestamp, Span)> = None;
        for item in items {
            let Some(step) = self.step(item) else {
                continue;
            };
            if let Some((previous, _)) = last {
                if step.event.at < previous {
                    self.error(
                        item.span,
                        "steps-out-of-order",
                        "this step is dated before the one above it".into(),
                        "keep the steps in time order: the log only moves forward",
                    );
                }
            }
            last = Some((step.event.at, item.span));
            out.push(step);
        }
        Some(Script { until, steps: out })
    }

    fn date(&mut self, node: &Node) -> Option<Date> {
        match node.as_str().map(str::parse::<Date>) {
            Some(Ok(date)) => Some(date),
            _ => {
                self.error(
                    node.span,
                    "invalid-date",
                    format!(
                        "expected a date such as 2025-09-30, found {}",
                        node.describe()
                    ),
                    "write dates as YYYY-MM-DD",
                );
                None
            }
        }
    }

    fn step(&mut self, item: &Node) -> Option<Step> {
        let NodeValue::Map(entries) = &item.value else {
            self.error(
                item.span,
                "script-shape",
                format!("a step is a mapping, not {}", item.describe()),
                "write `- at: 2024-07-01 10:00`, `by: …`, `do: …` and the event's keys",
            );
            return None;
        };
        let at = match item.get("at") {
            Some(node) => self.instant(node),
            None => {
                self.error(
                    item.span,
                    "missing-key",
                    "this step has no `at:` (when it happens)".into(),
                    "add `at: 2024-07-01 10:00` (local time of the edition)",
                );
                None
            }
        };
        let by = match item.get("by").and_then(Node::as_str) {
            Some(by) if !by.trim().is_empty() => Some(by.trim().to_owned()),
            _ => {
                self.error(
                    item.entry("by").map_or(item.span, |e| e.value.span),
                    "missing-key",
                    "this step does not say who did it (`by:`)".into(),
                    "add `by:` with a person's id, or the operator's name",
                );
                None
            }
        };
        let channel = match item.get("channel") {
            None => Some(Channel::Script),
            Some(node) => match serde_json::from_value::<Channel>(node.to_json()) {
                Ok(channel) => Some(channel),
                Err(_) => {
                    self.error(
                        node.span,
                        "invalid-value",
                        format!("unknown channel {}", node.describe()),
                        "the channels are cli, link, api and script",
                    );
                    None
                }
            },
        };
        let mut expect_reason = None;
        let expect_rejected = match item.get("expect").map(|n| (n, n.as_str())) {
            None => false,
            Some((_, Some("rejected"))) => true,
            Some((_, Some("accepted"))) => false,
            Some((node, None)) if self.reason_of(node).is_some() => {
                expect_reason = self.reason_of(node);
                true
            }
            Some((node, _)) => {
                self.error(
                    node.span,
                    "invalid-value",
                    format!(
                        "`expect` is `accepted`, `rejected` or `{{rejected: WHY}}`, not {}",
                        node.describe()
                    ),
                    "use `expect: rejected` for a step the engine must refuse, or `expect: {rejected: \"already left\"}` to say why (part of the refusal's English or French words)",
                );
                false
            }
        };
        let note = item.get("note").and_then(Node::as_str).map(str::to_owned);
        let kind = self.event_kind(item, entries)?;
        Some(Step {
            event: Event {
                at: at?,
                by: by?,
                channel: channel?,
                kind,
            },
            expect_rejected,
            expect_reason,
            note,
            place: self.place(item.span),
        })
    }

    /// The text of `{rejected: TEXT}`, a non-empty string.
    fn reason_of(&self, node: &Node) -> Option<String> {
        let NodeValue::Map(entries) = &node.value else {
            return None;
        };
        match entries.as_slice() {
            [entry] if entry.key == "rejected" => entry
                .value
                .as_str()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            _ => None,
        }
    }

    /// The event itself: every key but the step's own, read by serde.
    fn event_kind(
        &mut self,
        item: &Node,
        entries: &[jalon_definition::tree::Entry],
    ) -> Option<EventKind> {
        let mut map = serde_json::Map::new();
        for entry in entries {
            if !STEP_KEYS.contains(&entry.key.as_str()) {
                map.insert(entry.key.clone(), entry.value.to_json());
            }
        }
        if !map.contains_key("do") {
            self.error(
                item.span,
                "missing-key",
                "this step does not say what happened (`do:`)".into(),
                "add `do:` with complete, approve, refuse, select, score, decide, record, withdraw, postpone, adjourn, cancel_event or close",
            );
            return None;
        }
        match serde_json::from_value::<EventKind>(serde_json::Value::Object(map)) {
            Ok(kind) => Some(kind),
            Err(error) => {
                let message = error.to_string();
                // Point at the key serde names, when it names one.
                let span = quoted(&message)
                    .and_then(|name| item.entry(name))
                    .map_or(item.span, |e| e.key_span);
                let span = if message.contains("unknown variant") {
                    item.get("do").map_or(span, |n| n.span)
                } else {
                    span
                };
                self.error(
                    span,
                    "invalid-step",
                    format!("this step cannot be read: {message}"),
                    "see the script format in README.md (`jalon simulate`)",
                );
                None
            }
        }
    }

    /// `2024-07-01 10:00` (or a bare date, meaning 09:00) in the edition's
    /// time zone.
    fn instant(&mut self, node: &Node) -> Option<jiff::Timestamp> {
        let text = node.as_str().unwrap_or_default();
        let parsed = crate::local_time::parse(&self.edition.time_zone, text);
        match parsed {
            Some(at) => Some(at),
            None => {
                self.error(
                    node.span,
                    "invalid-date",
                    format!(
                        "expected a local date and time such as 2024-07-01 10:00, found {}",
                        node.describe()
                    ),
                    "write `YYYY-MM-DD HH:MM`, in the edition's time zone",
                );
                None
            }
        }
    }

    fn place(&self, span: Span) -> String {
        let file = self.sources.get(span.file);
        format!("{}:{}", file.path.display(), file.line_col(span.start).line)
    }
}

/// The first `backquoted` word of a serde message.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}
