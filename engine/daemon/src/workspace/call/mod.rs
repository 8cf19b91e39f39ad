//! The public call for applications: `/candidater/{edition}` (the form,
//! open to anyone while the call is) and `/a/{token}` (an applicant's own
//! application, through the private link of their confirmation email).
//!
//! No sign-in: the form carries the pre-sign-in forms' cookie token
//! (against other sites' posts), a honeypot field robots fill in, and
//! applications are counted per client and in all (the sign-in's limiter).
//! What an application says is checked by the core, the same rules for
//! the page and for the record.

pub(crate) mod page;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Extension, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use jalon_core::{Application, CallWindow, Channel, Event, EventKind, State as EditionState};
use jalon_definition::resolved::{Call, Edition, Language};
use jalon_runtime::application::record_application;
use jalon_runtime::links::{well_formed, APPLICATION};
use jalon_runtime::record::{record, RecordError};
use jalon_runtime::texts::{self, plain, text, Args};
use jalon_store::Backend;
use tracing::{info, warn};

use super::pages::{read, Outbox};
use super::sign_in::{client_key, form_refused, forwarded, trouble, with_form_token};
use super::{session, ClientAddress, Workspace};
use crate::link_routes::field;
use crate::response::respond;
use crate::site::Site;
use page::Target;

/// The largest form body: every answer at its longest, percent-encoded.
const LARGEST_APPLICATION: usize = 1024 * 1024;
/// Applications sent from one client per quarter of an hour (a
/// structure's office applying for several projects), and from all.
const PER_CLIENT: usize = 5;
const IN_ALL: usize = 300;

pub fn routes<B: Backend>(site: Arc<Site<B>>, workspace: Arc<Workspace>) -> Router {
    Router::new()
        .route("/candidater/{id}", get(form::<B>).post(apply::<B>))
        .route("/a/{token}", get(own::<B>).post(amend::<B>))
        .layer(DefaultBodyLimit::max(LARGEST_APPLICATION))
        .layer(Extension(workspace))
        .with_state(site)
}

/// French unless the query or the form asks for English.
fn language_of(query: Option<&str>) -> Language {
    match query.and_then(|q| field(q.as_bytes(), "lang")).as_deref() {
        Some("en") => Language::En,
        _ => Language::Fr,
    }
}

/// A running edition's call as it stands: the edition, its state, the
/// call, when it is open, and the instant it was looked at.
struct Opened {
    edition: Arc<Edition>,
    read: super::pages::Read,
    call: Call,
    window: CallWindow,
    now: jiff::Timestamp,
}

/// The running edition `id` with a call, as it stands; else the page
/// saying there is none.
async fn open_call<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    id: &str,
    l: Language,
) -> Result<Opened, Response> {
    let none = || {
        respond(
            StatusCode::NOT_FOUND,
            page::simple(l, "call-no-call-title", &[plain(l, "call-no-call")]),
        )
    };
    let Some((edition, call)) = site.editions().iter().find_map(|e| {
        let (_, call) = e.call().filter(|_| e.id == id)?;
        Some((e.clone(), call.clone()))
    }) else {
        return Err(none());
    };
    let read = read(site, workspace, &edition, Outbox::None).await?;
    let Some(window) = read.state.call_window() else {
        return Err(none());
    };
    Ok(Opened {
        edition,
        read,
        call,
        window,
        now: site.clock.now(),
    })
}

fn call_of(edition: &Edition) -> Option<&Call> {
    edition.call().map(|(_, c)| c)
}

/// `GET /candidater/{id}`: the form, or where the call stands.
pub async fn form<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let l = language_of(query.as_deref());
    let Opened {
        edition,
        read,
        call,
        window,
        now,
    } = match open_call(&site, &workspace, &id, l).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let (state, call) = (&read.state, &call);
    let standing = page::window_words(state, call, &window, l, now);
    if !window.is_open(now) {
        return respond(
            StatusCode::OK,
            page::simple(l, "call-title-short", &[standing]),
        );
    }
    let action = form_action(&edition.id, l);
    let other = other_language(&edition.id, l);
    with_form_token(&headers, workspace.secure, |token| {
        page::form(
            state.edition(),
            call,
            l,
            &standing,
            &Application::default(),
            &[],
            &Target {
                action: &action,
                form_token: token,
                amend: false,
            },
            Some(&other),
        )
    })
}

