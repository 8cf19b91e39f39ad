//! The workspace's pages, all read-only (GET changes nothing): what awaits
//! the signed-in person, an edition with its timeline, a participant, the
//! messages of an edition and one of them, and the audit trail.

use std::sync::Arc;

use axum::extract::{Extension, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jalon_core::{Lifecycle, Progress, State as EditionState};
use jalon_definition::resolved::{Edition, Language};
use jalon_runtime::compose::messages;
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

/// The state of an instance in words, and whether it is late.
fn life_words(
    state: &EditionState,
    instance: &jalon_core::Instance,
    now: Timestamp,
    l: Language,
) -> (String, bool) {
    let (life, late) = state.lifecycle(instance, now);
    let id = match life {
        Lifecycle::Waiting => "ws-life-waiting",
        Lifecycle::Scheduled => "ws-life-scheduled",
        Lifecycle::Open => "ws-life-open",
        Lifecycle::AwaitingValidation => "ws-life-awaiting",
        Lifecycle::Done => "ws-life-done",
        Lifecycle::Skipped => "ws-life-skipped",
    };
    let unfinished = !matches!(life, Lifecycle::Done | Lifecycle::Skipped);
    if state.closed().is_some() && unfinished {
        return (plain(l, "ws-life-not-recorded"), false);
    }
    let mut words = plain(l, id);
    if late {
        words = format!("{words} · {}", plain(l, "ws-late"));
    }
    (words, late)
}

/// How a card is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CardOn {
    /// Home, the edition: the participant's name links to their page.
    List,
    /// The participant's own page.
    ParticipantPage,
}

/// One instance as a card: title, state, dates, what it waits for, and
/// the actions the reader may take on it.
fn instance_card(
    read: &Read,
    instance: &jalon_core::Instance,
    access: &Access,
    now: Timestamp,
    l: Language,
    on: CardOn,
) -> String {
    let state = &read.state;
    let edition = state.edition();
    let stage = &edition.stages[instance.stage];
    let (words, late) = life_words(state, instance, now, l);
    let class = if late { "tag late" } else { "tag" };
    let title = match instance.participant {
        Some(p) if on == CardOn::List && access.sees_participant(edition, p) => format!(
            "{} — <a href=\"/editions/{}/participants/{}\">{}</a>",
            escape(&stage.title),
            encode(&edition.id),
            encode(&edition.participants[p].id),
            escape(&edition.participants[p].name)
        ),
        _ => escape(&instance_title(
            edition,
            instance.stage,
            instance.participant,
        )),
    };
    let mut card = format!(
        "<li><strong>{title}</strong> <span class=\"{class}\">{}</span><br>\n<span class=\"muted\">{}</span>",
        escape(&words),
        escape(&window_words(l, instance.window.start, instance.window.due)),
    );
    if (instance.window.start, instance.window.due) != (stage.start, stage.due) {
        card.push_str(&format!(
            " <span class=\"muted\">({})</span>",
            escape(&text(
                l,
                "ws-planned",
                &Args::new().text("window", window_words(l, stage.start, stage.due))
            ))
        ));
    }
    let note = match &instance.progress {
        Progress::Done { at } => {
            let mut note = text(
                l,
                "ws-done-on",
                &Args::new().text("at", short_local(edition, *at)),
            );
            if let Some(o) = instance.outcome {
                note = format!("{note} — {}", stage.outcomes[o].title);
            }
            note
        }
        // A closed edition waits for nobody.
        Progress::AwaitingValidation { .. } if state.closed().is_none() => {
            let awaited = awaited_validators(state, instance);
            let me = access.person.is_some_and(|p| awaited.contains(&p));
            let others: Vec<&str> = awaited
                .into_iter()
                .filter(|&p| Some(p) != access.person)
                .map(|p| edition.people[p].name.as_str())
                .collect();
            let who = Args::new().text("who", others.join(", "));
            match (me, others.is_empty()) {
                (true, true) => plain(l, "ws-awaits-you"),
                (true, false) => text(l, "ws-awaits-you-and", &who),
                (false, _) => text(l, "ws-awaits", &who),
            }
        }
        Progress::AwaitingValidation { .. } => String::new(),
        Progress::Active => match instance.refusals.last() {
            Some(r) => text(
                l,
                "ws-changes-asked",
                &Args::new()
                    .text("who", edition.people[r.by].name.clone())
                    .text("comment", r.comment.clone()),
            ),
            None => String::new(),
        },
        Progress::Skipped { reason, .. } => state.skip_words(reason),
    };
    if !note.is_empty() {
        card.push_str(&format!("<br>{}", escape(&note)));
    }
    if state.closed().is_none() {
        let links = super::actions::links_for(edition, instance, access, l);
        if !links.is_empty() {
            card.push_str(&format!("<div class=\"actions\">{links}</div>"));
        }
    }
    card.push_str("</li>\n");
    card
}

