//! A stage's public call for applications: where it may stand, when it
//! closes, and what its questions take.

use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::expr::parse_time_of_day;
use crate::model::{Call, QuestionKind, Stage};
use crate::resolved;

/// Names the form always uses: a question may not take them.
const FIXED_FIELDS: [&str; 8] = [
    "name",
    "organisation",
    "description",
    "contact_name",
    "contact_email",
    "theme",
    "website",
    "csrf",
];

/// Most characters of a one-line answer, and of a paragraph.
const LONGEST_TEXT: i64 = 500;
const LONGEST_PARAGRAPH: i64 = 10_000;
/// A form of more questions is not one people finish.
const MOST_QUESTIONS: usize = 50;

/// Checks the call of stage `i` (if it has one). `first_call` is the index
/// of an earlier stage with a call: an edition has one call at most.
pub(crate) fn check(
    checker: &mut Checker<'_>,
    i: usize,
    id: &str,
    stage: &Stage,
    first_call: &mut Option<usize>,
) -> Option<resolved::Call> {
    let call: &Call = stage.call.as_deref()?;
    let at = format!("/stages/{i}/call");
    if stage.for_each.is_some() {
        checker.push(
            Diagnostic::error(
                "call-stage",
                format!("stage `{id}` runs once per participant, so it cannot hold the call for applications"),
            )
            .at(checker.key_span(&at))
            .hint("put `call:` on the edition-wide stage that brings candidates in, usually `sourcing`"),
        );
    }
    if let Some(first) = *first_call {
        let first_span = checker.key_span(&format!("/stages/{first}/call"));
        checker.push(
            Diagnostic::error(
                "call-stage",
                "an edition has one call for applications, and this is a second",
            )
            .at(checker.key_span(&at))
            .related(Some(first_span), "the first call is here")
            .hint("keep one `call:`; several questions go in its `questions`"),
        );
    } else {
        *first_call = Some(i);
    }
    if stage.selection.as_ref().is_some_and(|s| s.from.is_some()) {
        checker.push(
            Diagnostic::error(
                "call-stage",
                format!("stage `{id}` chooses among participants already in (`from:`), while its call brings new candidates in"),
            )
            .at(checker.span(&format!("/stages/{i}/selection/from")))
            .hint("remove `from:`: the eligibility decision chooses among everyone who applied"),
        );
    }
    let closes_at = call.closes_at.as_deref().and_then(|text| {
        parse_time_of_day(text)
            .map_err(|e| checker.expr_error(&format!("{at}/closes_at"), "closing time", e))
            .ok()
    });
    let list = format!("{at}/questions");
    let questions_written = call.questions.as_deref().unwrap_or_default();
    if questions_written.len() > MOST_QUESTIONS {
        checker.push(
            Diagnostic::error(
                "call-question",
                format!(
                    "the call asks {} questions; a form takes {MOST_QUESTIONS} at most",
                    questions_written.len()
                ),
            )
            .at(checker.key_span(&list))
            .hint("ask for a document later, at a stage with deliverables"),
        );
    }
    let index = checker.index_ids(
        &list,
        "question",
        questions_written.iter().map(|q| q.id.as_ref()),
        true,
    );
    let mut questions = Vec::new();
    for (j, q) in questions_written.iter().enumerate() {
        let qat = format!("{list}/{j}");
        let qid = index.ids[j].clone();
        if FIXED_FIELDS.contains(&qid.as_str()) {
            checker.push(
                Diagnostic::error(
                    "call-question",
                    format!("`{qid}` is a field every call's form has already"),
                )
                .at(checker.span(&format!("{qat}/id")))
                .hint(format!(
                    "give this question another id; the form always asks for {}",
                    FIXED_FIELDS[..6].join(", ")
                )),
            );
        }
        if q.title.is_none() {
            checker.missing(
                &list,
                j,
                &format!("question `{qid}`"),
                "title",
                "write the question as the form shows it",
            );
        }
        let kind = q.kind.unwrap_or(QuestionKind::Text);
        let choices = q.choices.clone().unwrap_or_default();
        match (kind, q.choices.is_some()) {
            (QuestionKind::Choice, _) if choices.len() < 2 => checker.push(
                Diagnostic::error(
                    "call-question",
                    match choices.len() {
                        0 => format!("question `{qid}` is a choice but offers no answer"),
                        _ => format!("question `{qid}` is a choice but offers only one answer"),
                    },
                )
                .at(checker.key_span(&format!("{qat}/choices")))
                .hint("list at least two answers under `choices:`"),
            ),
            (QuestionKind::Choice, _) => {
                for (k, c) in choices.iter().enumerate() {
                    if c.trim().is_empty() || choices[..k].contains(c) {
                        checker.push(
                            Diagnostic::error(
                                "call-question",
                                format!("question `{qid}` offers a blank or repeated answer"),
                            )
                            .at(checker.span(&format!("{qat}/choices/{k}")))
                            .hint("each answer once, in words"),
                        );
                    }
                }
            }
            (_, true) => checker.push(
                Diagnostic::error(
                    "call-question",
                    format!("question `{qid}` offers `choices` but is not a `choice`"),
                )
                .at(checker.key_span(&format!("{qat}/choices")))
                .hint("add `type: choice`, or remove `choices`"),
            ),
            _ => {}
        }
        let (min, max) = limits(checker, &qat, &qid, kind, q.min, q.max);
        questions.push(resolved::Question {
            id: qid,
            title: q.title.clone().unwrap_or_default(),
            help: q.help.clone(),
            kind,
            required: q.required.unwrap_or(true),
            choices,
            min,
            max,
        });
    }
    Some(resolved::Call {
        closes_at,
        introduction: call.introduction.clone(),
        questions,
    })
}

/// The bounds of a question's answer, defaulted, each problem reported.
fn limits(
    checker: &mut Checker<'_>,
    at: &str,
    id: &str,
    kind: QuestionKind,
    min: Option<i64>,
    max: Option<i64>,
) -> (Option<i64>, Option<i64>) {
    let mut problem = |field: &str, message: String, hint: &str| {
        checker.push(
            Diagnostic::error("call-question", message)
                .at(checker.span(&format!("{at}/{field}")))
                .hint(hint.to_owned()),
        );
    };
    match kind {
        QuestionKind::Text | QuestionKind::Paragraph => {
            let (default, most) = if kind == QuestionKind::Text {
                (200, LONGEST_TEXT)
            } else {
                (2000, LONGEST_PARAGRAPH)
            };
            if min.is_some() {
                problem(
                    "min",
                    format!("question `{id}` is text: `min` bounds numbers only"),
                    "remove `min`",
                );
            }
            let max = max.unwrap_or(default);
            if !(1..=most).contains(&max) {
                problem(
                    "max",
                    format!("question `{id}` allows {max} characters; write between 1 and {most}"),
                    "a paragraph takes up to 10000 characters; for more, ask for a document",
                );
            }
            (None, Some(max.clamp(1, most)))
        }
        QuestionKind::Number => {
            if let (Some(low), Some(high)) = (min, max) {
                if low > high {
                    problem("max", format!("question `{id}` takes numbers from {low} to {high}: the top is below the bottom"), "swap `min` and `max`");
                }
            }
            (min, max)
        }
        _ => {
            for (field, value) in [("min", min), ("max", max)] {
                if value.is_some() {
                    problem(
                        field,
                        format!("question `{id}` takes no `{field}`"),
                        "`min` and `max` bound numbers and the length of text",
                    );
                }
            }
            (None, None)
        }
    }
}
