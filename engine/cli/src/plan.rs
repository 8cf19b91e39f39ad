//! `jalon plan`: the on-time timeline of an edition — every stage instance's
//! window and every message that would go out — before anything is sent.

use std::fmt::Write;

use jalon_core::clock::{play_on_time, OnTime};
use jalon_core::{Action, MessageKind, State};
use std::sync::Arc;

use jalon_definition::resolved::{Edition, Participant, ParticipantStatus};
use jalon_message::{calendar_ics, CalendarEntry, EntryTime};
use jiff::Timestamp;
use serde::Serialize;

use jalon_runtime::compose::messages::{self, mailbox};
use jalon_runtime::local_time::short as short_local;

/// One message of the plan, rendered.
pub struct Planned {
    pub action: Action,
    pub subject: Result<String, String>,
    pub to: Option<jalon_message::Mailbox>,
}

pub struct Plan {
    pub state: State,
    pub messages: Vec<Planned>,
    pub outcome: Option<String>,
    /// Participants made up to stand for those still to apply.
    pub placeholders: usize,
}

/// Whether a participant of a plan is a placeholder.
fn is_placeholder(id: &str) -> bool {
    id.strip_prefix(PLACEHOLDER)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|n| n.parse::<usize>().is_ok())
}

/// The id of the `n`th placeholder participant.
fn placeholder_id(n: usize) -> String {
    format!("{PLACEHOLDER}-{n}")
}

const PLACEHOLDER: &str = "placeholder";

/// The edition with placeholder participants up to the first selection's
/// maximum when nobody is listed yet (applications still to come), so that
/// the plan shows the whole year; and how many were added.
pub fn with_placeholders(edition: &Arc<Edition>) -> (Arc<Edition>, usize) {
    let mut selections: Vec<&jalon_definition::resolved::Stage> = edition
        .stages
        .iter()
        .filter(|s| s.selection.is_some())
        .collect();
    selections.sort_by_key(|s| s.due);
    // The first selection draws from those listed; later ones from it.
    let Some(selection) = selections.first().and_then(|s| s.selection.as_ref()) else {
        return (edition.clone(), 0);
    };
    let from = selection.from.unwrap_or(ParticipantStatus::Candidate);
    let Some(wanted) = jalon_core::rank(from) else {
        return (edition.clone(), 0);
    };
    let listed = edition
        .participants
        .iter()
        .filter(|p| jalon_core::rank(p.status).is_some_and(|r| r >= wanted) || wanted == 0)
        .count();
    // Anyone listed goes through the selections (a selection may take a
    // whole pool smaller than its minimum): the plan shows them.
    if listed > 0 {
        return (edition.clone(), 0);
    }
    let missing = selection.max as usize;
    let mut edition = (**edition).clone();
    for n in 1..=missing {
        edition.participants.push(Participant {
            id: placeholder_id(n),
            name: format!("({PLACEHOLDER} {n})"),
            organisation: None,
            description: None,
            themes: Vec::new(),
            directions: Vec::new(),
            service: None,
            contact_name: None,
            contact_email: None,
            status: from,
            unnamed: true,
            language: None,
            feminine: false,
            award: Default::default(),
        });
    }
    (Arc::new(edition), missing)
}

pub fn build(state: State, outcome: Option<String>) -> Result<Plan, String> {
    let mut state = state;
    let templates = messages::templates(state.edition()).map_err(|e| e.to_string())?;
    let mut planned = Vec::new();
    play_on_time(
        &mut state,
        &OnTime {
            outcome: outcome.clone(),
        },
        |state, action| {
            let subject = messages::render(&templates, state, action, None)
                .map(|r| r.subject)
                .map_err(|e| e.to_string());
            planned.push(Planned {
                action: action.clone(),
                subject,
                to: mailbox(state.edition(), action.recipient),
            });
        },
        // The events are not shown: only the messages and the final state.
        |_| {},
    );
    let placeholders = state
        .edition()
        .participants
        .iter()
        .filter(|p| is_placeholder(&p.id))
        .count();
    Ok(Plan {
        state,
        messages: planned,
        outcome,
        placeholders,
    })
}

