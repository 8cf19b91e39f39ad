//! Dates: the order in which relative dates can be computed (and the cycles
//! that forbid it), the on-time window of every stage, and the checks on it —
//! due before start, reminders outside the window, validation lead time,
//! dates outside the edition, deadlines on days nobody works.

use std::collections::BTreeSet;

use jalon_calendar::{NonWorkingReason, WorkingCalendar};
use jiff::civil::Date;
use petgraph::algo::{kosaraju_scc, toposort};
use petgraph::graph::DiGraph;

use super::events;
use super::graph::effective_needs;
use super::people::Directory;
use super::stages::StageTable;
use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::expr::{Anchor, DateExpr, Offset, Point};
use crate::resolved::Session;
use crate::series::Occurrence;
use crate::source::Span;

/// The on-time dates of every stage, reminder and event.
pub(crate) struct Windows {
    pub stages: Vec<StageWindow>,
}

pub(crate) struct StageWindow {
    /// Placeholders (the edition's end) while `to_be_fixed`.
    pub start: Date,
    pub due: Date,
    /// A date of it is `à fixer`, or written from one that is.
    pub to_be_fixed: bool,
    /// By when its own date `à fixer` must be fixed.
    pub fix_by: Option<Date>,
    pub reminders: Vec<Date>,
    /// Each event's first rule day and its sessions.
    pub events: Vec<(Date, Vec<Occurrence>)>,
}

fn node(stage: usize, point: Point) -> usize {
    stage * 2 + usize::from(point == Point::Due)
}

/// The date nodes an expression reads (`needs.done`: its needs' due dates,
/// when they are done on time).
fn anchor_nodes(table: &StageTable, needs: &[usize], own: usize, expr: &DateExpr) -> Vec<usize> {
    match &expr.anchor {
        Anchor::Own(p) => vec![node(own, *p)],
        Anchor::Stage(id, p) => table
            .index
            .get(id)
            .map(|s| node(s, *p))
            .into_iter()
            .collect(),
        Anchor::NeedsDone => needs.iter().map(|&n| node(n, Point::Due)).collect(),
        Anchor::Date(_) | Anchor::EditionStart | Anchor::EditionEnd | Anchor::ToBeFixed => {
            Vec::new()
        }
    }
}

/// Runs `check` keeping none of the problems it finds: for dates that
/// follow one `à fixer`, whose placeholders would only raise false alarms.
fn quietly<T>(checker: &mut Checker<'_>, check: impl FnOnce(&mut Checker<'_>) -> T) -> T {
    let (kept, overflow) = (checker.diagnostics.len(), checker.overflow);
    let result = check(checker);
    checker.diagnostics.truncate(kept);
    checker.overflow = overflow;
    result
}

