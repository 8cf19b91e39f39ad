//! The events of `jalon plan`: each one with its sessions, one line each
//! (short enough for a phone), a moved session saying from which day and
//! why.

use std::fmt::Write;

use jalon_core::State;
use jalon_definition::expr::{DayUnit, EventLength};
use jalon_definition::resolved::Event;
use jalon_definition::series::NonWorkingReason;
use jiff::civil::Date;

const DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];

/// `jeu. 08/05/2025`.
fn day(date: Date) -> String {
    let weekday = DAYS[date.weekday().to_monday_zero_offset() as usize];
    format!("{weekday} {}", date.strftime("%d/%m/%Y"))
}

/// `jeu. 08/05`: the year only when it is not that of `beside`.
fn short_day(date: Date, beside: Date) -> String {
    let weekday = DAYS[date.weekday().to_monday_zero_offset() as usize];
    let format = if date.year() == beside.year() {
        "%d/%m"
    } else {
        "%d/%m/%Y"
    };
    format!("{weekday} {}", date.strftime(format))
}

/// An event of the JSON plan, with its sessions as planned.
#[derive(serde::Serialize)]
pub struct JsonEvent<'a> {
    stage: &'a str,
    event: &'a str,
    title: &'a str,
    /// Local time, `HH:MM`.
    time: String,
    /// Its stage's dates are still to be fixed: no sessions yet.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    to_be_fixed: bool,
    sessions: Vec<JsonSession>,
}

#[derive(serde::Serialize)]
pub struct JsonSession {
    date: String,
    /// The rule's day, when the session was moved off it.
    #[serde(skip_serializing_if = "Option::is_none")]
    moved_from: Option<String>,
    /// Why the rule's day is not worked (a weekday, a holiday, a closure).
    #[serde(skip_serializing_if = "Option::is_none")]
    closed: Option<String>,
}

/// Every event of the edition with its sessions, for `plan --format json`.
pub fn json(state: &State) -> Vec<JsonEvent<'_>> {
    let edition = state.edition();
    let mut out = Vec::new();
    for (s, stage) in edition.stages.iter().enumerate() {
        let first = state.instances().iter().find(|i| i.stage == s);
        let to_be_fixed = first.is_some_and(|i| i.window.to_be_fixed);
        let shift = first.map_or_else(jiff::Span::new, |i| i.window.start - stage.start);
        for event in &stage.events {
            let sessions = if to_be_fixed {
                Vec::new()
            } else {
                event
                    .held(shift, edition.calendar_of(s))
                    .into_iter()
                    .map(|session| JsonSession {
                        date: session.date.to_string(),
                        moved_from: session.moved().then(|| session.planned.to_string()),
                        closed: session.closed.as_ref().map(reason_words),
                    })
                    .collect()
            };
            out.push(JsonEvent {
                stage: &stage.id,
                event: &event.id,
                title: &event.title,
                time: event.time.strftime("%H:%M").to_string(),
                to_be_fixed,
                sessions,
            });
        }
    }
    out
}

/// The `Events` section; empty when the edition has none.
pub fn text(state: &State) -> String {
    let edition = state.edition();
    let mut out = String::new();
    for (s, stage) in edition.stages.iter().enumerate() {
        // The sessions of the stage as planned: its first instance's.
        let first = state.instances().iter().find(|i| i.stage == s);
        let to_be_fixed = first.is_some_and(|i| i.window.to_be_fixed);
        let shift = first.map_or_else(jiff::Span::new, |i| i.window.start - stage.start);
        for event in &stage.events {
            if out.is_empty() {
                out.push_str("\nEvents\n");
            }
            let sessions = event.held(shift, edition.calendar_of(s));
            let days = match event.length {
                EventLength::Days(days) if days > 1 => format!(", {days} days"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {}  {}, {}{days}{}",
                stage.id,
                event.title,
                event.time.strftime("%H:%M"),
                repeat_words(event, sessions.len())
            );
            if to_be_fixed {
                let _ = writeln!(out, "      to be fixed, with the stage's dates");
                continue;
            }
            for session in &sessions {
                let moved = match (&session.closed, session.moved()) {
                    (Some(reason), true) => format!(
                        "  moved from {} ({})",
                        short_day(session.planned, session.date),
                        reason_words(reason)
                    ),
                    (Some(reason), false) => {
                        format!("  kept on a day not worked ({})", reason_words(reason))
                    }
                    (None, _) => String::new(),
                };
                let _ = writeln!(out, "      {}{moved}", day(session.date));
            }
        }
    }
    out
}

/// `, every month, 6 sessions`; nothing for a single event.
fn repeat_words(event: &Event, count: usize) -> String {
    let Some(every) = event.every else {
        return String::new();
    };
    let unit = match every.unit {
        DayUnit::Months => "month",
        DayUnit::Weeks => "week",
        _ => "day",
    };
    let every = match every.amount {
        1 => format!("every {unit}"),
        n => format!("every {n} {unit}s"),
    };
    format!(", {every}, {count} sessions")
}

fn reason_words(reason: &NonWorkingReason) -> String {
    match reason {
        NonWorkingReason::Weekend(weekday) => {
            const NAMES: [&str; 7] = [
                "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
            ];
            NAMES[weekday.to_monday_zero_offset() as usize].to_owned()
        }
        NonWorkingReason::PublicHoliday(name) => (*name).to_owned(),
        NonWorkingReason::Closure(name) => name.clone(),
    }
}
