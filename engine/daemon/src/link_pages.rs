//! The validation-link pages, in French or English: the person's language
//! when known, both when it is not (a forged token says nothing about who
//! holds it). The words are the `link-…` messages of `texts` (pages.ftl);
//! the markup stays here, and every text is escaped before it is wrapped.

use jalon_definition::resolved::{Edition, Language};
use jalon_message::{english_date_time, french_date_time};
use jalon_runtime::texts::{plain, text, Args};
use jiff::Timestamp;

use super::response::{escape, page};

/// What a link is about, as the page shows it.
pub struct View {
    pub language: Language,
    pub person: String,
    pub programme: String,
    pub edition: String,
    pub stage: String,
    pub description: Option<String>,
    pub participant: Option<String>,
    pub deliverables: Vec<(String, Option<String>)>,
    /// What was handed in last (its files downloaded through the link),
    /// and the word that came with it: (who, comment).
    pub handed: Vec<jalon_core::Piece>,
    pub handed_note: Option<(String, String)>,
    /// When the work was submitted, if it awaits validation.
    pub since: Option<String>,
    pub expires: String,
}

/// The answers, as the form sends them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Approve,
    Refuse,
}

impl Answer {
    pub fn parse(text: &str) -> Option<Answer> {
        match text {
            "approve" => Some(Answer::Approve),
            "refuse" => Some(Answer::Refuse),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Approve => "approve",
            Answer::Refuse => "refuse",
        }
    }

    fn noun(self, language: Language) -> String {
        let id = match self {
            Answer::Approve => "link-answer-approve",
            Answer::Refuse => "link-answer-refuse",
        };
        plain(language, id)
    }
}

/// A local date and time in the edition's zone, in words.
pub fn when(edition: &Edition, language: Language, at: Timestamp) -> String {
    let local = at.to_zoned(edition.time_zone.clone());
    match language {
        Language::Fr => french_date_time(&local),
        Language::En => english_date_time(&local),
    }
}

/// A page in French then English, for a link whose holder is unknown:
/// `{id}-title` and `{id}` in both languages.
fn both(id: &str) -> String {
    let title_id = format!("{id}-title");
    let title = format!(
        "{} — {}",
        plain(Language::Fr, &title_id),
        plain(Language::En, &title_id)
    );
    page(
        Language::Fr.as_str(),
        &title,
        &format!(
            "<h1>{}</h1>\n<p>{}</p>\n<p lang=\"{}\">{}</p>",
            escape(&title),
            escape(&plain(Language::Fr, id)),
            Language::En.as_str(),
            escape(&plain(Language::En, id))
        ),
    )
}

pub fn unknown() -> String {
    both("link-unknown")
}

pub fn unknown_hand_in() -> String {
    both("link-unknown-hand-in")
}

pub fn unknown_document() -> String {
    both("document-unknown")
}

pub fn not_running() -> String {
    both("link-not-running")
}

pub fn trouble() -> String {
    both("link-trouble")
}

/// One page about a link, with the heading naming its stage: the words of
/// `{id}-title` above `body`.
fn about(view: &View, id: &str, body: &str) -> String {
    let language = view.language.as_str();
    let title = plain(view.language, &format!("{id}-title"));
    let heading = format!("{title} — {}", view.stage);
    let mut html = format!("<h1>{}</h1>\n", escape(&heading));
    html.push_str(&format!(
        "<p class=\"muted\">{} — {}</p>\n",
        escape(&view.programme),
        escape(&view.edition)
    ));
    html.push_str(body);
    page(language, &heading, &html)
}

pub fn expired(view: &View) -> String {
    let args = Args::new().text("expires", &view.expires);
    let words = text(view.language, "link-expired", &args);
    about(view, "link-expired", &para(&words))
}

pub fn stale(view: &View) -> String {
    let words = plain(view.language, "link-stale");
    about(view, "link-stale", &para(&words))
}

/// A second use: what was recorded, by whom, when.
pub fn already(view: &View, answer: &str, at: &str) -> String {
    let l = view.language;
    // An answer this version does not know is shown as it was stored.
    let noun = Answer::parse(answer).map_or_else(|| answer.to_owned(), |a| a.noun(l));
    let args = Args::new().text("at", at).text("answer", noun);
    let words = text(l, "link-already", &args);
    about(view, "link-already", &para(&words))
}

/// The core refused the answer: its reason, and that nothing changed.
pub fn refused(view: &View, reason: &str) -> String {
    let l = view.language;
    let body = format!(
        "<p class=\"error\">{}</p>\n<p>{}</p>",
        escape(&plain(l, "link-refused-lead")),
        escape(reason),
    ) + &para(&plain(l, "link-refused-nothing"));
    about(view, "link-refused", &body)
}

pub fn recorded(view: &View, answer: Answer, seq: i64) -> String {
    let l = view.language;
    // The sequence number as text: a reference, not a quantity to format.
    let args = Args::new()
        .text("person", &view.person)
        .text("answer", answer.noun(l))
        .text("seq", seq.to_string());
    let words = text(l, "link-recorded", &args);
    about(view, "link-recorded", &para(&words))
}

