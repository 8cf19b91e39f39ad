//! From an outbox row to the bytes handed to delivery: an engine action
//! rendered under the current definition ([`messages`]), a digest written
//! from the state when it goes ([`digest`]), or a notice to the
//! coordinators that a message could not be delivered (`notice`).

pub mod digest;
pub mod grouped;
mod held;
pub mod messages;
mod notice;
mod rejected;
pub mod series;
pub mod several;

use std::collections::HashSet;

use jalon_core::{Action, ActionKey, Detail, MessageKind, Progress, Recipient, State};
use jalon_definition::resolved::{Edition, RoleKind};
use jalon_delivery::Outgoing;
use jalon_message::{to_eml_signed, Dkim, Email, Templates};
use jalon_store::OutboxEntry;
use jiff::Timestamp;

use crate::links::Links;
use crate::payload::Payload;

/// A member of a coordination role with an address.
pub struct Coordinator {
    pub id: String,
}

pub fn coordinators(edition: &Edition) -> Vec<Coordinator> {
    let mut out: Vec<Coordinator> = Vec::new();
    for role in edition
        .roles
        .iter()
        .filter(|r| r.kind == Some(RoleKind::Coordination))
    {
        for &p in &role.members {
            let person = &edition.people[p];
            if person.email.is_some() && !out.iter().any(|c| c.id == person.id) {
                out.push(Coordinator {
                    id: person.id.clone(),
                });
            }
        }
    }
    out
}

/// What an outbox row becomes when its turn comes.
pub enum Composed {
    /// The message and its subject.
    Ready(Outgoing, String),
    /// No longer worth sending, and why: the state moved on since it was
    /// queued (the work was handed in, the stage approved).
    Stale(&'static str),
}

/// Outbox rows, composed: each as its own email, but the engine's alike
/// messages due together to one person, merged into one
/// ([`grouped`]'s rule).
pub struct Prepared {
    /// The rows the email carries (one, or several merged).
    pub entries: Vec<OutboxEntry>,
    pub composed: Result<Composed, String>,
}

/// What composing needs besides the state and the templates, all optional.
#[derive(Clone, Copy, Default)]
pub struct Composing<'a> {
    /// What validation links are signed with; previews use placeholders.
    pub links: Option<&'a Links>,
    /// What emails are signed with (DKIM).
    pub dkim: Option<&'a Dkim>,
    /// Who follows several editions at once (see [`several`]).
    pub several: Option<&'a HashSet<String>>,
}

/// Composes `entries` (ready at `now`) into emails.
pub fn prepare(
    state: &State,
    templates: &Templates,
    entries: Vec<OutboxEntry>,
    now: Timestamp,
    how: Composing<'_>,
) -> Vec<Prepared> {
    let mut out = Vec::new();
    let mut actions = Vec::new();
    let mut waiting = std::collections::HashMap::new();
    for entry in entries {
        match engine_action(state, &entry) {
            Ok(Some(action)) => {
                waiting.insert(action.key.to_string(), entry);
                actions.push(action);
            }
            Ok(None) => {
                let composed = outgoing(state, &entry, now, how);
                out.push(Prepared {
                    entries: vec![entry],
                    composed,
                });
            }
            Err(composed) => out.push(Prepared {
                entries: vec![entry],
                composed,
            }),
        }
    }
    for letter in grouped::letters(state, templates, actions, now, how.links) {
        let entries: Vec<OutboxEntry> = letter
            .actions
            .iter()
            .filter_map(|a| waiting.remove(a.key.as_ref() as &str))
            .collect();
        let composed = letter
            .email
            .and_then(|email| ready(state, email, &entries, how));
        out.push(Prepared { entries, composed });
    }
    out
}

/// `entries` cut into parts of at least `size` rows (the last may be
/// smaller) that [`prepare`] can compose one after the other into the same
/// emails as all together: only rows to the same recipient ever merge
/// ([`grouped`]), so each recipient's rows stay in one part. Recipients
/// with one row come first, then those with more (whose merged email takes
/// longest to compose), each in the order they first appear: the first
/// emails can go while the rest are composed.
pub fn parts(entries: Vec<OutboxEntry>, size: usize) -> Vec<Vec<OutboxEntry>> {
    let mut by_recipient: Vec<Vec<OutboxEntry>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for entry in entries {
        match index.get(&entry.recipient) {
            Some(&at) => by_recipient[at].push(entry),
            None => {
                index.insert(entry.recipient.clone(), by_recipient.len());
                by_recipient.push(vec![entry]);
            }
        }
    }
    // Stable: recipients with as many rows keep their order.
    by_recipient.sort_by_key(Vec::len);
    let mut parts = Vec::new();
    let mut part = Vec::new();
    for rows in by_recipient {
        part.extend(rows);
        if part.len() >= size.max(1) {
            parts.push(std::mem::take(&mut part));
        }
    }
    if !part.is_empty() {
        parts.push(part);
    }
    parts
}

/// The engine's action of a row still worth sending; `Ok(None)` for rows
/// of other payloads; `Err` with what to record for a row that cannot go.
fn engine_action(
    state: &State,
    entry: &OutboxEntry,
) -> Result<Option<Action>, Result<Composed, String>> {
    let payload = Payload::read(entry).map_err(Err)?;
    let Payload::Action(action) = payload else {
        return Ok(None);
    };
    if state.closed().is_some() {
        return Err(Ok(Composed::Stale("the edition was closed")));
    }
    let action = remap(state, *action).ok_or(Err(
        "its stage, participant or recipient is no longer in the definition".to_owned(),
    ))?;
    match stale(state, &action) {
        Some(why) => Err(Ok(Composed::Stale(why))),
        None => Ok(Some(action)),
    }
}

