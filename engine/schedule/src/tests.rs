use jiff::civil::date;
use jiff::Zoned;
use proptest::prelude::*;

use super::*;

fn paris(y: i16, m: i8, d: i8, h: i8, min: i8) -> Zoned {
    date(y, m, d)
        .at(h, min, 0, 0)
        .in_tz("Europe/Paris")
        .unwrap()
}

fn next(expr: &str, after: &Zoned) -> Zoned {
    CronSchedule::parse(expr)
        .unwrap()
        .next_after(after)
        .unwrap()
}

#[test]
fn reads_the_standard_syntax() {
    let s = CronSchedule::parse("30 8 * * 1").unwrap();
    assert_eq!(s.to_string(), "30 8 * * 1");
    // Monday 2025-01-06 08:30 after Sunday.
    assert_eq!(
        next("30 8 * * 1", &paris(2025, 1, 5, 12, 0)),
        paris(2025, 1, 6, 8, 30)
    );
    assert_eq!(
        next("*/15 9-10 * * mon-fri", &paris(2025, 1, 6, 9, 50)),
        paris(2025, 1, 6, 10, 0)
    );
    assert_eq!(
        next("0 12 1,15 * *", &paris(2025, 1, 2, 0, 0)),
        paris(2025, 1, 15, 12, 0)
    );
    assert_eq!(
        next("0 0 1 JAN *", &paris(2025, 6, 1, 0, 0)),
        paris(2026, 1, 1, 0, 0)
    );
    assert_eq!(
        next("@weekly", &paris(2025, 1, 6, 0, 0)),
        paris(2025, 1, 12, 0, 0)
    );
    assert_eq!(
        next("10-50/20 * * * *", &paris(2025, 1, 6, 9, 31)),
        paris(2025, 1, 6, 9, 50)
    );
    assert_eq!(
        next("5/30 * * * *", &paris(2025, 1, 6, 9, 6)),
        paris(2025, 1, 6, 9, 35)
    );
}

#[test]
fn sunday_is_zero_and_seven() {
    let saturday = paris(2025, 1, 4, 12, 0);
    assert_eq!(next("0 9 * * 0", &saturday), paris(2025, 1, 5, 9, 0));
    assert_eq!(next("0 9 * * 7", &saturday), paris(2025, 1, 5, 9, 0));
    assert_eq!(next("0 9 * * sun", &saturday), paris(2025, 1, 5, 9, 0));
}

#[test]
fn either_day_field_matches_when_both_are_restricted() {
    // The 13th, or any Friday (Vixie cron).
    let s = CronSchedule::parse("0 9 13 * 5").unwrap();
    let firings: Vec<Zoned> = s.iter_after(&paris(2025, 1, 1, 0, 0)).take(3).collect();
    assert_eq!(
        firings,
        [
            paris(2025, 1, 3, 9, 0),
            paris(2025, 1, 10, 9, 0),
            paris(2025, 1, 13, 9, 0)
        ]
    );
}

#[test]
fn month_ends_leap_years_and_impossible_dates() {
    assert_eq!(
        next("0 0 29 2 *", &paris(2025, 3, 1, 0, 0)),
        paris(2028, 2, 29, 0, 0)
    );
    assert_eq!(
        next("0 0 31 * *", &paris(2025, 4, 1, 0, 0)),
        paris(2025, 5, 31, 0, 0)
    );
    // A schedule that can never fire is refused where it is written.
    for never in ["0 0 30 2 *", "0 9 31 2 *", "0 9 31 4,6,9,11 *"] {
        let refused = CronSchedule::parse(never).expect_err(never);
        assert!(
            refused.message.contains("never fires"),
            "{never}: {refused:?}"
        );
        assert_eq!(
            (refused.start, refused.end),
            (4, 4 + never.split(' ').nth(2).map_or(0, str::len))
        );
    }
    // With a weekday named too, either day may match (Vixie): it fires.
    assert!(CronSchedule::parse("0 9 31 2 1").is_ok());
}