/// « Budget : 390 000 € — attribués : 372 500 € », in the edition's
/// language: what the participants still in the running (as the
/// definition says) are awarded; `None` when no amount is stated.
fn budget_line(edition: &Edition) -> Option<String> {
    use jalon_definition::amount::total_words;
    use jalon_runtime::texts::{text, Args};
    let awards: Vec<u64> = edition
        .participants
        .iter()
        .filter(|p| p.status.in_the_running())
        .filter_map(|p| p.award.total())
        .collect();
    if awards.is_empty() && edition.budget.is_none() {
        return None;
    }
    let l = edition.language;
    let args = Args::new().text("awarded", total_words(awards.iter().sum(), l));
    Some(match edition.budget {
        Some(budget) => text(l, "plan-budget", &args.text("budget", budget.words(l))),
        None => text(l, "plan-awarded", &args),
    })
}

pub fn kind_word(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::StageOpened => "opening",
        MessageKind::Reminder => "reminder",
        MessageKind::ValidationRequest => "validation request",
        MessageKind::ValidationRefused => "changes requested",
        MessageKind::Escalation => "escalation",
        MessageKind::SeminarInvitation => "invitation",
        MessageKind::SelectionRetained => "retained",
        MessageKind::SelectionNotRetained => "not retained",
        MessageKind::DecisionNotice => "decision",
        MessageKind::ApplicationReceived => "application received",
        MessageKind::DuplicateApplication => "duplicate application",
        MessageKind::ValidationApproved => "approved",
        MessageKind::InvitationCancelled => "cancellation",
        MessageKind::DateToFix => "date to fix",
    }
}

fn instance_name(edition: &Edition, stage: usize, participant: Option<usize>) -> String {
    match participant {
        Some(p) => format!(
            "{} · {}",
            edition.stages[stage].id, edition.participants[p].id
        ),
        None => edition.stages[stage].id.clone(),
    }
}

/// The widest instance name, to align the columns after it.
fn name_width(state: &State) -> usize {
    let edition = state.edition();
    state
        .instances()
        .iter()
        .map(|i| {
            instance_name(edition, i.stage, i.participant)
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0)
}

fn assumption(plan: &Plan) -> String {
    let edition = plan.state.edition();
    let decisions: Vec<&str> = edition
        .stages
        .iter()
        .filter(|s| !s.outcomes.is_empty())
        .filter_map(|s| {
            plan.outcome
                .as_ref()
                .and_then(|w| s.outcomes.iter().find(|o| &o.id == w))
                .or_else(|| s.outcomes.iter().find(|o| !o.leads_to.is_empty()))
                .or(s.outcomes.first())
                .map(|o| o.id.as_str())
        })
        .collect();
    if decisions.is_empty() {
        String::new()
    } else {
        format!(
            "; decisions assumed: {} (--outcome ID to preview another)",
            decisions.join(", ")
        )
    }
}

pub fn text(plan: &Plan) -> String {
    let state = &plan.state;
    let edition = state.edition();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "On-time plan of {} — {} ({})",
        edition.programme_name, edition.name, edition.time_zone_name
    );
    let _ = writeln!(
        out,
        "Every stage done by its due date, every validation given on it{}.",
        assumption(plan)
    );
    if plan.placeholders > 0 {
        let _ = writeln!(
            out,
            "{} placeholder participant(s) ({}-1…) stand for those still to apply, up to the first \
             selection's maximum.",
            plan.placeholders, PLACEHOLDER
        );
    }
    if let Some(line) = budget_line(edition) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    let _ = writeln!(out, "Stages");
    let width = name_width(state);
    let instances = sorted_instances(state);
    let dates: Vec<String> = instances.iter().map(|i| window_words(edition, i)).collect();
    let dates_width = dates.iter().map(|d| d.chars().count()).max().unwrap_or(0);
    for (instance, dates) in instances.into_iter().zip(dates) {
        let name = instance_name(edition, instance.stage, instance.participant);
        let stage = &edition.stages[instance.stage];
        let (life, _) = state.lifecycle(instance, Timestamp::MAX);
        let note = match life {
            jalon_core::Lifecycle::Skipped => "  (not taken in this plan)".to_owned(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {name:<width$}  {dates:<dates_width$}  {}{note}",
            stage.title
        );
    }
    out.push_str(&crate::plan_events::text(state));
    let _ = writeln!(out, "\nMessages ({})", plan.messages.len());
    let mut groups: Vec<(&Planned, Vec<String>)> = Vec::new();
    for planned in &plan.messages {
        let to = planned
            .to
            .as_ref()
            .map_or_else(|| "?".to_owned(), |m| m.name.clone());
        if let Some((first, names)) = groups.last_mut() {
            if same_message(first, planned) {
                names.push(to);
                continue;
            }
        }
        groups.push((planned, vec![to]));
    }
    for (planned, names) in groups {
        let action = &planned.action;
        let subject = match &planned.subject {
            Ok(s) => format!("« {s} »"),
            Err(e) => format!("TEMPLATE ERROR: {e}"),
        };
        let _ = writeln!(
            out,
            "  {}  {:<18}  {}\n      {subject}\n      → {}",
            short_local(edition, action.due_at),
            kind_word(action.kind),
            instance_name(edition, action.stage, action.participant),
            names.join(", ")
        );
    }
    out
}

/// The name of the session list a stage's end is dated from, if any.
fn session_name<'e>(
    edition: &'e Edition,
    expr: Option<&jalon_definition::expr::DateExpr>,
) -> Option<&'e str> {
    let id = &expr?.session.as_ref()?.id;
    edition.session(id).map(|s| s.name.as_str())
}

