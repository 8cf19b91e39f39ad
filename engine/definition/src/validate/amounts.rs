//! Grants, prizes and the budget: each amount read where it is written
//! (refused at the exact character), and the amounts of the participants
//! still in the running held against the budget.

use super::Checker;
use crate::amount::{total_words, Amount};
use crate::diagnostic::Diagnostic;
use crate::model::ParticipantStatus;
use crate::resolved::Award;
use crate::source::Span;
use crate::tree::{Node, NodeValue};

/// How many of the largest awards the budget's report points at.
const LARGEST_SHOWN: usize = 3;

/// The amounts read: the budget, and each participant's award in the
/// order written.
pub(crate) struct Funding {
    pub budget: Option<Amount>,
    pub awards: Vec<Award>,
}

pub(crate) fn check(checker: &mut Checker<'_>) -> Funding {
    let budget = checker.tree.get("budget");
    let budget = budget.and_then(|node| read(checker, node, "/budget", || "the `budget`".into()));
    let participants = checker.doc.participants.as_deref().unwrap_or_default();
    let items = match checker.tree.get("participants").map(|n| &n.value) {
        Some(NodeValue::Seq(items)) => items.as_slice(),
        _ => &[],
    };
    let mut awards = Vec::with_capacity(participants.len());
    for (i, participant) in participants.iter().enumerate() {
        // Most participants state no amount: the words and pointers of a
        // report are made only for one that does.
        let mut read_one = |field: &str| {
            let node = items.get(i)?.get(field)?;
            let name = participant.id.as_deref().unwrap_or("?");
            let what = || format!("the `{field}` of participant `{name}`");
            read(checker, node, &format!("/participants/{i}/{field}"), what)
        };
        let grant = read_one("grant");
        let prize = read_one("prize");
        awards.push(Award { grant, prize });
    }
    if let Some(budget) = budget {
        check_budget(checker, budget, &awards);
    }
    Funding { budget, awards }
}

/// The amount `node` (at `pointer`) states, reported when it is not one.
fn read(
    checker: &mut Checker<'_>,
    node: &Node,
    pointer: &str,
    what: impl FnOnce() -> String,
) -> Option<Amount> {
    if checker.was_removed(pointer) {
        return None;
    }
    let (text, written_as_number) = match &node.value {
        NodeValue::Str(text) => (text.clone(), false),
        // A number as written, not as the double it was read into: so that
        // `25000.505` is refused for its third decimal, not rounded. When
        // the span holds more than the number (an anchor, `&b 25000`), the
        // number's own text, and the refusal is at the whole value.
        NodeValue::Int(_) | NodeValue::Float(_) => {
            let file = checker.sources.get(node.span.file);
            let written = file
                .text
                .get(file.byte_offset(node.span.start)..file.byte_offset(node.span.end))
                .unwrap_or_default();
            let same = match node.value {
                NodeValue::Int(i) => written.parse::<i64>() == Ok(i),
                NodeValue::Float(f) => written.parse::<f64>() == Ok(f),
                _ => false,
            };
            if same {
                (written.to_owned(), true)
            } else {
                (number_text(node), false)
            }
        }
        // Another kind of value was refused by the structural check.
        _ => return None,
    };
    let error = match Amount::parse(&text) {
        Ok(amount) => return Some(amount),
        Err(error) => error,
    };
    let span = if written_as_number {
        // Its characters are the file's.
        let from = node.span.start + error.start as u32;
        Span {
            file: node.span.file,
            start: from,
            end: (node.span.start + error.end as u32).clamp(from + 1, node.span.end.max(from + 1)),
        }
    } else {
        super::span_inside(node, error.start, error.end)
    };
    checker.push(
        Diagnostic::error("invalid-amount", format!("{}: {}", what(), error.message))
            .at(span)
            .label(error.message)
            .hint(error.hint),
    );
    None
}

fn number_text(node: &Node) -> String {
    match node.value {
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => f.to_string(),
        _ => String::new(),
    }
}

/// A public body commits no more than it voted: the participants still in
/// the running may not be awarded more than the budget.
fn check_budget(checker: &mut Checker<'_>, budget: Amount, awards: &[Award]) {
    let participants = checker.doc.participants.as_deref().unwrap_or_default();
    let mut running: Vec<(usize, u64)> = participants
        .iter()
        .zip(awards)
        .enumerate()
        .filter(|(_, (p, _))| {
            p.status
                .unwrap_or(ParticipantStatus::Candidate)
                .in_the_running()
        })
        .filter_map(|(i, (_, award))| Some((i, award.total()?)))
        .collect();
    let awarded: u64 = running.iter().map(|(_, cents)| cents).sum();
    if awarded <= budget.cents() {
        return;
    }
    let language = checker.doc.language.unwrap_or_default();
    let euros = |cents: u64| total_words(cents, language);
    let excess = awarded - budget.cents();
    let mut diagnostic = Diagnostic::error(
        "over-budget",
        format!(
            "the participants still in the running are awarded {}, more than the budget of {} by {}",
            euros(awarded),
            euros(budget.cents()),
            euros(excess)
        ),
    )
    .at(checker.span("/budget"))
    .label(format!("{} over", euros(excess)))
    .hint(format!(
        "lower the grants or prizes by {} in all, or raise the budget if more was voted; participants `not_retained` or `withdrawn` do not count",
        euros(excess)
    ));
    // The largest awards first: where the excess is most likely cut.
    running.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (i, cents) in running.iter().take(LARGEST_SHOWN) {
        let field = if awards[*i].grant.is_some() {
            "grant"
        } else {
            "prize"
        };
        let id = participants[*i].id.as_deref().unwrap_or("?");
        let span = checker.span(&format!("/participants/{i}/{field}"));
        diagnostic = diagnostic.related(Some(span), format!("`{id}`: {}", euros(*cents)));
    }
    checker.push(diagnostic);
}
