//! `/editions/{id}/jury/{stage}`: a jury in the workspace. Each juror
//! scores the candidates assigned to them, criterion by criterion on the
//! jury's scale, with a comment, and may change their scores until the
//! jury's due date; they see no one else's scores before the jury closes.
//! The coordination sees who has scored what, the weighted ranking, the
//! spread between jurors and any tie, then retains (the `select` action).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jalon_core::{Channel, Event, EventKind, Progress, State as EditionState};
use jalon_definition::resolved::{Edition, Language};
use jalon_runtime::compose::messages::date_in;
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::record::{record, RecordError};
use jalon_runtime::texts::{self, plain, text, Args};
use jalon_store::Backend;
use tracing::{info, warn};

use super::access::Access;
use super::actions::average_words;
use super::html::{encode, frame, para, redirect, scroll_box};
use super::pages::{not_found, read, Outbox};
use super::{form_is_theirs, signed, Signed, Workspace};
use crate::link_routes::{field, LONGEST_COMMENT};
use crate::response::{escape, respond};
use crate::site::Site;

/// The jury stage a request is about, and who asks.
struct Jury {
    edition: Arc<Edition>,
    access: Access,
    stage: usize,
}

fn jury_of(signed: &Signed, id: &str, stage_id: &str) -> Option<Jury> {
    let (edition, access) = signed.viewer.edition(id)?;
    let stage = edition.stages.iter().position(|s| s.id == stage_id)?;
    edition.stages[stage].jury.as_ref()?;
    (access.coordination || access.jury.contains(&stage)).then(|| Jury {
        edition: edition.clone(),
        access: access.clone(),
        stage,
    })
}

/// `GET /editions/{id}/jury/{stage}`.
pub async fn page<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((id, stage_id)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let Some(jury) = jury_of(&signed, &id, &stage_id) else {
        return not_found(&signed);
    };
    show(&site, &workspace, &signed, &jury, None, StatusCode::OK).await
}

async fn show<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    signed: &Signed,
    jury: &Jury,
    error: Option<(&str, String)>,
    status: StatusCode,
) -> Response {
    let read = match read(site, workspace, &jury.edition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let html = render(&read.state, signed, jury, error, site.clock.now());
    respond(status, html)
}

fn render(
    state: &EditionState,
    signed: &Signed,
    jury: &Jury,
    error: Option<(&str, String)>,
    now: jiff::Timestamp,
) -> String {
    let l = signed.viewer.language;
    let edition = state.edition();
    let stage = &edition.stages[jury.stage];
    let title = stage.title.clone();
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{} — {}</p>\n",
        escape(&title),
        escape(&edition.programme_name),
        escape(&edition.name)
    );
    let Some(i) = state.index_of(jury.stage, None) else {
        body.push_str(&para(&plain(l, "ws-jury-not-yet")));
        return frame(l, &title, Some(signed), &body);
    };
    let instance = &state.instances()[i];
    let open = matches!(instance.progress, Progress::Active) && state.closed().is_none();
    body.push_str(&para(&text(
        l,
        if open {
            "ws-jury-until"
        } else {
            "ws-jury-closed"
        },
        &Args::new().text("due", date_in(l, instance.window.due)),
    )));
    if let Some((_, message)) = &error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            escape(message)
        ));
    }
    let me = jury.access.person.filter(|p| state.jurors(i).contains(p));
    if let Some(me) = me {
        body.push_str(&my_candidates(state, signed, jury, i, me, open, &error));
    }
    // The scores of all only once the jury is closed, but to the
    // coordination all along.
    if jury.access.coordination || !open {
        body.push_str(&ranking(state, jury, i, l));
    }
    if jury.access.coordination {
        body.push_str(&progress(state, i, l, now));
        if open {
            body.push_str(&format!(
                "<p class=\"actions\"><a href=\"/editions/{}/actions/select?stage={}\">{}</a></p>\n",
                encode(&edition.id),
                encode(&stage.id),
                escape(&plain(l, "ws-verb-select"))
            ));
        }
    }
    frame(l, &title, Some(signed), &body)
}