#[test]
fn numbers_are_digits_only() {
    for bad in ["+5 * * * *", "0 +9 * * *", "0 9 * * 1/+2", "0 9 -1 * *"] {
        assert!(CronSchedule::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_same_local_time_in_winter_and_summer() {
    let s = CronSchedule::parse("0 9 * * *").unwrap();
    let winter = s.next_after(&paris(2025, 1, 15, 0, 0)).unwrap();
    let summer = s.next_after(&paris(2025, 7, 15, 0, 0)).unwrap();
    assert_eq!(winter.timestamp().to_string(), "2025-01-15T08:00:00Z");
    assert_eq!(summer.timestamp().to_string(), "2025-07-15T07:00:00Z");
}

#[test]
fn a_time_skipped_in_spring_fires_once_after_the_jump() {
    // 2025-03-30: Paris jumps from 02:00 to 03:00.
    let s = CronSchedule::parse("30 2 * * *").unwrap();
    let day = s.next_after(&paris(2025, 3, 30, 0, 0)).unwrap();
    assert_eq!(day.timestamp().to_string(), "2025-03-30T01:30:00Z");
    assert_eq!((day.hour(), day.minute()), (3, 30));
    assert_eq!(s.next_after(&day).unwrap(), paris(2025, 3, 31, 2, 30));
    // Every half hour: 01:30, then 03:00 (02:00 lands there too, once), 03:30.
    let every = CronSchedule::parse("*/30 * * * *").unwrap();
    let firings: Vec<String> = every
        .iter_after(&paris(2025, 3, 30, 1, 0))
        .take(3)
        .map(|z| z.timestamp().to_string())
        .collect();
    assert_eq!(
        firings,
        [
            "2025-03-30T00:30:00Z",
            "2025-03-30T01:00:00Z",
            "2025-03-30T01:30:00Z"
        ]
    );
}

#[test]
fn a_time_repeated_in_autumn_fires_once() {
    // 2025-10-26: Paris goes from 03:00 back to 02:00; 02:30 happens twice.
    let s = CronSchedule::parse("30 2 * * *").unwrap();
    let firings: Vec<String> = s
        .iter_after(&paris(2025, 10, 26, 0, 0))
        .take(2)
        .map(|z| z.timestamp().to_string())
        .collect();
    assert_eq!(firings, ["2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"]);
    // Wildcards too: each wall-clock half hour once, the first time.
    let every = CronSchedule::parse("*/30 * * * *").unwrap();
    let firings: Vec<String> = every
        .iter_after(&paris(2025, 10, 26, 1, 45))
        .take(4)
        .map(|z| z.timestamp().to_string())
        .collect();
    assert_eq!(
        firings,
        [
            "2025-10-26T00:00:00Z",
            "2025-10-26T00:30:00Z",
            "2025-10-26T02:00:00Z",
            "2025-10-26T02:30:00Z"
        ]
    );
}

#[test]
fn mistakes_name_the_field_and_point_at_it() {
    let cases: [(&str, Option<Field>, usize, usize, &str); 9] = [
        (
            "60 * * * *",
            Some(Field::Minute),
            0,
            2,
            "60 is outside 0 to 59",
        ),
        (
            "0 24 * * *",
            Some(Field::Hour),
            2,
            4,
            "24 is outside 0 to 23",
        ),
        ("0 9 * * 1-", Some(Field::DayOfWeek), 8, 10, "not a number"),
        ("*/0 * * * *", Some(Field::Minute), 0, 3, "a step of 0"),
        (
            "0 9 5-1 * *",
            Some(Field::DayOfMonth),
            4,
            7,
            "runs backwards",
        ),
        ("0 9 * foo *", Some(Field::Month), 6, 9, "jan, feb"),
        ("0 0 9 * * 1", None, 0, 11, "seconds"),
        ("", None, 0, 0, "not 0"),
        (
            "0 9 * * 1,,2",
            Some(Field::DayOfWeek),
            10,
            11,
            "empty value",
        ),
    ];
    for (text, field, start, end, words) in cases {
        let e = CronSchedule::parse(text).unwrap_err();
        assert_eq!(
            (e.field, e.start, e.end),
            (field, start, end),
            "{text}: {e}"
        );
        assert!(e.to_string().contains(words), "{text}: {e}");
    }
    let e = CronSchedule::parse("0 9 * * é").unwrap_err();
    assert_eq!((e.start, e.end), (8, 9), "offsets count characters");
    assert!(CronSchedule::parse("99999999999999999999 * * * *").is_err());
}

fn expression() -> impl Strategy<Value = String> {
    let field = |max: u32, min: u32| {
        prop_oneof![
            Just("*".to_owned()),
            (min..=max).prop_map(|v| v.to_string()),
            (min..=max, 1..=max.max(1)).prop_map(move |(a, step)| format!("{a}/{step}")),
            (min..=max, min..=max).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b))),
            (1..=max.max(1)).prop_map(|s| format!("*/{s}")),
        ]
    };
    (
        field(59, 0),
        field(23, 0),
        field(28, 1),
        field(12, 1),
        field(7, 0),
    )
        .prop_map(|(a, b, c, d, e)| format!("{a} {b} {c} {d} {e}"))
}

proptest! {
    #[test]
    fn firings_match_and_strictly_increase(expr in expression(), days in 0i64..3000, minute in 0i64..1440) {
        let s = CronSchedule::parse(&expr).unwrap();
        let start = paris(2024, 1, 1, 0, 0)
            .checked_add(days.days()).unwrap()
            .checked_add(minute.minutes()).unwrap();
        let mut previous = start.clone();
        let mut walls = std::collections::BTreeSet::new();
        for firing in s.iter_after(&start).take(5) {
            prop_assert!(firing.timestamp() > previous.timestamp());
            // Either the wall-clock time matches, or it is the shifted image
            // of a time skipped by the spring jump.
            let fields_match = s.matches_date(firing.date())
                && s.times().any(|(h, m)| (h, m) == (firing.hour(), firing.minute()));
            let shifted = firing.time_zone().to_offset_info(firing.timestamp()).dst().is_dst()
                && s.matches_date(firing.date())
                && s.times().any(|(h, m)| (h + 1, m) == (firing.hour(), firing.minute()));
            prop_assert!(fields_match || shifted, "{expr}: {firing}");
            prop_assert!(walls.insert(firing.datetime()), "{expr}: {firing} twice");
            previous = firing;
        }
    }
}
