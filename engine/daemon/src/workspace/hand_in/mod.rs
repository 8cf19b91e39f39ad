//! Handing in a stage's deliverables: from the workspace
//! (`/editions/{id}/rendre?stage=…&participant=…`, signed in) or from the
//! link in a participant's reminder (`/r/{token}`), with the same form.
//!
//! Who may hand in and whether the stage awaits work are checked before a
//! byte of the body is read: a stranger, or a second hand-in while the
//! first awaits validation, costs one head. Then the form is read under
//! [`upload`]'s limits, at most [`UPLOADS_AT_ONCE`] at a time, the files
//! sniffed and checked by the runtime's `hand_in`, and the completion
//! recorded with its files in one transaction.

mod page;
mod upload;

pub use page::pieces;
pub use upload::LARGEST_BODY;

use std::sync::Arc;

use axum::extract::{Extension, Multipart, Path as UrlPath, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jalon_core::{Channel, Event, EventKind, Progress, State as EditionState};
use jalon_definition::resolved::{Edition, Language};
use jalon_runtime::compose::messages::reader_language;
use jalon_runtime::hand_in::{prepare, Problem, LARGEST_EDITION, LARGEST_HAND_IN};
use jalon_runtime::links::{well_formed, HAND_IN};
use jalon_runtime::record::{record_with_documents, RecordError};
use jalon_runtime::texts::{self, plain, text, Args};
use jalon_store::{Backend, Store};
use tracing::{info, warn};

use super::html::encode;
use super::pages::{not_found, read, Outbox};
use super::{session, signed, Signed, Workspace};
use crate::link_routes::{field, LONGEST_COMMENT};
use crate::response::respond;
use crate::site::Site;
use upload::Unreadable;

/// Hand-ins read at once: each may hold [`LARGEST_HAND_IN`] in memory.
pub const UPLOADS_AT_ONCE: usize = 4;

/// What a hand-in is about, and who makes it through which door.
pub struct Subject {
    /// The edition as the log made it (applicants among its participants).
    pub edition: Arc<Edition>,
    /// The running definition: what the log is replayed and recorded under.
    pub definition: Arc<Edition>,
    pub stage: usize,
    pub participant: Option<usize>,
    pub language: Language,
    /// Who the event is recorded as.
    pub by: String,
    pub channel: Channel,
    /// Signed in through the workspace (its bar, its CSRF token).
    pub signed: Option<Signed>,
    pub csrf: Option<String>,
    /// Came through a hand-in link: its token.
    pub token: Option<String>,
}

impl Subject {
    /// Where the form posts.
    fn post_to(&self) -> String {
        match &self.token {
            Some(token) => format!("/r/{token}"),
            None => format!(
                "/editions/{}/rendre?{}",
                encode(&self.edition.id),
                self.query()
            ),
        }
    }

    fn query(&self) -> String {
        let mut query = format!("stage={}", encode(&self.edition.stages[self.stage].id));
        if let Some(p) = self.participant {
            query.push_str(&format!(
                "&participant={}",
                encode(&self.edition.participants[p].id)
            ));
        }
        query
    }

    /// Where a handed-in file is downloaded from, by this door.
    fn document_url(&self, sha256: &str) -> String {
        match &self.token {
            Some(token) => format!("/r/{token}/documents/{sha256}"),
            None => format!("/editions/{}/documents/{sha256}", encode(&self.edition.id)),
        }
    }

    /// The way back: the participant's page in the workspace.
    fn back_link(&self) -> String {
        if self.token.is_some() {
            return String::new();
        }
        let href = match self.participant {
            Some(p) => format!(
                "/editions/{}/participants/{}",
                encode(&self.edition.id),
                encode(&self.edition.participants[p].id)
            ),
            None => "/".to_owned(),
        };
        format!(
            "<p><a href=\"{}\">{}</a></p>\n",
            crate::response::escape(&href),
            crate::response::escape(&plain(self.language, "hand-in-back"))
        )
    }
}

/// A body announced larger than [`LARGEST_BODY`] is refused on its head.
pub async fn announced_too_large(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > LARGEST_BODY as u64) {
        let words = text(
            Language::Fr,
            "hand-in-problem-hand-in-too-large",
            &Args::new().text(
                "limit",
                jalon_runtime::hand_in::size_words(Language::Fr, LARGEST_HAND_IN as u64),
            ),
        );
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONNECTION, "close")],
            respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                page::simple(Language::Fr, "hand-in-refused-title", &words),
            ),
        )
            .into_response();
    }
    next.run(request).await
}