/// The bytes of an email carrying `entries` (the first names it).
fn ready(
    state: &State,
    mut email: Email,
    entries: &[OutboxEntry],
    how: Composing<'_>,
) -> Result<Composed, String> {
    // The subject as the notices of a failure quote it (typeset there).
    let mut subject = email.subject.clone();
    if let Some(several) = how.several {
        subject = several::subject_for(state.edition(), &email.subject, &email.to, several);
        if subject != email.subject {
            // The edition's name ahead: typeset with the rest, if it is.
            email.set_subject(subject.clone());
        }
    }
    let bytes =
        to_eml_signed(&email, messages::MAIL_DOMAIN, how.dkim).map_err(|e| e.to_string())?;
    let key = entries.first().map(|e| e.key.clone()).unwrap_or_default();
    let outgoing = Outgoing {
        key,
        from: email.from.email.clone(),
        to: email.to.iter().map(|m| m.email.clone()).collect(),
        bytes,
    };
    Ok(Composed::Ready(outgoing, subject))
}

/// A row that is not the engine's own message: a notice, a digest.
fn outgoing(
    state: &State,
    entry: &OutboxEntry,
    now: Timestamp,
    how: Composing<'_>,
) -> Result<Composed, String> {
    let payload = Payload::read(entry)?;
    if state.closed().is_some() && matches!(payload, Payload::Digest(_)) {
        return Ok(Composed::Stale("the edition was closed"));
    }
    let email = match payload {
        Payload::Action(_) => return Err("an engine message composed alone".to_owned()),
        Payload::Notice(notice) => notice::email(state.edition(), entry, &notice, now)?,
        Payload::Digest(_) => digest::email(state, entry, now, how.links)?,
        Payload::Held(held) => held::email(state.edition(), entry, &held, now)?,
        Payload::Rejected(rejected) => rejected::email(state.edition(), entry, &rejected, now)?,
    };
    ready(state, email, std::slice::from_ref(entry), how)
}

/// Why an engine message queued earlier is no longer worth sending, if it
/// is not: a catch-up after downtime must not remind people of work they
/// handed in, or ask validators for an approval already given.
fn stale(state: &State, action: &Action) -> Option<&'static str> {
    let instance = state.instance_of(action.stage, action.participant)?;
    let finished = matches!(
        instance.progress,
        Progress::Done { .. } | Progress::Skipped { .. }
    );
    match (action.kind, &action.detail) {
        (MessageKind::Reminder, _) if !matches!(instance.progress, Progress::Active) => {
            Some("the work was handed in since it was queued")
        }
        (MessageKind::StageOpened | MessageKind::Escalation, _) if finished => {
            Some("the stage was finished since it was queued")
        }
        (MessageKind::ValidationRequest, Detail::ValidationRequest { round }) => {
            let awaited = matches!(instance.progress, Progress::AwaitingValidation { .. })
                && instance.round == *round
                && match action.recipient {
                    Recipient::Person(p) => !instance.approvals.iter().any(|(a, _)| *a == p),
                    Recipient::Participant(_) => true,
                };
            (!awaited).then_some("the validation was given or the work submitted again since")
        }
        _ => None,
    }
}

/// Stage, participant, template and recipient found again by the ids of
/// its key, so a definition that gained a stage or a person since the row
/// was queued still renders the right message.
fn remap(state: &State, mut action: Action) -> Option<Action> {
    let edition = state.edition();
    let ids = state.ids();
    let key = action.key.clone();
    let parts = ActionKey::parse(&key, action.participant.is_some())?;
    action.stage = *ids.stages.get(parts.stage)?;
    if let Some(participant) = parts.participant {
        action.participant = Some(*ids.participants.get(participant)?);
    }
    action.template = *edition.stages[action.stage].messages.get(&action.kind)?;
    action.recipient = parts.addressee.resolve(ids)?;
    Some(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, recipient: &str) -> OutboxEntry {
        OutboxEntry {
            key: key.to_owned(),
            edition: "e".to_owned(),
            kind: "stage_opened".to_owned(),
            due_at: Timestamp::UNIX_EPOCH,
            expires_at: None,
            recipient: recipient.to_owned(),
            action: String::new(),
            enqueued_by: None,
            status: jalon_store::Delivery::Pending,
            attempts: 0,
            retry_at: None,
        }
    }

    #[test]
    fn parts_keep_each_recipients_rows_together_and_lose_none() {
        // A coordinator told of every laureate, between the laureates' own.
        let rows: Vec<OutboxEntry> = (0..10)
            .flat_map(|i| {
                [
                    row(&format!("k{i}/contact"), &format!("contact:p{i}")),
                    row(&format!("k{i}/ana"), "person:ana"),
                ]
            })
            .collect();
        let parts = parts(rows, 3);
        let keys = |part: &Vec<OutboxEntry>| part.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
        // The laureates first, three a part, in their order; then every
        // row of the coordinator in the last part, with the last laureate.
        assert_eq!(
            parts.len(),
            4,
            "{:?}",
            parts.iter().map(keys).collect::<Vec<_>>()
        );
        assert_eq!(
            parts.iter().map(Vec::len).collect::<Vec<_>>(),
            [3, 3, 3, 11]
        );
        assert_eq!(keys(&parts[0]), ["k0/contact", "k1/contact", "k2/contact"]);
        assert_eq!(
            parts[3]
                .iter()
                .filter(|r| r.recipient == "person:ana")
                .count(),
            10
        );
        assert!(parts[..3]
            .iter()
            .all(|p| p.iter().all(|r| r.recipient != "person:ana")));
        let mut all: Vec<String> = parts.iter().flat_map(keys).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 20, "every row once");
        assert!(super::parts(Vec::new(), 3).is_empty());
    }
}