pub(crate) fn check(
    checker: &mut Checker<'_>,
    directory: &Directory,
    table: &StageTable,
    sessions: &[Session],
    stage_order: Option<&[usize]>,
) -> Option<Windows> {
    let needs = effective_needs(table);
    let count = table.stages.len();
    let mut graph = DiGraph::<usize, ()>::new();
    let nodes: Vec<_> = (0..count * 2).map(|i| graph.add_node(i)).collect();
    for (s, stage) in table.stages.iter().enumerate() {
        match &stage.start_expr {
            Some(expr) => {
                for from in anchor_nodes(table, &needs[s], s, expr) {
                    graph.add_edge(nodes[from], nodes[node(s, Point::Start)], ());
                }
            }
            None => {
                for &n in &needs[s] {
                    graph.add_edge(nodes[node(n, Point::Due)], nodes[node(s, Point::Start)], ());
                }
            }
        }
        for from in stage
            .due_expr
            .iter()
            .flat_map(|e| anchor_nodes(table, &needs[s], s, e))
        {
            graph.add_edge(nodes[from], nodes[node(s, Point::Due)], ());
        }
    }
    let mut cyclic = false;
    // Iterative, as in `graph`: a long chain must not exhaust the stack.
    let mut components = kosaraju_scc(&graph);
    components.sort_by_key(|c| c.iter().map(|n| graph[*n]).min());
    for component in components {
        let self_loop = component.len() == 1 && graph.contains_edge(component[0], component[0]);
        if component.len() > 1 || self_loop {
            cyclic = true;
            report_date_cycle(
                checker,
                table,
                &component.iter().map(|n| graph[*n]).collect(),
            );
        }
    }
    // Dates are computed only for editions whose stage graph is sound.
    stage_order?;
    let (Some(edition_start), Some(edition_end)) = (directory.edition_start, directory.edition_end)
    else {
        return None;
    };
    if cyclic {
        return None;
    }
    let order = toposort(&graph, None).ok()?;
    // Each stage counts working days by its own calendar: the edition's, or
    // the organisation's it follows.
    let calendar_of = |s: usize| {
        table.stages[s]
            .calendar
            .and_then(|c| directory.calendars.get(c))
            .unwrap_or(&directory.calendar)
    };
    let calendar = &directory.calendar;
    let mut values: Vec<Option<Date>> = vec![None; count * 2];
    // Dates `à fixer`, and those written from them (transitively).
    let mut unfixed = vec![false; count * 2];
    let context = Context {
        edition_start,
        edition_end,
        calendar,
        needs: &needs,
        sessions,
    };
    for n in order {
        let n = graph[n];
        let (s, point) = (
            n / 2,
            if n.is_multiple_of(2) {
                Point::Start
            } else {
                Point::Due
            },
        );
        let stage = &table.stages[s];
        let calendar = calendar_of(s);
        let context = Context {
            calendar,
            ..context
        };
        let follows_unfixed = graph
            .neighbors_directed(nodes[n], petgraph::Direction::Incoming)
            .any(|m| unfixed[graph[m]]);
        let value = match (point, &stage.start_expr, &stage.due_expr) {
            (Point::Start, Some(expr), _) | (Point::Due, _, Some(expr))
                if expr.anchor == Anchor::ToBeFixed =>
            {
                unfixed[n] = true;
                Some(edition_end)
            }
            (Point::Start, Some(expr), _) | (Point::Due, _, Some(expr)) if follows_unfixed => {
                unfixed[n] = true;
                let pointer = format!("/stages/{s}/{}", point.as_str());
                quietly(checker, |checker| {
                    evaluate(checker, &context, table, &values, s, expr, &pointer)
                })
                .or(Some(edition_end))
            }
            (Point::Start, Some(expr), _) | (Point::Due, _, Some(expr)) => {
                let field = point.as_str();
                let pointer = format!("/stages/{s}/{field}");
                evaluate(checker, &context, table, &values, s, expr, &pointer)
            }
            (Point::Start, None, _) => {
                let last_need = needs[s]
                    .iter()
                    .map(|&n| values[node(n, Point::Due)])
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.into_iter().max());
                match last_need {
                    Some(Some(last)) => calendar.add_working_days(last, 1).ok(),
                    Some(None) => Some(edition_start),
                    None => None,
                }
            }
            (Point::Due, _, None) => None,
        };
        if follows_unfixed {
            unfixed[n] = true;
        }
        values[n] = value;
    }

    let mut windows = Vec::with_capacity(count);
    for (s, stage) in table.stages.iter().enumerate() {
        let (Some(start), Some(due)) = (values[node(s, Point::Start)], values[node(s, Point::Due)])
        else {
            return None;
        };
        let at = format!("/stages/{s}");
        let calendar = calendar_of(s);
        let context = Context {
            calendar,
            ..context
        };
        let start_span = if stage.start_expr.is_some() {
            checker.span(&format!("{at}/start"))
        } else {
            checker.item_span("/stages", s)
        };
        let due_span = checker.span(&format!("{at}/due"));
        let to_be_fixed = unfixed[node(s, Point::Start)] || unfixed[node(s, Point::Due)];
        if to_be_fixed {
            let fix_by = fix_by(checker, &context, table, &values, &unfixed, s);
            // Checked once fixed: its placeholders would only raise false alarms.
            let window = quietly(checker, |checker| {
                let reminders = stage
                    .reminders
                    .iter()
                    .map(|(when, _, _)| evaluate(checker, &context, table, &values, s, when, ""))
                    .map(|date| date.unwrap_or(due))
                    .collect();
                let events = (0..stage.events.len())
                    .map(|index| {
                        let place = events::Place {
                            stage: s,
                            stage_id: &stage.id,
                            index,
                            start,
                            due,
                            values: &values,
                        };
                        events::check(checker, &context, table, &place, &stage.events[index])
                            .unwrap_or((due, Vec::new()))
                    })
                    .collect();
                StageWindow {
                    start,
                    due,
                    to_be_fixed,
                    fix_by,
                    reminders,
                    events,
                }
            });
            windows.push(window);
            continue;
        }
        if due < start {
            checker.push(
                Diagnostic::error(
                    "due-before-start",
                    format!(
                        "stage `{}` is due on {} but opens only on {}",
                        stage.id,
                        fmt(due),
                        fmt(start)
                    ),
                )
                .at(due_span)
                .label(format!("due {}", fmt(due)))
                .related(Some(start_span), format!("opens {}", fmt(start)))
                .hint("move `due` later or `start` earlier"),
            );
        }
        if stage.start_expr.is_some() {
            for &need in &needs[s] {
                let Some(need_due) = values[node(need, Point::Due)] else {
                    continue;
                };
                if unfixed[node(need, Point::Due)] {
                    continue;
                }
                if start <= need_due {
                    let need_id = &table.stages[need].id;
                    checker.push(
                        Diagnostic::error("start-before-needs", format!("stage `{}` opens on {}, but it needs `{need_id}`, which is only due on {}", stage.id, fmt(start), fmt(need_due)))
                            .at(start_span)
                            .label(format!("opens {}", fmt(start)))
                            .hint(format!("open it after `{need_id}` is due (e.g. `start: {need_id}.due + 1 working day`), or move `{need_id}` earlier")),
                    );
                }
            }
        }
        for (date, span, what) in [(start, start_span, "opens"), (due, due_span, "is due")] {
            if date < edition_start || date > edition_end {
                checker.push(
                    Diagnostic::error(
                        "date-outside-edition",
                        format!(
                            "stage `{}` {what} on {}, outside the edition ({} to {})",
                            stage.id,
                            fmt(date),
                            fmt(edition_start),
                            fmt(edition_end)
                        ),
                    )
                    .at(span)
                    .label("outside the edition")
                    .hint("move the date, or widen the edition's `start`/`end`"),
                );
            } else if let Some(reason) = calendar.non_working_reason(date) {
                checker.push(
                    Diagnostic::warning(
                        "non-working-date",
                        format!(
                            "stage `{}` {what} on {}, {}",
                            stage.id,
                            fmt(date),
                            reason_words(&reason)
                        ),
                    )
                    .at(span)
                    .hint("pick a working day, or count in working days (`+ 3 working days`)"),
                );
            }
        }
        let mut reminders = Vec::new();
        for (j, (when, _, _)) in stage.reminders.iter().enumerate() {
            let pointer = format!("{at}/reminders/{j}/when");
            let written = evaluate(checker, &context, table, &values, s, when, &pointer)?;
            // Judged on the day it will go out, as the engine moves it.
            let date = calendar.sending_day(written);
            let moved = if date == written {
                String::new()
            } else {
                format!(" ({} is not a working day)", fmt(written))
            };
            if date < start || date > due {
                checker.push(
                    Diagnostic::error("reminder-outside-window", format!("this reminder of `{}` would go on {}{moved}, outside the stage ({} to {})", stage.id, fmt(date), fmt(start), fmt(due)))
                        .at(checker.span(&pointer))
                        .label(fmt(date))
                        .hint(if date > due { "after the due date, use `escalation:` instead" } else { "a reminder before the stage opens reaches people with nothing to do yet; count from `start`" }),
                );
            }
            reminders.push(date);
        }
        if let Some(lead) = stage.validation.as_ref().and_then(|v| v.lead_time) {
            if let Some(submit_by) = shift(calendar, due, lead.negate()) {
                if submit_by < start {
                    let pointer = format!("{at}/validation/lead_time");
                    checker.push(
                        Diagnostic::error("lead-time-too-long", format!("validators of `{}` need {lead} before the due date ({}), so the work would be due on {}, before the stage even opens ({})", stage.id, fmt(due), fmt(submit_by), fmt(start)))
                            .at(checker.span(&pointer))
                            .label(format!("submission by {}", fmt(submit_by)))
                            .related(Some(start_span), format!("opens {}", fmt(start)))
                            .hint("build validation into the backward planning: open the stage earlier, move `due` later, or agree a shorter `lead_time`"),
                    );
                }
            }
        }
        let mut events = Vec::new();
        for (index, event) in stage.events.iter().enumerate() {
            let place = events::Place {
                stage: s,
                stage_id: &stage.id,
                index,
                start,
                due,
                values: &values,
            };
            events.push(events::check(checker, &context, table, &place, event)?);
        }
        windows.push(StageWindow {
            start,
            due,
            to_be_fixed: false,
            fix_by: None,
            reminders,
            events,
        });
    }
    Some(Windows { stages: windows })
}

