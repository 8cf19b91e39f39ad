//! Working-day arithmetic for Jalon.
//!
//! Programme milestones are expressed in working days ("J+10 ouvrés"), so the
//! engine needs one place that knows French public holidays (with the
//! Alsace-Moselle local law), which weekdays a team works, and programme-wide
//! closures such as the summer shutdown.

mod closure;
mod easter;
mod error;
mod holidays;
mod reason;
mod search;
mod weekdays;
mod working;

pub use closure::Closure;
pub use easter::{checked_easter_sunday, easter_sunday};
pub use error::CalendarError;
pub use holidays::{public_holidays, Holiday, HolidayRegion};
pub use reason::NonWorkingReason;
pub use search::SEARCH_LIMIT_DAYS;
pub use working::WorkingCalendar;
