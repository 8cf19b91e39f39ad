//! One email where one person would get several alike: a validator asked
//! for four roadmaps at once, a coordinator reminded of four laureates'
//! immersions.
//!
//! The rule: messages to the same addressee, of the same kind, about the
//! same stage, due at the same instant, for different participants, whose
//! subjects are the same once the participant is left out, go as one email.
//! It lists each participant under their name, with what their own message
//! says that the others' do not (dates, documents, links and buttons); what
//! all of them say alike (the greeting, the sign-off) is said once.
//! Invitations never merge (each carries its own calendar event).
//!
//! The outbox keeps one row per message: the email's outcome is recorded
//! on each of them at once, and its Message-ID is the first row's (by key),
//! so a retry sends the same email again, never a second one.

use jalon_core::{Action, Detail, MessageKind, Recipient, State};
use jalon_definition::resolved::Language;
use jalon_message::{html_page, text_to_html, Email, Rendered, Templates};
use jiff::Timestamp;

use super::messages;
use crate::links::Links;
use crate::texts::{self, Args};

/// One email, and the messages (outbox rows) it carries: one, or several
/// merged by the rule above, sorted by key.
pub struct Letter {
    pub actions: Vec<Action>,
    pub email: Result<Email, String>,
}

/// What messages have in common to go together.
type Together = (Recipient, MessageKind, usize, Timestamp);

fn together(action: &Action) -> Option<Together> {
    let alone = matches!(
        action.detail,
        Detail::Invitation { .. }
            | Detail::Cancellation { .. }
            | Detail::EventCancelled { .. }
            | Detail::Application { .. }
    );
    (action.participant.is_some() && !alone).then_some((
        action.recipient,
        action.kind,
        action.stage,
        action.due_at,
    ))
}

/// The emails for `actions` (all ready at `now`), in the order of their
/// first message.
pub fn letters(
    state: &State,
    templates: &Templates,
    actions: Vec<Action>,
    now: Timestamp,
    links: Option<&Links>,
) -> Vec<Letter> {
    // Indexed, not searched: a burst may hold 100,000 messages due at once.
    let mut buckets: Vec<Vec<Action>> = Vec::new();
    let mut index: std::collections::HashMap<Together, usize> = std::collections::HashMap::new();
    for action in actions {
        match together(&action) {
            Some(key) => match index.get(&key) {
                Some(&at) => buckets[at].push(action),
                None => {
                    index.insert(key, buckets.len());
                    buckets.push(vec![action]);
                }
            },
            None => buckets.push(vec![action]),
        }
    }
    let mut letters = Vec::new();
    for members in buckets {
        if members.len() == 1 {
            letters.extend(
                members
                    .into_iter()
                    .map(|a| alone(state, templates, a, now, links)),
            );
            continue;
        }
        // Rendered (subject and text), and grouped again by the subject
        // without the participant.
        let mut by_subject: Vec<(String, Vec<(Action, Rendered)>)> = Vec::new();
        for action in members {
            match messages::render_to_merge(templates, state, &action, links) {
                Ok((rendered, generic)) => {
                    match by_subject.iter_mut().find(|(s, _)| *s == generic) {
                        Some((_, group)) => group.push((action, rendered)),
                        None => by_subject.push((generic, vec![(action, rendered)])),
                    }
                }
                Err(e) => letters.push(Letter {
                    actions: vec![action],
                    email: Err(e.to_string()),
                }),
            }
        }
        for (subject, mut group) in by_subject {
            group.sort_by(|a, b| a.0.key.cmp(&b.0.key));
            letters.push(if group.len() == 1 {
                // Alone after all: rendered whole, its HTML with it.
                let (action, _) = group.remove(0);
                alone(state, templates, action, now, links)
            } else {
                merged(state, group, &subject, now)
            });
        }
    }
    letters
}

fn alone(
    state: &State,
    templates: &Templates,
    action: Action,
    now: Timestamp,
    links: Option<&Links>,
) -> Letter {
    let email = messages::render(templates, state, &action, links)
        .map_err(|e| e.to_string())
        .and_then(|rendered| single(state, &action, rendered, now));
    Letter {
        actions: vec![action],
        email,
    }
}

fn single(
    state: &State,
    action: &Action,
    rendered: Rendered,
    now: Timestamp,
) -> Result<Email, String> {
    let to = messages::mailbox(state.edition(), action.recipient)
        .ok_or("the recipient has no email address in the definition")?;
    Ok(messages::email(state, action, rendered, to, now))
}

