//! Errors of calendar construction and working-day arithmetic.

use jiff::civil::Date;

/// Everything that can go wrong building a calendar or walking through it.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    /// A calendar without a single working weekday can never yield a working day.
    #[error("a working calendar needs at least one working weekday")]
    NoWorkingWeekday,
    /// Closures are inclusive ranges, so an inverted range is a typo, not an empty closure.
    #[error("closure {name:?} ends on {last_day}, before it starts on {first_day}")]
    ClosureEndsBeforeStart {
        name: String,
        first_day: Date,
        last_day: Date,
    },
    /// Searches are bounded so that a calendar closed for decades fails fast
    /// instead of looping; `days` is the signed number of calendar days
    /// scanned from `from` (negative when searching backwards).
    #[error("no working day within {days} calendar days of {from}")]
    NoWorkingDayWithin { from: Date, days: i32 },
    /// The walk would leave the range of dates jiff can represent.
    #[error("date arithmetic left the supported range -9999-01-01..=9999-12-31")]
    DateOutOfRange,
}