/// The juror's own candidates, each with its form (filled with their
/// scores so far).
fn my_candidates(
    state: &EditionState,
    signed: &Signed,
    jury: &Jury,
    i: usize,
    me: usize,
    open: bool,
    error: &Option<(&str, String)>,
) -> String {
    let l = signed.viewer.language;
    let edition = state.edition();
    let stage = &edition.stages[jury.stage];
    let Some(definition) = &stage.jury else {
        return String::new();
    };
    let instance = &state.instances()[i];
    let assigned = state.assigned(i, me);
    let missing = state.scores_missing(i, me).len();
    let mut html = format!(
        "<h2>{}</h2>\n{}<ul class=\"cards\">\n",
        escape(&plain(l, "ws-jury-mine")),
        para(&text(
            l,
            "ws-jury-count",
            &Args::new()
                .number("count", assigned.len())
                .number("missing", missing)
        ))
    );
    for p in assigned {
        let participant = &edition.participants[p];
        let mine = instance
            .scores
            .iter()
            .find(|s| s.member == me && s.participant == p);
        let anchor = format!("c-{}", participant.id);
        html.push_str(&format!(
            "<li id=\"{}\"><strong>{}</strong>",
            escape(&anchor),
            escape(&participant.name)
        ));
        if let Some(description) = &participant.description {
            html.push_str(&format!("<br>{}", escape(description)));
        }
        html.push_str(&format!(
            "<br><span class=\"tag\">{}</span>",
            escape(&match mine {
                Some(score) => text(
                    l,
                    "ws-jury-scored",
                    &Args::new().text("at", short_local(edition, score.at))
                ),
                None => plain(l, "ws-jury-to-score"),
            })
        ));
        if !open {
            html.push_str("</li>\n");
            continue;
        }
        html.push_str(&format!(
            "<form method=\"post\" action=\"/editions/{}/jury/{}#{}\">\n\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\n\
             <input type=\"hidden\" name=\"participant\" value=\"{}\">\n",
            encode(&edition.id),
            encode(&stage.id),
            escape(&anchor),
            escape(&signed.csrf),
            escape(&participant.id)
        ));
        let retried = error.as_ref().filter(|(who, _)| *who == participant.id);
        for (k, criterion) in definition.criteria.iter().enumerate() {
            let id = format!("s-{}-{}", participant.id, criterion.id);
            let value = mine
                .and_then(|s| s.values.get(k))
                .map(|v| v.to_string())
                .unwrap_or_default();
            let label = text(
                l,
                "ws-jury-criterion",
                &Args::new()
                    .text("title", criterion.title.clone())
                    .text("weight", weight_words(l, criterion.weight))
                    .text("min", definition.scale_min.to_string())
                    .text("max", definition.scale_max.to_string()),
            );
            html.push_str(&format!(
                "<label for=\"{id}\">{}</label>\n\
                 <input type=\"number\" id=\"{id}\" name=\"score:{}\" min=\"{}\" max=\"{}\" step=\"1\" required inputmode=\"numeric\" value=\"{}\">\n",
                escape(&label),
                escape(&criterion.id),
                definition.scale_min,
                definition.scale_max,
                escape(&value),
                id = escape(&id),
            ));
        }
        let comment_id = format!("comment-{}", participant.id);
        html.push_str(&format!(
            "<label for=\"{id}\">{}</label>\n\
             <textarea id=\"{id}\" name=\"comment\" rows=\"2\" maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n\
             <p><button type=\"submit\" class=\"primary\">{}</button></p>\n</form>",
            escape(&plain(l, "ws-field-comment-optional")),
            escape(mine.and_then(|s| s.comment.as_deref()).unwrap_or_default()),
            escape(&plain(
                l,
                if mine.is_some() || retried.is_some() {
                    "ws-jury-change"
                } else {
                    "ws-jury-save"
                }
            )),
            id = escape(&comment_id),
        ));
        html.push_str("</li>\n");
    }
    html.push_str("</ul>\n");
    html
}

fn weight_words(l: Language, weight: f64) -> String {
    let text = if weight.fract() == 0.0 {
        format!("{weight:.0}")
    } else {
        format!("{weight}")
    };
    match l {
        Language::Fr => text.replace('.', ","),
        Language::En => text,
    }
}

/// The weighted ranking: average, scores given over expected, the spread
/// between jurors, ties and the minimum marked.
fn ranking(state: &EditionState, jury: &Jury, i: usize, l: Language) -> String {
    let edition = state.edition();
    let stage = &edition.stages[jury.stage];
    let Some(definition) = &stage.jury else {
        return String::new();
    };
    let averages = state.averages(i);
    let mut html = format!("<h2>{}</h2>\n", escape(&plain(l, "ws-jury-ranking")));
    if averages.is_empty() {
        html.push_str(&para(&plain(l, "ws-jury-no-scores")));
        return html;
    }
    if let Some(minimum) = definition.minimum {
        html.push_str(&para(&text(
            l,
            "ws-jury-minimum",
            &Args::new().text("minimum", average_words(l, minimum)),
        )));
    }
    let expected: BTreeMap<usize, usize> =
        state.jurors(i).iter().fold(BTreeMap::new(), |mut m, &j| {
            for p in state.assigned(i, j) {
                *m.entry(p).or_default() += 1;
            }
            m
        });
    html.push_str(&scroll_box(&plain(l, "ws-jury-ranking")));
    html.push_str(&format!(
        "<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        escape(&plain(l, "ws-jury-rank")),
        escape(&plain(l, "ws-jury-candidate")),
        escape(&plain(l, "ws-jury-average")),
        escape(&plain(l, "ws-jury-scores")),
        escape(&plain(l, "ws-jury-spread")),
    ));
    for (rank, (p, average, count)) in averages.iter().enumerate() {
        let individual: Vec<f64> = state.instances()[i]
            .scores
            .iter()
            .filter(|s| s.participant == *p)
            .map(|s| s.weighted(definition))
            .collect();
        let spread = individual.iter().copied().fold(f64::MIN, f64::max)
            - individual.iter().copied().fold(f64::MAX, f64::min);
        let tied = averages
            .iter()
            .filter(|(_, a, _)| (a - average).abs() < 0.0005)
            .count()
            > 1;
        let mut notes = Vec::new();
        if tied {
            notes.push(plain(l, "ws-jury-tie"));
        }
        if definition.minimum.is_some_and(|m| *average < m) {
            notes.push(plain(l, "ws-jury-below"));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(
                " <span class=\"tag late\">{}</span>",
                escape(&notes.join(" · "))
            )
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}{notes}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            rank + 1,
            escape(&edition.participants[*p].name),
            escape(&average_words(l, *average)),
            escape(&format!(
                "{count}/{}",
                expected.get(p).copied().unwrap_or(*count)
            )),
            escape(&average_words(l, spread.max(0.0))),
        ));
    }
    html.push_str("</table></div>\n");
    html
}

