//! Each stage on its own: required fields, references, expressions, jury,
//! validation, reminders, outcomes, events and the templates its messages use.

use std::collections::BTreeMap;

use jiff::civil::Time;

use super::people::{Directory, Reach};
use super::{actors, Checker, IdIndex};
use crate::diagnostic::Diagnostic;
use crate::expr::Offset;
use crate::expr::{
    parse_date_expr, parse_day_duration, parse_event_length, parse_time_of_day, Anchor, DateExpr,
    EventLength,
};
use crate::model::{ClosedDayRule, MessageKind, ParticipantStatus, Stage, StageKind};
use crate::resolved::{self, Actor};
use crate::series::{parse_every, MOST_SESSIONS};

pub(crate) struct StageTable {
    pub index: IdIndex,
    pub stages: Vec<StageInfo>,
}

pub(crate) struct StageInfo {
    pub id: String,
    pub kind: Option<StageKind>,
    pub title: String,
    pub description: Option<String>,
    pub owners: Vec<Actor>,
    pub needs: Vec<usize>,
    pub for_each: Option<ParticipantStatus>,
    pub start_expr: Option<DateExpr>,
    pub due_expr: Option<DateExpr>,
    /// By when a date `à fixer` must be fixed, as written.
    pub fix_by_expr: Option<DateExpr>,
    pub selection: Option<resolved::Selection>,
    pub jury: Option<resolved::Jury>,
    pub validation: Option<resolved::Validation>,
    pub reminders: Vec<(DateExpr, Time, Vec<Actor>)>,
    pub escalation: Option<resolved::Escalation>,
    pub outcomes: Vec<resolved::Outcome>,
    pub deliverables: Vec<resolved::Deliverable>,
    pub indicators: Vec<resolved::Indicator>,
    pub events: Vec<EventInfo>,
    pub call: Option<resolved::Call>,
    pub messages: BTreeMap<MessageKind, usize>,
    /// Index into the organisations' calendars, when it follows one.
    pub calendar: Option<usize>,
}

pub(crate) struct EventInfo {
    pub id: String,
    pub title: String,
    pub date: DateExpr,
    pub time: Time,
    pub length: EventLength,
    pub place: Option<String>,
    pub every: Option<Offset>,
    pub end: SeriesEnd,
    pub on_closed_day: ClosedDayRule,
}

/// How a series ends, as written.
pub(crate) enum SeriesEnd {
    /// A single event, or a series whose end was reported missing.
    Once,
    Until(DateExpr),
    Count(u32),
}

const NINE: Time = Time::constant(9, 0, 0, 0);

pub(crate) fn check(checker: &mut Checker<'_>, directory: &Directory) -> StageTable {
    let doc = checker.doc;
    let stages: &[Stage] = doc.stages.as_deref().unwrap_or_default();
    let index = checker.index_ids(
        "/stages",
        "stage",
        stages.iter().map(|s| s.id.as_ref()),
        true,
    );
    let mut infos = Vec::with_capacity(stages.len());
    let mut missing_templates: Vec<MessageKind> = Vec::new();
    let mut first_call = None;
    for (i, stage) in stages.iter().enumerate() {
        let mut info = check_stage(checker, directory, &index, i, stage);
        info.call = super::call::check(checker, i, &info.id, stage, &mut first_call);
        info.messages = check_messages(
            checker,
            directory,
            &format!("/stages/{i}"),
            stage,
            &info,
            &mut missing_templates,
        );
        infos.push(info);
    }
    // Each template once, however many per-participant stages send it.
    let mut warned = std::collections::BTreeSet::new();
    for info in infos.iter().filter(|info| info.for_each.is_some()) {
        for &t in info.messages.values() {
            if warned.insert(t) {
                super::templates::warn_without_participant(checker, t, &info.id);
            }
        }
    }
    StageTable {
        index,
        stages: infos,
    }
}

