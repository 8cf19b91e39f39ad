//! The snapshot's own types: what the events produced, laid out for a
//! compact non-self-describing encoding (postcard). The engine's types are
//! not encoded directly: several are tagged for JSON (which postcard cannot
//! read back), and jiff writes instants as text, slow to parse by the
//! million. Any change here needs [`super::FORMAT`] raised.

use std::borrow::Cow;

use jalon_definition::resolved::{Language, MessageKind, ParticipantStatus};
use jiff::Timestamp;
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::state::IndicatorValue;

/// Nanoseconds since the Unix epoch.
pub type Instant = i128;
/// Year, month, day.
pub type Day = (i16, i8, i8);

#[derive(Serialize, Deserialize)]
pub struct Wire<'a> {
    /// The definition version the state was folded under.
    pub version: String,
    pub closed: Option<(Instant, String, String)>,
    pub participants: Vec<(ParticipantStatus, Option<Instant>)>,
    /// Those who applied through the call, in participant order: their id
    /// and every version of their application.
    pub applicants: Vec<Applicant>,
    pub stage_overrides: Vec<(usize, Override)>,
    pub windows: Vec<Window>,
    /// The instances in runs of [`PER_RUN`], each run encoded on its own
    /// (a `Vec<Instance>`), so that a restore decodes runs on every core.
    #[serde(borrow)]
    pub instances: Vec<Bytes<'a>>,
    pub settled_at: Vec<Option<Instant>>,
    /// Pending actions in due order, in runs of [`PER_RUN`] (each a
    /// `Vec<Action>`).
    #[serde(borrow)]
    pub pending: Vec<Bytes<'a>>,
    /// The fingerprints of the keys recorded as sent, sorted, 16 bytes
    /// each (little-endian): read as they lie, where varints of random
    /// numbers cost more bytes and time.
    #[serde(borrow)]
    pub sent: Bytes<'a>,
    pub last_event_at: Option<Instant>,
    pub events_applied: u64,
}

/// How many instances or actions one run holds: enough that a thread's
/// start costs little beside a run, few enough that a large edition has
/// runs for every core.
pub const PER_RUN: usize = 4096;

/// Bytes written as one block and read in place.
pub struct Bytes<'a>(pub Cow<'a, [u8]>);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(deserializer).map(|bytes| Bytes(Cow::Borrowed(bytes)))
    }
}

#[derive(Serialize, Deserialize)]
pub struct Applicant {
    pub participant: usize,
    pub id: String,
    pub revisions: Vec<Revision>,
    pub flagged_at: Option<(Instant, usize)>,
}

