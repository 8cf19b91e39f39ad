//! The call's pages: the form (fixed fields, the call's questions, a
//! honeypot), an application read back, and the short answers.

use jalon_core::{
    Application, CallWindow, Problem, State, LONGEST_DESCRIPTION, LONGEST_NAME,
    LONGEST_ORGANISATION,
};
use jalon_definition::resolved::{Call, Edition, Language, Question, QuestionKind};
use jalon_runtime::application::summary;
use jalon_runtime::compose::messages::{date_in, time_in};
use jalon_runtime::texts::{plain, text, Args};

use crate::response::{escape, page};
use crate::workspace::html::para;

/// Where the form posts and what it is for.
pub struct Target<'a> {
    pub action: &'a str,
    pub form_token: &'a str,
    /// An applicant changing their application (else a new one).
    pub amend: bool,
}

/// When the call closes, in words: « lundi 14 octobre 2024 à 12 h 00 ».
pub fn closing_words(state: &State, call: &Call, window: &CallWindow, l: Language) -> String {
    let edition = state.edition();
    let local = window.closes.to_zoned(edition.time_zone.clone());
    match call.closes_at {
        Some(time) => text(
            l,
            "call-closes-at",
            &Args::new()
                .text("date", date_in(l, local.date()))
                .text("time", time_in(l, time)),
        ),
        None => {
            // The end of the due day is the next midnight.
            let day = local.date().yesterday().unwrap_or(local.date());
            text(
                l,
                "call-closes-day",
                &Args::new().text("date", date_in(l, day)),
            )
        }
    }
}

/// Where the call stands: open until, not yet, or closed.
pub fn window_words(
    state: &State,
    call: &Call,
    window: &CallWindow,
    l: Language,
    now: jiff::Timestamp,
) -> String {
    let closes = closing_words(state, call, window, l);
    if window.is_open(now) {
        return text(l, "call-open-until", &Args::new().text("closes", closes));
    }
    if now >= window.closes || window.decided {
        return text(l, "call-closed", &Args::new().text("closes", closes));
    }
    match window.opens {
        Some(opens) => {
            let date = opens.to_zoned(state.edition().time_zone.clone()).date();
            text(
                l,
                "call-not-yet-date",
                &Args::new().text("opens", date_in(l, date)),
            )
        }
        None => plain(l, "call-not-yet"),
    }
}

/// The page's heading: the call, its programme, where it stands.
fn heading(edition: &Edition, l: Language, title: &str, standing: &str) -> String {
    format!(
        "<h1>{}</h1>\n<p class=\"muted\">{}</p>\n<p class=\"notice\">{}</p>\n",
        escape(title),
        escape(&text(
            l,
            "call-programme",
            &Args::new()
                .text("programme", edition.programme_name.clone())
                .text("edition", edition.name.clone())
        )),
        escape(standing)
    )
}

pub fn title(edition: &Edition, l: Language) -> String {
    text(
        l,
        "call-title",
        &Args::new().text("edition", edition.name.clone()),
    )
}

