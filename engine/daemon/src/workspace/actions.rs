//! The coordination's actions (and the validators' answers) on the web,
//! through the runtime's one record path: the same checks and events as
//! the CLI, channel `web`, by the signed-in person. Each action is a form
//! (GET changes nothing), then a preview of what it would send and change
//! (POST, nothing written), then the confirmation (POST, recorded).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path as UrlPath, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jalon_core::{Channel, Event, EventKind, Instance, InstanceState, Rejection};
use jalon_definition::resolved::{Edition, Language};
use jalon_runtime::compose::messages;
use jalon_runtime::record::{preview, record, Preview, RecordError};
use jalon_runtime::texts::{self, plain, text, Args};
use jalon_store::Backend;
use jiff::civil::Date;
use tracing::{info, warn};

use super::access::Access;
use super::html::{encode, frame, para, redirect};
use super::pages::{day, instance_title, not_found, window_words};
use super::{form_is_theirs, signed, Signed, Workspace};
use crate::link_routes::{field, LONGEST_COMMENT};
use crate::response::{escape, respond};
use crate::site::Site;

/// The actions, as their paths name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Complete,
    Approve,
    Refuse,
    Postpone,
    Decide,
    Record,
    Withdraw,
    Close,
    Void,
}

impl Verb {
    fn parse(text: &str) -> Option<Verb> {
        Some(match text {
            "complete" => Verb::Complete,
            "approve" => Verb::Approve,
            "refuse" => Verb::Refuse,
            "postpone" => Verb::Postpone,
            "decide" => Verb::Decide,
            "record" => Verb::Record,
            "withdraw" => Verb::Withdraw,
            "close" => Verb::Close,
            "void" => Verb::Void,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Verb::Complete => "complete",
            Verb::Approve => "approve",
            Verb::Refuse => "refuse",
            Verb::Postpone => "postpone",
            Verb::Decide => "decide",
            Verb::Record => "record",
            Verb::Withdraw => "withdraw",
            Verb::Close => "close",
            Verb::Void => "void",
        }
    }

    /// Whether `access` allows it on `stage` (the core checks the rest:
    /// whether the stage is open, whether the person is a validator…).
    fn allowed(self, access: &Access, stage: Option<usize>) -> bool {
        match self {
            Verb::Approve | Verb::Refuse => stage.is_some_and(|s| access.may_validate(s)),
            _ => access.coordination,
        }
    }
}

/// The links to the actions the reader may take on an instance.
pub fn links_for(edition: &Edition, instance: &Instance, access: &Access, l: Language) -> String {
    let stage = &edition.stages[instance.stage];
    let mut verbs = Vec::new();
    match &instance.progress {
        jalon_core::Progress::Active => {
            verbs.push(Verb::Complete);
            verbs.push(Verb::Postpone);
            if !stage.outcomes.is_empty() {
                verbs.push(Verb::Decide);
            }
        }
        jalon_core::Progress::AwaitingValidation { .. } => {
            verbs.extend([Verb::Approve, Verb::Refuse, Verb::Postpone]);
        }
        _ => {}
    }
    if !stage.indicators.is_empty()
        && !matches!(instance.progress, jalon_core::Progress::Skipped { .. })
    {
        verbs.push(Verb::Record);
    }
    let mut query = format!("stage={}", encode(&stage.id));
    if let Some(p) = instance.participant {
        query.push_str(&format!(
            "&participant={}",
            encode(&edition.participants[p].id)
        ));
    }
    verbs
        .into_iter()
        .filter(|v| v.allowed(access, Some(instance.stage)))
        // Only those who validate the stage are offered to answer: the
        // coordination may open the form, the engine would refuse them.
        .filter(|v| {
            !matches!(v, Verb::Approve | Verb::Refuse) || access.validates.contains(&instance.stage)
        })
        .map(|v| {
            format!(
                "<a href=\"/editions/{}/actions/{}?{}\">{}</a>",
                encode(&edition.id),
                v.as_str(),
                escape(&query),
                escape(&plain(l, &format!("ws-verb-{}", v.as_str())))
            )
        })
        .collect()
}

/// What a form carries, by field name.
type Fields = BTreeMap<String, String>;

fn fields(form: &[u8]) -> Fields {
    form_urlencoded::parse(form)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The request's subject: the edition, the stage and participant named.
struct Target {
    edition: Arc<Edition>,
    access: Access,
    verb: Verb,
    stage: Option<usize>,
    participant: Option<usize>,
}

fn target(signed: &Signed, id: &str, verb: &str, fields: &Fields) -> Option<Target> {
    let verb = Verb::parse(verb)?;
    let (edition, access) = signed.viewer.edition(id)?;
    let stage = match fields.get("stage").filter(|s| !s.is_empty()) {
        Some(s) => Some(edition.stages.iter().position(|x| &x.id == s)?),
        None => None,
    };
    let participant = match fields.get("participant").filter(|s| !s.is_empty()) {
        Some(p) => Some(edition.participants.iter().position(|x| &x.id == p)?),
        None => None,
    };
    let needs_stage = !matches!(verb, Verb::Withdraw | Verb::Close | Verb::Void);
    if needs_stage && stage.is_none() || verb == Verb::Withdraw && participant.is_none() {
        return None;
    }
    if !verb.allowed(access, stage) {
        return None;
    }
    Some(Target {
        edition: edition.clone(),
        access: access.clone(),
        verb,
        stage,
        participant,
    })
}

/// `GET /editions/{id}/actions/{verb}?stage=…&participant=…`: the form.
pub async fn form<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((id, verb)): UrlPath<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    let given = fields(query.unwrap_or_default().as_bytes());
    let Some(target) = target(&signed, &id, &verb, &given) else {
        return not_found(&signed);
    };
    let window = window_of(&site, &workspace, &target).await;
    respond(
        StatusCode::OK,
        form_page(&signed, &target, &given, None, window),
    )
}

/// The dates of the instance an action is about, as they stand.
async fn window_of<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    target: &Target,
) -> Option<(Date, Date)> {
    let stage = target.stage?;
    let read = super::pages::read(site, workspace, &target.edition, super::pages::Outbox::None)
        .await
        .ok()?;
    let instance = read.state.instance_of(stage, target.participant)?;
    Some((instance.window.start, instance.window.due))
}

