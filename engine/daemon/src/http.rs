//! The daemon's HTTP side: `/healthz` for the supervisor, `/metrics` for
//! Prometheus. Read-only: nothing here changes what the loop does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use jalon_store::Backend;

use super::metrics::Metrics;
use super::server::REQUEST_TIME_LIMIT;
use super::site::Site;

/// What the handlers read.
#[derive(Default)]
pub struct Health {
    /// The scheduling loop is running (cleared when it ends, even by a panic).
    pub looping: AtomicBool,
    /// A signal asked the daemon to stop.
    pub stopping: AtomicBool,
    pub metrics: Metrics,
    /// Editions whose passes fail, with how many in a row and why.
    pub failing: std::sync::Mutex<std::collections::BTreeMap<String, (u32, String)>>,
    /// This daemon's name among replicas, set at start.
    pub replica: std::sync::OnceLock<String>,
    /// Why the last pass could not reach the database, while it cannot.
    pub database_down: std::sync::Mutex<Option<String>>,
    /// The start: until the whole set of definitions is checked.
    pub start: Start,
}

/// Where the start is: the definitions are checked while `/healthz`
/// answers, editions with messages waiting may already be served, and the
/// pages wait for the whole set.
#[derive(Default)]
pub struct Start {
    /// The whole set runs (or the daemon gave up starting).
    done: AtomicBool,
    /// Rung when `done` is set.
    notify: tokio::sync::Notify,
}

impl Start {
    pub fn finish(&self) {
        self.done.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Returns once the whole set runs.
    pub async fn finished(&self) {
        loop {
            // Made before the check: a `finish` in between still wakes it.
            let notified = self.notify.notified();
            if self.is_done() {
                return;
            }
            notified.await;
        }
    }
}

/// Passes of one edition failing in a row before `/healthz` says so.
pub const FAILING_PASSES: u32 = 3;

impl Health {
    /// Records how an edition's pass went.
    pub fn pass_of(&self, edition: &str, failure: Option<String>) {
        let Ok(mut failing) = self.failing.lock() else {
            return;
        };
        match failure {
            None => {
                failing.remove(edition);
            }
            Some(why) => {
                let entry = failing
                    .entry(edition.to_owned())
                    .or_insert((0, String::new()));
                entry.0 += 1;
                entry.1 = why;
            }
        }
    }

    /// Records whether the database answered the last pass.
    pub fn database(&self, failure: Option<String>) {
        if let Ok(mut down) = self.database_down.lock() {
            *down = failure;
        }
    }

    fn replica_name(&self) -> &str {
        self.replica.get().map_or("jalon", String::as_str)
    }

    /// The editions whose last passes all failed, as `/healthz` says it.
    fn failing_text(&self) -> Option<String> {
        let failing = self.failing.lock().ok()?;
        let lines: Vec<String> = failing
            .iter()
            .filter(|(_, (count, _))| *count >= FAILING_PASSES)
            .map(|(edition, (count, why))| {
                format!("edition {edition}: its last {count} passes failed: {why}")
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n") + "\n")
    }
}

/// Health and metrics, the validation links and the status pages, each
/// response with the headers of [`super::response::secure`], each request
/// answered within [`REQUEST_TIME_LIMIT`]. Only the answer form of `/v/`
/// takes a body (its own limit, in `link_routes`); every other route is
/// GET and reads none (a connection whose body was left unread is closed
/// after the answer).
pub fn router<B: Backend>(
    health: Arc<Health>,
    site: Arc<Site<B>>,
    workspace: Arc<super::workspace::Workspace>,
) -> Router {
    let started = || axum::middleware::from_fn_with_state(health.clone(), once_started);
    let pages = Router::new()
        .merge(super::link_routes::routes(site.clone()))
        .merge(super::workspace::routes(site.clone(), workspace.clone()))
        .merge(super::workspace::call_routes(
            site.clone(),
            workspace.clone(),
        ))
        .layer(started());
    let hand_in = super::workspace::hand_in_routes(site, workspace).layer(started());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(health.clone())
        .merge(pages)
        .layer(axum::middleware::from_fn(time_limit))
        .merge(hand_in.layer(axum::middleware::from_fn(upload_time_limit)))
        .layer(axum::middleware::map_response(super::response::secure))
}

/// A page asked for while the definitions are still checked at start waits
/// for them (within its time limit) rather than miss its edition.
async fn once_started(State(health): State<Arc<Health>>, request: Request, next: Next) -> Response {
    health.start.finished().await;
    next.run(request).await
}

/// Time for a hand-in, from its head to its answer: files of
/// a hand-in's largest body need about a minute and a half from a
/// phone sending 6 Mbit/s. A connection's lifetime still bounds it.
pub const UPLOAD_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(110);

async fn upload_time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(UPLOAD_TIME_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => too_long(),
    }
}

fn too_long() -> Response {
    (
        StatusCode::REQUEST_TIMEOUT,
        [
            (header::CONNECTION, "close"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "the request took too long\n",
    )
        .into_response()
}

/// `408` for a request not answered within [`REQUEST_TIME_LIMIT`] (a body
/// trickled in, a page stuck on a locked database), and the connection
/// closed. A link's answer already handed to the database is still
/// recorded: reopening the link then says so.
async fn time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => too_long(),
    }
}

async fn healthz(State(health): State<Arc<Health>>) -> impl IntoResponse {
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    let replica = health.replica_name();
    let down = health.database_down.lock().ok().and_then(|d| d.clone());
    let (status, text) = if health.stopping.load(Ordering::Acquire) {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping\n".to_owned())
    } else if let Some(why) = down {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the database cannot be reached (trying again): {why}\n"),
        )
    } else if let Some(failing) = health.failing_text() {
        (StatusCode::SERVICE_UNAVAILABLE, failing)
    } else if health.looping.load(Ordering::Acquire) {
        let mut text = "ok\n".to_owned();
        if !health.start.is_done() {
            text.push_str(&format!(
                "starting: {} edition(s) with messages waiting served, the others being checked\n",
                health.metrics.editions.load(Ordering::Relaxed)
            ));
        }
        (StatusCode::OK, text)
    } else if !health.start.is_done() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: the definitions are being checked\n".to_owned(),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the scheduling loop is not running\n".to_owned(),
        )
    };
    // The state first (probes read the first line), then who answers.
    (status, no_store, format!("{text}replica {replica}\n"))
}

async fn metrics(State(health): State<Arc<Health>>) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        format!(
            "{}# HELP jalon_replica_info This daemon, by its name among replicas.\n\
             # TYPE jalon_replica_info gauge\n\
             jalon_replica_info{{replica=\"{}\"}} 1\n\
             # HELP jalon_database_up Whether the last pass reached the database.\n\
             # TYPE jalon_database_up gauge\n\
             jalon_database_up {}\n",
            health.metrics.render(),
            label_value(health.replica_name()),
            u8::from(health.database_down.lock().is_ok_and(|d| d.is_none())),
        ),
    )
}

/// A Prometheus label value: backslash, quote and newline escaped.
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edition_whose_passes_keep_failing_is_reported_until_one_succeeds() {
        let health = Health::default();
        for _ in 0..FAILING_PASSES - 1 {
            health.pass_of("essai", Some("the database is locked".into()));
        }
        assert_eq!(health.failing_text(), None, "a failure or two is not news");
        health.pass_of("essai", Some("the database is locked".into()));
        health.pass_of("autre", None);
        assert_eq!(
            health.failing_text().as_deref(),
            Some("edition essai: its last 3 passes failed: the database is locked\n")
        );
        health.pass_of("essai", None);
        assert_eq!(health.failing_text(), None);
    }
}