/// Who has scored what, and who is late.
fn progress(state: &EditionState, i: usize, l: Language, now: jiff::Timestamp) -> String {
    let edition = state.edition();
    let (_, late) = state.lifecycle(&state.instances()[i], now);
    let mut html = format!("<h2>{}</h2>\n<ul>\n", escape(&plain(l, "ws-jury-progress")));
    for juror in state.jurors(i) {
        let assigned = state.assigned(i, juror).len();
        let missing = state.scores_missing(i, juror).len();
        let words = text(
            l,
            "ws-jury-juror",
            &Args::new()
                .text("name", edition.people[juror].name.clone())
                .number("given", assigned - missing)
                .number("count", assigned),
        );
        let tag = if missing > 0 && late {
            format!(
                " <span class=\"tag late\">{}</span>",
                escape(&plain(l, "ws-late"))
            )
        } else {
            String::new()
        };
        html.push_str(&format!("<li>{}{tag}</li>\n", escape(&words)));
    }
    html.push_str("</ul>\n");
    html
}

/// `POST /editions/{id}/jury/{stage}`: one juror's scores for one candidate.
pub async fn score<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((id, stage_id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    if !form_is_theirs(&signed, &workspace, &headers, &body) {
        return super::actions::forbidden(&signed);
    }
    let Some(jury) = jury_of(&signed, &id, &stage_id) else {
        return not_found(&signed);
    };
    let l = signed.viewer.language;
    let participant = field(&body, "participant").unwrap_or_default();
    let mut scores = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(&body) {
        if let Some(criterion) = key.strip_prefix("score:") {
            match value.trim().parse::<i64>() {
                Ok(v) => {
                    scores.insert(criterion.to_owned(), v);
                }
                Err(_) => {
                    let message = text(
                        l,
                        "ws-jury-not-a-number",
                        &Args::new().text("value", value.chars().take(20).collect::<String>()),
                    );
                    return show(
                        &site,
                        &workspace,
                        &signed,
                        &jury,
                        Some((&participant, message)),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await;
                }
            }
        }
    }
    let comment = field(&body, "comment")
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > LONGEST_COMMENT)
    {
        let message = plain(l, "ws-error-too-long");
        return show(
            &site,
            &workspace,
            &signed,
            &jury,
            Some((&participant, message)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let now = site.clock.now();
    let edition = jury.edition.clone();
    let event = Event {
        at: now,
        by: signed.viewer.actor_in(&edition),
        channel: Channel::Web,
        kind: EventKind::Score {
            stage: edition.stages[jury.stage].id.clone(),
            participant: participant.clone(),
            scores,
            comment,
        },
    };
    let backend = site.backend.clone();
    let for_record = event.clone();
    let written = site
        .blocking(move || -> Result<i64, RecordError> {
            let mut store = backend.open()?;
            record(&mut store, &edition, &for_record, now).map(|r| r.seq)
        })
        .await;
    match written {
        Ok(Ok(seq)) => {
            info!(edition = %jury.edition.id, by = %event.by, seq, "score recorded through the workspace");
            site.wake.notify_one();
            redirect(&format!(
                "/editions/{}/jury/{}#c-{}",
                encode(&jury.edition.id),
                encode(&stage_id),
                encode(&participant)
            ))
        }
        Ok(Err(RecordError::Refused(rejection))) => {
            let message = texts::refusal(l, &rejection);
            show(
                &site,
                &workspace,
                &signed,
                &jury,
                Some((&participant, message)),
                StatusCode::CONFLICT,
            )
            .await
        }
        Ok(Err(e)) => {
            warn!("cannot record a score: {e}");
            super::sign_in::trouble()
        }
        Err(e) => {
            warn!("a score's write stopped: {e}");
            super::sign_in::trouble()
        }
    }
}