fn check_stage(
    checker: &mut Checker<'_>,
    directory: &Directory,
    index: &IdIndex,
    i: usize,
    stage: &Stage,
) -> StageInfo {
    let at = format!("/stages/{i}");
    let id = index.ids[i].clone();
    if stage.kind.is_none() {
        checker.missing("/stages", i, &format!("stage `{id}`"), "kind", "say what the stage is: needs_diagnosis, sourcing, shortlisting, pitch_jury, seminar, field_immersion, impact_review, scale_up_decision or task");
    }
    if stage.title.is_none() {
        checker.missing(
            "/stages",
            i,
            &format!("stage `{id}`"),
            "title",
            "give it a title, as it will appear in emails",
        );
    }
    let reach = if stage.for_each.is_some() {
        Reach::PerParticipant
    } else {
        Reach::EditionStage
    };
    let owners = actors(
        checker,
        directory,
        &format!("{at}/owners"),
        stage.owners.as_ref(),
        reach,
    );
    let mut needs = Vec::new();
    for (j, need) in stage.needs.iter().flatten().enumerate() {
        if let Some(n) = checker.reference(format_args!("{at}/needs/{j}"), "stage", index, need) {
            needs.push(n);
        }
    }
    let start_expr = stage.start.as_ref().and_then(|text| {
        parse_date_expr(text)
            .map_err(|e| checker.expr_error(&format!("{at}/start"), &format!("start of `{id}`"), e))
            .ok()
    });
    let due_expr = match &stage.due {
        Some(text) => parse_date_expr(text)
            .map_err(|e| {
                checker.expr_error(&format!("{at}/due"), &format!("due date of `{id}`"), e)
            })
            .ok(),
        None => {
            checker.missing(
                "/stages",
                i,
                &format!("stage `{id}`"),
                "due",
                "add a due date, e.g. `due: start + 4 weeks` or `due: 2024-06-28`",
            );
            None
        }
    };
    let fix_by_expr = stage.fix_by.as_ref().and_then(|text| {
        parse_date_expr(text)
            .map_err(|e| {
                checker.expr_error(&format!("{at}/fix_by"), &format!("`fix_by` of `{id}`"), e)
            })
            .ok()
    });
    for (field, expr) in [
        ("start", &start_expr),
        ("due", &due_expr),
        ("fix_by", &fix_by_expr),
    ] {
        if let Some(DateExpr {
            anchor: crate::expr::Anchor::Stage(other, _),
            ..
        }) = expr
        {
            checker.reference(format_args!("{at}/{field}"), "stage", index, other);
        }
    }
    to_be_fixed_here(
        checker,
        &at,
        &id,
        stage,
        [&start_expr, &due_expr],
        &fix_by_expr,
    );

    let selection = stage.selection.as_ref().and_then(|s| {
        let to = s.to.or_else(|| {
            checker.push(
                Diagnostic::error(
                    "missing-field",
                    format!("the selection of `{id}` does not say which status the chosen get"),
                )
                .at(checker.key_span(&format!("{at}/selection")))
                .hint("add `to: shortlisted` (or `laureate`, `candidate`)"),
            );
            None
        })?;
        let min = s.min.unwrap_or(1);
        let max = s.max.unwrap_or(min);
        Some(resolved::Selection {
            from: s.from,
            to,
            min,
            max,
        })
    });

    let jury = stage
        .jury
        .as_ref()
        .map(|jury| check_jury(checker, directory, &at, &id, jury));
    let validation = stage
        .validation
        .as_ref()
        .map(|v| check_validation(checker, directory, &at, &id, v, stage.for_each.is_some()));

    let mut reminders = Vec::new();
    for (j, reminder) in stage.reminders.iter().flatten().enumerate() {
        let rat = format!("{at}/reminders/{j}");
        let when = match &reminder.when {
            Some(text) => parse_date_expr(text)
                .map_err(|e| checker.expr_error(&format!("{rat}/when"), "reminder", e))
                .ok(),
            None => {
                checker.push(
                    Diagnostic::error(
                        "missing-field",
                        "this reminder does not say when it is sent",
                    )
                    .at(checker.span(&rat))
                    .hint("add `when: due - 3 working days` (or relative to `start`)"),
                );
                None
            }
        };
        let time = time_of_day(checker, &format!("{rat}/time"), reminder.time.as_deref());
        let to = actors(
            checker,
            directory,
            &format!("{rat}/to"),
            reminder.to.as_ref(),
            reach,
        );
        if let Some(when) = when {
            reminders.push((when, time, to));
        }
    }

    let escalation = stage.escalation.as_ref().and_then(|e| {
        let eat = format!("{at}/escalation");
        let to = actors(
            checker,
            directory,
            &format!("{eat}/to"),
            e.to.as_ref(),
            reach,
        );
        if e.to.as_ref().is_none_or(Vec::is_empty) {
            checker.push(
                Diagnostic::error(
                    "missing-field",
                    format!("the escalation of `{id}` names no one to tell"),
                )
                .at(checker.key_span(&eat))
                .hint("add `to: [coordination]`"),
            );
        }
        let time = time_of_day(checker, &format!("{eat}/time"), e.time.as_deref());
        let after = match &e.after {
            Some(text) => parse_day_duration(text)
                .map_err(|err| checker.expr_error(&format!("{eat}/after"), "escalation delay", err))
                .ok()?,
            None => {
                checker.push(
                    Diagnostic::error(
                        "missing-field",
                        format!("the escalation of `{id}` does not say after how long"),
                    )
                    .at(checker.key_span(&eat))
                    .hint("add `after: 3 working days` (counted from the due date)"),
                );
                return None;
            }
        };
        Some(resolved::Escalation { after, to, time })
    });

    let outcomes = check_outcomes(checker, index, &at, &id, stage);
    let deliverables = stage
        .deliverables
        .iter()
        .flatten()
        .enumerate()
        .map(|(j, d)| check_deliverable(checker, &format!("{at}/deliverables/{j}"), j, d))
        .collect();
    checker.index_ids(
        &format!("{at}/deliverables"),
        "deliverable",
        stage.deliverables.iter().flatten().map(|d| d.id.as_ref()),
        false,
    );
    let indicators = check_indicators(checker, &at, stage);
    let events = check_events(checker, &at, stage);
    let calendar = stage
        .calendar
        .as_deref()
        .and_then(|organisation| stage_calendar(checker, directory, &at, organisation));

    let info = StageInfo {
        id,
        kind: stage.kind,
        title: stage.title.clone().unwrap_or_default(),
        description: stage.description.clone(),
        owners,
        needs,
        for_each: stage.for_each,
        start_expr,
        due_expr,
        fix_by_expr,
        selection,
        jury,
        validation,
        reminders,
        escalation,
        outcomes,
        deliverables,
        indicators,
        events,
        call: None,
        messages: BTreeMap::new(),
        calendar,
    };
    let owners_removed = checker.was_removed(&format!("/stages/{i}/owners"));
    if stage.owners.as_ref().is_none_or(Vec::is_empty)
        && checker.doc.edition.is_some()
        && !owners_removed
    {
        checker.push(
            Diagnostic::warning(
                "no-owner",
                format!("stage `{}` has no owner: no one is reminded of it", info.id),
            )
            .at(checker.item_span("/stages", i))
            .hint("add `owners: [role-or-person]`"),
        );
    }
    info
}

