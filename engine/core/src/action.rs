//! Actions: the only output. Each is one message to one recipient, due at
//! an instant, with a key that stays the same however often it is computed.

use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// An action's idempotency key, as stored: shared, not copied, between the
/// indexes that hold it. [`ActionKey`] builds it and reads its parts.
pub type Key = Arc<str>;

/// Who a message goes to, by id, as keys and outbox rows write it:
/// `person:ID` or `contact:PARTICIPANT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addressee<'a> {
    Person(&'a str),
    Contact(&'a str),
}

impl<'a> Addressee<'a> {
    /// `person:ID` or `contact:ID`; `None` for anything else.
    pub fn parse(text: &'a str) -> Option<Addressee<'a>> {
        match text.split_once(':')? {
            ("person", id) => Some(Addressee::Person(id)),
            ("contact", id) => Some(Addressee::Contact(id)),
            _ => None,
        }
    }

    /// The person's id, for an addressee who is one.
    pub fn person(self) -> Option<&'a str> {
        match self {
            Addressee::Person(id) => Some(id),
            Addressee::Contact(_) => None,
        }
    }

    /// The recipient of today's definition, by id.
    pub fn resolve(self, ids: &crate::Ids) -> Option<Recipient> {
        match self {
            Addressee::Person(id) => ids.people.get(id).map(|&p| Recipient::Person(p)),
            Addressee::Contact(id) => ids.participants.get(id).map(|&p| Recipient::Participant(p)),
        }
    }

    fn prefix(self) -> (&'static str, &'a str) {
        match self {
            Addressee::Person(id) => ("person:", id),
            Addressee::Contact(id) => ("contact:", id),
        }
    }
}

impl std::fmt::Display for Addressee<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (prefix, id) = self.prefix();
        write!(f, "{prefix}{id}")
    }
}

/// The parts of an action's key, `edition/stage[/participant]/what…/addressee`,
/// by id: what outlives a change of definition (a stage added, people
/// reordered). Keys are built and read back here only; nothing else splits
/// them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionKey<'k> {
    pub edition: &'k str,
    pub stage: &'k str,
    pub participant: Option<&'k str>,
    /// What the message is within its stage: `reminder/0`, `validation/2`…
    pub what: &'k str,
    pub addressee: Addressee<'k>,
}

impl<'k> ActionKey<'k> {
    /// Reads a key back; `per_participant` says whether its stage runs once
    /// per participant (the key then names one).
    pub fn parse(key: &'k str, per_participant: bool) -> Option<ActionKey<'k>> {
        let (rest, addressee) = key.rsplit_once('/')?;
        let addressee = Addressee::parse(addressee)?;
        let (edition, rest) = rest.split_once('/')?;
        let (stage, rest) = rest.split_once('/')?;
        let (participant, what) = if per_participant {
            let (participant, what) = rest.split_once('/')?;
            (Some(participant), what)
        } else {
            (None, rest)
        };
        Some(ActionKey {
            edition,
            stage,
            participant,
            what,
            addressee,
        })
    }

    /// The addressee every outbox key ends with (an action's, a digest's,
    /// a notice's).
    pub fn addressee_of(key: &str) -> Option<Addressee<'_>> {
        Addressee::parse(key.rsplit_once('/')?.1)
    }

    /// The same, as written at the end of the key (`person:ID`).
    pub fn addressee_text(key: &str) -> Option<&str> {
        let text = key.rsplit_once('/')?.1;
        Addressee::parse(text).map(|_| text)
    }

    /// The parts after the edition, joined by `sep` (file names).
    pub fn joined(&self, sep: &str) -> String {
        let mut parts = vec![self.stage.to_owned()];
        parts.extend(self.participant.map(str::to_owned));
        parts.extend(self.what.split('/').map(str::to_owned));
        parts.push(self.addressee.to_string());
        parts.join(sep)
    }

    /// The key of these parts.
    pub fn build(&self) -> Key {
        let base = Self::base(self.edition, self.stage, self.participant);
        Self::with_base(&base, self.what, self.addressee)
    }

