//! From an action to the words of its message: the template variables every
//! message gets, the rendered subject and body, and the email around them.

use std::collections::BTreeMap;

use jalon_core::{Action, Detail, Recipient, State};
use jalon_definition::resolved::Edition;
use jalon_message::{
    french_date, french_time, Email, Invite, Mailbox, Rendered, TemplateError, Templates,
};
use jiff::Timestamp;

/// The domain of Message-IDs and of the sender address until delivery is
/// configured (issue "Email").
pub const MAIL_DOMAIN: &str = "jalon.invalid";

/// Every template of the edition, compiled once.
pub fn templates(edition: &Edition) -> Result<Templates, TemplateError> {
    let mut templates = Templates::new();
    for template in &edition.templates {
        templates.add(&template.id, &template.subject, &template.body)?;
    }
    Ok(templates)
}

/// Who a message goes to, with their address.
pub fn mailbox(edition: &Edition, recipient: Recipient) -> Option<Mailbox> {
    match recipient {
        Recipient::Person(p) => {
            let person = &edition.people[p];
            Some(Mailbox {
                name: person.name.clone(),
                email: person.email.clone()?,
            })
        }
        Recipient::Participant(p) => {
            let participant = &edition.participants[p];
            Some(Mailbox {
                name: participant
                    .contact_name
                    .clone()
                    .unwrap_or_else(|| participant.name.clone()),
                email: participant.contact_email.clone()?,
            })
        }
    }
}

/// The variables templates can use. Every message gets all of them (empty
/// when they do not apply), so a template typo is an error everywhere.
pub fn variables(state: &State, action: &Action) -> BTreeMap<String, String> {
    let edition = state.edition();
    let stage = &edition.stages[action.stage];
    let instance = state.instance_of(action.stage, action.participant);
    let window = instance.map_or((stage.start, stage.due), |i| (i.window.start, i.window.due));
    let recipient = mailbox(edition, action.recipient).map_or_else(String::new, |m| m.name);
    let participant = match &action.detail {
        Detail::Selection { participant, .. } => Some(*participant),
        _ => action.participant,
    }
    .map_or_else(String::new, |p| edition.participants[p].name.clone());
    let mut vars = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        vars.insert(k.to_owned(), v);
    };
    set("programme", edition.programme_name.clone());
    set("edition", edition.name.clone());
    set("stage", stage.title.clone());
    set("description", stage.description.clone().unwrap_or_default());
    set("start", french_date(window.0));
    set("due", french_date(window.1));
    set("recipient", recipient);
    set("participant", participant);
    let (mut outcome, mut validator, mut comment) = (String::new(), String::new(), String::new());
    let (mut event, mut event_date, mut event_time, mut place) =
        (String::new(), String::new(), String::new(), String::new());
    match &action.detail {
        Detail::Decision { outcome: o } => outcome = stage.outcomes[*o].title.clone(),
        Detail::Refused { index } => {
            if let Some(refusal) = instance.and_then(|i| i.refusals.get(*index)) {
                validator = edition.people[refusal.by].name.clone();
                comment = refusal.comment.clone();
            }
        }
        Detail::Invitation {
            event: k, start, ..
        } => {
            let definition = &stage.events[*k];
            let local = start.to_zoned(edition.time_zone.clone());
            event = definition.title.clone();
            event_date = french_date(local.date());
            event_time = french_time(local.time());
            place = definition.place.clone().unwrap_or_default();
        }
        _ => {}
    }
    set("outcome", outcome);
    set("validator", validator);
    set("comment", comment);
    set("event", event);
    set("event_date", event_date);
    set("event_time", event_time);
    set("place", place);
    // Real single-use links come with the daemon; a simulation shows where
    // they go.
    let token = &jalon_message::message_id(&action.key, MAIL_DOMAIN)[1..17];
    set(
        "approve_link",
        format!("http://127.0.0.1:8080/validation/{token}?answer=approve"),
    );
    set(
        "refuse_link",
        format!("http://127.0.0.1:8080/validation/{token}?answer=refuse"),
    );
    vars
}

pub fn render(
    templates: &Templates,
    state: &State,
    action: &Action,
) -> Result<Rendered, TemplateError> {
    let template = &state.edition().templates[action.template].id;
    templates.render(template, &variables(state, action))
}

/// The coordinators answer replies: the first role of kind coordination.
fn reply_to(edition: &Edition) -> Option<Mailbox> {
    use jalon_definition::resolved::RoleKind;
    let role = edition
        .roles
        .iter()
        .find(|r| r.kind == Some(RoleKind::Coordination))?;
    role.members
        .iter()
        .find_map(|&p| mailbox(edition, Recipient::Person(p)))
}

/// Who the programme's emails come from.
pub fn sender(edition: &Edition) -> Mailbox {
    Mailbox {
        name: edition.programme_name.clone(),
        email: format!("programme@{MAIL_DOMAIN}"),
    }
}

/// The whole email for an action, sent at `at`.
pub fn email(
    state: &State,
    action: &Action,
    rendered: Rendered,
    to: Mailbox,
    at: Timestamp,
) -> Email {
    let edition = state.edition();
    let from = sender(edition);
    let invite = match &action.detail {
        Detail::Invitation {
            event,
            sequence,
            start,
            end,
        } => {
            let stage = &edition.stages[action.stage];
            let definition = &stage.events[*event];
            Some(Invite {
                uid: format!(
                    "{}.{}.{}@{MAIL_DOMAIN}",
                    edition.id, stage.id, definition.id
                ),
                sequence: *sequence,
                summary: definition.title.clone(),
                description: stage.description.clone(),
                location: definition.place.clone(),
                start: start.to_zoned(edition.time_zone.clone()),
                end: end.to_zoned(edition.time_zone.clone()),
                organizer: reply_to(edition).unwrap_or_else(|| from.clone()),
                attendees: vec![to.clone()],
            })
        }
        _ => None,
    };
    Email {
        idempotency_key: action.key.to_string(),
        date: at.to_zoned(edition.time_zone.clone()),
        from,
        reply_to: reply_to(edition),
        to: vec![to],
        subject: rendered.subject,
        text: rendered.body,
        invite,
    }
}

/// `lun. 25/11/2024 09:00`: short, sortable by eye, in the edition's zone.
pub fn short_local(edition: &Edition, at: Timestamp) -> String {
    const DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
    let local = at.to_zoned(edition.time_zone.clone());
    let day = DAYS[local.weekday().to_monday_zero_offset() as usize];
    format!("{day} {}", local.strftime("%d/%m/%Y %H:%M"))
}