/// The form of an action, filled with `given`, with an error above it, and
/// the dates of its instance as they stand.
fn form_page(
    signed: &Signed,
    target: &Target,
    given: &Fields,
    error: Option<&str>,
    window: Option<(Date, Date)>,
) -> String {
    let l = signed.viewer.language;
    let edition = &target.edition;
    let verb = target.verb.as_str();
    let title = plain(l, &format!("ws-verb-{verb}"));
    let subject = subject_of(target);
    // The edition's own acts are about the edition, named once.
    let subject = if target.stage.is_none() && target.participant.is_none() {
        String::new()
    } else {
        format!("<p><strong>{}</strong></p>\n", escape(&subject))
    };
    let mut body = format!(
        "<h1>{}</h1>\n{subject}<p class=\"muted\">{} — {}</p>\n",
        escape(&title),
        escape(&edition.programme_name),
        escape(&edition.name)
    );
    if let Some((start, due)) = window {
        body.push_str(&para(&text(
            l,
            "ws-current-window",
            &Args::new().text("window", window_words(l, start, due)),
        )));
    }
    if target.verb == Verb::Void {
        body.push_str(&format!(
            "<p>{} <a href=\"/editions/{}/journal\">{}</a></p>\n",
            escape(&plain(l, "ws-void-where")),
            encode(&edition.id),
            escape(&plain(l, "ws-journal-title"))
        ));
    }
    if let Some(error) = error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            escape(error)
        ));
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"/editions/{}/actions/{verb}\">\n{}",
        encode(&edition.id),
        hidden(signed, target, &[])
    ));
    let value = |name: &str| escape(given.get(name).map_or("", String::as_str));
    let label =
        |name: &str, id: &str| format!("<label for=\"{name}\">{}</label>", escape(&plain(l, id)));
    match target.verb {
        Verb::Complete | Verb::Approve => body.push_str(&format!(
            "{}<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("comment", "ws-field-comment-optional"),
            value("comment")
        )),
        Verb::Refuse => body.push_str(&format!(
            "{}<textarea id=\"comment\" name=\"comment\" rows=\"4\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("comment", "ws-field-changes"),
            value("comment")
        )),
        Verb::Postpone => {
            body.push_str(&format!(
                "{}<input id=\"start\" name=\"start\" type=\"date\" value=\"{}\">\n\
                 {}<input id=\"due\" name=\"due\" type=\"date\" required value=\"{}\">\n\
                 {}<textarea id=\"reason\" name=\"reason\" rows=\"2\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
                label("start", "ws-field-new-start"),
                value("start"),
                label("due", "ws-field-new-due"),
                value("due"),
                label("reason", "ws-field-reason"),
                value("reason")
            ));
        }
        Verb::Decide => {
            let stage = target.stage.map(|s| &edition.stages[s]);
            body.push_str(&format!(
                "{}<select id=\"outcome\" name=\"outcome\" required>",
                label("outcome", "ws-field-outcome")
            ));
            for outcome in stage.map(|s| s.outcomes.as_slice()).unwrap_or_default() {
                let selected = if given.get("outcome") == Some(&outcome.id) { " selected" } else { "" };
                body.push_str(&format!(
                    "<option value=\"{}\"{selected}>{}</option>",
                    escape(&outcome.id),
                    escape(&outcome.title)
                ));
            }
            body.push_str(&format!(
                "</select>\n{}<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
                label("comment", "ws-field-comment-optional"),
                value("comment")
            ));
        }
        Verb::Record => {
            let stage = target.stage.map(|s| &edition.stages[s]);
            body.push_str(&format!(
                "{}<select id=\"indicator\" name=\"indicator\" required>",
                label("indicator", "ws-indicator")
            ));
            for indicator in stage.map(|s| s.indicators.as_slice()).unwrap_or_default() {
                let selected = if given.get("indicator") == Some(&indicator.id) { " selected" } else { "" };
                let target_words = indicator
                    .target
                    .as_deref()
                    .map(|t| format!(" ({})", t))
                    .unwrap_or_default();
                body.push_str(&format!(
                    "<option value=\"{}\"{selected}>{}{}</option>",
                    escape(&indicator.id),
                    escape(&indicator.indicator),
                    escape(&target_words)
                ));
            }
            body.push_str(&format!(
                "</select>\n{}<input id=\"value\" name=\"value\" required maxlength=\"500\" value=\"{}\">\n",
                label("value", "ws-field-value"),
                value("value")
            ));
        }
        Verb::Withdraw | Verb::Close => body.push_str(&format!(
            "{}<textarea id=\"reason\" name=\"reason\" rows=\"2\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("reason", "ws-field-reason"),
            value("reason")
        )),
        Verb::Void => body.push_str(&format!(
            "{}<input id=\"seq\" name=\"seq\" inputmode=\"numeric\" required value=\"{}\">\n\
             {}<textarea id=\"reason\" name=\"reason\" rows=\"2\" required maxlength=\"{LONGEST_COMMENT}\">{}</textarea>\n",
            label("seq", "ws-field-seq"),
            value("seq"),
            label("reason", "ws-field-reason"),
            value("reason")
        )),
    }
    body.push_str(&format!(
        "<input type=\"hidden\" name=\"step\" value=\"preview\">\n\
         <p class=\"actions\"><button class=\"primary\" type=\"submit\">{}</button> <a href=\"{}\">{}</a></p>\n</form>\n",
        escape(&plain(l, "ws-see-before")),
        back(target),
        escape(&plain(l, "ws-cancel"))
    ));
    frame(l, &title, Some(signed), &body)
}