#[derive(Serialize, Deserialize)]
pub struct Revision {
    pub at: Instant,
    pub by: String,
    pub name: String,
    pub organisation: String,
    pub description: String,
    pub theme: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub language: Option<Language>,
    pub answers: Vec<(String, String)>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
pub struct Override {
    pub start: Option<Day>,
    pub due: Option<Day>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
pub struct Window {
    pub start: Day,
    pub due: Day,
    pub to_be_fixed: bool,
}

#[derive(Serialize, Deserialize)]
pub struct Instance<'a> {
    pub stage: usize,
    pub participant: Option<usize>,
    pub window: Window,
    pub own_override: Override,
    pub postponements: u32,
    pub postponed_at: Option<Instant>,
    pub postponed_from: Option<(Window, Option<String>)>,
    pub cancelled_events: Vec<(usize, Instant, Option<String>)>,
    pub ready_at: Option<Instant>,
    pub progress: Progress,
    pub round: u32,
    pub approvals: Vec<(usize, Instant)>,
    pub refusals: Vec<Refusal>,
    pub submissions: Vec<Submission>,
    pub selection: Option<Selection>,
    pub outcome: Option<usize>,
    pub scores: Vec<Score>,
    #[serde(borrow)]
    pub indicators: Indicators<'a>,
    #[serde(borrow)]
    pub action_keys: Vec<KeyRef<'a>>,
}

#[derive(Serialize, Deserialize)]
pub enum Progress {
    Active,
    AwaitingValidation(Instant),
    Done(Instant),
    Skipped(Instant, SkipReason),
}

#[derive(Serialize, Deserialize)]
pub enum SkipReason {
    BranchNotTaken(usize, usize),
    ParticipantOut,
    NeedsSkipped,
}

#[derive(Serialize, Deserialize)]
pub struct Refusal {
    pub by: usize,
    pub at: Instant,
    pub comment: String,
    pub round: u32,
}

#[derive(Serialize, Deserialize)]
pub struct Submission {
    pub round: u32,
    pub at: Instant,
    pub by: String,
    pub documents: Vec<Piece>,
    pub comment: Option<String>,
}

#[derive(Serialize, Deserialize)]
pub enum Piece {
    File {
        deliverable: String,
        name: String,
        media_type: String,
        sha256: String,
        size: u64,
    },
    Link {
        deliverable: String,
        url: String,
    },
}

#[derive(Serialize, Deserialize)]
pub struct Selection {
    pub pool: Vec<usize>,
    pub retained: Vec<usize>,
    pub reasons: Vec<(usize, String)>,
}

#[derive(Serialize, Deserialize)]
pub struct Score {
    pub member: usize,
    pub participant: usize,
    pub values: Vec<i64>,
    pub comment: Option<String>,
    pub at: Instant,
}

/// An instance's action key: most are pending, written once there.
#[derive(Serialize, Deserialize)]
pub enum KeyRef<'a> {
    /// By position among the pending actions ([`Wire::pending`]).
    Pending(usize),
    Own(&'a str),
}

#[derive(Serialize, Deserialize)]
pub struct Action<'a> {
    pub key: &'a str,
    pub kind: MessageKind,
    pub due_at: Instant,
    pub expires_at: Option<Instant>,
    pub stage: usize,
    pub participant: Option<usize>,
    pub recipient: Recipient,
    pub template: usize,
    pub detail: Detail,
}

#[derive(Serialize, Deserialize)]
pub enum Recipient {
    Person(usize),
    Participant(usize),
}

#[derive(Serialize, Deserialize)]
pub enum Detail {
    None,
    Reminder(usize),
    ValidationRequest(u32),
    Refused(usize),
    Invitation {
        event: usize,
        sequence: u32,
        start: Instant,
        end: Instant,
    },
    Selection {
        participant: usize,
        retained: bool,
    },
    Cancellation {
        participant: usize,
        event: usize,
        sequence: u32,
        start: Instant,
        end: Instant,
    },
    EventCancelled {
        event: usize,
        sequence: u32,
        start: Instant,
        end: Instant,
    },
    Decision(usize),
    Application {
        participant: usize,
        revision: usize,
    },
}

/// An instance's indicator values, written as `(indicator, value,
/// instant)` and read straight into the state's own values: an edition
/// can hold a million of them, and a copy of each in between doubled a
/// load's work. Their indicators are checked against the definition after.
pub struct Indicators<'a>(pub Cow<'a, [IndicatorValue]>);

impl Serialize for Indicators<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for v in self.0.iter() {
            seq.serialize_element(&(v.indicator, v.value.as_str(), v.at.as_nanosecond()))?;
        }
        seq.end()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Indicators<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Values;
        impl<'de> Visitor<'de> for Values {
            type Value = Vec<IndicatorValue>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("indicator values")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                // The count comes from the bytes: bounded by what they can hold.
                let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some((indicator, value, at)) =
                    seq.next_element::<(usize, &'de str, Instant)>()?
                {
                    let at = Timestamp::from_nanosecond(at)
                        .map_err(|_| de::Error::custom("an instant out of range"))?;
                    values.push(IndicatorValue {
                        indicator,
                        value: value.into(),
                        at,
                    });
                }
                Ok(values)
            }
        }
        deserializer
            .deserialize_seq(Values)
            .map(|values| Indicators(Cow::Owned(values)))
    }
}