/// The subject of a workspace request: the signed-in person may hand in
/// for this stage and participant.
async fn workspace_subject<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    id: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Subject, Response> {
    let signed = signed(site, workspace, headers).await?;
    let query = query.unwrap_or_default().as_bytes();
    let stage_id = field(query, "stage").unwrap_or_default();
    let participant_id = field(query, "participant").filter(|p| !p.is_empty());
    let Some((definition, access)) = signed.viewer.edition(id) else {
        return Err(not_found(&signed));
    };
    let (definition, access) = (definition.clone(), access.clone());
    // A laureate who applied through the call is in the log's edition.
    let edition = read(site, workspace, &definition, Outbox::None)
        .await?
        .state
        .shared_edition()
        .clone();
    let Some(stage) = edition.stages.iter().position(|s| s.id == stage_id) else {
        return Err(not_found(&signed));
    };
    let participant = match participant_id {
        Some(pid) => match edition.participants.iter().position(|p| p.id == pid) {
            Some(p) => Some(p),
            None => return Err(not_found(&signed)),
        },
        None => None,
    };
    if !access.may_hand_in(&edition, stage, participant) {
        return Err(not_found(&signed));
    }
    Ok(Subject {
        by: signed.viewer.actor_in(&edition),
        edition,
        definition,
        stage,
        participant,
        language: signed.viewer.language,
        channel: Channel::Web,
        csrf: Some(signed.csrf.clone()),
        signed: Some(signed),
        token: None,
    })
}

/// The subject of a hand-in link, or the page saying why it opens nothing.
async fn link_subject<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    token: &str,
) -> Result<Subject, Response> {
    let unknown = || respond(StatusCode::NOT_FOUND, crate::link_pages::unknown_hand_in());
    if !well_formed(token) {
        return Err(unknown());
    }
    let link = match super::documents::stored_link(site, token).await? {
        Some(link) if link.allows(HAND_IN) => link,
        _ => return Err(unknown()),
    };
    let Some(edition) = site
        .editions()
        .iter()
        .find(|e| e.id == link.edition)
        .cloned()
    else {
        return Err(respond(StatusCode::GONE, crate::link_pages::not_running()));
    };
    // A laureate who applied through the call is in the log's edition.
    let definition = edition;
    let edition = read(site, workspace, &definition, Outbox::None)
        .await?
        .state
        .shared_edition()
        .clone();
    let stage = edition.stages.iter().position(|s| s.id == link.stage);
    let participant = link
        .participant
        .as_ref()
        .and_then(|id| edition.participants.iter().position(|p| &p.id == id));
    let (Some(stage), Some(p)) = (stage, participant) else {
        return Err(unknown());
    };
    let language = reader_language(&edition, jalon_core::Recipient::Participant(p));
    if link.expired(site.clock.now()) {
        let words = plain(language, "hand-in-expired");
        return Err(respond(
            StatusCode::GONE,
            page::simple(language, "hand-in-expired-title", &words),
        ));
    }
    let by = edition.participants[p]
        .contact_email
        .clone()
        .unwrap_or_else(|| link.person.clone());
    Ok(Subject {
        edition,
        definition,
        stage,
        participant: Some(p),
        language,
        by,
        channel: Channel::Link,
        signed: None,
        csrf: None,
        token: Some(token.to_owned()),
    })
}

/// `GET /editions/{id}/rendre?stage=…&participant=…`: the form.
pub async fn workspace_form<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    match workspace_subject(&site, &workspace, &id, query.as_deref(), &headers).await {
        Ok(subject) => show(&site, &workspace, &subject).await,
        Err(response) => response,
    }
}

/// `GET /r/{token}`: the form, from a reminder's link.
pub async fn link_form<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(token): UrlPath<String>,
) -> Response {
    match link_subject(&site, &workspace, &token).await {
        Ok(subject) => show(&site, &workspace, &subject).await,
        Err(response) => response,
    }
}

async fn show<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    subject: &Subject,
) -> Response {
    let read = match read(site, workspace, &subject.definition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    if !awaits_work(&read.state, subject) {
        return respond(StatusCode::OK, page::not_now(subject, &read.state));
    }
    respond(StatusCode::OK, page::form(subject, &read.state, &[], ""))
}

/// Whether the stage awaits this hand-in: open, not awaiting validation or
/// done, in an edition not closed.
fn awaits_work(state: &EditionState, subject: &Subject) -> bool {
    state.closed().is_none()
        && state
            .instance_of(subject.stage, subject.participant)
            .is_some_and(|i| matches!(i.progress, Progress::Active))
}

/// `POST /editions/{id}/rendre?stage=…&participant=…`.
pub async fn workspace_submit<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    // Another site's form is turned away before its body is read.
    if session::cross_site(&headers, &workspace.public_url) {
        return respond(
            StatusCode::FORBIDDEN,
            page::simple(
                Language::Fr,
                "ws-form-expired-title",
                &plain(Language::Fr, "ws-form-expired"),
            ),
        );
    }
    match workspace_subject(&site, &workspace, &id, query.as_deref(), &headers).await {
        Ok(subject) => submit(&site, &workspace, subject, multipart).await,
        Err(response) => response,
    }
}

