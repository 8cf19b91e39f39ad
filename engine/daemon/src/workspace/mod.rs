//! The programme's workspace on the web: sign-in by emailed link, what
//! awaits the signed-in person, the editions with their timeline, a page
//! per participant, the messages sent, the audit trail, and the
//! coordination's actions through the runtime's one record path.
//!
//! Only the sign-in routes (and the validation links, elsewhere) answer
//! without a session. Every page and every action asks [`access`] what the
//! person may see and do, on the server, at each request.

mod access;
mod actions;
mod cache;
pub(crate) mod call;
mod documents;
mod hand_in;
mod html;
mod jury;
mod pages;
mod session;
mod sign_in;

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use jalon_runtime::delivery::DeliverySettings;
use jalon_runtime::links::token_hash;
use jalon_store::{Backend, Store};
use tracing::warn;

pub use access::{known_addresses, Viewer};
pub use hand_in::pieces;
pub use sign_in::Limiter;

use crate::link_routes::{announced_too_large, LARGEST_FORM};
use crate::site::Site;

/// What the workspace needs beside the site: where its links point, how
/// its sign-in emails go, and the limits of asking for them.
pub struct Workspace {
    pub public_url: String,
    /// The public address is https: cookies are `Secure`.
    pub secure: bool,
    pub delivery: DeliverySettings,
    pub limiter: Limiter,
    /// Editions' states between pages.
    pub states: cache::States,
    /// Edition pages between requests.
    pub pages: cache::Pages,
    /// Hand-ins being read, at most [`hand_in::UPLOADS_AT_ONCE`].
    pub uploads: tokio::sync::Semaphore,
}

impl Workspace {
    pub fn new(public_url: &str, delivery: DeliverySettings) -> Workspace {
        Workspace {
            public_url: public_url.trim_end_matches('/').to_owned(),
            secure: public_url.trim_start().starts_with("https://"),
            delivery,
            limiter: Limiter::default(),
            states: cache::States::default(),
            pages: cache::Pages::default(),
            uploads: tokio::sync::Semaphore::new(hand_in::UPLOADS_AT_ONCE),
        }
    }
}

/// The client's address, set by the accept loop on every request.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub Option<IpAddr>);

/// A signed-in request: who, and the CSRF token of their forms.
pub struct Signed {
    pub viewer: Viewer,
    pub csrf: String,
}

pub fn routes<B: Backend>(site: Arc<Site<B>>, workspace: Arc<Workspace>) -> Router {
    Router::new()
        .route("/connexion", get(sign_in::ask_form).post(sign_in::ask::<B>))
        .route(
            "/connexion/{token}",
            get(sign_in::link_page).post(sign_in::use_link::<B>),
        )
        .route("/deconnexion", post(sign_in::sign_out::<B>))
        .route("/", get(pages::home::<B>))
        .route("/editions/{id}", get(pages::edition::<B>))
        .route(
            "/editions/{id}/participants/{participant}",
            get(pages::participant::<B>),
        )
        .route("/editions/{id}/messages", get(pages::messages::<B>))
        .route("/editions/{id}/message", get(pages::message::<B>))
        .route("/editions/{id}/journal", get(pages::journal::<B>))
        .route(
            "/editions/{id}/actions/{verb}",
            get(actions::form::<B>).post(actions::submit::<B>),
        )
        .route(
            "/editions/{id}/jury/{stage}",
            get(jury::page::<B>).post(jury::score::<B>),
        )
        .route(
            "/editions/{id}/documents/{sha}",
            get(documents::workspace_document::<B>),
        )
        .route(
            "/v/{token}/documents/{sha}",
            get(documents::link_document::<B>),
        )
        .route(
            "/r/{token}/documents/{sha}",
            get(documents::link_document::<B>),
        )
        .layer(DefaultBodyLimit::max(LARGEST_FORM))
        .layer(axum::middleware::from_fn(announced_too_large))
        .layer(Extension(workspace))
        .with_state(site)
}

/// The call for applications' public routes (a larger form than the others).
pub fn call_routes<B: Backend>(site: Arc<Site<B>>, workspace: Arc<Workspace>) -> Router {
    call::routes(site, workspace)
}

/// The hand-in routes: they take files, so a larger body and more time
/// than the other forms (see `http`).
pub fn hand_in_routes<B: Backend>(site: Arc<Site<B>>, workspace: Arc<Workspace>) -> Router {
    Router::new()
        .route(
            "/editions/{id}/rendre",
            get(hand_in::workspace_form::<B>).post(hand_in::workspace_submit::<B>),
        )
        .route(
            "/r/{token}",
            get(hand_in::link_form::<B>).post(hand_in::link_submit::<B>),
        )
        .layer(DefaultBodyLimit::max(hand_in::LARGEST_BODY))
        .layer(axum::middleware::from_fn(hand_in::announced_too_large))
        .layer(Extension(workspace))
        .with_state(site)
}

/// The signed-in person of a request, or the response to give instead:
/// to the sign-in page when there is no running session, and when the
/// definitions no longer list them.
pub async fn signed<B: Backend>(
    site: &Site<B>,
    workspace: &Workspace,
    headers: &HeaderMap,
) -> Result<Signed, Response> {
    let Some(token) = session::session_token(headers, workspace.secure).map(str::to_owned) else {
        return Err(html::redirect("/connexion"));
    };
    let backend = site.backend.clone();
    let now = site.clock.now();
    let hash = token_hash(&token);
    let found = site
        .blocking(move || backend.open()?.session(&hash, now))
        .await;
    let session = match found {
        Ok(Ok(Some(session))) => session,
        Ok(Ok(None)) => return Err(html::redirect("/connexion")),
        Ok(Err(e)) => {
            warn!("cannot read a session: {e}");
            return Err(sign_in::trouble());
        }
        Err(e) => {
            warn!("cannot read a session: {e}");
            return Err(sign_in::trouble());
        }
    };
    let Some(viewer) = Viewer::of(&session.email, &site.editions()) else {
        return Err(html::redirect("/connexion"));
    };
    Ok(Signed {
        viewer,
        csrf: session::csrf_of(&token),
    })
}

/// Whether a POST of `signed` carries their CSRF token and comes from
/// this site.
pub fn form_is_theirs(
    signed: &Signed,
    workspace: &Workspace,
    headers: &HeaderMap,
    body: &[u8],
) -> bool {
    let sent = crate::link_routes::field(body, "csrf").unwrap_or_default();
    !session::cross_site(headers, &workspace.public_url)
        && session::same_secret(&sent, &signed.csrf)
}
