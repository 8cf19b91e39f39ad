//! The status table: every stage instance at an instant, with what a
//! programme manager asks first — is it late, who does it wait for, why was
//! it skipped.

use std::fmt::Write;

use jalon_core::{status_word, Instance, Lifecycle, Progress, State};
use jiff::Timestamp;

use crate::local_time::short as short_local;

/// One line of the status: a stage instance.
pub struct Row {
    /// `stage` or `stage · participant`.
    pub name: String,
    /// Its lifecycle, with `, LATE` when it is late.
    pub state: String,
    pub late: bool,
    pub start: String,
    pub due: String,
    /// Done when, skipped why, awaiting whom, changes asked by whom.
    pub note: String,
}

/// The validators of an instance who have not approved it yet.
pub fn awaited_validators(state: &State, instance: &Instance) -> Vec<usize> {
    let stage = &state.edition().stages[instance.stage];
    stage
        .validation
        .as_ref()
        .map(|v| state.people_of(&v.by, instance.participant))
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !instance.approvals.iter().any(|(a, _)| a == p))
        .collect()
}

/// Every stage instance at `now`, in the order of their windows.
pub fn rows(state: &State, now: Timestamp) -> Vec<Row> {
    let edition = state.edition();
    let mut rows = Vec::new();
    let mut instances: Vec<_> = state.instances().iter().collect();
    instances.sort_by_key(|i| (i.window.start, i.stage, i.participant));
    for instance in instances {
        let stage = &edition.stages[instance.stage];
        let name = match instance.participant {
            Some(p) => format!("{} · {}", stage.id, edition.participants[p].id),
            None => stage.id.clone(),
        };
        let (life, late) = state.lifecycle(instance, now);
        // In a closed edition, what was never done is history, not late.
        let unfinished = !matches!(life, Lifecycle::Done | Lifecycle::Skipped);
        let (mut word, late) = match state.closed() {
            Some(_) if unfinished => ("not recorded (edition closed)".to_owned(), false),
            _ => (life.as_str().to_owned(), late),
        };
        if late {
            word.push_str(", LATE");
        }
        let note = match &instance.progress {
            Progress::Done { at } => {
                let mut note = format!("done {}", short_local(edition, *at));
                if let Some(o) = instance.outcome {
                    let _ = write!(note, " — {}", stage.outcomes[o].id);
                }
                note
            }
            Progress::Skipped { reason, .. } => state.skip_words(reason),
            Progress::AwaitingValidation { since } => {
                let waiting: Vec<&str> = awaited_validators(state, instance)
                    .into_iter()
                    .map(|p| edition.people[p].name.as_str())
                    .collect();
                format!(
                    "since {}, awaits {}",
                    short_local(edition, *since),
                    waiting.join(", ")
                )
            }
            Progress::Active => match instance.refusals.last() {
                Some(r) if life == Lifecycle::Open => format!(
                    "changes asked by {}: « {} »",
                    edition.people[r.by].name, r.comment
                ),
                _ => String::new(),
            },
        };
        // Planned beside actual: what the definition said, once moved
        // (postponed, or following a postponement or a completion).
        let planned = match stage.to_be_fixed {
            Some(_) => "planned « à fixer »".to_owned(),
            None => format!(
                "planned {} → {}",
                stage.start.strftime("%d/%m/%Y"),
                stage.due.strftime("%d/%m/%Y")
            ),
        };
        let moved = (instance.window.start, instance.window.due) != (stage.start, stage.due);
        let note = if instance.window.to_be_fixed {
            let by = stage.to_be_fixed.and_then(|t| t.fix_by);
            let by = by.map_or_else(String::new, |d| format!(" by {}", d.strftime("%d/%m/%Y")));
            format!("{note} (dates to be fixed{by})").trim().to_owned()
        } else if instance.postponements > 0 {
            format!("{note} (postponed ×{}; {planned})", instance.postponements)
                .trim()
                .to_owned()
        } else if moved {
            format!("{note} (moved; {planned})").trim().to_owned()
        } else {
            note
        };
        rows.push(Row {
            name,
            state: word,
            late,
            start: date_or_unknown(instance, instance.window.start),
            due: date_or_unknown(instance, instance.window.due),
            note,
        });
    }
    rows
}

/// `25/11/2027`, or `à fixer` while the stage's dates are not fixed.
fn date_or_unknown(instance: &Instance, date: jiff::civil::Date) -> String {
    if instance.window.to_be_fixed {
        "à fixer".to_owned()
    } else {
        date.strftime("%d/%m/%Y").to_string()
    }
}

/// One participant: id, status word, and since when they left.
pub struct ParticipantRow {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub left: Option<String>,
}

pub fn participants(state: &State) -> Vec<ParticipantRow> {
    let edition = state.edition();
    edition
        .participants
        .iter()
        .enumerate()
        .map(|(p, participant)| {
            let current = state.participant(p);
            ParticipantRow {
                id: participant.id.clone(),
                name: participant.name.clone(),
                status: status_word(Some(current.status)),
                left: current.left_at.map(|at| short_local(edition, at)),
            }
        })
        .collect()
}

pub fn table(state: &State, now: Timestamp) -> String {
    let edition = state.edition();
    let rows: Vec<[String; 5]> = rows(state, now)
        .into_iter()
        .map(|r| [r.name, r.state, r.start, r.due, r.note])
        .collect();
    let headers = ["STAGE", "STATE", "START", "DUE", "NOTE"];
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([headers[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!(
        "Status of {} — {} at {}\n",
        edition.programme_name,
        edition.name,
        short_local(edition, now)
    );
    if let Some(closure) = state.closed() {
        let _ = writeln!(
            out,
            "CLOSED on {} by {}: {}",
            short_local(edition, closure.at),
            closure.by,
            closure.reason
        );
    }
    out.push('\n');
    let line = |out: &mut String, cells: [&str; 5]| {
        let _ = writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    };
    line(&mut out, headers);
    for row in &rows {
        line(
            &mut out,
            [&row[0], &row[1], &row[2], &row[3], &row[4]].map(|s| s.as_str()),
        );
    }
    let _ = writeln!(out, "\nParticipants");
    for participant in participants(state) {
        let left = participant
            .left
            .map(|at| format!(" since {at}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {:<24} {}{left}", participant.id, participant.status);
    }
    out
}
