//! Sessions of an assembly or a committee: an id, sitting days in order
//! within the edition, and expressions that name only lists that exist.

use super::dates::fmt;
use super::people::Directory;
use super::stages::StageTable;
use super::{Checker, IdIndex};
use crate::diagnostic::{suggestion_hint, Diagnostic};
use crate::expr::{parse_date, DateExpr};
use crate::resolved::Session;

/// The session lists as written, each with the dates that could be read.
pub(crate) fn check(checker: &mut Checker<'_>, directory: &Directory) -> (IdIndex, Vec<Session>) {
    let Some(list) = checker.doc.sessions.clone() else {
        return (IdIndex::default(), Vec::new());
    };
    let ids = checker.index_ids(
        "/sessions",
        "session list",
        list.iter().map(|s| s.id.as_ref()),
        true,
    );
    let mut sessions = Vec::new();
    for (i, session) in list.iter().enumerate() {
        let at = format!("/sessions/{i}");
        let id = ids.ids[i].clone();
        let written = session.dates.as_deref().unwrap_or_default();
        // A programme template may name an assembly and leave its days to
        // each edition.
        let template = checker.doc.edition.is_none();
        if written.is_empty() && !template && !checker.was_removed(&format!("{at}/dates")) {
            let span = match session.dates {
                Some(_) => checker.span(&format!("{at}/dates")),
                None => checker.item_span("/sessions", i),
            };
            checker.push(
                Diagnostic::error(
                    "empty-sessions",
                    format!("the session list `{id}` has no dates"),
                )
                .at(span)
                .label("no sitting days")
                .hint("list the days it sits, e.g. `dates: [2025-03-17, 2025-04-14]`"),
            );
        }
        let mut dates = Vec::new();
        for (k, text) in written.iter().enumerate() {
            let pointer = format!("{at}/dates/{k}");
            let date = match parse_date(text) {
                Ok(date) => date,
                Err(e) => {
                    checker.expr_error(&pointer, "session date", e);
                    continue;
                }
            };
            if let Some(&last) = dates.last() {
                if date <= last {
                    let (code, message, hint) = if date == last {
                        (
                            "duplicate-session",
                            format!("{} is listed twice in `{id}`", fmt(date)),
                            "keep one of them",
                        )
                    } else {
                        (
                            "sessions-out-of-order",
                            format!(
                                "{} comes after {} in `{id}`: sessions are listed in order",
                                fmt(date),
                                fmt(last)
                            ),
                            "list the dates from the earliest to the latest",
                        )
                    };
                    checker.push(
                        Diagnostic::error(code, message)
                            .at(checker.span(&pointer))
                            .label(fmt(date))
                            .hint(hint),
                    );
                    continue;
                }
            }
            if let (Some(start), Some(end)) = (directory.edition_start, directory.edition_end) {
                if date < start || date > end {
                    checker.push(
                        Diagnostic::error(
                            "date-outside-edition",
                            format!(
                                "the session of `{id}` on {} is outside the edition ({} to {})",
                                fmt(date),
                                fmt(start),
                                fmt(end)
                            ),
                        )
                        .at(checker.span(&pointer))
                        .label("outside the edition")
                        .hint("drop this date, or widen the edition's `start`/`end`"),
                    );
                    continue;
                }
            }
            dates.push(date);
        }
        sessions.push(Session {
            name: session.name.clone().unwrap_or_else(|| id.clone()),
            id,
            dates,
        });
    }
    (ids, sessions)
}

/// Every `S after …` in the stages' dates names a session list that exists.
pub(crate) fn check_references(checker: &mut Checker<'_>, table: &StageTable, ids: &IdIndex) {
    for (s, stage) in table.stages.iter().enumerate() {
        let at = format!("/stages/{s}");
        let mut written: Vec<(String, &DateExpr)> = Vec::new();
        written.extend(stage.start_expr.iter().map(|e| (format!("{at}/start"), e)));
        written.extend(stage.due_expr.iter().map(|e| (format!("{at}/due"), e)));
        for (j, (when, _, _)) in stage.reminders.iter().enumerate() {
            written.push((format!("{at}/reminders/{j}/when"), when));
        }
        for (k, event) in stage.events.iter().enumerate() {
            written.push((format!("{at}/events/{k}/date"), &event.date));
        }
        for (pointer, expr) in written {
            let Some(session) = &expr.session else {
                continue;
            };
            if ids.get(&session.id).is_some() {
                continue;
            }
            let hint = if ids.ids.is_empty() {
                "list the sittings under `sessions:` at the top of the definition, e.g. `sessions: [{id: commission-permanente, name: Commission permanente, dates: [2025-03-17]}]`".to_owned()
            } else {
                suggestion_hint(&session.id, &ids.names(), "session list")
            };
            checker.push(
                Diagnostic::error(
                    "unknown-reference",
                    format!("there is no session list with the id `{}`", session.id),
                )
                .at(checker.span_inside(&pointer, session.start, session.end))
                .label("unknown session list")
                .hint(hint),
            );
        }
    }
}