/// What an action is about, in words: the instance, else the participant,
/// else the edition.
fn subject_of(target: &Target) -> String {
    let edition = &target.edition;
    match target.stage {
        Some(s) => instance_title(edition, s, target.participant),
        None => match target.participant {
            Some(p) => edition.participants[p].name.clone(),
            None => edition.name.clone(),
        },
    }
}

/// What the person typed and chose, as the preview recalls it before they
/// confirm: `Motif : « salle indisponible »`.
fn recap(target: &Target, given: &Fields, l: Language) -> String {
    let edition = &target.edition;
    let stage = target.stage.map(|s| &edition.stages[s]);
    let value = |name: &str| given.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let quoted = |v: &str| format!("«\u{a0}{v}\u{a0}»");
    let date = |v: &str| v.parse::<Date>().map_or(v.to_owned(), |d| day(l, d));
    let fields: Vec<(&str, Option<String>)> = match target.verb {
        Verb::Complete | Verb::Approve => vec![("ws-recap-comment", value("comment").map(quoted))],
        Verb::Refuse => vec![("ws-recap-changes", value("comment").map(quoted))],
        Verb::Postpone => vec![
            ("ws-recap-start", value("start").map(date)),
            ("ws-recap-due", value("due").map(date)),
            ("ws-recap-reason", value("reason").map(quoted)),
        ],
        Verb::Decide => vec![
            (
                "ws-recap-outcome",
                value("outcome").map(|id| {
                    stage
                        .and_then(|s| s.outcomes.iter().find(|o| o.id == id))
                        .map_or(id.to_owned(), |o| o.title.clone())
                }),
            ),
            ("ws-recap-comment", value("comment").map(quoted)),
        ],
        Verb::Record => vec![
            (
                "ws-recap-indicator",
                value("indicator").map(|id| {
                    stage
                        .and_then(|s| s.indicators.iter().find(|i| i.id == id))
                        .map_or(id.to_owned(), |i| i.indicator.clone())
                }),
            ),
            ("ws-recap-value", value("value").map(str::to_owned)),
        ],
        Verb::Withdraw | Verb::Close => vec![("ws-recap-reason", value("reason").map(quoted))],
        Verb::Void => vec![
            ("ws-recap-seq", value("seq").map(|n| format!("n°\u{a0}{n}"))),
            ("ws-recap-reason", value("reason").map(quoted)),
        ],
    };
    let lines: String = fields
        .into_iter()
        .filter_map(|(id, v)| v.map(|v| (id, v)))
        .map(|(id, v)| format!("<li>{}\u{a0}: {}</li>\n", escape(&plain(l, id)), escape(&v)))
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("<ul>\n{lines}</ul>\n")
    }
}

