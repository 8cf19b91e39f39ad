//! Validation links, `/v/{token}`. GET and HEAD show what the link is for
//! and change nothing: mail scanners open links, and some even submit the
//! forms they find, so only a POST carrying the person's answer records it —
//! as the person whose link it is, through the same optimistic write as the
//! CLI, with the link marked used in the same transaction.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use jalon_core::{Channel, Event, EventKind, Progress, Recipient, Rejection};
use jalon_definition::resolved::Edition;
use jalon_runtime::compose::messages;
use jalon_runtime::hand_in::handed_in_by;
use jalon_runtime::links::{token_hash, well_formed, ANSWERS};
use jalon_runtime::record::{record_by_link, LinkAnswer, RecordError};
use jalon_runtime::replay::replay;
use jalon_runtime::texts;
use jalon_store::{Backend, Claim, Link, Store, StoredLink};
use jiff::Timestamp;
use tracing::{error, info};

use super::link_pages::{self as pages, Answer, View};
use super::response::respond;
use super::scheduler::Editions;
use super::site::Site;

/// The longest comment taken, in characters: a page of text.
pub const LONGEST_COMMENT: usize = 5_000;

/// The largest form taken, in bytes: the longest comment percent-encoded
/// (5,000 characters of up to 4 bytes, each byte written `%XX`: 60,000
/// bytes) and the answer. A larger body is refused with 413 as it arrives,
/// before anything is looked up or recorded; the other routes take none.
pub(crate) const LARGEST_FORM: usize = 64 * 1024;

pub fn routes<B: Backend>(site: Arc<Site<B>>) -> Router {
    Router::new()
        .route("/v/{token}", get(show::<B>).post(answer::<B>))
        .layer(DefaultBodyLimit::max(LARGEST_FORM))
        .layer(axum::middleware::from_fn(announced_too_large))
        .with_state(site)
}

/// A body announced larger than [`LARGEST_FORM`] is refused on the head
/// alone: the limit above only counts bytes as they arrive, so it would
/// wait for them (up to the request's time limit) before answering.
pub(crate) async fn announced_too_large(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > LARGEST_FORM as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONNECTION, "close")],
            "the form is too large\n",
        )
            .into_response();
    }
    next.run(request).await
}

/// A link and its edition's state at the moment of the request.
struct Found {
    edition: Arc<Edition>,
    stored: StoredLink,
    view: View,
    /// A newer submission was made since the link was sent.
    stale: bool,
    /// Why the core would refuse an answer now, if it would.
    blocked: Option<Rejection>,
}

enum Lookup {
    /// Malformed, forged or tampered: there is no such link.
    Unknown,
    /// Its edition is no longer among the running ones.
    NotRunning,
    Found(Box<Found>),
}

/// `GET` (and `HEAD`): the page, and nothing else.
async fn show<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    UrlPath(token): UrlPath<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let preselect = query.as_deref().and_then(|q| field(q.as_bytes(), "answer"));
    let now = site.clock.now();
    let found = match look_up(&site, &token, now).await {
        Ok(Lookup::Found(found)) => found,
        Ok(other) => return not_found(other),
        Err(()) => return respond(StatusCode::SERVICE_UNAVAILABLE, pages::trouble()),
    };
    let (view, link) = (&found.view, &found.stored.link);
    if let Some(used) = &found.stored.used {
        let at = pages::when(&found.edition, view.language, used.at);
        return respond(StatusCode::OK, pages::already(view, &used.answer, &at));
    }
    if let Some(response) = closed(&found, link, now) {
        return response;
    }
    if let Some(rejection) = &found.blocked {
        let reason = texts::refusal(view.language, rejection);
        return respond(StatusCode::CONFLICT, pages::refused(view, &reason));
    }
    let preselect = preselect.as_deref().and_then(Answer::parse);
    respond(
        StatusCode::OK,
        pages::form(view, &token, preselect, "", None),
    )
}

