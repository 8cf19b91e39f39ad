//! From an outbox row to the bytes handed to delivery: an engine action
//! rendered under the current definition, or a notice to the coordinators
//! that a message could not be delivered.

use jalon_core::{Action, Recipient, State};
use jalon_definition::model::Language;
use jalon_definition::resolved::{Edition, RoleKind};
use jalon_delivery::Outgoing;
use jalon_message::{to_eml, Email, Templates};
use jalon_store::OutboxEntry;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::links::Links;
use crate::messages;

/// The outbox kind of a notice about a final delivery failure.
pub const NOTICE_KIND: &str = "delivery_failure";

/// What a notice says, stored as the row's body.
#[derive(Debug, Serialize, Deserialize)]
pub struct Notice {
    pub failed_key: String,
    /// `person:ID` or `contact:ID`.
    pub recipient: String,
    pub subject: String,
    pub reason: String,
}

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
pub fn outgoing(
    state: &State,
    templates: &Templates,
    entry: &OutboxEntry,
    now: Timestamp,
    links: Option<&Links>,
) -> Result<(Outgoing, String), String> {
    let email = if entry.kind == NOTICE_KIND {
        notice_email(state.edition(), entry, now)?
    } else if entry.kind == crate::digest::DIGEST_KIND {
        crate::digest::email(state, entry, now)?
    } else {
        action_email(state, templates, entry, now, links)?
    };
    let bytes = to_eml(&email, messages::MAIL_DOMAIN).map_err(|e| e.to_string())?;
    let outgoing = Outgoing {
        key: entry.key.clone(),
        from: email.from.email.clone(),
        to: email.to.iter().map(|m| m.email.clone()).collect(),
        bytes,
    };
    Ok((outgoing, email.subject))
}

fn action_email(
    state: &State,
    templates: &Templates,
    entry: &OutboxEntry,
    now: Timestamp,
    links: Option<&Links>,
) -> Result<Email, String> {
    let action: Action = serde_json::from_str(&entry.action)
        .map_err(|e| format!("the queued message cannot be read: {e}"))?;
    let action = remap(state, action)
        .ok_or("its stage, participant or recipient is no longer in the definition")?;
    let to = messages::mailbox(state.edition(), action.recipient)
        .ok_or("the recipient has no email address in the definition")?;
    let rendered = messages::render(templates, state, &action, links).map_err(|e| e.to_string())?;
    Ok(messages::email(state, &action, rendered, to, now))
}

/// Stage, participant, template and recipient found again by their ids in
/// the key (`edition/stage[/participant]/…/person:ID`), so a definition that
/// gained a stage or a person since the row was queued still renders the
/// right message.
fn remap(state: &State, mut action: Action) -> Option<Action> {
    let edition = state.edition();
    let ids = state.ids();
    let mut parts = action.key.split('/').skip(1);
    action.stage = *ids.stages.get(parts.next()?)?;
    if action.participant.is_some() {
        action.participant = Some(*ids.participants.get(parts.next()?)?);
    }
    action.template = *edition.stages[action.stage].messages.get(&action.kind)?;
    action.recipient = recipient(state, action.key.rsplit('/').next()?)?;
    Some(action)
}

/// `person:ID` or `contact:PARTICIPANT`, as in keys and outbox rows.
fn recipient(state: &State, text: &str) -> Option<Recipient> {
    let ids = state.ids();
    match text.split_once(':')? {
        ("person", id) => Some(Recipient::Person(*ids.people.get(id)?)),
        ("contact", id) => Some(Recipient::Participant(*ids.participants.get(id)?)),
        _ => None,
    }
}

/// To the coordinator: which message will not arrive, to whom, and why.
fn notice_email(edition: &Edition, entry: &OutboxEntry, now: Timestamp) -> Result<Email, String> {
    let notice: Notice = serde_json::from_str(&entry.action)
        .map_err(|e| format!("the queued notice cannot be read: {e}"))?;
    let person = entry
        .recipient
        .strip_prefix("person:")
        .and_then(|id| edition.people.iter().position(|p| p.id == id));
    let coordinator = person
        .and_then(|p| messages::mailbox(edition, Recipient::Person(p)))
        .ok_or("the coordinator has no email address in the definition")?;
    let language = person
        .and_then(|p| edition.people[p].language)
        .unwrap_or(edition.language);
    let addressee = describe(edition, &notice.recipient);
    let (subject, text) = match language {
        Language::En => notice_in_english(edition, &notice, &coordinator.name, &addressee),
        Language::Fr => notice_in_french(edition, &notice, &coordinator.name, &addressee),
    };
    Ok(Email {
        idempotency_key: entry.key.clone(),
        date: now.to_zoned(edition.time_zone.clone()),
        from: messages::sender(edition),
        reply_to: None,
        to: vec![coordinator],
        subject,
        text,
        html: None,
        invite: None,
    })
}

fn notice_in_french(
    edition: &Edition,
    notice: &Notice,
    name: &str,
    addressee: &str,
) -> (String, String) {
    let subject = if notice.subject.is_empty() {
        format!("Message non remis à {addressee}")
    } else {
        format!("Message non remis : {}", notice.subject)
    };
    let text = format!(
        "Bonjour {name},\n\n\
         Un message de {programme} n'a pas pu être remis et ne sera pas renvoyé.\n\n\
         Destinataire : {addressee}\n\
         Objet : {subject}\n\
         Raison donnée par le serveur : {reason}\n\
         Référence : {key}\n\n\
         Vérifiez l'adresse dans la définition de l'édition « {edition} », \
         et prévenez la personne par un autre moyen si le message comptait.\n",
        programme = edition.programme_name,
        subject = if notice.subject.is_empty() {
            "(le message n'a pas pu être composé)"
        } else {
            &notice.subject
        },
        reason = notice.reason,
        key = notice.failed_key,
        edition = edition.name,
    );
    (subject, text)
}

fn notice_in_english(
    edition: &Edition,
    notice: &Notice,
    name: &str,
    addressee: &str,
) -> (String, String) {
    let subject = if notice.subject.is_empty() {
        format!("Undelivered message to {addressee}")
    } else {
        format!("Undelivered message: {}", notice.subject)
    };
    let text = format!(
        "Hello {name},\n\n\
         A message from {programme} could not be delivered and will not be sent again.\n\n\
         To: {addressee}\n\
         Subject: {subject}\n\
         The server's reason: {reason}\n\
         Reference: {key}\n\n\
         Please check the address in the definition of the edition \"{edition}\", \
         and reach the person another way if the message mattered.\n",
        programme = edition.programme_name,
        subject = if notice.subject.is_empty() {
            "(the message could not be composed)"
        } else {
            &notice.subject
        },
        reason = notice.reason,
        key = notice.failed_key,
        edition = edition.name,
    );
    (subject, text)
}

/// « Name <address> » of `person:ID` or `contact:ID`.
fn describe(edition: &Edition, recipient: &str) -> String {
    let found = match recipient.split_once(':') {
        Some(("person", id)) => edition
            .people
            .iter()
            .position(|p| p.id == id)
            .map(Recipient::Person),
        Some(("contact", id)) => edition
            .participants
            .iter()
            .position(|p| p.id == id)
            .map(Recipient::Participant),
        _ => None,
    };
    match found.and_then(|r| messages::mailbox(edition, r)) {
        Some(m) => format!("{} <{}>", m.name, m.email),
        None => recipient.to_owned(),
    }
}
