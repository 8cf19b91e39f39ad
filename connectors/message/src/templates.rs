//! Message templates in Jinja syntax (minijinja), compiled once when the
//! definitions load. Unknown variables are errors, not blanks: a blank in an
//! email to a laureate is a bug nobody sees until it is sent.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior};

pub struct Templates {
    env: Environment<'static>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("template `{template}`, {part}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Invalid {
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
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Plain-text emails: nothing to escape.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_keep_trailing_newline(true);
        Templates { env }
    }

    pub fn add(&mut self, id: &str, subject: &str, body: &str) -> Result<(), TemplateError> {
        for (part, text) in [("subject", subject), ("body", body)] {
            self.env
                .add_template_owned(format!("{id}#{part}"), text.to_owned())
                .map_err(|e| invalid(id, part, &e))?;
        }
        Ok(())
    }

    pub fn render(
        &self,
        id: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<Rendered, TemplateError> {
        let mut out = Vec::with_capacity(2);
        for part in ["subject", "body"] {
            let template = self
                .env
                .get_template(&format!("{id}#{part}"))
                .map_err(|_| TemplateError::Unknown(id.to_owned()))?;
            out.push(template.render(vars).map_err(|e| invalid(id, part, &e))?);
        }
        let body = out.pop().unwrap_or_default();
        // A subject is one line, whatever the template's line breaks.
        let subject = out
            .pop()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(Rendered { subject, body })
    }
}

fn invalid(id: &str, part: &'static str, error: &minijinja::Error) -> TemplateError {
    TemplateError::Invalid {
        template: id.to_owned(),
        part,
        line: error.line(),
        message: error
            .detail()
            .map_or_else(|| error.kind().to_string(), str::to_owned),
    }
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

    #[test]
    fn renders_subject_on_one_line_and_body_as_written() {
        let mut t = Templates::new();
        t.add(
            "x",
            "Rappel :\n« {{ stage }} »",
            "Bonjour {{ recipient }},\n\n<b>&</b>\n",
        )
        .unwrap();
        let r = t
            .render(
                "x",
                &vars(&[("stage", "Feuille de route"), ("recipient", "Aline")]),
            )
            .unwrap();
        assert_eq!(r.subject, "Rappel : « Feuille de route »");
        assert_eq!(r.body, "Bonjour Aline,\n\n<b>&</b>\n");
    }

    #[test]
    fn unknown_variables_and_bad_syntax_are_errors_with_lines() {
        let mut t = Templates::new();
        let bad = t.add("y", "ok", "ligne 1\n{{ stage }\n");
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
        t.add("z", "{{ stgae }}", "").unwrap();
        let err = t.render("z", &vars(&[("stage", "x")])).unwrap_err();
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
            t.render("nope", &vars(&[])),
            Err(TemplateError::Unknown("nope".into()))
        );
    }
}
