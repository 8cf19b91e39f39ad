//! What an act would do, shown before it is confirmed: what was typed,
//! what moves, the messages it sends; and refusals in the reader's words.

use super::*;

/// What the person typed and chose, as the preview recalls it before they
/// confirm: `Motif : « salle indisponible »`.
pub(super) fn recap(target: &Target, given: &Fields, l: Language) -> String {
    let edition = &target.edition;
    let stage = target.stage.map(|s| &edition.stages[s]);
    let value = |name: &str| given.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let quoted = |v: &str| quoted(l, v);
    let colon = colon(l);
    let date = |v: &str| v.parse::<Date>().map_or(v.to_owned(), |d| day(l, d));
    let fields: Vec<(&str, Option<String>)> = match target.verb {
        Verb::Complete | Verb::Approve => vec![("ws-recap-comment", value("comment").map(quoted))],
        Verb::Refuse => vec![("ws-recap-changes", value("comment").map(quoted))],
        Verb::Postpone => vec![
            ("ws-recap-start", value("start").map(date)),
            ("ws-recap-due", value("due").map(date)),
            ("ws-recap-reason", value("reason").map(quoted)),
        ],
        Verb::Decide => vec![
            (
                "ws-recap-outcome",
                value("outcome").map(|id| {
                    stage
                        .and_then(|s| s.outcomes.iter().find(|o| o.id == id))
                        .map_or(id.to_owned(), |o| o.title.clone())
                }),
            ),
            ("ws-recap-comment", value("comment").map(quoted)),
        ],
        Verb::Record => vec![
            (
                "ws-recap-indicator",
                value("indicator").map(|id| {
                    stage
                        .and_then(|s| s.indicators.iter().find(|i| i.id == id))
                        .map_or(id.to_owned(), |i| i.indicator.clone())
                }),
            ),
            ("ws-recap-value", value("value").map(str::to_owned)),
        ],
        Verb::Select => {
            let names: Vec<String> = given
                .iter()
                .filter(|(_, v)| v.as_str() == "on")
                .filter_map(|(k, _)| k.strip_prefix("retain:"))
                .map(|id| {
                    edition
                        .participants
                        .iter()
                        .find(|p| p.id == id)
                        .map_or(id.to_owned(), |p| p.name.clone())
                })
                .collect();
            vec![("ws-recap-retained", Some(names.join(", ")))]
        }
        Verb::Withdraw | Verb::Close | Verb::Adjourn => {
            vec![("ws-recap-reason", value("reason").map(quoted))]
        }
        Verb::Void => vec![
            ("ws-recap-seq", value("seq").map(|n| format!("n°\u{a0}{n}"))),
            ("ws-recap-reason", value("reason").map(quoted)),
        ],
    };
    let lines: String = fields
        .into_iter()
        .filter_map(|(id, v)| v.map(|v| (id, v)))
        .map(|(id, v)| format!("<li>{}{colon} {}</li>\n", escape(&plain(l, id)), escape(&v)))
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("<ul>\n{lines}</ul>\n")
    }
}

/// A refusal as the workspace's reader reads it: the instance by its
/// title (the engine names it by ids, for the operator's command line),
/// times as the pages write them.
pub(super) fn readable(rejection: &Rejection, target: &Target, l: Language) -> Rejection {
    let edition = &target.edition;
    let ids = target.stage.map(|s| {
        let stage = &edition.stages[s].id;
        match target.participant {
            Some(p) => format!("{stage} for {}", edition.participants[p].id),
            None => stage.clone(),
        }
    });
    let title = subject_of(target);
    let rename = |what: &mut String| {
        if ids.as_deref() == Some(what.as_str()) {
            what.clone_from(&title);
        }
    };
    let when = |at: &mut String| {
        if let Ok(time) = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", at.as_str()) {
            *at = match l {
                Language::Fr => time.strftime("%d/%m/%Y à %H:%M"),
                Language::En => time.strftime("%-d %b %Y at %H:%M"),
            }
            .to_string();
        }
    };
    let mut readable = rejection.clone();
    match &mut readable {
        Rejection::WrongState { what, state, .. } => {
            rename(what);
            if let InstanceState::AwaitingValidation { since } | InstanceState::Done { since } =
                state
            {
                when(since);
            }
        }
        Rejection::NotAValidator { what, .. } => rename(what),
        Rejection::AlreadyApproved { what, at, .. } => {
            rename(what);
            when(at);
        }
        _ => {}
    }
    readable
}