fn form_action(id: &str, l: Language) -> String {
    format!(
        "/candidater/{}?lang={}",
        super::html::encode(id),
        l.as_str()
    )
}

fn other_language(id: &str, l: Language) -> String {
    let other = if l == Language::Fr {
        Language::En
    } else {
        Language::Fr
    };
    form_action(id, other)
}

/// The application a form body holds, normalised. The body is read once
/// (the first value of each name kept), whatever the number of questions.
fn application_of(body: &[u8], call: &Call, l: Language) -> Application {
    const FIXED: [&str; 6] = [
        "name",
        "organisation",
        "description",
        "theme",
        "contact_name",
        "contact_email",
    ];
    // Only the names the form has are kept: a body of a million other
    // fields costs a pass, not a table.
    let wanted = |name: &str| {
        FIXED.contains(&name)
            || name
                .strip_prefix("q-")
                .is_some_and(|id| call.questions.iter().any(|q| q.id == id))
    };
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(body) {
        if wanted(&name) && !fields.contains_key(name.as_ref()) {
            fields.insert(name.into_owned(), value.into_owned());
        }
    }
    let mut take = |name: &str| fields.remove(name);
    let mut answers = BTreeMap::new();
    for question in &call.questions {
        if let Some(answer) = take(&format!("q-{}", question.id)) {
            answers.insert(question.id.clone(), answer);
        }
    }
    Application {
        name: take("name").unwrap_or_default(),
        organisation: take("organisation").unwrap_or_default(),
        description: take("description").unwrap_or_default(),
        theme: take("theme"),
        contact_name: take("contact_name").unwrap_or_default(),
        contact_email: take("contact_email").unwrap_or_default(),
        language: Some(l),
        answers,
    }
    .normalised(call)
}

/// `POST /candidater/{id}`: records the application, or shows the form
/// again with each problem beside its field.
pub async fn apply<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = form_refused(&headers, &body, &workspace) {
        return refused;
    }
    let l = language_of(query.as_deref());
    let Opened {
        edition,
        read,
        call,
        window,
        now,
    } = match open_call(&site, &workspace, &id, l).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let (state, call) = (&read.state, &call);
    let standing = page::window_words(state, call, &window, l, now);
    if !window.is_open(now) {
        return respond(
            StatusCode::CONFLICT,
            page::simple(l, "call-refused-title", &[standing]),
        );
    }
    let application = application_of(&body, call, l);
    // A robot filled the field no person sees: the same thanks, nothing kept.
    if field(&body, "website").is_some_and(|w| !w.trim().is_empty()) {
        warn!(edition = %edition.id, "an application filled the honeypot: not recorded");
        return received(state, call, &window, l, &application);
    }
    let token = session::form_token(&headers, workspace.secure).unwrap_or_default();
    let action = form_action(&edition.id, l);
    let target = Target {
        action: &action,
        form_token: token,
        amend: false,
    };
    let problems = application.problems(state.edition(), call);
    if !problems.is_empty() {
        let html = page::form(
            state.edition(),
            call,
            l,
            &standing,
            &application,
            &problems,
            &target,
            None,
        );
        return respond(StatusCode::UNPROCESSABLE_ENTITY, html);
    }
    let instant = Instant::now();
    let client = client_key(forwarded(client, &headers));
    if !workspace
        .limiter
        .allow(&format!("call:{client}"), PER_CLIENT, instant)
        || !workspace.limiter.allow("call:all", IN_ALL, instant)
    {
        return respond(
            StatusCode::TOO_MANY_REQUESTS,
            page::simple(l, "call-too-many-title", &[plain(l, "call-too-many")]),
        );
    }
    let backend = site.backend.clone();
    let (shared, kept) = (edition.clone(), application.clone());
    let by = application.contact_email.clone();
    let written = site
        .blocking(move || -> Result<(i64, String), RecordError> {
            let mut store = backend.open()?;
            record_application(&mut store, &shared, kept, &by, Channel::Web, now)
                .map(|(recorded, id)| (recorded.seq, id))
        })
        .await;
    match written {
        Ok(Ok((seq, participant))) => {
            info!(edition = %edition.id, participant, seq, "application recorded");
            site.wake.notify_one();
            received(state, call, &window, l, &application)
        }
        Ok(Err(RecordError::Refused(rejection))) => {
            let reason = texts::refusal(l, &rejection);
            respond(
                StatusCode::CONFLICT,
                page::simple(l, "call-refused-title", &[reason]),
            )
        }
        Ok(Err(e)) => {
            warn!("cannot record an application: {e}");
            trouble()
        }
        Err(e) => {
            warn!("an application's write stopped: {e}");
            trouble()
        }
    }
}