/// By when a stage's own date `à fixer` must be fixed: its `fix_by`, or
/// else its start when that is known. `None` for a stage that only
/// follows a date to be fixed (its owners are reminded of that one).
fn fix_by(
    checker: &mut Checker<'_>,
    context: &Context<'_>,
    table: &StageTable,
    values: &[Option<Date>],
    unfixed: &[bool],
    s: usize,
) -> Option<Date> {
    let stage = &table.stages[s];
    let written = [&stage.start_expr, &stage.due_expr]
        .into_iter()
        .any(|e| e.as_ref().is_some_and(|e| e.anchor == Anchor::ToBeFixed));
    if !written {
        return None;
    }
    let at = format!("/stages/{s}");
    if let Some(expr) = &stage.fix_by_expr {
        if expr.anchor == Anchor::ToBeFixed {
            return None; // reported with the stage
        }
        let reads = anchor_nodes(table, &context.needs[s], s, expr);
        if let Some(&n) = reads.iter().find(|&&n| unfixed[n]) {
            let other = &table.stages[n / 2].id;
            checker.push(
                Diagnostic::error(
                    "fix-by-to-be-fixed",
                    format!("`{}` must be fixed by a date written from `{other}`, which is not known yet either", stage.id),
                )
                .at(checker.span(&format!("{at}/fix_by")))
                .hint("give a date known now, e.g. `fix_by: edition.start + 3 months`"),
            );
            return None;
        }
        let pointer = format!("{at}/fix_by");
        let date = evaluate(checker, context, table, values, s, expr, &pointer)?;
        if date < context.edition_start || date > context.edition_end {
            checker.push(
                Diagnostic::error(
                    "date-outside-edition",
                    format!(
                        "`{}` must be fixed by {}, outside the edition ({} to {})",
                        stage.id,
                        fmt(date),
                        fmt(context.edition_start),
                        fmt(context.edition_end)
                    ),
                )
                .at(checker.span(&pointer))
                .label("outside the edition")
                .hint("its owners are reminded before this date: choose one within the edition"),
            );
        }
        return Some(date);
    }
    let start = node(s, Point::Start);
    if !unfixed[start] {
        return values[start];
    }
    let place = match stage.start_expr {
        Some(_) => checker.span(&format!("{at}/start")),
        None => checker.span(&format!("{at}/due")),
    };
    checker.push(
        Diagnostic::error(
            "no-fix-by",
            format!(
                "by when must the date of `{}` be fixed? Its start is not known yet either",
                stage.id
            ),
        )
        .at(place)
        .label("to be fixed")
        .hint("add `fix_by: <date>` to the stage: its owners are reminded 10 working days before and on that day"),
    );
    None
}

