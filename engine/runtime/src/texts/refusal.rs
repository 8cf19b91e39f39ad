//! The engine's refusals as a person reads them, in their language. The
//! core says what is wrong as data ([`Rejection`]); here it becomes words.
//! (The core's own English `Display` serves logs and the operator's CLI.)

use jalon_core::{InstanceState, NotNow, Problem, Rejection};
use jalon_definition::resolved::Language;

use super::{text, Args};

/// Why the engine refused, in `language`.
pub fn refusal(language: Language, rejection: &Rejection) -> String {
    let (id, args) = message(language, rejection);
    text(language, id, &args)
}

/// `(did you mean …?)` after an unknown id, or nothing.
fn suggestion(language: Language, suggestion: &Option<String>) -> String {
    suggestion.as_ref().map_or_else(String::new, |s| {
        text(language, "refusal-did-you-mean", &Args::new().text("id", s))
    })
}

fn state(language: Language, state: &InstanceState) -> String {
    match state {
        InstanceState::WaitingForNeeds => text(language, "state-waiting", &Args::new()),
        InstanceState::Open => text(language, "state-open", &Args::new()),
        InstanceState::AwaitingValidation { since } => text(
            language,
            "state-awaiting-validation",
            &Args::new().text("since", since),
        ),
        InstanceState::Done { since } => {
            text(language, "state-done", &Args::new().text("since", since))
        }
        InstanceState::Skipped { reason } => text(
            language,
            "state-skipped",
            &Args::new().text("reason", reason),
        ),
    }
}

fn not_now(language: Language, why: &NotNow) -> String {
    let id = match why {
        NotNow::NothingToApprove => "not-now-nothing-to-approve",
        NotNow::NothingToRefuse => "not-now-nothing-to-refuse",
        NotNow::NothingToMeasure => "not-now-nothing-to-measure",
        NotNow::NeedsFirst { needs } => {
            return text(
                language,
                "not-now-needs-first",
                &Args::new().text("needs", needs),
            )
        }
        NotNow::AnswerFirst => "not-now-answer-first",
        NotNow::Closed => "not-now-closed",
        NotNow::DatesFixed => "not-now-dates-fixed",
    };
    text(language, id, &Args::new())
}

