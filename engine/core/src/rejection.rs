//! Why an event is refused. A refused event changes nothing; the message
//! says what is wrong in the words of the person who sent it.

use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum Rejection {
    #[error("there is no stage `{id}` in this edition{}", suggest(.suggestion))]
    UnknownStage {
        id: String,
        suggestion: Option<String>,
    },
    #[error("there is no participant `{id}` in this edition{}", suggest(.suggestion))]
    UnknownParticipant {
        id: String,
        suggestion: Option<String>,
    },
    #[error("there is no person `{id}` in this edition{}", suggest(.suggestion))]
    UnknownPerson {
        id: String,
        suggestion: Option<String>,
    },
    #[error("stage `{stage}` runs once per participant: say which one (participant: …)")]
    ParticipantNeeded { stage: String },
    #[error("stage `{stage}` runs once for the whole edition: it takes no participant")]
    NoParticipantExpected { stage: String },
    #[error("`{participant}` has no stage `{stage}`: {why}")]
    NoInstance {
        stage: String,
        participant: String,
        why: String,
    },
    #[error("`{what}` is {state}: {why}")]
    WrongState {
        what: String,
        state: InstanceState,
        why: NotNow,
    },
    #[error("stage `{stage}` asks for no deliverable `{deliverable}`{}", suggest(.suggestion))]
    UnknownDeliverable {
        stage: String,
        deliverable: String,
        suggestion: Option<String>,
    },
    #[error("a reason is given for `{participant}`, who is not among those left out")]
    ReasonForRetained { participant: String },
    #[error("stage `{stage}` has no validation to give")]
    NoValidation { stage: String },
    #[error("{person} cannot validate `{what}`: the validators are {validators}")]
    NotAValidator {
        person: String,
        what: String,
        validators: String,
    },
    #[error("{person} already approved `{what}` at {at}")]
    AlreadyApproved {
        person: String,
        what: String,
        at: String,
    },
    #[error("a refusal needs a comment saying what to change")]
    EmptyComment,
    #[error("stage `{stage}` selects nobody (it has no `selection:`)")]
    NotASelection { stage: String },
    #[error("stage `{stage}` selects participants: record it with `select`, not `{verb}`")]
    UseSelect { stage: String, verb: String },
    #[error("stage `{stage}` is a decision: record it with `decide`, not `{verb}`")]
    UseDecide { stage: String, verb: String },
    #[error("`{stage}` retains {min} to {max} participants, not {count}")]
    SelectionCount {
        stage: String,
        min: u32,
        max: u32,
        count: usize,
    },
    #[error("`{participant}` cannot be selected at `{stage}`: {why}")]
    NotInPool {
        stage: String,
        participant: String,
        why: String,
    },
    #[error("`{participant}` is listed twice")]
    Duplicate { participant: String },
    #[error("stage `{stage}` has no jury")]
    NoJury { stage: String },
    #[error("no scores are recorded for `{stage}`: list the participants to retain, or record the scores first")]
    NoScores { stage: String },
    #[error("the scores tie at the last place retained ({place}): {tied} — name the laureates explicitly (participants: […])")]
    Tie { place: usize, tied: String },
    #[error("{person} is not on the jury of `{stage}`")]
    NotOnJury { person: String, stage: String },
    #[error(
        "{person} does not score `{participant}` at `{stage}`: it is assigned to other jurors"
    )]
    NotAssigned {
        person: String,
        participant: String,
        stage: String,
    },
    #[error("`{participant}` averages {average}, under the jury's minimum of {minimum}: they cannot be retained")]
    BelowMinimum {
        participant: String,
        average: String,
        minimum: String,
    },
    #[error("{person} already scored `{participant}` at `{stage}`, and the jury's due date is past: scores no longer change")]
    AlreadyScored {
        person: String,
        participant: String,
        stage: String,
    },
    #[error("criterion `{criterion}` is not one of `{stage}`'s: {known}")]
    UnknownCriterion {
        criterion: String,
        stage: String,
        known: String,
    },
    #[error("the scores miss the criteria {missing}")]
    MissingCriteria { missing: String },
    #[error("the score {value} for `{criterion}` is outside the scale {min} to {max}")]
    OutOfScale {
        criterion: String,
        value: i64,
        min: i64,
        max: i64,
    },
    #[error("stage `{stage}` takes no decision (it has no `outcomes:`)")]
    NotADecision { stage: String },
    #[error("`{outcome}` is not an outcome of `{stage}`: {known}")]
    UnknownOutcome {
        outcome: String,
        stage: String,
        known: String,
    },
    #[error("`{indicator}` is not an indicator of `{stage}`{}", known_list(.known))]
    UnknownIndicator {
        indicator: String,
        stage: String,
        known: String,
    },
    #[error("`{participant}` already left the edition ({status})")]
    AlreadyOut { participant: String, status: String },
    #[error("a postponement needs a new `start`, a new `due`, or both")]
    NothingToPostpone,
    #[error("stage `{stage}` is not dated from sessions: move it with `postpone`")]
    NotOnSessions { stage: String },
    #[error("`{what}` is already at the last session ({session}, {last}): there is no later one to adjourn it to")]
    LastSession {
        what: String,
        session: String,
        last: String,
    },
    #[error("`{what}` would fall after the last session ({session}, {last}): it needs one on or after {after}")]
    NoSessionAfter {
        what: String,
        session: String,
        last: String,
        after: String,
    },
    #[error("`{event}` is not an event of `{stage}`{}", known_list(.known))]
    UnknownEvent {
        event: String,
        stage: String,
        known: String,
    },
    #[error("`{event}` was already cancelled")]
    EventAlreadyCancelled { event: String },
    #[error("`{event}` began on {start}: an event that took place cannot be cancelled")]
    EventPassed { event: String, start: String },
    #[error("the new dates end before they start ({start} to {due})")]
    DueBeforeStart { start: String, due: String },
    #[error("this event is dated {at}, before the last recorded one ({last}): the log only moves forward; if that one was recorded by mistake, void it (`jalon void`, its number is in `jalon log`)")]
    OutOfOrder { at: String, last: String },
    #[error("the edition was closed on {at}: nothing more is recorded for it")]
    EditionClosed { at: String },
    #[error(
        "a void cancels an event of the recorded log: record it with `jalon void EDITION SEQ`"
    )]
    VoidNeedsTheLog,
    #[error("this edition has no call for applications")]
    NoCall,
    #[error("the call for applications is not open yet{}", opens.as_ref().map(|o| format!(": it opens on {o}")).unwrap_or_default())]
    CallNotOpen { opens: Option<String> },
    #[error("the call for applications closed on {at}: applications no longer change")]
    CallClosed { at: String },
    #[error("there is already a participant `{participant}`")]
    ParticipantExists { participant: String },
    #[error("`{participant}` cannot name a participant: lowercase letters, digits and `-` only")]
    InvalidParticipantId { participant: String },
    #[error("`{participant}` did not apply through the call: their details are in the definition")]
    NotAnApplicant { participant: String },
    #[error("the application's `{field}` {problem}")]
    InvalidApplication {
        field: String,
        problem: crate::application::Problem,
    },
}

/// Where a stage instance stands, as a refusal tells it.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum InstanceState {
    #[error("waiting for its needs")]
    WaitingForNeeds,
    #[error("open")]
    Open,
    #[error("awaiting validation since {since}")]
    AwaitingValidation { since: String },
    #[error("done since {since}")]
    Done { since: String },
    /// `reason` is the engine's English account of the skip.
    #[error("skipped ({reason})")]
    Skipped { reason: String },
}

/// Why an act does not fit an instance in its state.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum NotNow {
    #[error("there is nothing to approve")]
    NothingToApprove,
    #[error("there is nothing to refuse")]
    NothingToRefuse,
    #[error("nothing can be measured on it")]
    NothingToMeasure,
    #[error("first finish what it needs ({needs})")]
    NeedsFirst { needs: String },
    #[error("approve or refuse it first")]
    AnswerFirst,
    #[error("it cannot change any more")]
    Closed,
    #[error("its dates can no longer move")]
    DatesFixed,
}

fn suggest(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

fn known_list(known: &str) -> String {
    if known.is_empty() {
        " (it has none)".into()
    } else {
        format!(": {known}")
    }
}
