//! Working-day arithmetic: stepping, snapping and counting working days.

use jiff::civil::Date;
use jiff::ToSpan;

use crate::error::CalendarError;
use crate::working::WorkingCalendar;

/// How many calendar days a search may scan before giving up (about 20 years),
/// so that a calendar closed for decades fails instead of hanging.
pub const SEARCH_LIMIT_DAYS: i32 = 20 * 366;

#[derive(Clone, Copy)]
enum Direction {
    Forward,
    Backward,
}

impl Direction {
    fn step(self, date: Date) -> Result<Date, CalendarError> {
        match self {
            Direction::Forward => date.tomorrow(),
            Direction::Backward => date.yesterday(),
        }
        .map_err(|_| CalendarError::DateOutOfRange)
    }

    fn signed(self, days: i32) -> i32 {
        match self {
            Direction::Forward => days,
            Direction::Backward => -days,
        }
    }
}

impl WorkingCalendar {
    /// Moves `days` working days away from `date`, which itself is not counted:
    /// Friday + 1 is the next Monday, Monday - 1 the previous Friday.
    ///
    /// `days == 0` snaps to [`previous_working_day`](Self::previous_working_day),
    /// so a deadline falling on a holiday moves earlier, never later.
    ///
    /// Because of that, on a non-working `date`, `0` and `-1` give the same
    /// day, and [`working_days_between`](Self::working_days_between) only
    /// inverts this function for `days > 0` or a working `date`.
    ///
    /// # Errors
    ///
    /// [`CalendarError::NoWorkingDayWithin`] when a gap between two working days
    /// exceeds [`SEARCH_LIMIT_DAYS`]; [`CalendarError::DateOutOfRange`] when the
    /// walk would leave jiff's date range.
    pub fn add_working_days(&self, date: Date, days: i32) -> Result<Date, CalendarError> {
        if days == 0 {
            return self.previous_working_day(date);
        }
        let direction = if days > 0 {
            Direction::Forward
        } else {
            Direction::Backward
        };
        // Each working day consumes at least one calendar day, so a request
        // longer than the room left can fail at once instead of after
        // millions of steps.
        let room = match direction {
            Direction::Forward => date.until(Date::MAX),
            Direction::Backward => Date::MIN.until(date),
        }
        .map_err(|_| CalendarError::DateOutOfRange)?
        .get_days()
        .unsigned_abs();
        if days.unsigned_abs() > room {
            return Err(CalendarError::DateOutOfRange);
        }
        let mut current = date;
        for _ in 0..days.unsigned_abs() {
            current = self.strictly_nearest(current, direction)?;
        }
        Ok(current)
    }

    /// `date` itself if it is worked, else the closest earlier working day.
    ///
    /// # Errors
    ///
    /// As [`add_working_days`](Self::add_working_days).
    pub fn previous_working_day(&self, date: Date) -> Result<Date, CalendarError> {
        self.nearest(date, Direction::Backward)
    }

    /// The day a message computed for `date` goes out: `date` if people
    /// work that day, else the closest working day before it (or `date`
    /// when none can be found). The one rule `jalon check` and the engine
    /// share, so that the check reports what will happen.
    pub fn sending_day(&self, date: Date) -> Date {
        self.previous_working_day(date).unwrap_or(date)
    }

    /// `date` itself if it is worked, else the closest later working day.
    ///
    /// # Errors
    ///
    /// As [`add_working_days`](Self::add_working_days).
    pub fn next_working_day(&self, date: Date) -> Result<Date, CalendarError> {
        self.nearest(date, Direction::Forward)
    }

