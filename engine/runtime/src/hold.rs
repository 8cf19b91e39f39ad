//! Nothing sent by surprise. A definition that comes in with dates already
//! past (a year typed wrong, an edition added late) would make a pile of
//! messages due at once, every one of them late. The daemon holds those
//! instead: they wait in the outbox, the coordination (and the operator) are
//! told what would go and why, and they go only when someone releases them
//! (`jalon release`), or never (`--drop`).
//!
//! What counts as "already late": due more than [`HOLD_GRACE`] before the
//! definition version that makes it due was first kept. Messages that fall
//! due while a version runs are never held, so a daemon catching up after
//! downtime sends what it would have sent.

use jalon_core::{Action, ActionKey, Addressee, EventKind};
use jalon_definition::resolved::Edition;
use jalon_store::{History, NewMessage, Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::compose;

/// Messages due this long before their version came in are not held: they
/// are on time, give or take a save and a reload.
pub const HOLD_GRACE: SignedDuration = SignedDuration::from_hours(1);

/// How many held messages a notice lists one by one.
pub const LISTED: usize = 30;

/// Before which instant what falls due is held, for the edition's running
/// version: `None` once a release was recorded under it (what was held
/// was looked at), or when the version was never kept.
pub fn threshold<S: Store>(
    store: &S,
    edition: &Edition,
    history: &History,
) -> Result<Option<Timestamp>, StoreError> {
    let released = history.events.iter().any(|stored| {
        stored.version == edition.version && matches!(stored.event.kind, EventKind::Release { .. })
    });
    // Events before a snapshot were not read: the store looks for them.
    let released = released
        || (history.snapshot.is_some() && store.released_under(&edition.id, &edition.version)?);
    if released {
        return Ok(None);
    }
    Ok(store
        .archived_at(&edition.id, &edition.version)?
        .and_then(|at| at.checked_sub(HOLD_GRACE).ok()))
}

/// What the coordination is told when messages are held.
#[derive(Debug, Serialize, Deserialize)]
pub struct HeldNotice {
    /// The definition version that made them due.
    pub version: String,
    /// How many were held in that pass.
    pub count: usize,
    /// The first of them, in due order.
    pub items: Vec<HeldItem>,
}

/// One held message, as the notice lists it.
#[derive(Debug, Serialize, Deserialize)]
pub struct HeldItem {
    pub due_at: Timestamp,
    pub kind: jalon_core::MessageKind,
    pub stage: String,
    pub participant: Option<String>,
    /// `person:ID` or `contact:ID`.
    pub recipient: String,
}

impl HeldNotice {
    pub fn of(edition: &Edition, held: &[Action]) -> HeldNotice {
        HeldNotice {
            version: edition.version.clone(),
            count: held.len(),
            items: held
                .iter()
                .take(LISTED)
                .map(|action| HeldItem {
                    due_at: action.due_at,
                    kind: action.kind,
                    stage: edition.stages[action.stage].id.clone(),
                    participant: action
                        .participant
                        .map(|p| edition.participants[p].id.clone()),
                    recipient: ActionKey::addressee_text(&action.key)
                        .unwrap_or_default()
                        .to_owned(),
                })
                .collect(),
        }
    }

    /// One row per coordinator, due at `now`; once per version and person
    /// (the key says so), so a daemon restarted does not tell twice.
    pub fn messages(&self, edition: &Edition, now: Timestamp) -> Vec<NewMessage> {
        compose::coordinators(edition)
            .iter()
            .map(|c| {
                let recipient = Addressee::Person(&c.id).to_string();
                NewMessage {
                    key: format!("{}/held/{}/{recipient}", edition.id, self.version),
                    kind: crate::payload::HELD_KIND.to_owned(),
                    due_at: now,
                    expires_at: None,
                    recipient,
                    body: serde_json::to_string(self).unwrap_or_default(),
                }
            })
            .collect()
    }
}
