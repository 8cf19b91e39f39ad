//! The form of an action, and what it is about in words.

use super::*;

/// The form of an action, filled with `given`, with an error above it, and
/// the dates of its instance as they stand.
pub(super) fn form_page(
    signed: &Signed,
    target: &Target,
    given: &Fields,
    error: Option<&str>,
    window: Option<Context>,
) -> String {
    let l = signed.viewer.language;
    let edition = &target.edition;
    let verb = target.verb.as_str();
    let title = plain(l, &format!("ws-verb-{verb}"));
    let subject = subject_of(target);
    // The edition's own acts are about the edition, named once.
    let subject = if target.stage.is_none() && target.participant.is_none() {
        String::new()
    } else {
        format!("<p><strong>{}</strong></p>\n", escape(&subject))
    };
    let mut body = format!(
        "<h1>{}</h1>\n{subject}<p class=\"muted\">{} — {}</p>\n",
        escape(&title),
        escape(&edition.programme_name),
        escape(&edition.name)
    );
    if let Some(Context { window, .. }) = &window {
        body.push_str(&para(&text(
            l,
            "ws-current-window",
            &Args::new().text("window", instance_window_words(l, *window)),
        )));
    }
    if target.verb == Verb::Void {
        body.push_str(&format!(
            "<p>{} <a href=\"/editions/{}/journal\">{}</a></p>\n",
            escape(&plain(l, "ws-void-where")),
            encode(&edition.id),
            escape(&plain(l, "ws-journal-title"))
        ));
    }
    if let Some(error) = error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            escape(error)
        ));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"/editions/{}/actions/{verb}\">\n{}",
        encode(&edition.id),
        hidden(signed, target, &[])
    ));
    let value = |name: &str| escape(given.get(name).map_or("", String::as_str));
    let label =
        |name: &str, id: &str| format!("<label for=\"{name}\">{}</label>", escape(&plain(l, id)));
    match target.verb {
        Verb::Complete | Verb::Approve => body.push_str(&format!(
            "{}<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("comment", "ws-field-comment-optional"),
            value("comment")
        )),
        Verb::Refuse => body.push_str(&format!(
            "{}<textarea id=\"comment\" name=\"comment\" rows=\"4\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("comment", "ws-field-changes"),
            value("comment")
        )),
        Verb::Postpone => {
            body.push_str(&format!(
                "{}<input id=\"start\" name=\"start\" type=\"date\" value=\"{}\">\n\
                 {}<input id=\"due\" name=\"due\" type=\"date\" required value=\"{}\">\n\
                 {}<textarea id=\"reason\" name=\"reason\" rows=\"2\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
                label("start", "ws-field-new-start"),
                value("start"),
                label("due", "ws-field-new-due"),
                value("due"),
                label("reason", "ws-field-reason"),
                value("reason")
            ));
        }
        Verb::Decide => {
            let stage = target.stage.map(|s| &edition.stages[s]);
            body.push_str(&format!(
                "{}<select id=\"outcome\" name=\"outcome\" required>",
                label("outcome", "ws-field-outcome")
            ));
            for outcome in stage.map(|s| s.outcomes.as_slice()).unwrap_or_default() {
                let selected = if given.get("outcome") == Some(&outcome.id) { " selected" } else { "" };
                body.push_str(&format!(
                    "<option value=\"{}\"{selected}>{}</option>",
                    escape(&outcome.id),
                    escape(&outcome.title)
                ));
            }
            body.push_str(&format!(
                "</select>\n{}<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
                label("comment", "ws-field-comment-optional"),
                value("comment")
            ));
        }
        Verb::Record => {
            let stage = target.stage.map(|s| &edition.stages[s]);
            body.push_str(&format!(
                "{}<select id=\"indicator\" name=\"indicator\" required>",
                label("indicator", "ws-indicator")
            ));
            for indicator in stage.map(|s| s.indicators.as_slice()).unwrap_or_default() {
                let selected = if given.get("indicator") == Some(&indicator.id) { " selected" } else { "" };
                let target_words = indicator
                    .target
                    .as_deref()
                    .map(|t| format!(" ({})", t))
                    .unwrap_or_default();
                body.push_str(&format!(
                    "<option value=\"{}\"{selected}>{}{}</option>",
                    escape(&indicator.id),
                    escape(&indicator.indicator),
                    escape(&target_words)
                ));
            }
            body.push_str(&format!(
                "</select>\n{}<input id=\"value\" name=\"value\" required maxlength=\"500\" value=\"{}\">\n",
                label("value", "ws-field-value"),
                value("value")
            ));
        }
        Verb::Select => {
            body.push_str(&format!(
                "<fieldset>\n<legend>{}</legend>\n",
                escape(&plain(l, "ws-field-retain"))
            ));
            let candidates = window.as_ref().map(|c| c.candidates.as_slice()).unwrap_or_default();
            for (p, average) in candidates {
                let participant = &edition.participants[*p];
                let name = format!("retain:{}", participant.id);
                let checked = if given.get(&name).is_some_and(|v| v == "on") { " checked" } else { "" };
                let average = average
                    .map(|a| format!(" — {}", text(l, "ws-average", &Args::new().text("average", average_words(l, a)))))
                    .unwrap_or_default();
                body.push_str(&format!(
                    "<label class=\"check\"><input type=\"checkbox\" name=\"{}\"{checked}> {}{}</label>\n",
                    escape(&name),
                    escape(&participant.name),
                    escape(&average)
                ));
                let reason = format!("reason:{}", participant.id);
                let id = format!("reason-{}", participant.id);
                body.push_str(&format!(
                    "<label for=\"{id}\" class=\"muted\">{}</label>\n\
                     <input id=\"{id}\" name=\"{}\" maxlength=\"500\" value=\"{}\">\n",
                    escape(&text(l, "ws-field-reason-left-out", &Args::new().text("name", participant.name.clone()))),
                    escape(&reason),
                    escape(given.get(&reason).map_or("", String::as_str)),
                    id = escape(&id),
                ));
            }
            body.push_str("</fieldset>\n");
        }
        Verb::Withdraw | Verb::Close | Verb::Adjourn => body.push_str(&format!(
            "{}<textarea id=\"reason\" name=\"reason\" rows=\"2\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("reason", "ws-field-reason"),
            value("reason")
        )),
        Verb::Void => body.push_str(&format!(
            "{}<input id=\"seq\" name=\"seq\" inputmode=\"numeric\" required value=\"{}\">\n\
             {}<textarea id=\"reason\" name=\"reason\" rows=\"2\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("seq", "ws-field-seq"),
            value("seq"),
            label("reason", "ws-field-reason"),
            value("reason")
        )),
    }
    body.push_str(&format!(
        "<input type=\"hidden\" name=\"step\" value=\"preview\">\n\
         <p class=\"actions\"><button class=\"primary\" type=\"submit\">{}</button> <a href=\"{}\">{}</a></p>\n</form>\n",
        escape(&plain(l, "ws-see-before")),
        back(target),
        escape(&plain(l, "ws-cancel"))
    ));
    frame(l, &title, Some(signed), &body)
}

/// What an action is about, in words: the instance, else the participant,
/// else the edition.
pub(super) fn subject_of(target: &Target) -> String {
    let edition = &target.edition;
    match target.stage {
        Some(s) => instance_title(edition, s, target.participant),
        None => match target.participant {
            Some(p) => edition.participants[p].name.clone(),
            None => edition.name.clone(),
        },
    }
}

/// A jury average as people read it: two decimals, a decimal comma in French.
pub(crate) fn average_words(l: Language, average: f64) -> String {
    let text = format!("{average:.2}");
    match l {
        Language::Fr => text.replace('.', ","),
        Language::En => text,
    }
}
