//! The notice to a coordinator that messages are held: how many, which
//! (the first of them), why, and how to let them go or drop them.

use jalon_definition::model::Language;
use jalon_definition::resolved::Edition;
use jalon_message::{english_date, french_date, Email};
use jalon_store::OutboxEntry;
use jiff::Timestamp;

use super::messages;
use super::notice::{self, coordinator};
use crate::hold::{HeldItem, HeldNotice};
use crate::texts::{self, Args};

pub(super) fn email(
    edition: &Edition,
    entry: &OutboxEntry,
    held: &HeldNotice,
    now: Timestamp,
) -> Result<Email, String> {
    let (coordinator, language) = coordinator(edition, entry)?;
    let line = |id: &str, args: Args<'_>| texts::text(language, id, &args);
    let count = |id: &str| line(id, Args::new().number("count", held.count));
    let mut text = [
        line(
            "notice-greeting",
            Args::new().text("name", &coordinator.name),
        ),
        "\n\n".into(),
        line(
            "held-lead",
            Args::new()
                .number("count", held.count)
                .text("edition", &edition.name),
        ),
        "\n\n".into(),
        count("held-why"),
        "\n\n".into(),
    ]
    .concat();
    for item in &held.items {
        text.push_str("- ");
        text.push_str(&describe(edition, item, language));
        text.push('\n');
    }
    if held.count > held.items.len() {
        text.push_str(&line(
            "held-more",
            Args::new().number("count", held.count - held.items.len()),
        ));
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&line(
        "held-release",
        Args::new().text("edition", &edition.id),
    ));
    text.push('\n');
    Ok(Email {
        idempotency_key: entry.key.clone(),
        date: now.to_zoned(edition.time_zone.clone()),
        from: messages::sender(edition),
        reply_to: None,
        to: vec![coordinator],
        subject: line(
            "held-subject",
            Args::new()
                .number("count", held.count)
                .text("edition", &edition.name),
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

/// « lundi 3 mars 2025 : rappel, Feuille de route (Papoto), à Ana <ana@…> ».
fn describe(edition: &Edition, item: &HeldItem, language: Language) -> String {
    let date = item.due_at.to_zoned(edition.time_zone.clone()).date();
    let date = match language {
        Language::Fr => french_date(date),
        Language::En => english_date(date),
    };
    let stage = edition
        .stages
        .iter()
        .find(|s| s.id == item.stage)
        .map_or(item.stage.as_str(), |s| s.title.as_str());
    let about = match item
        .participant
        .as_deref()
        .and_then(|id| edition.participants.iter().find(|p| p.id == id))
    {
        Some(participant) => format!("{stage} ({})", participant.name),
        None => stage.to_owned(),
    };
    texts::text(
        language,
        "held-item",
        &Args::new()
            .text("date", date)
            .text(
                "kind",
                texts::plain(language, &format!("kind-{}", item.kind.as_str())),
            )
            .text("about", about)
            .text("to", notice::describe(edition, &item.recipient)),
    )
}
