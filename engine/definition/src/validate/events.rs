//! An event's sessions, on time: its first date, its series (`every`, until
//! a date or a count), each session moved off days not worked by its rule,
//! and what a manager must hear about them — outside the edition or the
//! stage, on a refused closed day, two sessions on one day.

use jalon_calendar::NonWorkingReason;
use jiff::civil::Date;

use super::dates::{evaluate, fmt, reason_words, Context};
use super::stages::{EventInfo, SeriesEnd, StageTable};
use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::expr::DayUnit;
use crate::model::ClosedDayRule;
use crate::series::{count_until, occurrences, Occurrence, MOST_SESSIONS};

/// Where a stage's event is, and the window it belongs to.
pub(super) struct Place<'a> {
    pub stage: usize,
    pub stage_id: &'a str,
    pub index: usize,
    pub start: Date,
    pub due: Date,
    pub values: &'a [Option<Date>],
}

/// The event's first rule day and its sessions (none when the series is
/// wrong); `None` when a date cannot be computed. Problems are reported.
pub(super) fn check(
    checker: &mut Checker<'_>,
    context: &Context<'_>,
    table: &StageTable,
    place: &Place<'_>,
    event: &EventInfo,
) -> Option<(Date, Vec<Occurrence>)> {
    let at = format!("/stages/{}/events/{}", place.stage, place.index);
    let date_at = format!("{at}/date");
    let (s, values) = (place.stage, place.values);
    let first = evaluate(checker, context, table, values, s, &event.date, &date_at)?;
    let count = match (event.every, &event.end) {
        (Some(every), SeriesEnd::Until(expr)) => {
            let until_at = format!("{at}/until");
            let until = evaluate(checker, context, table, values, s, expr, &until_at)?;
            let count = count_until(first, every, until);
            let problem = if until < first {
                Some((
                    format!(
                        "the series `{}` ends on {}, before its first session ({})",
                        event.id,
                        fmt(until),
                        fmt(first)
                    ),
                    "move `until` after `date`".to_owned(),
                ))
            } else if count < 2 {
                Some((
                    format!("the series `{}` has a single session by {}", event.id, fmt(until)),
                    format!("move `until` to {every} after `date` or later, or remove `every` and `until`"),
                ))
            } else if count > MOST_SESSIONS {
                Some((
                    format!("the series `{}` would have more than {MOST_SESSIONS} sessions by {}", event.id, fmt(until)),
                    format!("split it into several series of {MOST_SESSIONS} sessions at most, or repeat less often"),
                ))
            } else {
                None
            };
            if let Some((message, hint)) = problem {
                checker.push(
                    Diagnostic::error("event-series", message)
                        .at(checker.span(&until_at))
                        .hint(hint),
                );
                // Reported: the other events are still checked.
                return Some((first, Vec::new()));
            }
            count
        }
        (Some(_), SeriesEnd::Count(count)) => *count,
        _ => 1,
    };
    if event.every.is_some_and(|e| e.unit == DayUnit::Months) && first.day() > 28 {
        checker.push(
            Diagnostic::error(
                "event-series",
                format!(
                    "a monthly series cannot start on day {} of a month ({}): the months without that day would hold it on their last day, which not every calendar application shows",
                    first.day(),
                    fmt(first)
                ),
            )
            .at(checker.span(&date_at))
            .hint("start it on the 28th or earlier, or repeat in weeks (`every: 4 weeks`)"),
        );
        return Some((first, Vec::new()));
    }
    let sessions = occurrences(
        first,
        event.every,
        count,
        event.on_closed_day,
        context.calendar,
    );
    let end_at = match event.end {
        SeriesEnd::Until(_) => format!("{at}/until"),
        SeriesEnd::Count(_) => format!("{at}/count"),
        SeriesEnd::Once => date_at.clone(),
    };
    report_sessions(
        checker,
        context,
        place,
        event,
        &sessions,
        (&date_at, &end_at),
    );
    Some((first, sessions))
}

