//! `/editions/{id}`: the coordination's page of an edition.

use super::*;

/// `/editions/{id}`: the timeline, every stage with its actions, the
/// participants. The coordination's page.
pub async fn edition<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let (signed, edition, access) = match coordinated(&site, &workspace, &headers, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let read = match read(&site, &workspace, &edition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let l = signed.viewer.language;
    let now = site.clock.now();
    let title = format!("{} — {}", edition.programme_name, edition.name);
    // The same for every coordinator reading in `l` until something is
    // recorded or the minute turns: rendered once, off the HTTP thread.
    let body = match workspace.pages.get(&edition, read.seq, l, now) {
        Some(body) => body,
        None => {
            let (workspace, edition) = (workspace.clone(), edition.clone());
            let rendered = site
                .blocking(move || {
                    let body = Arc::new(edition_body(&read, &access, now, l));
                    workspace
                        .pages
                        .put(&edition, read.seq, l, now, body.clone());
                    body
                })
                .await;
            match rendered {
                Ok(body) => body,
                Err(_) => return sign_in::trouble(),
            }
        }
    };
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// The body of an edition's page.
pub(super) fn edition_body(read: &Read, access: &Access, now: Timestamp, l: Language) -> String {
    let state = &read.state;
    let edition = state.edition();
    let title = format!("{} — {}", edition.programme_name, edition.name);
    let base = format!("/editions/{}", encode(&edition.id));
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{}</p>\n",
        escape(&title),
        escape(&text(
            l,
            "ws-window",
            &Args::new()
                .text("start", day(l, edition.start))
                .text("due", day(l, edition.end))
        ))
    );
    if let Some(closure) = state.closed() {
        body.push_str(&format!(
            "<p><strong>{}</strong></p>\n",
            escape(&text(
                l,
                "ws-edition-closed",
                &Args::new()
                    .text("at", short_local(edition, closure.at))
                    .text("reason", closure.reason.clone())
            ))
        ));
    }
    // Where to read more, apart from what changes the edition (at the end).
    body.push_str(&format!(
        "<nav aria-label=\"{}\"><p class=\"actions\"><a href=\"{base}/messages\">{}</a><a href=\"{base}/journal\">{}</a></p></nav>\n",
        escape(&plain(l, "ws-edition-pages")),
        escape(&plain(l, "ws-messages-title")),
        escape(&plain(l, "ws-journal-title")),
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n{}",
        escape(&plain(l, "ws-timeline")),
        crate::timeline::timeline(state, now, l)
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n<ul class=\"cards\">\n",
        escape(&plain(l, "ws-stages"))
    ));
    let mut instances: Vec<_> = state.instances().iter().collect();
    instances.sort_by_key(|i| (i.window.start, i.stage, i.participant));
    let mut summarised = std::collections::BTreeSet::new();
    for instance in &instances {
        let of_stage = || instances.iter().filter(|i| i.stage == instance.stage);
        if summarised.contains(&instance.stage) {
            continue;
        }
        if instance.participant.is_some() && of_stage().count() > CARDS_PER_STAGE {
            summarised.insert(instance.stage);
            body.push_str(&stage_summary(
                read,
                &of_stage().copied().collect::<Vec<_>>(),
                access,
                now,
                l,
            ));
        } else {
            body.push_str(&instance_card(read, instance, access, now, l, CardOn::List));
        }
    }
    body.push_str(&format!(
        "</ul>\n<h2>{}</h2>\n<ul>\n",
        escape(&plain(l, "ws-participants"))
    ));
    body.push_str(&crate::workspace::call::applications_summary(state, l));
    for (p, participant) in edition.participants.iter().enumerate() {
        body.push_str(&format!(
            "<li><a href=\"{base}/participants/{}\">{}</a> <span class=\"muted\">{}</span></li>\n",
            encode(&participant.id),
            escape(&participant.name),
            escape(&status_words(state, p, l)),
        ));
    }
    body.push_str("</ul>\n");
    body.push_str(&format!(
        "<h2>{}</h2>\n<p class=\"actions\">",
        escape(&plain(l, "ws-edition-acts"))
    ));
    if state.closed().is_none() {
        body.push_str(&format!(
            "<a href=\"{base}/actions/close\">{}</a>",
            escape(&plain(l, "ws-verb-close"))
        ));
    }
    body.push_str(&format!(
        "<a href=\"{base}/actions/void\">{}</a></p>\n",
        escape(&plain(l, "ws-verb-void"))
    ));
    body
}