fn received(
    state: &EditionState,
    call: &Call,
    window: &jalon_core::CallWindow,
    l: Language,
    application: &Application,
) -> Response {
    let closes = page::closing_words(state, call, window, l);
    respond(
        StatusCode::OK,
        page::simple(
            l,
            "call-received-title",
            &[
                text(
                    l,
                    "call-received",
                    &Args::new().text("name", application.name.clone()),
                ),
                text(
                    l,
                    "call-received-email",
                    &Args::new()
                        .text("email", application.contact_email.clone())
                        .text("closes", closes),
                ),
            ],
        ),
    )
}

/// An applicant's own application by their private link: the edition,
/// its state and the participant, or the page saying the link opens nothing.
async fn by_link<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    token: &str,
    l: Language,
) -> Result<(Opened, usize), Response> {
    let unknown = || {
        respond(
            StatusCode::NOT_FOUND,
            page::simple(l, "call-unknown-title", &[plain(l, "call-unknown")]),
        )
    };
    if !well_formed(token) {
        return Err(unknown());
    }
    let link = match super::documents::stored_link(site, token).await? {
        Some(link) if link.allows(APPLICATION) => link,
        _ => return Err(unknown()),
    };
    let opened = open_call(site, workspace, &link.edition, l).await?;
    let state = &opened.read.state;
    let participant = link
        .participant
        .as_ref()
        .and_then(|id| state.ids().participants.get(id).copied());
    match participant {
        Some(p) if state.application(p).is_some() => Ok((opened, p)),
        _ => Err(unknown()),
    }
}

/// The applicant's language, unless the query asks for the other.
fn applicant_language(state: &EditionState, p: usize, query: Option<&str>) -> Language {
    match query.and_then(|q| field(q.as_bytes(), "lang")).as_deref() {
        Some("en") => Language::En,
        Some("fr") => Language::Fr,
        _ => state.edition().participants[p]
            .language
            .unwrap_or(state.edition().language),
    }
}

/// `GET /a/{token}`: the application, to change while the call is open.
pub async fn own<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(token): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (opened, p) = match by_link(&site, &workspace, &token, Language::Fr).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Opened {
        read,
        call,
        window,
        now,
        ..
    } = opened;
    let (state, call) = (&read.state, &call);
    let l = applicant_language(state, p, query.as_deref());
    let Some(latest) = latest(state, p) else {
        return trouble();
    };
    let standing = page::window_words(state, call, &window, l, now);
    if !window.is_open(now) || state.participant(p).is_out() {
        return respond(
            StatusCode::OK,
            page::frozen(state.edition(), call, &latest, l, &standing),
        );
    }
    let action = format!("/a/{token}");
    with_form_token(&headers, workspace.secure, |form_token| {
        page::form(
            state.edition(),
            call,
            l,
            &standing,
            &latest,
            &[],
            &Target {
                action: &action,
                form_token,
                amend: true,
            },
            None,
        )
    })
}

fn latest(state: &EditionState, p: usize) -> Option<Application> {
    Some(state.application(p)?.revisions.last()?.application.clone())
}

