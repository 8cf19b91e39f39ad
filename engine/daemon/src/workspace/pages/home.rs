//! `/`: what awaits the signed-in person, then their editions.

use super::*;

/// `/`: what awaits the signed-in person, then their editions.
pub async fn home<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let l = signed.viewer.language;
    let now = site.clock.now();
    let title = plain(l, "ws-waiting-title");
    let mut body = format!(
        "<h1>{}</h1>\n",
        escape(&text(
            l,
            "ws-hello",
            &Args::new().text("name", signed.viewer.name.clone())
        ))
    );
    let mut waiting = String::new();
    let mut lists = [String::new(), String::new(), String::new()];
    for (edition, access) in &signed.viewer.editions {
        if access.is_empty() {
            continue;
        }
        let read = match read(
            &site,
            &workspace,
            edition,
            if access.coordination {
                Outbox::Alerts
            } else {
                Outbox::None
            },
        )
        .await
        {
            Ok(read) => read,
            Err(response) => return response,
        };
        waiting.push_str(&awaiting(&read, access, now, l));
        let today = now.to_zoned(edition.time_zone.clone()).date();
        let (which, word) = if read.state.closed().is_some() || today > edition.end {
            (2, "ws-closed")
        } else if today < edition.start {
            (1, "ws-upcoming")
        } else {
            (0, "ws-running")
        };
        let name = format!("{} — {}", edition.programme_name, edition.name);
        let mut entry = if access.coordination {
            format!(
                "<a href=\"/editions/{}\">{}</a>",
                encode(&edition.id),
                escape(&name)
            )
        } else {
            escape(&name)
        };
        // A contact's way to their own page, whatever awaits them.
        if !access.coordination {
            for &p in &access.contact_of {
                entry.push_str(&format!(
                    " · <a href=\"/editions/{}/participants/{}\">{}</a>",
                    encode(&edition.id),
                    encode(&edition.participants[p].id),
                    escape(&edition.participants[p].name)
                ));
            }
        }
        lists[which].push_str(&format!(
            "<li>{entry} <span class=\"muted\">{} · {}</span></li>\n",
            escape(&plain(l, word)),
            escape(&text(
                l,
                "ws-window",
                &Args::new()
                    .text("start", day(l, edition.start))
                    .text("due", day(l, edition.end))
            ))
        ));
    }
    body.push_str(&format!("<h2>{}</h2>\n", escape(&title)));
    if waiting.is_empty() {
        body.push_str(&para(&plain(l, "ws-nothing-waiting")));
    } else {
        body.push_str(&format!("<ul class=\"cards\">\n{waiting}</ul>\n"));
    }
    for (list, heading) in lists.iter().zip([
        "ws-running-editions",
        "ws-upcoming-editions",
        "ws-closed-editions",
    ]) {
        if !list.is_empty() {
            body.push_str(&format!(
                "<h2>{}</h2>\n<ul>\n{list}</ul>\n",
                escape(&plain(l, heading))
            ));
        }
    }
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// What in one edition awaits this reader.
pub(super) fn awaiting(read: &Read, access: &Access, now: Timestamp, l: Language) -> String {
    let state = &read.state;
    let edition = state.edition();
    if state.closed().is_some() {
        return String::new();
    }
    let mut cards = String::new();
    let mut shown = 0;
    let mut instances: Vec<_> = state.instances().iter().collect();
    instances.sort_by_key(|i| (i.window.due, i.stage, i.participant));
    for instance in instances {
        if instance.is_settled() {
            continue;
        }
        let (life, late) = state.lifecycle(instance, now);
        let mine = if access.coordination {
            late || life == Lifecycle::AwaitingValidation
        } else if life == Lifecycle::AwaitingValidation {
            access.person.is_some_and(|p| {
                access
                    .validates
                    .covers(instance.stage, instance.participant)
                    && awaited_validators(state, instance).contains(&p)
            })
        } else if matches!(life, Lifecycle::Open) {
            instance
                .participant
                .is_some_and(|p| access.contact_of.contains(&p))
                || access.jury.contains(&instance.stage)
                || (access.owns.covers(instance.stage, instance.participant)
                    && !edition.stages[instance.stage].deliverables.is_empty())
        } else {
            false
        };
        if mine {
            shown += 1;
            if shown <= ATTENTION_SHOWN {
                cards.push_str(&instance_card(read, instance, access, now, l, CardOn::List));
            }
        }
    }
    if shown > ATTENTION_SHOWN {
        cards.push_str(&format!(
            "<li>{}</li>\n",
            escape(&text(
                l,
                "ws-more",
                &Args::new().number("count", shown - ATTENTION_SHOWN)
            ))
        ));
    }
    if access.coordination {
        let (held, failed) = read.alerts;
        for (count, id) in [(held, "ws-held"), (failed, "ws-failed")] {
            if count > 0 {
                cards.push_str(&format!(
                    "<li><a href=\"/editions/{}/messages\">{}</a></li>\n",
                    encode(&edition.id),
                    escape(&text(
                        l,
                        id,
                        &Args::new()
                            .number("count", count)
                            .text("edition", edition.name.clone())
                    ))
                ));
            }
        }
    }
    cards
}