/// The confirmation page: what is to be validated, and the two buttons.
/// `error` is shown above the form (a refusal without comment).
pub fn form(
    view: &View,
    token: &str,
    preselect: Option<Answer>,
    comment: &str,
    error: Option<&str>,
) -> String {
    let l = view.language;
    let greeting = Args::new().text("person", &view.person);
    let mut body = para(&text(l, "link-form-greeting", &greeting));
    body.push_str("<table>\n");
    let mut row = |label_id: &str, value: &str| {
        body.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            escape(&plain(l, label_id)),
            escape(value)
        ));
    };
    row("link-form-stage", &view.stage);
    if let Some(participant) = &view.participant {
        row("link-form-participant", participant);
    }
    if let Some(since) = &view.since {
        row("link-form-submitted", since);
    }
    body.push_str("</table>\n");
    if let Some(description) = &view.description {
        body.push_str(&para(description));
    }
    if !view.deliverables.is_empty() {
        body.push_str(&para(&plain(l, "link-form-to-approve")));
        body.push_str("<ul>\n");
        for (title, description) in &view.deliverables {
            let text = match description {
                Some(d) => format!("{title} — {d}"),
                None => title.clone(),
            };
            body.push_str(&format!("<li>{}</li>\n", escape(&text)));
        }
        body.push_str("</ul>\n");
    }
    if !view.handed.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n",
            escape(&plain(l, "link-form-handed"))
        ));
        body.push_str(&crate::workspace::pieces(l, &view.handed, &|sha| {
            format!("/v/{token}/documents/{sha}")
        }));
    }
    if let Some((who, comment)) = &view.handed_note {
        let args = Args::new().text("who", who).text("comment", comment);
        body.push_str(&para(&text(l, "link-form-handed-note", &args)));
    }
    if let Some(error) = error {
        body.push_str(&format!("<p class=\"error\">{}</p>\n", escape(error)));
    }
    let refuse_first = preselect == Some(Answer::Refuse);
    let class = |primary: bool| if primary { " class=\"primary\"" } else { "" };
    body.push_str(&format!(
        "<form method=\"post\" action=\"{token}\">\n\
         <p><label for=\"comment\">{label}</label><br>\n\
         <textarea id=\"comment\" name=\"comment\" rows=\"5\" maxlength=\"{max}\"{focus}>{comment}</textarea></p>\n\
         <p><button type=\"submit\" name=\"answer\" value=\"approve\"{approve_class}>{approve}</button>\n\
         <button type=\"submit\" name=\"answer\" value=\"refuse\"{refuse_class}>{refuse}</button></p>\n\
         </form>\n",
        token = escape(token),
        label = escape(&plain(l, "link-form-comment")),
        max = super::link_routes::LONGEST_COMMENT,
        focus = if refuse_first { " autofocus" } else { "" },
        comment = escape(comment),
        approve_class = class(!refuse_first),
        refuse_class = class(refuse_first),
        approve = escape(&plain(l, "link-form-approve")),
        refuse = escape(&plain(l, "link-form-refuse")),
    ));
    let note = text(
        l,
        "link-form-note",
        &Args::new().text("expires", &view.expires),
    );
    body.push_str(&format!("<p class=\"muted\">{}</p>", escape(&note)));
    about(view, "link-form", &body)
}

fn para(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> View {
        View {
            language: Language::Fr,
            person: "Véra <b>".into(),
            programme: "P".into(),
            edition: "E".into(),
            stage: "Feuille \"de\" route".into(),
            description: None,
            participant: Some("<script>x</script>".into()),
            deliverables: vec![("Note".into(), Some("a & b".into()))],
            handed: Vec::new(),
            handed_note: None,
            since: None,
            expires: "lundi 1er juin 2026 à 09 h 00".into(),
        }
    }

    #[test]
    fn the_form_escapes_every_value_and_keeps_the_comment() {
        let html = form(&view(), "tok", Some(Answer::Refuse), "</textarea><b>", None);
        assert!(!html.contains("<script>x"), "{html}");
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(html.contains("Véra &lt;b&gt;"));
        assert!(html.contains("Feuille &quot;de&quot; route"));
        assert!(html.contains("&lt;/textarea&gt;&lt;b&gt;</textarea>"));
        assert!(html.contains("Note — a &amp; b"));
        // Refusal preselected: its button is the primary one.
        assert!(
            html.contains("value=\"refuse\" class=\"primary\""),
            "{html}"
        );
        assert!(html.contains("<html lang=\"fr\">"));
    }

    #[test]
    fn a_second_use_says_what_was_recorded_and_when_in_the_readers_language() {
        let mut view = view();
        let html = already(&view, "approve", "jeudi 12 juin 2025 à 09 h 00");
        assert!(
            html.contains("déjà été enregistrée par vous le jeudi 12 juin 2025"),
            "{html}"
        );
        view.language = Language::En;
        let html = already(&view, "refuse", "Thursday 12 June 2025 at 9:00 am");
        assert!(
            html.contains("already recorded by you on Thursday"),
            "{html}"
        );
        assert!(html.contains("request for changes"));
    }

    #[test]
    fn a_link_without_a_known_holder_speaks_both_languages() {
        let html = unknown();
        assert!(
            html.contains("<h1>Lien inconnu — Unknown link</h1>"),
            "{html}"
        );
        assert!(html.contains("<p>Ce lien de validation n’est pas valide"));
        assert!(html.contains("<p lang=\"en\">This approval link is not valid"));
        assert!(html.contains("<html lang=\"fr\">"));
    }

    #[test]
    fn the_answer_recorded_names_the_person_escaped_and_its_number() {
        let mut view = view();
        let html = recorded(&view, Answer::Refuse, 12345);
        assert!(
            html.contains(
                "Merci, Véra &lt;b&gt;. Votre demande de modifications est enregistrée (n° 12345)."
            ),
            "{html}"
        );
        view.language = Language::En;
        let html = recorded(&view, Answer::Approve, 7);
        assert!(
            html.contains("Your approval is recorded (no. 7)."),
            "{html}"
        );
        assert!(html.contains("<h1>Answer recorded — Feuille"), "{html}");
    }
}