fn message(language: Language, rejection: &Rejection) -> (&'static str, Args<'static>) {
    use Rejection as R;
    let a = Args::new;
    match rejection {
        R::UnknownStage { id, suggestion: s } => (
            "refusal-unknown-stage",
            a().text("id", id).text("hint", suggestion(language, s)),
        ),
        R::UnknownParticipant { id, suggestion: s } => (
            "refusal-unknown-participant",
            a().text("id", id).text("hint", suggestion(language, s)),
        ),
        R::UnknownPerson { id, suggestion: s } => (
            "refusal-unknown-person",
            a().text("id", id).text("hint", suggestion(language, s)),
        ),
        R::ParticipantNeeded { stage } => ("refusal-participant-needed", a().text("stage", stage)),
        R::NoParticipantExpected { stage } => {
            ("refusal-no-participant-expected", a().text("stage", stage))
        }
        R::NoInstance {
            stage,
            participant,
            why,
        } => (
            "refusal-no-instance",
            a().text("stage", stage)
                .text("participant", participant)
                .text("why", why),
        ),
        R::WrongState {
            what,
            state: s,
            why,
        } => (
            "refusal-wrong-state",
            a().text("what", what)
                .text("state", state(language, s))
                .text("why", not_now(language, why)),
        ),
        R::UnknownDeliverable {
            stage,
            deliverable,
            suggestion: s,
        } => (
            "refusal-unknown-deliverable",
            a().text("stage", stage)
                .text("deliverable", deliverable)
                .text("hint", suggestion(language, s)),
        ),
        R::ReasonForRetained { participant } => (
            "refusal-reason-for-retained",
            a().text("participant", participant),
        ),
        R::NoValidation { stage } => ("refusal-no-validation", a().text("stage", stage)),
        R::NotAValidator {
            person,
            what,
            validators,
        } => (
            "refusal-not-a-validator",
            a().text("person", person)
                .text("what", what)
                .text("validators", validators),
        ),
        R::AlreadyApproved { person, what, at } => (
            "refusal-already-approved",
            a().text("person", person).text("what", what).text("at", at),
        ),
        R::EmptyComment => ("refusal-empty-comment", a()),
        R::NotASelection { stage } => ("refusal-not-a-selection", a().text("stage", stage)),
        R::UseSelect { stage, verb } => (
            "refusal-use-select",
            a().text("stage", stage).text("verb", verb),
        ),
        R::UseDecide { stage, verb } => (
            "refusal-use-decide",
            a().text("stage", stage).text("verb", verb),
        ),
        R::SelectionCount {
            stage,
            min,
            max,
            count,
        } => (
            "refusal-selection-count",
            a().text("stage", stage)
                .number("min", *min as usize)
                .number("max", *max as usize)
                .number("count", *count),
        ),
        R::NotInPool {
            stage,
            participant,
            why,
        } => (
            "refusal-not-in-pool",
            a().text("stage", stage)
                .text("participant", participant)
                .text("why", why),
        ),
        R::Duplicate { participant } => ("refusal-duplicate", a().text("participant", participant)),
        R::NoJury { stage } => ("refusal-no-jury", a().text("stage", stage)),
        R::NoScores { stage } => ("refusal-no-scores", a().text("stage", stage)),
        R::Tie { place, tied } => (
            "refusal-tie",
            a().number("place", *place).text("tied", tied),
        ),
        R::NotOnJury { person, stage } => (
            "refusal-not-on-jury",
            a().text("person", person).text("stage", stage),
        ),
        R::NotAssigned {
            person,
            participant,
            stage,
        } => (
            "refusal-not-assigned",
            a().text("person", person)
                .text("participant", participant)
                .text("stage", stage),
        ),
        R::BelowMinimum {
            participant,
            average,
            minimum,
        } => (
            "refusal-below-minimum",
            a().text("participant", participant)
                .text("average", average)
                .text("minimum", minimum),
        ),
        R::AlreadyScored {
            person,
            participant,
            stage,
        } => (
            "refusal-already-scored",
            a().text("person", person)
                .text("participant", participant)
                .text("stage", stage),
        ),
        R::UnknownCriterion {
            criterion,
            stage,
            known,
        } => (
            "refusal-unknown-criterion",
            a().text("criterion", criterion)
                .text("stage", stage)
                .text("known", known),
        ),
        R::MissingCriteria { missing } => {
            ("refusal-missing-criteria", a().text("missing", missing))
        }
        R::OutOfScale {
            criterion,
            value,
            min,
            max,
        } => (
            "refusal-out-of-scale",
            a().text("criterion", criterion)
                .text("value", value.to_string())
                .text("min", min.to_string())
                .text("max", max.to_string()),
        ),
        R::NotADecision { stage } => ("refusal-not-a-decision", a().text("stage", stage)),
        R::UnknownOutcome {
            outcome,
            stage,
            known,
        } => (
            "refusal-unknown-outcome",
            a().text("outcome", outcome)
                .text("stage", stage)
                .text("known", known),
        ),
        R::UnknownIndicator {
            indicator,
            stage,
            known,
        } if known.is_empty() => (
            "refusal-unknown-indicator-none",
            a().text("indicator", indicator).text("stage", stage),
        ),
        R::UnknownIndicator {
            indicator,
            stage,
            known,
        } => (
            "refusal-unknown-indicator",
            a().text("indicator", indicator)
                .text("stage", stage)
                .text("known", known),
        ),
        R::AlreadyOut {
            participant,
            status,
        } => (
            "refusal-already-out",
            a().text("participant", participant).text("status", status),
        ),
        R::NothingToPostpone => ("refusal-nothing-to-postpone", a()),
        R::NotOnSessions { stage } => ("refusal-not-on-sessions", a().text("stage", stage)),
        R::LastSession {
            what,
            session,
            last,
        } => (
            "refusal-last-session",
            a().text("what", what)
                .text("session", session)
                .text("last", last),
        ),
        R::NoSessionAfter {
            what,
            session,
            last,
            after,
        } => (
            "refusal-no-session-after",
            a().text("what", what)
                .text("session", session)
                .text("last", last)
                .text("after", after),
        ),
        R::UnknownEvent {
            event,
            stage,
            known,
        } if known.is_empty() => (
            "refusal-unknown-event-none",
            a().text("event", event).text("stage", stage),
        ),
        R::UnknownEvent {
            event,
            stage,
            known,
        } => (
            "refusal-unknown-event",
            a().text("event", event)
                .text("stage", stage)
                .text("known", known),
        ),
        R::EventAlreadyCancelled { event } => {
            ("refusal-event-already-cancelled", a().text("event", event))
        }
        R::EventPassed { event, start } => (
            "refusal-event-passed",
            a().text("event", event).text("start", start),
        ),
        R::DueBeforeStart { start, due } => (
            "refusal-due-before-start",
            a().text("start", start).text("due", due),
        ),
        R::OutOfOrder { at, last } => (
            "refusal-out-of-order",
            a().text("at", at).text("last", last),
        ),
        R::EditionClosed { at } => ("refusal-edition-closed", a().text("at", at)),
        R::VoidNeedsTheLog => ("refusal-void-needs-the-log", a()),
        R::NoCall => ("refusal-no-call", a()),
        R::CallNotOpen { opens: None } => ("refusal-call-not-open", a()),
        R::CallNotOpen { opens: Some(opens) } => {
            ("refusal-call-not-open-until", a().text("opens", opens))
        }
        R::CallClosed { at } => ("refusal-call-closed", a().text("at", at)),
        R::ParticipantExists { participant } => (
            "refusal-participant-exists",
            a().text("participant", participant),
        ),
        R::InvalidParticipantId { participant } => (
            "refusal-invalid-participant-id",
            a().text("participant", participant),
        ),
        R::NotAnApplicant { participant } => (
            "refusal-not-an-applicant",
            a().text("participant", participant),
        ),
        R::InvalidApplication { field, problem } => (
            "refusal-invalid-application",
            a().text("field", field)
                .text("problem", problem_words(language, problem)),
        ),
    }
}

