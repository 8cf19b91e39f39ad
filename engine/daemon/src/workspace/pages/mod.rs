//! The workspace's pages, all read-only (GET changes nothing): what awaits
//! the signed-in person, an edition with its timeline, a participant, the
//! messages of an edition and one of them, and the audit trail. This
//! module has what they share: reading an edition, words for dates and
//! states, the coordination's access.

mod cards;
mod edition;
mod home;
mod journal;
mod message_log;
mod participant;

pub use edition::edition;
pub use home::home;
pub use journal::journal;
pub use message_log::{message, messages};
pub use participant::participant;

use cards::*;
use message_log::message_table;

use std::sync::Arc;

use axum::extract::{Extension, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jalon_core::{Lifecycle, Progress, State as EditionState};
use jalon_definition::resolved::{Edition, Language};
use jalon_runtime::compose::messages as compose;
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::payload::Payload;
use jalon_runtime::replay::replay;
use jalon_runtime::status::awaited_validators;
use jalon_runtime::texts::{plain, text, Args};
use jalon_store::{Backend, Delivery, History, OutboxEntry, Store};
use jiff::civil::Date;
use jiff::Timestamp;
use tracing::warn;

use super::access::Access;
use super::html::{encode, frame, para, scroll_box};
use super::{sign_in, signed, Signed, Workspace};
use crate::link_routes::field;
use crate::response::{escape, respond};
use crate::site::Site;

/// The most messages the log shows at once (the newest); the CLI's
/// `jalon outbox` has them all.
const MESSAGES_SHOWN: usize = 300;
/// The most events the audit trail shows at once (the newest).
const EVENTS_SHOWN: usize = 500;

/// An edition's record as read for a page.
pub struct Read {
    /// The end of the event log it reflects.
    pub seq: i64,
    pub state: Arc<EditionState>,
    pub history: Arc<History>,
    /// Read only when the page asks for it.
    pub outbox: Vec<OutboxEntry>,
    /// Messages held, and failed for good (counted for the coordination).
    pub alerts: (usize, usize),
}

/// What of its outbox a page reads.
#[derive(Clone, Copy)]
pub enum Outbox {
    None,
    /// The counts of held and failed messages.
    Alerts,
    Whole,
}

/// Reads an edition (its state from the cache when nothing was recorded
/// since) on a blocking thread, and `what` of its outbox.
pub async fn read<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    edition: &Arc<Edition>,
    what: Outbox,
) -> Result<Read, Response> {
    let backend = site.backend.clone();
    let edition = edition.clone();
    let workspace = workspace.clone();
    let read = site
        .blocking(move || -> Result<Read, String> {
            let Some(store) = backend.open_read_only().map_err(|e| e.to_string())? else {
                let state =
                    replay(edition.clone(), &History::default()).map_err(|e| e.to_string())?;
                return Ok(Read {
                    seq: 0,
                    state: Arc::new(state),
                    history: Arc::new(History::default()),
                    outbox: Vec::new(),
                    alerts: (0, 0),
                });
            };
            let seq = store.last_seq().map_err(|e| e.to_string())?;
            let (state, history) = match workspace.states.get(&edition, seq) {
                Some(kept) => kept,
                None => {
                    let history = Arc::new(store.history(&edition.id).map_err(|e| e.to_string())?);
                    let state =
                        Arc::new(replay(edition.clone(), &history).map_err(|e| e.to_string())?);
                    workspace
                        .states
                        .put(&edition, seq, state.clone(), history.clone());
                    (state, history)
                }
            };
            let (outbox, alerts) = match what {
                Outbox::Whole => (
                    store.outbox(&edition.id).map_err(|e| e.to_string())?,
                    (0, 0),
                ),
                Outbox::Alerts => (
                    Vec::new(),
                    store
                        .outbox_alerts(&edition.id)
                        .map_err(|e| e.to_string())?,
                ),
                Outbox::None => (Vec::new(), (0, 0)),
            };
            Ok(Read {
                seq,
                state,
                history,
                outbox,
                alerts,
            })
        })
        .await;
    match read {
        Ok(Ok(read)) => Ok(read),
        Ok(Err(e)) => {
            warn!("cannot read an edition for a page: {e}");
            Err(sign_in::trouble())
        }
        Err(e) => {
            warn!("cannot read an edition for a page: {e}");
            Err(sign_in::trouble())
        }
    }
}

