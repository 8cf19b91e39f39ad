//! The hand-in pages: the form (what each deliverable takes, what was
//! handed in before, what the validators asked to change), the answer once
//! it is recorded, and why nothing can be handed in now.

use jalon_core::{Instance, Piece, Progress, State};
use jalon_definition::resolved::{Accept, Deliverable, Language};
use jalon_runtime::documents::LARGEST_FILE;
use jalon_runtime::hand_in::{handed_in_by, size_words, type_word};
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::texts::{plain, text, Args};

use super::Subject;
use crate::link_routes::LONGEST_COMMENT;
use crate::response::escape;
use crate::workspace::html::{frame, para};
use crate::workspace::pages::quoted;
use jalon_runtime::compose::messages::date_in;

/// The form, with `problems` above it (nothing was handed in).
pub fn form(subject: &Subject, state: &State, problems: &[String], comment: &str) -> String {
    let l = subject.language;
    let edition = &subject.edition;
    let stage = &edition.stages[subject.stage];
    let title = title(subject);
    let mut body = heading(subject, &title);
    if let Some(instance) = state.instance_of(subject.stage, subject.participant) {
        body.push_str(&para(&text(
            l,
            "hand-in-due",
            &Args::new().text("due", date_in(l, instance.window.due)),
        )));
        if let (Progress::Active, Some(refusal)) = (&instance.progress, instance.refusals.last()) {
            body.push_str(&format!(
                "<p class=\"notice\">{}</p>\n",
                escape(&text(
                    l,
                    "hand-in-changes",
                    &Args::new()
                        .text("who", edition.people[refusal.by].name.clone())
                        .text("at", short_local(edition, refusal.at))
                        .text("comment", quoted(l, &refusal.comment)),
                ))
            ));
        }
        body.push_str(&earlier(subject, instance));
    }
    if !problems.is_empty() {
        body.push_str(&format!(
            "<div class=\"error\" role=\"alert\"><p>{}</p>\n<ul>\n",
            escape(&plain(l, "hand-in-problems"))
        ));
        for problem in problems {
            body.push_str(&format!("<li>{}</li>\n", escape(problem)));
        }
        body.push_str("</ul></div>\n");
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"{}\" enctype=\"multipart/form-data\">\n",
        escape(&subject.post_to())
    ));
    if let Some(csrf) = &subject.csrf {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n",
            escape(csrf)
        ));
    }
    for deliverable in &stage.deliverables {
        body.push_str(&deliverable_fields(l, deliverable));
    }
    let comment_label = if stage.validation.is_some() {
        "hand-in-comment-validators"
    } else {
        "hand-in-comment"
    };
    body.push_str(&format!(
        "<label for=\"comment\">{}</label>\n\
         <textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n\
         <p><button type=\"submit\" class=\"primary\">{}</button></p>\n</form>\n",
        escape(&plain(l, comment_label)),
        escape(comment),
        escape(&plain(l, "hand-in-submit")),
    ));
    frame(l, &title, subject.signed.as_ref(), &body)
}

/// "Rendre « Feuille de route »".
fn title(subject: &Subject) -> String {
    let l = subject.language;
    let stage = &subject.edition.stages[subject.stage];
    text(
        l,
        "hand-in-title",
        &Args::new().text("stage", quoted(l, &stage.title)),
    )
}

/// The page's heading: what, for whom, in which programme.
fn heading(subject: &Subject, title: &str) -> String {
    let edition = &subject.edition;
    let mut html = format!("<h1>{}</h1>\n", escape(title));
    if let Some(p) = subject.participant {
        html.push_str(&format!(
            "<p><strong>{}</strong></p>\n",
            escape(&edition.participants[p].name)
        ));
    }
    html.push_str(&format!(
        "<p class=\"muted\">{} — {}</p>\n",
        escape(&edition.programme_name),
        escape(&edition.name)
    ));
    html
}

/// One deliverable's fieldset: what it is, what it takes, a file input
/// (several files at once) and, when it takes links, an address.
fn deliverable_fields(l: Language, deliverable: &Deliverable) -> String {
    let id = &deliverable.id;
    let mut html = format!(
        "<fieldset>\n<legend>{}</legend>\n",
        escape(&deliverable.title)
    );
    if let Some(description) = &deliverable.description {
        html.push_str(&para(description));
    }
    let kinds: Vec<String> = deliverable
        .accepts
        .iter()
        .map(|a| plain(l, &format!("hand-in-kind-{}", accept_word(*a))))
        .collect();
    let hint = text(
        l,
        "hand-in-takes",
        &Args::new()
            .text("kinds", kinds.join(", "))
            .number("min", deliverable.min as usize)
            .number("max", deliverable.max as usize)
            .text("size", size_words(l, LARGEST_FILE as u64)),
    );
    html.push_str(&format!(
        "<p class=\"muted\" id=\"hint-{id}\">{}</p>\n",
        escape(&hint),
        id = escape(id)
    ));
    let files: Vec<&Accept> = deliverable
        .accepts
        .iter()
        .filter(|a| **a != Accept::Link)
        .collect();
    if !files.is_empty() {
        let accept: Vec<&str> = files
            .iter()
            .flat_map(|a| extensions(**a))
            .copied()
            .collect();
        html.push_str(&format!(
            "<label for=\"file-{id}\">{}</label>\n\
             <input type=\"file\" id=\"file-{id}\" name=\"file:{id}\" multiple accept=\"{}\" aria-describedby=\"hint-{id}\">\n",
            escape(&plain(l, "hand-in-files")),
            accept.join(","),
            id = escape(id),
        ));
    }
    if deliverable.accepts.contains(&Accept::Link) {
        let label = if files.is_empty() {
            "hand-in-link-only"
        } else {
            "hand-in-link"
        };
        html.push_str(&format!(
            "<label for=\"link-{id}\">{}</label>\n\
             <input type=\"url\" id=\"link-{id}\" name=\"link:{id}\" inputmode=\"url\" placeholder=\"https://\" maxlength=\"{}\">\n",
            escape(&plain(l, label)),
            jalon_runtime::hand_in::LONGEST_LINK,
            id = escape(id),
        ));
    }
    html.push_str("</fieldset>\n");
    html
}

