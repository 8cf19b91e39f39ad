//! Delivery: hand a finished message to the outside. Two connectors: an
//! `.eml` folder (the embedded default: every email visible without a
//! server) and SMTP through lettre. Each says whether a failure is worth
//! retrying (a 4xx), final (a 5xx about this message) or a failure of the
//! relay itself (down, a wrong password), so the dispatcher can retry the
//! first, report the second and stop dialling on the third.

mod folder;
mod smtp;
mod transaction;

use std::time::Duration;

pub use folder::FolderConnector;
pub use smtp::{Security, SmtpConfig, SmtpSession, UrlError};

/// A message ready to go: its envelope and its bytes.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The action's idempotency key (names the file; logged).
    pub key: String,
    pub from: String,
    pub to: Vec<String>,
    pub bytes: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth retrying later: the server is busy, or said 4xx, about this
    /// message.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Final: the server refused this message or its recipient (5xx), or
    /// the message cannot be sent.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The relay or the session failed before any message was at stake
    /// (unreachable, silent, a refused greeting, EHLO, STARTTLS or AUTH — a
    /// wrong password): no message's fault, so none fails for it; every
    /// message waits until the relay works again.
    #[error("the relay failed: {0}")]
    Relay(String),
}

impl DeliveryError {
    pub fn is_transient(&self) -> bool {
        matches!(self, DeliveryError::Transient(_) | DeliveryError::Relay(_))
    }
}

/// Hands messages to the outside. Each worker owns one deliverer (an SMTP
/// deliverer holds one connection).
pub trait Deliver {
    fn deliver(
        &mut self,
        message: &Outgoing,
    ) -> impl std::future::Future<Output = Result<(), DeliveryError>> + Send;

    /// Delivers `message`, told that `next` is the message it delivers
    /// next: an SMTP session whose relay pipelines sends `next`'s envelope
    /// behind this content, one round trip a message instead of two.
    fn deliver_then(
        &mut self,
        message: &Outgoing,
        next: Option<&Outgoing>,
    ) -> impl std::future::Future<Output = Result<(), DeliveryError>> + Send {
        let _ = next;
        self.deliver(message)
    }

    /// Lets go of what it holds (says goodbye to the server).
    fn close(&mut self) -> impl std::future::Future<Output = ()> + Send;
}

impl Deliver for std::sync::Arc<FolderConnector> {
    async fn deliver(&mut self, message: &Outgoing) -> Result<(), DeliveryError> {
        FolderConnector::deliver(self, message)
    }

    async fn close(&mut self) {}
}

impl Deliver for SmtpSession {
    async fn deliver(&mut self, message: &Outgoing) -> Result<(), DeliveryError> {
        SmtpSession::deliver(self, message).await
    }

    async fn deliver_then(
        &mut self,
        message: &Outgoing,
        next: Option<&Outgoing>,
    ) -> Result<(), DeliveryError> {
        SmtpSession::deliver_then(self, message, next).await
    }

    async fn close(&mut self) {
        SmtpSession::close(self).await
    }
}

/// One worker's way out, chosen by configuration.
pub enum Connector {
    Folder(std::sync::Arc<FolderConnector>),
    Smtp(Box<SmtpSession>),
}

impl Deliver for Connector {
    async fn deliver(&mut self, message: &Outgoing) -> Result<(), DeliveryError> {
        match self {
            Connector::Folder(folder) => Deliver::deliver(folder, message).await,
            Connector::Smtp(smtp) => Deliver::deliver(smtp.as_mut(), message).await,
        }
    }

    async fn deliver_then(
        &mut self,
        message: &Outgoing,
        next: Option<&Outgoing>,
    ) -> Result<(), DeliveryError> {
        match self {
            Connector::Folder(folder) => Deliver::deliver(folder, message).await,
            Connector::Smtp(smtp) => Deliver::deliver_then(smtp.as_mut(), message, next).await,
        }
    }

    async fn close(&mut self) {
        match self {
            Connector::Folder(folder) => Deliver::close(folder).await,
            Connector::Smtp(smtp) => Deliver::close(smtp.as_mut()).await,
        }
    }
}

/// Exponential backoff with jitter: 1 min, 2, 4… capped at 2 h, each
/// ±20 % (derived from the key, so retries of many messages spread out but
/// a given message's schedule is reproducible).
pub fn backoff(attempt: u32, key: &str) -> Duration {
    use sha2::{Digest, Sha256};
    let base = 60u64.saturating_mul(1u64 << attempt.min(7)).min(7_200);
    let digest = Sha256::digest(format!("{key}#{attempt}").as_bytes());
    let spread = u64::from(digest[0]) * 40 / 255; // 0..=40
    Duration::from_secs(base * (80 + spread) / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let first = backoff(0, "k");
        assert!((48..=72).contains(&first.as_secs()), "{first:?}");
        assert!(backoff(3, "k") > backoff(1, "k"));
        assert!(backoff(30, "k").as_secs() <= 8_640);
        assert_eq!(backoff(2, "k"), backoff(2, "k"));
        let spread: std::collections::BTreeSet<u64> = (0..20)
            .map(|i| backoff(2, &format!("k{i}")).as_secs())
            .collect();
        assert!(spread.len() > 5, "jitter spreads retries: {spread:?}");
    }
}
