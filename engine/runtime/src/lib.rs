//! One edition against the world. The core is pure; this crate is what
//! every shell shares around it:
//!
//! - [`clock`]: what "now" is (the system's, a fixed `--at`, a test's shift);
//! - [`load`]: the editions of a definitions folder, checked in full
//!   ([`staged`]: the daemon's way, file by file on every core, through
//!   the cache, editions with messages waiting first), and [`archive`]:
//!   every version kept with the record;
//! - [`replay`]: a recorded history folded into a state (voids applied);
//! - [`record`]: the one step that records a human act ([`hand_in`]: a
//!   hand-in's files and links checked first); [`correction`]:
//!   voids; [`history`]: imports of a recorded past ([`script`] reads them);
//! - [`tick`]: the one step time drives (queue what is due, dispatch);
//!   [`hold`]: what would go late by surprise waits for a release;
//! - [`dispatch`] and [`delivery`]: the outbox delivered, and where to;
//!   [`payload`]: what an outbox row carries;
//! - [`compose`]: an outbox row turned into an email; [`texts`]: the
//!   built-in words in French and English;
//! - [`links`]: validation and hand-in link tokens; [`status`]: the status
//!   view; [`documents`]: what an uploaded file is (sniffed, zip bombs
//!   refused).

pub mod application;
pub mod archive;
pub mod check_report;
pub mod clock;
pub mod compose;
pub mod correction;
pub mod delivery;
pub mod dispatch;
pub mod documents;
pub mod hand_in;
pub mod history;
pub mod hold;
mod in_order;
pub mod links;
pub mod load;
pub mod local_time;
pub mod payload;
pub mod record;
pub mod replay;
pub mod script;
pub mod sign_in;
pub mod staged;
pub mod status;
pub mod texts;
pub mod tick;

pub use clock::{Clock, FixedClock, ShiftedClock, SystemClock};
