//! From an action to the words of its message: the template variables every
//! message gets, in the language it is written in, the rendered subject and
//! bodies, and the email around them.

use std::collections::BTreeMap;

use jalon_core::{Action, Detail, Recipient, State};
use jalon_definition::resolved::{Edition, Language};
use jalon_message::{
    english_date, english_time, french_date, french_time, Email, Invite, Mailbox, Parts, Rendered,
    TemplateError, Templates, Text,
};
use jiff::civil::{Date, Time};
use jiff::Timestamp;

use crate::links::{Links, ANSWERS};

/// The domain of the placeholder sender address (and so of Message-IDs)
/// when the programme names no `sender`, and of calendar UIDs and link
/// tokens.
pub const MAIL_DOMAIN: &str = "jalon.invalid";

/// Every template of the edition, compiled once: its own text, in the
/// edition's language, and its translations.
pub fn templates(edition: &Edition) -> Result<Templates, TemplateError> {
    let mut templates = Templates::new();
    for template in &edition.templates {
        let own = Text {
            subject: &template.subject,
            body: &template.body,
            html: template.html.as_deref(),
        };
        templates.add(&template.id, edition.language.as_str(), own)?;
        for (language, text) in &template.translations {
            let text = Text {
                subject: &text.subject,
                body: &text.body,
                html: text.html.as_deref(),
            };
            templates.add(&template.id, language.as_str(), text)?;
        }
    }
    Ok(templates)
}

/// The language a person or a participant's contact reads.
pub fn reader_language(edition: &Edition, recipient: Recipient) -> Language {
    match recipient {
        Recipient::Person(p) => edition.people[p].language,
        Recipient::Participant(p) => edition.participants[p].language,
    }
    .unwrap_or(edition.language)
}

/// The language an action's message is written in: its reader's when the
/// template has that translation, else the edition's.
pub fn language(edition: &Edition, action: &Action) -> Language {
    let wanted = reader_language(edition, action.recipient);
    let translated = edition
        .templates
        .get(action.template)
        .is_some_and(|t| t.translations.contains_key(&wanted));
    if translated {
        wanted
    } else {
        edition.language
    }
}

/// A date in words in `language`: « lundi 7 juillet 2025 ».
pub fn date_in(language: Language, date: Date) -> String {
    match language {
        Language::Fr => french_date(date),
        Language::En => english_date(date),
    }
}

