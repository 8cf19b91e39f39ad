//! `jalon outbox`: every message of an edition and where it stands — for
//! the coordinator watching for bounces and the operator after an incident.

use jalon_store::{Delivery, Store};

use crate::live::{self, Failure, Target};
use crate::messages::short_local;

pub fn outbox(target: &Target, only: Option<&str>) -> Result<String, Failure> {
    let only = match only {
        None => None,
        Some(text) => Some(parse_status(text).ok_or_else(|| Failure {
            message: format!("--status {text}: use pending, sent, failed or expired"),
            code: 2,
        })?),
    };
    let store = live::open_read_only(&target.db)?;
    let edition = live::edition(&target.definitions, &target.edition)?;
    let store_error = |e: jalon_store::StoreError| Failure {
        message: e.to_string(),
        code: 2,
    };
    let rows = store.outbox(&edition.id).map_err(store_error)?;
    let count = |status| rows.iter().filter(|r| r.status == status).count();
    let mut out = format!(
        "Outbox of {} — {}: {} messages ({} pending, {} sent, {} failed, {} expired)\n\n",
        edition.programme_name,
        edition.name,
        rows.len(),
        count(Delivery::Pending),
        count(Delivery::Sent),
        count(Delivery::Failed),
        count(Delivery::Expired),
    );
    out.push_str(&format!(
        "{:<8} {:<22} {:>8}  {:<28} KEY\n",
        "STATUS", "DUE", "ATTEMPTS", "TO"
    ));
    for row in rows.iter().filter(|r| only.is_none_or(|s| r.status == s)) {
        out.push_str(&format!(
            "{:<8} {:<22} {:>8}  {:<28} {}\n",
            row.status.as_str(),
            short_local(&edition, row.due_at),
            row.attempts,
            row.recipient,
            row.key
        ));
        if let Some(at) = row.retry_at.filter(|_| row.status == Delivery::Pending) {
            out.push_str(&format!(
                "         next attempt from {}\n",
                short_local(&edition, at)
            ));
        }
        // The server's last word on a message not (yet) delivered.
        if matches!(row.status, Delivery::Pending | Delivery::Failed) && row.attempts > 0 {
            let attempts = store.attempts(&row.key).map_err(store_error)?;
            if let Some((_, _, Some(detail))) = attempts.last() {
                out.push_str(&format!("         last answer: {detail}\n"));
            }
        }
    }
    Ok(out)
}

fn parse_status(text: &str) -> Option<Delivery> {
    [
        Delivery::Pending,
        Delivery::Sent,
        Delivery::Failed,
        Delivery::Expired,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
}
