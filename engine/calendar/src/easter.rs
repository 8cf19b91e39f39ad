//! Easter Sunday, the anchor of every movable French holiday.

use jiff::civil::Date;

/// Returns Easter Sunday of `year` with the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher).
///
/// The result is historically meaningful for 1583..=9999; earlier years get
/// the proleptic Gregorian answer.
///
/// # Panics
///
/// Panics when `year` is outside jiff's range (-9999..=9999), because no
/// `Date` can represent the answer. Use [`checked_easter_sunday`] to avoid it.
pub fn easter_sunday(year: i16) -> Date {
    match checked_easter_sunday(year) {
        Some(date) => date,
        None => panic!("year {year} is outside the range -9999..=9999 supported by jiff"),
    }
}

/// Non-panicking [`easter_sunday`]: `None` when `year` has no `Date`.
pub fn checked_easter_sunday(year: i16) -> Option<Date> {
    let (month, day) = computus(i32::from(year));
    Date::new(year, month, day).ok()
}

/// Returns (month, day) of Easter Sunday.
///
/// Euclidean division keeps every intermediate value non-negative, so the
/// result is always between 22 March and 25 April, even for negative years.
fn computus(year: i32) -> (i8, i8) {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    // n is in 107..=148, so both values fit comfortably in an i8.
    ((n / 31) as i8, (n % 31 + 1) as i8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, Weekday};

    #[test]
    fn known_easter_sundays() {
        let known = [
            date(2000, 4, 23),
            date(2019, 4, 21),
            date(2020, 4, 12),
            date(2021, 4, 4),
            date(2022, 4, 17),
            date(2023, 4, 9),
            date(2024, 3, 31),
            date(2025, 4, 20),
            date(2026, 4, 5),
            date(2038, 4, 25),
            date(2285, 3, 22),
            date(1583, 4, 10),
            date(1818, 3, 22),
            date(1943, 4, 25),
            date(9999, 3, 28),
        ];
        for expected in known {
            assert_eq!(easter_sunday(expected.year()), expected);
        }
    }

    #[test]
    fn every_representable_year_gets_a_sunday_between_march_22_and_april_25() {
        for year in -9999..=9999 {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sunday, "{year}");
            assert!(easter >= date(year, 3, 22) && easter <= date(year, 4, 25));
        }
    }

    #[test]
    fn unrepresentable_years_have_no_easter() {
        assert_eq!(checked_easter_sunday(10_000), None);
        assert_eq!(checked_easter_sunday(-10_000), None);
        assert_eq!(checked_easter_sunday(i16::MAX), None);
    }

    #[test]
    #[should_panic(expected = "outside the range")]
    fn easter_sunday_panics_beyond_jiff() {
        easter_sunday(10_000);
    }
}
