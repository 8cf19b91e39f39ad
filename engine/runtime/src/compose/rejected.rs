//! The notice to a coordinator that a changed definition of their edition
//! was refused: the running version carries on, and what the check found.

use jalon_core::{Addressee, Recipient};
use jalon_definition::resolved::Edition;
use jalon_message::Email;
use jalon_store::OutboxEntry;
use jiff::Timestamp;

use super::messages;
use crate::payload::RejectedNotice;
use crate::texts::{self, Args};

pub(super) fn email(
    edition: &Edition,
    entry: &OutboxEntry,
    rejected: &RejectedNotice,
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
    let line = |id: &str, args: Args<'_>| texts::text(language, id, &args);
    let text = [
        line(
            "notice-greeting",
            Args::new().text("name", &coordinator.name),
        ),
        "\n\n".into(),
        line("rejected-lead", Args::new().text("edition", &edition.name)),
        "\n\n".into(),
        rejected.report.trim_end().to_owned(),
        "\n\n".into(),
        line("rejected-advice", Args::new()),
        "\n".into(),
    ]
    .concat();
    Ok(Email {
        idempotency_key: entry.key.clone(),
        date: now.to_zoned(edition.time_zone.clone()),
        from: messages::sender(edition),
        reply_to: None,
        to: vec![coordinator],
        subject: line(
            "rejected-subject",
            Args::new().text("edition", &edition.name),
        ),
        text,
        html: None,
        invite: None,
    })
}