fn report_sessions(
    checker: &mut Checker<'_>,
    context: &Context<'_>,
    place: &Place<'_>,
    event: &EventInfo,
    sessions: &[Occurrence],
    (date_at, end_at): (&str, &str),
) {
    let stage_id = place.stage_id;
    let which = |_: &Occurrence| {
        if event.every.is_some() {
            format!("a session of the series `{}`", event.id)
        } else {
            format!("the event `{}`", event.id)
        }
    };
    let mut outside_stage = false;
    for (k, session) in sessions.iter().enumerate() {
        // Past the first session, the series' end is what to change.
        let end_span = checker.span(if k == 0 { date_at } else { end_at });
        let span = checker.span(date_at);
        let date = session.date;
        if date < context.edition_start || date > context.edition_end {
            let after = date > context.edition_end && k > 0;
            checker.push(
                Diagnostic::error(
                    "date-outside-edition",
                    format!(
                        "{} is on {}, outside the edition ({} to {}){}",
                        which(session),
                        fmt(date),
                        fmt(context.edition_start),
                        fmt(context.edition_end),
                        if after {
                            ": the edition closes before, and invitations would promise sessions no one runs"
                        } else {
                            ""
                        }
                    ),
                )
                .at(end_span)
                .hint(if after {
                    "end the series earlier (`until` or `count`), or widen the edition's `end`"
                } else {
                    "move the event, or widen the edition's `start`/`end`"
                }),
            );
            return;
        }
        if (date < place.start || date > place.due) && !outside_stage {
            outside_stage = true;
            checker.push(
                Diagnostic::warning(
                    "event-outside-stage",
                    format!(
                        "{} is on {}, outside its stage `{stage_id}` ({} to {})",
                        which(session),
                        fmt(date),
                        fmt(place.start),
                        fmt(place.due)
                    ),
                )
                .at(span)
                .hint("move the event or the stage's dates"),
            );
        }
        if let Some(reason) = &session.closed {
            report_closed_day(checker, event, session, reason, span, &which(session));
        }
        if let Some(earlier) = sessions[..k].iter().find(|o| o.date == date) {
            checker.push(
                Diagnostic::error(
                    "event-series",
                    format!(
                        "two sessions of the series `{}` would be held on {}: those of {} and {}, moved off days not worked",
                        event.id,
                        fmt(date),
                        fmt(earlier.planned),
                        fmt(session.planned)
                    ),
                )
                .at(span)
                .hint("repeat less often, end the series before the closure, or choose another `on_closed_day`"),
            );
            return;
        }
    }
}