/// The form, filled with `values`, each problem beside its field.
#[allow(clippy::too_many_arguments)]
pub fn form(
    edition: &Edition,
    call: &Call,
    l: Language,
    standing: &str,
    values: &Application,
    problems: &[(String, Problem)],
    target: &Target<'_>,
    other_language: Option<&str>,
) -> String {
    let title = if target.amend {
        plain(l, "call-your-application")
    } else {
        title(edition, l)
    };
    let mut body = String::new();
    if let Some(href) = other_language {
        body.push_str(&format!(
            "<p><a href=\"{}\" lang=\"{}\">{}</a></p>\n",
            escape(href),
            if l == Language::Fr { "en" } else { "fr" },
            escape(&plain(l, "call-other-language"))
        ));
    }
    body.push_str(&heading(edition, l, &title, standing));
    if let Some(introduction) = &call.introduction {
        body.push_str(&para(introduction));
    }
    if !problems.is_empty() {
        body.push_str(&format!(
            "<div class=\"error\" role=\"alert\"><p>{}</p>\n<ul>\n",
            escape(&text(
                l,
                "call-errors",
                &Args::new().number("count", problems.len())
            ))
        ));
        for (field, problem) in problems {
            body.push_str(&format!(
                "<li><a href=\"#{}\">{}</a></li>\n",
                escape(&field_id(field)),
                escape(&format!(
                    "{} — {}",
                    label_of(call, field, l),
                    error_words(l, problem)
                ))
            ));
        }
        body.push_str("</ul></div>\n");
    }
    body.push_str(&para(&plain(l, "call-required-note")));
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\" novalidate>\n\
         <input type=\"hidden\" name=\"form\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"lang\" value=\"{}\">\n",
        escape(target.action),
        escape(target.form_token),
        l.as_str()
    ));
    let field = |name: &str,
                 label: &str,
                 value: &str,
                 kind: Kind<'_>,
                 required: bool,
                 hint: Option<String>| {
        field_html(l, name, label, value, kind, required, hint, problems)
    };
    body.push_str(&format!(
        "<fieldset><legend>{}</legend>\n",
        escape(&plain(l, "call-section-project"))
    ));
    let length = |max: usize| Some(text(l, "call-hint-length", &Args::new().number("max", max)));
    body.push_str(&field(
        "name",
        &plain(l, "call-field-name"),
        &values.name,
        Kind::Line(LONGEST_NAME),
        true,
        None,
    ));
    body.push_str(&field(
        "organisation",
        &plain(l, "call-field-organisation"),
        &values.organisation,
        Kind::Line(LONGEST_ORGANISATION),
        true,
        None,
    ));
    body.push_str(&field(
        "description",
        &plain(l, "call-field-description"),
        &values.description,
        Kind::Paragraph(LONGEST_DESCRIPTION),
        true,
        length(LONGEST_DESCRIPTION),
    ));
    if !edition.themes.is_empty() {
        let choices: Vec<(String, String)> = edition
            .themes
            .iter()
            .map(|t| (t.id.clone(), t.title.clone()))
            .collect();
        body.push_str(&field(
            "theme",
            &plain(l, "call-field-theme"),
            values.theme.as_deref().unwrap_or_default(),
            Kind::Choice(&choices),
            true,
            None,
        ));
    }
    body.push_str("</fieldset>\n");
    if !call.questions.is_empty() {
        body.push_str(&format!(
            "<fieldset><legend>{}</legend>\n",
            escape(&plain(l, "call-section-questions"))
        ));
        for question in &call.questions {
            let value = values
                .answers
                .get(&question.id)
                .map(String::as_str)
                .unwrap_or_default();
            body.push_str(&question_html(l, question, value, problems));
        }
        body.push_str("</fieldset>\n");
    }
    body.push_str(&format!(
        "<fieldset><legend>{}</legend>\n",
        escape(&plain(l, "call-section-contact"))
    ));
    body.push_str(&field(
        "contact_name",
        &plain(l, "call-field-contact_name"),
        &values.contact_name,
        Kind::Line(LONGEST_NAME),
        true,
        None,
    ));
    body.push_str(&field(
        "contact_email",
        &plain(l, "call-field-contact_email"),
        &values.contact_email,
        Kind::Email,
        true,
        Some(plain(l, "call-hint-contact-email")),
    ));
    body.push_str("</fieldset>\n");
    // Seen only by robots: a person never fills it in.
    body.push_str(&format!(
        "<div class=\"hp\" aria-hidden=\"true\"><label for=\"website\">{}</label>\
         <input id=\"website\" name=\"website\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\"></div>\n",
        escape(&plain(l, "call-honeypot"))
    ));
    let submit = if target.amend {
        "call-save"
    } else {
        "call-submit"
    };
    body.push_str(&format!(
        "<p><button type=\"submit\" class=\"primary\">{}</button></p>\n</form>\n",
        escape(&plain(l, submit))
    ));
    page(l.as_str(), &title, &body)
}

/// What a field takes, for its input.
enum Kind<'a> {
    Line(usize),
    Paragraph(usize),
    Email,
    Number,
    Date,
    Url,
    /// (value, label) pairs.
    Choice(&'a [(String, String)]),
}

fn question_html(
    l: Language,
    question: &Question,
    value: &str,
    problems: &[(String, Problem)],
) -> String {
    let yes_no = [
        ("yes".to_owned(), plain(l, "call-yes")),
        ("no".to_owned(), plain(l, "call-no")),
    ];
    let choices: Vec<(String, String)> = question
        .choices
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    let max = question.max.unwrap_or(200).max(1) as usize;
    let (kind, hint) = match question.kind {
        QuestionKind::Text => (Kind::Line(max), None),
        QuestionKind::Paragraph => (
            Kind::Paragraph(max),
            Some(text(l, "call-hint-length", &Args::new().number("max", max))),
        ),
        QuestionKind::Number => (Kind::Number, Some(plain(l, "call-hint-number"))),
        QuestionKind::Choice => (Kind::Choice(&choices), None),
        QuestionKind::YesNo => (Kind::Choice(&yes_no), None),
        QuestionKind::Date => (Kind::Date, Some(plain(l, "call-hint-date"))),
        QuestionKind::Url => (Kind::Url, Some(plain(l, "call-hint-url"))),
    };
    let hint = match (&question.help, hint) {
        (Some(help), Some(h)) => Some(format!("{help} {h}")),
        (Some(help), None) => Some(help.clone()),
        (None, h) => h,
    };
    field_html(
        l,
        &format!("q-{}", question.id),
        &question.title,
        value,
        kind,
        question.required,
        hint,
        problems,
    )
}

/// The id of a field's input: the fixed ones by name, questions `q-ID`.
fn field_id(field: &str) -> String {
    match field {
        "name" | "organisation" | "description" | "theme" | "contact_name" | "contact_email" => {
            field.to_owned()
        }
        question => format!("q-{question}"),
    }
}

fn label_of(call: &Call, field: &str, l: Language) -> String {
    match call.questions.iter().find(|q| q.id == field) {
        Some(q) => q.title.clone(),
        None => plain(l, &format!("call-field-{field}")),
    }
}

