//! The email around a rendered message, built with lettre: addresses and
//! accented subjects encoded as RFC 5322 and 2047 require, a Message-ID
//! derived from the action's idempotency key (so a retry is recognisably the
//! same message), and `Auto-Submitted` so that auto-responders keep quiet.

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox as LettreMailbox, MultiPart, SinglePart};
use lettre::Message;
use sha2::{Digest, Sha256};

use crate::ics::invite_ics;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    pub name: String,
    pub email: String,
}

/// A calendar invitation sent with the message.
#[derive(Clone, Debug)]
pub struct Invite {
    /// Stable per event, so that an update replaces the earlier invite.
    pub uid: String,
    /// Raised on each postponement.
    pub sequence: u32,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub start: jiff::Zoned,
    pub end: jiff::Zoned,
    pub organizer: Mailbox,
    pub attendees: Vec<Mailbox>,
}

#[derive(Clone, Debug)]
pub struct Email {
    pub idempotency_key: String,
    /// When it is sent (the virtual clock's instant in a simulation).
    pub date: jiff::Zoned,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub subject: String,
    pub text: String,
    pub invite: Option<Invite>,
}

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("`{address}` ({name}) is not an email address: {reason}")]
    Address {
        name: String,
        address: String,
        reason: String,
    },
    #[error("the message cannot be built: {0}")]
    Build(String),
}

/// `<32 hex digits of SHA-256(key)@domain>`: the same key always gives the
/// same id.
pub fn message_id(idempotency_key: &str, domain: &str) -> String {
    let digest = Sha256::digest(idempotency_key.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("<{hex}@{domain}>")
}

pub fn to_eml(email: &Email, domain: &str) -> Result<Vec<u8>, MessageError> {
    let mut builder = Message::builder()
        .from(mailbox(&email.from)?)
        .subject(email.subject.clone())
        .date(std::time::SystemTime::from(email.date.timestamp()))
        .message_id(Some(message_id(&email.idempotency_key, domain)))
        .header(AutoSubmitted);
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    for to in &email.to {
        builder = builder.to(mailbox(to)?);
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(email.text.clone());
    let message = match &email.invite {
        None => builder.singlepart(text),
        Some(invite) => {
            let calendar = ContentType::parse("text/calendar; charset=utf-8; method=REQUEST")
                .map_err(|e| MessageError::Build(e.to_string()))?;
            let ics = invite_ics(invite, email.date.timestamp());
            builder.multipart(
                MultiPart::alternative()
                    .singlepart(text)
                    .singlepart(SinglePart::builder().header(calendar).body(ics)),
            )
        }
    }
    .map_err(|e| MessageError::Build(e.to_string()))?;
    Ok(message.formatted())
}

fn mailbox(mailbox: &Mailbox) -> Result<LettreMailbox, MessageError> {
    let address = mailbox
        .email
        .parse()
        .map_err(|e: lettre::address::AddressError| MessageError::Address {
            name: mailbox.name.clone(),
            address: mailbox.email.clone(),
            reason: e.to_string(),
        })?;
    Ok(LettreMailbox::new(Some(mailbox.name.clone()), address))
}

/// `Auto-Submitted: auto-generated` (RFC 3834).
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use mail_parser::MimeHeaders;

    fn email(invite: bool) -> Email {
        let paris = |d: i8, h: i8| {
            date(2024, 11, d)
                .at(h, 30, 0, 0)
                .in_tz("Europe/Paris")
                .unwrap()
        };
        Email {
            idempotency_key: "2024-2025/lancement/invitation/lancement/0/contact:atchoum".into(),
            date: paris(11, 17),
            from: Mailbox {
                name: "Expérimentations sociales Val d'Oise".into(),
                email: "programme@jalon.invalid".into(),
            },
            reply_to: Some(Mailbox {
                name: "Serge Dobel".into(),
                email: "serge.dobel@example.org".into(),
            }),
            to: vec![
                Mailbox {
                    name: "Équipe Atchoum".into(),
                    email: "atchoum@example.org".into(),
                },
                Mailbox {
                    name: "Référent DPA".into(),
                    email: "referent.dpa@example.org".into(),
                },
            ],
            subject: "Invitation : Séminaire de lancement — lundi 25 novembre 2024".into(),
            text: "Bonjour Équipe Atchoum,\n\nVous êtes invité·e à « Séminaire de lancement ».\n"
                .into(),
            invite: invite.then(|| Invite {
                uid: "2024-2025.lancement.lancement@jalon.invalid".into(),
                sequence: 0,
                summary: "Séminaire de lancement".into(),
                description: None,
                location: Some("Hôtel du Département".into()),
                start: paris(25, 9),
                end: paris(26, 17),
                organizer: Mailbox {
                    name: "Serge Dobel".into(),
                    email: "serge.dobel@example.org".into(),
                },
                attendees: vec![Mailbox {
                    name: "Équipe Atchoum".into(),
                    email: "atchoum@example.org".into(),
                }],
            }),
        }
    }

    #[test]
    fn a_parser_we_did_not_write_reads_headers_body_and_invite() {
        let bytes = to_eml(&email(true), "jalon.invalid").unwrap();
        let parsed = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parses");
        assert_eq!(
            parsed.subject(),
            Some("Invitation : Séminaire de lancement — lundi 25 novembre 2024")
        );
        let to: Vec<String> = parsed
            .to()
            .unwrap()
            .iter()
            .map(|a| a.address().unwrap().to_owned())
            .collect();
        assert_eq!(to, ["atchoum@example.org", "referent.dpa@example.org"]);
        assert_eq!(
            parsed.to().unwrap().first().unwrap().name(),
            Some("Équipe Atchoum")
        );
        assert_eq!(
            parsed.from().unwrap().first().unwrap().name(),
            Some("Expérimentations sociales Val d'Oise")
        );
        assert_eq!(
            parsed.message_id(),
            Some(
                message_id(&email(true).idempotency_key, "jalon.invalid")
                    .trim_matches(|c| c == '<' || c == '>')
            )
        );
        assert_eq!(
            parsed.header_raw("Auto-Submitted").map(str::trim),
            Some("auto-generated")
        );
        // 17:30 in Paris is 16:30 UTC.
        assert_eq!(
            parsed.date().unwrap().to_timestamp(),
            email(true).date.timestamp().as_second()
        );
        assert!(parsed
            .body_text(0)
            .unwrap()
            .contains("« Séminaire de lancement »"));
        let calendar = parsed
            .parts
            .iter()
            .find(|p| {
                p.content_type()
                    .is_some_and(|c| c.c_subtype.as_deref() == Some("calendar"))
            })
            .expect("a text/calendar part");
        let ics = calendar.text_contents().unwrap();
        assert!(ics.contains("METHOD:REQUEST"));
        assert!(ics.contains("DTSTART:20241125T083000Z"));
    }

    #[test]
    fn message_ids_are_stable_per_key() {
        assert_eq!(message_id("a/b", "x.org"), message_id("a/b", "x.org"));
        assert_ne!(message_id("a/b", "x.org"), message_id("a/c", "x.org"));
        assert!(message_id("a/b", "x.org").ends_with("@x.org>"));
    }

    #[test]
    fn a_bad_address_is_an_error_naming_it() {
        let mut e = email(false);
        e.to[1].email = "pas une adresse".into();
        let err = to_eml(&e, "jalon.invalid").unwrap_err().to_string();
        assert!(
            err.contains("pas une adresse") && err.contains("Référent DPA"),
            "{err}"
        );
    }
}