/// `17/03/2025 → 15/04/2025`, an end dated from a session followed by the
/// assembly's name (once, at the end, for a stage of one day).
fn window_words(edition: &Edition, instance: &jalon_core::Instance) -> String {
    if instance.window.to_be_fixed {
        return match fix_by(edition, instance) {
            Some(by) => format!("to be fixed (by {})", day(by)),
            None => "to be fixed".to_owned(),
        };
    }
    let stage = &edition.stages[instance.stage];
    let (start, due) = (instance.window.start, instance.window.due);
    let mut start_session = session_name(edition, stage.start_expr.as_ref());
    let mut due_session = session_name(edition, Some(&stage.due_expr));
    if start == due {
        due_session = due_session.or(start_session.take());
    }
    let tagged = |date, session: Option<&str>| match session {
        Some(name) => format!("{} ({name})", day(date)),
        None => day(date),
    };
    format!(
        "{} → {}",
        tagged(start, start_session),
        tagged(due, due_session)
    )
}

/// By when a stage's date `à fixer` must be fixed, while it is not.
fn fix_by(edition: &Edition, instance: &jalon_core::Instance) -> Option<jiff::civil::Date> {
    let to_be_fixed = edition.stages[instance.stage].to_be_fixed?;
    instance.window.to_be_fixed.then_some(to_be_fixed.fix_by)?
}

/// Each stage instance's planned dates (the definition's, everyone on
/// time) beside its dates as they stand (postponed, or following when its
/// needs were done) and when it was done.
pub fn dates_side_by_side(state: &State) -> String {
    let edition = state.edition();
    let mut out = String::from("Dates: planned, as they stand, done\n");
    let width = name_width(state);
    for instance in sorted_instances(state) {
        let stage = &edition.stages[instance.stage];
        let planned = match stage.to_be_fixed {
            Some(_) => "to be fixed".to_owned(),
            None => format!("{} → {}", day(stage.start), day(stage.due)),
        };
        let now = (instance.window.start, instance.window.due);
        let moved = if instance.window.to_be_fixed {
            "not fixed yet".to_owned()
        } else if now == (stage.start, stage.due) && stage.to_be_fixed.is_none() {
            "as planned".to_owned()
        } else {
            format!("{} → {}", day(now.0), day(now.1))
        };
        let done = match &instance.progress {
            jalon_core::Progress::Done { at } => format!(
                "done {}",
                day(at.to_zoned(edition.time_zone.clone()).date())
            ),
            jalon_core::Progress::Skipped { .. } => "skipped".to_owned(),
            jalon_core::Progress::AwaitingValidation { .. } => "awaiting validation".to_owned(),
            jalon_core::Progress::Active => String::new(),
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {planned:<23}  {moved:<23}  {done}",
            instance_name(edition, instance.stage, instance.participant)
        );
    }
    out
}

