//! The operator's emails, through the daemon's own delivery: a rejected
//! reload (the whole report, as logged), and late messages held for a
//! release. One email per distinct
//! rejection: its Message-ID (and its file in an `.eml` folder) comes from a
//! hash of the report and of the set still running, so a file saved broken
//! ten times sends one email, while the same mistake made again after a
//! good reload is news again.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jalon_definition::resolved::{Edition, Language};
use jalon_delivery::{Deliver, Outgoing};
use jalon_message::{message_id, to_eml, Email, Mailbox};
use jalon_runtime::compose::messages::{self, MAIL_DOMAIN};
use jalon_runtime::delivery::DeliverySettings;
use jalon_runtime::texts::{self, Args};
use jiff::Timestamp;
use tracing::{error, info, warn};

use super::scheduler::Editions;

/// How many distinct rejections are remembered as already told.
const REMEMBERED: usize = 64;

/// The longest a delivery of this email may take (a relay that does not
/// answer), so that tasks do not pile up.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(120);

/// One email to the operator, before it is written out.
struct Told {
    /// Its idempotency key: the same key is told once.
    key: String,
    /// What it is about, for the log (`rejection`).
    about: &'static str,
    from: Mailbox,
    zone: jiff::tz::TimeZone,
    subject: String,
    text: String,
    html: Option<String>,
}

pub struct Operator {
    address: String,
    delivery: DeliverySettings,
    /// Message-IDs of the rejections told (or being told), oldest first.
    told: Mutex<VecDeque<String>>,
}

impl Operator {
    pub fn new(address: String, delivery: DeliverySettings) -> Arc<Self> {
        Arc::new(Operator {
            address,
            delivery,
            told: Mutex::new(VecDeque::new()),
        })
    }

    /// Emails the report of a rejected reload, unless this very rejection
    /// was told already. Delivery runs on its own task: a slow relay does
    /// not hold up the next reload, and a failure is only logged.
    pub fn rejected(self: &Arc<Self>, trigger: &str, report: &str, running: &Editions) {
        let versions: Vec<String> = running
            .iter()
            .map(|e| format!("{} {}", e.id, e.version))
            .collect();
        let key = format!("operator/reload-rejected/{}\n{report}", versions.join(", "));
        let (from, zone) = programme_of(running);
        self.tell(Told {
            key,
            about: "rejection",
            from,
            zone,
            subject: format!("Jalon : {}", both("operator-subject")),
            text: text(trigger, report, &versions),
            html: Some(preformatted(trigger, report, &versions)),
        });
    }

    /// Emails that late messages of `edition` are held (once per version:
    /// a restart does not tell again).
    pub fn held(self: &Arc<Self>, edition: &Edition, count: usize) {
        let key = format!("operator/held/{}/{}", edition.id, edition.version);
        let args = Args::new()
            .number("count", count)
            .text("edition", edition.id.clone());
        self.tell(Told {
            key,
            about: "hold",
            from: messages::sender(edition),
            zone: edition.time_zone.clone(),
            subject: format!(
                "Jalon : {} / {}",
                texts::text(Language::Fr, "operator-held-subject", &args),
                texts::text(Language::En, "operator-held-subject", &args)
            ),
            text: format!(
                "{}\n\n{}\n",
                both_lines("operator-held", &args),
                both_lines("operator-held-what", &args)
            ),
            html: None,
        });
    }

    /// Emails that the relay fails (once per distinct reason): messages
    /// wait, none failed, and the settings are the likely cause.
    pub fn relay_down(self: &Arc<Self>, running: &Editions, reason: &str) {
        let args = Args::new().text("reason", reason.to_owned());
        let (from, zone) = programme_of(running);
        self.tell(Told {
            key: format!("operator/relay-down/{reason}"),
            about: "relay failure",
            from,
            zone,
            subject: format!("Jalon : {}", both("operator-relay-subject")),
            text: format!("{}\n", both_lines("operator-relay", &args)),
            html: None,
        });
    }

