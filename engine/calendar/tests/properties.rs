//! Property tests: holidays land on the right weekdays, and working-day
//! arithmetic agrees with counting on arbitrary calendars.

#![allow(clippy::unwrap_used)] // Tests may panic on broken fixtures.

use jalon_calendar::{public_holidays, Closure, HolidayRegion, NonWorkingReason, WorkingCalendar};
use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn holiday(year: i16, name: &str) -> Date {
    public_holidays(year, HolidayRegion::AlsaceMoselle)
        .into_iter()
        .find(|holiday| holiday.name == name)
        .map(|holiday| holiday.date)
        .unwrap()
}

fn any_date() -> impl Strategy<Value = Date> {
    (1900i16..=2200, 0i64..366).prop_map(|(year, offset)| {
        Date::new(year, 1, 1)
            .unwrap()
            .checked_add(offset.days())
            .unwrap()
    })
}

fn any_region() -> impl Strategy<Value = HolidayRegion> {
    prop_oneof![
        Just(HolidayRegion::France),
        Just(HolidayRegion::AlsaceMoselle),
        Just(HolidayRegion::None),
    ]
}

fn any_closure() -> impl Strategy<Value = Closure> {
    (any_date(), 0i64..40)
        .prop_map(|(first, length)| Closure::new("Fermeture", first, first + length.days()))
}

/// Random weekday sets (never empty), regions and short closures; closures
/// are spread over three centuries so most walks cross none, some several.
fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
    (
        1u8..128,
        any_region(),
        prop::collection::vec(any_closure(), 0..4),
    )
        .prop_map(|(mask, region, closures)| {
            let weekdays = Weekday::Monday
                .cycle_forward()
                .take(7)
                .enumerate()
                .filter(move |(bit, _)| mask & (1 << bit) != 0)
                .map(|(_, weekday)| weekday);
            WorkingCalendar::new(weekdays, region, closures).unwrap()
        })
}

fn calendars() -> impl Strategy<Value = WorkingCalendar> {
    prop_oneof![Just(WorkingCalendar::french_default()), any_calendar()]
}

proptest! {
    // Integration tests have no lib.rs beside them, which the default
    // persistence looks for; name the regression file explicitly instead.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn ascension_is_a_thursday_and_whit_monday_a_monday(year in 1600i16..=3000) {
        prop_assert_eq!(holiday(year, "Ascension").weekday(), Weekday::Thursday);
        prop_assert_eq!(holiday(year, "Lundi de Pentecôte").weekday(), Weekday::Monday);
        prop_assert_eq!(holiday(year, "Lundi de Pâques").weekday(), Weekday::Monday);
        prop_assert_eq!(holiday(year, "Vendredi saint").weekday(), Weekday::Friday);
    }

    #[test]
    fn holidays_are_sorted_and_not_worked(year in 1600i16..=3000, region in any_region()) {
        let holidays = public_holidays(year, region);
        prop_assert!(holidays.windows(2).all(|pair| pair[0].date <= pair[1].date));
        let calendar = WorkingCalendar::new(
            WorkingCalendar::french_default().working_weekdays(),
            region,
            vec![],
        )
        .unwrap();
        for h in holidays {
            prop_assert!(!calendar.is_working_day(h.date));
            prop_assert!(matches!(
                calendar.non_working_reason(h.date),
                Some(NonWorkingReason::PublicHoliday(_))
            ));
        }
    }

    #[test]
    fn adding_lands_on_working_days_and_counting_inverts_it(
        calendar in calendars(),
        start in any_date(),
        n in -60i32..=60,
    ) {
        let landed = calendar.add_working_days(start, n).unwrap();
        prop_assert!(calendar.is_working_day(landed));
        prop_assert_eq!(calendar.non_working_reason(landed), None);
        prop_assert_eq!(n > 0, landed > start);

        // From a working day, counting undoes adding in both directions.
        let working_start = calendar.next_working_day(start).unwrap();
        let landed = calendar.add_working_days(working_start, n).unwrap();
        prop_assert_eq!(calendar.working_days_between(working_start, landed), n);

        // From a non-working day, `days == 0` snaps back to the previous
        // working day, the same day as `-1`: the count is then 0 for both,
        // so backwards it is off by one.
        let landed = calendar.add_working_days(start, n).unwrap();
        let counted = calendar.working_days_between(start, landed);
        let expected = if n < 0 && !calendar.is_working_day(start) { n + 1 } else { n };
        prop_assert_eq!(counted, expected);
    }

    #[test]
    fn counting_is_antisymmetric_and_additive(
        calendar in calendars(),
        a in any_date(),
        to_b in -1000i64..=1000,
        to_c in -1000i64..=1000,
    ) {
        // Nearby dates: counting scans day by day, which is slow unoptimised.
        let (b, c) = (a + to_b.days(), a + to_c.days());
        let ab = calendar.working_days_between(a, b);
        prop_assert_eq!(ab, -calendar.working_days_between(b, a));
        prop_assert_eq!(
            ab + calendar.working_days_between(b, c),
            calendar.working_days_between(a, c)
        );
    }

    #[test]
    fn snapping_finds_the_nearest_working_day(calendar in calendars(), day in any_date()) {
        let next = calendar.next_working_day(day).unwrap();
        let previous = calendar.previous_working_day(day).unwrap();
        prop_assert!(calendar.is_working_day(next) && calendar.is_working_day(previous));
        prop_assert!(previous <= day && day <= next);
        prop_assert_eq!(calendar.is_working_day(day), next == previous);
        prop_assert!(calendar.working_days_between(previous, next) <= 1);
        prop_assert_eq!(calendar.add_working_days(day, 0).unwrap(), previous);
    }
}