/// A moved session is what the manager asked for: nothing to say. Kept,
/// it is worth a warning; refused, it is an error naming the day.
fn report_closed_day(
    checker: &mut Checker<'_>,
    event: &EventInfo,
    session: &Occurrence,
    reason: &NonWorkingReason,
    span: crate::source::Span,
    which: &str,
) {
    let day = fmt(session.planned);
    let reason = reason_words(reason);
    match event.on_closed_day {
        ClosedDayRule::Refuse => checker.push(
            Diagnostic::error(
                "event-on-closed-day",
                format!("{which} falls on {day}, {reason}, and its rule is `on_closed_day: refuse`"),
            )
            .at(span)
            .label(day)
            .hint("move `date`, or let Jalon move the session: `on_closed_day: next_working_day` or `previous_working_day`"),
        ),
        ClosedDayRule::Keep => checker.push(
            Diagnostic::warning("non-working-date", format!("{which} is on {day}, {reason}"))
                .at(span)
                .hint("pick a working day, or let Jalon move it: `on_closed_day: next_working_day`"),
        ),
        ClosedDayRule::NextWorkingDay | ClosedDayRule::PreviousWorkingDay => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use jiff::civil::date;

    use crate::load::{check_paths, Report};
    use crate::yaml::Limits;

    /// The test edition with `events` added to its jury stage (due 30
    /// September; the edition runs from 6 January to 19 December 2025).
    fn check_events(name: &str, events: &str) -> Report {
        let dir =
            std::env::temp_dir().join(format!("jalon-sessions-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let base = include_str!("../../../../tests/fixtures/base.yaml");
        std::fs::write(dir.join("base.yaml"), base).expect("base");
        let file = dir.join("edition.yaml");
        let text = format!(
            "extends: base.yaml\nstages:\n  - id: jury\n    due: 2025-09-30\n    events:\n{events}"
        );
        std::fs::write(&file, text).expect("edition");
        let report = check_paths(&[PathBuf::from(&file)], &Limits::default()).expect("checked");
        let _ = std::fs::remove_dir_all(&dir);
        report
    }

    fn codes(report: &Report) -> Vec<(&'static str, String)> {
        report
            .diagnostics
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect()
    }

    #[test]
    fn a_monthly_series_is_held_on_working_days_and_says_nothing() {
        let report = check_events(
            "monthly",
            "      - {id: club, date: 2025-04-01, every: 1 mois, count: 5}\n",
        );
        assert_eq!(codes(&report), []);
        let (_, edition) = &report.editions[0];
        let event = &edition.stages[2].events[0];
        let held: Vec<_> = event.occurrences.iter().map(|o| o.date).collect();
        // 1 June is a Sunday, 1 May a holiday: both moved to the next working day.
        assert_eq!(
            held,
            [
                date(2025, 4, 1),
                date(2025, 5, 2),
                date(2025, 6, 2),
                date(2025, 7, 1),
                date(2025, 8, 1)
            ]
        );
        assert!(event.occurrences[1].moved() && event.is_series());
    }

    #[test]
    fn until_ends_a_series_on_its_last_possible_day() {
        let report = check_events(
            "until",
            "      - {id: club, date: 2025-04-03, every: 2 weeks, until: 2025-05-15, on_closed_day: keep}\n",
        );
        let (_, edition) = &report.editions[0];
        let planned: Vec<_> = edition.stages[2].events[0]
            .occurrences
            .iter()
            .map(|o| o.date)
            .collect();
        assert_eq!(
            planned,
            [
                date(2025, 4, 3),
                date(2025, 4, 17),
                date(2025, 5, 1),
                date(2025, 5, 15)
            ]
        );
        // Kept on 1 May: today's warning, naming the holiday.
        let found = codes(&report);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "non-working-date");
        assert!(found[0].1.contains("Fête du Travail"), "{}", found[0].1);
    }

    #[test]
    fn the_series_keys_are_reported_when_they_do_not_fit_together() {
        let cases = [
            ("{id: a, date: 2025-04-01, count: 3}", "has no `every`"),
            ("{id: a, date: 2025-04-01, until: 2025-05-01}", "has no `every`"),
            ("{id: a, date: 2025-04-01, every: 1 week}", "never ends"),
            (
                "{id: a, date: 2025-04-01, every: 1 week, count: 3, until: 2025-05-01}",
                "not both",
            ),
            ("{id: a, date: 2025-04-01, every: 1 week, count: 1}", "2 to 60 sessions, not 1"),
            ("{id: a, date: 2025-04-01, every: 1 day, count: 61}", "not 61"),
            ("{id: a, date: 2025-04-01, every: 1 day, until: 2025-12-01}", "more than 60"),
            ("{id: a, date: 2025-04-01, every: 1 week, until: 2025-03-01}", "before its first"),
            ("{id: a, date: 2025-04-01, every: 1 week, until: 2025-04-05}", "a single session"),
            ("{id: a, date: 2025-04-01, every: 5 working days, count: 3}", "not in working days"),
            ("{id: a, date: 2025-01-31, every: 1 month, count: 3}", "cannot start on day 31"),
            ("{id: a, date: 2025-04-01, every: 1 week, count: 3, duration: 2 days}", "one day at most"),
            ("{id: a, date: 2025-11-04, every: 1 month, count: 3}", "the edition closes before"),
            ("{id: a, date: 2025-05-01, on_closed_day: refuse}", "Fête du Travail"),
            (
                "{id: a, date: 2025-07-28, every: 1 day, count: 7, on_closed_day: previous_working_day}",
                "two sessions",
            ),
        ];
        for (k, (event, expected)) in cases.iter().enumerate() {
            let report = check_events(&format!("case{k}"), &format!("      - {event}\n"));
            let errors: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.clone())
                .collect();
            assert!(
                errors.iter().any(|m| m.contains(expected)),
                "{event}: expected an error with {expected:?}, got {errors:?}"
            );
            assert!(report.editions.is_empty(), "{event}");
        }
    }
}
