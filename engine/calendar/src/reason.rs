//! Why a given day is not worked, so that schedules can explain themselves.

use jiff::civil::Weekday;

/// The reason a day is not a working day.
///
/// When several apply, the most specific wins: public holiday, then closure,
/// then non-working weekday.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NonWorkingReason {
    /// The weekday is not worked (not necessarily Saturday or Sunday).
    Weekend(Weekday),
    /// A public holiday, by its French name.
    PublicHoliday(&'static str),
    /// A programme closure, by its name.
    Closure(String),
}