fn same_message(a: &Planned, b: &Planned) -> bool {
    a.action.due_at == b.action.due_at
        && a.action.kind == b.action.kind
        && a.action.stage == b.action.stage
        && a.action.participant == b.action.participant
        && a.subject == b.subject
}

fn sorted_instances(state: &State) -> Vec<&jalon_core::Instance> {
    let mut all: Vec<&jalon_core::Instance> = state.instances().iter().collect();
    all.sort_by_key(|i| (i.window.start, i.stage, i.participant));
    all
}

fn day(date: jiff::civil::Date) -> String {
    date.strftime("%d/%m/%Y").to_string()
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    edition: &'a str,
    programme: &'a str,
    time_zone: &'a str,
    assumed_outcome: Option<&'a str>,
    /// Participants made up to stand for those still to apply.
    placeholders: usize,
    stages: Vec<JsonStage<'a>>,
    /// Each event with its sessions (a series: one per session).
    events: Vec<crate::plan_events::JsonEvent<'a>>,
    messages: Vec<JsonMessage<'a>>,
}

#[derive(Serialize)]
struct JsonStage<'a> {
    stage: &'a str,
    participant: Option<&'a str>,
    /// The participant is a placeholder.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    placeholder: bool,
    title: &'a str,
    /// `null` while the stage's dates are to be fixed.
    start: Option<String>,
    due: Option<String>,
    /// Its dates are not known yet (`à fixer`, or written from one).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    to_be_fixed: bool,
    /// By when its owners must fix them.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix_by: Option<String>,
    /// The session lists the ends are dated from, by id.
    #[serde(skip_serializing_if = "Option::is_none")]
    start_session: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_session: Option<&'a str>,
    taken: bool,
}

#[derive(Serialize)]
struct JsonMessage<'a> {
    key: &'a str,
    kind: MessageKind,
    at: String,
    expires_at: Option<String>,
    stage: &'a str,
    participant: Option<&'a str>,
    to_name: Option<&'a str>,
    to_email: Option<&'a str>,
    subject: Option<&'a str>,
    template_error: Option<&'a str>,
}