fn time_of_day(checker: &mut Checker<'_>, pointer: &str, text: Option<&str>) -> Time {
    match text {
        None => NINE,
        Some(t) => parse_time_of_day(t)
            .map_err(|e| checker.expr_error(pointer, "time of day", e))
            .unwrap_or(NINE),
    }
}

fn check_jury(
    checker: &mut Checker<'_>,
    directory: &Directory,
    at: &str,
    id: &str,
    jury: &crate::model::Jury,
) -> resolved::Jury {
    let jat = format!("{at}/jury");
    let members = actors(
        checker,
        directory,
        &format!("{jat}/members"),
        jury.members.as_ref(),
        Reach::Jury,
    );
    if jury.members.as_ref().is_none_or(Vec::is_empty) {
        checker.push(
            Diagnostic::error(
                "missing-field",
                format!("the jury of `{id}` has no members"),
            )
            .at(checker.key_span(&jat))
            .hint("add `members: [jury]` (a role or people)"),
        );
    }
    checker.index_ids(
        &format!("{jat}/criteria"),
        "criterion",
        jury.criteria.iter().flatten().map(|c| c.id.as_ref()),
        true,
    );
    let mut criteria = Vec::new();
    for (k, c) in jury.criteria.iter().flatten().enumerate() {
        let weight = c.weight.unwrap_or(1.0);
        if weight <= 0.0 || !weight.is_finite() {
            checker.push(
                Diagnostic::error(
                    "invalid-weight",
                    format!("a criterion's weight must be more than 0, not {weight}"),
                )
                .at(checker.span(&format!("{jat}/criteria/{k}/weight")))
                .hint("use a positive number; weights are relative to each other"),
            );
        }
        criteria.push(resolved::Criterion {
            id: c.id.clone().unwrap_or_default(),
            title: c.title.clone().or_else(|| c.id.clone()).unwrap_or_default(),
            weight,
        });
    }
    if criteria.is_empty() {
        checker.push(
            Diagnostic::error(
                "missing-field",
                format!("the jury of `{id}` has no criteria to score"),
            )
            .at(checker.key_span(&jat))
            .hint("add `criteria: [{id: impact, title: Potentiel d'impact, weight: 2}]`"),
        );
    }
    let scale_min = jury.scale.as_ref().and_then(|s| s.min).unwrap_or(0);
    let scale_max = jury.scale.as_ref().and_then(|s| s.max).unwrap_or(5);
    if scale_max <= scale_min {
        checker.push(
            Diagnostic::error("invalid-scale", format!("the jury's scale runs from {scale_min} to {scale_max}: the top must be above the bottom"))
                .at(checker.span(&format!("{jat}/scale")))
                .hint("e.g. `scale: {min: 0, max: 5}`"),
        );
    }
    let assignment = check_assignment(checker, directory, &jat, jury, &members);
    let minimum = jury.minimum;
    if let Some(minimum) = minimum {
        if !minimum.is_finite() || minimum < scale_min as f64 || minimum > scale_max as f64 {
            checker.push(
                Diagnostic::error(
                    "invalid-minimum",
                    format!("the jury's minimum {minimum} is off its scale ({scale_min} to {scale_max})"),
                )
                .at(checker.span(&format!("{jat}/minimum")))
                .hint("a weighted average on the jury's scale, e.g. `minimum: 3`"),
            );
        }
    }
    resolved::Jury {
        members,
        criteria,
        scale_min,
        scale_max,
        assignment,
        minimum,
    }
}

