//! Local time: every instant is a date and a wall-clock time in the
//! edition's zone, turned into an absolute instant by jiff (DST-correct).

use jalon_calendar::WorkingCalendar;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// When stage notices go out on the day a stage opens.
pub const NOTICE_TIME: Time = Time::constant(9, 0, 0, 0);

/// The instant of a local date and time. A time skipped by a spring DST
/// jump means the same wall-clock time after the jump; a time repeated in
/// autumn means its first occurrence. A date beyond jiff's range (year
/// 9999) never comes.
pub fn local(tz: &TimeZone, date: Date, time: Time) -> Timestamp {
    tz.to_ambiguous_timestamp(date.to_datetime(time))
        .compatible()
        .unwrap_or(Timestamp::MAX)
}

/// The first instant after `date` in the zone: a stage due on a day is late
/// from the next midnight.
/// How long after an edition's last day its last messages may still go
/// (a decision notice, a late approval's follow-up); after that nothing is
/// sent for it.
pub const SENDING_GRACE: jiff::SignedDuration = jiff::SignedDuration::from_hours(30 * 24);

/// How long an announcement stays worth sending after it falls due (a
/// refusal's notice, a selection's result, a decision): later, it would
/// arrive as old news.
pub const ANNOUNCEMENT_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(14 * 24);

pub fn end_of_day(tz: &TimeZone, date: Date) -> Timestamp {
    match date.checked_add(1.day()) {
        Ok(next) => local(tz, next, Time::midnight()),
        Err(_) => Timestamp::MAX,
    }
}

/// `date` if people work that day, else the closest working day before it:
/// a message computed for a Sunday or a holiday goes out the working day
/// before.
pub fn working_day_on_or_before(calendar: &WorkingCalendar, date: Date) -> Date {
    calendar.sending_day(date)
}

/// The local date of an instant.
pub fn local_date(tz: &TimeZone, at: Timestamp) -> Date {
    at.to_zoned(tz.clone()).date()
}
