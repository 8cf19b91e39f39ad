//! SMTP through lettre's connection, on sockets we open ourselves.
//!
//! lettre 0.11.23 writes the final `.` of DATA in its own small write and
//! leaves Nagle's algorithm on, so every message waits for the server's
//! delayed ACK (about 40 ms): one connection tops out near 23 messages/s.
//! Opening the TCP socket here with `TCP_NODELAY` and handing it to
//! `AsyncSmtpConnection::connect_with_transport` removes the stall (the fix
//! is upstream but unreleased). Implicit TLS (`smtps://`) still goes through
//! lettre's own connect, which opens the socket itself.
//!
//! Each [`SmtpSession`] keeps one connection open across messages and opens
//! a new one when the last broke; the dispatcher runs as many sessions as it
//! wants connections. A message's transaction is in `transaction`:
//! pipelined when the relay offers PIPELINING, which lettre does not read
//! from its EHLO reply, so we greet once more (before AUTH) to read it.

use std::sync::Arc;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::commands::Ehlo;
use lettre::transport::smtp::extension::ClientId;
use lettre::Address;

use crate::{transaction, DeliveryError, Outgoing};

/// How the connection is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP (a local relay).
    None,
    /// STARTTLS: required (fail without it) or opportunistic.
    StartTls { required: bool },
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
}

/// Where and how to reach the relay, read from a URL:
/// `smtp://host[:25]`, `smtp://user:pass@host:587?tls=required` (STARTTLS),
/// `smtp://host?tls=opportunistic`, `smtps://user:pass@host[:465]`;
/// `ehlo=NAME` sets the name we greet with; `ca=PATH` trusts the PEM
/// certificate(s) in that file besides the usual authorities (a relay with
/// an internal certificate authority); `nodelay=false` leaves Nagle's
/// algorithm on (only to measure what the workaround is worth).
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Extra trusted certificates (`ca=`), PEM.
    authority: Option<Vec<u8>>,
    /// `TCP_NODELAY` on our sockets (see the module comment).
    nodelay: bool,
    /// Connecting, and each command, give up after this long.
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the SMTP address `{url}` is not usable: {reason}")]
pub struct UrlError {
    /// The URL with its password hidden.
    pub url: String,
    pub reason: String,
}

impl SmtpConfig {
    pub fn from_url(text: &str) -> Result<Self, UrlError> {
        let url = url::Url::parse(text).map_err(|e| UrlError {
            url: redact(text),
            reason: e.to_string(),
        })?;
        let fail = |reason: String| UrlError {
            url: redact(text),
            reason,
        };
        let mut security = match url.scheme() {
            "smtp" => Security::None,
            "smtps" => Security::Implicit,
            other => {
                return Err(fail(format!(
                    "the scheme is `{other}`; use smtp:// or smtps://"
                )))
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| fail("it names no host".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let mut hello = ClientId::default();
        let mut authority = None;
        let mut nodelay = true;
        for (name, value) in url.query_pairs() {
            match (&*name, &*value) {
                ("tls", "required") if security == Security::None => {
                    security = Security::StartTls { required: true }
                }
                ("tls", "opportunistic") if security == Security::None => {
                    security = Security::StartTls { required: false }
                }
                ("tls", "none") if security == Security::None => {}
                ("tls", other) => {
                    return Err(fail(format!(
                        "tls={other} is not one of required, opportunistic, none (with smtp://)"
                    )))
                }
                ("ehlo", name) => hello = ClientId::Domain(name.to_owned()),
                ("ca", path) => {
                    let pem = std::fs::read(path)
                        .map_err(|e| fail(format!("ca={path} cannot be read: {e}")))?;
                    Certificate::from_pem(&pem)
                        .map_err(|e| fail(format!("ca={path} is not a PEM certificate: {e}")))?;
                    authority = Some(pem);
                }
                ("nodelay", value) => {
                    nodelay = value
                        .parse()
                        .map_err(|_| fail(format!("nodelay={value}: use true or false")))?
                }
                (other, _) => {
                    return Err(fail(format!(
                        "unknown setting `{other}` (known: tls, ehlo, ca, nodelay)"
                    )))
                }
            }
        }
        let port = url.port().unwrap_or(match security {
            Security::Implicit => 465,
            Security::StartTls { .. } => 587,
            Security::None => 25,
        });
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| fail("the user name or password is not UTF-8".into()))
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, password) => Some(Credentials::new(
                decode(user)?,
                decode(password.unwrap_or(""))?,
            )),
        };
        Ok(SmtpConfig {
            host,
            port,
            security,
            credentials,
            hello,
            authority,
            nodelay,
            timeout: COMMAND_TIMEOUT,
        })
    }