/// A per-participant stage with more instances than this shows their
/// counts and those needing attention, rather than a card each.
const CARDS_PER_STAGE: usize = 12;
/// The most instances needing attention listed under one summary, and
/// the most cards of one edition on the home page.
const ATTENTION_SHOWN: usize = 20;

/// A per-participant stage of many instances: how many are in each state,
/// and the late or awaiting ones (the first [`ATTENTION_SHOWN`]).
fn stage_summary(
    read: &Read,
    instances: &[&jalon_core::Instance],
    access: &Access,
    now: Timestamp,
    l: Language,
) -> String {
    let state = &read.state;
    let Some(first) = instances.first() else {
        return String::new();
    };
    let stage = &state.edition().stages[first.stage];
    let (mut open, mut awaiting, mut done, mut late) = (0, 0, 0, 0);
    let mut attention = Vec::new();
    for instance in instances {
        let (life, is_late) = state.lifecycle(instance, now);
        match life {
            Lifecycle::Open => open += 1,
            Lifecycle::AwaitingValidation => awaiting += 1,
            Lifecycle::Done => done += 1,
            _ => {}
        }
        late += usize::from(is_late);
        if is_late || life == Lifecycle::AwaitingValidation {
            attention.push(*instance);
        }
    }
    let counts = text(
        l,
        "ws-counts",
        &Args::new()
            .number("count", instances.len())
            .number("open", open)
            .number("awaiting", awaiting)
            .number("done", done)
            .number("late", late),
    );
    let mut card = format!(
        "<li><strong>{}</strong><br>{}",
        escape(&stage.title),
        escape(&counts)
    );
    if !attention.is_empty() {
        card.push_str("<ul class=\"cards\">\n");
        for instance in attention.iter().take(ATTENTION_SHOWN) {
            card.push_str(&instance_card(read, instance, access, now, l, CardOn::List));
        }
        card.push_str("</ul>\n");
        if attention.len() > ATTENTION_SHOWN {
            card.push_str(&para(&text(
                l,
                "ws-more",
                &Args::new().number("count", attention.len() - ATTENTION_SHOWN),
            )));
        }
    }
    card.push_str("</li>\n");
    card
}

