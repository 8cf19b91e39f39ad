//! Handed-in files, served only to people allowed to see them and only as
//! downloads: `Content-Disposition: attachment` with the cleaned name, the
//! sniffed type, `nosniff`, and a sandboxing policy, so that no file is
//! ever shown inline as a page of this site.
//!
//! Three doors: the workspace (whoever may see the participant, or the
//! stage for edition-wide ones), a validation link (the files of its
//! request's stage), and a hand-in link (the participant's own files).

use std::sync::Arc;

use axum::extract::{Extension, Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jalon_core::{Instance, Piece, State as EditionState};
use jalon_definition::resolved::Edition;
use jalon_runtime::documents::attachment_header;
use jalon_runtime::links::{token_hash, well_formed, ANSWERS, HAND_IN};
use jalon_store::{Backend, Link, Store};
use tracing::warn;

use super::pages::{not_found, read, Outbox};
use super::{signed, Workspace};
use crate::site::Site;

/// A SHA-256 as written in URLs: 64 lower-case hex digits.
fn well_formed_sha(sha: &str) -> bool {
    sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The file named `sha` among the pieces handed in to `instances`.
fn piece_in<'s>(instances: impl Iterator<Item = &'s Instance>, sha: &str) -> Option<&'s Piece> {
    instances
        .flat_map(|i| &i.submissions)
        .flat_map(|s| &s.documents)
        .find(|p| matches!(p, Piece::File { sha256, .. } if sha256 == sha))
}

/// `GET /editions/{id}/documents/{sha}` in the workspace.
pub async fn workspace_document<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((id, sha)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let Some((edition, access)) = signed.viewer.edition(&id) else {
        return not_found(&signed);
    };
    if !well_formed_sha(&sha) {
        return not_found(&signed);
    }
    let (edition, access) = (edition.clone(), access.clone());
    let read = match read(&site, &workspace, &edition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let allowed = read.state.instances().iter().filter(|i| {
        access.coordination
            || access.validates.covers(i.stage, i.participant)
            || access.owns.covers(i.stage, i.participant)
            || i.participant
                .is_some_and(|p| access.sees_participant(&edition, p))
    });
    let Some(piece) = piece_in(allowed, &sha).cloned() else {
        return not_found(&signed);
    };
    serve(&site, &edition, piece).await
}

/// `GET /v/{token}/documents/{sha}` (a validation request's files) and
/// `GET /r/{token}/documents/{sha}` (a participant's own).
pub async fn link_document<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((token, sha)): UrlPath<(String, String)>,
) -> Response {
    let missing = || respond_missing();
    if !well_formed(&token) || !well_formed_sha(&sha) {
        return missing();
    }
    let link = match stored_link(&site, &token).await {
        Ok(Some(link)) => link,
        Ok(None) => return missing(),
        Err(response) => return response,
    };
    let kind_ok = link.allows(HAND_IN) || ANSWERS.iter().all(|a| link.allows(a));
    if !kind_ok || link.expired(site.clock.now()) {
        return missing();
    }
    let Some(edition) = site
        .editions()
        .iter()
        .find(|e| e.id == link.edition)
        .cloned()
    else {
        return missing();
    };
    let read = match read(&site, &workspace, &edition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let Some(instance) = link_instance(&read.state, &link) else {
        return missing();
    };
    let Some(piece) = piece_in(std::iter::once(instance), &sha).cloned() else {
        return missing();
    };
    serve(&site, &edition, piece).await
}

/// The link a well-formed token opens, if any (read-only, so a page shown
/// writes nothing); the trouble page when the store cannot be read.
pub(super) async fn stored_link<B: Backend>(
    site: &Site<B>,
    token: &str,
) -> Result<Option<Link>, Response> {
    let hash = token_hash(token);
    let backend = site.backend.clone();
    let found = site
        .blocking(move || -> Result<Option<Link>, String> {
            let Some(store) = backend.open_read_only().map_err(|e| e.to_string())? else {
                return Ok(None);
            };
            Ok(store
                .link(&hash)
                .map_err(|e| e.to_string())?
                .map(|s| s.link))
        })
        .await;
    match found {
        Ok(Ok(link)) => Ok(link),
        Ok(Err(e)) => {
            warn!("cannot read a link: {e}");
            Err(super::sign_in::trouble())
        }
        Err(e) => {
            warn!("cannot read a link: {e}");
            Err(super::sign_in::trouble())
        }
    }
}

fn link_instance<'s>(state: &'s EditionState, link: &Link) -> Option<&'s Instance> {
    let edition = state.edition();
    let stage = edition.stages.iter().position(|s| s.id == link.stage)?;
    let participant = match &link.participant {
        Some(id) => Some(edition.participants.iter().position(|p| &p.id == id)?),
        None => None,
    };
    state.instance_of(stage, participant)
}

fn respond_missing() -> Response {
    crate::response::respond(StatusCode::NOT_FOUND, crate::link_pages::unknown_document())
}

/// The file itself, as a download.
async fn serve<B: Backend>(site: &Site<B>, edition: &Arc<Edition>, piece: Piece) -> Response {
    let Piece::File {
        name,
        media_type,
        sha256,
        ..
    } = piece
    else {
        return respond_missing();
    };
    let backend = site.backend.clone();
    let id = edition.id.clone();
    let found = site
        .blocking(move || -> Result<Option<jalon_store::Document>, String> {
            let Some(store) = backend.open_read_only().map_err(|e| e.to_string())? else {
                return Ok(None);
            };
            store.document(&id, &sha256).map_err(|e| e.to_string())
        })
        .await;
    let document = match found {
        Ok(Ok(Some(document))) => document,
        Ok(Ok(None)) => return respond_missing(),
        Ok(Err(e)) => {
            warn!("cannot read a document: {e}");
            return super::sign_in::trouble();
        }
        Err(e) => {
            warn!("cannot read a document: {e}");
            return super::sign_in::trouble();
        }
    };
    let mut response = (StatusCode::OK, document.content).into_response();
    let headers = response.headers_mut();
    // The type the content was sniffed as when kept, never the name's.
    let kind = HeaderValue::from_str(&document.media_type)
        .or_else(|_| HeaderValue::from_str(&media_type))
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, kind);
    if let Ok(disposition) = HeaderValue::from_str(&attachment_header(&name)) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    } else {
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment"),
        );
    }
    response
}