/// `POST /r/{token}`.
pub async fn link_submit<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(token): UrlPath<String>,
    multipart: Multipart,
) -> Response {
    match link_subject(&site, &workspace, &token).await {
        Ok(subject) => submit(&site, &workspace, subject, multipart).await,
        Err(response) => response,
    }
}

async fn submit<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    subject: Subject,
    multipart: Multipart,
) -> Response {
    let l = subject.language;
    let before = match read(site, workspace, &subject.definition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    if !awaits_work(&before.state, &subject) {
        return close(respond(
            StatusCode::CONFLICT,
            page::not_now(&subject, &before.state),
        ));
    }
    let Ok(_permit) = workspace.uploads.try_acquire() else {
        let words = plain(l, "hand-in-busy");
        return close(respond(
            StatusCode::SERVICE_UNAVAILABLE,
            page::simple(l, "hand-in-busy-title", &words),
        ));
    };
    let form = match upload::read(multipart).await {
        Ok(form) => form,
        Err(unreadable) => {
            let problem = unreadable_words(l, &unreadable);
            return close(respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                page::form(&subject, &before.state, &[problem], ""),
            ));
        }
    };
    if let Some(csrf) = &subject.csrf {
        let sent = form.field("csrf").unwrap_or_default();
        if !session::same_secret(sent, csrf) {
            return respond(
                StatusCode::FORBIDDEN,
                page::simple(l, "ws-form-expired-title", &plain(l, "ws-form-expired")),
            );
        }
    }
    let comment = form.field("comment").unwrap_or_default().trim().to_owned();
    if comment.chars().count() > LONGEST_COMMENT {
        let problem = plain(l, "link-error-comment-too-long");
        return respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            page::form(&subject, &before.state, &[problem], &comment),
        );
    }
    let links = form.links();
    let stage = &subject.edition.stages[subject.stage];
    let prepared = match prepare(stage, form.uploads, links) {
        Ok(prepared) => prepared,
        Err(problems) => {
            let words: Vec<String> = problems
                .iter()
                .map(|p| problem_words(l, &subject, p))
                .collect();
            return respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                page::form(&subject, &before.state, &words, &comment),
            );
        }
    };
    let now = site.clock.now();
    let event = Event {
        at: now,
        by: subject.by.clone(),
        channel: subject.channel,
        kind: EventKind::Complete {
            stage: stage.id.clone(),
            participant: subject
                .participant
                .map(|p| subject.edition.participants[p].id.clone()),
            comment: Some(comment.clone()).filter(|c| !c.is_empty()),
            documents: prepared.pieces.clone(),
        },
    };
    let backend = site.backend.clone();
    let edition = subject.definition.clone();
    let size = prepared.size();
    let written = site
        .blocking(move || -> Result<Result<i64, Problem>, RecordError> {
            let mut store = backend.open()?;
            let kept = store.documents_size(&edition.id)?;
            if kept.saturating_add(size) > LARGEST_EDITION {
                return Ok(Err(Problem::EditionFull { kept, size }));
            }
            record_with_documents(&mut store, &edition, &event, &prepared.documents, now)
                .map(|r| Ok(r.seq))
        })
        .await;
    match written {
        Ok(Ok(Ok(seq))) => {
            info!(
                edition = %subject.edition.id,
                stage = %stage.id,
                by = %subject.by,
                seq,
                "hand-in recorded ({} bytes of files)",
                size
            );
            site.wake.notify_one();
            let state = match read(site, workspace, &subject.definition, Outbox::None).await {
                Ok(read) => read.state,
                Err(response) => return response,
            };
            respond(StatusCode::OK, page::done(&subject, &state, seq))
        }
        Ok(Ok(Err(full))) => {
            warn!(edition = %subject.edition.id, "a hand-in was refused: the edition's documents are full");
            let words = problem_words(l, &subject, &full);
            respond(
                StatusCode::INSUFFICIENT_STORAGE,
                page::form(&subject, &before.state, &[words], &comment),
            )
        }
        Ok(Err(RecordError::Refused(rejection))) => {
            let reason = texts::refusal(l, &rejection);
            respond(
                StatusCode::CONFLICT,
                page::form(&subject, &before.state, &[reason], &comment),
            )
        }
        Ok(Err(e)) => {
            warn!("cannot record a hand-in: {e}");
            super::sign_in::trouble()
        }
        Err(e) => {
            warn!("a hand-in's write stopped: {e}");
            super::sign_in::trouble()
        }
    }
}

