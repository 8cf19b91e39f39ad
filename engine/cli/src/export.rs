//! `jalon export`: an edition's progress for the impact lab and the
//! département — JSON with everything, or CSV with one row per stage
//! instance (opens in a spreadsheet).

use jalon_core::{Progress, State};
use jalon_definition::amount::{total_plain, Amount};
use jalon_definition::resolved::{Edition, ParticipantStatus};
use jalon_runtime::texts::plain;
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
    /// The budget for grants and prizes, in euros, when the edition states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    budget: Option<f64>,
    /// The grants and prizes of the participants still in the running, in
    /// euros; absent when no amount or budget is stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    awarded: Option<f64>,
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
    /// Amounts in euros, as numbers (`25000.5`); `amount` is both together.
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prize: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<f64>,
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
                    .map(|v| {
                        (
                            stage.indicators[v.indicator].id.clone(),
                            v.value.to_string(),
                        )
                    })
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
        budget: edition.budget.map(Amount::euros),
        awarded: has_amounts(edition).then(|| cents_to_euros(awarded(state))),
        participants: edition
            .participants
            .iter()
            .enumerate()
            .map(|(p, participant)| ParticipantRow {
                id: &participant.id,
                name: &participant.name,
                status: jalon_core::status_word(Some(state.participant(p).status)),
                left_at: state.participant(p).left_at.map(|t| t.to_string()),
                grant: participant.award.grant.map(Amount::euros),
                prize: participant.award.prize.map(Amount::euros),
                amount: participant.award.total().map(cents_to_euros),
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

/// One row per stage instance, for a spreadsheet in the edition's
/// language: a byte-order mark (so Excel reads UTF-8), `;` between fields
/// (the list separator of French locales, where `,` is the decimal one),
/// dates `JJ/MM/AAAA` and instants `JJ/MM/AAAA HH:MM` in the edition's zone,
/// words for states, the jury's scores and indicator values.
pub fn csv(state: &State, now: Timestamp) -> Result<String, String> {
    let edition = state.edition();
    let l = edition.language;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
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
        "scores",
        "indicators",
        "handed_in",
    ]
    .map(|column| plain(l, &format!("export-column-{column}")));
    writer.write_record(header).map_err(|e| e.to_string())?;
    let mut instances: Vec<_> = state.instances().iter().collect();
    instances.sort_by_key(|i| (i.window.start, i.stage, i.participant));
    let day = |d: jiff::civil::Date| d.strftime("%d/%m/%Y").to_string();
    let instant = |t: Timestamp| {
        t.to_zoned(edition.time_zone.clone())
            .strftime("%d/%m/%Y %H:%M")
            .to_string()
    };
    let person = |p: usize| edition.people[p].name.clone();
    for i in instances {
        let stage = &edition.stages[i.stage];
        let (life, late) = state.lifecycle(i, now);
        let scores: Vec<String> = match &stage.jury {
            Some(jury) => i
                .scores
                .iter()
                .map(|score| {
                    let values: Vec<String> = jury
                        .criteria
                        .iter()
                        .zip(&score.values)
                        .map(|(c, v)| format!("{} {v}", c.id))
                        .collect();
                    format!(
                        "{} → {} — {} ({})",
                        person(score.member),
                        edition.participants[score.participant].name,
                        values.join(", "),
                        decimal(l, score.weighted(jury))
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        let indicators: Vec<String> = i
            .indicators
            .iter()
            .map(|v| {
                format!(
                    "{} = {} ({})",
                    stage.indicators[v.indicator].id,
                    v.value,
                    instant(v.at)
                )
            })
            .collect();
        writer
            .write_record([
                stage.title.clone(),
                i.participant
                    .map(|p| edition.participants[p].name.clone())
                    .unwrap_or_default(),
                plain(l, life_word(life)),
                plain(l, if late { "export-yes" } else { "export-no" }),
                day(i.window.start),
                day(i.window.due),
                match i.progress {
                    Progress::Done { at } => instant(at),
                    _ => String::new(),
                },
                i.outcome
                    .map(|o| stage.outcomes[o].title.clone())
                    .unwrap_or_default(),
                i.approvals
                    .iter()
                    .map(|(p, at)| format!("{} ({})", person(*p), instant(*at)))
                    .collect::<Vec<_>>()
                    .join(" | "),
                i.refusals
                    .iter()
                    .map(|r| format!("{} ({}) — {}", person(r.by), instant(r.at), r.comment))
                    .collect::<Vec<_>>()
                    .join(" | "),
                scores.join(" | "),
                indicators.join(" | "),
                i.submissions
                    .iter()
                    .flat_map(|s| {
                        s.documents.iter().map(move |piece| match piece {
                            jalon_core::Piece::File { name, .. } => format!("v{} {name}", s.round),
                            jalon_core::Piece::Link { url, .. } => format!("v{} {url}", s.round),
                        })
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
            ])
            .map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    Ok(format!("\u{feff}{text}"))
}

/// True when the edition states a budget or any participant's amount.
fn has_amounts(edition: &Edition) -> bool {
    edition.budget.is_some()
        || edition
            .participants
            .iter()
            .any(|p| p.award.total().is_some())
}

/// The grants and prizes, in cents, of the participants still in the
/// running as the edition stands (one who withdrew since no longer counts).
pub fn awarded(state: &State) -> u64 {
    let edition = state.edition();
    (0..edition.participants.len())
        .filter(|&p| state.participant(p).status.in_the_running())
        .filter_map(|p| edition.participants[p].award.total())
        .sum()
}

fn cents_to_euros(cents: u64) -> f64 {
    cents as f64 / 100.0
}

/// One row per participant with its status and amounts, for the
/// département's finance: the same conventions as [`csv`] (byte-order
/// mark, `;`, the language's decimal separator, no thousands separator so
/// that a spreadsheet reads numbers), then the total awarded to those
/// still in the running and, when there is one, the budget and what is
/// left of it (negative when overspent).
pub fn participants_csv(state: &State) -> Result<String, String> {
    let edition = state.edition();
    let l = edition.language;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let header = ["participant", "status", "grant", "prize", "amount"]
        .map(|column| plain(l, &format!("export-column-{column}")));
    writer.write_record(header).map_err(|e| e.to_string())?;
    let number = |amount: Option<Amount>| amount.map_or_else(String::new, |a| a.plain(l));
    for (p, participant) in edition.participants.iter().enumerate() {
        let award = participant.award;
        writer
            .write_record([
                participant.name.clone(),
                plain(l, status_word(state.participant(p).status)),
                number(award.grant),
                number(award.prize),
                award
                    .total()
                    .map_or_else(String::new, |cents| total_plain(cents, l)),
            ])
            .map_err(|e| e.to_string())?;
    }
    let awarded = awarded(state);
    let mut last = vec![(plain(l, "export-awarded"), total_plain(awarded, l))];
    if let Some(budget) = edition.budget {
        let left = i128::from(budget.cents()) - i128::from(awarded);
        let sign = if left < 0 { "-" } else { "" };
        let left = total_plain(left.unsigned_abs() as u64, l);
        last.push((plain(l, "export-budget"), budget.plain(l)));
        last.push((plain(l, "export-budget-left"), format!("{sign}{left}")));
    }
    for (label, value) in last {
        writer
            .write_record([label, String::new(), String::new(), String::new(), value])
            .map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
    Ok(format!("\u{feff}{text}"))
}

/// The words of a status, as the workspace says them.
fn status_word(status: ParticipantStatus) -> &'static str {
    match status {
        ParticipantStatus::Candidate => "ws-status-candidate",
        ParticipantStatus::Shortlisted => "ws-status-shortlisted",
        ParticipantStatus::Laureate => "ws-status-laureate",
        ParticipantStatus::NotRetained => "ws-status-not-retained",
        ParticipantStatus::Withdrawn => "ws-status-withdrawn",
    }
}

/// The words of a lifecycle, as the workspace says them.
fn life_word(life: jalon_core::Lifecycle) -> &'static str {
    use jalon_core::Lifecycle as L;
    match life {
        L::Waiting => "ws-life-waiting",
        L::Scheduled => "ws-life-scheduled",
        L::Open => "ws-life-open",
        L::AwaitingValidation => "ws-life-awaiting",
        L::Done => "ws-life-done",
        L::Skipped => "ws-life-skipped",
    }
}

/// A number with two decimals, a comma in French.
fn decimal(l: jalon_definition::resolved::Language, value: f64) -> String {
    let text = format!("{value:.2}");
    match l {
        jalon_definition::resolved::Language::Fr => text.replace('.', ","),
        jalon_definition::resolved::Language::En => text,
    }
}