/// One email for the group (two at least, sorted by key).
fn merged(state: &State, group: Vec<(Action, Rendered)>, subject: &str, now: Timestamp) -> Letter {
    let edition = state.edition();
    let (first, first_rendered) = &group[0];
    let language = match first_rendered.language.as_str() {
        "en" => Language::En,
        _ => Language::Fr,
    };
    let names: Vec<String> = group
        .iter()
        .filter_map(|(a, _)| a.participant)
        .map(|p| edition.participants[p].name.clone())
        .collect();
    let paragraphs: Vec<Vec<&str>> = group
        .iter()
        .map(|(_, r)| {
            r.body
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .collect();
    let (head, tail) = shared_ends(&paragraphs);
    let names_args = Args::new()
        .number("count", group.len())
        .text("names", names_in(language, &names, usize::MAX));
    let mut text = String::new();
    let mut html = String::new();
    let add = |part: &str, text: &mut String, html: &mut String| {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(part);
        html.push_str(&text_to_html(part));
    };
    let first_paragraphs = &paragraphs[0];
    if head + tail == first_paragraphs.len() {
        // Every body says the same (a template that does not name the
        // participant): said once, after its greeting, with whom it is about.
        let about = texts::text(language, "grouped-same", &names_args);
        for (n, paragraph) in first_paragraphs.iter().enumerate() {
            add(paragraph, &mut text, &mut html);
            if n == 0 {
                add(&about, &mut text, &mut html);
            }
        }
    } else {
        for paragraph in &first_paragraphs[..head] {
            add(paragraph, &mut text, &mut html);
        }
        add(
            &texts::text(language, "grouped-intro", &names_args),
            &mut text,
            &mut html,
        );
        for (name, own) in names.iter().zip(&paragraphs) {
            text.push_str(&format!("\n\n■ {name}"));
            html.push_str(&format!(
                "<h2 style=\"margin:24px 0 8px 0;font-size:18px;line-height:1.3;\">{}</h2>\n",
                jalon_message::escape(name)
            ));
            let middle = own[head..own.len() - tail].join("\n\n");
            if !middle.is_empty() {
                add(&middle, &mut text, &mut html);
            }
        }
        for paragraph in &first_paragraphs[first_paragraphs.len() - tail..] {
            add(paragraph, &mut text, &mut html);
        }
    }
    text.push('\n');
    let subject = format!("{} — {subject}", names_in(language, &names, 3));
    let actions: Vec<Action> = group.iter().map(|(a, _)| a.clone()).collect();
    let email = messages::mailbox(edition, first.recipient)
        .ok_or_else(|| "the recipient has no email address in the definition".to_owned())
        .map(|to| {
            let mut email = messages::email(
                state,
                first,
                Rendered {
                    html: html_page(&html, Some(language.as_str()), &subject),
                    subject,
                    body: text,
                    language: language.as_str().to_owned(),
                },
                to,
                now,
            );
            // Each participant's own thread stays with their own messages.
            email.thread = None;
            // Names and Jalon's own lines are not typeset yet.
            email.typeset = false;
            email
        });
    Letter { actions, email }
}

/// How many paragraphs open and close every body alike (the greeting, the
/// sign-off), never overlapping.
fn shared_ends(bodies: &[Vec<&str>]) -> (usize, usize) {
    let shortest = bodies.iter().map(Vec::len).min().unwrap_or(0);
    let alike = |at: &dyn Fn(&[&str]) -> usize| {
        let first = bodies[0][at(&bodies[0])];
        bodies.iter().all(|b| b[at(b)] == first)
    };
    let head = (0..shortest).take_while(|&i| alike(&|_| i)).count();
    let tail = (0..shortest - head)
        .take_while(|&i| alike(&|b| b.len() - 1 - i))
        .count();
    (head, tail)
}

/// « A, B et C », or « A, B et 3 autres » past `shown` names.
fn names_in(language: Language, names: &[String], shown: usize) -> String {
    let and = texts::plain(language, "grouped-and");
    if names.len() > shown {
        let others = texts::text(
            language,
            "grouped-others",
            &Args::new().number("count", names.len() - (shown - 1)),
        );
        return format!("{} {and} {others}", names[..shown - 1].join(", "));
    }
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_openings_and_closings_are_found_without_overlap() {
        let a = vec!["Bonjour Léa,", "Atchoum : lundi", "Bien à vous"];
        let b = vec!["Bonjour Léa,", "Papoto : mardi", "Bien à vous"];
        assert_eq!(shared_ends(&[a.clone(), b]), (1, 1));
        assert_eq!(shared_ends(&[a.clone(), a.clone()]), (3, 0));
        let c = vec!["Bonjour Léa,"];
        assert_eq!(shared_ends(&[a, c]), (1, 0));
    }

    #[test]
    fn names_are_listed_then_counted() {
        let names: Vec<String> = ["Atchoum", "Papoto", "CDIET", "Duo"]
            .map(String::from)
            .to_vec();
        assert_eq!(names_in(Language::Fr, &names[..1], 3), "Atchoum");
        assert_eq!(
            names_in(Language::Fr, &names[..3], 3),
            "Atchoum, Papoto et CDIET"
        );
        assert_eq!(
            names_in(Language::Fr, &names, 3),
            "Atchoum, Papoto et 2 autres"
        );
        assert_eq!(
            names_in(Language::En, &names, 3),
            "Atchoum, Papoto and 2 others"
        );
    }
}
