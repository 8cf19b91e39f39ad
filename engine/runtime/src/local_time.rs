//! Instants as people write and read them: in the edition's time zone.

use jalon_definition::resolved::Edition;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// `2025-01-09 10:00` (or `2025-01-09T10:00`, or a bare date, which jiff
/// reads as its midnight) in `zone`; `None` when the text is none of these.
/// The one parser of `--at` and of simulation scripts.
pub fn parse(zone: &TimeZone, text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let parsed = text
        .parse::<DateTime>()
        .or_else(|_| text.replace(' ', "T").parse::<DateTime>())
        .ok()?;
    Some(jalon_core::time::local(zone, parsed.date(), parsed.time()))
}

/// `lun. 25/11/2024 09:00`: short, sortable by eye, in the edition's zone.
pub fn short(edition: &Edition, at: Timestamp) -> String {
    const DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
    let local = at.to_zoned(edition.time_zone.clone());
    let day = DAYS[local.weekday().to_monday_zero_offset() as usize];
    format!("{day} {}", local.strftime("%d/%m/%Y %H:%M"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_dates_and_nonsense() {
        let paris = TimeZone::get("Europe/Paris").expect("the zone");
        let winter = parse(&paris, "2025-01-09 10:00").expect("parsed");
        assert_eq!(winter.to_string(), "2025-01-09T09:00:00Z");
        assert_eq!(parse(&paris, " 2025-01-09T10:00 "), Some(winter));
        let summer = parse(&paris, "2025-07-09").expect("a date");
        assert_eq!(summer.to_string(), "2025-07-08T22:00:00Z");
        for bad in ["", "tomorrow", "2025-13-01", "09/01/2025 10:00"] {
            assert_eq!(parse(&paris, bad), None, "{bad}");
        }
    }
}
