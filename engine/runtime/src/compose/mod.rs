//! From an outbox row to the bytes handed to delivery: an engine action
//! rendered under the current definition ([`messages`]), a digest written
//! from the state when it goes ([`digest`]), or a notice to the
//! coordinators that a message could not be delivered (`notice`).

pub mod digest;
mod held;
pub mod messages;
mod notice;
mod rejected;

use jalon_core::{Action, ActionKey, Detail, MessageKind, Progress, Recipient, State};
use jalon_definition::resolved::{Edition, RoleKind};
use jalon_delivery::Outgoing;
use jalon_message::{to_eml, Email, Templates};
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

/// The message of an outbox row and its subject, or why it cannot be sent
/// (a final failure: retrying would not change it).
/// What an outbox row becomes when its turn comes.
pub enum Composed {
    /// The message and its subject.
    Ready(Outgoing, String),
    /// No longer worth sending, and why: the state moved on since it was
    /// queued (the work was handed in, the stage approved).
    Stale(&'static str),
}

pub fn outgoing(
    state: &State,
    templates: &Templates,
    entry: &OutboxEntry,
    now: Timestamp,
    links: Option<&Links>,
) -> Result<Composed, String> {
    let payload = Payload::read(entry)?;
    if state.closed().is_some() && matches!(payload, Payload::Action(_) | Payload::Digest(_)) {
        return Ok(Composed::Stale("the edition was closed"));
    }
    let email = match payload {
        Payload::Action(action) => {
            let action = remap(state, *action)
                .ok_or("its stage, participant or recipient is no longer in the definition")?;
            if let Some(why) = stale(state, &action) {
                return Ok(Composed::Stale(why));
            }
            action_email(state, templates, action, now, links)?
        }
        Payload::Notice(notice) => notice::email(state.edition(), entry, &notice, now)?,
        Payload::Digest(_) => digest::email(state, entry, now)?,
        Payload::Held(held) => held::email(state.edition(), entry, &held, now)?,
        Payload::Rejected(rejected) => rejected::email(state.edition(), entry, &rejected, now)?,
    };
    let bytes = to_eml(&email, messages::MAIL_DOMAIN).map_err(|e| e.to_string())?;
    let outgoing = Outgoing {
        key: entry.key.clone(),
        from: email.from.email.clone(),
        to: email.to.iter().map(|m| m.email.clone()).collect(),
        bytes,
    };
    Ok(Composed::Ready(outgoing, email.subject))
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

fn action_email(
    state: &State,
    templates: &Templates,
    action: Action,
    now: Timestamp,
    links: Option<&Links>,
) -> Result<Email, String> {
    let to = messages::mailbox(state.edition(), action.recipient)
        .ok_or("the recipient has no email address in the definition")?;
    let rendered = messages::render(templates, state, &action, links).map_err(|e| e.to_string())?;
    Ok(messages::email(state, &action, rendered, to, now))
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
