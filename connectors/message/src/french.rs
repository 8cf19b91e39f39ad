//! Dates the French way, as a laureate reads them: « jeudi 12 juin 2025 à
//! 9 h 00 » (with no-break spaces), « samedi 1er novembre 2025 ».

use jiff::civil::{Date, Time};
use jiff::Zoned;

const DAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
/// The months' names, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

pub fn french_date(date: Date) -> String {
    let day = DAYS[date.weekday().to_monday_zero_offset() as usize];
    let month = MONTHS[(date.month() - 1) as usize];
    let number = match date.day() {
        1 => "1er".to_owned(),
        n => n.to_string(),
    };
    format!("{day} {number} {month} {}", date.year())
}

/// « 9 h 05 »: the hour without a leading zero, joined to `h` and the
/// minutes by no-break spaces, so that a time never breaks across lines.
pub fn french_time(time: Time) -> String {
    format!("{}\u{a0}h\u{a0}{:02}", time.hour(), time.minute())
}

/// The wall-clock date and time in the zone the value carries.
pub fn french_date_time(at: &Zoned) -> String {
    format!("{} à {}", french_date(at.date()), french_time(at.time()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_read_as_in_french() {
        assert_eq!(french_date(date(2025, 6, 12)), "jeudi 12 juin 2025");
        assert_eq!(french_date(date(2025, 11, 1)), "samedi 1er novembre 2025");
        assert_eq!(french_date(date(2025, 8, 15)), "vendredi 15 août 2025");
        assert_eq!(french_date(date(2024, 12, 25)), "mercredi 25 décembre 2024");
        assert_eq!(french_time(Time::constant(9, 5, 0, 0)), "9\u{a0}h\u{a0}05");
        assert_eq!(
            french_time(Time::constant(14, 30, 0, 0)),
            "14\u{a0}h\u{a0}30"
        );
    }

    #[test]
    fn wall_clock_time_in_paris_winter_and_summer() {
        let winter: jiff::Timestamp = "2025-01-15T08:00:00Z".parse().unwrap();
        let summer: jiff::Timestamp = "2025-07-15T07:00:00Z".parse().unwrap();
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(
            french_date_time(&winter.to_zoned(paris.clone())),
            "mercredi 15 janvier 2025 à 9\u{a0}h\u{a0}00"
        );
        assert_eq!(
            french_date_time(&summer.to_zoned(paris)),
            "mardi 15 juillet 2025 à 9\u{a0}h\u{a0}00"
        );
    }
}