/// A time of day in words in `language`: « 9 h 30 ».
pub fn time_in(language: Language, time: Time) -> String {
    match language {
        Language::Fr => french_time(time),
        Language::En => english_time(time),
    }
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

/// The variables templates can use, [`jalon_definition::TEMPLATE_VARIABLES`],
/// with dates in the language of the message. Every message gets all of
/// them (empty when they do not apply), so a template typo is an error
/// everywhere.
pub fn variables(
    state: &State,
    action: &Action,
    links: Option<&Links>,
) -> BTreeMap<String, String> {
    let edition = state.edition();
    let language = language(edition, action);
    let stage = &edition.stages[action.stage];
    let instance = state.instance_of(action.stage, action.participant);
    let window = instance.map_or((stage.start, stage.due), |i| (i.window.start, i.window.due));
    let recipient = mailbox(edition, action.recipient).map_or_else(String::new, |m| m.name);
    let about = match &action.detail {
        Detail::Selection { participant, .. }
        | Detail::Application { participant, .. }
        | Detail::Cancellation { participant, .. } => Some(*participant),
        _ => action.participant,
    };
    let participant = about.map_or_else(String::new, |p| edition.participants[p].name.clone());
    let participant_e = match about {
        Some(p) if edition.participants[p].feminine => "e".to_owned(),
        _ => String::new(),
    };
    let mut vars = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        vars.insert(k.to_owned(), v);
    };
    set("programme", edition.programme_name.clone());
    set("edition", edition.name.clone());
    set("stage", stage.title.clone());
    set("description", stage.description.clone().unwrap_or_default());
    let unknown = instance.is_some_and(|i| i.window.to_be_fixed);
    let known = |day| {
        if unknown {
            String::new()
        } else {
            date_in(language, day)
        }
    };
    set("start", known(window.0));
    set("due", known(window.1));
    let fix_by = stage.to_be_fixed.and_then(|t| t.fix_by).filter(|_| unknown);
    set(
        "fix_by",
        fix_by.map_or_else(String::new, |day| date_in(language, day)),
    );
    let overdue = action.due_at >= jalon_core::time::end_of_day(&edition.time_zone, window.1);
    set(
        "overdue_since",
        if overdue {
            date_in(language, window.1)
        } else {
            String::new()
        },
    );
    let hand_in_by = stage
        .validation
        .as_ref()
        .and_then(|v| v.lead_time)
        .and_then(|lead| {
            lead.negate()
                .apply(edition.calendar_of(action.stage), window.1)
        })
        .map(|day| {
            jalon_core::time::working_day_on_or_before(edition.calendar_of(action.stage), day)
        })
        // Past it already, a message gives the due date only.
        .filter(|day| action.due_at < jalon_core::time::end_of_day(&edition.time_zone, *day));
    set(
        "hand_in_by",
        hand_in_by.map_or_else(String::new, |day| date_in(language, day)),
    );
    set("recipient", recipient);
    set("participant", participant);
    set("participant_e", participant_e);
    let award = about
        .map(|p| edition.participants[p].award)
        .unwrap_or_default();
    let words = |amount: Option<jalon_definition::amount::Amount>| {
        amount.map_or_else(String::new, |a| a.words(language))
    };
    set(
        "amount",
        award.total().map_or_else(String::new, |cents| {
            jalon_definition::amount::total_words(cents, language)
        }),
    );
    set("grant", words(award.grant));
    set("prize", words(award.prize));
    let (mut outcome, mut validator, mut comment) = (String::new(), String::new(), String::new());
    let (mut event, mut event_date, mut event_time, mut place) =
        (String::new(), String::new(), String::new(), String::new());
    let mut former_date = String::new();
    match &action.detail {
        Detail::Decision { outcome: o } => outcome = stage.outcomes[*o].title.clone(),
        Detail::Selection {
            participant,
            retained: false,
        } => {
            // Why they were not retained, when the selection says.
            if let Some(reason) = instance
                .and_then(|i| i.selection.as_ref())
                .and_then(|s| s.reasons.get(participant))
            {
                comment = reason.clone();
            }
        }
        Detail::Refused { index } => {
            if let Some(refusal) = instance.and_then(|i| i.refusals.get(*index)) {
                validator = edition.people[refusal.by].name.clone();
                comment = refusal.comment.clone();
            }
        }
        Detail::Invitation {
            event: k, start, ..
        }
        | Detail::Cancellation {
            event: k, start, ..
        }
        | Detail::EventCancelled {
            event: k, start, ..
        } => {
            let definition = &stage.events[*k];
            let local = start.to_zoned(edition.time_zone.clone());
            event = definition.title.clone();
            let sessions = super::series::sessions(state, action.stage, action.participant, *k);
            event_date = super::series::in_words(language, definition, &sessions)
                .unwrap_or_else(|| date_in(language, local.date()));
            event_time = time_in(language, local.time());
            place = definition.place.clone().unwrap_or_default();
            // A new date (a series': its first session's): the one it
            // replaces, and why.
            if let Some((former, reason)) = instance.and_then(|i| i.postponed_from.as_deref()) {
                let shift = former.start - stage.start;
                let before = definition.held(shift, edition.calendar_of(action.stage));
                if let Some(day) = before.first().map(|o| o.date) {
                    if day != local.date() {
                        former_date = date_in(language, day);
                        comment = reason.clone().unwrap_or_default();
                    }
                }
            }
            // Called off: why, and no new date.
            if matches!(action.detail, Detail::EventCancelled { .. }) {
                former_date.clear();
                comment = instance
                    .and_then(|i| i.cancelled_events.iter().find(|c| c.0 == *k))
                    .and_then(|c| c.2.clone())
                    .unwrap_or_default();
            }
        }
        _ => {}
    }
    if action.kind == jalon_core::MessageKind::ValidationApproved {
        // Who approved, in the order they did.
        if let Some(instance) = instance {
            let names: Vec<&str> = instance
                .approvals
                .iter()
                .map(|(p, _)| edition.people[*p].name.as_str())
                .collect();
            validator = names.join(", ");
        }
    }
    set("outcome", outcome);
    set("validator", validator);
    set("comment", comment);
    set("event", event);
    set("event_date", event_date);
    set("event_time", event_time);
    set("place", place);
    set("former_date", former_date);
    set(
        "event_cancelled",
        match action.detail {
            Detail::EventCancelled { .. } => "yes".to_owned(),
            _ => String::new(),
        },
    );
    let [approve, refuse] = ANSWERS.map(|answer| link(action, links, answer));
    set("approve_link", approve);
    set("refuse_link", refuse);
    set("hand_in_link", hand_in_link(edition, action, links));
    set("jury_link", jury_link(state, action, links));
    let handed = match (&action.detail, instance) {
        (Detail::ValidationRequest { .. }, Some(instance)) => {
            handed_in(language, instance, action, links)
        }
        _ => String::new(),
    };
    set("documents", handed);
    let application = crate::application::variables(state, action, language);
    set("answers", application.answers);
    set("look_alikes", application.look_alikes);
    set("application_link", application_link(action, links));
    set(
        "participant_link",
        match (&action.detail, links) {
            (Detail::Application { participant, .. }, links) => {
                let path = format!(
                    "/editions/{}/participants/{}",
                    edition.id, edition.participants[*participant].id
                );
                links.map_or_else(|| format!("http://127.0.0.1:8080{path}"), |l| l.page(&path))
            }
            _ => String::new(),
        },
    );
    vars
}

