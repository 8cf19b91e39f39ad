//! `jalon export`: an edition's progress for the impact lab and the
//! département — JSON with everything, or CSV with one row per stage
//! instance (opens in a spreadsheet).

use jalon_core::{Progress, State};
use jiff::Timestamp;
use serde::Serialize;

#[derive(Serialize)]
struct Export<'a> {
    edition: &'a str,
    name: &'a str,
    programme: &'a str,
    definition_version: &'a str,
    at: String,
    /// When, by whom and why the edition was closed; absent while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    closed: Option<Closed<'a>>,
    participants: Vec<ParticipantRow<'a>>,
    stages: Vec<StageRow>,
}

#[derive(Serialize)]
struct Closed<'a> {
    at: String,
    by: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct ParticipantRow<'a> {
    id: &'a str,
    name: &'a str,
    status: &'static str,
    left_at: Option<String>,
    /// For those who applied through the call: every version, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    applications: Vec<ApplicationRow<'a>>,
    /// The other participants with the same organisation or contact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    looks_like: Vec<&'a str>,
}

#[derive(Serialize)]
struct ApplicationRow<'a> {
    at: String,
    by: &'a str,
    #[serde(flatten)]
    application: &'a jalon_core::Application,
}

#[derive(Serialize)]
struct StageRow {
    stage: String,
    participant: Option<String>,
    state: &'static str,
    late: bool,
    start: String,
    due: String,
    done_at: Option<String>,
    outcome: Option<String>,
    approvals: Vec<String>,
    refusals: Vec<String>,
    indicators: Vec<(String, String)>,
    /// What was handed in, version by version: `v1 name (sha256:…)`, or
    /// `v1 https://…` for a link.
    handed_in: Vec<String>,
}

fn rows(state: &State, now: Timestamp) -> Vec<StageRow> {
    let edition = state.edition();
    let zoned = |t: Timestamp| t.to_zoned(edition.time_zone.clone()).to_string();
    let mut instances: Vec<_> = state.instances().iter().collect();
    instances.sort_by_key(|i| (i.window.start, i.stage, i.participant));
    instances
        .into_iter()
        .map(|i| {
            let stage = &edition.stages[i.stage];
            let (life, late) = state.lifecycle(i, now);
            StageRow {
                stage: stage.id.clone(),
                participant: i.participant.map(|p| edition.participants[p].id.clone()),
                state: life.as_str(),
                late,
                start: i.window.start.to_string(),
                due: i.window.due.to_string(),
                done_at: match i.progress {
                    Progress::Done { at } => Some(zoned(at)),
                    _ => None,
                },
                outcome: i.outcome.map(|o| stage.outcomes[o].id.clone()),
                approvals: i
                    .approvals
                    .iter()
                    .map(|(p, at)| format!("{} {}", edition.people[*p].id, zoned(*at)))
                    .collect(),
                refusals: i
                    .refusals
                    .iter()
                    .map(|r| format!("{}: {}", edition.people[r.by].id, r.comment))
                    .collect(),
                indicators: i
                    .indicators
                    .iter()
                    .map(|v| (stage.indicators[v.indicator].id.clone(), v.value.clone()))
                    .collect(),
                handed_in: i
                    .submissions
                    .iter()
                    .flat_map(|s| {
                        s.documents.iter().map(move |piece| match piece {
                            jalon_core::Piece::File { name, sha256, .. } => {
                                format!("v{} {name} (sha256:{sha256})", s.round)
                            }
                            jalon_core::Piece::Link { url, .. } => format!("v{} {url}", s.round),
                        })
                    })
                    .collect(),
            }
        })
        .collect()
}

pub fn json(state: &State, now: Timestamp) -> String {
    let edition = state.edition();
    let export = Export {
        edition: &edition.id,
        name: &edition.name,
        programme: &edition.programme_name,
        definition_version: &edition.version,
        at: now.to_zoned(edition.time_zone.clone()).to_string(),
        closed: state.closed().map(|c| Closed {
            at: c.at.to_zoned(edition.time_zone.clone()).to_string(),
            by: &c.by,
            reason: &c.reason,
        }),
        participants: edition
            .participants
            .iter()
            .enumerate()
            .map(|(p, participant)| ParticipantRow {
                id: &participant.id,
                name: &participant.name,
                status: jalon_core::status_word(Some(state.participant(p).status)),
                left_at: state.participant(p).left_at.map(|t| t.to_string()),
                applications: state
                    .application(p)
                    .map(|record| {
                        record
                            .revisions
                            .iter()
                            .map(|r| ApplicationRow {
                                at: r.at.to_zoned(edition.time_zone.clone()).to_string(),
                                by: &r.by,
                                application: &r.application,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                looks_like: state
                    .look_alikes(p)
                    .into_iter()
                    .map(|(other, _)| edition.participants[other].id.as_str())
                    .collect(),
            })
            .collect(),
        stages: rows(state, now),
    };
    let mut text = serde_json::to_string_pretty(&export).unwrap_or_default();
    text.push('\n');
    text
}

pub fn csv(state: &State, now: Timestamp) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "stage",
        "participant",
        "state",
        "late",
        "start",
        "due",
        "done_at",
        "outcome",
        "approvals",
        "refusals",
        "indicators",
        "handed_in",
    ];
    writer.write_record(header).map_err(|e| e.to_string())?;
    for row in rows(state, now) {
        let indicators: Vec<String> = row
            .indicators
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        writer
            .write_record([
                row.stage,
                row.participant.unwrap_or_default(),
                row.state.to_owned(),
                row.late.to_string(),
                row.start,
                row.due,
                row.done_at.unwrap_or_default(),
                row.outcome.unwrap_or_default(),
                row.approvals.join("; "),
                row.refusals.join("; "),
                indicators.join("; "),
                row.handed_in.join("; "),
            ])
            .map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}
