//! The email around a rendered message, built with lettre: addresses and
//! accented subjects encoded as RFC 5322 and 2047 require, a Message-ID
//! derived from the action's idempotency key (so a retry is recognisably the
//! same message), `Auto-Submitted` so that auto-responders keep quiet, and
//! the `Date` in the edition's local time.
//!
//! The body is `multipart/alternative`: the text, then its HTML version. An
//! invitation adds its `text/calendar; method=REQUEST` as a third
//! alternative (what Gmail and Outlook read to show "Accept / Decline"), and
//! the same file as an `invitation.ics` attachment for the clients that only
//! look at attachments:
//!
//! ```text
//! multipart/mixed
//! ├── multipart/alternative
//! │   ├── text/plain
//! │   ├── text/html
//! │   └── text/calendar; method=REQUEST
//! └── application/ics (invitation.ics, attachment)
//! ```

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};
use lettre::Message;
use sha2::{Digest, Sha256};

use crate::html::{html_page, text_to_html};
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
    /// The first day's start and end.
    pub start: jiff::Zoned,
    pub end: jiff::Zoned,
    /// Days in a row it takes place, at the same hours (a two-day seminar
    /// is two days of 09:30–17:30, not one event across the night).
    pub days: u32,
    /// Withdraws an earlier invite (`METHOD:CANCEL`, same UID, a higher
    /// sequence): calendars remove the event.
    pub cancelled: bool,
    pub organizer: Mailbox,
    pub attendees: Vec<Mailbox>,
    /// Several sessions sent as one calendar series; `start` and `end` are
    /// then the first session's by the rule (before any move).
    pub series: Option<crate::ics::Series>,
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
    /// A whole HTML document; `None`: made from `text`.
    pub html: Option<String>,
    pub invite: Option<Invite>,
    /// The idempotency key of the message this one follows (the first
    /// about the same matter, to the same person): mail clients group them
    /// by `In-Reply-To` and `References`. `None`: it starts its thread.
    pub thread: Option<String>,
    /// The `List-Id` (RFC 2919) of the edition it is about: a name, and an
    /// id of letters, digits, `-` and `.` (the sender's domain is added).
    pub list: Option<(String, String)>,
    /// The language it is written in (`fr`, `en`): French text gets French
    /// typography ([`crate::typography`]), whoever wrote it.
    pub language: Option<String>,
    /// Who signs it (the programme's sender), after the `-- ` line that
    /// mail clients recognise; `None`: unsigned.
    pub signature: Option<String>,
    /// Its subject and text already carry the typography of its language
    /// (a template's whole render sets it): [`to_eml`] does not set it a
    /// second time (the same bytes: it is idempotent). `false` for
    /// anything assembled from parts.
    pub typeset: bool,
}

impl Email {
    /// Replaces the subject, typeset as the rest of the email is.
    pub fn set_subject(&mut self, subject: String) {
        self.subject = if self.typeset && self.french() {
            crate::typography::french(&subject)
        } else {
            subject
        };
    }

