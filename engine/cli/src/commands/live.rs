//! The read-only views of a live edition: status, the audit trail, the
//! outbox, the export.

use jalon_runtime::local_time::short as short_local;
use jalon_runtime::replay::replay;
use jalon_runtime::status;
use jalon_store::{Delivery, Store};

use super::{clock, Target};
use crate::export;
use crate::failure::Failure;

/// The status table at `at` (now by default).
pub fn status(target: &Target, at: Option<&str>) -> Result<String, Failure> {
    let edition = target.edition()?;
    let now = clock(&edition, at)?.now();
    let history = target.history(&edition)?;
    let held = match jalon_store::Backend::open_read_only(&target.backend()?)? {
        Some(store) => store.held(&edition.id)?.len(),
        None => 0,
    };
    let state = replay(edition, &history)?;
    let mut out = status::table(&state, now);
    if held > 0 {
        out.push_str(&held_advice(&state.edition().id, held));
    }
    Ok(out)
}

/// What to do about held messages (see `jalon_runtime::hold`).
fn held_advice(edition: &str, held: usize) -> String {
    format!(
        "
{held} message(s) HELD: they were already late when their definition came in,          so they wait for a release.
See them with `jalon outbox {edition} --status held`;          let them go with `jalon release {edition} --by PERSON`, or drop them with `--drop`.
"
    )
}

/// The audit trail: every event with who, when, how and under which
/// definition version.
pub fn log(target: &Target) -> Result<String, Failure> {
    let store = target.read_only()?;
    let history = store.history(&target.edition)?;
    let edition = target.edition()?;
    let mut out = format!(
        "Log of {} — {} ({} events)\n",
        edition.programme_name,
        edition.name,
        history.events.len()
    );
    for stored in &history.events {
        let details = serde_json::to_value(&stored.event.kind)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .map(|m| {
                m.into_iter()
                    .filter(|(k, _)| k != "do")
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => format!("{k}={s}"),
                        other => format!("{k}={other}"),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let channel = serde_json::to_value(stored.event.channel)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(
            "#{:<4} {}  {:<10} {:<20} via {:<6} {details}  [definition {}]\n",
            stored.seq,
            short_local(&edition, stored.event.at),
            stored.event.kind.verb(),
            stored.event.by,
            channel,
            stored.version
        ));
    }
    Ok(out)
}

/// Every message of the edition and where it stands — for the coordinator
/// watching for bounces and the operator after an incident.
pub fn outbox(target: &Target, only: Option<&str>) -> Result<String, Failure> {
    let only = match only {
        None => None,
        Some(text) => Some(parse_status(text).ok_or_else(|| {
            Failure::Usage(format!(
                "--status {text}: use pending, held, sent, failed or expired"
            ))
        })?),
    };
    let store = target.read_only()?;
    let edition = target.edition()?;
    let rows = store.outbox(&edition.id)?;
    let count = |status| rows.iter().filter(|r| r.status == status).count();
    let held = count(Delivery::Held);
    let mut out = format!(
        "Outbox of {} — {}: {} messages ({} pending, {}{} sent, {} failed, {} expired)\n\n",
        edition.programme_name,
        edition.name,
        rows.len(),
        count(Delivery::Pending),
        if held > 0 {
            format!("{held} held, ")
        } else {
            String::new()
        },
        count(Delivery::Sent),
        count(Delivery::Failed),
        count(Delivery::Expired),
    );
    out.push_str(&format!(
        "{:<8} {:<22} {:>8}  {:<28} KEY\n",
        "STATUS", "DUE", "ATTEMPTS", "TO"
    ));
    for row in rows.iter().filter(|r| only.is_none_or(|s| r.status == s)) {
        out.push_str(&format!(
            "{:<8} {:<22} {:>8}  {:<28} {}\n",
            row.status.as_str(),
            short_local(&edition, row.due_at),
            row.attempts,
            row.recipient,
            row.key
        ));
        if let Some(at) = row.retry_at.filter(|_| row.status == Delivery::Pending) {
            out.push_str(&format!(
                "         next attempt from {}\n",
                short_local(&edition, at)
            ));
        }
        // The server's last word on a message not (yet) delivered.
        if matches!(row.status, Delivery::Pending | Delivery::Failed) && row.attempts > 0 {
            let attempts = store.attempts(&row.key)?;
            if let Some((_, _, Some(detail))) = attempts.last() {
                out.push_str(&format!("         last answer: {detail}\n"));
            }
        }
    }
    if held > 0 {
        out.push_str(&held_advice(&edition.id, held));
    }
    Ok(out)
}

fn parse_status(text: &str) -> Option<Delivery> {
    [
        Delivery::Pending,
        Delivery::Held,
        Delivery::Sent,
        Delivery::Failed,
        Delivery::Expired,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// Everything, for programs.
    Json,
    /// One row per stage instance, for a spreadsheet.
    Csv,
    /// One row per participant with its grant and prize, then the total
    /// awarded and the budget, for a spreadsheet.
    ParticipantsCsv,
}

/// An edition's progress for the impact lab and the département.
pub fn export(target: &Target, format: ExportFormat, at: Option<&str>) -> Result<String, Failure> {
    let edition = target.edition()?;
    let now = clock(&edition, at)?.now();
    let history = target.history(&edition)?;
    let state = replay(edition, &history)?;
    match format {
        ExportFormat::Json => Ok(export::json(&state, now)),
        ExportFormat::Csv => export::csv(&state, now).map_err(Failure::Usage),
        ExportFormat::ParticipantsCsv => export::participants_csv(&state).map_err(Failure::Usage),
    }
}
