//! The notice to a coordinator that a message will never arrive: to whom,
//! about what, and the server's reason.

use jalon_core::{Addressee, Recipient};
use jalon_definition::model::Language;
use jalon_definition::resolved::Edition;
use jalon_message::Email;
use jalon_store::OutboxEntry;
use jiff::Timestamp;

use super::messages;
use crate::payload::Notice;

/// To the coordinator: which message will not arrive, to whom, and why.
pub(super) fn email(
    edition: &Edition,
    entry: &OutboxEntry,
    notice: &Notice,
    now: Timestamp,
) -> Result<Email, String> {
    let person = Addressee::parse(&entry.recipient)
        .and_then(Addressee::person)
        .and_then(|id| edition.people.iter().position(|p| p.id == id));
    let coordinator = person
        .and_then(|p| messages::mailbox(edition, Recipient::Person(p)))
        .ok_or("the coordinator has no email address in the definition")?;
    let language = person
        .and_then(|p| edition.people[p].language)
        .unwrap_or(edition.language);
    let addressee = describe(edition, &notice.recipient);
    let (subject, text) = match language {
        Language::En => notice_in_english(edition, notice, &coordinator.name, &addressee),
        Language::Fr => notice_in_french(edition, notice, &coordinator.name, &addressee),
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
    let found = Addressee::parse(recipient).and_then(|addressee| match addressee {
        Addressee::Person(id) => edition
            .people
            .iter()
            .position(|p| p.id == id)
            .map(Recipient::Person),
        Addressee::Contact(id) => edition
            .participants
            .iter()
            .position(|p| p.id == id)
            .map(Recipient::Participant),
    });
    match found.and_then(|r| messages::mailbox(edition, r)) {
        Some(m) => format!("{} <{}>", m.name, m.email),
        None => recipient.to_owned(),
    }
}
