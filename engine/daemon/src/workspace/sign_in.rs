//! Sign-in by emailed link, and sign-out. No passwords: a person listed in
//! the running definitions enters their address and receives a link that
//! works once, for 15 minutes. Opening it shows a button and only the POST
//! signs in (mail scanners open links). Asking answers the same whether or
//! not the address is known, at once (the lookup and the email happen
//! afterwards, on their own task), so nobody can probe who is in a
//! programme; asking is rate-limited per address and per client.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Extension, Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jalon_definition::resolved::Language;
use jalon_delivery::{Deliver, Outgoing};
use jalon_message::{to_eml, Email, Mailbox};
use jalon_runtime::compose::messages::{self, MAIL_DOMAIN};
use jalon_runtime::links::token_hash;
use jalon_runtime::sign_in::{self, secret, well_formed, SESSION_LIFE};
use jalon_runtime::texts::{plain, text, Args};
use jalon_store::{Backend, Session, SignIn, Store};
use tracing::{info, warn};

use super::access::{normalise, Viewer};
use super::html::{frame, para, redirect};
use super::session::{self, cross_site, same_secret};
use super::{ClientAddress, Workspace};
use crate::link_routes::field;
use crate::response::{escape, respond};
use crate::site::Site;

/// How long requests are counted for the limits below.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Links asked for one address per window: a typo or two, a lost email.
const PER_ADDRESS: usize = 3;
/// Links asked from one client per window (a whole office behind one
/// address signs in of a morning).
const PER_CLIENT: usize = 30;
/// Addresses and clients remembered at once: a stranger cycling through
/// addresses cannot grow the table beyond this (then asks are refused
/// until the window frees room).
const REMEMBERED: usize = 10_000;
/// The longest address taken (RFC 5321's path limit).
const LONGEST_ADDRESS: usize = 254;
/// The longest a sign-in email's delivery may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(120);

/// Counts recent requests per key, within [`WINDOW`].
#[derive(Default)]
pub struct Limiter {
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    /// Counts a request of `key` at `now`; false when `key` already made
    /// `most` in the window (or the table is full).
    pub fn allow(&self, key: &str, most: usize, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        let recent = |times: &VecDeque<Instant>| {
            times
                .back()
                .is_some_and(|&t| now.saturating_duration_since(t) < WINDOW)
        };
        if !seen.contains_key(key) && seen.len() >= REMEMBERED {
            seen.retain(|_, times| recent(times));
            if seen.len() >= REMEMBERED {
                return false;
            }
        }
        let times = seen.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= most {
            return false;
        }
        times.push_back(now);
        true
    }
}

/// The language of pages shown before anyone is known.
const BEFORE: Language = Language::Fr;

fn words(id: &str) -> String {
    plain(BEFORE, id)
}

/// `GET /connexion`: the form asking for an address.
pub async fn ask_form(
    Extension(workspace): Extension<Arc<Workspace>>,
    headers: HeaderMap,
) -> Response {
    with_form_token(&headers, workspace.secure, |token| {
        ask_page(token, "", None)
    })
}

fn ask_page(token: &str, email: &str, error: Option<&str>) -> String {
    let title = words("ws-sign-in-title");
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    body.push_str(&para(&words("ws-sign-in-lead")));
    if let Some(error) = error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            escape(error)
        ));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"/connexion\">\n\
         <input type=\"hidden\" name=\"form\" value=\"{token}\">\n\
         <label for=\"email\">{label}</label>\n\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required \
         maxlength=\"{LONGEST_ADDRESS}\" value=\"{email}\">\n\
         <p><button class=\"primary\" type=\"submit\">{send}</button></p>\n</form>\n",
        token = escape(token),
        label = escape(&words("ws-sign-in-address")),
        email = escape(email),
        send = escape(&words("ws-sign-in-send")),
    ));
    frame(BEFORE, &title, None, &body)
}