/// 404 in the reader's language: a page they may not see does not exist.
pub fn not_found(signed: &Signed) -> Response {
    let l = signed.viewer.language;
    let title = plain(l, "ws-not-found-title");
    let body = format!(
        "<h1>{}</h1>\n{}<p><a href=\"/\">{}</a></p>",
        escape(&title),
        para(&plain(l, "ws-not-found")),
        escape(&plain(l, "ws-home"))
    );
    respond(StatusCode::NOT_FOUND, frame(l, &title, Some(signed), &body))
}

/// A date as people read it in `language`.
pub fn day(language: Language, date: Date) -> String {
    match language {
        Language::Fr => date.strftime("%d/%m/%Y").to_string(),
        Language::En => date.strftime("%-d %b %Y").to_string(),
    }
}

/// Someone's words quoted, with the reader's language's marks.
pub fn quoted(l: Language, text: &str) -> String {
    match l {
        Language::Fr => format!("«\u{a0}{text}\u{a0}»"),
        Language::En => format!("“{text}”"),
    }
}

/// A colon as the reader's language writes it (French: a no-break space
/// before it).
pub fn colon(l: Language) -> &'static str {
    match l {
        Language::Fr => "\u{a0}:",
        Language::En => ":",
    }
}

/// An instance's window in words, or « dates à fixer » while they are not
/// known (`à fixer` in the definition, not fixed yet).
pub fn instance_window_words(language: Language, window: jalon_core::windows::Window) -> String {
    if window.to_be_fixed {
        return text(language, "ws-to-be-fixed", &Args::new());
    }
    window_words(language, window.start, window.due)
}

/// A window in words: « du 09/11/2026 au 08/01/2027 », or « le 13/01/2027 »
/// when it is one day.
pub fn window_words(language: Language, start: Date, due: Date) -> String {
    if start == due {
        return text(
            language,
            "ws-on-day",
            &Args::new().text("date", day(language, start)),
        );
    }
    text(
        language,
        "ws-window",
        &Args::new()
            .text("start", day(language, start))
            .text("due", day(language, due)),
    )
}

/// The title of an instance: the stage's, and the participant's name.
pub fn instance_title(edition: &Edition, stage: usize, participant: Option<usize>) -> String {
    let title = &edition.stages[stage].title;
    match participant {
        Some(p) => format!("{title} — {}", edition.participants[p].name),
        None => title.clone(),
    }
}

/// The edition a coordinator may open, else the page to answer instead.
async fn coordinated<B: Backend>(
    site: &Site<B>,
    workspace: &Workspace,
    headers: &HeaderMap,
    id: &str,
) -> Result<(Signed, Arc<Edition>, Access), Response> {
    let signed = signed(site, workspace, headers).await?;
    match signed.viewer.edition(id) {
        Some((edition, access)) if access.coordination => {
            let (edition, access) = (edition.clone(), access.clone());
            Ok((signed, edition, access))
        }
        _ => Err(not_found(&signed)),
    }
}

/// A participant's standing in words.
fn status_words(state: &EditionState, p: usize, l: Language) -> String {
    use jalon_definition::resolved::ParticipantStatus as S;
    let current = state.participant(p);
    let id = match current.status {
        S::Candidate => "ws-status-candidate",
        S::Shortlisted => "ws-status-shortlisted",
        S::Laureate => "ws-status-laureate",
        S::NotRetained => "ws-status-not-retained",
        S::Withdrawn => "ws-status-withdrawn",
    };
    let words = plain(l, id);
    match current.left_at {
        Some(at) => format!("{words} ({})", short_local(state.edition(), at)),
        None => words,
    }
}