/// `/`: what awaits the signed-in person, then their editions.
pub async fn home<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let l = signed.viewer.language;
    let now = site.clock.now();
    let title = plain(l, "ws-waiting-title");
    let mut body = format!(
        "<h1>{}</h1>\n",
        escape(&text(
            l,
            "ws-hello",
            &Args::new().text("name", signed.viewer.name.clone())
        ))
    );
    let mut waiting = String::new();
    let mut lists = [String::new(), String::new(), String::new()];
    for (edition, access) in &signed.viewer.editions {
        if access.is_empty() {
            continue;
        }
        let read = match read(
            &site,
            &workspace,
            edition,
            if access.coordination {
                Outbox::Alerts
            } else {
                Outbox::None
            },
        )
        .await
        {
            Ok(read) => read,
            Err(response) => return response,
        };
        waiting.push_str(&awaiting(&read, access, now, l));
        let today = now.to_zoned(edition.time_zone.clone()).date();
        let (which, word) = if read.state.closed().is_some() || today > edition.end {
            (2, "ws-closed")
        } else if today < edition.start {
            (1, "ws-upcoming")
        } else {
            (0, "ws-running")
        };
        let name = format!("{} — {}", edition.programme_name, edition.name);
        let mut entry = if access.coordination {
            format!(
                "<a href=\"/editions/{}\">{}</a>",
                encode(&edition.id),
                escape(&name)
            )
        } else {
            escape(&name)
        };
        // A contact's way to their own page, whatever awaits them.
        if !access.coordination {
            for &p in &access.contact_of {
                entry.push_str(&format!(
                    " · <a href=\"/editions/{}/participants/{}\">{}</a>",
                    encode(&edition.id),
                    encode(&edition.participants[p].id),
                    escape(&edition.participants[p].name)
                ));
            }
        }
        lists[which].push_str(&format!(
            "<li>{entry} <span class=\"muted\">{} · {}</span></li>\n",
            escape(&plain(l, word)),
            escape(&text(
                l,
                "ws-window",
                &Args::new()
                    .text("start", day(l, edition.start))
                    .text("due", day(l, edition.end))
            ))
        ));
    }
    body.push_str(&format!("<h2>{}</h2>\n", escape(&title)));
    if waiting.is_empty() {
        body.push_str(&para(&plain(l, "ws-nothing-waiting")));
    } else {
        body.push_str(&format!("<ul class=\"cards\">\n{waiting}</ul>\n"));
    }
    for (list, heading) in lists.iter().zip([
        "ws-running-editions",
        "ws-upcoming-editions",
        "ws-closed-editions",
    ]) {
        if !list.is_empty() {
            body.push_str(&format!(
                "<h2>{}</h2>\n<ul>\n{list}</ul>\n",
                escape(&plain(l, heading))
            ));
        }
    }
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// What in one edition awaits this reader.
fn awaiting(read: &Read, access: &Access, now: Timestamp, l: Language) -> String {
    let state = &read.state;
    let edition = state.edition();
    if state.closed().is_some() {
        return String::new();
    }
    let mut cards = String::new();
    let mut shown = 0;
    let mut instances: Vec<_> = state.instances().iter().collect();
    instances.sort_by_key(|i| (i.window.due, i.stage, i.participant));
    for instance in instances {
        if instance.is_settled() {
            continue;
        }
        let (life, late) = state.lifecycle(instance, now);
        let mine = if access.coordination {
            late || life == Lifecycle::AwaitingValidation
        } else if life == Lifecycle::AwaitingValidation {
            access.person.is_some_and(|p| {
                access.validates.contains(&instance.stage)
                    && awaited_validators(state, instance).contains(&p)
            })
        } else if matches!(life, Lifecycle::Open) {
            instance
                .participant
                .is_some_and(|p| access.contact_of.contains(&p))
                || (access.jury.contains(&instance.stage))
        } else {
            false
        };
        if mine {
            shown += 1;
            if shown <= ATTENTION_SHOWN {
                cards.push_str(&instance_card(read, instance, access, now, l, CardOn::List));
            }
        }
    }
    if shown > ATTENTION_SHOWN {
        cards.push_str(&format!(
            "<li>{}</li>\n",
            escape(&text(
                l,
                "ws-more",
                &Args::new().number("count", shown - ATTENTION_SHOWN)
            ))
        ));
    }
    if access.coordination {
        let (held, failed) = read.alerts;
        for (count, id) in [(held, "ws-held"), (failed, "ws-failed")] {
            if count > 0 {
                cards.push_str(&format!(
                    "<li><a href=\"/editions/{}/messages\">{}</a></li>\n",
                    encode(&edition.id),
                    escape(&text(
                        l,
                        id,
                        &Args::new()
                            .number("count", count)
                            .text("edition", edition.name.clone())
                    ))
                ));
            }
        }
    }
    cards
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

/// `/editions/{id}`: the timeline, every stage with its actions, the
/// participants. The coordination's page.
pub async fn edition<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let (signed, edition, access) = match coordinated(&site, &workspace, &headers, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let read = match read(&site, &workspace, &edition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let l = signed.viewer.language;
    let now = site.clock.now();
    let title = format!("{} — {}", edition.programme_name, edition.name);
    // The same for every coordinator reading in `l` until something is
    // recorded or the minute turns: rendered once, off the HTTP thread.
    let body = match workspace.pages.get(&edition, read.seq, l, now) {
        Some(body) => body,
        None => {
            let (workspace, edition) = (workspace.clone(), edition.clone());
            let rendered = site
                .blocking(move || {
                    let body = Arc::new(edition_body(&read, &access, now, l));
                    workspace
                        .pages
                        .put(&edition, read.seq, l, now, body.clone());
                    body
                })
                .await;
            match rendered {
                Ok(body) => body,
                Err(_) => return sign_in::trouble(),
            }
        }
    };
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// The body of an edition's page.
fn edition_body(read: &Read, access: &Access, now: Timestamp, l: Language) -> String {
    let state = &read.state;
    let edition = state.edition();
    let title = format!("{} — {}", edition.programme_name, edition.name);
    let base = format!("/editions/{}", encode(&edition.id));
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{}</p>\n",
        escape(&title),
        escape(&text(
            l,
            "ws-window",
            &Args::new()
                .text("start", day(l, edition.start))
                .text("due", day(l, edition.end))
        ))
    );
    if let Some(closure) = state.closed() {
        body.push_str(&format!(
            "<p><strong>{}</strong></p>\n",
            escape(&text(
                l,
                "ws-edition-closed",
                &Args::new()
                    .text("at", short_local(edition, closure.at))
                    .text("reason", closure.reason.clone())
            ))
        ));
    }
    // Where to read more, apart from what changes the edition (at the end).
    body.push_str(&format!(
        "<nav aria-label=\"{}\"><p class=\"actions\"><a href=\"{base}/messages\">{}</a><a href=\"{base}/journal\">{}</a></p></nav>\n",
        escape(&plain(l, "ws-edition-pages")),
        escape(&plain(l, "ws-messages-title")),
        escape(&plain(l, "ws-journal-title")),
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n{}",
        escape(&plain(l, "ws-timeline")),
        crate::timeline::timeline(state, now, l)
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n<ul class=\"cards\">\n",
        escape(&plain(l, "ws-stages"))
    ));
    let mut instances: Vec<_> = state.instances().iter().collect();
    instances.sort_by_key(|i| (i.window.start, i.stage, i.participant));
    let mut summarised = std::collections::BTreeSet::new();
    for instance in &instances {
        let of_stage = || instances.iter().filter(|i| i.stage == instance.stage);
        if summarised.contains(&instance.stage) {
            continue;
        }
        if instance.participant.is_some() && of_stage().count() > CARDS_PER_STAGE {
            summarised.insert(instance.stage);
            body.push_str(&stage_summary(
                read,
                &of_stage().copied().collect::<Vec<_>>(),
                access,
                now,
                l,
            ));
        } else {
            body.push_str(&instance_card(read, instance, access, now, l, CardOn::List));
        }
    }
    body.push_str(&format!(
        "</ul>\n<h2>{}</h2>\n<ul>\n",
        escape(&plain(l, "ws-participants"))
    ));
    for (p, participant) in edition.participants.iter().enumerate() {
        body.push_str(&format!(
            "<li><a href=\"{base}/participants/{}\">{}</a> <span class=\"muted\">{}</span></li>\n",
            encode(&participant.id),
            escape(&participant.name),
            escape(&status_words(state, p, l)),
        ));
    }
    body.push_str("</ul>\n");
    body.push_str(&format!(
        "<h2>{}</h2>\n<p class=\"actions\">",
        escape(&plain(l, "ws-edition-acts"))
    ));
    if state.closed().is_none() {
        body.push_str(&format!(
            "<a href=\"{base}/actions/close\">{}</a>",
            escape(&plain(l, "ws-verb-close"))
        ));
    }
    body.push_str(&format!(
        "<a href=\"{base}/actions/void\">{}</a></p>\n",
        escape(&plain(l, "ws-verb-void"))
    ));
    body
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

/// `/editions/{id}/participants/{participant}`: their stages, indicators
/// against targets, decisions, and the messages about them.
pub async fn participant<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((id, pid)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let Some((edition, access)) = signed.viewer.edition(&id) else {
        return not_found(&signed);
    };
    let Some(p) = edition.participants.iter().position(|x| x.id == pid) else {
        return not_found(&signed);
    };
    if !access.sees_participant(edition, p) {
        return not_found(&signed);
    }
    let (edition, access) = (edition.clone(), access.clone());
    let read = match read(&site, &workspace, &edition, Outbox::Whole).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let l = signed.viewer.language;
    let now = site.clock.now();
    let participant = &edition.participants[p];
    let title = participant.name.clone();
    let edition_name = format!("{} — {}", edition.programme_name, edition.name);
    let edition_name = if access.coordination {
        format!(
            "<a href=\"/editions/{}\">{}</a>",
            encode(&edition.id),
            escape(&edition_name)
        )
    } else {
        escape(&edition_name)
    };
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{edition_name} · {}</p>\n",
        escape(&title),
        escape(&status_words(&read.state, p, l)),
    );
    if let Some(description) = &participant.description {
        body.push_str(&para(description));
    }
    if access.coordination && read.state.closed().is_none() && !read.state.participant(p).is_out() {
        body.push_str(&format!(
            "<p class=\"actions\"><a href=\"/editions/{}/actions/withdraw?participant={}\">{}</a></p>\n",
            encode(&edition.id),
            encode(&participant.id),
            escape(&plain(l, "ws-verb-withdraw"))
        ));
    }
    body.push_str(&format!(
        "<h2>{}</h2>\n<ul class=\"cards\">\n",
        escape(&plain(l, "ws-stages"))
    ));
    let mut indicators = String::new();
    for instance in read
        .state
        .instances()
        .iter()
        .filter(|i| i.participant == Some(p))
    {
        body.push_str(&instance_card(
            &read,
            instance,
            &access,
            now,
            l,
            CardOn::ParticipantPage,
        ));
        let stage = &edition.stages[instance.stage];
        for (i, indicator) in stage.indicators.iter().enumerate() {
            let values: Vec<String> = instance
                .indicators
                .iter()
                .filter(|v| v.indicator == i)
                .map(|v| format!("{} ({})", v.value, short_local(&edition, v.at)))
                .collect();
            indicators.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&indicator.indicator),
                escape(indicator.target.as_deref().unwrap_or("—")),
                escape(&if values.is_empty() {
                    "—".to_owned()
                } else {
                    values.join(", ")
                }),
            ));
        }
    }
    body.push_str("</ul>\n");
    if !indicators.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n{}<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n{indicators}</table></div>\n",
            escape(&plain(l, "ws-indicators")),
            scroll_box(&plain(l, "ws-indicators")),
            escape(&plain(l, "ws-indicator")),
            escape(&plain(l, "ws-target")),
            escape(&plain(l, "ws-recorded")),
        ));
    }
    let about: Vec<&OutboxEntry> = read
        .outbox
        .iter()
        .filter(|e| match Payload::read(e) {
            Ok(Payload::Action(action)) => action.participant == Some(p),
            _ => false,
        })
        .collect();
    body.push_str(&format!(
        "<h2>{}</h2>\n",
        escape(&plain(l, "ws-messages-title"))
    ));
    body.push_str(&message_table(&read.state, &about, access.coordination, l));
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// The delivery state of a message in words.
fn delivery_words(status: Delivery, l: Language) -> String {
    plain(
        l,
        match status {
            Delivery::Pending => "ws-delivery-pending",
            Delivery::Retry => "ws-delivery-retry",
            Delivery::Held => "ws-delivery-held",
            Delivery::Sent => "ws-delivery-sent",
            Delivery::Failed => "ws-delivery-failed",
            Delivery::Expired => "ws-delivery-expired",
        },
    )
}

