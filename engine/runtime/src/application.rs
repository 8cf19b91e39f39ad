//! Applications to a call at the runtime's edge: the new candidate's id,
//! the recording, and an application's words in emails and pages.

use std::sync::Arc;

use jalon_core::{Action, Application, Channel, Detail, Event, EventKind, Same, State};
use jalon_definition::resolved::{Call, Edition, Language, QuestionKind};
use jalon_store::{Recorded, Store};
use jiff::Timestamp;

use crate::record::RecordError;
use crate::replay::replay;
use crate::texts::{text, Args};

/// The longest id made from a name: enough to tell projects apart in a
/// list, short enough for an address.
const LONGEST_ID: usize = 40;

/// An id for a new candidate, from their project's name ("L'Atelier
/// Zoé" → `l-atelier-zoe`), numbered when already taken.
pub fn participant_id(state: &State, name: &str) -> String {
    let mut base = String::new();
    for c in deunicode::deunicode(name).to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.ends_with('-') && !base.is_empty() {
            base.push('-');
        }
        if base.len() >= LONGEST_ID {
            break;
        }
    }
    let base = base.trim_matches('-');
    let base = if base.is_empty() { "candidature" } else { base };
    let taken = |id: &str| state.ids().participants.contains_key(id);
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .unwrap_or_default()
}

/// Records an application as a new candidate, under an id chosen against
/// the log as it stands (two applicants with one name get two ids).
pub fn record_application<S: Store>(
    store: &mut S,
    edition: &Arc<Edition>,
    application: Application,
    by: &str,
    channel: Channel,
    now: Timestamp,
) -> Result<(Recorded, String), RecordError> {
    let mut chosen = String::new();
    let recorded = store.record(&edition.id, |history| {
        let state = replay(edition.clone(), history).map_err(RecordError::Orphaned)?;
        chosen = participant_id(&state, &application.name);
        let event = Event {
            at: now,
            by: by.to_owned(),
            channel,
            kind: EventKind::Apply {
                participant: chosen.clone(),
                application: application.clone(),
            },
        };
        crate::record::decide_on(edition, history, &event)
    })??;
    Ok((recorded, chosen))
}

/// An application's fields and answers as a reader sees them: label and
/// value, in the form's order, empty answers left out.
pub fn summary(
    edition: &Edition,
    call: &Call,
    application: &Application,
    language: Language,
) -> Vec<(String, String)> {
    let label = |field: &str| text(language, &format!("call-field-{field}"), &Args::new());
    let mut out = vec![
        (label("name"), application.name.clone()),
        (label("organisation"), application.organisation.clone()),
        (label("description"), application.description.clone()),
    ];
    if let Some(theme) = &application.theme {
        let title = edition
            .themes
            .iter()
            .find(|t| &t.id == theme)
            .map_or_else(|| theme.clone(), |t| t.title.clone());
        out.push((label("theme"), title));
    }
    for question in &call.questions {
        let Some(answer) = application.answers.get(&question.id) else {
            continue;
        };
        let shown = match (question.kind, answer.as_str()) {
            (QuestionKind::YesNo, "yes") => text(language, "call-yes", &Args::new()),
            (QuestionKind::YesNo, "no") => text(language, "call-no", &Args::new()),
            (QuestionKind::Date, date) => date.parse().map_or_else(
                |_| date.to_owned(),
                |d| crate::compose::messages::date_in(language, d),
            ),
            _ => answer.clone(),
        };
        out.push((question.title.clone(), shown));
    }
    out.push((label("contact_name"), application.contact_name.clone()));
    out.push((label("contact_email"), application.contact_email.clone()));
    out
}

/// What a look-alike shares, in words.
pub fn same_words(language: Language, same: Same) -> String {
    let id = match same {
        Same::Organisation => "call-same-organisation",
        Same::Contact => "call-same-contact",
    };
    text(language, id, &Args::new())
}

/// The application variables of a message: its answers and look-alikes.
pub struct Texts {
    pub answers: String,
    pub look_alikes: String,
}

pub fn variables(state: &State, action: &Action, language: Language) -> Texts {
    let edition = state.edition();
    let mut texts = Texts {
        answers: String::new(),
        look_alikes: String::new(),
    };
    let (
        Detail::Application {
            participant,
            revision,
        },
        Some((_, call)),
    ) = (&action.detail, edition.call())
    else {
        return texts;
    };
    let Some(version) = state
        .application(*participant)
        .and_then(|r| r.revisions.get(*revision))
    else {
        return texts;
    };
    let colon = match language {
        Language::Fr => "\u{a0}:",
        Language::En => ":",
    };
    texts.answers = summary(edition, call, &version.application, language)
        .into_iter()
        .map(|(label, value)| format!("{label}{colon} {value}"))
        .collect::<Vec<_>>()
        .join("\n");
    texts.look_alikes = state
        .look_alikes(*participant)
        .into_iter()
        .map(|(p, same)| {
            let other = &edition.participants[p];
            let organisation = other
                .organisation
                .as_deref()
                .map_or_else(String::new, |o| format!(" ({o})"));
            format!(
                "– {}{organisation}{colon} {}",
                other.name,
                same_words(language, same)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    texts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn state() -> State {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/call/appel.yaml");
        let report = jalon_definition::check_paths(&[path], &jalon_definition::Limits::default())
            .expect("readable");
        let (_, edition) = report.editions.into_iter().next().expect("an edition");
        State::new(Arc::new(edition))
    }

    #[test]
    fn an_id_is_made_from_the_name_and_numbered_when_taken() {
        let state = state();
        assert_eq!(participant_id(&state, "Café Zoé & Cie"), "cafe-zoe-cie");
        assert_eq!(
            participant_id(&state, "Atelier déjà là"),
            "atelier-deja-la-2"
        );
        assert_eq!(participant_id(&state, "  «  »  "), "candidature");
        assert_eq!(
            participant_id(&state, "東京の助け合い"),
            "dong-jing-nozhu-kehe-i"
        );
    }

    proptest! {
        /// Any name gives an id the definitions would accept, no one's.
        #[test]
        fn any_name_gives_a_free_well_formed_id(name in "\\PC{0,200}") {
            let state = state();
            let id = participant_id(&state, &name);
            prop_assert!(!id.is_empty() && id.len() <= LONGEST_ID + 4, "{id}");
            prop_assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id}");
            prop_assert!(!id.starts_with('-') && !id.ends_with('-'), "{id}");
            prop_assert!(!state.ids().participants.contains_key(&id));
        }
    }
}
