//! The daemon's HTTP side: `/healthz` for the supervisor, `/metrics` for
//! Prometheus. Read-only: nothing here changes what the loop does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use jalon_store::Backend;

use super::metrics::Metrics;
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
/// response with the headers of [`super::response::secure`].
pub fn router<B: Backend>(health: Arc<Health>, site: Arc<Site<B>>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(health)
        .merge(super::link_routes::routes(site.clone()))
        .merge(super::status_pages::routes(site))
        .layer(axum::middleware::map_response(super::response::secure))
}

async fn healthz(State(health): State<Arc<Health>>) -> impl IntoResponse {
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    if health.stopping.load(Ordering::Acquire) {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            no_store,
            "stopping\n".to_owned(),
        )
    } else if let Some(failing) = health.failing_text() {
        (StatusCode::SERVICE_UNAVAILABLE, no_store, failing)
    } else if health.looping.load(Ordering::Acquire) {
        (StatusCode::OK, no_store, "ok\n".to_owned())
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            no_store,
            "the scheduling loop is not running\n".to_owned(),
        )
    }
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
        health.metrics.render(),
    )
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
