//! Read-only status pages: `/` lists the running editions, and
//! `/editions/{id}` shows what `jalon status` shows, as a table. Their
//! words are the `status-…` messages of `texts` (pages.ftl), shown in
//! English for now; the French ones wait for the pages to be redone.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use jalon_definition::resolved::{Edition, Language};
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::replay::replay;
use jalon_runtime::status;
use jalon_runtime::texts::{plain, text, Args};
use jalon_store::{Backend, History, Store};
use jiff::Timestamp;
use tracing::error;

use super::response::{escape, page, respond};
use super::site::Site;

/// The language of the status pages until they are redone.
const LANGUAGE: Language = Language::En;

fn words(id: &str) -> String {
    plain(LANGUAGE, id)
}

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
        body.push_str(&format!(
            "<p>{}</p>\n",
            escape(&words("status-none-running"))
        ));
    } else {
        body.push_str(&format!(
            "<p>{}</p>\n<ul>\n",
            escape(&words("status-running"))
        ));
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
    respond(StatusCode::OK, page(LANGUAGE.as_str(), "Jalon", &body))
}

async fn edition<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let Some(edition) = site.edition(&id) else {
        let title = words("status-no-such-edition-title");
        let unknown = text(
            LANGUAGE,
            "status-no-such-edition",
            &Args::new().text("id", &id),
        );
        let body = format!(
            "<h1>{}</h1>\n<p>{} <a href=\"../\">{}</a></p>",
            escape(&title),
            escape(&unknown),
            escape(&words("status-all-editions"))
        );
        return respond(
            StatusCode::NOT_FOUND,
            page(LANGUAGE.as_str(), &title, &body),
        );
    };
    let backend = site.backend.clone();
    let now = site.clock.now();
    let shown = site.blocking(move || render(&backend, edition, now)).await;
    match shown {
        Ok(Ok(html)) => respond(StatusCode::OK, html),
        Ok(Err(message)) => {
            error!(edition = %id, "cannot show the status of {id}: {message}");
            respond(StatusCode::SERVICE_UNAVAILABLE, unavailable(Some(&message)))
        }
        Err(e) => {
            error!(edition = %id, "the status of {id} stopped: {e}");
            respond(StatusCode::SERVICE_UNAVAILABLE, unavailable(None))
        }
    }
}

/// The page of a status that cannot be shown, with why when known.
fn unavailable(message: Option<&str>) -> String {
    let title = words("status-unavailable");
    let mut body = format!("<h1>{}</h1>", escape(&title));
    if let Some(message) = message {
        body.push_str(&format!("\n<p>{}</p>", escape(message)));
    }
    page(LANGUAGE.as_str(), &title, &body)
}

/// The status table of one edition at `now`, from what is recorded.
fn render<B: Backend>(
    backend: &B,
    edition: Arc<Edition>,
    now: Timestamp,
) -> Result<String, String> {
    let (history, held) = match backend.open_read_only().map_err(|e| e.to_string())? {
        Some(store) => (
            store.history(&edition.id).map_err(|e| e.to_string())?,
            store.held(&edition.id).map_err(|e| e.to_string())?.len(),
        ),
        None => (History::default(), 0),
    };
    let state = replay(edition.clone(), &history).map_err(|e| e.to_string())?;
    let title = format!("{} — {}", edition.programme_name, edition.name);
    let at = Args::new()
        .text("at", short_local(&edition, now))
        .number("count", history.events.len());
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{} <a href=\"../\">{}</a></p>\n",
        escape(&title),
        escape(&text(LANGUAGE, "status-at", &at)),
        escape(&words("status-all-editions"))
    );
    if let Some(closure) = state.closed() {
        let closed = Args::new()
            .text("at", short_local(&edition, closure.at))
            .text("by", closure.by.clone())
            .text("reason", closure.reason.clone());
        body.push_str(&format!(
            "<p><strong>{}</strong></p>\n",
            escape(&text(LANGUAGE, "status-closed", &closed))
        ));
    }
    if held > 0 {
        let held = Args::new()
            .number("count", held)
            .text("edition", edition.id.clone());
        body.push_str(&format!(
            "<p><strong>{}</strong></p>\n",
            escape(&text(LANGUAGE, "status-held", &held))
        ));
    }
    body.push_str("<table>\n<tr>");
    for column in [
        "status-stage",
        "status-state",
        "status-start",
        "status-due",
        "status-note",
    ] {
        body.push_str(&format!("<th>{}</th>", escape(&words(column))));
    }
    body.push_str("</tr>\n");
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
    body.push_str(&format!(
        "</table>\n<h2>{}</h2>\n<table>\n",
        escape(&words("status-participants"))
    ));
    for participant in status::participants(&state) {
        let standing = match participant.left {
            Some(at) => text(
                LANGUAGE,
                "status-left-since",
                &Args::new()
                    .text("status", participant.status)
                    .text("at", at),
            ),
            None => participant.status.to_owned(),
        };
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&participant.id),
            escape(&participant.name),
            escape(&standing),
        ));
    }
    body.push_str("</table>\n");
    Ok(page(LANGUAGE.as_str(), &title, &body))
}