fn error_words(l: Language, problem: &Problem) -> String {
    let a = Args::new;
    let (id, args) = match problem {
        Problem::Missing => ("call-error-missing", a()),
        Problem::TooLong { max } => ("call-error-too-long", a().number("max", *max)),
        Problem::NotANumber => ("call-error-not-a-number", a()),
        Problem::TooSmall { min } => ("call-error-too-small", a().text("min", min.to_string())),
        Problem::TooLarge { max } => ("call-error-too-large", a().text("max", max.to_string())),
        Problem::NotAChoice => ("call-error-not-a-choice", a()),
        Problem::NotAnAddress => ("call-error-not-an-address", a()),
        Problem::NotADate => ("call-error-not-a-date", a()),
        Problem::NotAnEmail => ("call-error-not-an-email", a()),
        Problem::UnknownQuestion => ("call-error-unknown-question", a()),
    };
    text(l, id, &args)
}

#[allow(clippy::too_many_arguments)]
fn field_html(
    l: Language,
    name: &str,
    label: &str,
    value: &str,
    kind: Kind<'_>,
    required: bool,
    hint: Option<String>,
    problems: &[(String, Problem)],
) -> String {
    let id = escape(name);
    let problem = problems
        .iter()
        .find(|(f, _)| field_id(f) == name)
        .map(|(_, p)| p);
    let optional = if required {
        String::new()
    } else {
        format!(
            " <span class=\"muted\">{}</span>",
            escape(&plain(l, "call-optional"))
        )
    };
    let mut html = format!("<label for=\"{id}\">{}{optional}</label>\n", escape(label));
    let mut described = Vec::new();
    if let Some(hint) = &hint {
        html.push_str(&format!(
            "<p class=\"hint\" id=\"{id}-hint\">{}</p>\n",
            escape(hint)
        ));
        described.push(format!("{id}-hint"));
    }
    if let Some(problem) = problem {
        html.push_str(&format!(
            "<p class=\"field-error\" id=\"{id}-error\">{} {}</p>\n",
            escape(&plain(l, "call-error-prefix")),
            escape(&error_words(l, problem))
        ));
        described.push(format!("{id}-error"));
    }
    let mut attributes = String::new();
    if !described.is_empty() {
        attributes.push_str(&format!(" aria-describedby=\"{}\"", described.join(" ")));
    }
    if problem.is_some() {
        attributes.push_str(" aria-invalid=\"true\"");
    }
    if required {
        attributes.push_str(" required");
    }
    let value = escape(value);
    let input = |kind: &str, extra: String| {
        format!("<input id=\"{id}\" name=\"{id}\" type=\"{kind}\" value=\"{value}\"{extra}{attributes}>\n")
    };
    html.push_str(&match kind {
        Kind::Line(max) => input("text", format!(" maxlength=\"{max}\"")),
        Kind::Email => input("email", " autocomplete=\"email\" maxlength=\"254\"".to_owned()),
        Kind::Number => input("text", " inputmode=\"numeric\"".to_owned()),
        Kind::Date => input("date", String::new()),
        Kind::Url => input("url", " inputmode=\"url\"".to_owned()),
        Kind::Paragraph(max) => format!(
            "<textarea id=\"{id}\" name=\"{id}\" rows=\"6\" maxlength=\"{max}\"{attributes}>{value}</textarea>\n"
        ),
        Kind::Choice(choices) => {
            let mut select = format!(
                "<select id=\"{id}\" name=\"{id}\"{attributes}>\n<option value=\"\">{}</option>\n",
                escape(&plain(l, "call-choose"))
            );
            for (option, label) in choices {
                let selected = if escape(option) == value { " selected" } else { "" };
                select.push_str(&format!(
                    "<option value=\"{}\"{selected}>{}</option>\n",
                    escape(option),
                    escape(label)
                ));
            }
            select.push_str("</select>\n");
            select
        }
    });
    html
}

/// An application read back, field by field.
pub fn read_back(edition: &Edition, call: &Call, application: &Application, l: Language) -> String {
    let mut html = String::from("<dl>\n");
    for (label, value) in summary(edition, call, application, l) {
        html.push_str(&format!(
            "<dt><strong>{}</strong></dt>\n<dd><pre>{}</pre></dd>\n",
            escape(&label),
            escape(&value)
        ));
    }
    html.push_str("</dl>\n");
    html
}

/// An application that can no longer change, shown to its applicant.
pub fn frozen(
    edition: &Edition,
    call: &Call,
    application: &Application,
    l: Language,
    standing: &str,
) -> String {
    let title = plain(l, "call-your-application");
    let mut body = heading(edition, l, &title, standing);
    body.push_str(&para(&plain(l, "call-read-only")));
    body.push_str(&read_back(edition, call, application, l));
    page(l.as_str(), &title, &body)
}

/// A short page: a title and a paragraph or two.
pub fn simple(l: Language, title_id: &str, paragraphs: &[String]) -> String {
    let title = plain(l, title_id);
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    for p in paragraphs {
        body.push_str(&para(p));
    }
    page(l.as_str(), &title, &body)
}
