//! The coordination's actions (and the validators' answers) on the web,
//! through the runtime's one record path: the same checks and events as
//! the CLI, channel `web`, by the signed-in person. Each action is a form
//! (GET changes nothing), then a preview of what it would send and change
//! (POST, nothing written), then the confirmation (POST, recorded).

mod event;
mod form;
mod preview;

use event::event_of;
pub(super) use form::average_words;
use form::{form_page, subject_of};
use preview::{preview_page, readable};

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
use super::pages::{colon, day, instance_title, instance_window_words, not_found, quoted};
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
    Adjourn,
    Decide,
    Select,
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
            "adjourn" => Verb::Adjourn,
            "decide" => Verb::Decide,
            "select" => Verb::Select,
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
            Verb::Adjourn => "adjourn",
            Verb::Decide => "decide",
            Verb::Select => "select",
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
        jalon_core::Progress::Active if stage.selection.is_some() => {
            verbs.push(Verb::Select);
            verbs.push(Verb::Postpone);
        }
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
    // A stage dated from an assembly's sessions can go to the next one.
    let on_sessions = stage
        .start_expr
        .iter()
        .chain([&stage.due_expr])
        .any(|e| e.session.is_some());
    if on_sessions && verbs.contains(&Verb::Postpone) {
        verbs.push(Verb::Adjourn);
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
    let hand_in = (matches!(instance.progress, jalon_core::Progress::Active)
        && access.may_hand_in(edition, instance.stage, instance.participant))
    .then(|| {
        format!(
            "<a href=\"/editions/{}/rendre?{}\">{}</a>",
            encode(&edition.id),
            escape(&query),
            escape(&plain(l, "ws-verb-hand-in"))
        )
    });
    // A jury's page: its jurors score there, the coordination follows.
    let jury_page = (stage.jury.is_some()
        && (access.coordination || access.jury.contains(&instance.stage)))
    .then(|| {
        format!(
            "<a href=\"/editions/{}/jury/{}\">{}</a>",
            encode(&edition.id),
            encode(&stage.id),
            escape(&plain(l, "ws-verb-jury"))
        )
    });
    hand_in
        .into_iter()
        .chain(jury_page)
        .chain(
            verbs
                .into_iter()
                .filter(|v| v.allowed(access, Some(instance.stage)))
                // Only those who validate the stage are offered to answer: the
                // coordination may open the form, the engine would refuse them.
                .filter(|v| {
                    !matches!(v, Verb::Approve | Verb::Refuse)
                        || access
                            .validates
                            .covers(instance.stage, instance.participant)
                })
                .map(|v| {
                    format!(
                        "<a href=\"/editions/{}/actions/{}?{}\">{}</a>",
                        encode(&edition.id),
                        v.as_str(),
                        escape(&query),
                        escape(&plain(l, &format!("ws-verb-{}", v.as_str())))
                    )
                }),
        )
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
    /// The edition as the log made it (applicants among its participants).
    edition: Arc<Edition>,
    /// The running definition: what the log is replayed and recorded under.
    definition: Arc<Edition>,
    access: Access,
    verb: Verb,
    stage: Option<usize>,
    participant: Option<usize>,
}

async fn target<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    signed: &Signed,
    id: &str,
    verb: &str,
    fields: &Fields,
) -> Option<Target> {
    let verb = Verb::parse(verb)?;
    let (definition, access) = signed.viewer.edition(id)?;
    let read = super::pages::read(site, workspace, definition, super::pages::Outbox::None)
        .await
        .ok()?;
    let edition = read.state.shared_edition();
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
        definition: definition.clone(),
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
    let Some(target) = target(&site, &workspace, &signed, &id, &verb, &given).await else {
        return not_found(&signed);
    };
    let window = window_of(&site, &workspace, &target).await;
    respond(
        StatusCode::OK,
        form_page(&signed, &target, &given, None, window),
    )
}

/// What a form shows of the instance an action is about, as it stands.
pub(super) struct Context {
    /// The instance's dates (« dates à fixer » while not known).
    window: jalon_core::windows::Window,
    /// For a selection: who may be retained, with their jury average.
    candidates: Vec<(usize, Option<f64>)>,
}

/// The dates of the instance an action is about, and its candidates.
async fn window_of<B: Backend>(
    site: &Site<B>,
    workspace: &Arc<Workspace>,
    target: &Target,
) -> Option<Context> {
    let stage = target.stage?;
    let read = super::pages::read(
        site,
        workspace,
        &target.definition,
        super::pages::Outbox::None,
    )
    .await
    .ok()?;
    let state = &read.state;
    let instance = state.instance_of(stage, target.participant)?;
    let candidates = match state.index_of(stage, target.participant) {
        Some(i) if target.verb == Verb::Select => {
            let averages = state.averages(i);
            state
                .pool_of(i)
                .into_iter()
                .map(|p| (p, averages.iter().find(|a| a.0 == p).map(|a| a.1)))
                .collect()
        }
        _ => Vec::new(),
    };
    Some(Context {
        window: instance.window,
        candidates,
    })
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
    let Some(target) = target(&site, &workspace, &signed, &id, &verb, &given).await else {
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
    let edition = target.definition.clone();
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
    window: Option<Context>,
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

pub(super) fn forbidden(signed: &Signed) -> Response {
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