/// Who a message goes to, by name.
fn recipient_name(edition: &Edition, recipient: &str) -> String {
    if let Some(id) = recipient.strip_prefix("person:") {
        if let Some(person) = edition.people.iter().find(|p| p.id == id) {
            return person.name.clone();
        }
    }
    if let Some(id) = recipient.strip_prefix("contact:") {
        if let Some(p) = edition.participants.iter().find(|p| p.id == id) {
            return p.contact_name.clone().unwrap_or_else(|| p.name.clone());
        }
    }
    recipient.to_owned()
}

/// A message of the engine in words: its kind (an invitation sent again
/// after a postponement says so), then which stage it is about, and whose.
fn action_words(action: &jalon_core::Action, l: Language) -> String {
    let update = matches!(
        action.detail,
        jalon_core::Detail::Invitation { sequence, .. } if sequence > 0
    );
    let kind = action.kind.as_str();
    if update {
        kind_words(&format!("{kind}_update"), l)
    } else {
        kind_words(kind, l)
    }
}

/// A message's kind in words.
fn kind_words(kind: &str, l: Language) -> String {
    let id = format!("ws-kind-{}", kind.replace('_', "-"));
    let words = plain(l, &id);
    if words == id {
        kind.to_owned()
    } else {
        words
    }
}

