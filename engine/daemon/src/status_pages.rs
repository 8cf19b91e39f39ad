//! Read-only status pages: `/` lists the running editions, and
//! `/editions/{id}` shows what `jalon status` shows, as a table.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use jalon_definition::resolved::Edition;
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::replay::replay;
use jalon_runtime::status;
use jalon_store::{Backend, History, Store};
use jiff::Timestamp;
use tracing::error;

use super::response::{escape, page, respond};
use super::site::Site;

pub fn routes<B: Backend>(site: Arc<Site<B>>) -> Router {
    Router::new()
        .route("/", get(index::<B>))
        .route("/editions/{id}", get(edition::<B>))
        .with_state(site)
}

async fn index<B: Backend>(State(site): State<Arc<Site<B>>>) -> Response {
    let editions = site.editions();
    let mut body = String::from("<h1>Jalon</h1>\n");
    if editions.is_empty() {
        body.push_str("<p>No edition is running.</p>\n");
    } else {
        body.push_str("<p>Running editions:</p>\n<ul>\n");
        for edition in editions.iter() {
            body.push_str(&format!(
                "<li><a href=\"editions/{id}\">{name}</a> <span class=\"muted\">— {programme} ({id})</span></li>\n",
                id = escape(&edition.id),
                name = escape(&edition.name),
                programme = escape(&edition.programme_name),
            ));
        }
        body.push_str("</ul>\n");
    }
    respond(StatusCode::OK, page("en", "Jalon", &body))
}

async fn edition<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let Some(edition) = site.edition(&id) else {
        let body = format!(
            "<h1>No such edition</h1>\n<p>No running edition is called “{}”. <a href=\"../\">All editions</a></p>",
            escape(&id)
        );
        return respond(StatusCode::NOT_FOUND, page("en", "No such edition", &body));
    };
    let backend = site.backend.clone();
    let now = site.clock.now();
    let shown = tokio::task::spawn_blocking(move || render(&backend, edition, now)).await;
    match shown {
        Ok(Ok(html)) => respond(StatusCode::OK, html),
        Ok(Err(message)) => {
            error!(edition = %id, "cannot show the status of {id}: {message}");
            let body = format!("<h1>Status unavailable</h1>\n<p>{}</p>", escape(&message));
            respond(
                StatusCode::SERVICE_UNAVAILABLE,
                page("en", "Status unavailable", &body),
            )
        }
        Err(e) => {
            error!(edition = %id, "the status of {id} stopped: {e}");
            respond(
                StatusCode::SERVICE_UNAVAILABLE,
                page("en", "Status unavailable", "<h1>Status unavailable</h1>"),
            )
        }
    }
}

/// The status table of one edition at `now`, from what is recorded.
fn render<B: Backend>(
    backend: &B,
    edition: Arc<Edition>,
    now: Timestamp,
) -> Result<String, String> {
    let history = match backend.open_read_only().map_err(|e| e.to_string())? {
        Some(store) => store.history(&edition.id).map_err(|e| e.to_string())?,
        None => History::default(),
    };
    let state = replay(edition.clone(), &history).map_err(|e| e.to_string())?;
    let title = format!("{} — {}", edition.programme_name, edition.name);
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">Status at {} ({} events recorded). <a href=\"../\">All editions</a></p>\n",
        escape(&title),
        escape(&short_local(&edition, now)),
        history.events.len()
    );
    body.push_str(
        "<table>\n<tr><th>Stage</th><th>State</th><th>Start</th><th>Due</th><th>Note</th></tr>\n",
    );
    for row in status::rows(&state, now) {
        let class = if row.late { " class=\"late\"" } else { "" };
        body.push_str(&format!(
            "<tr><td>{}</td><td{class}>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&row.name),
            escape(&row.state),
            escape(&row.start),
            escape(&row.due),
            escape(&row.note)
        ));
    }
    body.push_str("</table>\n<h2>Participants</h2>\n<table>\n");
    for participant in status::participants(&state) {
        let left = participant
            .left
            .map(|at| format!(" since {at}"))
            .unwrap_or_default();
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&participant.id),
            escape(&participant.name),
            escape(&format!("{}{left}", participant.status)),
        ));
    }
    body.push_str("</table>\n");
    Ok(page("en", &title, &body))
}