/// A refusal as the workspace's reader reads it: the instance by its
/// title (the engine names it by ids, for the operator's command line),
/// times as the pages write them.
fn readable(rejection: &Rejection, target: &Target, l: Language) -> Rejection {
    let edition = &target.edition;
    let ids = target.stage.map(|s| {
        let stage = &edition.stages[s].id;
        match target.participant {
            Some(p) => format!("{stage} for {}", edition.participants[p].id),
            None => stage.clone(),
        }
    });
    let title = subject_of(target);
    let rename = |what: &mut String| {
        if ids.as_deref() == Some(what.as_str()) {
            what.clone_from(&title);
        }
    };
    let when = |at: &mut String| {
        if let Ok(time) = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", at.as_str()) {
            *at = match l {
                Language::Fr => time.strftime("%d/%m/%Y à %H:%M"),
                Language::En => time.strftime("%-d %b %Y at %H:%M"),
            }
            .to_string();
        }
    };
    let mut readable = rejection.clone();
    match &mut readable {
        Rejection::WrongState { what, state, .. } => {
            rename(what);
            if let InstanceState::AwaitingValidation { since } | InstanceState::Done { since } =
                state
            {
                when(since);
            }
        }
        Rejection::NotAValidator { what, .. } => rename(what),
        Rejection::AlreadyApproved { what, at, .. } => {
            rename(what);
            when(at);
        }
        _ => {}
    }
    readable
}