fn message_table(
    state: &EditionState,
    entries: &[&OutboxEntry],
    open: bool,
    l: Language,
) -> String {
    let edition = state.edition();
    if entries.is_empty() {
        return para(&plain(l, "ws-no-messages"));
    }
    let mut table = format!(
        "{}<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        scroll_box(&plain(l, "ws-messages-title")),
        escape(&plain(l, "ws-when")),
        escape(&plain(l, "ws-what")),
        escape(&plain(l, "ws-to")),
        escape(&plain(l, "ws-delivery")),
    );
    for entry in entries {
        let mut what = kind_words(&entry.kind, l);
        // Which stage (and whose) the message is about.
        if let Ok(Payload::Action(action)) = Payload::read(entry) {
            what = action_words(&action, l);
            let known = action.stage < edition.stages.len()
                && action
                    .participant
                    .is_none_or(|p| p < edition.participants.len());
            if known {
                what = format!(
                    "{what} · {}",
                    instance_title(edition, action.stage, action.participant)
                );
            }
        }
        let what = if open {
            format!(
                "<a href=\"/editions/{}/message?key={}\">{}</a>",
                encode(&edition.id),
                encode(&entry.key),
                escape(&what)
            )
        } else {
            escape(&what)
        };
        table.push_str(&format!(
            "<tr><td>{}</td><td>{what}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&short_local(edition, entry.due_at)),
            escape(&recipient_name(edition, &entry.recipient)),
            escape(&delivery_words(entry.status, l)),
        ));
    }
    table.push_str("</table></div>\n");
    table
}