    /// For logs: never the password.
    pub fn describe(&self) -> String {
        let scheme = match self.security {
            Security::Implicit => "smtps",
            _ => "smtp",
        };
        let tls = match self.security {
            Security::StartTls { required: true } => "?tls=required",
            Security::StartTls { required: false } => "?tls=opportunistic",
            _ => "",
        };
        let user = if self.credentials.is_some() {
            "***@"
        } else {
            ""
        };
        format!("{scheme}://{user}{}:{}{tls}", self.host, self.port)
    }

    /// A session ready for messages: connected, greeted, secured and
    /// authenticated. Whatever fails here is the relay's problem, not a
    /// message's: [`DeliveryError::Relay`].
    async fn connect(&self) -> Result<Open, DeliveryError> {
        self.open().await.map_err(|e| match e {
            DeliveryError::Transient(reason) | DeliveryError::Permanent(reason) => {
                DeliveryError::Relay(reason)
            }
            relay => relay,
        })
    }

    async fn open(&self) -> Result<Open, DeliveryError> {
        let tls = || {
            let mut builder = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.authority {
                let certificate = Certificate::from_pem(pem)
                    .map_err(|e| DeliveryError::Permanent(format!("ca: {e}")))?;
                builder = builder.add_root_certificate(certificate);
            }
            builder
                .build()
                .map_err(|e| DeliveryError::Permanent(format!("TLS set-up failed: {e}")))
        };
        let mut connection = match self.security {
            Security::Implicit => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(|e| classify(&e, self))?,
            _ => {
                let connect = tokio::net::TcpStream::connect((self.host.as_str(), self.port));
                let stream = tokio::time::timeout(self.timeout, connect)
                    .await
                    .map_err(|_| self.unreachable("no answer"))?
                    .map_err(|e| self.unreachable(&e.to_string()))?;
                stream
                    .set_nodelay(self.nodelay)
                    .map_err(|e| self.unreachable(&e.to_string()))?;
                let greet =
                    AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello);
                tokio::time::timeout(self.timeout, greet)
                    .await
                    .map_err(|_| self.unreachable("no greeting"))?
                    .map_err(|e| classify(&e, self))?
            }
        };
        if let Security::StartTls { required } = self.security {
            if connection.can_starttls() {
                tokio::time::timeout(self.timeout, connection.starttls(tls()?, &self.hello))
                    .await
                    .map_err(|_| self.unreachable("no answer to STARTTLS"))?
                    .map_err(|e| classify(&e, self))?;
            } else if required {
                connection.abort().await;
                return Err(DeliveryError::Permanent(format!(
                    "{} does not offer STARTTLS, and tls=required",
                    self.describe()
                )));
            }
        }
        let pipelining = self.offers_pipelining(&mut connection).await?;
        if let Some(credentials) = &self.credentials {
            tokio::time::timeout(
                self.timeout,
                connection.auth(DEFAULT_MECHANISMS, credentials),
            )
            .await
            .map_err(|_| self.unreachable("no answer to AUTH"))?
            .map_err(|e| classify(&e, self))?;
        }
        Ok(Open {
            connection,
            pipelining,
            primed: None,
        })
    }

    /// Whether the relay's EHLO reply names PIPELINING (RFC 2920). Asked
    /// on the session as it will send (after STARTTLS: what was offered in
    /// clear is forgotten), before AUTH, after which a new EHLO could
    /// reset the authentication on some servers.
    async fn offers_pipelining(
        &self,
        connection: &mut AsyncSmtpConnection,
    ) -> Result<bool, DeliveryError> {
        let ehlo = tokio::time::timeout(
            self.timeout,
            connection.command(Ehlo::new(self.hello.clone())),
        )
        .await
        .map_err(|_| self.unreachable("no answer to EHLO"))?
        .map_err(|e| classify(&e, self))?;
        let offered = ehlo.message().any(|line| {
            line.split_ascii_whitespace()
                .next()
                .is_some_and(|keyword| keyword.eq_ignore_ascii_case("PIPELINING"))
        });
        Ok(offered)
    }

    fn unreachable(&self, reason: &str) -> DeliveryError {
        DeliveryError::Transient(format!("cannot reach {}: {reason}", self.describe()))
    }
}