/// What is wrong with an answer, as a predicate ("is missing").
pub fn problem_words(language: Language, problem: &Problem) -> String {
    let a = Args::new;
    let (id, args) = match problem {
        Problem::Missing => ("problem-missing", a()),
        Problem::TooLong { max } => ("problem-too-long", a().text("max", max.to_string())),
        Problem::NotANumber => ("problem-not-a-number", a()),
        Problem::TooSmall { min } => ("problem-too-small", a().text("min", min.to_string())),
        Problem::TooLarge { max } => ("problem-too-large", a().text("max", max.to_string())),
        Problem::NotAChoice => ("problem-not-a-choice", a()),
        Problem::NotAnAddress => ("problem-not-an-address", a()),
        Problem::NotADate => ("problem-not-a-date", a()),
        Problem::NotAnEmail => ("problem-not-an-email", a()),
        Problem::UnknownQuestion => ("problem-unknown-question", a()),
    };
    text(language, id, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_in_french_and_in_english_as_the_engine_says_it() {
        let refused = Rejection::WrongState {
            what: "diagnostic".into(),
            state: InstanceState::Done {
                since: "2025-02-03 10:00".into(),
            },
            why: NotNow::NothingToApprove,
        };
        assert_eq!(
            refusal(Language::Fr, &refused),
            "«\u{a0}diagnostic\u{a0}» est terminée depuis le 2025-02-03 10:00\u{a0}: il n\u{2019}y a rien à valider"
        );
        // In English, the words of the engine's own message.
        assert_eq!(refusal(Language::En, &refused), refused.to_string());
        let unknown = Rejection::UnknownStage {
            id: "diagnosti".into(),
            suggestion: Some("diagnostic".into()),
        };
        assert_eq!(refusal(Language::En, &unknown), unknown.to_string());
        assert!(refusal(Language::Fr, &unknown).contains("diagnostic"));
    }

    /// One of every kind of refusal.
    fn every_kind() -> Vec<Rejection> {
        let s = || "x".to_owned();
        let mut all = vec![
            Rejection::UnknownStage {
                id: s(),
                suggestion: None,
            },
            Rejection::UnknownParticipant {
                id: s(),
                suggestion: Some(s()),
            },
            Rejection::UnknownPerson {
                id: s(),
                suggestion: None,
            },
            Rejection::ParticipantNeeded { stage: s() },
            Rejection::NoParticipantExpected { stage: s() },
            Rejection::NoInstance {
                stage: s(),
                participant: s(),
                why: s(),
            },
            Rejection::NoValidation { stage: s() },
            Rejection::NotAValidator {
                person: s(),
                what: s(),
                validators: s(),
            },
            Rejection::AlreadyApproved {
                person: s(),
                what: s(),
                at: s(),
            },
            Rejection::EmptyComment,
            Rejection::NotASelection { stage: s() },
            Rejection::UseSelect {
                stage: s(),
                verb: s(),
            },
            Rejection::UseDecide {
                stage: s(),
                verb: s(),
            },
            Rejection::SelectionCount {
                stage: s(),
                min: 3,
                max: 4,
                count: 7,
            },
            Rejection::NotInPool {
                stage: s(),
                participant: s(),
                why: s(),
            },
            Rejection::Duplicate { participant: s() },
            Rejection::NoJury { stage: s() },
            Rejection::NoScores { stage: s() },
            Rejection::Tie {
                place: 3,
                tied: s(),
            },
            Rejection::NotOnJury {
                person: s(),
                stage: s(),
            },
            Rejection::AlreadyScored {
                person: s(),
                participant: s(),
                stage: s(),
            },
            Rejection::UnknownCriterion {
                criterion: s(),
                stage: s(),
                known: s(),
            },
            Rejection::MissingCriteria { missing: s() },
            Rejection::OutOfScale {
                criterion: s(),
                value: -2,
                min: 1,
                max: 5,
            },
            Rejection::NotADecision { stage: s() },
            Rejection::UnknownOutcome {
                outcome: s(),
                stage: s(),
                known: s(),
            },
            Rejection::UnknownIndicator {
                indicator: s(),
                stage: s(),
                known: String::new(),
            },
            Rejection::UnknownIndicator {
                indicator: s(),
                stage: s(),
                known: s(),
            },
            Rejection::AlreadyOut {
                participant: s(),
                status: s(),
            },
            Rejection::NothingToPostpone,
            Rejection::NotOnSessions { stage: s() },
            Rejection::LastSession {
                what: s(),
                session: s(),
                last: s(),
            },
            Rejection::NoSessionAfter {
                what: s(),
                session: s(),
                last: s(),
                after: s(),
            },
            Rejection::UnknownEvent {
                event: s(),
                stage: s(),
                known: String::new(),
            },
            Rejection::UnknownEvent {
                event: s(),
                stage: s(),
                known: s(),
            },
            Rejection::EventAlreadyCancelled { event: s() },
            Rejection::EventPassed {
                event: s(),
                start: s(),
            },
            Rejection::DueBeforeStart {
                start: s(),
                due: s(),
            },
            Rejection::OutOfOrder { at: s(), last: s() },
            Rejection::EditionClosed { at: s() },
            Rejection::VoidNeedsTheLog,
        ];
        let states = [
            InstanceState::WaitingForNeeds,
            InstanceState::Open,
            InstanceState::AwaitingValidation { since: s() },
            InstanceState::Done { since: s() },
            InstanceState::Skipped { reason: s() },
        ];
        let reasons = [
            NotNow::NothingToApprove,
            NotNow::NothingToRefuse,
            NotNow::NothingToMeasure,
            NotNow::NeedsFirst { needs: s() },
            NotNow::AnswerFirst,
            NotNow::Closed,
            NotNow::DatesFixed,
        ];
        for (state, why) in states.iter().cycle().zip(reasons) {
            all.push(Rejection::WrongState {
                what: s(),
                state: state.clone(),
                why,
            });
        }
        all
    }

    #[test]
    fn every_refusal_has_its_words_in_both_languages() {
        for rejection in every_kind() {
            // English people read what the engine says.
            assert_eq!(refusal(Language::En, &rejection), rejection.to_string());
            let french = refusal(Language::Fr, &rejection);
            assert!(
                !french.contains("refusal-") && !french.contains("{"),
                "{french}"
            );
            assert_ne!(french, rejection.to_string(), "not translated: {french}");
        }
    }
}