/// `/editions/{id}/messages`: every message, newest first.
pub async fn messages<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let (signed, edition, _) = match coordinated(&site, &workspace, &headers, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let read = match read(&site, &workspace, &edition, Outbox::Whole).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let l = signed.viewer.language;
    let title = format!("{} — {}", plain(l, "ws-messages-title"), edition.name);
    let mut entries: Vec<&OutboxEntry> = read.outbox.iter().collect();
    entries.sort_by_key(|e| std::cmp::Reverse(e.due_at));
    let total = entries.len();
    entries.truncate(MESSAGES_SHOWN);
    let mut body = format!(
        "<h1>{}</h1>\n<p><a href=\"/editions/{}\">{}</a></p>\n",
        escape(&title),
        encode(&edition.id),
        escape(&edition.name)
    );
    if total > MESSAGES_SHOWN {
        body.push_str(&para(&text(
            l,
            "ws-newest-only",
            &Args::new()
                .number("shown", MESSAGES_SHOWN)
                .number("count", total),
        )));
    }
    body.push_str(&message_table(&read.state, &entries, true, l));
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// `/editions/{id}/message?key=…`: one message as it was (or will be)
/// written, its delivery attempts and the server's answers. The email is
/// shown as text, never as HTML.
pub async fn message<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (signed, edition, _) = match coordinated(&site, &workspace, &headers, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let key = query
        .as_deref()
        .and_then(|q| field(q.as_bytes(), "key"))
        .unwrap_or_default();
    let read = match read(&site, &workspace, &edition, Outbox::Whole).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let Some(entry) = read.outbox.iter().find(|e| e.key == key).cloned() else {
        return not_found(&signed);
    };
    let backend = site.backend.clone();
    let for_attempts = key.clone();
    let attempts = site
        .blocking(move || -> Vec<(String, String, Option<String>)> {
            match backend.open_read_only() {
                Ok(Some(store)) => store.attempts(&for_attempts).unwrap_or_default(),
                _ => Vec::new(),
            }
        })
        .await
        .unwrap_or_default();
    let l = signed.viewer.language;
    let title = match Payload::read(&entry) {
        Ok(Payload::Action(action)) => action_words(&action, l),
        _ => kind_words(&entry.kind, l),
    };
    let mut body = format!(
        "<h1>{}</h1>\n<p><a href=\"/editions/{}/messages\">{}</a></p>\n<p>{} · {} · {}</p>\n",
        escape(&title),
        encode(&edition.id),
        escape(&plain(l, "ws-messages-title")),
        escape(&short_local(&edition, entry.due_at)),
        escape(&recipient_name(&edition, &entry.recipient)),
        escape(&delivery_words(entry.status, l)),
    );
    if let Ok(Payload::Action(action)) = Payload::read(&entry) {
        let rendered = messages::templates(&edition)
            .ok()
            .and_then(|t| messages::render(&t, &read.state, &action, None).ok());
        if let Some(rendered) = rendered {
            body.push_str(&format!(
                "<h2>{}</h2>\n<pre>{}</pre>\n",
                escape(&rendered.subject),
                escape(&rendered.body)
            ));
        }
    }
    if !attempts.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n{}<table>\n",
            escape(&plain(l, "ws-attempts")),
            scroll_box(&plain(l, "ws-attempts"))
        ));
        for (at, outcome, detail) in attempts {
            // When, as the pages write it; the outcome in words; the
            // server's own answer as it gave it.
            let at = at
                .parse::<Timestamp>()
                .map_or(at, |t| short_local(&edition, t));
            let outcome = [
                Delivery::Pending,
                Delivery::Retry,
                Delivery::Sent,
                Delivery::Failed,
                Delivery::Expired,
                Delivery::Held,
            ]
            .into_iter()
            .find(|d| d.as_str() == outcome)
            .map_or(outcome, |d| delivery_words(d, l));
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape(&at),
                escape(&outcome),
                escape(detail.as_deref().unwrap_or(""))
            ));
        }
        body.push_str("</table></div>\n");
    }
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