/// `POST /a/{token}`: records the new version, or says why not.
pub async fn amend<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(token): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = form_refused(&headers, &body, &workspace) {
        return refused;
    }
    let (opened, p) = match by_link(&site, &workspace, &token, Language::Fr).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Opened {
        edition,
        read,
        call,
        window,
        now,
    } = opened;
    let (state, call) = (&read.state, &call);
    let l = match field(&body, "lang").as_deref() {
        Some("en") => Language::En,
        Some("fr") => Language::Fr,
        _ => applicant_language(state, p, None),
    };
    let standing = page::window_words(state, call, &window, l, now);
    let application = application_of(&body, call, l);
    let problems = application.problems(state.edition(), call);
    if window.is_open(now) && !problems.is_empty() {
        let form_token = session::form_token(&headers, workspace.secure).unwrap_or_default();
        let action = format!("/a/{token}");
        let target = Target {
            action: &action,
            form_token,
            amend: true,
        };
        let html = page::form(
            state.edition(),
            call,
            l,
            &standing,
            &application,
            &problems,
            &target,
            None,
        );
        return respond(StatusCode::UNPROCESSABLE_ENTITY, html);
    }
    let participant = state.edition().participants[p].id.clone();
    let event = Event {
        at: now,
        by: state.edition().participants[p]
            .contact_email
            .clone()
            .unwrap_or_default(),
        channel: Channel::Link,
        kind: EventKind::Amend {
            participant: participant.clone(),
            application: application.clone(),
        },
    };
    let backend = site.backend.clone();
    let shared = edition.clone();
    let written = site
        .blocking(move || -> Result<i64, RecordError> {
            let mut store = backend.open()?;
            record(&mut store, &shared, &event, now).map(|r| r.seq)
        })
        .await;
    match written {
        Ok(Ok(seq)) => {
            info!(edition = %edition.id, participant, seq, "application changed");
            site.wake.notify_one();
            let words = text(
                l,
                "call-amended",
                &Args::new().text("email", application.contact_email.clone()),
            );
            respond(
                StatusCode::OK,
                page::simple(l, "call-amended-title", &[words]),
            )
        }
        Ok(Err(RecordError::Refused(rejection))) => {
            let reason = texts::refusal(l, &rejection);
            respond(
                StatusCode::CONFLICT,
                page::simple(l, "call-refused-title", &[reason, standing]),
            )
        }
        Ok(Err(e)) => {
            warn!("cannot record a change of application: {e}");
            trouble()
        }
        Err(e) => {
            warn!("a change of application's write stopped: {e}");
            trouble()
        }
    }
}

/// On an applicant's page in the workspace: their application as it
/// stands, its versions, and the participants it looks like.
pub fn application_section(state: &EditionState, p: usize, l: Language) -> String {
    let (Some(record), Some(call), Some(latest)) = (
        state.application(p),
        call_of(state.edition()),
        latest(state, p),
    ) else {
        return String::new();
    };
    let edition = state.edition();
    let mut html = format!(
        "<h2>{}</h2>\n",
        crate::response::escape(&plain(l, "call-ws-application"))
    );
    html.push_str(&look_alikes(state, p, l));
    if let Some(last) = record.revisions.last() {
        html.push_str(&super::html::para(&text(
            l,
            "call-ws-versions",
            &Args::new()
                .number("count", record.revisions.len())
                .text("at", jalon_runtime::local_time::short(edition, last.at)),
        )));
    }
    html.push_str(&page::read_back(edition, call, &latest, l));
    html
}

/// The participants an applicant looks like, as a notice (or nothing).
fn look_alikes(state: &EditionState, p: usize, l: Language) -> String {
    let edition = state.edition();
    let mut html = String::new();
    for (other, same) in state.look_alikes(p) {
        html.push_str(&format!(
            "<p class=\"notice\">{}</p>\n",
            crate::response::escape(&text(
                l,
                "call-ws-look-alike",
                &Args::new()
                    .text("other", edition.participants[other].name.clone())
                    .text("same", jalon_runtime::application::same_words(l, same)),
            ))
        ));
    }
    html
}

/// On the edition's page: how many applied, the public form's address,
/// and every applicant that looks like another.
pub fn applications_summary(state: &EditionState, l: Language) -> String {
    if call_of(state.edition()).is_none() || state.call_window().is_none() {
        return String::new();
    }
    let edition = state.edition();
    let count = state.applicants().count();
    let form = format!("/candidater/{}", super::html::encode(&edition.id));
    let mut html = format!(
        "<p><strong>{}</strong> {} <a href=\"{}\">{}</a></p>\n",
        crate::response::escape(&plain(l, "call-ws-heading")),
        crate::response::escape(&text(
            l,
            "call-ws-count",
            &Args::new().number("count", count)
        )),
        crate::response::escape(&form),
        crate::response::escape(&plain(l, "call-ws-form")),
    );
    for (p, _) in state.applicants() {
        if !state.look_alikes(p).is_empty() {
            html.push_str(&format!(
                "<p><a href=\"/editions/{}/participants/{}\">{}</a></p>\n{}",
                super::html::encode(&edition.id),
                super::html::encode(&edition.participants[p].id),
                crate::response::escape(&edition.participants[p].name),
                look_alikes(state, p, l)
            ));
        }
    }
    html
}
