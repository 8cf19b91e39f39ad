//! One message's SMTP transaction on an open connection: MAIL FROM, RCPT
//! TO, DATA, then the content. In lockstep (each command waits for its
//! reply), or pipelined (RFC 2920) when the relay offers PIPELINING: MAIL,
//! every RCPT and DATA in one write and their replies read together, then
//! the content with its final dot in one more write — two round trips a
//! message instead of four or more. When the session knows the message it
//! sends next, that one's envelope goes in the content's write (RFC 2920
//! lets a group start with a message's content): its replies are read at
//! the start of its own transaction, one round trip a message.
//!
//! lettre keeps its connection's raw writes private, but its `command`
//! writes whatever it is given in one write and reads one reply, and
//! `read_response` reads the next reply from its buffer: that is all
//! pipelining needs. Replies stay bounded by lettre (1,000 bytes a line,
//! 100,000 a reply), their count by the commands we wrote, and the whole
//! transaction by the session's timeout.

use std::fmt;

use lettre::address::Envelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;

use crate::smtp::{classify, SmtpConfig};
use crate::DeliveryError;

/// Recipients of one message sent in one pipelined group at most; a
/// message with more goes in lockstep (Jalon's emails have a handful).
pub(crate) const MOST_PIPELINED_RECIPIENTS: usize = 100;

/// A transaction's outcome, and the connection back when it can carry the
/// next message, with the next message's envelope already sent on it when
/// it is [`Primed`].
pub(crate) type Sent = (
    Result<(), DeliveryError>,
    Option<(AsyncSmtpConnection, Option<Primed>)>,
);

/// A message to send, as a transaction needs it.
#[derive(Clone, Copy)]
pub(crate) struct Message<'a> {
    pub envelope: &'a Envelope,
    pub email: &'a [u8],
}

/// The envelope of the next message, written behind this one's content,
/// its replies not read yet: one to MAIL, one per recipient, one to DATA.
#[derive(Debug)]
pub(crate) struct Primed {
    replies: usize,
}

/// Sends `message` over `connection`; `primed` when its envelope was
/// written behind the previous content. When the relay pipelines, `next`
/// (the message that follows) has its envelope written behind this
/// content.
pub(crate) async fn send(
    mut connection: AsyncSmtpConnection,
    pipelining: bool,
    message: Message<'_>,
    primed: Option<Primed>,
    next: Option<Message<'_>>,
    config: &SmtpConfig,
) -> Sent {
    let envelope_sent = match primed {
        // Written behind the last content: only its replies are left.
        Some(primed) => replies_to_group(&mut connection, None, primed.replies, config).await,
        None => {
            let mail = match mail_command(&connection, message.envelope, message.email, config) {
                Ok(mail) => mail,
                // Nothing was written: the connection serves the next message.
                Err(refused) => return (Err(refused), Some((connection, None))),
            };
            let recipients = recipients(message.envelope);
            if pipelining && recipients.len() <= MOST_PIPELINED_RECIPIENTS {
                pipelined(&mut connection, mail, recipients, config).await
            } else {
                lockstep(&mut connection, mail, recipients, config).await
            }
        }
    };
    match envelope_sent {
        Ok(()) => {
            let next = next
                .filter(|_| pipelining)
                .and_then(|next| group(&connection, next, config));
            match next {
                Some(next) => content_then(connection, message.email, next, config).await,
                None => {
                    let (outcome, kept) = content(connection, message.email, config).await;
                    (outcome, kept.map(|connection| (connection, None)))
                }
            }
        }
        Err(Abandon::Quit(failure)) => {
            connection.abort().await;
            (Err(failure), None)
        }
        // The relay waits for content: closed without a word, since QUIT
        // would be read as content and the message must not end.
        Err(Abandon::Drop(failure)) => (Err(failure), None),
    }
}

/// How a failed envelope leaves the connection.
enum Abandon {
    /// Said goodbye to (QUIT), as lettre's `send` does after any error.
    Quit(DeliveryError),
    /// Dropped: DATA was accepted while an earlier command failed.
    Drop(DeliveryError),
}