/// A response after which the connection closes: its body may be left
/// unread.
fn close(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

fn unreadable_words(l: Language, unreadable: &Unreadable) -> String {
    match unreadable {
        Unreadable::TooManyParts => plain(l, "hand-in-problem-too-many-parts"),
        Unreadable::FileTooLarge(name) => text(
            l,
            "hand-in-problem-too-large",
            &Args::new()
                .text("name", jalon_runtime::documents::clean_name(name))
                .text(
                    "limit",
                    jalon_runtime::hand_in::size_words(
                        l,
                        jalon_runtime::documents::LARGEST_FILE as u64,
                    ),
                ),
        ),
        Unreadable::TooLarge => text(
            l,
            "hand-in-problem-hand-in-too-large",
            &Args::new().text(
                "limit",
                jalon_runtime::hand_in::size_words(l, LARGEST_HAND_IN as u64),
            ),
        ),
        Unreadable::Malformed => plain(l, "hand-in-problem-malformed"),
    }
}

/// A problem in the reader's words, naming deliverables by their titles.
fn problem_words(l: Language, subject: &Subject, problem: &Problem) -> String {
    use jalon_runtime::documents::DocumentError as D;
    let stage = &subject.edition.stages[subject.stage];
    let title = |id: &str| {
        stage
            .deliverables
            .iter()
            .find(|d| d.id == id)
            .map_or_else(|| id.to_owned(), |d| d.title.clone())
    };
    let size = |bytes: u64| jalon_runtime::hand_in::size_words(l, bytes);
    let a = Args::new;
    let (id, args) = match problem {
        Problem::File(D::Empty { name }) => ("hand-in-problem-empty", a().text("name", name)),
        Problem::File(D::TooLarge { name, .. }) => (
            "hand-in-problem-too-large",
            a().text("name", name)
                .text("limit", size(jalon_runtime::documents::LARGEST_FILE as u64)),
        ),
        Problem::File(D::Unrecognised { name, seen }) => (
            "hand-in-problem-unrecognised",
            a().text("name", name).text(
                "seen",
                plain(l, &format!("hand-in-seen-{}", seen_id(*seen))),
            ),
        ),
        Problem::File(D::Bomb { name }) => ("hand-in-problem-bomb", a().text("name", name)),
        Problem::File(D::Damaged { name }) => ("hand-in-problem-damaged", a().text("name", name)),
        Problem::NotAccepted {
            deliverable,
            name,
            seen,
        } => (
            "hand-in-problem-not-accepted",
            a().text("name", name)
                .text("kind", plain(l, &format!("hand-in-kind-{seen}")))
                .text("deliverable", title(deliverable)),
        ),
        Problem::LinkNotAccepted { deliverable } => (
            "hand-in-problem-link-not-accepted",
            a().text("deliverable", title(deliverable)),
        ),
        Problem::BadLink { url, .. } => ("hand-in-problem-bad-link", a().text("url", url)),
        Problem::TooFew {
            deliverable,
            min,
            given,
        } => (
            "hand-in-problem-too-few",
            a().text("deliverable", title(deliverable))
                .number("min", *min as usize)
                .number("given", *given),
        ),
        Problem::TooMany {
            deliverable,
            max,
            given,
        } => (
            "hand-in-problem-too-many",
            a().text("deliverable", title(deliverable))
                .number("max", *max as usize)
                .number("given", *given),
        ),
        Problem::HandInTooLarge { .. } => (
            "hand-in-problem-hand-in-too-large",
            a().text("limit", size(LARGEST_HAND_IN as u64)),
        ),
        Problem::EditionFull { .. } => ("hand-in-problem-edition-full", a()),
        Problem::UnknownDeliverable { .. } => ("hand-in-problem-unknown", a()),
        Problem::Nothing => ("hand-in-problem-nothing", a()),
    };
    text(l, id, &args)
}

/// The message id of what a refused file looked like.
fn seen_id(seen: Option<&str>) -> &'static str {
    match seen {
        Some("HTML") => "html",
        Some("SVG image") => "svg",
        Some("XML") => "xml",
        Some("script") => "script",
        Some("text") => "text",
        Some("executable") | Some("installer") => "program",
        Some("ZIP archive") | Some("archive") => "archive",
        Some("image") => "image",
        Some("audio") | Some("video") => "media",
        _ => "other",
    }
}
