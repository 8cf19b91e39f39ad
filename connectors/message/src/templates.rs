//! Message templates in Jinja syntax (minijinja), compiled once when the
//! definitions load. Unknown variables are errors, not blanks: a blank in an
//! email to a laureate is a bug nobody sees until it is sent.
//!
//! A template has a subject, a plain-text body and optionally an HTML body,
//! in its own language, and the same in other languages (translations).
//! Values put into the HTML body are HTML-escaped; when there is no HTML
//! body, one is made from the text.

use std::collections::{BTreeMap, HashMap};

use minijinja::Environment;

use crate::html::{html_page, text_to_html};
use crate::sandbox::{self, RenderError};
use crate::typography;
use crate::vet::vet;

pub struct Templates {
    env: Environment<'static>,
    /// For each template id, the languages it has: its own text's first.
    languages: HashMap<String, Vec<String>>,
    /// The (id, language) pairs that have an HTML body.
    with_html: Vec<(String, String)>,
}

/// A template's texts in one language.
#[derive(Clone, Copy, Debug)]
pub struct Text<'a> {
    pub subject: &'a str,
    pub body: &'a str,
    /// `None`: made from the body.
    pub html: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    /// Plain text.
    pub body: String,
    /// A whole HTML document: the template's HTML body, or one made from
    /// the text.
    pub html: String,
    /// The language it is written in.
    pub language: String,
}

/// What of a template to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parts {
    Subject,
    /// The subject and the plain text.
    Text,
    /// The subject, the text and the HTML document.
    All,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("template `{template}`, {part}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Invalid {
        /// The id, with the language for a translation (`ouverture (en)`).
        template: String,
        part: &'static str,
        line: Option<usize>,
        message: String,
    },
    #[error("there is no template `{0}`")]
    Unknown(String),
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    pub fn new() -> Self {
        // Text parts have nothing to escape; HTML bodies (`…#html`) escape
        // every value. Every render is bounded.
        Templates {
            env: sandbox::environment(),
            languages: HashMap::new(),
            with_html: Vec::new(),
        }
    }

    /// Adds template `id` in `language`. The first language added for an id
    /// is its own; the others are translations. Adding a language again
    /// replaces it.
    pub fn add(&mut self, id: &str, language: &str, text: Text<'_>) -> Result<(), TemplateError> {
        let label = self.label(id, language);
        let mut parts = vec![("subject", text.subject), ("body", text.body)];
        parts.extend(text.html.map(|html| ("html", html)));
        for (part, source) in parts {
            // `jalon check` refused these already; a template from elsewhere
            // is held to the same rule, before compiling (which folds
            // constants, `'y' * 100000000` included).
            vet(source).map_err(|refused| TemplateError::Invalid {
                template: label.clone(),
                part,
                line: Some(source[..refused.range.start].matches('\n').count() + 1),
                message: refused.message,
            })?;
            self.env
                .add_template_owned(name(id, language, part), source.to_owned())
                .map_err(|e| invalid(&label, part, &e))?;
        }
        let key = (id.to_owned(), language.to_owned());
        self.with_html.retain(|k| *k != key);
        if text.html.is_some() {
            self.with_html.push(key);
        }
        let languages = self.languages.entry(id.to_owned()).or_default();
        if !languages.iter().any(|l| l == language) {
            languages.push(language.to_owned());
        }
        Ok(())
    }

    /// The language template `id` is rendered in for a reader of `wanted`:
    /// that one if the template has it, else the template's own.
    pub fn language_for(&self, id: &str, wanted: &str) -> Option<&str> {
        let languages = self.languages.get(id)?;
        languages
            .iter()
            .find(|l| *l == wanted)
            .or_else(|| languages.first())
            .map(String::as_str)
    }

    /// Renders template `id` for a reader of `language` (see
    /// [`Templates::language_for`]).
    pub fn render(
        &self,
        id: &str,
        language: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<Rendered, TemplateError> {
        self.render_parts(id, language, vars, Parts::All)
    }

    /// Renders `parts` of template `id` only; the others are left empty.
    /// Merging alike messages reads subjects and bodies, never the HTML.
    pub fn render_parts(
        &self,
        id: &str,
        language: &str,
        vars: &BTreeMap<String, String>,
        parts: Parts,
    ) -> Result<Rendered, TemplateError> {
        let language = self
            .language_for(id, language)
            .ok_or_else(|| TemplateError::Unknown(id.to_owned()))?;
        let label = self.label(id, language);
        // Converted once for the subject, the body and the HTML.
        // Straight from the pairs: the same map as through serde, for less
        // (serde's took a twentieth of a burst's sending).
        let context: minijinja::Value =
            vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let part = |part: &'static str| {
            let template = self
                .env
                .get_template(&name(id, language, part))
                .map_err(|_| TemplateError::Unknown(id.to_owned()))?;
            sandbox::render(&template, &context).map_err(|e| match e {
                RenderError::Template(e) => invalid(&label, part, &e),
                RenderError::Limit(limit) => TemplateError::Invalid {
                    template: label.clone(),
                    part,
                    line: None,
                    message: limit.to_string(),
                },
            })
        };
        // A subject is one line, whatever the template's line breaks; its
        // no-break spaces (French typography: `Rappel\u{a0}:`) stay.
        // French is set the French way whoever wrote the words: the
        // template, or the values (a stage's title, a participant's name).
        let french = language == "fr";
        let typeset = |text: String| {
            if french {
                typography::french(&text)
            } else {
                text
            }
        };
        let subject = typeset(one_line(&part("subject")?));
        if parts == Parts::Subject {
            return Ok(Rendered {
                subject,
                body: String::new(),
                html: String::new(),
                language: language.to_owned(),
            });
        }
        let body = typeset(part("body")?);
        if parts == Parts::Text {
            return Ok(Rendered {
                subject,
                body,
                html: String::new(),
                language: language.to_owned(),
            });
        }
        let has_html = self.with_html.iter().any(|(i, l)| i == id && l == language);
        let inner = match (has_html, french) {
            (true, true) => typography::french_html(&part("html")?),
            (true, false) => part("html")?,
            (false, _) => text_to_html(&body),
        };
        Ok(Rendered {
            html: html_page(&inner, Some(language), &subject),
            subject,
            body,
            language: language.to_owned(),
        })
    }

    /// How errors name the template: its id, and the language of a translation.
    fn label(&self, id: &str, language: &str) -> String {
        match self.languages.get(id).and_then(|l| l.first()) {
            Some(own) if own != language => format!("{id} ({language})"),
            _ => id.to_owned(),
        }
    }
}