/// Shows a pre-sign-in form with the token of the form cookie, setting the
/// cookie when the browser has none yet.
pub(super) fn with_form_token(
    headers: &HeaderMap,
    secure: bool,
    page: impl FnOnce(&str) -> String,
) -> Response {
    if let Some(token) = session::form_token(headers, secure) {
        return respond(StatusCode::OK, page(token));
    }
    let Ok(token) = secret() else {
        return trouble();
    };
    let mut response = respond(StatusCode::OK, page(&token));
    if let Some(cookie) = session::set_form_token(&token, secure) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// A pre-sign-in POST not from this site, or without the form cookie's
/// token: the page refusing it.
pub(super) fn form_refused(
    headers: &HeaderMap,
    body: &[u8],
    workspace: &Workspace,
) -> Option<Response> {
    let sent = field(body, "form").unwrap_or_default();
    let cookie = session::form_token(headers, workspace.secure);
    let matches = cookie.is_some_and(|cookie| same_secret(&sent, cookie));
    if cross_site(headers, &workspace.public_url) || !matches {
        let title = words("ws-form-expired-title");
        let body = format!(
            "<h1>{}</h1>\n{}<p><a href=\"/connexion\">{}</a></p>",
            escape(&title),
            para(&words("ws-form-expired")),
            escape(&words("ws-sign-in-again"))
        );
        return Some(respond(
            StatusCode::FORBIDDEN,
            frame(BEFORE, &title, None, &body),
        ));
    }
    None
}

/// `POST /connexion`: sends a link if the address is known; the same page
/// either way.
pub async fn ask<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = form_refused(&headers, &body, &workspace) {
        return refused;
    }
    let token = session::form_token(&headers, workspace.secure).unwrap_or_default();
    let typed = field(&body, "email").unwrap_or_default();
    let email = normalise(&typed);
    if email.len() > LONGEST_ADDRESS || !plausible(&email) {
        let page = ask_page(
            token,
            typed.trim(),
            Some(&words("ws-sign-in-not-an-address")),
        );
        return respond(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let now = Instant::now();
    let client = forwarded(client, &headers);
    if !workspace
        .limiter
        .allow(&client_key(client), PER_CLIENT, now)
        || !workspace
            .limiter
            .allow(&format!("a:{email}"), PER_ADDRESS, now)
    {
        let page = ask_page(token, typed.trim(), Some(&words("ws-sign-in-too-many")));
        return respond(StatusCode::TOO_MANY_REQUESTS, page);
    }
    // After the answer: whether the address is known shows neither in the
    // page nor in how long it took.
    let (site, workspace) = (site.clone(), workspace.clone());
    tokio::spawn(async move { send_link(&site, &workspace, email).await });
    let title = words("ws-sign-in-sent-title");
    let body = format!(
        "<h1>{}</h1>\n{}{}",
        escape(&title),
        para(&text(
            BEFORE,
            "ws-sign-in-sent",
            &Args::new().text("email", typed.trim())
        )),
        para(&words("ws-sign-in-sent-what"))
    );
    respond(StatusCode::OK, frame(BEFORE, &title, None, &body))
}

/// The client behind a reverse proxy on this machine: the last address
/// of `X-Forwarded-For` when the connection comes from loopback (the proxy
/// appends the address it saw; earlier ones are the client's own say).
/// Any other peer is the client itself.
pub(super) fn forwarded(peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
    if !peer.is_some_and(|p| p.is_loopback()) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|last| last.trim().parse().ok())
        .or(peer)
}

/// Clients are counted by address; IPv6 ones by their /64 (one machine
/// has a whole one).
pub(super) fn client_key(client: Option<IpAddr>) -> String {
    match client {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("c:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => format!("c:{ip}"),
        None => "c:unknown".to_owned(),
    }
}

/// `local@domain` with something on each side and no spaces: the rest is
/// for the relay to judge (an unknown address gets no email anyway).
fn plausible(email: &str) -> bool {
    email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// Keeps a link for a known address and emails it; nothing for others.
async fn send_link<B: Backend>(site: &Site<B>, workspace: &Workspace, email: String) {
    let running = site.editions();
    let Some(viewer) = Viewer::of(&email, &running) else {
        info!("a sign-in link was asked for an address no running edition lists");
        return;
    };
    let backend = site.backend.clone();
    let now = site.clock.now();
    let for_store = email.clone();
    let issued = site
        .blocking(move || {
            let mut store = backend.open()?;
            sign_in::issue(&mut store, &for_store, now)
        })
        .await;
    let token = match issued {
        Ok(Ok(token)) => token,
        Ok(Err(e)) => return warn!("cannot keep a sign-in link: {e}"),
        Err(e) => return warn!("cannot keep a sign-in link: {e}"),
    };
    let url = sign_in::url(&workspace.public_url, &token);
    let Some((edition, _)) = viewer.editions.first() else {
        return;
    };
    let language = viewer.language;
    let args = Args::new()
        .text("name", viewer.name.clone())
        .text("programme", edition.programme_name.clone())
        .text("url", url);
    let email_out = Email {
        idempotency_key: format!("sign-in/{}", token_hash(&token)),
        date: now.to_zoned(edition.time_zone.clone()),
        from: messages::sender(edition),
        reply_to: None,
        to: vec![Mailbox {
            name: viewer.name.clone(),
            email: email.clone(),
        }],
        subject: text(language, "ws-mail-subject", &args),
        text: text(language, "ws-mail-body", &args),
        html: None,
        invite: None,
        thread: None,
        list: None,
        language: Some(language.as_str().to_owned()),
        signature: Some(messages::signature(edition)),
        typeset: false,
    };
    let bytes = match to_eml(&email_out, MAIL_DOMAIN) {
        Ok(bytes) => bytes,
        Err(e) => return warn!("cannot write a sign-in email: {e}"),
    };
    let outgoing = Outgoing {
        key: email_out.idempotency_key.clone(),
        from: email_out.from.email.clone(),
        to: vec![email.clone()],
        bytes,
    };
    let mut connector = workspace.delivery.connector();
    let sent = tokio::time::timeout(DELIVERY_TIMEOUT, connector.deliver(&outgoing)).await;
    connector.close().await;
    match sent {
        Ok(Ok(())) => info!("a sign-in link was emailed"),
        Ok(Err(e)) => warn!("cannot email a sign-in link: {e}"),
        Err(_) => warn!(
            "cannot email a sign-in link: no answer in {} s",
            DELIVERY_TIMEOUT.as_secs()
        ),
    }
}

/// `GET /connexion/{token}`: a button, nothing else (nothing is looked up).
pub async fn link_page(
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(token): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !well_formed(&token) {
        return unusable("ws-link-unknown");
    }
    with_form_token(&headers, workspace.secure, |form| {
        let title = words("ws-link-title");
        let body = format!(
            "<h1>{}</h1>\n{}<form method=\"post\" action=\"/connexion/{token}\">\n\
             <input type=\"hidden\" name=\"form\" value=\"{form}\">\n\
             <p><button class=\"primary\" type=\"submit\">{button}</button></p>\n</form>\n",
            escape(&title),
            para(&words("ws-link-lead")),
            token = escape(&token),
            form = escape(form),
            button = escape(&words("ws-link-button")),
        );
        frame(BEFORE, &title, None, &body)
    })
}

/// `POST /connexion/{token}`: uses the link, starts the session.
pub async fn use_link<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(token): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !well_formed(&token) {
        return unusable("ws-link-unknown");
    }
    if let Some(refused) = form_refused(&headers, &body, &workspace) {
        return refused;
    }
    let Ok(session_token) = secret() else {
        return trouble();
    };
    let now = site.clock.now();
    let session = Session {
        token_hash: token_hash(&session_token),
        email: String::new(),
        started_at: now,
        expires_at: now.saturating_add(SESSION_LIFE).unwrap_or(now),
    };
    let backend = site.backend.clone();
    let link_hash = token_hash(&token);
    let used = site
        .blocking(move || backend.open()?.sign_in(&link_hash, &session))
        .await;
    match used {
        Ok(Ok(SignIn::SignedIn { email })) => {
            if Viewer::of(&email, &site.editions()).is_none() {
                return unusable("ws-link-nobody");
            }
            info!("a person signed in to the workspace");
            let mut response = redirect("/");
            if let Some(cookie) = session::start_session(&session_token, workspace.secure) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Ok(Ok(SignIn::Used)) => unusable("ws-link-used"),
        Ok(Ok(SignIn::Expired)) => unusable("ws-link-expired"),
        Ok(Ok(SignIn::Missing)) => unusable("ws-link-unknown"),
        Ok(Err(e)) => {
            warn!("cannot sign in: {e}");
            trouble()
        }
        Err(e) => {
            warn!("cannot sign in: {e}");
            trouble()
        }
    }
}

/// A sign-in link that cannot be used: why, and the way to a new one.
fn unusable(id: &str) -> Response {
    let title = words(&format!("{id}-title"));
    let body = format!(
        "<h1>{}</h1>\n{}<p><a href=\"/connexion\">{}</a></p>",
        escape(&title),
        para(&words(id)),
        escape(&words("ws-sign-in-again"))
    );
    respond(StatusCode::GONE, frame(BEFORE, &title, None, &body))
}

/// `POST /deconnexion`: ends the session (when the form is this session's).
pub async fn sign_out<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = session::session_token(&headers, workspace.secure).map(str::to_owned) else {
        return redirect("/connexion");
    };
    let sent = field(&body, "csrf").unwrap_or_default();
    if cross_site(&headers, &workspace.public_url) || !same_secret(&sent, &session::csrf_of(&token))
    {
        return (StatusCode::FORBIDDEN, "").into_response();
    }
    let backend = site.backend.clone();
    let now = site.clock.now();
    let hash = token_hash(&token);
    let ended = site
        .blocking(move || backend.open()?.end_session(&hash, now))
        .await;
    if !matches!(ended, Ok(Ok(_))) {
        return trouble();
    }
    let mut response = redirect("/connexion");
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::end_session(workspace.secure));
    response
}

pub fn trouble() -> Response {
    let title = words("ws-trouble-title");
    let body = format!(
        "<h1>{}</h1>\n{}",
        escape(&title),
        para(&words("ws-trouble"))
    );
    respond(
        StatusCode::SERVICE_UNAVAILABLE,
        frame(BEFORE, &title, None, &body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_limited_per_key_within_the_window() {
        let limiter = Limiter::default();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.allow("a:ana@example.org", 3, start));
        }
        assert!(!limiter.allow("a:ana@example.org", 3, start));
        assert!(limiter.allow("a:bob@example.org", 3, start), "per key");
        assert!(
            limiter.allow("a:ana@example.org", 3, start + WINDOW),
            "the window passed"
        );
    }

    #[test]
    fn the_table_of_keys_stays_bounded() {
        let limiter = Limiter::default();
        let start = Instant::now();
        for n in 0..REMEMBERED {
            assert!(limiter.allow(&format!("a:{n}@example.org"), 3, start));
        }
        assert!(!limiter.allow("a:one-more@example.org", 3, start), "full");
        assert!(
            limiter.allow("a:one-more@example.org", 3, start + WINDOW),
            "room again"
        );
        assert!(limiter.seen.lock().expect("lock").len() <= REMEMBERED);
    }

    #[test]
    fn behind_a_local_proxy_the_client_is_the_last_forwarded_address() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.9".parse().expect("value"),
        );
        let proxy = Some(IpAddr::from([127, 0, 0, 1]));
        let client = Some(IpAddr::from([203, 0, 113, 9]));
        assert_eq!(forwarded(proxy, &headers), client);
        let stranger = Some(IpAddr::from([198, 51, 100, 7]));
        assert_eq!(
            forwarded(stranger, &headers),
            stranger,
            "only a local proxy is believed"
        );
        assert_eq!(forwarded(proxy, &HeaderMap::new()), proxy);
    }

    proptest::proptest! {
        /// Whatever is typed as an address or forwarded: no panic.
        #[test]
        fn any_address_or_forwarded_header_is_taken_without_panic(
            typed in "\\PC{0,300}",
            forwarded_for in "[0-9a-f:., ]{0,80}",
        ) {
            let _ = plausible(&normalise(&typed));
            let mut headers = HeaderMap::new();
            if let Ok(value) = forwarded_for.parse() {
                headers.insert("x-forwarded-for", value);
            }
            let client = forwarded(Some(IpAddr::from([127, 0, 0, 1])), &headers);
            let _ = client_key(client);
        }
    }

    #[test]
    fn addresses_are_taken_when_plausible() {
        assert!(plausible("ana@example.org"));
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@localhost",
            "a na@example.org",
        ] {
            assert!(!plausible(bad), "{bad}");
        }
    }
}
