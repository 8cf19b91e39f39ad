//! The notice to a coordinator that a changed definition of their edition
//! was refused: the running version carries on, and what the check found.

use jalon_definition::resolved::Edition;
use jalon_message::Email;
use jalon_store::OutboxEntry;
use jiff::Timestamp;

use super::messages;
use super::notice::coordinator;
use crate::payload::RejectedNotice;
use crate::texts::{self, Args};

pub(super) fn email(
    edition: &Edition,
    entry: &OutboxEntry,
    rejected: &RejectedNotice,
    now: Timestamp,
) -> Result<Email, String> {
    let (coordinator, language) = coordinator(edition, entry)?;
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
        thread: None,
        list: Some(super::messages::list_of(edition)),
        language: Some(language.as_str().to_owned()),
        signature: Some(super::messages::signature(edition)),
        typeset: false,
    })
}
