//! Stages run per participant that name the participant's own service or
//! directions: each participant the definition lists must have someone
//! there, or its notices reach no one and its work cannot be validated.

use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::resolved::{Actor, Edition, ParticipantStatus};

pub(crate) fn check(checker: &mut Checker<'_>, edition: &Edition) {
    let attached = |actors: &[Actor]| actors.iter().any(|a| matches!(a, Actor::Attached(_)));
    for (s, stage) in edition.stages.iter().enumerate() {
        if stage.for_each.is_none() {
            continue;
        }
        let validators = stage.validation.as_ref().filter(|v| attached(&v.by));
        let owners = attached(&stage.owners).then_some(&stage.owners);
        if validators.is_none() && owners.is_none() {
            continue;
        }
        for (p, participant) in edition.participants.iter().enumerate() {
            if matches!(
                participant.status,
                ParticipantStatus::NotRetained | ParticipantStatus::Withdrawn
            ) {
                continue;
            }
            if let Some(validation) = validators {
                let heads = edition.people_named(&validation.by, Some(p)).len();
                if heads < validation.quorum as usize {
                    checker.push(
                        Diagnostic::error(
                            "no-validator",
                            format!(
                                "`{}` needs {} approval{} for each participant, but only {heads} {} can validate it for `{}`",
                                stage.id,
                                validation.quorum,
                                if validation.quorum == 1 { "" } else { "s" },
                                if heads == 1 { "person" } else { "people" },
                                participant.id,
                            ),
                        )
                        .at(checker.item_span("/participants", p))
                        .related(
                            Some(checker.span(&format!("/stages/{s}/validation/by"))),
                            "its validators are named here",
                        )
                        .hint("give the participant a `service:` (or `directions:`) whose role has members"),
                    );
                }
            }
            if let Some(owners) = owners {
                let reached = !edition.people_named(owners, Some(p)).is_empty()
                    || owners
                        .iter()
                        .any(|a| matches!(a, Actor::Role(_) | Actor::Person(_)));
                if !reached {
                    checker.push(
                        Diagnostic::warning(
                            "no-owner",
                            format!(
                                "the owners of `{}` reach no one for `{}`: it has no service or direction with members",
                                stage.id, participant.id,
                            ),
                        )
                        .at(checker.item_span("/participants", p))
                        .related(
                            Some(checker.span(&format!("/stages/{s}/owners"))),
                            "the owners are named here",
                        )
                        .hint("give the participant a `service:` (or `directions:`)"),
                    );
                }
            }
        }
    }
}
