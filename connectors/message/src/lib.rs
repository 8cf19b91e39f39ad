//! Jalon's messages: templates rendered into RFC 5322 emails, with an
//! iCalendar invite for seminars. No network here: delivery is a connector's
//! job; this crate only decides the bytes.

mod email;
mod french;
mod ics;
mod templates;

pub use email::{message_id, to_eml, Email, Invite, Mailbox, MessageError};
pub use french::{french_date, french_date_time, french_time};
pub use ics::{calendar_ics, invite_ics, CalendarEntry, EntryTime};
pub use templates::{Rendered, TemplateError, Templates};
