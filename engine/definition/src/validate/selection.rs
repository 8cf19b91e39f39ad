//! Selection counts: each selection must fit the pool it draws from, and the
//! participants already listed must fit the selections.

use std::collections::BTreeMap;

use super::dates::Windows;
use super::stages::StageTable;
use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::ParticipantStatus as Status;

fn rank(status: Status) -> Option<u8> {
    match status {
        Status::Candidate => Some(0),
        Status::Shortlisted => Some(1),
        Status::Laureate => Some(2),
        Status::NotRetained | Status::Withdrawn => None,
    }
}

fn plural(status: Status, n: u32) -> String {
    let word = match status {
        Status::Candidate => "candidate",
        Status::Shortlisted => "shortlisted participant",
        Status::Laureate => "laureate",
        Status::NotRetained => "participant not retained",
        Status::Withdrawn => "withdrawn participant",
    };
    if n == 1 {
        word.to_string()
    } else if let Some(rest) = word.strip_suffix(" participant") {
        format!("{rest} participants")
    } else {
        format!("{word}s")
    }
}

fn range(min: u32, max: u32) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min} to {max}")
    }
}

pub(crate) fn check(checker: &mut Checker<'_>, table: &StageTable, windows: &Windows) {
    let participants = checker.doc.participants.as_deref().unwrap_or_default();
    // How many listed participants have reached at least each status. Every
    // participant was a candidate, even those since not retained or withdrawn.
    let listed = |status: Status| -> u32 {
        match rank(status) {
            None => 0,
            Some(0) => participants.len() as u32,
            Some(wanted) => participants
                .iter()
                .filter(|p| {
                    rank(p.status.unwrap_or(Status::Candidate)).is_some_and(|r| r >= wanted)
                })
                .count() as u32,
        }
    };
    let mut order: Vec<usize> = (0..table.stages.len())
        .filter(|&s| table.stages[s].selection.is_some())
        .collect();
    order.sort_by_key(|&s| (windows.stages[s].due, s));

    // status → (most, stage that selects into it)
    let mut pools: BTreeMap<Status, (u32, usize)> = BTreeMap::new();
    for s in order {
        let stage = &table.stages[s];
        let Some(sel) = &stage.selection else {
            continue;
        };
        let at = format!("/stages/{s}/selection");
        let Some(to_rank) = rank(sel.to) else {
            checker.push(
                Diagnostic::error("invalid-selection", format!("a selection cannot make participants `{:?}`", sel.to).to_lowercase())
                    .at(checker.span(&format!("{at}/to")))
                    .hint("`to` is candidate, shortlisted or laureate; those not chosen become not_retained by themselves"),
            );
            continue;
        };
        if let Some(from) = sel.from {
            if rank(from).is_none_or(|r| r >= to_rank) {
                checker.push(
                    Diagnostic::error(
                        "invalid-selection",
                        format!(
                            "`{}` selects from {} to {}, which is not a step forward",
                            stage.id,
                            plural(from, 2),
                            plural(sel.to, 2)
                        ),
                    )
                    .at(checker.span(&format!("{at}/to")))
                    .hint("participants move candidate → shortlisted → laureate"),
                );
                continue;
            }
        }
        if sel.min > sel.max {
            checker.push(
                Diagnostic::error(
                    "selection-count",
                    format!(
                        "`{}` selects at least {} but at most {}",
                        stage.id, sel.min, sel.max
                    ),
                )
                .at(checker.span(&format!("{at}/max")))
                .hint("`min` is the fewest chosen and `max` the most"),
            );
            continue;
        }
        if let Some(from) = sel.from {
            let (pool_max, source) = match pools.get(&from) {
                Some(&(most, src)) => (most, Some(src)),
                None => (listed(from), None),
            };
            if sel.max > pool_max && source.is_none() {
                // The listed participants are who applied so far: more may
                // come before the selection.
                checker.push(
                    Diagnostic::warning(
                        "selection-count",
                        format!(
                            "`{}` selects {} {}, but only {} {} {} listed so far",
                            stage.id,
                            range(sel.min, sel.max),
                            plural(sel.to, sel.max),
                            pool_max,
                            plural(from, pool_max),
                            if pool_max == 1 { "is" } else { "are" }
                        ),
                    )
                    .at(checker.span(&format!(
                        "{at}/{}",
                        if sel.min > pool_max { "min" } else { "max" }
                    )))
                    .hint("list the others as they apply (a selection may also take a whole pool smaller than its minimum)"),
                );
            } else if let Some(src) = source.filter(|_| sel.max > pool_max) {
                let pool_words = format!(
                    "`{}` brings at most {} {}",
                    table.stages[src].id,
                    pool_max,
                    plural(from, pool_max)
                );
                checker.push(
                    Diagnostic::error("selection-count", format!("`{}` selects {} {} out of a pool that cannot be that large: {pool_words}", stage.id, range(sel.min, sel.max), plural(sel.to, sel.max)))
                        .at(checker.span(&format!("{at}/{}", if sel.min > pool_max { "min" } else { "max" })))
                        .label(format!("more than {pool_max}"))
                        .related(Some(checker.span(&format!("/stages/{src}/selection/max"))), "the pool")
                        .hint("lower the counts, or raise those of the earlier selection"),
                );
            }
        }
        let already = listed(sel.to);
        if already > sel.max && sel.from.is_some() {
            checker.push(
                Diagnostic::error("selection-count", format!("{already} participants are listed as {} (or further), but `{}` selects at most {}", plural(sel.to, 2), stage.id, sel.max))
                    .at(checker.span(&format!("{at}/max")))
                    .hint("fix the participants' `status`, or the selection's `max`"),
            );
        }
        pools.insert(sel.to, (sel.max, s));
    }
}
