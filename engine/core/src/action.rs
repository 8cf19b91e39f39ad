//! Actions: the only output. Each is one message to one recipient, due at
//! an instant, with a key that stays the same however often it is computed.

use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// An action's idempotency key.
pub type Key = Arc<str>;

pub use jalon_definition::resolved::MessageKind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Stable idempotency key: `edition/stage[/participant]/kind/…/recipient`.
    /// Shared, not copied, between the indexes that hold it.
    pub key: Key,
    pub kind: MessageKind,
    pub due_at: Timestamp,
    /// After this instant the message is worse than none (a reminder after
    /// its deadline, an invitation after the event).
    pub expires_at: Option<Timestamp>,
    /// Index of the stage in the edition.
    pub stage: usize,
    /// Index of the participant, for per-participant stages.
    pub participant: Option<usize>,
    pub recipient: Recipient,
    /// Index of the template in the edition.
    pub template: usize,
    pub detail: Detail,
}

/// One addressee: a person of the edition or a participant's contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "index", rename_all = "snake_case")]
pub enum Recipient {
    Person(usize),
    Participant(usize),
}

/// What a message needs beyond its stage and recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Detail {
    None,
    Reminder {
        index: usize,
    },
    ValidationRequest {
        round: u32,
    },
    /// The refusal, by index in its instance's `refusals`.
    Refused {
        index: usize,
    },
    Invitation {
        /// Index of the event within its stage.
        event: usize,
        /// Raised on each postponement, so that calendars replace the invite.
        sequence: u32,
        start: Timestamp,
        end: Timestamp,
    },
    Selection {
        participant: usize,
        retained: bool,
    },
    Decision {
        outcome: usize,
    },
}
