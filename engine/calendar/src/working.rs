//! The working calendar: which days are worked, and why the others are not.

use jiff::civil::{Date, Weekday};

use crate::closure::Closure;
use crate::error::CalendarError;
use crate::holidays::{holiday_name, HolidayRegion};
use crate::reason::NonWorkingReason;
use crate::weekdays::WeekdaySet;

/// Working weekdays, public holidays and closures of one team or programme.
///
/// Built only through [`WorkingCalendar::new`] so that every calendar has at
/// least one working weekday and only well-formed closures.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WorkingCalendar {
    working_weekdays: WeekdaySet,
    region: HolidayRegion,
    closures: Vec<Closure>,
}

impl WorkingCalendar {
    /// Builds a calendar; duplicate weekdays are harmless.
    ///
    /// # Errors
    ///
    /// [`CalendarError::NoWorkingWeekday`] when `working_weekdays` is empty,
    /// [`CalendarError::ClosureEndsBeforeStart`] for the first closure whose
    /// `last_day` precedes its `first_day`.
    pub fn new(
        working_weekdays: impl IntoIterator<Item = Weekday>,
        region: HolidayRegion,
        closures: Vec<Closure>,
    ) -> Result<Self, CalendarError> {
        let working_weekdays: WeekdaySet = working_weekdays.into_iter().collect();
        if working_weekdays.is_empty() {
            return Err(CalendarError::NoWorkingWeekday);
        }
        if let Some(bad) = closures.iter().find(|c| c.last_day < c.first_day) {
            return Err(CalendarError::ClosureEndsBeforeStart {
                name: bad.name.clone(),
                first_day: bad.first_day,
                last_day: bad.last_day,
            });
        }
        Ok(Self {
            working_weekdays,
            region,
            closures,
        })
    }

    /// The same calendar with Saturday worked too: what French calls « jours
    /// ouvrables » (every day but Sunday and public holidays), beside the
    /// « jours ouvrés » of the working week.
    pub fn with_saturday(&self) -> Self {
        let mut calendar = self.clone();
        calendar.working_weekdays = self
            .working_weekdays
            .iter()
            .chain([Weekday::Saturday])
            .collect();
        calendar
    }

    /// Monday to Friday with the national holidays and no closure: the usual
    /// French public-sector week.
    pub fn french_default() -> Self {
        Self {
            working_weekdays: [
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ]
            .into_iter()
            .collect(),
            region: HolidayRegion::France,
            closures: Vec::new(),
        }
    }

    /// The working weekdays, Monday first.
    pub fn working_weekdays(&self) -> impl Iterator<Item = Weekday> + '_ {
        self.working_weekdays.iter()
    }

    pub fn region(&self) -> HolidayRegion {
        self.region
    }

    pub fn closures(&self) -> &[Closure] {
        &self.closures
    }

    /// Whether `date` is worked; checks the cheap weekday bit first and never
    /// allocates, since searches call it once per scanned day.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.working_weekdays.contains(date.weekday())
            && holiday_name(date, self.region).is_none()
            && !self.closures.iter().any(|closure| closure.contains(date))
    }

    /// Why `date` is not worked, or `None` when it is a working day.
    ///
    /// Precedence: public holiday, then closure (the first matching one, in
    /// construction order), then non-working weekday.
    pub fn non_working_reason(&self, date: Date) -> Option<NonWorkingReason> {
        if let Some(name) = holiday_name(date, self.region) {
            return Some(NonWorkingReason::PublicHoliday(name));
        }
        if let Some(closure) = self.closures.iter().find(|c| c.contains(date)) {
            return Some(NonWorkingReason::Closure(closure.name.clone()));
        }
        let weekday = date.weekday();
        (!self.working_weekdays.contains(weekday)).then_some(NonWorkingReason::Weekend(weekday))
    }
}

impl Default for WorkingCalendar {
    fn default() -> Self {
        Self::french_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may panic on broken fixtures.
mod tests {
    use super::*;
    use jiff::civil::date;

    fn summer_2025() -> WorkingCalendar {
        WorkingCalendar::new(
            WorkingCalendar::french_default().working_weekdays(),
            HolidayRegion::France,
            vec![Closure::new(
                "Fermeture estivale",
                date(2025, 8, 4),
                date(2025, 8, 15),
            )],
        )
        .unwrap()
    }

    #[test]
    fn no_working_weekday_is_rejected() {
        assert_eq!(
            WorkingCalendar::new([], HolidayRegion::France, vec![]),
            Err(CalendarError::NoWorkingWeekday)
        );
    }

    #[test]
    fn inverted_closure_is_rejected() {
        let closure = Closure::new("Noël", date(2025, 1, 2), date(2024, 12, 23));
        assert_eq!(
            WorkingCalendar::new([Weekday::Monday], HolidayRegion::None, vec![closure]),
            Err(CalendarError::ClosureEndsBeforeStart {
                name: "Noël".into(),
                first_day: date(2025, 1, 2),
                last_day: date(2024, 12, 23),
            })
        );
    }

    #[test]
    fn single_day_closure_is_accepted() {
        let day = date(2025, 6, 2);
        let calendar = WorkingCalendar::new(
            [Weekday::Monday],
            HolidayRegion::None,
            vec![Closure::new("Inventaire", day, day)],
        )
        .unwrap();
        assert!(!calendar.is_working_day(day));
    }

    #[test]
    fn reasons_follow_precedence() {
        let calendar = summer_2025();
        assert_eq!(calendar.non_working_reason(date(2025, 8, 1)), None);
        assert_eq!(
            calendar.non_working_reason(date(2025, 8, 15)),
            Some(NonWorkingReason::PublicHoliday("Assomption"))
        );
        assert_eq!(
            calendar.non_working_reason(date(2025, 8, 6)),
            Some(NonWorkingReason::Closure("Fermeture estivale".into()))
        );
        assert_eq!(
            calendar.non_working_reason(date(2025, 8, 9)),
            Some(NonWorkingReason::Closure("Fermeture estivale".into()))
        );
        assert_eq!(
            calendar.non_working_reason(date(2025, 8, 16)),
            Some(NonWorkingReason::Weekend(Weekday::Saturday))
        );
        // Pentecost Sunday itself is not a public holiday, only Whit Monday.
        assert_eq!(
            calendar.non_working_reason(date(2025, 6, 8)),
            Some(NonWorkingReason::Weekend(Weekday::Sunday))
        );
        // Toussaint 2025 is a Saturday: the holiday wins over the weekend.
        assert_eq!(
            calendar.non_working_reason(date(2025, 11, 1)),
            Some(NonWorkingReason::PublicHoliday("Toussaint"))
        );
    }

    #[test]
    fn non_standard_weekdays_are_reported_as_weekend() {
        let calendar =
            WorkingCalendar::new([Weekday::Saturday], HolidayRegion::None, vec![]).unwrap();
        assert!(calendar.is_working_day(date(2025, 6, 7)));
        assert_eq!(
            calendar.non_working_reason(date(2025, 6, 2)),
            Some(NonWorkingReason::Weekend(Weekday::Monday))
        );
    }

    #[test]
    fn default_is_monday_to_friday_in_france() {
        let calendar = WorkingCalendar::default();
        assert_eq!(calendar, WorkingCalendar::french_default());
        assert_eq!(calendar.working_weekdays().count(), 5);
        assert_eq!(calendar.region(), HolidayRegion::France);
        assert!(calendar.closures().is_empty());
    }
}
