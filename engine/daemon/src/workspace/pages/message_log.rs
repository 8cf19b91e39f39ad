//! The messages of an edition, and one of them as it was written.

use super::*;

/// The delivery state of a message in words.
pub(super) fn delivery_words(status: Delivery, l: Language) -> String {
    plain(
        l,
        match status {
            Delivery::Pending => "ws-delivery-pending",
            Delivery::Retry => "ws-delivery-retry",
            Delivery::Held => "ws-delivery-held",
            Delivery::Sent => "ws-delivery-sent",
            Delivery::Failed => "ws-delivery-failed",
            Delivery::Expired => "ws-delivery-expired",
        },
    )
}

/// Who a message goes to, by name.
pub(super) fn recipient_name(edition: &Edition, recipient: &str) -> String {
    if let Some(id) = recipient.strip_prefix("person:") {
        if let Some(person) = edition.people.iter().find(|p| p.id == id) {
            return person.name.clone();
        }
    }
    if let Some(id) = recipient.strip_prefix("contact:") {
        if let Some(p) = edition.participants.iter().find(|p| p.id == id) {
            return p.contact_name.clone().unwrap_or_else(|| p.name.clone());
        }
    }
    recipient.to_owned()
}

/// A message of the engine in words: its kind (an invitation sent again
/// after a postponement says so), then which stage it is about, and whose.
pub(super) fn action_words(action: &jalon_core::Action, l: Language) -> String {
    let update = matches!(
        action.detail,
        jalon_core::Detail::Invitation { sequence, .. } if sequence > 0
    );
    let kind = action.kind.as_str();
    if update {
        kind_words(&format!("{kind}_update"), l)
    } else {
        kind_words(kind, l)
    }
}

/// A message's kind in words.
pub(super) fn kind_words(kind: &str, l: Language) -> String {
    let id = format!("ws-kind-{}", kind.replace('_', "-"));
    let words = plain(l, &id);
    if words == id {
        kind.to_owned()
    } else {
        words
    }
}

pub(super) fn message_table(
    state: &EditionState,
    entries: &[&OutboxEntry],
    open: bool,
    l: Language,
) -> String {
    let edition = state.edition();
    if entries.is_empty() {
        return para(&plain(l, "ws-no-messages"));
    }
    let mut table = format!(
        "{}<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        scroll_box(&plain(l, "ws-messages-title")),
        escape(&plain(l, "ws-when")),
        escape(&plain(l, "ws-what")),
        escape(&plain(l, "ws-to")),
        escape(&plain(l, "ws-delivery")),
    );
    for entry in entries {
        let mut what = kind_words(&entry.kind, l);
        // Which stage (and whose) the message is about.
        if let Ok(Payload::Action(action)) = Payload::read(entry) {
            what = action_words(&action, l);
            let known = action.stage < edition.stages.len()
                && action
                    .participant
                    .is_none_or(|p| p < edition.participants.len());
            if known {
                what = format!(
                    "{what} · {}",
                    instance_title(edition, action.stage, action.participant)
                );
            }
        }
        let what = if open {
            format!(
                "<a href=\"/editions/{}/message?key={}\">{}</a>",
                encode(&edition.id),
                encode(&entry.key),
                escape(&what)
            )
        } else {
            escape(&what)
        };
        table.push_str(&format!(
            "<tr><td>{}</td><td>{what}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&short_local(edition, entry.due_at)),
            escape(&recipient_name(edition, &entry.recipient)),
            escape(&delivery_words(entry.status, l)),
        ));
    }
    table.push_str("</table></div>\n");
    table
}

/// `/editions/{id}/messages`: every message, newest first.
pub async fn messages<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let (signed, edition, _) = match coordinated(&site, &workspace, &headers, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let read = match read(&site, &workspace, &edition, Outbox::Whole).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let l = signed.viewer.language;
    let title = format!("{} — {}", plain(l, "ws-messages-title"), edition.name);
    let mut entries: Vec<&OutboxEntry> = read.outbox.iter().collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.due_at));
    let total = entries.len();
    entries.truncate(MESSAGES_SHOWN);
    let mut body = format!(
        "<h1>{}</h1>\n<p><a href=\"/editions/{}\">{}</a></p>\n",
        escape(&title),
        encode(&edition.id),
        escape(&edition.name)
    );
    if total > MESSAGES_SHOWN {
        body.push_str(&para(&text(
            l,
            "ws-newest-only",
            &Args::new()
                .number("shown", MESSAGES_SHOWN)
                .number("count", total),
        )));
    }
    body.push_str(&message_table(&read.state, &entries, true, l));
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// `/editions/{id}/message?key=…`: one message as it was (or will be)
/// written, its delivery attempts and the server's answers. The email is
/// shown as text, never as HTML.
pub async fn message<B: Backend>(
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
    let key = query
        .as_deref()
        .and_then(|q| field(q.as_bytes(), "key"))
        .unwrap_or_default();
    let read = match read(&site, &workspace, &edition, Outbox::Whole).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    // Applicants are in the log's edition.
    let edition = read.state.shared_edition().clone();
    let Some(entry) = read.outbox.iter().find(|e| e.key == key).cloned() else {
        return not_found(&signed);
    };
    let backend = site.backend.clone();
    let for_attempts = key.clone();
    let attempts = site
        .blocking(move || -> Vec<(String, String, Option<String>)> {
            match backend.open_read_only() {
                Ok(Some(store)) => store.attempts(&for_attempts).unwrap_or_default(),
                _ => Vec::new(),
            }
        })
        .await
        .unwrap_or_default();
    let l = signed.viewer.language;
    let title = match Payload::read(&entry) {
        Ok(Payload::Action(action)) => action_words(&action, l),
        _ => kind_words(&entry.kind, l),
    };
    let mut body = format!(
        "<h1>{}</h1>\n<p><a href=\"/editions/{}/messages\">{}</a></p>\n<p>{} · {} · {}</p>\n",
        escape(&title),
        encode(&edition.id),
        escape(&plain(l, "ws-messages-title")),
        escape(&short_local(&edition, entry.due_at)),
        escape(&recipient_name(&edition, &entry.recipient)),
        escape(&delivery_words(entry.status, l)),
    );
    if let Ok(Payload::Action(action)) = Payload::read(&entry) {
        let rendered = compose::templates(&edition)
            .ok()
            .and_then(|t| compose::render(&t, &read.state, &action, None).ok());
        if let Some(rendered) = rendered {
            body.push_str(&format!(
                "<h2>{}</h2>\n<pre>{}</pre>\n",
                escape(&rendered.subject),
                escape(&rendered.body)
            ));
        }
    }
    if !attempts.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n{}<table>\n",
            escape(&plain(l, "ws-attempts")),
            scroll_box(&plain(l, "ws-attempts"))
        ));
        for (at, outcome, detail) in attempts {
            // When, as the pages write it; the outcome in words; the
            // server's own answer as it gave it.
            let at = at
                .parse::<Timestamp>()
                .map_or(at, |t| short_local(&edition, t));
            let outcome = [
                Delivery::Pending,
                Delivery::Retry,
                Delivery::Sent,
                Delivery::Failed,
                Delivery::Expired,
                Delivery::Held,
            ]
            .into_iter()
            .find(|d| d.as_str() == outcome)
            .map_or(outcome, |d| delivery_words(d, l));
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&at),
                escape(&outcome),
                escape(detail.as_deref().unwrap_or(""))
            ));
        }
        body.push_str("</table></div>\n");
    }
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}