/// `per_candidate` or `assign`: each juror a member, each candidate a
/// participant of the edition.
fn check_assignment(
    checker: &mut Checker<'_>,
    directory: &Directory,
    jat: &str,
    jury: &crate::model::Jury,
    members: &[Actor],
) -> resolved::Assignment {
    match (&jury.per_candidate, &jury.assign) {
        (Some(_), Some(_)) => {
            checker.push(
                Diagnostic::error(
                    "jury-assignment",
                    "a jury says either `per_candidate` or `assign`, not both",
                )
                .at(checker.key_span(&format!("{jat}/assign")))
                .hint("keep `assign` to name each juror's candidates, or `per_candidate` to let Jalon share them out"),
            );
            resolved::Assignment::All
        }
        (Some(0), None) => {
            checker.push(
                Diagnostic::error(
                    "jury-assignment",
                    "`per_candidate: 0` leaves every candidate unscored",
                )
                .at(checker.span(&format!("{jat}/per_candidate")))
                .hint("at least 1; remove it to have every juror score every candidate"),
            );
            resolved::Assignment::All
        }
        (Some(n), None) => resolved::Assignment::PerCandidate(*n),
        (None, Some(lists)) => {
            let doc = checker.doc;
            let participants: std::collections::HashMap<&str, usize> = doc
                .participants
                .iter()
                .flatten()
                .enumerate()
                .filter_map(|(i, p)| Some((p.id.as_deref()?, i)))
                .collect();
            let jurors = jury_people(checker, directory, members);
            let mut resolved_lists = Vec::new();
            for (juror, candidates) in lists {
                let at = format!("{jat}/assign/{juror}");
                let Some(person) = directory.people.get(juror) else {
                    checker.reference(&at, "person", &directory.people, juror);
                    continue;
                };
                if !jurors.contains(&person) {
                    checker.push(
                        Diagnostic::error(
                            "jury-assignment",
                            format!("`{juror}` is given candidates but does not sit on this jury"),
                        )
                        .at(checker.key_span(&at))
                        .hint("add them to the jury's `members`, or give their candidates to a member"),
                    );
                }
                let mut indices = Vec::new();
                for (k, candidate) in candidates.iter().enumerate() {
                    match participants.get(candidate.as_str()) {
                        Some(&p) => indices.push(p),
                        None => checker.push(
                            Diagnostic::error(
                                "unknown-reference",
                                format!("there is no participant with the id `{candidate}`"),
                            )
                            .at(checker.span(&format!("{at}/{k}")))
                            .label("unknown participant"),
                        ),
                    }
                }
                resolved_lists.push((person, indices));
            }
            resolved::Assignment::Lists(resolved_lists)
        }
        (None, None) => resolved::Assignment::All,
    }
}

/// The people on a jury, its roles' members included.
fn jury_people(checker: &Checker<'_>, directory: &Directory, members: &[Actor]) -> Vec<usize> {
    let mut people = Vec::new();
    for actor in members {
        match *actor {
            Actor::Person(p) => people.push(p),
            Actor::Role(r) => {
                let role = checker.doc.roles.iter().flatten().nth(r);
                for id in role.and_then(|r| r.members.as_ref()).into_iter().flatten() {
                    if let Some(p) = directory.people.get(id) {
                        people.push(p);
                    }
                }
            }
            // Refused in a jury (`Reach::Jury`).
            Actor::Participant | Actor::Attached(_) => {}
        }
    }
    people
}

fn check_validation(
    checker: &mut Checker<'_>,
    directory: &Directory,
    at: &str,
    id: &str,
    v: &crate::model::Validation,
    per_participant: bool,
) -> resolved::Validation {
    let vat = format!("{at}/validation");
    let reach = if per_participant {
        Reach::Validators
    } else {
        Reach::EditionStage
    };
    let by = actors(
        checker,
        directory,
        &format!("{vat}/by"),
        v.by.as_ref(),
        reach,
    );
    if v.by.as_ref().is_none_or(Vec::is_empty) {
        checker.push(
            Diagnostic::error(
                "missing-field",
                format!("the validation of `{id}` names no validator"),
            )
            .at(checker.key_span(&vat))
            .hint("add `by: [role-or-person]`"),
        );
    }
    let quorum = v.quorum.unwrap_or(1);
    if quorum == 0 {
        checker.push(
            Diagnostic::error("invalid-quorum", "a quorum of 0 means nobody validates")
                .at(checker.span(&format!("{vat}/quorum")))
                .hint("use 1 or more, or remove `validation:`"),
        );
    } else if checker.doc.edition.is_some()
        && !by.is_empty()
        && !by.iter().any(|a| matches!(a, Actor::Attached(_)))
    {
        // With a participant's own roles, the count is the participant's:
        // `attached::check` makes it for each.
        let heads = directory.head_count(checker, &by);
        let (pointer, written) = match v.quorum {
            Some(_) => (format!("{vat}/quorum"), "the quorum is"),
            None => (format!("{vat}/by"), "the default quorum is"),
        };
        if heads == 0 {
            checker.push(
                Diagnostic::error(
                    "no-validator",
                    format!(
                        "nobody can validate `{id}`: the roles listed under `by` have no members"
                    ),
                )
                .at(checker.span(&format!("{vat}/by")))
                .label("no members")
                .hint("add people to these roles (`members:`), or name people directly under `by`"),
            );
        } else if quorum as usize > heads {
            checker.push(
                Diagnostic::error(
                    "quorum-too-large",
                    format!(
                        "{written} {quorum} approvals, but only {heads} {} can validate `{id}`",
                        if heads == 1 { "person" } else { "people" }
                    ),
                )
                .at(checker.span(&pointer))
                .label(format!(
                    "more than the {heads} validator{}",
                    if heads == 1 { "" } else { "s" }
                ))
                .hint("lower the quorum or add validators (people in the roles listed under `by`)"),
            );
        }
    }
    let lead_time = v.lead_time.as_ref().and_then(|text| {
        parse_day_duration(text)
            .map_err(|e| checker.expr_error(&format!("{vat}/lead_time"), "validation lead time", e))
            .ok()
    });
    resolved::Validation {
        by,
        quorum,
        lead_time,
    }
}

