//! SMTP through lettre: pooled connections, configured from a URL
//! (`smtp://host:25`, `smtp://user:pass@host:587?tls=required` for
//! STARTTLS, `smtps://host:465` for implicit TLS).

use lettre::address::Envelope;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::{DeliveryError, Outgoing};

pub struct SmtpConnector {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpConnector {
    /// A connector for a relay URL. The URL's password is never printed.
    pub fn from_url(url: &str) -> Result<Self, DeliveryError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| DeliveryError::Permanent(format!("the SMTP address is not usable: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(SmtpConnector { transport })
    }

    pub async fn deliver(&self, message: &Outgoing) -> Result<(), DeliveryError> {
        let parse = |a: &str| {
            a.parse::<Address>()
                .map_err(|e| DeliveryError::Permanent(format!("`{a}` is not an address: {e}")))
        };
        let to = message
            .to
            .iter()
            .map(|a| parse(a))
            .collect::<Result<Vec<_>, _>>()?;
        let envelope = Envelope::new(Some(parse(&message.from)?), to)
            .map_err(|e| DeliveryError::Permanent(e.to_string()))?;
        match self.transport.send_raw(&envelope, &message.bytes).await {
            Ok(_) => Ok(()),
            // 5xx: the server will not take it, now or later.
            Err(e) if e.is_permanent() => Err(DeliveryError::Permanent(e.to_string())),
            // 4xx, refused or dropped connections, timeouts: try again later.
            Err(e) => Err(DeliveryError::Transient(e.to_string())),
        }
    }
}