/// An instance's window, short, or « dates à fixer ».
fn window_dates(l: Language, window: jalon_core::windows::Window) -> String {
    if window.to_be_fixed {
        return plain(l, "ws-to-be-fixed");
    }
    dates(l, window.start, window.due)
}

/// A window, short: one day, or the first and the last.
pub(super) fn dates(l: Language, start: Date, due: Date) -> String {
    if start == due {
        day(l, start)
    } else {
        format!("{} – {}", day(l, start), day(l, due))
    }
}

/// What the act would send and change, and the button that records it.
pub(super) fn preview_page(
    signed: &Signed,
    target: &Target,
    given: &Fields,
    preview: &Preview,
) -> String {
    let l = signed.viewer.language;
    let edition = &target.edition;
    let verb = target.verb.as_str();
    let title = plain(l, &format!("ws-verb-{verb}"));
    let mut body = format!(
        "<h1>{}</h1>\n<p><strong>{}</strong></p>\n{}<p>{}</p>\n",
        escape(&title),
        escape(&subject_of(target)),
        recap(target, given, l),
        escape(&plain(l, "ws-preview-lead"))
    );
    // Windows that move.
    let mut moved = String::new();
    for after in preview.after.instances() {
        let Some(before) = preview.before.instance_of(after.stage, after.participant) else {
            continue;
        };
        let changed = before.window != after.window;
        let now_skipped = !matches!(before.progress, jalon_core::Progress::Skipped { .. })
            && matches!(after.progress, jalon_core::Progress::Skipped { .. });
        if changed {
            moved.push_str(&format!(
                "<li>{}{} {} → {}</li>\n",
                escape(&instance_title(edition, after.stage, after.participant)),
                colon(l),
                escape(&window_dates(l, before.window)),
                escape(&window_dates(l, after.window)),
            ));
        } else if now_skipped {
            moved.push_str(&format!(
                "<li>{}{} {}</li>\n",
                escape(&instance_title(edition, after.stage, after.participant)),
                colon(l),
                escape(&plain(l, "ws-life-skipped"))
            ));
        }
    }
    if !moved.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n{}</ul>\n",
            escape(&plain(l, "ws-preview-moves")),
            moved
        ));
    }
    let templates = messages::templates(edition).ok();
    if preview.due.is_empty() {
        body.push_str(&para(&plain(l, "ws-preview-no-message")));
    } else {
        body.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n",
            escape(&text(
                l,
                "ws-preview-messages",
                &Args::new().number("count", preview.due.len())
            ))
        ));
        for action in &preview.due {
            let to = messages::mailbox(edition, action.recipient)
                .map(|m| if m.name.is_empty() { m.email } else { m.name })
                .unwrap_or_default();
            let subject = templates
                .as_ref()
                .and_then(|t| messages::render(t, &preview.after, action, None).ok())
                .map(|r| r.subject)
                .unwrap_or_else(|| action.kind.as_str().to_owned());
            body.push_str(&format!(
                "<li>{} — <span class=\"muted\">{}</span></li>\n",
                escape(&subject),
                escape(&to)
            ));
        }
        body.push_str("</ul>\n");
    }
    if !preview.withdrawn.is_empty() {
        body.push_str(&para(&text(
            l,
            "ws-preview-withdrawn",
            &Args::new().number("count", preview.withdrawn.len()),
        )));
    }
    let extra: Vec<(&str, &str)> = given
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "stage" | "participant" | "step"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    body.push_str(&format!(
        "<form method=\"post\" action=\"/editions/{}/actions/{verb}\">\n{}\
         <input type=\"hidden\" name=\"step\" value=\"confirm\">\n\
         <p class=\"actions\"><button class=\"primary\" type=\"submit\">{}</button> <a href=\"{}\">{}</a></p>\n</form>\n",
        encode(&edition.id),
        hidden(signed, target, &extra),
        escape(&plain(l, "ws-confirm")),
        back(target),
        escape(&plain(l, "ws-cancel"))
    ));
    frame(l, &title, Some(signed), &body)
}