fn check_outcomes(
    checker: &mut Checker<'_>,
    index: &IdIndex,
    at: &str,
    id: &str,
    stage: &Stage,
) -> Vec<resolved::Outcome> {
    let oat = format!("{at}/outcomes");
    checker.index_ids(
        &oat,
        "outcome",
        stage.outcomes.iter().flatten().map(|o| o.id.as_ref()),
        true,
    );
    let mut outcomes = Vec::new();
    for (k, o) in stage.outcomes.iter().flatten().enumerate() {
        let mut leads_to = Vec::new();
        for (l, target) in o.leads_to.iter().flatten().enumerate() {
            if let Some(t) = checker.reference(
                format_args!("{oat}/{k}/leads_to/{l}"),
                "stage",
                index,
                target,
            ) {
                leads_to.push(t);
            }
        }
        outcomes.push(resolved::Outcome {
            id: o.id.clone().unwrap_or_default(),
            title: o.title.clone().or_else(|| o.id.clone()).unwrap_or_default(),
            leads_to,
        });
    }
    if stage.kind == Some(StageKind::ScaleUpDecision) && outcomes.is_empty() {
        checker.push(
            Diagnostic::error("missing-field", format!("the decision `{id}` has no outcomes"))
                .at(checker.key_span(&format!("{at}/kind")))
                .hint("add `outcomes:` such as implant, extend and stop, each with the stages it leads to"),
        );
    }
    outcomes
}

fn check_indicators(
    checker: &mut Checker<'_>,
    at: &str,
    stage: &Stage,
) -> Vec<resolved::Indicator> {
    let iat = format!("{at}/indicators");
    checker.index_ids(
        &iat,
        "indicator",
        stage.indicators.iter().flatten().map(|x| x.id.as_ref()),
        false,
    );
    let mut out = Vec::new();
    for (k, ind) in stage.indicators.iter().flatten().enumerate() {
        if ind.indicator.is_none() {
            checker.missing(
                &iat,
                k,
                "this indicator",
                "indicator",
                "say what is counted or observed",
            );
        }
        out.push(resolved::Indicator {
            id: ind
                .id
                .clone()
                .unwrap_or_else(|| format!("indicator-{}", k + 1)),
            objective: ind.objective.clone().unwrap_or_default(),
            indicator: ind.indicator.clone().unwrap_or_default(),
            method: ind.method.clone(),
            target: ind.target.clone(),
        });
    }
    out
}

fn check_events(checker: &mut Checker<'_>, at: &str, stage: &Stage) -> Vec<EventInfo> {
    let eat = format!("{at}/events");
    checker.index_ids(
        &eat,
        "event",
        stage.events.iter().flatten().map(|x| x.id.as_ref()),
        false,
    );
    let mut out = Vec::new();
    for (k, ev) in stage.events.iter().flatten().enumerate() {
        let pat = format!("{eat}/{k}");
        let date = match &ev.date {
            Some(text) => parse_date_expr(text)
                .map_err(|e| checker.expr_error(&format!("{pat}/date"), "event date", e))
                .ok(),
            None => {
                checker.missing(
                    &eat,
                    k,
                    "this event",
                    "date",
                    "add `date: 2024-11-25` or `date: start`",
                );
                None
            }
        };
        let time = time_of_day(checker, &format!("{pat}/time"), ev.time.as_deref());
        let length = match &ev.duration {
            None => EventLength::Days(1),
            Some(text) => parse_event_length(text)
                .map_err(|e| checker.expr_error(&format!("{pat}/duration"), "event duration", e))
                .unwrap_or(EventLength::Days(1)),
        };
        let every = ev.every.as_deref().and_then(|text| {
            parse_every(text)
                .map_err(|e| checker.expr_error(&format!("{pat}/every"), "event `every`", e))
                .ok()
        });
        let end = series_end(checker, &pat, ev);
        if every.is_some() && matches!(length, EventLength::Days(days) if days > 1) {
            checker.push(
                Diagnostic::error(
                    "event-series",
                    "a repeating event lasts one day at most: a calendar repeats one block of hours",
                )
                .at(checker.span(&format!("{pat}/duration")))
                .hint("write `duration: 1 day` or hours; for two-day sessions, write one series for each day"),
            );
        }
        if let Some(date) = date {
            out.push(EventInfo {
                id: ev.id.clone().unwrap_or_else(|| format!("event-{}", k + 1)),
                title: ev
                    .title
                    .clone()
                    .or_else(|| stage.title.clone())
                    .unwrap_or_default(),
                date,
                time,
                length,
                place: ev.place.clone(),
                every,
                end,
                on_closed_day: ev.on_closed_day.unwrap_or_default(),
            });
        }
    }
    out
}

