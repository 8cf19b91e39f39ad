//! The words of the validation-link pages, in French or English: the
//! person's language when known, both when the link is not (a forged token
//! says nothing about who holds it). Every value is escaped here.

use jalon_definition::resolved::{Edition, Language};
use jalon_message::{english_date_time, french_date_time};
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

    fn noun(self, language: Language) -> &'static str {
        match (self, language) {
            (Answer::Approve, Language::Fr) => "validation",
            (Answer::Refuse, Language::Fr) => "demande de modifications",
            (Answer::Approve, Language::En) => "approval",
            (Answer::Refuse, Language::En) => "request for changes",
        }
    }
}

fn tr<'a>(language: Language, fr: &'a str, en: &'a str) -> &'a str {
    match language {
        Language::Fr => fr,
        Language::En => en,
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

fn both(title: &str, french: &str, english: &str) -> String {
    page(
        "fr",
        title,
        &format!(
            "<h1>{}</h1>\n<p>{}</p>\n<p lang=\"en\">{}</p>",
            escape(title),
            escape(french),
            escape(english)
        ),
    )
}

pub fn unknown() -> String {
    both(
        "Lien inconnu — Unknown link",
        "Ce lien de validation n'est pas valide : il a pu être mal copié ou modifié. \
         Rien n'a été enregistré. Ouvrez le lien exact de votre email, ou contactez la \
         coordination du programme.",
        "This approval link is not valid: it may have been copied incompletely or changed. \
         Nothing was recorded. Open the exact link from your email, or contact the \
         programme's coordination.",
    )
}

pub fn not_running() -> String {
    both(
        "Lien clos — Link closed",
        "L'édition de ce lien n'est plus suivie ici. Rien n'a été enregistré ; contactez la \
         coordination du programme.",
        "The edition of this link is no longer run here. Nothing was recorded; contact the \
         programme's coordination.",
    )
}

pub fn trouble() -> String {
    both(
        "Indisponible — Unavailable",
        "Ce lien ne peut pas être traité pour le moment. Rien n'a été enregistré ; \
         réessayez dans quelques minutes.",
        "This link cannot be handled just now. Nothing was recorded; try again in a few \
         minutes.",
    )
}

/// One page about a link, with the heading naming its stage.
fn about(view: &View, title: &str, body: &str) -> String {
    let language = view.language.as_str();
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
    let l = view.language;
    let text = match l {
        Language::Fr => format!(
            "Ce lien a expiré le {}. Rien n'a été enregistré. Pour donner votre réponse, \
             contactez la coordination du programme.",
            view.expires
        ),
        Language::En => format!(
            "This link expired on {}. Nothing was recorded. To give your answer, contact the \
             programme's coordination.",
            view.expires
        ),
    };
    about(view, tr(l, "Lien expiré", "Link expired"), &para(&text))
}

pub fn stale(view: &View) -> String {
    let l = view.language;
    let text = tr(
        l,
        "Ce lien concernait une version précédente de ce travail, soumise à nouveau depuis. \
         Rien n'a été enregistré : ouvrez le lien du dernier email reçu.",
        "This link was about an earlier version of this work, submitted again since. Nothing \
         was recorded: open the link of the latest email you received.",
    );
    about(view, tr(l, "Lien remplacé", "Link replaced"), &para(text))
}

/// A second use: what was recorded, by whom, when.
pub fn already(view: &View, answer: &str, at: &str) -> String {
    let l = view.language;
    let noun = Answer::parse(answer).map_or(answer, |a| a.noun(l));
    let text = match l {
        Language::Fr => format!(
            "Votre réponse a déjà été enregistrée par vous le {at} ({noun}). \
             Rien de plus n'a été enregistré."
        ),
        Language::En => format!(
            "Your answer was already recorded by you on {at} ({noun}). \
             Nothing more was recorded."
        ),
    };
    about(
        view,
        tr(l, "Déjà enregistré", "Already recorded"),
        &para(&text),
    )
}

/// The core refused the answer: its reason, and that nothing changed.
pub fn refused(view: &View, reason: &str) -> String {
    let l = view.language;
    let body = format!(
        "<p class=\"error\">{}</p>\n<p>{}</p>",
        escape(tr(
            l,
            "Cette réponse ne peut pas être enregistrée :",
            "This answer cannot be recorded:"
        )),
        escape(reason),
    ) + &para(tr(
        l,
        "Rien n'a été enregistré. En cas de doute, contactez la coordination du programme.",
        "Nothing was recorded. If in doubt, contact the programme's coordination.",
    ));
    about(
        view,
        tr(l, "Réponse impossible", "Answer not possible"),
        &body,
    )
}

pub fn recorded(view: &View, answer: Answer, seq: i64) -> String {
    let l = view.language;
    let noun = answer.noun(l);
    let text = match l {
        Language::Fr => format!(
            "Merci, {}. Votre {noun} est enregistrée (n° {seq}). Les personnes concernées en \
             sont informées par email.",
            view.person
        ),
        Language::En => format!(
            "Thank you, {}. Your {noun} is recorded (no. {seq}). The people concerned are \
             told by email.",
            view.person
        ),
    };
    about(
        view,
        tr(l, "Réponse enregistrée", "Answer recorded"),
        &para(&text),
    )
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
    let mut body = para(&format!("{} {},", tr(l, "Bonjour", "Hello"), view.person));
    body.push_str("<table>\n");
    let mut row = |label: &str, value: &str| {
        body.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            escape(label),
            escape(value)
        ));
    };
    row(tr(l, "Étape", "Stage"), &view.stage);
    if let Some(participant) = &view.participant {
        row("Participant", participant);
    }
    if let Some(since) = &view.since {
        row(tr(l, "Soumis le", "Submitted on"), since);
    }
    body.push_str("</table>\n");
    if let Some(description) = &view.description {
        body.push_str(&para(description));
    }
    if !view.deliverables.is_empty() {
        body.push_str(&para(tr(l, "À valider :", "To approve:")));
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
        label = escape(tr(
            l,
            "Commentaire (obligatoire pour demander des modifications)",
            "Comment (required to ask for changes)"
        )),
        max = super::link_routes::LONGEST_COMMENT,
        focus = if refuse_first { " autofocus" } else { "" },
        comment = escape(comment),
        approve_class = class(!refuse_first),
        refuse_class = class(refuse_first),
        approve = escape(tr(l, "Valider", "Approve")),
        refuse = escape(tr(l, "Demander des modifications", "Ask for changes")),
    ));
    let note = match l {
        Language::Fr => format!(
            "Rien n'est enregistré avant que vous appuyiez sur un bouton. Ce lien vous est \
             personnel, ne sert qu'une fois et expire le {}.",
            view.expires
        ),
        Language::En => format!(
            "Nothing is recorded until you press a button. This link is yours alone, works \
             once, and expires on {}.",
            view.expires
        ),
    };
    body.push_str(&format!("<p class=\"muted\">{}</p>", escape(&note)));
    about(view, tr(l, "Validation", "Approval"), &body)
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
}