    /// Sends one email to the operator, unless an email with the same key
    /// was told already.
    fn tell(self: &Arc<Self>, told: Told) {
        let id = message_id(&told.key, domain(&told.from.email));
        if !self.remember(&id) {
            info!(message_id = %id, "the operator was already told of this {}", told.about);
            return;
        }
        let Told {
            key,
            from,
            zone,
            subject,
            text,
            html,
            ..
        } = told;
        let email = Email {
            idempotency_key: key.clone(),
            date: Timestamp::now().to_zoned(zone),
            from,
            reply_to: None,
            to: vec![Mailbox {
                name: String::new(),
                email: self.address.clone(),
            }],
            subject,
            text,
            html,
            invite: None,
            thread: None,
            list: None,
            language: None,
            signature: None,
            typeset: false,
        };
        let bytes = match to_eml(&email, MAIL_DOMAIN) {
            Ok(bytes) => bytes,
            Err(e) => {
                error!("cannot write the email to the operator: {e}");
                self.forget(&id);
                return;
            }
        };
        let outgoing = Outgoing {
            key,
            from: email.from.email.clone(),
            to: vec![self.address.clone()],
            bytes,
        };
        let operator = self.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(DELIVERY_TIMEOUT, operator.deliver(&outgoing)).await {
                Ok(Ok(())) => {
                    info!(message_id = %id, to = %operator.address, "the operator was emailed")
                }
                Ok(Err(e)) => {
                    warn!(message_id = %id, "cannot email the operator: {e}");
                    operator.forget(&id);
                }
                Err(_) => {
                    warn!(message_id = %id, "cannot email the operator: no answer in {} s", DELIVERY_TIMEOUT.as_secs());
                    operator.forget(&id);
                }
            }
        });
    }

    /// On a connection of its own: rare, and never held up by a pass.
    async fn deliver(&self, outgoing: &Outgoing) -> Result<(), jalon_delivery::DeliveryError> {
        let mut connector = self.delivery.connector();
        let sent = connector.deliver(outgoing).await;
        connector.close().await;
        sent
    }

    /// Records `id` as told; false when it already was.
    fn remember(&self, id: &str) -> bool {
        let Ok(mut told) = self.told.lock() else {
            return true;
        };
        if told.iter().any(|t| t == id) {
            return false;
        }
        if told.len() == REMEMBERED {
            told.pop_front();
        }
        told.push_back(id.to_owned());
        true
    }

    /// A delivery that failed: the next identical rejection tries again.
    fn forget(&self, id: &str) {
        if let Ok(mut told) = self.told.lock() {
            told.retain(|t| t != id);
        }
    }
}

/// The domain of an address, for the Message-ID (as `to_eml` chooses it).
fn domain(address: &str) -> &str {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
        .unwrap_or(MAIL_DOMAIN)
}

/// A message in French, then in English: the operator's language is not
/// known.
/// A text with arguments in French, then in English, a line each.
fn both_lines(id: &str, args: &Args<'_>) -> String {
    format!(
        "{}\n{}",
        texts::text(Language::Fr, id, args),
        texts::text(Language::En, id, args)
    )
}

/// Who the operator's emails are from, and in which time zone they are
/// dated: the first running programme's (its operator most likely lives
/// there), else Jalon's own.
fn programme_of(running: &Editions) -> (Mailbox, jiff::tz::TimeZone) {
    match running.first() {
        Some(edition) => (messages::sender(edition), edition.time_zone.clone()),
        None => (
            Mailbox {
                name: "Jalon".to_owned(),
                email: format!("jalon@{MAIL_DOMAIN}"),
            },
            jiff::tz::TimeZone::system(),
        ),
    }
}

fn both(id: &str) -> String {
    format!(
        "{} / {}",
        texts::plain(Language::Fr, id),
        texts::plain(Language::En, id)
    )
}

fn text(trigger: &str, report: &str, running: &[String]) -> String {
    let running = if running.is_empty() {
        both("operator-none")
    } else {
        running.join(", ")
    };
    format!(
        "{}\n{}\n\n{} : {trigger}\n{} : {running}\n\n{}\n",
        texts::plain(Language::Fr, "operator-lead"),
        texts::plain(Language::En, "operator-lead"),
        both("operator-trigger"),
        both("operator-running"),
        report.trim_end()
    )
}

/// The same text in a `<pre>`, so that the carets under the lines stay
/// where they point in mail clients that show HTML.
fn preformatted(trigger: &str, report: &str, running: &[String]) -> String {
    let escaped = text(trigger, report, running)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body><pre>{escaped}</pre></body></html>\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_email_per_distinct_rejection() {
        let operator = Operator::new(
            "ops@example.org".into(),
            DeliverySettings::new(&jalon_runtime::delivery::DeliveryOptions {
                smtp: None,
                folder: "unused".into(),
                connections: 1,
                rate: None,
                dkim: None,
            })
            .expect("folder settings"),
        );
        assert!(operator.remember("<a@x>"));
        assert!(!operator.remember("<a@x>"));
        assert!(operator.remember("<b@x>"));
        operator.forget("<a@x>");
        assert!(
            operator.remember("<a@x>"),
            "a failed delivery is tried again"
        );
        for i in 0..REMEMBERED + 1 {
            operator.remember(&format!("<{i}@x>"));
        }
        assert!(operator.told.lock().unwrap().len() == REMEMBERED);
    }

    #[test]
    fn the_words_are_french_then_english() {
        let text = text("SIGHUP", "error: x", &[]);
        assert!(
            text.starts_with(
                "Les définitions modifiées ont été refusées ; la version en service continue.\n\
             The changed definitions were rejected; the running version carries on.\n\n\
             Déclencheur / trigger : SIGHUP\nEn service / running : aucune / none\n\nerror: x\n"
            ),
            "{text}"
        );
        assert_eq!(
            both("operator-subject"),
            "définitions refusées / definitions rejected"
        );
    }

    #[test]
    fn the_report_is_escaped_in_html_and_whole_in_text() {
        let report = "error: <jury> & co\n  │ line";
        let text = text("SIGHUP", report, &[]);
        assert!(text.contains(report));
        assert!(preformatted("SIGHUP", report, &[]).contains("&lt;jury&gt; &amp; co"));
    }
}
