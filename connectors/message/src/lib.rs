//! Jalon's messages: templates rendered into RFC 5322 emails (text and
//! HTML, in French or English), with an iCalendar invite for seminars. No
//! network here: delivery is a connector's job; this crate only decides the
//! bytes.

mod dkim;
mod email;
mod english;
mod french;
mod html;
mod ics;
pub mod sandbox;
mod templates;
pub mod typography;
pub mod vet;

pub use dkim::{Dkim, DkimError};
pub use email::{
    message_id, rfc2822_date, to_eml, to_eml_signed, Email, Invite, Mailbox, MessageError,
};
pub use english::{english_date, english_date_time, english_time};
pub use french::{french_date, french_date_time, french_time};
pub use html::{escape, html_page, text_to_html};
pub use ics::{calendar_ics, invite_ics, CalendarEntry, EntryTime, Every, MovedSession, Series};
pub use templates::{Parts, Rendered, TemplateError, Templates, Text};