/// Where to go back to: the participant's page, else the edition's (or
/// home for a validator).
fn back(target: &Target) -> String {
    let base = format!("/editions/{}", encode(&target.edition.id));
    if !target.access.coordination {
        return "/".to_owned();
    }
    match target.participant {
        Some(p) => format!(
            "{base}/participants/{}",
            encode(&target.edition.participants[p].id)
        ),
        None => base,
    }
}

/// The hidden fields every step carries: the CSRF token, the subject, and
/// `extra` (the values of the preview, to confirm).
fn hidden(signed: &Signed, target: &Target, extra: &[(&str, &str)]) -> String {
    let mut html = format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n",
        escape(&signed.csrf)
    );
    let edition = &target.edition;
    if let Some(s) = target.stage {
        html.push_str(&format!(
            "<input type=\"hidden\" name=\"stage\" value=\"{}\">\n",
            escape(&edition.stages[s].id)
        ));
    }
    if let Some(p) = target.participant {
        html.push_str(&format!(
            "<input type=\"hidden\" name=\"participant\" value=\"{}\">\n",
            escape(&edition.participants[p].id)
        ));
    }
    for (name, value) in extra {
        html.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(name),
            escape(value)
        ));
    }
    html
}

/// The event a filled form asks for, or what is wrong with it.
fn event_of(
    target: &Target,
    given: &Fields,
    by: String,
    at: jiff::Timestamp,
    l: Language,
) -> Result<Event, String> {
    let edition = &target.edition;
    let text_of = |name: &str| {
        given
            .get(name)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    for (name, value) in given {
        if matches!(name.as_str(), "comment" | "reason") && value.chars().count() > LONGEST_COMMENT
        {
            return Err(plain(l, "ws-error-too-long"));
        }
    }
    let stage = target
        .stage
        .map(|s| edition.stages[s].id.clone())
        .unwrap_or_default();
    let participant = target
        .participant
        .map(|p| edition.participants[p].id.clone());
    let needed = |name: &str, id: &str| text_of(name).ok_or_else(|| plain(l, id));
    let date = |name: &str| -> Result<Option<Date>, String> {
        match text_of(name) {
            None => Ok(None),
            // As the date field sends it, or as people write it.
            Some(d) => d
                .parse::<Date>()
                .or_else(|_| Date::strptime("%d/%m/%Y", &d))
                .map(Some)
                .map_err(|_| text(l, "ws-error-date", &Args::new().text("value", d))),
        }
    };
    let kind = match target.verb {
        Verb::Complete => EventKind::Complete {
            stage,
            participant,
            comment: text_of("comment"),
        },
        Verb::Approve => EventKind::Approve {
            stage,
            participant,
            comment: text_of("comment"),
        },
        Verb::Refuse => EventKind::Refuse {
            stage,
            participant,
            comment: needed("comment", "ws-error-changes-needed")?,
        },
        Verb::Postpone => {
            let due = date("due")?.ok_or_else(|| plain(l, "ws-error-due-needed"))?;
            EventKind::Postpone {
                stage,
                participant,
                start: date("start")?,
                due: Some(due),
                reason: Some(needed("reason", "ws-error-reason-needed")?),
            }
        }
        Verb::Decide => EventKind::Decide {
            stage,
            participant,
            outcome: needed("outcome", "ws-error-outcome-needed")?,
            comment: text_of("comment"),
        },
        Verb::Record => EventKind::Record {
            stage,
            participant,
            indicator: needed("indicator", "ws-error-indicator-needed")?,
            value: needed("value", "ws-error-value-needed")?,
        },
        Verb::Withdraw => EventKind::Withdraw {
            participant: participant.unwrap_or_default(),
            reason: Some(needed("reason", "ws-error-reason-needed")?),
        },
        Verb::Close => EventKind::Close {
            reason: needed("reason", "ws-error-reason-needed")?,
        },
        Verb::Void => EventKind::Void {
            seq: needed("seq", "ws-error-seq-needed")?
                .trim_start_matches(['#', '№'])
                .parse()
                .map_err(|_| plain(l, "ws-error-seq-needed"))?,
            reason: needed("reason", "ws-error-reason-needed")?,
        },
    };
    Ok(Event {
        at,
        by,
        channel: Channel::Web,
        kind,
    })
}

/// `POST /editions/{id}/actions/{verb}`: `step=preview` shows what the act
/// would do; `step=confirm` records it.
pub async fn submit<B: Backend>(
    State(site): State<Arc<Site<B>>>,
    Extension(workspace): Extension<Arc<Workspace>>,
    UrlPath((id, verb)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signed = match signed(&site, &workspace, &headers).await {
        Ok(signed) => signed,
        Err(response) => return response,
    };
    if !form_is_theirs(&signed, &workspace, &headers, &body) {
        return forbidden(&signed);
    }
    let given = fields(&body);
    let Some(target) = target(&signed, &id, &verb, &given) else {
        return not_found(&signed);
    };
    let l = signed.viewer.language;
    let now = site.clock.now();
    let by = signed.viewer.actor_in(&target.edition);
    let event = match event_of(&target, &given, by, now, l) {
        Ok(event) => event,
        Err(error) => {
            let window = window_of(&site, &workspace, &target).await;
            let page = form_page(&signed, &target, &given, Some(&error), window);
            return respond(StatusCode::UNPROCESSABLE_ENTITY, page);
        }
    };
    let confirm = field(&body, "step").as_deref() == Some("confirm");
    let backend = site.backend.clone();
    let edition = target.edition.clone();
    if !confirm {
        let for_preview = event.clone();
        let previewed = site
            .blocking(move || -> Result<Preview, RecordError> {
                let store = backend.open()?;
                preview(&store, &edition, &for_preview, now)
            })
            .await;
        return match previewed {
            Ok(Ok(preview)) => respond(
                StatusCode::OK,
                preview_page(&signed, &target, &given, &preview),
            ),
            Ok(Err(e)) => {
                let window = window_of(&site, &workspace, &target).await;
                refused(&signed, &target, &given, &e, window)
            }
            Err(e) => {
                warn!("a preview stopped: {e}");
                super::sign_in::trouble()
            }
        };
    }
    let for_record = event.clone();
    let written = site
        .blocking(move || -> Result<i64, RecordError> {
            let mut store = backend.open()?;
            match for_record.kind {
                EventKind::Void { .. } => {
                    jalon_runtime::correction::void(&mut store, &edition, &for_record, now)
                        .map(|v| v.recorded.seq)
                }
                _ => record(&mut store, &edition, &for_record, now).map(|r| r.seq),
            }
        })
        .await;
    match written {
        Ok(Ok(seq)) => {
            info!(
                edition = %target.edition.id,
                by = %event.by,
                seq,
                "{} recorded through the workspace",
                event.kind.verb()
            );
            site.wake.notify_one();
            redirect(&back(&target))
        }
        Ok(Err(e)) => {
            let window = window_of(&site, &workspace, &target).await;
            refused(&signed, &target, &given, &e, window)
        }
        Err(e) => {
            warn!("a recording stopped: {e}");
            super::sign_in::trouble()
        }
    }
}

/// The form again, with why the act was refused (nothing recorded).
fn refused(
    signed: &Signed,
    target: &Target,
    given: &Fields,
    error: &RecordError,
    window: Option<(Date, Date)>,
) -> Response {
    let l = signed.viewer.language;
    let reason = match error {
        RecordError::Refused(rejection) => texts::refusal(l, &readable(rejection, target, l)),
        RecordError::Store(e) => {
            warn!("cannot record through the workspace: {e}");
            plain(l, "ws-trouble")
        }
        other => other.to_string().trim_start_matches("refused: ").to_owned(),
    };
    let error = text(l, "ws-refused", &Args::new().text("reason", reason));
    respond(
        StatusCode::CONFLICT,
        form_page(signed, target, given, Some(&error), window),
    )
}

fn forbidden(signed: &Signed) -> Response {
    let l = signed.viewer.language;
    let title = plain(l, "ws-form-expired-title");
    let body = format!(
        "<h1>{}</h1>\n{}<p><a href=\"/\">{}</a></p>",
        escape(&title),
        para(&plain(l, "ws-form-expired")),
        escape(&plain(l, "ws-home"))
    );
    respond(StatusCode::FORBIDDEN, frame(l, &title, Some(signed), &body))
}

/// A window, short: one day, or the first and the last.
fn dates(l: Language, start: Date, due: Date) -> String {
    if start == due {
        day(l, start)
    } else {
        format!("{} – {}", day(l, start), day(l, due))
    }
}

/// What the act would send and change, and the button that records it.
fn preview_page(signed: &Signed, target: &Target, given: &Fields, preview: &Preview) -> String {
    let l = signed.viewer.language;
    let edition = &target.edition;
    let verb = target.verb.as_str();
    let title = plain(l, &format!("ws-verb-{verb}"));
    let mut body = format!(
        "<h1>{}</h1>\n<p><strong>{}</strong></p>\n{}<p>{}</p>\n",
        escape(&title),
        escape(&subject_of(target)),
        recap(target, given, l),
        escape(&plain(l, "ws-preview-lead"))
    );
    // Windows that move.
    let mut moved = String::new();
    for after in preview.after.instances() {
        let Some(before) = preview.before.instance_of(after.stage, after.participant) else {
            continue;
        };
        let changed =
            (before.window.start, before.window.due) != (after.window.start, after.window.due);
        let now_skipped = !matches!(before.progress, jalon_core::Progress::Skipped { .. })
            && matches!(after.progress, jalon_core::Progress::Skipped { .. });
        if changed {
            moved.push_str(&format!(
                "<li>{} : {} → {}</li>\n",
                escape(&instance_title(edition, after.stage, after.participant)),
                escape(&dates(l, before.window.start, before.window.due)),
                escape(&dates(l, after.window.start, after.window.due)),
            ));
        } else if now_skipped {
            moved.push_str(&format!(
                "<li>{} : {}</li>\n",
                escape(&instance_title(edition, after.stage, after.participant)),
                escape(&plain(l, "ws-life-skipped"))
            ));
        }
    }
    if !moved.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n{}</ul>\n",
            escape(&plain(l, "ws-preview-moves")),
            moved.replace(" : ", "\u{a0}: ")
        ));
    }
    let templates = messages::templates(edition).ok();
    if preview.due.is_empty() {
        body.push_str(&para(&plain(l, "ws-preview-no-message")));
    } else {
        body.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n",
            escape(&text(
                l,
                "ws-preview-messages",
                &Args::new().number("count", preview.due.len())
            ))
        ));
        for action in &preview.due {
            let to = messages::mailbox(edition, action.recipient)
                .map(|m| if m.name.is_empty() { m.email } else { m.name })
                .unwrap_or_default();
            let subject = templates
                .as_ref()
                .and_then(|t| messages::render(t, &preview.after, action, None).ok())
                .map(|r| r.subject)
                .unwrap_or_else(|| action.kind.as_str().to_owned());
            body.push_str(&format!(
                "<li>{} — <span class=\"muted\">{}</span></li>\n",
                escape(&subject),
                escape(&to)
            ));
        }
        body.push_str("</ul>\n");
    }
    if !preview.withdrawn.is_empty() {
        body.push_str(&para(&text(
            l,
            "ws-preview-withdrawn",
            &Args::new().number("count", preview.withdrawn.len()),
        )));
    }
    let extra: Vec<(&str, &str)> = given
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "stage" | "participant" | "step"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    body.push_str(&format!(
        "<form method=\"post\" action=\"/editions/{}/actions/{verb}\">\n{}\
         <input type=\"hidden\" name=\"step\" value=\"confirm\">\n\
         <p class=\"actions\"><button class=\"primary\" type=\"submit\">{}</button> <a href=\"{}\">{}</a></p>\n</form>\n",
        encode(&edition.id),
        hidden(signed, target, &extra),
        escape(&plain(l, "ws-confirm")),
        back(target),
        escape(&plain(l, "ws-cancel"))
    ));
    frame(l, &title, Some(signed), &body)
}
