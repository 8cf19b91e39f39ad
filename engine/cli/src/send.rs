//! `jalon send`: one pass of the dispatcher. Queues what time has made due,
//! then delivers every pending message of the outbox: sent ones are marked
//! sent at once, temporary failures stay pending for the next pass, final
//! failures and expired messages are recorded as such. Every attempt is
//! written to the store.

use jalon_core::clock::deliver_until;
use jalon_core::{Action, Recipient, State};
use jalon_delivery::{Connector, Outgoing};
use jalon_message::to_eml;
use jalon_store::{Delivery, SqliteStore, Store};
use jiff::Timestamp;

use crate::live::{self, Failure, Target};
use crate::messages;

/// Where the messages go.
pub enum Via {
    Smtp(String),
    Folder(std::path::PathBuf),
}

#[derive(Default)]
struct Tally {
    sent: usize,
    retry: usize,
    failed: Vec<String>,
    expired: usize,
}

pub fn send(target: &Target, via: &Via, at: Option<&str>) -> Result<String, Failure> {
    let edition = live::edition(&target.definitions, &target.edition)?;
    let now = live::instant(&edition, at)?;
    let store_error = |e: jalon_store::StoreError| Failure {
        message: e.to_string(),
        code: 2,
    };
    let mut store = SqliteStore::open(&target.db).map_err(store_error)?;
    let history = store.history(&edition.id).map_err(store_error)?;
    let mut state = live::rebuild(edition.clone(), &history)?;
    // What time has made due since the last pass.
    let mut due = Vec::new();
    deliver_until(&mut state, now, |_, action| due.push(action.clone()));
    let queued = store.enqueue(&edition.id, &due).map_err(store_error)?;
    let connector = match via {
        Via::Folder(dir) => Connector::Folder(jalon_delivery::FolderConnector::new(dir)),
        Via::Smtp(url) => Connector::Smtp(jalon_delivery::SmtpConnector::from_url(url).map_err(
            |e| Failure {
                message: e.to_string(),
                code: 2,
            },
        )?),
    };
    let templates = messages::templates(&edition).map_err(|e| Failure {
        message: format!("a template does not compile: {e}"),
        code: 2,
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure {
            message: format!("cannot start the sender: {e}"),
            code: 2,
        })?;
    let mut tally = Tally::default();
    let pending: Vec<_> = store
        .outbox(&edition.id)
        .map_err(store_error)?
        .into_iter()
        .filter(|e| e.status == Delivery::Pending && e.due_at <= now)
        .collect();
    for entry in pending {
        if entry.expires_at.is_some_and(|t| t < now) {
            store
                .mark(&entry.key, Delivery::Expired, Some("past its expiry"))
                .map_err(store_error)?;
            tally.expired += 1;
            continue;
        }
        let outcome = match prepare(&state, &templates, &entry.action, now) {
            Ok(outgoing) => runtime.block_on(connector.deliver(&outgoing)),
            Err(problem) => Err(jalon_delivery::DeliveryError::Permanent(problem)),
        };
        // Marked before anything else happens, so a crash cannot resend it.
        let (delivery, detail) = match &outcome {
            Ok(()) => (Delivery::Sent, None),
            Err(e) if e.is_transient() => (Delivery::Retry, Some(e.to_string())),
            Err(e) => (Delivery::Failed, Some(e.to_string())),
        };
        store
            .mark(&entry.key, delivery, detail.as_deref())
            .map_err(store_error)?;
        match delivery {
            Delivery::Sent => tally.sent += 1,
            Delivery::Retry => tally.retry += 1,
            _ => tally.failed.push(format!(
                "{} ({}): {}",
                entry.key,
                entry.recipient,
                detail.unwrap_or_default()
            )),
        }
    }
    let mut out = format!(
        "{queued} newly due, {} sent, {} to retry, {} failed, {} expired\n",
        tally.sent,
        tally.retry,
        tally.failed.len(),
        tally.expired
    );
    for failure in &tally.failed {
        out.push_str(&format!("  failed: {failure}\n"));
    }
    if tally.failed.is_empty() {
        Ok(out)
    } else {
        Err(Failure {
            message: out,
            code: 1,
        })
    }
}

/// The email of an outbox row, rendered under the current definition. The
/// row's indices are re-read from its key, so a definition that gained a
/// stage or a person since still renders the right message.
fn prepare(
    state: &State,
    templates: &jalon_message::Templates,
    body: &str,
    now: Timestamp,
) -> Result<Outgoing, String> {
    let action: Action = serde_json::from_str(body)
        .map_err(|e| format!("the queued message cannot be read: {e}"))?;
    let action = remap(state, action).ok_or("its stage, participant or recipient is gone")?;
    let edition = state.edition();
    let to = messages::mailbox(edition, action.recipient).ok_or("the recipient has no address")?;
    let rendered = messages::render(templates, state, &action).map_err(|e| e.to_string())?;
    let email = messages::email(state, &action, rendered, to.clone(), now);
    let bytes = to_eml(&email, messages::MAIL_DOMAIN).map_err(|e| e.to_string())?;
    Ok(Outgoing {
        key: action.key.to_string(),
        from: email.from.email,
        to: vec![to.email],
        bytes,
    })
}

/// Stage, participant, template and recipient found again by their ids in
/// the key (`edition/stage[/participant]/…/person:ID`).
fn remap(state: &State, mut action: Action) -> Option<Action> {
    let edition = state.edition();
    let ids = state.ids();
    let mut parts = action.key.split('/').skip(1);
    action.stage = *ids.stages.get(parts.next()?)?;
    if action.participant.is_some() {
        action.participant = Some(*ids.participants.get(parts.next()?)?);
    }
    action.template = *edition.stages[action.stage].messages.get(&action.kind)?;
    let recipient = action.key.rsplit('/').next()?;
    action.recipient = match recipient.split_once(':')? {
        ("person", id) => Recipient::Person(*ids.people.get(id)?),
        ("contact", id) => Recipient::Participant(*ids.participants.get(id)?),
        _ => return None,
    };
    Some(action)
}
