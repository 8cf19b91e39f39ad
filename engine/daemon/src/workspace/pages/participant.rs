//! `/editions/{id}/participants/{participant}`: one participant.

use super::*;

/// `/editions/{id}/participants/{participant}`: their stages, indicators
/// against targets, decisions, and the messages about them.
pub async fn participant<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((id, pid)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let Some((edition, access)) = signed.viewer.edition(&id) else {
        return not_found(&signed);
    };
    let (edition, access) = (edition.clone(), access.clone());
    let read = match read(&site, &workspace, &edition, Outbox::Whole).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    // Those who applied through the call are in the log's edition.
    let edition = read.state.shared_edition().clone();
    let Some(p) = edition.participants.iter().position(|x| x.id == pid) else {
        return not_found(&signed);
    };
    if !access.sees_participant(&edition, p) {
        return not_found(&signed);
    }
    let l = signed.viewer.language;
    let now = site.clock.now();
    let participant = &edition.participants[p];
    let title = participant.name.clone();
    let edition_name = format!("{} — {}", edition.programme_name, edition.name);
    let edition_name = if access.coordination {
        format!(
            "<a href=\"/editions/{}\">{}</a>",
            encode(&edition.id),
            escape(&edition_name)
        )
    } else {
        escape(&edition_name)
    };
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{edition_name} · {}</p>\n",
        escape(&title),
        escape(&status_words(&read.state, p, l)),
    );
    if let Some(description) = &participant.description {
        body.push_str(&para(description));
    }
    body.push_str(&crate::workspace::call::application_section(
        &read.state,
        p,
        l,
    ));
    if access.coordination && read.state.closed().is_none() && !read.state.participant(p).is_out() {
        body.push_str(&format!(
            "<p class=\"actions\"><a href=\"/editions/{}/actions/withdraw?participant={}\">{}</a></p>\n",
            encode(&edition.id),
            encode(&participant.id),
            escape(&plain(l, "ws-verb-withdraw"))
        ));
    }
    body.push_str(&format!(
        "<h2>{}</h2>\n<ul class=\"cards\">\n",
        escape(&plain(l, "ws-stages"))
    ));
    let mut indicators = String::new();
    for instance in read
        .state
        .instances()
        .iter()
        .filter(|i| i.participant == Some(p))
    {
        body.push_str(&instance_card(
            &read,
            instance,
            &access,
            now,
            l,
            CardOn::ParticipantPage,
        ));
        let stage = &edition.stages[instance.stage];
        for (i, indicator) in stage.indicators.iter().enumerate() {
            let values: Vec<String> = instance
                .indicators
                .iter()
                .filter(|v| v.indicator == i)
                .map(|v| format!("{} ({})", v.value, short_local(&edition, v.at)))
                .collect();
            indicators.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&indicator.indicator),
                escape(indicator.target.as_deref().unwrap_or("—")),
                escape(&if values.is_empty() {
                    "—".to_owned()
                } else {
                    values.join(", ")
                }),
            ));
        }
    }
    body.push_str("</ul>\n");
    if !indicators.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n{}<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n{indicators}</table></div>\n",
            escape(&plain(l, "ws-indicators")),
            scroll_box(&plain(l, "ws-indicators")),
            escape(&plain(l, "ws-indicator")),
            escape(&plain(l, "ws-target")),
            escape(&plain(l, "ws-recorded")),
        ));
    }
    let about: Vec<&OutboxEntry> = read
        .outbox
        .iter()
        .filter(|e| match Payload::read(e) {
            Ok(Payload::Action(action)) => action.participant == Some(p),
            _ => false,
        })
        .collect();
    body.push_str(&format!(
        "<h2>{}</h2>\n",
        escape(&plain(l, "ws-messages-title"))
    ));
    body.push_str(&message_table(&read.state, &about, access.coordination, l));
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}
