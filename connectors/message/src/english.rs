//! Dates in English, for recipients who read English: "Thursday 12 June
//! 2025 at 9:00 am" (British order, as in the rest of Europe).

use jiff::civil::{Date, Time};
use jiff::Zoned;

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn english_date(date: Date) -> String {
    let day = DAYS[date.weekday().to_monday_zero_offset() as usize];
    let month = MONTHS[(date.month() - 1) as usize];
    format!("{day} {} {month} {}", date.day(), date.year())
}

/// `9:00 am`, `12:30 pm`, `5:30 pm`.
pub fn english_time(time: Time) -> String {
    let hour = time.hour();
    let (twelve, half) = match hour {
        0 => (12, "am"),
        1..=11 => (hour, "am"),
        12 => (12, "pm"),
        _ => (hour - 12, "pm"),
    };
    format!("{twelve}:{:02} {half}", time.minute())
}

/// The wall-clock date and time in the zone the value carries.
pub fn english_date_time(at: &Zoned) -> String {
    format!("{} at {}", english_date(at.date()), english_time(at.time()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_read_as_in_english() {
        assert_eq!(english_date(date(2025, 6, 12)), "Thursday 12 June 2025");
        assert_eq!(english_date(date(2025, 11, 1)), "Saturday 1 November 2025");
        assert_eq!(english_time(Time::constant(9, 0, 0, 0)), "9:00 am");
        assert_eq!(english_time(Time::constant(12, 30, 0, 0)), "12:30 pm");
        assert_eq!(english_time(Time::constant(17, 5, 0, 0)), "5:05 pm");
        assert_eq!(english_time(Time::constant(0, 15, 0, 0)), "12:15 am");
    }

    #[test]
    fn wall_clock_time_in_paris() {
        let summer: jiff::Timestamp = "2025-06-12T07:00:00Z".parse().unwrap();
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(
            english_date_time(&summer.to_zoned(paris)),
            "Thursday 12 June 2025 at 9:00 am"
        );
    }
}