/// `until` or `count`, which only a series has, and one of them.
fn series_end(checker: &mut Checker<'_>, pat: &str, ev: &crate::model::Event) -> SeriesEnd {
    let repeat_error = |message: String| Diagnostic::error("event-series", message);
    if ev.every.is_none() {
        for (field, present) in [("until", ev.until.is_some()), ("count", ev.count.is_some())] {
            if present {
                checker.push(
                    repeat_error(format!(
                        "`{field}` ends a series, but this event has no `every`"
                    ))
                    .at(checker.span(&format!("{pat}/{field}")))
                    .hint("say how often it repeats (`every: 1 month`), or remove it"),
                );
            }
        }
        return SeriesEnd::Once;
    }
    match (&ev.until, ev.count) {
        (Some(_), Some(_)) => {
            checker.push(
                repeat_error("a series ends either on a date (`until`) or after a number of sessions (`count`), not both".into())
                    .at(checker.span(&format!("{pat}/count")))
                    .hint("keep one of them"),
            );
            SeriesEnd::Once
        }
        (None, None) => {
            if !checker.was_removed(&format!("{pat}/every")) {
                checker.push(
                    repeat_error("this series never ends: a repeating event needs `until` or `count`".into())
                        .at(checker.key_span(&format!("{pat}/every")))
                        .hint("add `until: 2025-06-30` (the last day a session may fall on) or `count: 6` (sessions in all)"),
                );
            }
            SeriesEnd::Once
        }
        (None, Some(count)) if !(2..=MOST_SESSIONS).contains(&count) => {
            checker.push(
                repeat_error(format!("a series has 2 to {MOST_SESSIONS} sessions, not {count}"))
                    .at(checker.span(&format!("{pat}/count")))
                    .hint(if count < 2 {
                        "for a single session, remove `every` and `count`".to_owned()
                    } else {
                        format!("split it into several series of {MOST_SESSIONS} sessions at most, or repeat less often")
                    }),
            );
            SeriesEnd::Once
        }
        (None, Some(count)) => SeriesEnd::Count(count),
        (Some(text), None) => match parse_date_expr(text) {
            Ok(until) => SeriesEnd::Until(until),
            Err(e) => {
                checker.expr_error(&format!("{pat}/until"), "event `until`", e);
                SeriesEnd::Once
            }
        },
    }
}

/// The kinds of message a stage sends, given what it holds.
/// Where a date `à fixer` may be written: on a stage run once for the
/// edition (its owners fix it for everyone), with `fix_by` only beside it.
fn to_be_fixed_here(
    checker: &mut Checker<'_>,
    at: &str,
    id: &str,
    stage: &Stage,
    ends: [&Option<DateExpr>; 2],
    fix_by: &Option<DateExpr>,
) {
    let written: Vec<&str> = ["start", "due"]
        .into_iter()
        .zip(ends)
        .filter(|(_, e)| e.as_ref().is_some_and(|e| e.anchor == Anchor::ToBeFixed))
        .map(|(field, _)| field)
        .collect();
    // A date already reported as unreadable may have meant `à fixer`.
    let unreadable =
        (stage.start.is_some() && ends[0].is_none()) || (stage.due.is_some() && ends[1].is_none());
    if let (Some(field), Some(_)) = (written.first(), stage.for_each) {
        checker.push(
            Diagnostic::error(
                "to-be-fixed-per-participant",
                format!("stage `{id}` runs for each participant, so its date cannot be left `à fixer`: who would fix it, for whom?"),
            )
            .at(checker.span(&format!("{at}/{field}")))
            .label("to be fixed")
            .hint("leave `à fixer` on a stage run once for the edition, and write this one from it (e.g. `due: restitution.due - 10 working days`)"),
        );
    }
    if fix_by
        .as_ref()
        .is_some_and(|e| e.anchor == Anchor::ToBeFixed)
    {
        checker.push(
            Diagnostic::error(
                "invalid-expression",
                format!("the date by which `{id}` must be fixed cannot itself be `à fixer`"),
            )
            .at(checker.span(&format!("{at}/fix_by")))
            .hint("give a date, e.g. `fix_by: edition.start + 3 months`"),
        );
    } else if written.is_empty() && fix_by.is_some() && !unreadable {
        checker.push(
            Diagnostic::warning(
                "fix-by-unused",
                format!("`fix_by` of `{id}` says when to fix a date, but none of its dates is `à fixer`"),
            )
            .at(checker.key_span(&format!("{at}/fix_by")))
            .hint("remove `fix_by`, or write `due: à fixer` if the date is not known yet"),
        );
    }
}

