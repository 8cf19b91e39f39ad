//! Periodic schedules in standard 5-field cron syntax (minute, hour, day of
//! month, month, day of week — Sunday is 0 or 7, as in Vixie cron and
//! crontab(5)), evaluated in an edition's time zone with jiff.
//!
//! Why not the `cron` crate: it wants a seconds field, numbers weekdays from
//! Sunday = 1, and fires twice in the autumn fold. The matcher is small, so
//! it is written here on jiff, with the DST policy pinned by tests:
//! - a wall-clock time skipped by the spring jump fires once, at the same
//!   wall-clock time after the jump (02:30 → 03:30 in Paris), as
//!   `jiff`'s "compatible" disambiguation does everywhere else in Jalon;
//! - a wall-clock time repeated in autumn fires once, at its first
//!   occurrence: every schedule fires at most once per wall-clock minute.

mod parse;

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime};
use jiff::{ToSpan, Zoned};

pub use parse::{CronError, Field};

/// How far ahead a schedule is searched before it is declared impossible
/// (`0 0 30 2 *`): long enough for 29 February on a given weekday.
const SEARCH_YEARS: i64 = 28;

/// Serialised as its text, parsed again when read back.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CronSchedule {
    text: String,
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    /// Vixie: when both day fields are restricted, either may match.
    days_restricted: bool,
    weekdays_restricted: bool,
}

impl CronSchedule {
    pub fn parse(text: &str) -> Result<Self, CronError> {
        parse::parse(text)
    }

    /// The first firing strictly after `after`, in `after`'s time zone, or
    /// `None` when the schedule never fires (such as 30 February).
    pub fn next_after(&self, after: &Zoned) -> Option<Zoned> {
        let tz = after.time_zone();
        let mut date = after.date();
        let last = date.checked_add(SEARCH_YEARS.years()).ok()?;
        while date <= last {
            if self.matches_date(date) {
                // Instants of one day are not monotonic in wall-clock order
                // around a DST jump: take the earliest after `after`.
                let best = self
                    .times()
                    .filter_map(|(h, m)| {
                        let local = DateTime::from_parts(date, jiff::civil::time(h, m, 0, 0));
                        tz.to_ambiguous_timestamp(local).compatible().ok()
                    })
                    .filter(|t| *t > after.timestamp())
                    .min();
                if let Some(at) = best {
                    return Some(at.to_zoned(tz.clone()));
                }
            }
            date = date.checked_add(1.day()).ok()?;
        }
        None
    }

    /// Every firing after `after`, in order.
    pub fn iter_after(&self, after: &Zoned) -> impl Iterator<Item = Zoned> + '_ {
        let mut cursor = Some(after.clone());
        std::iter::from_fn(move || {
            let next = self.next_after(cursor.as_ref()?);
            cursor.clone_from(&next);
            next
        })
    }

    fn matches_date(&self, date: Date) -> bool {
        if self.months & (1 << date.month()) == 0 {
            return false;
        }
        let day = self.days & (1 << date.day()) != 0;
        let weekday = self.weekdays & (1 << date.weekday().to_sunday_zero_offset()) != 0;
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => day || weekday,
            _ => day && weekday,
        }
    }

    fn times(&self) -> impl Iterator<Item = (i8, i8)> + '_ {
        (0..24i8)
            .filter(|h| self.hours & (1 << h) != 0)
            .flat_map(move |h| {
                (0..60i8)
                    .filter(|m| self.minutes & (1 << m) != 0)
                    .map(move |m| (h, m))
            })
    }
}

impl FromStr for CronSchedule {
    type Err = CronError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for CronSchedule {
    type Error = CronError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<CronSchedule> for String {
    fn from(schedule: CronSchedule) -> String {
        schedule.text
    }
}

impl fmt::Display for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests;