#[derive(Clone, Copy)]
pub(super) struct Context<'a> {
    pub edition_start: Date,
    pub edition_end: Date,
    pub calendar: &'a WorkingCalendar,
    /// Each stage's needs, decisions it is a branch of included.
    needs: &'a [Vec<usize>],
    sessions: &'a [Session],
}

pub(super) fn evaluate(
    checker: &mut Checker<'_>,
    context: &Context<'_>,
    table: &StageTable,
    values: &[Option<Date>],
    own: usize,
    expr: &DateExpr,
    pointer: &str,
) -> Option<Date> {
    let needs = &context.needs[own];
    if expr.anchor == Anchor::NeedsDone && needs.is_empty() {
        checker.push(
            Diagnostic::error(
                "invalid-expression",
                format!(
                    "`needs.done` in stage `{}`, which needs nothing",
                    table.stages[own].id
                ),
            )
            .at(checker.span(pointer))
            .hint("list the stages it follows in `needs`, or date it otherwise"),
        );
        return None;
    }
    let base = match &expr.anchor {
        Anchor::ToBeFixed => {
            checker.push(
                Diagnostic::error(
                    "invalid-expression",
                    "only a stage's `start` or `due` can be `à fixer`",
                )
                .at(checker.span(pointer))
                .hint("date this from the stage (`start`, `due`): it follows once the stage's date is fixed"),
            );
            return None;
        }
        Anchor::Date(d) => Some(*d),
        Anchor::EditionStart => Some(context.edition_start),
        Anchor::EditionEnd => Some(context.edition_end),
        Anchor::Own(p) => values[node(own, *p)],
        Anchor::Stage(id, p) => table.index.get(id).and_then(|s| values[node(s, *p)]),
        // On time, each need is done on its due date.
        Anchor::NeedsDone => needs
            .iter()
            .map(|&n| values[node(n, Point::Due)])
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .max(),
    }?;
    let shifted = match expr.offset {
        None => base,
        Some(offset) => {
            let shifted = shift(context.calendar, base, offset);
            if shifted.is_none() {
                checker.push(
                    Diagnostic::error(
                        "invalid-expression",
                        format!("{base} shifted by {offset} is not a date Jalon can compute"),
                    )
                    .at(checker.span(pointer))
                    .hint("check the amount"),
                );
            }
            shifted?
        }
    };
    let Some(written) = &expr.session else {
        return Some(shifted);
    };
    // An unknown list is reported where the references are checked.
    let session = context.sessions.iter().find(|s| s.id == written.id)?;
    let sitting = session.on_or_after(shifted);
    if sitting.is_none() {
        let last = session.last().map_or_else(
            || "it has no dates".to_owned(),
            |l| format!("the last is on {}", fmt(l)),
        );
        checker.push(
            Diagnostic::error(
                "no-session-after",
                format!(
                    "no session of {} (`{}`) on or after {}: {last}",
                    session.name,
                    session.id,
                    fmt(shifted)
                ),
            )
            .at(checker.span(pointer))
            .label(format!("{} or later", fmt(shifted)))
            .hint(format!(
                "add a later date to `{}`, or date this from earlier",
                session.id
            )),
        );
    }
    sitting
}