fn kinds_sent(info: &StageInfo) -> Vec<MessageKind> {
    let mut kinds = vec![MessageKind::StageOpened];
    let written_to_be_fixed = [&info.start_expr, &info.due_expr]
        .into_iter()
        .any(|e| e.as_ref().is_some_and(|e| e.anchor == Anchor::ToBeFixed));
    if written_to_be_fixed {
        kinds.push(MessageKind::DateToFix);
    }
    if !info.reminders.is_empty() {
        kinds.push(MessageKind::Reminder);
    }
    if info.validation.is_some() {
        kinds.extend([
            MessageKind::ValidationRequest,
            MessageKind::ValidationRefused,
            MessageKind::ValidationApproved,
        ]);
    }
    if info.escalation.is_some() {
        kinds.push(MessageKind::Escalation);
    }
    if !info.events.is_empty() {
        kinds.extend([
            MessageKind::SeminarInvitation,
            MessageKind::InvitationCancelled,
        ]);
    }
    if info.call.is_some() {
        kinds.extend([
            MessageKind::ApplicationReceived,
            MessageKind::DuplicateApplication,
        ]);
    }
    if info.selection.is_some() && info.call.is_some()
        || info.selection.as_ref().is_some_and(|s| s.from.is_some())
    {
        kinds.extend([
            MessageKind::SelectionRetained,
            MessageKind::SelectionNotRetained,
        ]);
    }
    if !info.outcomes.is_empty() {
        kinds.push(MessageKind::DecisionNotice);
    }
    kinds
}

fn check_messages(
    checker: &mut Checker<'_>,
    directory: &Directory,
    at: &str,
    stage: &Stage,
    info: &StageInfo,
    missing_templates: &mut Vec<MessageKind>,
) -> BTreeMap<MessageKind, usize> {
    let mut chosen = BTreeMap::new();
    for (kind, template) in stage.messages.iter().flatten() {
        checker.reference(
            format_args!("{at}/messages/{}", kind.as_str()),
            "template",
            &directory.templates,
            template,
        );
    }
    for kind in kinds_sent(info) {
        let template = stage
            .messages
            .as_ref()
            .and_then(|m| m.get(&kind))
            .or_else(|| checker.doc.messages.as_ref().and_then(|m| m.get(&kind)));
        match template {
            Some(t) => {
                if let Some(i) = directory.templates.get(t) {
                    chosen.insert(kind, i);
                }
            }
            // Sent only when the definition chooses a template for it.
            None if matches!(
                kind,
                MessageKind::ValidationApproved | MessageKind::InvitationCancelled
            ) => {}
            None if !missing_templates.contains(&kind) => {
                missing_templates.push(kind);
                let stage_index = at
                    .rsplit('/')
                    .next()
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0);
                // At what makes the stage send this kind of message.
                let (cause, label) = match kind {
                    MessageKind::StageOpened => ("", "opening notices are sent for every stage"),
                    MessageKind::DateToFix => ("due", "its owners are reminded to fix this date"),
                    MessageKind::Reminder => ("reminders", "these reminders need a template"),
                    MessageKind::ValidationRequest | MessageKind::ValidationRefused => {
                        ("validation", "this validation sends requests and answers")
                    }
                    MessageKind::Escalation => ("escalation", "this escalation needs a template"),
                    MessageKind::SeminarInvitation => ("events", "these events send invitations"),
                    MessageKind::SelectionRetained | MessageKind::SelectionNotRetained => (
                        "selection",
                        "this selection tells each participant its result",
                    ),
                    MessageKind::DecisionNotice => ("outcomes", "each outcome is announced"),
                    MessageKind::ValidationApproved => ("validation", "approvals are announced"),
                    MessageKind::InvitationCancelled => ("events", "invitations are cancelled"),
                    MessageKind::ApplicationReceived | MessageKind::DuplicateApplication => (
                        "call",
                        "this call confirms each application and flags duplicates",
                    ),
                };
                let span = if cause.is_empty() {
                    checker.item_span("/stages", stage_index)
                } else {
                    checker.key_span(&format!("{at}/{cause}"))
                };
                let chosen_here = checker
                    .doc
                    .messages
                    .is_some()
                    .then(|| checker.key_span("/messages"));
                checker.push(
                    Diagnostic::error("missing-template", format!("no email template is set for `{}` messages, which stage `{}` sends", kind.as_str(), info.id))
                        .at(span)
                        .label(label)
                        .related(chosen_here, "the template of each kind of message is chosen here")
                        .hint(format!("add `{}: <template id>` under `messages:` at the top of the definition (or of this stage)", kind.as_str())),
                );
            }
            None => {}
        }
    }
    chosen
}