    fn french(&self) -> bool {
        self.language.as_deref() == Some("fr")
    }
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

/// The email as RFC 5322 bytes.
///
/// Its Message-ID is in the domain of the sender's (`From`) address, as RFC
/// 5322 advises; `fallback_domain` serves only if that address has none.
pub fn to_eml(email: &Email, fallback_domain: &str) -> Result<Vec<u8>, MessageError> {
    to_eml_signed(email, fallback_domain, None)
}

/// [`to_eml`], signed with `dkim` in the sender's domain when given, at the
/// email's `date`.
pub fn to_eml_signed(
    email: &Email,
    fallback_domain: &str,
    dkim: Option<&crate::Dkim>,
) -> Result<Vec<u8>, MessageError> {
    let domain = email
        .from
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
        .unwrap_or(fallback_domain);
    let french = email.french();
    let typeset = |text: &str| {
        if french {
            crate::typography::french(text)
        } else {
            text.to_owned()
        }
    };
    // Already typeset: only the signature, added here, still needs it.
    let again = french && !email.typeset;
    let (subject, mut text) = if again {
        (typeset(&email.subject), typeset(&email.text))
    } else {
        (email.subject.clone(), email.text.clone())
    };
    let mut html = email
        .html
        .clone()
        .unwrap_or_else(|| html_page(&text_to_html(&text), email.language.as_deref(), &subject));
    if let Some(signature) = email.signature.as_deref().filter(|s| !s.trim().is_empty()) {
        let signature = typeset(signature.trim());
        text = format!("{}\n\n-- \n{signature}\n", text.trim_end());
        html = signed(&html, &signature);
    }
    // Always, typeset or not: the page's text split by its tags and
    // entities is not always a fixed point (`A?&amp;` gains a space).
    if french {
        html = crate::typography::french_html(&html);
    }
    let mut builder = Message::builder()
        .from(mailbox(&email.from)?)
        .subject(header_text(&subject))
        .message_id(Some(message_id(&email.idempotency_key, domain)))
        .header(AutoSubmitted);
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    if let Some(first) = email
        .thread
        .as_deref()
        .filter(|f| *f != email.idempotency_key)
    {
        let first = message_id(first, domain);
        builder = builder.in_reply_to(first.clone()).references(first);
    }
    if let Some((name, id)) = &email.list {
        builder = builder.header(ListId(format!("{} <{id}.{domain}>", header_text(name))));
    }
    for to in &email.to {
        builder = builder.to(mailbox(to)?);
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(text);
    let html = SinglePart::builder()
        .header(ContentType::TEXT_HTML)
        .body(html);
    let alternative = MultiPart::alternative().singlepart(text).singlepart(html);
    let mut message = match &email.invite {
        None => builder.multipart(alternative),
        Some(invite) => {
            let content_type = |value: &str| {
                ContentType::parse(value).map_err(|e| MessageError::Build(e.to_string()))
            };
            let ics = invite_ics(invite, email.date.timestamp());
            let calendar = SinglePart::builder()
                .header(content_type(if invite.cancelled {
                    "text/calendar; charset=utf-8; method=CANCEL"
                } else {
                    "text/calendar; charset=utf-8; method=REQUEST"
                })?)
                .body(ics.clone());
            let attachment = Attachment::new("invitation.ics".to_owned()).body(
                ics,
                content_type("application/ics; name=\"invitation.ics\"")?,
            );
            builder.multipart(
                MultiPart::mixed()
                    .multipart(alternative.singlepart(calendar))
                    .singlepart(attachment),
            )
        }
    }
    .map_err(|e| MessageError::Build(e.to_string()))?;
    // lettre writes dates in UTC; people read their own time.
    message
        .headers_mut()
        .set(LocalDate(rfc2822_date(&email.date)));
    let bytes = message.formatted();
    Ok(match dkim {
        Some(dkim) => dkim.sign(&bytes, domain, email.date.timestamp().as_second()),
        None => bytes,
    })
}

/// The HTML document with the signature at the end of its column (where
/// [`html_page`] closes it), in grey under a rule.
fn signed(html: &str, signature: &str) -> String {
    let block = format!(
        "<p style=\"margin:24px 0 0 0;padding-top:12px;border-top:1px solid #dddddd;\
         color:#555555;font-size:14px;\">{}</p>\n",
        signature
            .lines()
            .map(crate::html::escape)
            .collect::<Vec<_>>()
            .join("<br>\n")
    );
    match html
        .rfind("</div>\n</body>")
        .or_else(|| html.rfind("</body>"))
    {
        Some(at) => format!("{}{block}{}", &html[..at], &html[at..]),
        None => format!("{html}{block}"),
    }
}

/// `Thu, 12 Jun 2025 09:00:00 +0200`: RFC 5322's date, at the zone's offset.
pub fn rfc2822_date(at: &jiff::Zoned) -> String {
    at.strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// `Date` with the local offset (lettre's own `Date` header is always UTC).
#[derive(Clone)]
struct LocalDate(String);

impl Header for LocalDate {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Date")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(LocalDate(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
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
    // No name: the bare address (lettre would write an empty `""` phrase).
    let name = Some(header_text(&mailbox.name)).filter(|n| !n.trim().is_empty());
    Ok(LettreMailbox::new(name, address))
}

/// A header value on one line: `check` refuses control characters in names
/// and subjects, and this makes sure none reaches a header whatever the
/// source (a line break there would panic the encoder or forge a header).
fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `List-Id: Name <id.domain>` (RFC 2919): filters and clients sort an
/// edition's messages by it.
#[derive(Clone)]
struct ListId(String);

impl Header for ListId {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Id")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListId(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
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

    pub(super) fn email(invite: bool) -> Email {
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
            html: None,
            invite: invite.then(|| Invite {
                uid: "2024-2025.lancement.lancement@jalon.invalid".into(),
                sequence: 0,
                summary: "Séminaire de lancement".into(),
                description: None,
                location: Some("Hôtel du Département".into()),
                start: paris(25, 9),
                end: paris(26, 17),
                days: 1,
                cancelled: false,
                series: None,
                organizer: Mailbox {
                    name: "Serge Dobel".into(),
                    email: "serge.dobel@example.org".into(),
                },
                attendees: vec![Mailbox {
                    name: "Équipe Atchoum".into(),
                    email: "atchoum@example.org".into(),
                }],
            }),
            thread: None,
            list: None,
            language: None,
            signature: None,
            typeset: false,
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
        assert_eq!(
            calendar
                .content_type()
                .and_then(|c| c.attribute("method"))
                .map(str::to_owned),
            Some("REQUEST".to_owned())
        );
        let html = parsed.body_html(0).expect("an HTML body");
        assert!(html.contains("« Séminaire de lancement ».</p>"), "{html}");
    }

    /// The MIME tree as `type/subtype` lines, indented by depth.
    fn structure(bytes: &[u8]) -> Vec<String> {
        fn walk(
            message: &mail_parser::Message<'_>,
            part: u32,
            depth: usize,
            out: &mut Vec<String>,
        ) {
            let part = &message.parts[part as usize];
            let c = part.content_type().expect("a content type");
            let mut line = format!(
                "{}{}/{}",
                "  ".repeat(depth),
                c.c_type,
                c.c_subtype.as_deref().unwrap_or_default()
            );
            if part.attachment_name().is_some()
                || part
                    .content_disposition()
                    .is_some_and(|d| d.is_attachment())
            {
                line.push_str(&format!(
                    " (attachment {})",
                    part.attachment_name().unwrap_or_default()
                ));
            }
            out.push(line);
            if let mail_parser::PartType::Multipart(children) = &part.body {
                for &child in children {
                    walk(message, child, depth + 1, out);
                }
            }
        }
        let parsed = mail_parser::MessageParser::default()
            .parse(bytes)
            .expect("parses");
        let mut out = Vec::new();
        walk(&parsed, 0, 0, &mut out);
        out
    }

    #[test]
    fn text_and_html_are_alternatives_and_an_invite_adds_the_calendar() {
        let plain = to_eml(&email(false), "jalon.invalid").unwrap();
        assert_eq!(
            structure(&plain),
            ["multipart/alternative", "  text/plain", "  text/html"]
        );
        let invite = to_eml(&email(true), "jalon.invalid").unwrap();
        assert_eq!(
            structure(&invite),
            [
                "multipart/mixed",
                "  multipart/alternative",
                "    text/plain",
                "    text/html",
                "    text/calendar",
                "  application/ics (attachment invitation.ics)",
            ]
        );
        let parsed = mail_parser::MessageParser::default()
            .parse(&invite)
            .expect("parses");
        let attachment = parsed.attachment(0).expect("the .ics attachment");
        assert!(String::from_utf8_lossy(attachment.contents()).contains("METHOD:REQUEST"));
    }

    #[test]
    fn a_given_html_is_sent_as_is() {
        let mut e = email(false);
        e.html = Some("<!DOCTYPE html>\n<p>Déjà prêt</p>\n".into());
        let bytes = to_eml(&e, "jalon.invalid").unwrap();
        let parsed = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parses");
        // Line ends travel as CRLF, as RFC 5322 wants.
        assert_eq!(
            parsed.body_html(0).map(|h| h.replace("\r\n", "\n")),
            Some("<!DOCTYPE html>\n<p>Déjà prêt</p>\n".to_owned())
        );
    }

    #[test]
    fn the_date_is_written_at_the_local_offset() {
        let bytes = to_eml(&email(false), "jalon.invalid").unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // 11 November 2024 is in winter time: UTC+1.
        assert!(
            text.contains("\r\nDate: Mon, 11 Nov 2024 17:30:00 +0100\r\n"),
            "{text}"
        );
        assert_eq!(text.matches("\nDate:").count(), 1);
        let mut summer = email(false);
        summer.date = date(2025, 6, 12)
            .at(9, 0, 0, 0)
            .in_tz("Europe/Paris")
            .unwrap();
        let bytes = to_eml(&summer, "jalon.invalid").unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("Date: Thu, 12 Jun 2025 09:00:00 +0200"));
        let parsed = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parses");
        assert_eq!(
            parsed.date().unwrap().to_timestamp(),
            summer.date.timestamp().as_second()
        );
    }

    #[test]
    fn message_ids_take_the_senders_domain() {
        let mut e = email(false);
        e.from.email = "experimentations@valdoise.example".into();
        let bytes = to_eml(&e, "jalon.invalid").unwrap();
        let parsed = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parses");
        assert_eq!(
            parsed.message_id().map(str::to_owned),
            Some(
                message_id(&e.idempotency_key, "valdoise.example")
                    .trim_matches(|c| c == '<' || c == '>')
                    .to_owned()
            )
        );
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

#[cfg(test)]
mod header_tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_a_header() {
        let email = Email {
            idempotency_key: "k".into(),
            date: jiff::Timestamp::UNIX_EPOCH.to_zoned(jiff::tz::TimeZone::UTC),
            from: Mailbox {
                name: "Programme\r\nBcc: victim@example.org".into(),
                email: "programme@example.org".into(),
            },
            reply_to: None,
            to: vec![Mailbox {
                name: "Ana\nMartin\0".into(),
                email: "ana@example.org".into(),
            }],
            subject: "Rappel\r\nX-Injected: yes".into(),
            text: "Bonjour".into(),
            html: None,
            invite: None,
            thread: None,
            list: None,
            language: None,
            signature: None,
            typeset: false,
        };
        let bytes = to_eml(&email, "example.org").expect("an email, not a panic");
        let text = String::from_utf8_lossy(&bytes);
        let headers = text.split("\r\n\r\n").next().unwrap_or_default();
        assert!(!headers.contains("\r\nBcc:"), "{headers}");
        assert!(!headers.contains("\r\nX-Injected:"), "{headers}");
        assert!(!headers.contains('\0'), "{headers}");
    }

    #[test]
    fn a_follow_up_replies_to_the_first_message_and_names_its_list() {
        let first = Email {
            idempotency_key: "e/feuille/atelier/opened/contact:atelier".into(),
            date: jiff::Timestamp::UNIX_EPOCH.to_zoned(jiff::tz::TimeZone::UTC),
            from: Mailbox {
                name: "Programme".into(),
                email: "programme@example.org".into(),
            },
            reply_to: None,
            to: vec![Mailbox {
                name: "Léa".into(),
                email: "lea@example.org".into(),
            }],
            subject: "Ouverture".into(),
            text: "Bonjour".into(),
            html: None,
            invite: None,
            thread: Some("e/feuille/atelier/opened/contact:atelier".into()),
            list: Some((
                "Expérimentations sociales — Promotion 2027".into(),
                "e.val-doise".into(),
            )),
            language: None,
            signature: None,
            typeset: false,
        };
        let reminder = Email {
            idempotency_key: "e/feuille/atelier/reminder/0/contact:atelier".into(),
            subject: "Rappel".into(),
            ..first.clone()
        };
        let parse = |email: &Email| {
            let bytes = to_eml(email, "example.org").expect("an email");
            let message = mail_parser::MessageParser::default()
                .parse(&bytes)
                .expect("parsed")
                .into_owned();
            message
        };
        let (first, reminder) = (parse(&first), parse(&reminder));
        let first_id = first.message_id().expect("a Message-ID").to_owned();
        // The first starts its thread; the reminder follows it.
        assert_eq!(first.in_reply_to().as_text(), None);
        assert_eq!(reminder.in_reply_to().as_text(), Some(first_id.as_str()));
        assert_eq!(reminder.references().as_text(), Some(first_id.as_str()));
        let list = reminder
            .header_raw("List-Id")
            .expect("a List-Id")
            .trim()
            .to_owned();
        assert!(list.ends_with("<e.val-doise.example.org>"), "{list}");
        // Its name, encoded as RFC 2047 says, reads back whole.
        let decoded = format!("{:?}", reminder.header("List-Id"));
        assert!(
            decoded.contains("Expérimentations sociales — Promotion 2027"),
            "{decoded} / {list}"
        );
    }

    #[test]
    fn french_is_typeset_and_signed_in_both_parts() {
        let mut email = super::tests::email(false);
        email.subject = "Rappel : « Feuille de route »".into();
        email.text = "Bonjour,\n\nValider : https://x.example/v?a=1\n".into();
        email.html = None;
        email.language = Some("fr".into());
        email.signature = Some("Expérimentations sociales\nDépartement du Val d'Oise".into());
        let bytes = to_eml(&email, "example.org").expect("an email");
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parsed");
        assert_eq!(
            message.subject(),
            Some("Rappel\u{a0}: «\u{a0}Feuille de route\u{a0}»")
        );
        let text = message
            .body_text(0)
            .expect("a text part")
            .replace("\r\n", "\n");
        assert!(
            text.contains("Valider\u{a0}: https://x.example/v?a=1\n\n-- \nExpérimentations sociales\nDépartement du Val d’Oise"),
            "{text}"
        );
        let html = message.body_html(0).expect("an HTML part");
        assert!(html.contains(">Valider</a>"), "a button: {html}");
        let signature = html.find("Département du Val d’Oise").expect("signed");
        assert!(signature > html.find(">Valider</a>").unwrap_or(usize::MAX));
        assert!(signature < html.find("</body>").unwrap_or(0));
        // English is left as written.
        email.language = Some("en".into());
        email.subject = "Reminder: “Roadmap”".into();
        let bytes = to_eml(&email, "example.org").expect("an email");
        let message = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("parsed");
        assert_eq!(message.subject(), Some("Reminder: “Roadmap”"));
    }

    proptest::proptest! {
        /// An email marked typeset, as a template's render makes it (its
        /// text and subject typeset, its HTML page built from them or from
        /// a typeset HTML part), is the same bytes as the raw email typeset
        /// whole: skipping the second pass changes nothing.
        #[test]
        fn a_typeset_email_is_the_bytes_of_one_typeset_here(
            subject in "[a-zA-Z0-9 :;!?«»'&<>\"/.h]{1,30}",
            text in "([a-zA-Z0-9 :;!?«»'&<>\"/.h\n]|https://x\\.fr/a\\?b=1&c=2|Valider : https://v\\.fr/x|10 h 30|7 juillet|l'été){0,25}",
            signature in "[a-zA-Z :;!?«»'&<>\"\n]{0,30}",
            part in proptest::option::of("[a-zA-Z0-9 :;!?«»'&<>\"/.]{0,40}"),
        ) {
            use crate::typography::{french, french_html};
            let mut raw = super::tests::email(false);
            raw.language = Some("fr".into());
            raw.subject = subject.clone();
            raw.text = text.clone();
            raw.signature = Some(signature);
            let mut typeset = raw.clone();
            typeset.typeset = true;
            typeset.subject = french(&subject);
            typeset.text = french(&text);
            // `Templates::render_parts`: an HTML part typeset, or the text's.
            let inner = match &part {
                Some(part) => french_html(&format!("<p>{}</p>", crate::escape(part))),
                None => crate::text_to_html(&typeset.text),
            };
            let page = crate::html_page(&inner, Some("fr"), &typeset.subject);
            raw.html = Some(page.clone());
            typeset.html = Some(page);
            // lettre draws its MIME boundaries at random.
            let bytes = |email: &Email| {
                let text = String::from_utf8(to_eml(email, "x.org").expect("an email"))
                    .expect("UTF-8");
                let boundaries: Vec<String> = text
                    .split("boundary=\"")
                    .skip(1)
                    .filter_map(|rest| rest.split('"').next())
                    .map(str::to_owned)
                    .collect();
                boundaries
                    .iter()
                    .fold(text, |text, b| text.replace(b.as_str(), "BOUNDARY"))
            };
            proptest::prop_assert_eq!(bytes(&raw), bytes(&typeset));
            // A subject replaced afterwards (the edition's name ahead).
            raw.subject = format!("[Promo l'été] {}", raw.subject);
            typeset.set_subject(format!("[Promo l'été] {}", typeset.subject));
            proptest::prop_assert_eq!(bytes(&raw), bytes(&typeset));
        }
    }
}
