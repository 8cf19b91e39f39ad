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
use crate::texts::{self, Args};

/// The coordinator a notice row is addressed to: their mailbox and their
/// language (the edition's by default). Shared by every notice.
pub(super) fn coordinator(
    edition: &Edition,
    entry: &OutboxEntry,
) -> Result<(jalon_message::Mailbox, Language), String> {
    let person = Addressee::parse(&entry.recipient)
        .and_then(Addressee::person)
        .and_then(|id| edition.people.iter().position(|p| p.id == id));
    let mailbox = person
        .and_then(|p| messages::mailbox(edition, Recipient::Person(p)))
        .ok_or("the coordinator has no email address in the definition")?;
    let language = person
        .and_then(|p| edition.people[p].language)
        .unwrap_or(edition.language);
    Ok((mailbox, language))
}

/// To the coordinator: which message will not arrive, to whom, and why.
pub(super) fn email(
    edition: &Edition,
    entry: &OutboxEntry,
    notice: &Notice,
    now: Timestamp,
) -> Result<Email, String> {
    let (coordinator, language) = coordinator(edition, entry)?;
    let addressee = describe(edition, &notice.recipient);
    let (subject, text) = write(edition, notice, &coordinator.name, &addressee, language);
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
        thread: None,
        list: Some(super::messages::list_of(edition)),
        language: Some(language.as_str().to_owned()),
        signature: Some(super::messages::signature(edition)),
        typeset: false,
    })
}

/// Subject and text in the coordinator's language.
fn write(
    edition: &Edition,
    notice: &Notice,
    name: &str,
    addressee: &str,
    language: Language,
) -> (String, String) {
    let line = |id: &str, args: Args<'_>| texts::text(language, id, &args);
    let subject = if notice.subject.is_empty() {
        line(
            "notice-subject-uncomposed",
            Args::new().text("addressee", addressee),
        )
    } else {
        line(
            "notice-subject",
            Args::new().text("subject", &notice.subject),
        )
    };
    let about = if notice.subject.is_empty() {
        texts::plain(language, "notice-uncomposed")
    } else {
        notice.subject.clone()
    };
    let text = [
        line("notice-greeting", Args::new().text("name", name)),
        "\n\n".into(),
        line(
            "notice-lead",
            Args::new().text("programme", &edition.programme_name),
        ),
        "\n\n".into(),
        line("notice-to", Args::new().text("addressee", addressee)),
        "\n".into(),
        line("notice-about", Args::new().text("subject", about)),
        "\n".into(),
        line("notice-reason", Args::new().text("reason", &notice.reason)),
        "\n".into(),
        line(
            "notice-reference",
            Args::new().text("key", &notice.failed_key),
        ),
        "\n\n".into(),
        line("notice-advice", Args::new().text("edition", &edition.name)),
        "\n".into(),
    ]
    .concat();
    (subject, text)
}

/// « Name <address> » of `person:ID` or `contact:ID`.
pub(super) fn describe(edition: &Edition, recipient: &str) -> String {
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