fn name(id: &str, language: &str, part: &str) -> String {
    format!("{id}#{language}#{part}")
}

fn invalid(template: &str, part: &'static str, error: &minijinja::Error) -> TemplateError {
    TemplateError::Invalid {
        template: template.to_owned(),
        part,
        line: error.line(),
        message: error
            .detail()
            .map_or_else(|| error.kind().to_string(), str::to_owned),
    }
}

/// `text` on one line: each run of ASCII spaces and line breaks (Unicode's
/// too) becomes one space, the ends trimmed. Other spaces — the no-break
/// ones of French typography, thin ones — are the writer's and stay.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_ascii_whitespace() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn text<'a>(subject: &'a str, body: &'a str) -> Text<'a> {
        Text {
            subject,
            body,
            html: None,
        }
    }

    #[test]
    fn a_subject_keeps_its_no_break_spaces() {
        let mut t = Templates::new();
        t.add(
            "x",
            "fr",
            text(
                "Rappel\u{a0}:\r\n \u{ab}\u{a0}{{ stage }}\u{a0}\u{bb}\u{2028}!",
                "b",
            ),
        )
        .unwrap();
        let r = t
            .render("x", "fr", &vars(&[("stage", "Feuille de route")]))
            .unwrap();
        assert_eq!(
            r.subject,
            "Rappel\u{a0}: \u{ab}\u{a0}Feuille de route\u{a0}\u{bb}\u{202f}!"
        );
    }

    #[test]
    fn renders_subject_on_one_line_and_body_as_written() {
        let mut t = Templates::new();
        t.add(
            "x",
            "fr",
            text(
                "Rappel :\n« {{ stage }} »",
                "Bonjour {{ recipient }},\n\n<b>&</b>\n",
            ),
        )
        .unwrap();
        let r = t
            .render(
                "x",
                "fr",
                &vars(&[("stage", "Feuille de route"), ("recipient", "Aline")]),
            )
            .unwrap();
        // Set the French way: no-break spaces where a line must not break.
        assert_eq!(r.subject, "Rappel\u{a0}: «\u{a0}Feuille de route\u{a0}»");
        assert_eq!(r.body, "Bonjour Aline,\n\n<b>&</b>\n");
        assert!(r.html.contains("Bonjour Aline,</p>"), "{}", r.html);
        assert!(r.html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{}", r.html);
        assert!(r.html.contains("<html lang=\"fr\">"));
    }

    #[test]
    fn parts_rendered_alone_are_those_of_the_whole() {
        let mut t = Templates::new();
        t.add(
            "x",
            "fr",
            text(
                "Rappel : « {{ stage }} » pour {{ participant }}",
                "Bonjour {{ recipient }} !\n\nÀ rendre le {{ due }}.\n",
            ),
        )
        .unwrap();
        let values = vars(&[
            ("stage", "Feuille de route"),
            ("participant", "Atchoum"),
            ("recipient", "Aline"),
            ("due", "3 mars"),
        ]);
        let whole = t.render("x", "fr", &values).unwrap();
        let text = t.render_parts("x", "fr", &values, Parts::Text).unwrap();
        assert_eq!((&text.subject, &text.body), (&whole.subject, &whole.body));
        assert_eq!((text.html.as_str(), text.language.as_str()), ("", "fr"));
        let subject = t.render_parts("x", "fr", &values, Parts::Subject).unwrap();
        assert_eq!(subject.subject, whole.subject);
        assert!(subject.body.is_empty() && subject.html.is_empty());
    }

    #[test]
    fn values_in_an_html_body_are_escaped() {
        let mut t = Templates::new();
        t.add(
            "x",
            "fr",
            Text {
                subject: "s",
                body: "{{ comment }}",
                html: Some("<p><strong>{{ comment }}</strong></p>"),
            },
        )
        .unwrap();
        let r = t
            .render("x", "fr", &vars(&[("comment", "<script>a & b</script>")]))
            .unwrap();
        assert_eq!(r.body, "<script>a & b</script>");
        assert!(
            r.html
                .contains("<p><strong>&lt;script&gt;a &amp; b&lt;&#x2f;script&gt;</strong></p>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn a_translation_when_there_is_one_else_the_own_text() {
        let mut t = Templates::new();
        t.add("x", "fr", text("Bonjour", "Texte")).unwrap();
        t.add("x", "en", text("Hello", "Text")).unwrap();
        t.add("y", "fr", text("Seul", "Texte")).unwrap();
        let en = t.render("x", "en", &vars(&[])).unwrap();
        assert_eq!((en.subject.as_str(), en.language.as_str()), ("Hello", "en"));
        assert!(en.html.contains("<html lang=\"en\">"));
        assert_eq!(t.render("x", "fr", &vars(&[])).unwrap().subject, "Bonjour");
        let fallback = t.render("y", "en", &vars(&[])).unwrap();
        assert_eq!(
            (fallback.subject.as_str(), fallback.language.as_str()),
            ("Seul", "fr")
        );
        assert_eq!(t.language_for("y", "en"), Some("fr"));
        assert_eq!(t.language_for("z", "en"), None);
    }

    #[test]
    fn unknown_variables_and_bad_syntax_are_errors_with_lines() {
        let mut t = Templates::new();
        let bad = t.add("y", "fr", text("ok", "ligne 1\n{{ stage }\n"));
        assert!(
            matches!(
                &bad,
                Err(TemplateError::Invalid {
                    part: "body",
                    line: Some(2),
                    ..
                })
            ),
            "{bad:?}"
        );
        t.add("z", "fr", text("{{ stgae }}", "")).unwrap();
        let err = t.render("z", "fr", &vars(&[("stage", "x")])).unwrap_err();
        assert!(
            matches!(
                err,
                TemplateError::Invalid {
                    part: "subject",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(
            t.render("nope", "fr", &vars(&[])),
            Err(TemplateError::Unknown("nope".into()))
        );
    }
}