/// The MAIL command, with the parameters the message needs and the relay
/// must offer.
fn mail_command(
    connection: &AsyncSmtpConnection,
    envelope: &Envelope,
    email: &[u8],
    config: &SmtpConfig,
) -> Result<Mail, DeliveryError> {
    let info = connection.server_info();
    let mut options = Vec::new();
    let addresses = envelope.from().into_iter().chain(envelope.to());
    if addresses.map(AsRef::<str>::as_ref).any(|a| !a.is_ascii()) {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Err(DeliveryError::Permanent(
                "an address is not ASCII and the relay does not take SMTPUTF8".to_owned(),
            ));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !email.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Err(DeliveryError::Relay(format!(
                "{} does not take 8BITMIME, which French text needs",
                config.describe()
            )));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    Ok(Mail::new(envelope.from().cloned(), options))
}

/// Which command a reply answers: every message has the same sender, so a
/// sender refused (or a `4xx` to MAIL) is the relay's failure, not the
/// message's; answers to RCPT, DATA and the content are about this message.
#[derive(Clone, Copy)]
enum Step {
    Mail,
    Rcpt,
    Data,
}

fn failure(
    step: Step,
    error: &lettre::transport::smtp::Error,
    config: &SmtpConfig,
) -> DeliveryError {
    match (step, error.status()) {
        (Step::Mail, Some(_)) => DeliveryError::Relay(format!(
            "it refuses the sender: {error} ({})",
            config.describe()
        )),
        // No answer (a kept connection closed meanwhile): try again.
        _ => classify(error, config),
    }
}

/// Each command waits for its reply; the first refusal ends it.
async fn lockstep(
    connection: &mut AsyncSmtpConnection,
    mail: Mail,
    recipients: Vec<Rcpt>,
    config: &SmtpConfig,
) -> Result<(), Abandon> {
    let abandon = |step, e| Abandon::Quit(failure(step, &e, config));
    connection
        .command(mail)
        .await
        .map_err(|e| abandon(Step::Mail, e))?;
    for rcpt in recipients {
        connection
            .command(rcpt)
            .await
            .map_err(|e| abandon(Step::Rcpt, e))?;
    }
    connection
        .command(Data)
        .await
        .map_err(|e| abandon(Step::Data, e))?;
    Ok(())
}

/// Every RCPT of a message's envelope.
fn recipients(envelope: &Envelope) -> Vec<Rcpt> {
    envelope
        .to()
        .iter()
        .map(|to| Rcpt::new(to.clone(), Vec::new()))
        .collect()
}

/// MAIL, every RCPT and DATA in one write; then exactly one reply each, in
/// order. The first refusal in command order decides, as in lockstep (where
/// the later commands would not have been sent).
async fn pipelined(
    connection: &mut AsyncSmtpConnection,
    mail: Mail,
    recipients: Vec<Rcpt>,
    config: &SmtpConfig,
) -> Result<(), Abandon> {
    let count = recipients.len() + 2;
    let first = connection.command(Group { mail, recipients }).await;
    replies_to_group(connection, Some(first), count, config).await
}

/// The `count` replies to an envelope's group (MAIL, each RCPT, DATA), the
/// first already read when given.
async fn replies_to_group(
    connection: &mut AsyncSmtpConnection,
    first: Option<Result<Response, lettre::transport::smtp::Error>>,
    count: usize,
    config: &SmtpConfig,
) -> Result<(), Abandon> {
    let step = |n: usize| match n {
        0 => Step::Mail,
        n if n + 1 == count => Step::Data,
        _ => Step::Rcpt,
    };
    let mut replies: Vec<Result<Response, lettre::transport::smtp::Error>> =
        Vec::with_capacity(count);
    replies.extend(first);
    while replies.len() < count {
        // A reply that is not one (the connection broke) ends the reading.
        if replies
            .last()
            .is_some_and(|r| r.as_ref().is_err_and(|e| e.status().is_none()))
        {
            break;
        }
        replies.push(connection.read_response().await);
    }
    let refused = replies
        .iter()
        .enumerate()
        .find_map(|(n, reply)| reply.as_ref().err().map(|e| failure(step(n), e, config)));
    let data_accepted = replies.len() == count && replies.last().is_some_and(Result::is_ok);
    match refused {
        None if data_accepted => Ok(()),
        Some(failure) if data_accepted => Err(Abandon::Drop(failure)),
        Some(failure) => Err(Abandon::Quit(failure)),
        // Unreachable: replies stop early only after one that failed.
        None => Err(Abandon::Quit(DeliveryError::Transient(format!(
            "{} gave too few replies",
            config.describe()
        )))),
    }
}

/// The next message's envelope as one group, if it can go pipelined: its
/// MAIL command is one the relay takes, its recipients few enough.
fn group(
    connection: &AsyncSmtpConnection,
    next: Message<'_>,
    config: &SmtpConfig,
) -> Option<Group> {
    let mail = mail_command(connection, next.envelope, next.email, config).ok()?;
    let recipients = recipients(next.envelope);
    (recipients.len() <= MOST_PIPELINED_RECIPIENTS).then_some(Group { mail, recipients })
}

/// The envelope's commands as one write.
struct Group {
    mail: Mail,
    recipients: Vec<Rcpt>,
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.mail)?;
        for rcpt in &self.recipients {
            write!(f, "{rcpt}")?;
        }
        write!(f, "{Data}")
    }
}

