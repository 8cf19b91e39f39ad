//! Events: the only input besides the definition and the instant. Each says
//! who did what, when and through which channel; stages, participants and
//! people are named by id so that a log outlives a change of definition.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    /// A person id of the edition, or the name of the operator who typed it.
    pub by: String,
    pub channel: Channel,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// One piece of handed-in work, for one of the stage's deliverables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Piece {
    /// A file: its content is in the store under the edition and `sha256`.
    File {
        deliverable: String,
        /// The file's name as shown and offered on download (cleaned).
        name: String,
        /// What the content is, sniffed (never the name's word).
        media_type: String,
        /// Lower-case hex SHA-256 of the content.
        sha256: String,
        size: u64,
    },
    /// An address where the work can be read (a shared folder, a site).
    Link { deliverable: String, url: String },
}

impl Piece {
    pub fn deliverable(&self) -> &str {
        match self {
            Piece::File { deliverable, .. } | Piece::Link { deliverable, .. } => deliverable,
        }
    }
}

/// How an event reached Jalon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Cli,
    Link,
    Api,
    /// A simulation script.
    Script,
    /// A recorded history brought in with `jalon import`.
    Import,
    /// The workspace, by a signed-in person.
    Web,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// The deliverable is submitted or the work is done; with a validation,
    /// the stage then awaits it.
    Complete {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        /// What was handed in: files (kept in the store by checksum) and
        /// links. Empty when the work was done, or handed in elsewhere.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<Piece>,
    },
    /// A validator approves the submitted work.
    Approve {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// A validator asks for changes: the stage opens again.
    Refuse {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        comment: String,
    },
    /// The participants a selection stage retains (short-list, laureates).
    /// On a jury stage without a list, the best weighted scores are taken.
    Select {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participants: Option<Vec<String>>,
        /// Why some are not retained, by participant id: each reason reaches
        /// its candidate in the "not retained" message (`{{ comment }}`).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        reasons: BTreeMap<String, String>,
    },
    /// One jury member's scores for one participant, criterion by criterion.
    /// Scoring again before the jury's due date replaces the earlier scores.
    Score {
        stage: String,
        participant: String,
        scores: BTreeMap<String, i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// An application to the edition's call: a new candidate, named
    /// `participant` (an id no one has).
    Apply {
        participant: String,
        application: crate::application::Application,
    },
    /// The applicant's new version of their application, before the call
    /// closes.
    Amend {
        participant: String,
        application: crate::application::Application,
    },
    /// The scale-up decision for a participant.
    Decide {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        outcome: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// A measured value of one of the stage's indicators.
    Record {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        indicator: String,
        value: String,
    },
    /// A participant leaves the edition: nothing more is sent to them.
    Withdraw {
        participant: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// New dates for a stage. Dates of other stages written relative to a
    /// postponed edition-wide stage follow it.
    Postpone {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<Date>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due: Option<Date>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A stage dated from sessions of an assembly (`commission-permanente
    /// after …`) goes to the next session: a file not ready, or that the
    /// assembly put off. Dates written from it follow, as for a
    /// postponement.
    Adjourn {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// An event of a stage (a seminar day, a jury) will not take place:
    /// everyone invited gets the invitation withdrawn from their calendar,
    /// with the reason.
    CancelEvent {
        stage: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participant: Option<String>,
        event: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The edition is over: nothing more is sent for it, and nothing more
    /// is recorded but what the record keeps.
    Close { reason: String },
    /// Cancels the event numbered `seq` in the log, recorded by mistake: the
    /// state is as if it had never been recorded, and the log keeps both.
    /// The runtime applies it when it reads the log; the core alone cannot.
    Void { seq: i64, reason: String },
    /// The messages held back because they would have gone late by surprise
    /// go now, or (`drop`) never. The store applies it to the outbox; the
    /// state does not change.
    Release {
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        drop: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Messages that failed for good (all, or the one with this key) are
    /// tried again: after a relay or an address was fixed. The store
    /// applies it to the outbox; the state does not change.
    Retry {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
    },
}

impl EventKind {
    /// The verb, as written in scripts and logs.
    pub fn verb(&self) -> &'static str {
        match self {
            EventKind::Complete { .. } => "complete",
            EventKind::Approve { .. } => "approve",
            EventKind::Refuse { .. } => "refuse",
            EventKind::Select { .. } => "select",
            EventKind::Score { .. } => "score",
            EventKind::Decide { .. } => "decide",
            EventKind::Apply { .. } => "apply",
            EventKind::Amend { .. } => "amend",
            EventKind::Record { .. } => "record",
            EventKind::Withdraw { .. } => "withdraw",
            EventKind::Postpone { .. } => "postpone",
            EventKind::Adjourn { .. } => "adjourn",
            EventKind::CancelEvent { .. } => "cancel_event",
            EventKind::Close { .. } => "close",
            EventKind::Void { .. } => "void",
            EventKind::Release { .. } => "release",
            EventKind::Retry { .. } => "retry",
        }
    }
}