impl StageTable {
    pub fn into_resolved(self, windows: super::dates::Windows) -> Vec<resolved::Stage> {
        let branch = super::graph::branches(&self);
        let stages: Vec<resolved::Stage> = self
            .stages
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let w = &windows.stages[i];
                resolved::Stage {
                    id: s.id,
                    kind: s.kind.unwrap_or(StageKind::Task),
                    title: s.title,
                    description: s.description,
                    owners: s.owners,
                    needs: s.needs,
                    for_each: s.for_each,
                    start_expr: s.start_expr,
                    due_expr: s.due_expr.unwrap_or(DateExpr {
                        anchor: crate::expr::Anchor::Date(w.due),
                        offset: None,
                        session: None,
                    }),
                    start: w.start,
                    due: w.due,
                    to_be_fixed: w
                        .to_be_fixed
                        .then_some(resolved::ToBeFixed { fix_by: w.fix_by }),
                    selection: s.selection,
                    jury: s.jury,
                    validation: s.validation,
                    reminders: s
                        .reminders
                        .into_iter()
                        .zip(&w.reminders)
                        .map(|((when, time, to), date)| resolved::Reminder {
                            when,
                            date: *date,
                            time,
                            to,
                        })
                        .collect(),
                    escalation: s.escalation,
                    outcomes: s.outcomes,
                    branch_of: branch[i].clone(),
                    deliverables: s.deliverables,
                    indicators: s.indicators,
                    call: s.call,
                    events: s
                        .events
                        .into_iter()
                        .zip(&w.events)
                        .map(|(e, (date, occurrences))| resolved::Event {
                            id: e.id,
                            title: e.title,
                            date: *date,
                            time: e.time,
                            length: e.length,
                            place: e.place,
                            every: e.every,
                            on_closed_day: e.on_closed_day,
                            occurrences: occurrences.clone(),
                        })
                        .collect(),
                    messages: s.messages,
                    calendar: s.calendar,
                }
            })
            .collect();
        stages
    }
}

/// The most pieces a deliverable may take at once: a hand-in is one form.
const MOST_PIECES: u32 = 20;

fn check_deliverable(
    checker: &mut Checker,
    at: &str,
    j: usize,
    d: &crate::model::Deliverable,
) -> resolved::Deliverable {
    let id =
        d.id.clone()
            .unwrap_or_else(|| format!("deliverable-{}", j + 1));
    let min = d.min.unwrap_or(1);
    let max = d.max.unwrap_or(5.max(min).min(MOST_PIECES));
    if max > MOST_PIECES {
        checker.push(
            Diagnostic::error(
                "deliverable-count",
                format!("deliverable `{id}` takes at most {MOST_PIECES} pieces at once, not {max}"),
            )
            .at(checker.span(&format!("{at}/max")))
            .hint(format!(
                "write `max: {MOST_PIECES}` or less (a shared folder's `link` can hold more)"
            )),
        );
    } else if max < min {
        checker.push(
            Diagnostic::error(
                "deliverable-count",
                format!(
                    "deliverable `{id}` asks for at least {min} pieces but takes at most {max}"
                ),
            )
            .at(checker.span(&format!("{at}/max")))
            .hint(format!("raise `max` to {min} or more, or lower `min`")),
        );
    } else if max == 0 {
        checker.push(
            Diagnostic::error(
                "deliverable-count",
                format!("deliverable `{id}` takes no piece at all (`max: 0`)"),
            )
            .at(checker.span(&format!("{at}/max")))
            .hint("remove `max`, or the deliverable"),
        );
    }
    let mut accepts: Vec<resolved::Accept> = d.accepts.clone().unwrap_or_default();
    accepts.dedup();
    if d.accepts.is_some() && accepts.is_empty() {
        checker.push(
            Diagnostic::error(
                "deliverable-accepts",
                format!("deliverable `{id}` accepts nothing (`accepts: []`)"),
            )
            .at(checker.span(&format!("{at}/accepts")))
            .hint("remove `accepts` to take everything, or list e.g. `[pdf, office]`"),
        );
    }
    if accepts.is_empty() {
        accepts = resolved::Accept::ALL.to_vec();
    }
    resolved::Deliverable {
        id,
        title: d.title.clone().unwrap_or_default(),
        description: d.description.clone(),
        accepts,
        min,
        max: max.min(MOST_PIECES),
    }
}

/// The organisation calendar a stage follows (`calendar: accelerateur`).
fn stage_calendar(
    checker: &mut Checker<'_>,
    directory: &Directory,
    at: &str,
    organisation: &str,
) -> Option<usize> {
    let pointer = format!("{at}/calendar");
    if let Some(&index) = directory.calendar_of_organisation.get(organisation) {
        return Some(index);
    }
    if directory.organisations.get(organisation).is_some() {
        checker.push(
            Diagnostic::error(
                "no-calendar",
                format!("organisation `{organisation}` has no `calendar` of its own to follow"),
            )
            .at(checker.span(&pointer))
            .label("no calendar")
            .hint(format!("give `{organisation}` a `calendar:` (working days, closures), or drop this line to follow the edition's")),
        );
    } else {
        checker.reference(
            &pointer,
            "organisation",
            &directory.organisations,
            organisation,
        );
    }
    None
}