/// A date moved by an offset; working days follow the edition's calendar.
pub(crate) fn shift(calendar: &WorkingCalendar, date: Date, offset: Offset) -> Option<Date> {
    offset.apply(calendar, date)
}

fn report_date_cycle(checker: &mut Checker<'_>, table: &StageTable, members: &BTreeSet<usize>) {
    let names: Vec<String> = members
        .iter()
        .map(|&n| {
            format!(
                "{}.{}",
                table.stages[n / 2].id,
                if n % 2 == 0 { "start" } else { "due" }
            )
        })
        .collect();
    let first = members.iter().next().copied().unwrap_or(0);
    let field = if first % 2 == 0 { "start" } else { "due" };
    let mut spans: Vec<Span> = Vec::new();
    for &n in members {
        let f = if n % 2 == 0 { "start" } else { "due" };
        spans.push(checker.span(&format!("/stages/{}/{f}", n / 2)));
    }
    let mut diagnostic = Diagnostic::error(
        "date-cycle",
        format!(
            "these dates are defined from each other in a circle, so none can be computed: {}",
            names.join(", ")
        ),
    )
    .at(checker.span(&format!("/stages/{}/{field}", first / 2)))
    .label("part of the circle")
    .hint("anchor one of them on a fixed date or on the edition (`edition.start + 3 weeks`)");
    for (span, name) in spans.into_iter().zip(&names).skip(1) {
        diagnostic = diagnostic.related(Some(span), format!("{name} is part of it too"));
    }
    checker.push(diagnostic);
}

const DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// `2024-11-25 (lundi)`: managers check dates against a calendar by weekday.
pub(crate) fn fmt(date: Date) -> String {
    let day = DAYS[date.weekday().to_monday_zero_offset() as usize];
    format!("{date} ({day})")
}

pub(super) fn reason_words(reason: &NonWorkingReason) -> String {
    match reason {
        NonWorkingReason::Weekend(_) => "which is not a working day".into(),
        NonWorkingReason::PublicHoliday(name) => format!("a public holiday ({name})"),
        NonWorkingReason::Closure(name) => format!("during the closure \"{name}\""),
    }
}