    /// `edition/stage[/participant]`: shared by an instance's keys.
    pub(crate) fn base(edition: &str, stage: &str, participant: Option<&str>) -> String {
        let mut base = String::new();
        Self::write_base(&mut base, edition, stage, participant);
        base
    }

    /// [`ActionKey::base`], written over `out`: every refresh of an
    /// instance makes one.
    pub(crate) fn write_base(
        out: &mut String,
        edition: &str,
        stage: &str,
        participant: Option<&str>,
    ) {
        out.clear();
        for part in [edition, "/", stage] {
            out.push_str(part);
        }
        if let Some(participant) = participant {
            out.push('/');
            out.push_str(participant);
        }
    }

    /// `base/what/addressee`.
    pub(crate) fn with_base(base: &str, what: &str, addressee: Addressee<'_>) -> Key {
        let mut key = String::new();
        Self::write_with_base(&mut key, base, what, addressee);
        key.into()
    }

    /// `base/what/addressee`, written over `out`: a caller that builds
    /// many keys reuses one buffer.
    pub(crate) fn write_with_base(
        out: &mut String,
        base: &str,
        what: &str,
        addressee: Addressee<'_>,
    ) {
        let stem = Self::write_stem(out, base, format_args!("{what}"));
        Self::end_stem(out, stem, addressee);
    }

    /// `base/what/`, the part of a message's keys its recipients share,
    /// written over `out`; returns its length, for [`ActionKey::end_stem`].
    #[inline]
    pub(crate) fn write_stem(out: &mut String, base: &str, what: std::fmt::Arguments<'_>) -> usize {
        use std::fmt::Write;
        out.clear();
        out.push_str(base);
        out.push('/');
        // Writing into a `String` cannot fail.
        let _ = out.write_fmt(what);
        out.push('/');
        out.len()
    }

    /// Ends the stem `out` holds (its first `stem` bytes) with one
    /// recipient's addressee: one key of the message.
    #[inline]
    pub(crate) fn end_stem(out: &mut String, stem: usize, addressee: Addressee<'_>) {
        let (prefix, id) = addressee.prefix();
        out.truncate(stem);
        out.push_str(prefix);
        out.push_str(id);
    }
}

impl std::fmt::Display for ActionKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.build())
    }
}

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

impl Action {
    /// The parts of its key, by id.
    pub fn key_parts(&self) -> Option<ActionKey<'_>> {
        ActionKey::parse(&self.key, self.participant.is_some())
    }
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
    /// An invitation withdrawn from a participant who left: the event and
    /// the sequence of the update that cancels it.
    Cancellation {
        participant: usize,
        event: usize,
        sequence: u32,
        start: Timestamp,
        end: Timestamp,
    },
    /// An invitation withdrawn from everyone because its event was called
    /// off: the event and the sequence of the update that cancels it.
    EventCancelled {
        event: usize,
        sequence: u32,
        start: Timestamp,
        end: Timestamp,
    },
    Decision {
        outcome: usize,
    },
    /// An application (its version, by index) or its look-alike.
    Application {
        participant: usize,
        revision: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_read_back_into_the_parts_it_was_built_from() {
        let parts = ActionKey {
            edition: "2024-2025",
            stage: "feuille-de-route",
            participant: Some("atchoum"),
            what: "validation/2",
            addressee: Addressee::Person("florence"),
        };
        let key = parts.build();
        assert_eq!(
            &*key,
            "2024-2025/feuille-de-route/atchoum/validation/2/person:florence"
        );
        assert_eq!(ActionKey::parse(&key, true), Some(parts));
        assert_eq!(parts.to_string(), &*key);

        let once = ActionKey {
            participant: None,
            what: "reminder/0",
            addressee: Addressee::Contact("atchoum"),
            ..parts
        };
        assert_eq!(ActionKey::parse(&once.build(), false), Some(once));
        // A key that names no addressee, or too few parts, is not a key.
        for bad in ["", "a/b", "a/b/c/nobody:x", "a/b/person:x"] {
            assert_eq!(ActionKey::parse(bad, false), None, "{bad}");
        }
        assert_eq!(ActionKey::parse("a/b/c/person:x", true), None);
    }
}