/// `POST`: the person's answer, recorded once.
async fn answer<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    UrlPath(token): UrlPath<String>,
    body: Bytes,
) -> Response {
    let now = site.clock.now();
    let found = match look_up(&site, &token, now).await {
        Ok(Lookup::Found(found)) => found,
        Ok(other) => return not_found(other),
        Err(()) => return respond(StatusCode::SERVICE_UNAVAILABLE, pages::trouble()),
    };
    let link = found.stored.link.clone();
    if let Some(used) = &found.stored.used {
        return already(&found, used.at, &used.answer);
    }
    if let Some(response) = closed(&found, &link, now) {
        return response;
    }
    let comment = field(&body, "comment").unwrap_or_default();
    let comment = comment.trim();
    let chosen = field(&body, "answer").as_deref().and_then(Answer::parse);
    let Some(chosen) = chosen.filter(|a| link.allows(a.as_str())) else {
        let error = words(&found, "link-error-no-answer");
        let page = pages::form(&found.view, &token, None, comment, Some(&error));
        return respond(StatusCode::BAD_REQUEST, page);
    };
    if comment.chars().count() > LONGEST_COMMENT {
        let error = words(&found, "link-error-comment-too-long");
        let page = pages::form(&found.view, &token, Some(chosen), comment, Some(&error));
        return respond(StatusCode::PAYLOAD_TOO_LARGE, page);
    }

    let event = event(&link, chosen, comment, now);
    let backend = site.backend.clone();
    let edition = found.edition.clone();
    let for_write = link.clone();
    let written = site
        .blocking(move || record(&backend, &edition, &for_write, &event, chosen, now))
        .await;
    match written {
        Ok(Ok(LinkAnswer::Recorded(recorded))) => {
            info!(
                edition = %link.edition,
                key = %link.action_key,
                by = %link.person,
                answer = chosen.as_str(),
                seq = recorded.seq,
                "{} recorded through a link for {}",
                chosen.as_str(),
                link.action_key
            );
            // Follow-up messages (the next stage, the refusal notice) go at once.
            site.wake.notify_one();
            respond(
                StatusCode::OK,
                pages::recorded(&found.view, chosen, recorded.seq),
            )
        }
        Ok(Ok(LinkAnswer::Used(stored))) => match stored.used {
            Some(used) => already(&found, used.at, &used.answer),
            None => respond(StatusCode::SERVICE_UNAVAILABLE, pages::trouble()),
        },
        Ok(Ok(LinkAnswer::Missing)) => not_found(Lookup::Unknown),
        Ok(Err(RecordError::Refused(Rejection::EmptyComment))) => {
            let error = words(&found, "link-error-comment-needed");
            let page = pages::form(&found.view, &token, Some(chosen), comment, Some(&error));
            respond(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Ok(Err(RecordError::Refused(rejection))) => {
            // The log keeps the core's own words; the person reads theirs.
            info!(key = %link.action_key, "answer through a link refused: {rejection}");
            let reason = texts::refusal(found.view.language, &rejection);
            respond(StatusCode::CONFLICT, pages::refused(&found.view, &reason))
        }
        Ok(Err(RecordError::Precondition(_))) => {
            respond(StatusCode::GONE, pages::stale(&found.view))
        }
        Ok(Err(e)) => {
            error!(key = %link.action_key, "cannot record an answer through a link: {e}");
            respond(StatusCode::SERVICE_UNAVAILABLE, pages::trouble())
        }
        Err(e) => {
            error!(key = %link.action_key, "the write of an answer stopped: {e}");
            respond(StatusCode::SERVICE_UNAVAILABLE, pages::trouble())
        }
    }
}

/// Pages for links that cannot be answered any more: expired, or about a
/// submission made again since.
fn closed(found: &Found, link: &Link, now: Timestamp) -> Option<Response> {
    if link.expired(now) {
        info!(key = %link.action_key, "expired link opened");
        return Some(respond(StatusCode::GONE, pages::expired(&found.view)));
    }
    if found.stale {
        return Some(respond(StatusCode::GONE, pages::stale(&found.view)));
    }
    None
}

fn already(found: &Found, at: Timestamp, answer: &str) -> Response {
    let at = pages::when(&found.edition, found.view.language, at);
    respond(
        StatusCode::CONFLICT,
        pages::already(&found.view, answer, &at),
    )
}

fn not_found(lookup: Lookup) -> Response {
    match lookup {
        Lookup::NotRunning => respond(StatusCode::GONE, pages::not_running()),
        _ => respond(StatusCode::NOT_FOUND, pages::unknown()),
    }
}

/// The message `id` (pages.ftl) in the language of the link's person.
fn words(found: &Found, id: &str) -> String {
    texts::plain(found.view.language, id)
}

/// The first value of a field in a form body or a query string.
pub(crate) fn field(form: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(form)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The link of a token and what its page shows, read on a blocking thread.
/// Errors are logged here (without the token).
async fn look_up<B: Backend>(site: &Site<B>, token: &str, now: Timestamp) -> Result<Lookup, ()> {
    if !well_formed(token) {
        return Ok(Lookup::Unknown);
    }
    let hash = token_hash(token);
    let backend = site.backend.clone();
    let editions = site.editions();
    let found = site
        .blocking(move || find(&backend, &editions, &hash, now))
        .await;
    match found {
        Ok(Ok(lookup)) => Ok(lookup),
        Ok(Err(e)) => {
            error!("cannot read a validation link: {e}");
            Err(())
        }
        Err(e) => {
            error!("the lookup of a validation link stopped: {e}");
            Err(())
        }
    }
}

fn find<B: Backend>(
    backend: &B,
    editions: &Editions,
    hash: &str,
    now: Timestamp,
) -> Result<Lookup, String> {
    // Read-only: a page shown (to a person or a mail scanner) writes nothing.
    let Some(store) = backend.open_read_only().map_err(|e| e.to_string())? else {
        return Ok(Lookup::Unknown);
    };
    let Some(stored) = store.link(hash).map_err(|e| e.to_string())? else {
        return Ok(Lookup::Unknown);
    };
    // A hand-in link answers nothing here (it opens `/r/`).
    if !ANSWERS.iter().all(|a| stored.link.allows(a)) {
        return Ok(Lookup::Unknown);
    }
    let Some(edition) = editions.iter().find(|e| e.id == stored.link.edition) else {
        return Ok(Lookup::NotRunning);
    };
    let history = store.history(&edition.id).map_err(|e| e.to_string())?;
    let mut state = replay(edition.clone(), &history).map_err(|e| e.to_string())?;
    let link = &stored.link;
    let view = view(&state, link);
    let stale = stale(&state, link);
    // A dry run on this throw-away state: would the core take an approval?
    let trial = event(link, Answer::Approve, "", now);
    let blocked = state.apply(&trial).err();
    Ok(Lookup::Found(Box::new(Found {
        edition: edition.clone(),
        stored,
        view,
        stale,
        blocked,
    })))
}

/// What the page shows about a link, in its person's language.
fn view(state: &jalon_core::State, link: &Link) -> View {
    let edition = state.edition();
    let ids = state.ids();
    let person = ids.people.get(&link.person).copied();
    let language = person.map_or(edition.language, |p| {
        messages::reader_language(edition, Recipient::Person(p))
    });
    let stage = ids.stages.get(&link.stage).map(|&s| &edition.stages[s]);
    let participant = link.participant.as_ref().map(|id| {
        ids.participants
            .get(id)
            .map_or_else(|| id.clone(), |&p| edition.participants[p].name.clone())
    });
    let since = instance(state, link).and_then(|i| match i.progress {
        Progress::AwaitingValidation { since } => Some(pages::when(edition, language, since)),
        _ => None,
    });
    View {
        language,
        person: person.map_or_else(|| link.person.clone(), |p| edition.people[p].name.clone()),
        programme: edition.programme_name.clone(),
        edition: edition.name.clone(),
        stage: stage.map_or_else(|| link.stage.clone(), |s| s.title.clone()),
        description: stage.and_then(|s| s.description.clone()),
        participant,
        deliverables: stage
            .map(|s| {
                s.deliverables
                    .iter()
                    .map(|d| (d.title.clone(), d.description.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        handed: instance(state, link)
            .and_then(|i| i.submissions.last())
            .map(|s| s.documents.clone())
            .unwrap_or_default(),
        handed_note: instance(state, link)
            .and_then(|i| i.submissions.last())
            .and_then(|s| Some((handed_in_by(edition, &s.by), s.comment.clone()?))),
        since,
        expires: pages::when(edition, language, link.expires_at),
    }
}

fn instance<'s>(state: &'s jalon_core::State, link: &Link) -> Option<&'s jalon_core::Instance> {
    let ids = state.ids();
    let stage = *ids.stages.get(&link.stage)?;
    let participant = match &link.participant {
        Some(id) => Some(*ids.participants.get(id)?),
        None => None,
    };
    state.instance_of(stage, participant)
}

/// The work was submitted again since the link was sent: its answer would
/// be about a version the person has not seen.
fn stale(state: &jalon_core::State, link: &Link) -> bool {
    instance(state, link).is_some_and(|i| i.round != link.round)
}

fn event(link: &Link, answer: Answer, comment: &str, at: Timestamp) -> Event {
    let stage = link.stage.clone();
    let participant = link.participant.clone();
    let kind = match answer {
        Answer::Approve => EventKind::Approve {
            stage,
            participant,
            comment: Some(comment.to_owned()).filter(|c| !c.is_empty()),
        },
        Answer::Refuse => EventKind::Refuse {
            stage,
            participant,
            comment: comment.to_owned(),
        },
    };
    Event {
        at,
        by: link.person.clone(),
        channel: Channel::Link,
        kind,
    }
}

/// The answer, the messages it makes due and the link marked used, in one
/// transaction; decided again on a fresh history if another writer went
/// first. An answer about an older submission is refused.
fn record<B: Backend>(
    backend: &B,
    edition: &Arc<Edition>,
    link: &Link,
    event: &Event,
    answer: Answer,
    now: Timestamp,
) -> Result<LinkAnswer, RecordError> {
    let mut store = backend.open()?;
    let claim = Claim {
        token_hash: link.token_hash.clone(),
        answer: answer.as_str().to_owned(),
        at: now,
    };
    let not_stale = |state: &jalon_core::State| {
        if stale(state, link) {
            Err("the work was submitted again since this link was sent".to_owned())
        } else {
            Ok(())
        }
    };
    record_by_link(&mut store, edition, &claim, event, &not_stale)
}