    /// Counts working days `d` with `from < d <= to`; when `to < from` the
    /// count of `to < d <= from` is returned negated, so that
    /// `working_days_between(a, b) == -working_days_between(b, a)`.
    ///
    /// Scans day by day; a span of the whole jiff range (about 7.3 million
    /// days) still fits in an `i32`.
    pub fn working_days_between(&self, from: Date, to: Date) -> i32 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let count = from
            .series(1.day())
            .skip(1)
            .take_while(|day| *day <= to)
            .filter(|day| self.is_working_day(*day))
            .count();
        // At most ~7.3 million, but saturate rather than cast blindly.
        i32::try_from(count).unwrap_or(i32::MAX)
    }

    fn nearest(&self, date: Date, direction: Direction) -> Result<Date, CalendarError> {
        if self.is_working_day(date) {
            Ok(date)
        } else {
            self.strictly_nearest(date, direction)
        }
    }

    /// The first working day strictly after (or before) `from`.
    fn strictly_nearest(&self, from: Date, direction: Direction) -> Result<Date, CalendarError> {
        let mut current = from;
        for _ in 0..SEARCH_LIMIT_DAYS {
            current = direction.step(current)?;
            if self.is_working_day(current) {
                return Ok(current);
            }
        }
        Err(CalendarError::NoWorkingDayWithin {
            from,
            days: direction.signed(SEARCH_LIMIT_DAYS),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may panic on broken fixtures.
mod tests {
    use super::*;
    use crate::{Closure, HolidayRegion};
    use jiff::civil::{date, Weekday};

    fn france() -> WorkingCalendar {
        WorkingCalendar::french_default()
    }

    fn with_closures(region: HolidayRegion, closures: Vec<Closure>) -> WorkingCalendar {
        WorkingCalendar::new(france().working_weekdays(), region, closures).unwrap()
    }

    #[test]
    fn friday_plus_one_is_monday() {
        let calendar = france();
        assert_eq!(
            calendar.add_working_days(date(2025, 6, 13), 1),
            Ok(date(2025, 6, 16))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 6, 14), 1),
            Ok(date(2025, 6, 16))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 6, 16), -1),
            Ok(date(2025, 6, 13))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 6, 10), 5),
            Ok(date(2025, 6, 17))
        );
    }

    #[test]
    fn may_2025_bridges() {
        let calendar = france();
        // 1 May, 8 May and Ascension (29 May) 2025 are all Thursdays.
        assert_eq!(
            calendar.add_working_days(date(2025, 4, 30), 1),
            Ok(date(2025, 5, 2))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 4, 30), 2),
            Ok(date(2025, 5, 5))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 5, 7), 1),
            Ok(date(2025, 5, 9))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 5, 28), 1),
            Ok(date(2025, 5, 30))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 5, 28), 2),
            Ok(date(2025, 6, 2))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 4, 30), 10),
            Ok(date(2025, 5, 16))
        );
        // Whit Monday 9 June.
        assert_eq!(
            calendar.add_working_days(date(2025, 6, 6), 1),
            Ok(date(2025, 6, 10))
        );
        assert_eq!(
            calendar.working_days_between(date(2025, 4, 30), date(2025, 5, 31)),
            19
        );
    }

    #[test]
    fn closure_is_skipped() {
        let calendar = with_closures(
            HolidayRegion::France,
            vec![Closure::new(
                "Fermeture estivale",
                date(2025, 8, 4),
                date(2025, 8, 15),
            )],
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 8, 1), 1),
            Ok(date(2025, 8, 18))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 8, 18), -1),
            Ok(date(2025, 8, 1))
        );
        assert_eq!(
            calendar.next_working_day(date(2025, 8, 6)),
            Ok(date(2025, 8, 18))
        );
        assert_eq!(
            calendar.previous_working_day(date(2025, 8, 6)),
            Ok(date(2025, 8, 1))
        );
        assert_eq!(
            calendar.working_days_between(date(2025, 8, 1), date(2025, 8, 18)),
            1
        );
    }

    #[test]
    fn backward_over_easter_monday() {
        // Easter Monday 2025 is 21 April; Good Friday only counts in Alsace-Moselle.
        let tuesday = date(2025, 4, 22);
        assert_eq!(
            france().add_working_days(tuesday, -1),
            Ok(date(2025, 4, 18))
        );
        assert_eq!(
            france().add_working_days(tuesday, -2),
            Ok(date(2025, 4, 17))
        );
        let alsace = with_closures(HolidayRegion::AlsaceMoselle, vec![]);
        assert_eq!(alsace.add_working_days(tuesday, -1), Ok(date(2025, 4, 17)));
    }

    #[test]
    fn zero_days_snaps_back_from_a_holiday() {
        let calendar = france();
        assert_eq!(
            calendar.add_working_days(date(2025, 5, 1), 0),
            Ok(date(2025, 4, 30))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 4, 21), 0),
            Ok(date(2025, 4, 18))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 4, 30), 0),
            Ok(date(2025, 4, 30))
        );
        // ...which makes 0 and -1 agree on a non-working day.
        assert_eq!(
            calendar.add_working_days(date(2025, 5, 1), -1),
            Ok(date(2025, 4, 30))
        );
    }

    #[test]
    fn snapping_to_working_days() {
        let calendar = france();
        assert_eq!(
            calendar.next_working_day(date(2025, 5, 8)),
            Ok(date(2025, 5, 9))
        );
        assert_eq!(
            calendar.previous_working_day(date(2025, 5, 8)),
            Ok(date(2025, 5, 7))
        );
        assert_eq!(
            calendar.next_working_day(date(2025, 5, 7)),
            Ok(date(2025, 5, 7))
        );
        assert_eq!(
            calendar.next_working_day(date(2024, 12, 25)),
            Ok(date(2024, 12, 26))
        );
    }

    #[test]
    fn counting_is_antisymmetric() {
        let calendar = france();
        let (a, b) = (date(2025, 1, 1), date(2025, 12, 31));
        // 261 weekdays in 2025, minus 10 holidays on weekdays (Toussaint is a
        // Saturday), plus 1 January itself since `from` is excluded.
        assert_eq!(calendar.working_days_between(a, b), 251);
        assert_eq!(calendar.working_days_between(b, a), -251);
        assert_eq!(calendar.working_days_between(a, a), 0);
    }

    #[test]
    fn thirty_year_closure_fails_instead_of_hanging() {
        let calendar = with_closures(
            HolidayRegion::France,
            vec![Closure::new(
                "Moratoire",
                date(2020, 1, 1),
                date(2049, 12, 31),
            )],
        );
        let start = date(2025, 6, 2);
        let forward = Err(CalendarError::NoWorkingDayWithin {
            from: start,
            days: SEARCH_LIMIT_DAYS,
        });
        assert_eq!(calendar.add_working_days(start, 1), forward);
        assert_eq!(calendar.next_working_day(start), forward);
        assert_eq!(
            calendar.add_working_days(date(2045, 6, 1), -1),
            Err(CalendarError::NoWorkingDayWithin {
                from: date(2045, 6, 1),
                days: -SEARCH_LIMIT_DAYS,
            })
        );
        // Backwards from 2025 the search reaches New Year's Eve 2019 in time.
        assert_eq!(calendar.previous_working_day(start), Ok(date(2019, 12, 31)));
        assert_eq!(
            calendar.working_days_between(date(2019, 12, 31), date(2049, 12, 31)),
            0
        );
    }

    #[test]
    fn limits_return_errors_instead_of_panicking() {
        let calendar = france();
        assert_eq!(
            calendar.add_working_days(Date::MAX, 1),
            Err(CalendarError::DateOutOfRange)
        );
        assert_eq!(
            calendar.add_working_days(Date::MIN, -1),
            Err(CalendarError::DateOutOfRange)
        );
        assert_eq!(
            calendar.add_working_days(Date::MIN, i32::MAX),
            Err(CalendarError::DateOutOfRange)
        );
        assert_eq!(
            calendar.add_working_days(Date::MAX, i32::MIN),
            Err(CalendarError::DateOutOfRange)
        );
        // 9999-12-31 is a Friday, 9999-12-30 a Thursday.
        assert_eq!(
            calendar.add_working_days(date(9999, 12, 30), 1),
            Ok(Date::MAX)
        );
        assert_eq!(
            calendar.add_working_days(date(9999, 12, 30), 2),
            Err(CalendarError::DateOutOfRange)
        );
        // -9999-01-01 is a Monday but also New Year's Day.
        assert_eq!(
            calendar.previous_working_day(Date::MIN),
            Err(CalendarError::DateOutOfRange)
        );
        assert_eq!(calendar.next_working_day(Date::MIN), Ok(date(-9999, 1, 2)));
        let sundays = WorkingCalendar::new([Weekday::Sunday], HolidayRegion::None, vec![]).unwrap();
        assert_eq!(
            sundays.next_working_day(date(9999, 12, 27)),
            Err(CalendarError::DateOutOfRange)
        );
    }
}