/// How long the relay has to answer: the connection, each command of the
/// session, and a whole message from MAIL FROM to the reply after DATA.
/// Short, as a relay that does not answer in 15 s is treated as down (the
/// dispatcher stops dialling it and probes it with backoff) rather than
/// held for every message.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(15);

/// 5xx and our own mistakes are final; the rest (4xx, a refused or dropped
/// connection, a timeout) is worth another try.
pub(crate) fn classify(
    error: &lettre::transport::smtp::Error,
    config: &SmtpConfig,
) -> DeliveryError {
    let text = format!("{} ({})", error, config.describe());
    if error.is_permanent() || error.is_client() {
        DeliveryError::Permanent(text)
    } else {
        DeliveryError::Transient(text)
    }
}

/// One connection to the relay, opened on first use and reopened when it
/// breaks.
pub struct SmtpSession {
    config: Arc<SmtpConfig>,
    connection: Option<Open>,
}

/// A connection ready for messages, and whether its relay takes them
/// pipelined.
struct Open {
    connection: AsyncSmtpConnection,
    pipelining: bool,
    /// The key of the message whose envelope went behind the last content,
    /// and the replies to read for it.
    primed: Option<(String, transaction::Primed)>,
}

impl SmtpSession {
    pub fn new(config: Arc<SmtpConfig>) -> Self {
        SmtpSession {
            config,
            connection: None,
        }
    }

    pub async fn deliver(&mut self, message: &Outgoing) -> Result<(), DeliveryError> {
        self.deliver_then(message, None).await
    }

    /// Delivers `message`; when the relay pipelines, `next`'s envelope goes
    /// behind its content, and `next` is to be the message delivered next
    /// (any other finds the connection closed and opens a new one).
    pub async fn deliver_then(
        &mut self,
        message: &Outgoing,
        next: Option<&Outgoing>,
    ) -> Result<(), DeliveryError> {
        let envelope = envelope(message)?;
        // A next message without a valid envelope fails on its own turn.
        let next = next.and_then(|n| Some((n, self::envelope(n).ok()?)));
        let next = next.as_ref().map(|(n, e)| (*n, e));
        let reused = self.connection.is_some();
        match self.try_send(message, &envelope, next).await {
            // A connection kept open may have been closed by the server
            // meanwhile: one fresh try before calling it a failure.
            Err(DeliveryError::Transient(_) | DeliveryError::Relay(_))
                if reused && self.connection.is_none() =>
            {
                self.try_send(message, &envelope, next).await
            }
            outcome => outcome,
        }
    }