pub fn json(plan: &Plan) -> String {
    let state = &plan.state;
    let edition = state.edition();
    let zoned = |t: Timestamp| t.to_zoned(edition.time_zone.clone()).to_string();
    let doc = JsonPlan {
        edition: &edition.id,
        programme: &edition.programme_name,
        time_zone: &edition.time_zone_name,
        assumed_outcome: plan.outcome.as_deref(),
        placeholders: plan.placeholders,
        stages: sorted_instances(state)
            .into_iter()
            .map(|i| JsonStage {
                stage: &edition.stages[i.stage].id,
                participant: i.participant.map(|p| edition.participants[p].id.as_str()),
                placeholder: i
                    .participant
                    .is_some_and(|p| is_placeholder(&edition.participants[p].id)),
                title: &edition.stages[i.stage].title,
                start: (!i.window.to_be_fixed).then(|| i.window.start.to_string()),
                due: (!i.window.to_be_fixed).then(|| i.window.due.to_string()),
                to_be_fixed: i.window.to_be_fixed,
                fix_by: fix_by(edition, i).map(|d| d.to_string()),
                start_session: edition.stages[i.stage]
                    .start_expr
                    .as_ref()
                    .and_then(|e| e.session.as_ref())
                    .map(|s| s.id.as_str()),
                due_session: edition.stages[i.stage]
                    .due_expr
                    .session
                    .as_ref()
                    .map(|s| s.id.as_str()),
                taken: !matches!(i.progress, jalon_core::Progress::Skipped { .. }),
            })
            .collect(),
        events: crate::plan_events::json(state),
        messages: plan
            .messages
            .iter()
            .map(|m| JsonMessage {
                key: &m.action.key,
                kind: m.action.kind,
                at: zoned(m.action.due_at),
                expires_at: m.action.expires_at.map(zoned),
                stage: &edition.stages[m.action.stage].id,
                participant: m
                    .action
                    .participant
                    .map(|p| edition.participants[p].id.as_str()),
                to_name: m.to.as_ref().map(|t| t.name.as_str()),
                to_email: m.to.as_ref().map(|t| t.email.as_str()),
                subject: m.subject.as_ref().ok().map(String::as_str),
                template_error: m.subject.as_ref().err().map(String::as_str),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Stage windows as all-day entries and seminar days as timed ones, for a
/// programme manager's calendar.
pub fn ics(plan: &Plan) -> String {
    let state = &plan.state;
    let edition = state.edition();
    let mut entries = Vec::new();
    for instance in sorted_instances(state) {
        // A stage whose dates are not known yet has nothing to show.
        if matches!(instance.progress, jalon_core::Progress::Skipped { .. })
            || instance.window.to_be_fixed
        {
            continue;
        }
        let stage = &edition.stages[instance.stage];
        let (summary, uid) = match instance.participant {
            Some(p) => (
                format!("{} — {}", stage.title, edition.participants[p].name),
                format!(
                    "{}.{}.{}@{}",
                    edition.id,
                    stage.id,
                    edition.participants[p].id,
                    messages::MAIL_DOMAIN
                ),
            ),
            None => (
                stage.title.clone(),
                format!("{}.{}@{}", edition.id, stage.id, messages::MAIL_DOMAIN),
            ),
        };
        entries.push(CalendarEntry {
            uid,
            summary,
            description: stage.description.clone(),
            location: None,
            when: EntryTime::AllDay {
                first: instance.window.start,
                last: instance.window.due,
            },
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for planned in &plan.messages {
        if let jalon_core::Detail::Invitation {
            event, start, end, ..
        } = planned.action.detail
        {
            let stage = &edition.stages[planned.action.stage];
            let definition = &stage.events[event];
            let uid = format!(
                "{}.{}.{}@{}",
                edition.id,
                stage.id,
                definition.id,
                messages::MAIL_DOMAIN
            );
            if !seen.insert(uid.clone()) {
                continue;
            }
            // A series: each session as its own entry, at the same hours.
            let (start, end) = (
                start.to_zoned(edition.time_zone.clone()),
                end.to_zoned(edition.time_zone.clone()),
            );
            let sessions = jalon_runtime::compose::series::sessions(
                &plan.state,
                planned.action.stage,
                planned.action.participant,
                event,
            );
            let first = sessions.first().map_or(start.date(), |o| o.date);
            for (k, session) in sessions.iter().enumerate() {
                let Ok(shift) = first.until(session.date) else {
                    continue;
                };
                let (Ok(start), Ok(end)) = (start.checked_add(shift), end.checked_add(shift))
                else {
                    continue;
                };
                entries.push(CalendarEntry {
                    uid: match k {
                        0 => uid.clone(),
                        k => uid.replacen('@', &format!(".{}@", k + 1), 1),
                    },
                    summary: definition.title.clone(),
                    description: stage.description.clone(),
                    location: definition.place.clone(),
                    when: EntryTime::Timed { start, end },
                });
            }
        }
    }
    calendar_ics(
        &format!("{} — {}", edition.programme_name, edition.name),
        &entries,
        Timestamp::now(),
    )
}