/// The content and its final dot, then the next message's envelope, in
/// one write; the reply to the content. A refused content leaves the
/// connection as it was: the relay reads the next envelope all the same.
async fn content_then(
    mut connection: AsyncSmtpConnection,
    email: &[u8],
    next: Group,
    config: &SmtpConfig,
) -> Sent {
    let Ok(text) = std::str::from_utf8(email) else {
        let (outcome, kept) = content(connection, email, config).await;
        return (outcome, kept.map(|connection| (connection, None)));
    };
    let primed = Primed {
        replies: next.recipients.len() + 2,
    };
    let wire = ContentThen {
        content: Content(text),
        next,
    };
    match connection.command(wire).await {
        Ok(_) => (Ok(()), Some((connection, Some(primed)))),
        Err(e) if e.status().is_some() => {
            (Err(classify(&e, config)), Some((connection, Some(primed))))
        }
        // No answer: closed without a word (the next DATA may be open).
        Err(e) => (Err(classify(&e, config)), None),
    }
}

/// A content and the next envelope, as one write.
struct ContentThen<'a> {
    content: Content<'a>,
    next: Group,
}

impl fmt::Display for ContentThen<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.content, self.next)
    }
}

/// The content and its final dot in one write, and the reply to it; the
/// connection back unless it failed.
async fn content(
    mut connection: AsyncSmtpConnection,
    email: &[u8],
    config: &SmtpConfig,
) -> (Result<(), DeliveryError>, Option<AsyncSmtpConnection>) {
    let sent = match std::str::from_utf8(email) {
        Ok(text) => connection.command(Content(text)).await,
        // lettre's own way (two writes) for bytes that are not text.
        Err(_) => connection.message(email).await,
    };
    match sent {
        Ok(_) => (Ok(()), Some(connection)),
        Err(e) => {
            connection.abort().await;
            (Err(classify(&e, config)), None)
        }
    }
}

/// A message's content as DATA sends it: a dot that starts a line doubled
/// (RFC 5321 §4.5.2, as lettre's codec does: a line starts after CRLF), and
/// `CRLF . CRLF` after it, as lettre writes it.
struct Content<'a>(&'a str);

impl fmt::Display for Content<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        if text.starts_with('.') {
            f.write_str(".")?;
        }
        let mut from = 0;
        for (at, _) in text.match_indices("\r\n.") {
            f.write_str(&text[from..at + 2])?;
            f.write_str(".")?;
            from = at + 2;
        }
        f.write_str(&text[from..])?;
        f.write_str("\r\n.\r\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a receiver does (RFC 5321 §4.5.2): the content ends at the
    /// first line that is a lone dot; a line's leading dot is removed.
    fn received(wire: &str) -> Option<String> {
        let mut lines = Vec::new();
        for line in wire.split("\r\n") {
            if line == "." {
                return Some(lines.join("\r\n"));
            }
            lines.push(line.strip_prefix('.').unwrap_or(line));
        }
        None
    }

    #[test]
    fn content_doubles_leading_dots_and_ends_with_a_lone_dot() {
        assert_eq!(Content("a\r\nb").to_string(), "a\r\nb\r\n.\r\n");
        assert_eq!(Content(".a").to_string(), "..a\r\n.\r\n");
        assert_eq!(
            Content("a\r\n.\r\n..b\r\n.").to_string(),
            "a\r\n..\r\n...b\r\n..\r\n.\r\n"
        );
        // A dot after a bare LF is not at a line's start (nor for lettre).
        assert_eq!(Content("a\n.b").to_string(), "a\n.b\r\n.\r\n");
        for text in [
            "",
            ".",
            "..",
            "\r\n.",
            "a\r\n.\r\n.",
            "x\r\n.\r\n\r\n.y",
            "Bonjour,\r\n. point\r\nfin\r\n",
        ] {
            let wire = Content(text).to_string();
            assert!(wire.ends_with("\r\n.\r\n"), "{text:?}");
            let ends = wire.matches("\r\n.\r\n").count();
            assert_eq!(ends, 1, "{text:?}: the content ends once: {wire:?}");
            assert_eq!(received(&wire).as_deref(), Some(text), "{text:?}");
        }
    }

    #[test]
    fn a_group_is_every_envelope_command_in_order() {
        let address = |a: &str| a.parse::<lettre::Address>().expect("an address");
        let group = Group {
            mail: Mail::new(Some(address("p@example.org")), Vec::new()),
            recipients: vec![
                Rcpt::new(address("a@example.org"), Vec::new()),
                Rcpt::new(address("b@example.org"), Vec::new()),
            ],
        };
        assert_eq!(
            group.to_string(),
            "MAIL FROM:<p@example.org>\r\nRCPT TO:<a@example.org>\r\n\
             RCPT TO:<b@example.org>\r\nDATA\r\n"
        );
        // Behind a content: its final dot ends it, then the next envelope.
        let wire = ContentThen {
            content: Content(".a"),
            next: group,
        };
        let wire = wire.to_string();
        assert_eq!(received(&wire).as_deref(), Some(".a"));
        assert!(
            wire.ends_with(
                "..a\r\n.\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<a@example.org>\r\n\
                 RCPT TO:<b@example.org>\r\nDATA\r\n"
            ),
            "{wire:?}"
        );
        assert_eq!(wire.matches("\r\n.\r\n").count(), 1, "one end: {wire:?}");
    }
}
