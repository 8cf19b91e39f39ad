//! The audit trail of an edition.

use super::*;

/// `/editions/{id}/journal[?stage=…&participant=…]`: who did what, when,
/// through which channel; newest first.
pub async fn journal<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (signed, edition, _) = match coordinated(&site, &workspace, &headers, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let read = match read(&site, &workspace, &edition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    // Applicants are in the log's edition.
    let edition = read.state.shared_edition().clone();
    let query = query.unwrap_or_default();
    let stage_filter = field(query.as_bytes(), "stage").filter(|s| !s.is_empty());
    let participant_filter = field(query.as_bytes(), "participant").filter(|s| !s.is_empty());
    let l = signed.viewer.language;
    let title = format!("{} — {}", plain(l, "ws-journal-title"), edition.name);
    let mut body = format!(
        "<h1>{}</h1>\n<p><a href=\"/editions/{}\">{}</a></p>\n",
        escape(&title),
        encode(&edition.id),
        escape(&edition.name)
    );
    body.push_str(&format!(
        "<form method=\"get\"><label for=\"stage\">{}</label><select id=\"stage\" name=\"stage\"><option value=\"\">—</option>",
        escape(&plain(l, "ws-stage"))
    ));
    for stage in &edition.stages {
        let selected = if stage_filter.as_deref() == Some(&stage.id) {
            " selected"
        } else {
            ""
        };
        body.push_str(&format!(
            "<option value=\"{}\"{selected}>{}</option>",
            escape(&stage.id),
            escape(&stage.title)
        ));
    }
    body.push_str(&format!(
        "</select><label for=\"participant\">{}</label><select id=\"participant\" name=\"participant\"><option value=\"\">—</option>",
        escape(&plain(l, "ws-participant"))
    ));
    for participant in &edition.participants {
        let selected = if participant_filter.as_deref() == Some(&participant.id) {
            " selected"
        } else {
            ""
        };
        body.push_str(&format!(
            "<option value=\"{}\"{selected}>{}</option>",
            escape(&participant.id),
            escape(&participant.name)
        ));
    }
    body.push_str(&format!(
        "</select><p><button type=\"submit\">{}</button></p></form>\n",
        escape(&plain(l, "ws-filter"))
    ));
    let voided = jalon_runtime::replay::voided(&read.history, None);
    let mut rows = String::new();
    let mut shown = 0;
    for stored in read.history.events.iter().rev() {
        let value = serde_json::to_value(&stored.event).unwrap_or_default();
        let of = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        if stage_filter.is_some() && of("stage") != stage_filter {
            continue;
        }
        if participant_filter.is_some()
            && of("participant") != participant_filter
            && !value
                .get("participants")
                .and_then(|v| v.as_array())
                .is_some_and(|a| {
                    a.iter()
                        .any(|v| v.as_str() == participant_filter.as_deref())
                })
        {
            continue;
        }
        shown += 1;
        if shown > EVENTS_SHOWN {
            break;
        }
        // A person's name, or a participant's contact's (recorded by address).
        let who = jalon_runtime::hand_in::handed_in_by(&edition, &stored.event.by);
        let mut what = plain(l, &format!("ws-verb-{}", stored.event.kind.verb()));
        if let Some(stage) = of("stage").and_then(|s| edition.stages.iter().find(|x| x.id == s)) {
            what = format!("{what} · {}", stage.title);
        }
        if let Some(p) =
            of("participant").and_then(|s| edition.participants.iter().find(|x| x.id == s))
        {
            what = format!("{what} · {}", p.name);
        }
        let said = of("comment")
            .or(of("reason"))
            .or(of("value"))
            .or(of("outcome"));
        let is_void = matches!(stored.event.kind, jalon_core::EventKind::Void { .. });
        let mark = if voided.contains(&stored.seq) {
            format!(
                " <span class=\"tag\">{}</span>",
                escape(&plain(l, "ws-voided"))
            )
        } else if is_void {
            String::new()
        } else {
            // Cancelling a mistake starts from the mistake: the form comes
            // with its number (and still shows what it would undo first).
            format!(
                "<span class=\"actions\"><a href=\"/editions/{}/actions/void?seq={}\">{}</a></span>",
                encode(&edition.id),
                stored.seq,
                escape(&plain(l, "ws-void-this"))
            )
        };
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{}{mark}</td><td>{}</td></tr>\n",
            stored.seq,
            escape(&short_local(&edition, stored.event.at)),
            escape(&who),
            escape(&what),
            said.map(|s| format!(
                "<br><span class=\"muted\">{}</span>",
                escape(&quoted(l, &s))
            ))
            .unwrap_or_default(),
            escape(&plain(
                l,
                &format!("ws-channel-{}", channel(stored.event.channel))
            )),
        ));
    }
    if rows.is_empty() {
        body.push_str(&para(&plain(l, "ws-no-events")));
    } else {
        body.push_str(&format!(
            "{}<table>\n<tr><th>n°</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n{rows}</table></div>\n",
            scroll_box(&plain(l, "ws-journal-title")),
            escape(&plain(l, "ws-when")),
            escape(&plain(l, "ws-who")),
            escape(&plain(l, "ws-what")),
            escape(&plain(l, "ws-channel")),
        ));
    }
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

pub(super) fn channel(channel: jalon_core::Channel) -> &'static str {
    use jalon_core::Channel as C;
    match channel {
        C::Cli => "cli",
        C::Link => "link",
        C::Api => "api",
        C::Script => "script",
        C::Import => "import",
        C::Web => "web",
    }
}
