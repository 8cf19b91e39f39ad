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
        (StatusCode::SERVICE_UNAVAILABLE, no_store, "stopping\n")
    } else if health.looping.load(Ordering::Acquire) {
        (StatusCode::OK, no_store, "ok\n")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            no_store,
            "the scheduling loop is not running\n",
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