fn accept_word(accept: Accept) -> &'static str {
    match accept {
        Accept::Pdf => "pdf",
        Accept::Office => "office",
        Accept::Image => "image",
        Accept::Link => "link",
    }
}

/// What the browser's file picker offers first (the server sniffs anyway).
fn extensions(accept: Accept) -> &'static [&'static str] {
    match accept {
        Accept::Pdf => &[".pdf"],
        Accept::Office => &[
            ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".doc", ".xls", ".ppt",
        ],
        Accept::Image => &[".png", ".jpg", ".jpeg", ".gif", ".webp"],
        Accept::Link => &[],
    }
}

/// The versions handed in so far, newest first, each piece with its link.
pub fn earlier(subject: &Subject, instance: &Instance) -> String {
    if instance.submissions.is_empty() {
        return String::new();
    }
    let l = subject.language;
    let mut html = format!(
        "<h2>{}</h2>\n<ul class=\"cards\">\n",
        escape(&plain(l, "hand-in-earlier"))
    );
    for submission in instance.submissions.iter().rev() {
        html.push_str(&format!(
            "<li>{}",
            escape(&text(
                l,
                "hand-in-version",
                &Args::new()
                    .text("round", submission.round.to_string())
                    .text("at", short_local(&subject.edition, submission.at))
                    .text("by", handed_in_by(&subject.edition, &submission.by)),
            ))
        ));
        html.push_str(&pieces(l, &submission.documents, &|sha| {
            subject.document_url(sha)
        }));
        html.push_str("</li>\n");
    }
    html.push_str("</ul>\n");
    html
}

/// A list of pieces: files as download links with their type and size,
/// links as links (opened without telling the site where from).
pub fn pieces(l: Language, pieces: &[Piece], url: &dyn Fn(&str) -> String) -> String {
    if pieces.is_empty() {
        return String::new();
    }
    let mut html = String::from("<ul>\n");
    for piece in pieces {
        match piece {
            Piece::File {
                name,
                media_type,
                sha256,
                size,
                ..
            } => html.push_str(&format!(
                "<li><a href=\"{}\" download>{}</a> <span class=\"muted\">({}, {})</span></li>\n",
                escape(&url(sha256)),
                escape(name),
                escape(type_word(media_type)),
                escape(&size_words(l, *size)),
            )),
            Piece::Link { url, .. } => html.push_str(&format!(
                "<li><a href=\"{}\" rel=\"noopener noreferrer\">{}</a></li>\n",
                escape(url),
                escape(url),
            )),
        }
    }
    html.push_str("</ul>\n");
    html
}

/// The answer once recorded: its number, what was handed in, what follows.
pub fn done(subject: &Subject, state: &State, seq: i64) -> String {
    let l = subject.language;
    let title = plain(l, "hand-in-done-title");
    let stage = &subject.edition.stages[subject.stage];
    let mut body = heading(subject, &title);
    body.push_str(&para(&text(
        l,
        "hand-in-done",
        &Args::new()
            .text("stage", quoted(l, &stage.title))
            .text("seq", seq.to_string()),
    )));
    let next = if stage.validation.is_some() {
        "hand-in-done-validation"
    } else {
        "hand-in-done-finished"
    };
    body.push_str(&para(&plain(l, next)));
    if let Some(instance) = state.instance_of(subject.stage, subject.participant) {
        body.push_str(&earlier(subject, instance));
    }
    body.push_str(&subject.back_link());
    frame(l, &title, subject.signed.as_ref(), &body)
}

/// Nothing to hand in now: awaiting validation, done, or not open yet.
pub fn not_now(subject: &Subject, state: &State) -> String {
    let l = subject.language;
    let title = plain(l, "hand-in-not-now-title");
    let mut body = heading(subject, &title);
    let instance = state.instance_of(subject.stage, subject.participant);
    let words = match instance.map(|i| &i.progress) {
        Some(Progress::AwaitingValidation { since }) => text(
            l,
            "hand-in-not-now-awaiting",
            &Args::new().text("at", short_local(&subject.edition, *since)),
        ),
        Some(Progress::Done { .. }) => plain(l, "hand-in-not-now-done"),
        _ if state.closed().is_some() => plain(l, "hand-in-not-now-closed"),
        _ => plain(l, "hand-in-not-now"),
    };
    body.push_str(&para(&words));
    if let Some(instance) = instance {
        body.push_str(&earlier(subject, instance));
    }
    body.push_str(&subject.back_link());
    frame(l, &title, subject.signed.as_ref(), &body)
}

/// A page with a title and one paragraph (busy, expired, unknown link).
pub fn simple(subject_language: Language, title_id: &str, words: &str) -> String {
    let title = plain(subject_language, title_id);
    let body = format!("<h1>{}</h1>\n{}", escape(&title), para(words));
    frame(subject_language, &title, None, &body)
}