/// An application's private page, in its confirmation to the applicant.
fn application_link(action: &Action, links: Option<&Links>) -> String {
    if !crate::links::carries_application(action) {
        return String::new();
    }
    match links {
        Some(links) => links.application_url(&action.key),
        None => {
            let token = &jalon_message::message_id(&action.key, MAIL_DOMAIN)[1..17];
            format!("http://127.0.0.1:8080/a/preview-{token}")
        }
    }
}

/// The pieces of the last hand-in, one per line: what a validator is asked
/// to read, each file with its download address through the request's own
/// link (a placeholder of the same shape in previews).
fn handed_in(
    language: Language,
    instance: &jalon_core::Instance,
    action: &Action,
    links: Option<&Links>,
) -> String {
    let Some(last) = instance.submissions.last() else {
        return String::new();
    };
    let colon = match language {
        Language::Fr => "\u{a0}:",
        Language::En => ":",
    };
    let download = |sha: &str| -> String {
        if !crate::links::carries_links(action) {
            return String::new();
        }
        let path = match links {
            Some(links) => links.page(&format!("/v/{}/documents/{sha}", links.token(&action.key))),
            None => {
                let token = &jalon_message::message_id(&action.key, MAIL_DOMAIN)[1..17];
                format!("http://127.0.0.1:8080/v/preview-{token}/documents/{sha}")
            }
        };
        format!("{colon} {path}")
    };
    last.documents
        .iter()
        .map(|piece| match piece {
            jalon_core::Piece::File {
                name,
                media_type,
                size,
                sha256,
                ..
            } => format!(
                "– {name} ({}, {}){}",
                crate::hand_in::type_word(media_type),
                crate::hand_in::size_words(language, *size),
                download(sha256)
            ),
            jalon_core::Piece::Link { url, .. } => format!("– {url}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The jury's page in the workspace, for a message to one of its jurors
/// (they sign in there by emailed link, and score).
fn jury_link(state: &State, action: &Action, links: Option<&Links>) -> String {
    let edition = state.edition();
    let stage = &edition.stages[action.stage];
    let juror = match (action.recipient, &stage.jury) {
        (Recipient::Person(p), Some(jury)) => state.people_of(&jury.members, None).contains(&p),
        _ => false,
    };
    if !juror {
        return String::new();
    }
    let path = format!("/editions/{}/jury/{}", edition.id, stage.id);
    match links {
        Some(links) => links.page(&path),
        None => format!("http://127.0.0.1:8080{path}"),
    }
}

/// The hand-in page's link, as [`link`] makes validation links.
fn hand_in_link(edition: &Edition, action: &Action, links: Option<&Links>) -> String {
    if !crate::links::carries_hand_in(edition, action) {
        return String::new();
    }
    match links {
        Some(links) => links.hand_in_url(&action.key),
        None => {
            let token = &jalon_message::message_id(&action.key, MAIL_DOMAIN)[1..17];
            format!("http://127.0.0.1:8080/r/preview-{token}")
        }
    }
}

/// The link of a validation request for one answer: a real one when sending
/// (signed with the daemon's key), a placeholder of the same shape in
/// previews and simulations, and nothing in other messages.
fn link(action: &Action, links: Option<&Links>, answer: &str) -> String {
    if !crate::links::carries_links(action) {
        return String::new();
    }
    match links {
        Some(links) => links.url(&action.key, answer),
        None => {
            let token = &jalon_message::message_id(&action.key, MAIL_DOMAIN)[1..17];
            format!("http://127.0.0.1:8080/v/preview-{token}?answer={answer}")
        }
    }
}

pub fn render(
    templates: &Templates,
    state: &State,
    action: &Action,
    links: Option<&Links>,
) -> Result<Rendered, TemplateError> {
    render_with(templates, state, action, variables(state, action, links))
}

/// The message's subject and text, and its subject as if it were about no
/// participant in particular: what several alike messages share and merge
/// (see [`super::grouped`]), without the HTML a merged email does not use.
pub fn render_to_merge(
    templates: &Templates,
    state: &State,
    action: &Action,
    links: Option<&Links>,
) -> Result<(Rendered, String), TemplateError> {
    let mut vars = variables(state, action, links);
    let own = render_parts(templates, state, action, &vars, Parts::Text)?;
    vars.insert("participant".to_owned(), String::new());
    let generic = render_parts(templates, state, action, &vars, Parts::Subject)?;
    Ok((own, generic.subject))
}

/// The action's template rendered with `vars`, in the language `variables`
/// writes dates in.
fn render_with(
    templates: &Templates,
    state: &State,
    action: &Action,
    vars: BTreeMap<String, String>,
) -> Result<Rendered, TemplateError> {
    render_parts(templates, state, action, &vars, Parts::All)
}

fn render_parts(
    templates: &Templates,
    state: &State,
    action: &Action,
    vars: &BTreeMap<String, String>,
    parts: Parts,
) -> Result<Rendered, TemplateError> {
    let edition = state.edition();
    let template = &edition.templates[action.template].id;
    templates.render_parts(template, language(edition, action).as_str(), vars, parts)
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

/// Who the programme's emails come from: its `sender`, else a placeholder
/// address in [`MAIL_DOMAIN`].
pub fn sender(edition: &Edition) -> Mailbox {
    match &edition.sender {
        Some(sender) => Mailbox {
            name: sender.name.clone(),
            email: sender.email.clone(),
        },
        None => Mailbox {
            name: edition.programme_name.clone(),
            email: format!("programme@{MAIL_DOMAIN}"),
        },
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
        }
        | Detail::Cancellation {
            event,
            sequence,
            start,
            end,
            ..
        }
        | Detail::EventCancelled {
            event,
            sequence,
            start,
            end,
        } => {
            let stage = &edition.stages[action.stage];
            let definition = &stage.events[*event];
            let start = start.to_zoned(edition.time_zone.clone());
            let end = end.to_zoned(edition.time_zone.clone());
            // Several days: each from the start's hour to the last day's
            // end hour, as a daily repeat of the first day.
            let days = match definition.length {
                jalon_definition::expr::EventLength::Days(days) => days.max(1),
                jalon_definition::expr::EventLength::Minutes(_) => 1,
            };
            let end = match days {
                1 => end,
                _ => start
                    .date()
                    .to_zoned(edition.time_zone.clone())
                    .ok()
                    .and_then(|day| day.with().time(end.time()).build().ok())
                    .unwrap_or(end),
            };
            let sessions = super::series::sessions(state, action.stage, action.participant, *event);
            // A series: from its rule's first session, moves as exceptions.
            let (start, end, series) =
                match super::series::calendar(definition, &sessions, &start, &end) {
                    Some((start, end, series)) => (start, end, Some(series)),
                    None => (start, end, None),
                };
            Some(Invite {
                series,
                // One participant's event (a session on its file) is not
                // another's: each needs its own place in a calendar.
                uid: match action.participant {
                    Some(p) => format!(
                        "{}.{}.{}.{}@{MAIL_DOMAIN}",
                        edition.id, stage.id, edition.participants[p].id, definition.id
                    ),
                    None => format!(
                        "{}.{}.{}@{MAIL_DOMAIN}",
                        edition.id, stage.id, definition.id
                    ),
                },
                sequence: *sequence,
                summary: definition.title.clone(),
                description: stage.description.clone(),
                location: definition.place.clone(),
                start,
                end,
                days,
                cancelled: matches!(
                    action.detail,
                    Detail::Cancellation { .. } | Detail::EventCancelled { .. }
                ),
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
        html: Some(rendered.html),
        invite,
        thread: thread_of(action),
        list: Some(list_of(edition)),
        language: Some(rendered.language),
        signature: Some(signature(edition)),
        // A template's whole render is typeset (`Templates::render_parts`).
        typeset: true,
    }
}

/// The lines that sign every message of the programme: its sender's name,
/// and the programme's when the sender is someone else (a service).
pub fn signature(edition: &Edition) -> String {
    let from = sender(edition);
    if from.name == edition.programme_name {
        from.name
    } else {
        format!("{}\n{}", edition.programme_name, from.name)
    }
}

/// The key of the first message about the same matter to the same person,
/// which this one follows: the stage's opening notice (to the owners and
/// the participant), or an application's first confirmation. Keys only:
/// the same whether or not that message went.
pub fn thread_of(action: &Action) -> Option<String> {
    let parts = action.key_parts()?;
    let what = match parts.what.split('/').collect::<Vec<_>>().as_slice() {
        ["application", participant, _] => format!("application/{participant}/0"),
        _ => "opened".to_owned(),
    };
    Some(
        jalon_core::ActionKey {
            what: &what,
            ..parts
        }
        .build()
        .to_string(),
    )
}

/// The edition's `List-Id`: its names, and `edition.programme` as the id.
pub fn list_of(edition: &Edition) -> (String, String) {
    let label = |id: &str| id.replace('_', "-");
    (
        format!("{} — {}", edition.programme_name, edition.name),
        format!("{}.{}", label(&edition.id), label(&edition.programme_id)),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::sync::Arc;

    use jalon_message::typography::french;

    use jalon_core::clock::{run_on_time, OnTime};
    use jalon_definition::{Limits, TEMPLATE_VARIABLES};
    use jalon_message::to_eml;

    use super::*;

    #[test]
    fn a_message_follows_the_first_about_its_matter_to_the_same_person() {
        let action = |key: &str, participant: Option<usize>, detail: Detail| Action {
            key: key.into(),
            kind: jalon_core::MessageKind::Reminder,
            due_at: jiff::Timestamp::UNIX_EPOCH,
            expires_at: None,
            stage: 0,
            participant,
            recipient: Recipient::Person(0),
            template: 0,
            detail,
        };
        let reminder = action(
            "e/feuille/atelier/reminder/0/person:ana",
            Some(0),
            Detail::None,
        );
        assert_eq!(
            thread_of(&reminder).as_deref(),
            Some("e/feuille/atelier/opened/person:ana")
        );
        let second = action(
            "e/appel/application/cafe-zoe/2/contact:cafe-zoe",
            None,
            Detail::None,
        );
        assert_eq!(
            thread_of(&second).as_deref(),
            Some("e/appel/application/cafe-zoe/0/contact:cafe-zoe")
        );
    }

    /// The shipped 2024-2025 edition, checked.
    fn edition() -> Edition {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../definitions/editions/2024-2025.yaml");
        let report = jalon_definition::check_paths(&[path], &Limits::default()).expect("readable");
        assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);
        report.editions.into_iter().next().expect("an edition").1
    }

    /// Every message of the on-time year, through `see`.
    fn each_message(edition: Edition, mut see: impl FnMut(&State, &Action)) {
        let mut state = State::new(Arc::new(edition));
        run_on_time(&mut state, &OnTime::default(), |state, action| {
            see(state, action);
        });
    }

    fn participant(edition: &Edition, id: &str) -> usize {
        edition
            .participants
            .iter()
            .position(|p| p.id == id)
            .expect("participant")
    }

    #[test]
    fn a_validation_request_for_work_handed_in_late_says_since_when() {
        let edition = edition();
        let templates = templates(&edition).expect("templates");
        let mut state = State::new(Arc::new(edition));
        let diagnostic = state.ids().stages["diagnostic"];
        let due = state
            .instance_of(diagnostic, None)
            .expect("an instance")
            .window
            .due;
        // Handed in three days after the due date.
        let late = jalon_core::time::local(
            &state.edition().time_zone,
            due.checked_add(jiff::ToSpan::days(3)).expect("a date"),
            jiff::civil::Time::constant(10, 0, 0, 0),
        );
        state
            .apply(&jalon_core::Event {
                at: late,
                by: "serge-dobel".into(),
                channel: jalon_core::Channel::Cli,
                kind: jalon_core::EventKind::Complete {
                    stage: "diagnostic".into(),
                    participant: None,
                    comment: None,
                    documents: Vec::new(),
                },
            })
            .expect("handed in");
        let mut requests = Vec::new();
        jalon_core::clock::deliver_until(&mut state, late, |_, action| {
            if action.kind == jalon_core::MessageKind::ValidationRequest {
                requests.push(action.clone());
            }
        });
        let request = requests.first().expect("a validation request");
        let words = date_in(Language::Fr, due);
        assert_eq!(variables(&state, request, None)["overdue_since"], words);
        let rendered = render(&templates, &state, request, None).expect("rendered");
        assert!(
            rendered
                .subject
                .starts_with(&french(&format!("En retard depuis le {words}, à valider"))),
            "{}",
            rendered.subject
        );
        assert!(rendered.body.contains("est passée"), "{}", rendered.body);
    }

    #[test]
    fn a_two_day_seminar_is_two_days_of_its_hours() {
        let edition = edition();
        let templates = templates(&edition).expect("templates");
        let mut invites = Vec::new();
        each_message(edition, |state, action| {
            if action.kind != jalon_core::MessageKind::SeminarInvitation || !invites.is_empty() {
                return;
            }
            let rendered = render(&templates, state, action, None).expect("rendered");
            let to = mailbox(state.edition(), action.recipient).expect("an address");
            let email = email(state, action, rendered, to, action.due_at);
            if let Some(invite) = email.invite.filter(|i| i.summary.contains("lancement")) {
                invites.push(invite);
            }
        });
        let invite = invites.first().expect("the launch seminar's invitation");
        assert_eq!(invite.days, 2);
        assert_eq!(invite.start.date(), invite.end.date(), "one day's hours");
        assert_eq!(
            (invite.start.time().hour(), invite.end.time().hour()),
            (9, 17)
        );
    }

    #[test]
    fn a_postponed_seminar_says_its_new_date_the_former_and_why() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/smtp/smtp.yaml");
        let report = jalon_definition::check_paths(&[path], &Limits::default()).expect("readable");
        let (_, fixture) = report.editions.into_iter().next().expect("an edition");
        let mut state = State::new(Arc::new(fixture));
        let tz = state.edition().time_zone.clone();
        let at = |day: i8| {
            jalon_core::time::local(
                &tz,
                jiff::civil::date(2025, 3, day),
                jiff::civil::Time::constant(10, 0, 0, 0),
            )
        };
        jalon_core::clock::deliver_until(&mut state, at(4), |_, _| {});
        state
            .apply(&jalon_core::Event {
                at: at(4),
                by: "ana".into(),
                channel: jalon_core::Channel::Cli,
                kind: jalon_core::EventKind::Postpone {
                    stage: "lancement".into(),
                    participant: None,
                    start: Some(jiff::civil::date(2025, 3, 17)),
                    due: None,
                    reason: Some("Salle indisponible".into()),
                },
            })
            .expect("postponed");
        let mut invitations = Vec::new();
        jalon_core::clock::deliver_until(&mut state, at(5), |_, action| {
            if let Detail::Invitation { sequence: 1, .. } = action.detail {
                invitations.push(action.clone());
            }
        });
        let invitation = invitations.first().expect("a new invitation");
        let vars = variables(&state, invitation, None);
        assert_eq!(vars["former_date"], "lundi 10 mars 2025");
        assert_eq!(vars["event_date"], "lundi 24 mars 2025");
        assert_eq!(vars["comment"], "Salle indisponible");
        // In the programme's words.
        let programme = templates(&edition()).expect("templates");
        let rendered = programme
            .render("invitation", "fr", &vars)
            .expect("rendered");
        assert!(
            rendered.subject.starts_with("Nouvelle date"),
            "{}",
            rendered.subject
        );
        assert!(
            rendered
                .body
                .contains(&french("au lieu du lundi 10 mars 2025")),
            "{}",
            rendered.body
        );
        assert!(
            rendered
                .body
                .contains(&french("Motif : Salle indisponible")),
            "{}",
            rendered.body
        );
    }

    #[test]
    fn a_withdrawal_sends_the_cancellation_of_the_invitation_received() {
        // The delivery fixture, with a template for cancellations.
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/smtp/smtp.yaml"),
        )
        .expect("the fixture")
        .replace(
            "messages:\n",
            "messages:\n  invitation_cancelled: annulation\n",
        )
        .replace(
            "templates:\n",
            "templates:\n  - id: annulation\n    subject: \"Annulé : {{ event }}\"\n    body: \"{{ participant }} : {{ event_date }}\"\n",
        );
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("smtp.yaml");
        std::fs::write(&path, text).expect("written");
        let report = jalon_definition::check_paths(&[path], &Limits::default()).expect("readable");
        assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);
        let (_, fixture) = report.editions.into_iter().next().expect("an edition");
        let templates = templates(&fixture).expect("templates");
        let mut state = State::new(Arc::new(fixture));
        let tz = state.edition().time_zone.clone();
        let at = jalon_core::time::local(
            &tz,
            jiff::civil::date(2025, 3, 4),
            jiff::civil::Time::constant(10, 0, 0, 0),
        );
        jalon_core::clock::deliver_until(&mut state, at, |_, _| {});
        state
            .apply(&jalon_core::Event {
                at,
                by: "ana".into(),
                channel: jalon_core::Channel::Cli,
                kind: jalon_core::EventKind::Withdraw {
                    participant: "p1".into(),
                    reason: None,
                },
            })
            .expect("withdrawn");
        let mut cancelled = Vec::new();
        jalon_core::clock::deliver_until(&mut state, at, |_, action| {
            if action.kind == jalon_core::MessageKind::InvitationCancelled {
                cancelled.push(action.clone());
            }
        });
        assert_eq!(cancelled.len(), 1, "{cancelled:#?}");
        let action = &cancelled[0];
        let rendered = render(&templates, &state, action, None).expect("rendered");
        assert!(rendered.body.starts_with("Atelier Un"), "{}", rendered.body);
        let to = mailbox(state.edition(), action.recipient).expect("an address");
        assert_eq!(to.email, "un@example.org");
        let email = email(&state, action, rendered, to, at);
        let invite = email.invite.clone().expect("a calendar part");
        assert!(invite.cancelled && invite.sequence == 1, "{invite:?}");
        let bytes = to_eml(&email, MAIL_DOMAIN).expect("an email");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("method=CANCEL"), "{text}");
        assert!(text.contains("METHOD:CANCEL"), "{text}");
    }

    #[test]
    fn variables_are_exactly_the_ones_the_checker_knows() {
        let known: BTreeSet<&str> = TEMPLATE_VARIABLES.iter().copied().collect();
        assert_eq!(known.len(), TEMPLATE_VARIABLES.len(), "no duplicates");
        let mut kinds = BTreeSet::new();
        each_message(edition(), |state, action| {
            let vars = variables(state, action, None);
            let keys: BTreeSet<&str> = vars.keys().map(String::as_str).collect();
            assert_eq!(keys, known, "{}", action.key);
            // On time, nothing is overdue.
            assert_eq!(vars["overdue_since"], "", "{}", action.key);
            assert_eq!(vars["former_date"], "", "{}", action.key);
            kinds.insert(action.kind);
        });
        // An on-time year: no refusal, escalation or rejection, but the rest.
        assert!(kinds.len() >= 6, "{kinds:?}");
    }

    #[test]
    fn a_reader_of_english_gets_the_translation_and_english_dates() {
        let mut edition = edition();
        let atchoum = participant(&edition, "atchoum");
        edition.participants[atchoum].language = Some(Language::En);
        let templates = templates(&edition).expect("templates compile");
        let (mut english, mut french) = (0, 0);
        each_message(edition, |state, action| {
            let rendered = render(&templates, state, action, None).expect("renders");
            if action.recipient == Recipient::Participant(atchoum) {
                english += 1;
                assert_eq!(rendered.language, "en");
                assert!(rendered.body.starts_with("Hello "), "{}", rendered.body);
                assert!(rendered.html.contains("<html lang=\"en\">"));
                let due = &variables(state, action, None)["due"];
                assert!(due.contains(" 20"), "{due}");
                assert!(
                    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
                        .iter()
                        .any(|d| due.starts_with(d)),
                    "{due}"
                );
            } else {
                french += 1;
                assert_eq!(rendered.language, "fr");
                assert!(rendered.body.starts_with("Bonjour "), "{}", rendered.body);
            }
        });
        assert!(english > 5 && french > 50, "{english} {french}");
    }

    #[test]
    fn a_reminder_gives_the_day_to_hand_in_by_for_the_validators_lead_time() {
        let edition = edition();
        let templates = templates(&edition).expect("templates");
        let mut checked = 0;
        each_message(edition, |state, action| {
            let stage = &state.edition().stages[action.stage];
            if action.kind != jalon_core::MessageKind::Reminder || stage.id != "diagnostic" {
                return;
            }
            // Due Monday 15 July 2024, 10 working days for the validators.
            let vars = variables(state, action, None);
            assert_eq!(vars["due"], "lundi 15 juillet 2024");
            assert_eq!(vars["hand_in_by"], "lundi 1er juillet 2024");
            let rendered = render(&templates, state, action, None).expect("rendered");
            assert!(
                rendered
                    .subject
                    .ends_with(&french("à rendre le lundi 1er juillet 2024")),
                "{}",
                rendered.subject
            );
            assert!(
                rendered
                    .body
                    .contains(&french("avant l'échéance du lundi 15 juillet 2024")),
                "{}",
                rendered.body
            );
            checked += 1;
        });
        assert!(checked > 0);
    }

    #[test]
    fn a_feminine_participant_gets_its_agreement() {
        let mut edition = edition();
        let atchoum = participant(&edition, "atchoum");
        edition.participants[atchoum].feminine = true;
        let (mut feminine, mut others) = (0, 0);
        each_message(edition, |state, action| {
            let vars = variables(state, action, None);
            let e = vars["participant_e"].clone();
            // Every message that names them agrees with them; no other.
            if vars["participant"] == state.edition().participants[atchoum].name {
                assert_eq!(e, "e", "{}", action.key);
                feminine += 1;
            } else {
                assert_eq!(e, "", "{}", action.key);
                others += 1;
            }
        });
        assert!(feminine > 5 && others > 50, "{feminine} {others}");
    }

    #[test]
    fn a_participant_s_amounts_are_in_its_messages_in_their_language() {
        use jalon_definition::amount::Amount;
        use jalon_definition::resolved::Award;
        let mut edition = edition();
        let atchoum = participant(&edition, "atchoum");
        let alternoo = participant(&edition, "alternoo");
        let euros = |cents| Amount::from_cents(cents).expect("in bounds");
        edition.participants[atchoum].award = Award {
            grant: Some(euros(2_500_050)),
            prize: Some(euros(300_000)),
        };
        edition.participants[alternoo].award = Award {
            grant: Some(euros(1_200_000)),
            prize: None,
        };
        edition.participants[alternoo].language = Some(Language::En);
        for template in &mut edition.templates {
            template
                .body
                .push_str("\n\nMontant : {{ amount }} ({{ grant }} + {{ prize }}).");
            for text in template.translations.values_mut() {
                text.body
                    .push_str("\n\nAmount: {{ amount }} ({{ grant }} + {{ prize }}).");
            }
        }
        let templates = templates(&edition).expect("templates compile");
        let (mut french_seen, mut english_seen, mut others) = (0, 0, 0);
        each_message(edition, |state, action| {
            let rendered = render(&templates, state, action, None).expect("renders");
            let vars = variables(state, action, None);
            let named = &vars["participant"];
            if *named == state.edition().participants[atchoum].name {
                assert!(
                    rendered.body.ends_with(
                        "Montant\u{a0}: 28\u{202f}000,50\u{a0}€ \
                         (25\u{202f}000,50\u{a0}€ + 3\u{202f}000\u{a0}€)."
                    ),
                    "{}",
                    rendered.body
                );
                french_seen += 1;
            } else if *named == state.edition().participants[alternoo].name
                && rendered.language == "en"
            {
                assert!(
                    rendered.body.ends_with("Amount: €12,000 (€12,000 + )."),
                    "{}",
                    rendered.body
                );
                english_seen += 1;
            } else if named.is_empty() {
                // A message about no participant carries no amount.
                assert_eq!(vars["amount"], "", "{}", action.key);
                others += 1;
            }
        });
        assert!(
            french_seen > 3 && english_seen > 3 && others > 10,
            "{french_seen} {english_seen} {others}"
        );
    }

    #[test]
    fn without_the_translation_the_french_text_keeps_french_dates() {
        let mut edition = edition();
        let atchoum = participant(&edition, "atchoum");
        edition.participants[atchoum].language = Some(Language::En);
        for template in &mut edition.templates {
            template.translations.clear();
        }
        let templates = templates(&edition).expect("templates compile");
        let mut seen = 0;
        each_message(edition, |state, action| {
            if action.recipient != Recipient::Participant(atchoum) {
                return;
            }
            seen += 1;
            let rendered = render(&templates, state, action, None).expect("renders");
            assert_eq!(rendered.language, "fr");
            assert!(rendered.body.starts_with("Bonjour "));
            let due = &variables(state, action, None)["due"];
            assert!(
                ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
                    .iter()
                    .any(|d| due.starts_with(d)),
                "{due}"
            );
        });
        assert!(seen > 5);
    }

    #[test]
    fn emails_come_from_the_programme_sender_with_message_ids_in_its_domain() {
        let mut edition = edition();
        let from = sender(&edition);
        assert_eq!(from.email, "experimentations-sociales@valdoise.example");
        assert_eq!(from.name, "Expérimentations sociales Val d'Oise");
        let templates = templates(&edition).expect("templates compile");
        let mut first = None;
        each_message(edition.clone(), |state, action| {
            if first.is_none() {
                let to = mailbox(state.edition(), action.recipient).expect("an address");
                let rendered = render(&templates, state, action, None).expect("renders");
                let email = email(state, action, rendered, to, action.due_at);
                assert_eq!(email.from, from);
                // The coordination answers.
                assert_eq!(
                    email.reply_to.as_ref().map(|r| r.email.as_str()),
                    Some("serge.dobel@example.org")
                );
                let bytes = to_eml(&email, MAIL_DOMAIN).expect("builds");
                let text = String::from_utf8_lossy(&bytes).into_owned();
                first = Some(text);
            }
        });
        let text = first.expect("a message");
        assert!(text.contains("@valdoise.example>\r\n"), "{text}");
        assert!(!text.contains(MAIL_DOMAIN));

        // Without a sender: the placeholder, as before.
        edition.sender = None;
        assert_eq!(sender(&edition).email, format!("programme@{MAIL_DOMAIN}"));
    }
}
