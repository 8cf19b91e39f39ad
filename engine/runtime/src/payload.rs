//! What an outbox row carries. The store keeps a kind and a JSON body; this
//! is the one place that tells them apart and reads them back.

use jalon_core::{Action, Addressee};
use jalon_store::{NewMessage, OutboxEntry};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The kind of a notice to the coordinators that a message will never arrive.
const NOTICE_KIND: &str = "delivery_failure";

/// The kind of a periodic digest.
const DIGEST_KIND: &str = "digest";

/// The kind of a notice to the coordinators that messages are held.
pub(crate) const HELD_KIND: &str = "held";

/// The kind of a notice to the coordinators that a changed definition was
/// refused.
const REJECTED_KIND: &str = "reload_rejected";

/// The longest report a rejection notice carries (the operator's log has
/// it whole).
const REPORT_CAP: usize = 20_000;

/// An outbox row, read back.
#[derive(Debug)]
pub enum Payload {
    /// A message of the engine: a reminder, an invitation, a request…
    Action(Box<Action>),
    /// A coordinator told of a final delivery failure.
    Notice(Notice),
    /// One firing of a digest.
    Digest(Firing),
    /// The coordination told that late messages are held for a release.
    Held(crate::hold::HeldNotice),
    /// The coordination told that a changed definition was refused.
    Rejected(RejectedNotice),
}

/// What the check of a refused definition found.
#[derive(Debug, Serialize, Deserialize)]
pub struct RejectedNotice {
    pub report: String,
}

impl RejectedNotice {
    /// One row per coordinator of `edition`, due at `now`; once per
    /// distinct report (a file saved broken ten times tells once).
    pub fn messages(
        report: &str,
        edition: &jalon_definition::resolved::Edition,
        now: Timestamp,
    ) -> Vec<NewMessage> {
        let mut report = report.to_owned();
        if report.len() > REPORT_CAP {
            let mut cut = REPORT_CAP;
            while !report.is_char_boundary(cut) {
                cut -= 1;
            }
            report.truncate(cut);
            report.push_str("\n…\n");
        }
        let digest = jalon_message::message_id(&report, "x");
        let digest = digest
            .trim_start_matches('<')
            .split('@')
            .next()
            .unwrap_or_default();
        let body = serde_json::to_string(&RejectedNotice { report }).unwrap_or_default();
        crate::compose::coordinators(edition)
            .iter()
            .map(|c| {
                let recipient = Addressee::Person(&c.id).to_string();
                NewMessage {
                    key: format!("{}/reload-rejected/{digest}/{recipient}", edition.id),
                    kind: REJECTED_KIND.to_owned(),
                    due_at: now,
                    expires_at: None,
                    recipient,
                    body: body.clone(),
                }
            })
            .collect()
    }
}

/// What a notice says.
#[derive(Debug, Serialize, Deserialize)]
pub struct Notice {
    pub failed_key: String,
    /// `person:ID` or `contact:ID`.
    pub recipient: String,
    pub subject: String,
    pub reason: String,
}

/// Which firing of which digest a row is; its text is written when sent.
#[derive(Debug, Serialize, Deserialize)]
pub struct Firing {
    pub digest: String,
    pub at: Timestamp,
}

impl Payload {
    /// The payload of a row, or why it cannot be read (a final failure:
    /// reading it again would not change it).
    pub fn read(entry: &OutboxEntry) -> Result<Payload, String> {
        let body = &entry.action;
        let unreadable = |e: serde_json::Error| format!("the queued message cannot be read: {e}");
        Ok(match entry.kind.as_str() {
            NOTICE_KIND => Payload::Notice(serde_json::from_str(body).map_err(unreadable)?),
            DIGEST_KIND => Payload::Digest(serde_json::from_str(body).map_err(unreadable)?),
            HELD_KIND => Payload::Held(serde_json::from_str(body).map_err(unreadable)?),
            REJECTED_KIND => Payload::Rejected(serde_json::from_str(body).map_err(unreadable)?),
            _ => Payload::Action(Box::new(serde_json::from_str(body).map_err(unreadable)?)),
        })
    }

    /// Whether a row is a notice to the coordination (notices are never
    /// escalated).
    pub fn is_notice(entry: &OutboxEntry) -> bool {
        [NOTICE_KIND, HELD_KIND, REJECTED_KIND].contains(&entry.kind.as_str())
    }

    /// Whether a row is a validation request (it carries links).
    pub fn is_validation_request(entry: &OutboxEntry) -> bool {
        entry.kind == jalon_core::MessageKind::ValidationRequest.as_str()
    }
}

impl Notice {
    /// The row that tells `coordinator` of it, due at `at`.
    pub fn message(&self, coordinator: &str, at: Timestamp) -> NewMessage {
        let recipient = Addressee::Person(coordinator).to_string();
        NewMessage {
            key: format!("{}/undeliverable/{recipient}", self.failed_key),
            kind: NOTICE_KIND.to_owned(),
            due_at: at,
            expires_at: None,
            recipient,
            body: serde_json::to_string(self).unwrap_or_default(),
        }
    }
}

impl Firing {
    /// The row of this firing for one person, expiring at the next firing.
    pub fn message(&self, key: String, person: &str, expires_at: Option<Timestamp>) -> NewMessage {
        NewMessage {
            key,
            kind: DIGEST_KIND.to_owned(),
            due_at: self.at,
            expires_at,
            recipient: Addressee::Person(person).to_string(),
            body: serde_json::to_string(self).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, body: String) -> OutboxEntry {
        OutboxEntry {
            key: "k".into(),
            edition: "e".into(),
            kind: kind.into(),
            due_at: Timestamp::UNIX_EPOCH,
            expires_at: None,
            recipient: "person:ana".into(),
            action: body,
            enqueued_by: None,
            status: jalon_store::Delivery::Pending,
            attempts: 0,
            retry_at: None,
        }
    }

    #[test]
    fn notices_and_digests_are_read_back_as_they_were_queued() {
        let notice = Notice {
            failed_key: "e/s/reminder/0/person:bob".into(),
            recipient: "person:bob".into(),
            subject: "Rappel".into(),
            reason: "550 no such user".into(),
        };
        let queued = notice.message("ana", Timestamp::UNIX_EPOCH);
        assert_eq!(
            queued.key,
            "e/s/reminder/0/person:bob/undeliverable/person:ana"
        );
        assert_eq!(queued.recipient, "person:ana");
        let entry = row(&queued.kind, queued.body);
        assert!(Payload::is_notice(&entry));
        match Payload::read(&entry) {
            Ok(Payload::Notice(read)) => assert_eq!(read.reason, "550 no such user"),
            other => panic!("{other:?}"),
        }

        let firing = Firing {
            digest: "hebdo".into(),
            at: Timestamp::UNIX_EPOCH,
        };
        let queued = firing.message("e/digest/hebdo/x/person:ana".into(), "ana", None);
        match Payload::read(&row(&queued.kind, queued.body)) {
            Ok(Payload::Digest(read)) => assert_eq!(read.digest, "hebdo"),
            other => panic!("{other:?}"),
        }

        let broken = Payload::read(&row("reminder", "{".into()));
        assert!(broken.is_err_and(|e| e.contains("cannot be read")));
    }
}