    async fn try_send(
        &mut self,
        message: &Outgoing,
        envelope: &Envelope,
        next: Option<(&Outgoing, &Envelope)>,
    ) -> Result<(), DeliveryError> {
        let mut open = match self.connection.take() {
            Some(open) => open,
            None => self.config.connect().await?,
        };
        let primed = match open.primed.take() {
            Some((key, primed)) if key == message.key => Some(primed),
            // Primed for a message that did not come (its sender stopped):
            // the relay waits for that one's content. Closed without a
            // word, as QUIT would be read as content.
            Some(_) => {
                open = self.config.connect().await?;
                None
            }
            None => None,
        };
        let pipelining = open.pipelining;
        let this = transaction::Message {
            envelope,
            email: &message.bytes,
        };
        let then = next.map(|(next, envelope)| transaction::Message {
            envelope,
            email: &next.bytes,
        });
        let sent = tokio::time::timeout(
            self.config.timeout,
            transaction::send(
                open.connection,
                pipelining,
                this,
                primed,
                then,
                &self.config,
            ),
        )
        .await;
        match sent {
            Ok((outcome, kept)) => {
                // Any error answer ends the session (as lettre's `send`),
                // but a refused content behind which the next envelope went.
                self.connection = kept.map(|(connection, primed)| Open {
                    connection,
                    pipelining,
                    primed: primed
                        .zip(next)
                        .map(|(primed, (next, _))| (next.key.clone(), primed)),
                });
                outcome
            }
            // Silent in the middle of a message: the relay, not the message.
            Err(_) => Err(DeliveryError::Relay(format!(
                "{} stopped answering (no reply in {} s)",
                self.config.describe(),
                self.config.timeout.as_secs()
            ))),
        }
    }

    /// Says goodbye to the server, if connected; a connection with an
    /// envelope waiting for its content is closed without a word.
    pub async fn close(&mut self) {
        if let Some(mut open) = self.connection.take() {
            if open.primed.is_none() {
                let _ = open.connection.quit().await;
            }
        }
    }
}

fn envelope(message: &Outgoing) -> Result<Envelope, DeliveryError> {
    let parse = |a: &str| {
        a.parse::<Address>()
            .map_err(|e| DeliveryError::Permanent(format!("`{a}` is not an address: {e}")))
    };
    let to = message
        .to
        .iter()
        .map(|a| parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(parse(&message.from)?), to)
        .map_err(|e| DeliveryError::Permanent(e.to_string()))
}

/// `%xx` escapes of a URL's user and password, decoded.
fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// The URL as it may be printed: its password replaced by `***`.
fn redact(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => match text.rsplit_once('@') {
            Some((_, host)) => format!("…@{host}"),
            None => text.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_security_and_credentials() {
        let plain = SmtpConfig::from_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 2525));
        assert_eq!(plain.security, Security::None);
        assert!(plain.credentials.is_none());

        let relay = SmtpConfig::from_url("smtp://ana%40x.org:p%40ss@mail.example.org?tls=required")
            .unwrap();
        assert_eq!(relay.port, 587);
        assert_eq!(relay.security, Security::StartTls { required: true });
        assert_eq!(
            relay.credentials,
            Some(Credentials::new("ana@x.org".into(), "p@ss".into()))
        );
        assert_eq!(
            relay.describe(),
            "smtp://***@mail.example.org:587?tls=required"
        );

        let implicit = SmtpConfig::from_url("smtps://mail.example.org").unwrap();
        assert_eq!(
            (implicit.port, implicit.security),
            (465, Security::Implicit)
        );
    }

    #[test]
    fn bad_urls_say_why_and_hide_the_password() {
        let error = |url: &str| SmtpConfig::from_url(url).err().unwrap();
        assert!(error("http://host").reason.contains("smtp:// or smtps://"));
        assert!(error("smtp://host?tls=maybe").reason.contains("tls=maybe"));
        assert!(error("smtp://host?pool=3")
            .reason
            .contains("unknown setting `pool`"));
        let hidden = error("smtp://ana:secret@host?tls=maybe");
        assert!(!hidden.to_string().contains("secret"), "{hidden}");
        assert!(!error("smtp://ana:secret@").to_string().contains("secret"));
    }
}