/// `/editions/{id}/journal[?stage=…&participant=…]`: who did what, when,
/// through which channel; newest first.
pub async fn journal<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (signed, edition, _) = match coordinated(&site, &workspace, &headers, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let read = match read(&site, &workspace, &edition, Outbox::None).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let query = query.unwrap_or_default();
    let stage_filter = field(query.as_bytes(), "stage").filter(|s| !s.is_empty());
    let participant_filter = field(query.as_bytes(), "participant").filter(|s| !s.is_empty());
    let l = signed.viewer.language;
    let title = format!("{} — {}", plain(l, "ws-journal-title"), edition.name);
    let mut body = format!(
        "<h1>{}</h1>\n<p><a href=\"/editions/{}\">{}</a></p>\n",
        escape(&title),
        encode(&edition.id),
        escape(&edition.name)
    );
    body.push_str(&format!(
        "<form method=\"get\"><label for=\"stage\">{}</label><select id=\"stage\" name=\"stage\"><option value=\"\">—</option>",
        escape(&plain(l, "ws-stage"))
    ));
    for stage in &edition.stages {
        let selected = if stage_filter.as_deref() == Some(&stage.id) {
            " selected"
        } else {
            ""
        };
        body.push_str(&format!(
            "<option value=\"{}\"{selected}>{}</option>",
            escape(&stage.id),
            escape(&stage.title)
        ));
    }
    body.push_str(&format!(
        "</select><label for=\"participant\">{}</label><select id=\"participant\" name=\"participant\"><option value=\"\">—</option>",
        escape(&plain(l, "ws-participant"))
    ));
    for participant in &edition.participants {
        let selected = if participant_filter.as_deref() == Some(&participant.id) {
            " selected"
        } else {
            ""
        };
        body.push_str(&format!(
            "<option value=\"{}\"{selected}>{}</option>",
            escape(&participant.id),
            escape(&participant.name)
        ));
    }
    body.push_str(&format!(
        "</select><p><button type=\"submit\">{}</button></p></form>\n",
        escape(&plain(l, "ws-filter"))
    ));
    let voided = jalon_runtime::replay::voided(&read.history, None);
    let mut rows = String::new();
    let mut shown = 0;
    for stored in read.history.events.iter().rev() {
        let value = serde_json::to_value(&stored.event).unwrap_or_default();
        let of = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        if stage_filter.is_some() && of("stage") != stage_filter {
            continue;
        }
        if participant_filter.is_some()
            && of("participant") != participant_filter
            && !value
                .get("participants")
                .and_then(|v| v.as_array())
                .is_some_and(|a| {
                    a.iter()
                        .any(|v| v.as_str() == participant_filter.as_deref())
                })
        {
            continue;
        }
        shown += 1;
        if shown > EVENTS_SHOWN {
            break;
        }
        let who = edition
            .people
            .iter()
            .find(|p| p.id == stored.event.by)
            .map_or(stored.event.by.clone(), |p| p.name.clone());
        let mut what = plain(l, &format!("ws-verb-{}", stored.event.kind.verb()));
        if let Some(stage) = of("stage").and_then(|s| edition.stages.iter().find(|x| x.id == s)) {
            what = format!("{what} · {}", stage.title);
        }
        if let Some(p) =
            of("participant").and_then(|s| edition.participants.iter().find(|x| x.id == s))
        {
            what = format!("{what} · {}", p.name);
        }
        let said = of("comment")
            .or(of("reason"))
            .or(of("value"))
            .or(of("outcome"));
        let mark = if voided.contains(&stored.seq) {
            format!(
                " <span class=\"tag\">{}</span>",
                escape(&plain(l, "ws-voided"))
            )
        } else {
            String::new()
        };
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{mark}{}</td><td>{}</td></tr>\n",
            stored.seq,
            escape(&short_local(&edition, stored.event.at)),
            escape(&who),
            escape(&what),
            said.map(|s| format!(
                "<br><span class=\"muted\">«\u{a0}{}\u{a0}»</span>",
                escape(&s)
            ))
            .unwrap_or_default(),
            escape(&plain(
                l,
                &format!("ws-channel-{}", channel(stored.event.channel))
            )),
        ));
    }
    if rows.is_empty() {
        body.push_str(&para(&plain(l, "ws-no-events")));
    } else {
        body.push_str(&format!(
            "{}<table>\n<tr><th>n°</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n{rows}</table></div>\n",
            scroll_box(&plain(l, "ws-journal-title")),
            escape(&plain(l, "ws-when")),
            escape(&plain(l, "ws-who")),
            escape(&plain(l, "ws-what")),
            escape(&plain(l, "ws-channel")),
        ));
    }
    respond(StatusCode::OK, frame(l, &title, Some(&signed), &body))
}

fn channel(channel: jalon_core::Channel) -> &'static str {
    use jalon_core::Channel as C;
    match channel {
        C::Cli => "cli",
        C::Link => "link",
        C::Api => "api",
        C::Script => "script",
        C::Import => "import",
        C::Web => "web",
    }
}
