//! iCalendar (RFC 5545): an invite (METHOD:REQUEST) for one seminar, and a
//! calendar of a whole plan. Written by hand: a handful of properties, with
//! the two rules calendars are strict about — TEXT escaping and folding of
//! long lines at 75 octets on character boundaries.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan, Zoned};

use crate::email::{Invite, Mailbox};

pub struct CalendarEntry {
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub when: EntryTime,
}

pub enum EntryTime {
    /// Whole days, `first` to `last` inclusive.
    AllDay {
        first: Date,
        last: Date,
    },
    Timed {
        start: Zoned,
        end: Zoned,
    },
}

const PRODID: &str = "-//Jalon//Jalon workflow engine//FR";

/// How often a series repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    Days(u32),
    Weeks(u32),
    Months(u32),
}

/// Several sessions sent as one event: a repeat rule (RRULE with COUNT)
/// from the invite's start, and the sessions held on another day than the
/// rule's as exceptions (same UID, RECURRENCE-ID of the rule's day).
#[derive(Clone, Debug)]
pub struct Series {
    pub every: Every,
    /// Sessions in all, moved ones included.
    pub count: u32,
    pub moved: Vec<MovedSession>,
}

/// A session held on another day than its rule gives.
#[derive(Clone, Debug)]
pub struct MovedSession {
    /// Its start by the rule: the instance it replaces.
    pub planned: Zoned,
    pub start: Zoned,
    pub end: Zoned,
}

pub fn invite_ics(invite: &Invite, stamp: Timestamp) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line(&format!("PRODID:{PRODID}"));
    out.line("CALSCALE:GREGORIAN");
    out.line(if invite.cancelled {
        "METHOD:CANCEL"
    } else {
        "METHOD:REQUEST"
    });
    // A series repeats in local time (09:00 stays 09:00 across summer
    // time), so its times name the zone, which the calendar describes.
    let zone = invite
        .series
        .as_ref()
        .and_then(|series| vtimezone(&mut out, invite, series));
    let when = |at: &Zoned| match &zone {
        Some(name) => format!(";TZID={name}:{}", at.strftime("%Y%m%dT%H%M%S")),
        None => format!(":{}", utc(at.timestamp())),
    };
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", text(&invite.uid)));
    out.line(&format!("DTSTAMP:{}", utc(stamp)));
    out.line(&format!("SEQUENCE:{}", invite.sequence));
    out.line(&format!("DTSTART{}", when(&invite.start)));
    out.line(&format!("DTEND{}", when(&invite.end)));
    match &invite.series {
        Some(series) => out.line(&format!("RRULE:{}", rrule(series, &invite.start))),
        None if invite.days > 1 => {
            out.line(&format!("RRULE:FREQ=DAILY;COUNT={}", invite.days));
        }
        None => {}
    }
    described(&mut out, invite);
    out.line("END:VEVENT");
    // Cancelling the UID cancels every session; moves matter only to
    // calendars that keep the series.
    let moved = invite.series.as_ref().map(|s| s.moved.as_slice());
    for session in moved
        .unwrap_or_default()
        .iter()
        .filter(|_| !invite.cancelled)
    {
        out.line("BEGIN:VEVENT");
        out.line(&format!("UID:{}", text(&invite.uid)));
        out.line(&format!("DTSTAMP:{}", utc(stamp)));
        out.line(&format!("SEQUENCE:{}", invite.sequence));
        out.line(&format!("RECURRENCE-ID{}", when(&session.planned)));
        out.line(&format!("DTSTART{}", when(&session.start)));
        out.line(&format!("DTEND{}", when(&session.end)));
        described(&mut out, invite);
        out.line("END:VEVENT");
    }
    out.line("END:VCALENDAR");
    out.text
}

/// What, where, who and the status: the same in every part of a series.
fn described(out: &mut Lines, invite: &Invite) {
    out.line(&format!("SUMMARY:{}", text(&invite.summary)));
    if let Some(description) = &invite.description {
        out.line(&format!("DESCRIPTION:{}", text(description)));
    }
    if let Some(location) = &invite.location {
        out.line(&format!("LOCATION:{}", text(location)));
    }
    out.line(&format!("ORGANIZER;{}", address(&invite.organizer)));
    for attendee in &invite.attendees {
        out.line(&format!(
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;{}",
            address(attendee)
        ));
    }
    out.line(if invite.cancelled {
        "STATUS:CANCELLED"
    } else {
        "STATUS:CONFIRMED"
    });
}

/// The repeat rule. Months keep the day of the month or take the month's
/// last day (31 January, 28 February, 31 March): past the 28th, plain
/// `BYMONTHDAY` would skip the short months, so the rule takes the last of
/// the days up to it that the month has.
fn rrule(series: &Series, start: &Zoned) -> String {
    let (freq, interval) = match series.every {
        Every::Days(n) => ("DAILY", n),
        Every::Weeks(n) => ("WEEKLY", n),
        Every::Months(n) => ("MONTHLY", n),
    };
    let mut rule = format!("FREQ={freq};INTERVAL={interval};COUNT={}", series.count);
    let day = start.day();
    if matches!(series.every, Every::Months(_)) && day > 28 {
        let days: Vec<String> = (28..=day).map(|d| d.to_string()).collect();
        rule.push_str(&format!(";BYMONTHDAY={};BYSETPOS=-1", days.join(",")));
    }
    rule
}

/// The zone of a series' times, with every change of offset from its first
/// session to its last; `None` (times in UTC) for a zone without a name.
fn vtimezone(out: &mut Lines, invite: &Invite, series: &Series) -> Option<String> {
    let tz = invite.start.time_zone();
    let name = tz.iana_name()?.to_owned();
    let steps = series.count.saturating_sub(1);
    let span = match series.every {
        Every::Days(n) => jiff::Span::new().try_days(i64::from(n) * i64::from(steps)),
        Every::Weeks(n) => jiff::Span::new().try_weeks(i64::from(n) * i64::from(steps)),
        Every::Months(n) => jiff::Span::new().try_months(i64::from(n) * i64::from(steps)),
    }
    .ok()?;
    let last = invite.end.checked_add(span).ok()?.timestamp();
    let last = series
        .moved
        .iter()
        .map(|m| m.end.timestamp())
        .fold(last, Timestamp::max);
    let from = invite.start.timestamp();
    let in_force = tz
        .preceding(from.checked_add(1.second()).ok()?)
        .next()
        .map(|t| {
            (
                t.timestamp(),
                t.offset(),
                t.dst().is_dst(),
                t.abbreviation().to_owned(),
            )
        });
    let changes = tz
        .following(from)
        .take_while(|t| t.timestamp() <= last)
        .map(|t| {
            (
                t.timestamp(),
                t.offset(),
                t.dst().is_dst(),
                t.abbreviation().to_owned(),
            )
        });
    let observances: Vec<_> = in_force.into_iter().chain(changes).collect();
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{name}"));
    if observances.is_empty() {
        // A zone that never changed: one observance since 1970.
        let offset = tz.to_offset(from);
        out.line("BEGIN:STANDARD");
        out.line("DTSTART:19700101T000000");
        out.line(&format!("TZOFFSETFROM:{}", utc_offset(offset)));
        out.line(&format!("TZOFFSETTO:{}", utc_offset(offset)));
        out.line("END:STANDARD");
    }
    for (at, offset, dst, abbreviation) in observances {
        let before = tz.to_offset(at.checked_sub(1.second()).unwrap_or(at));
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        let onset = at.to_zoned(jiff::tz::TimeZone::fixed(before));
        out.line(&format!("BEGIN:{kind}"));
        out.line(&format!("DTSTART:{}", onset.strftime("%Y%m%dT%H%M%S")));
        out.line(&format!("TZOFFSETFROM:{}", utc_offset(before)));
        out.line(&format!("TZOFFSETTO:{}", utc_offset(offset)));
        if !abbreviation.is_empty() {
            out.line(&format!("TZNAME:{}", text(&abbreviation)));
        }
        out.line(&format!("END:{kind}"));
    }
    out.line("END:VTIMEZONE");
    Some(name)
}

/// `+0100`, `-0330`.
fn utc_offset(offset: jiff::tz::Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

pub fn calendar_ics(name: &str, entries: &[CalendarEntry], stamp: Timestamp) -> String {
    let mut out = Lines::default();
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line(&format!("PRODID:{PRODID}"));
    out.line("CALSCALE:GREGORIAN");
    out.line(&format!("X-WR-CALNAME:{}", text(name)));
    for entry in entries {
        out.line("BEGIN:VEVENT");
        out.line(&format!("UID:{}", text(&entry.uid)));
        out.line(&format!("DTSTAMP:{}", utc(stamp)));
        match &entry.when {
            EntryTime::AllDay { first, last } => {
                let end = last.checked_add(1.day()).unwrap_or(*last);
                out.line(&format!("DTSTART;VALUE=DATE:{}", first.strftime("%Y%m%d")));
                out.line(&format!("DTEND;VALUE=DATE:{}", end.strftime("%Y%m%d")));
                out.line("TRANSP:TRANSPARENT");
            }
            EntryTime::Timed { start, end } => {
                out.line(&format!("DTSTART:{}", utc(start.timestamp())));
                out.line(&format!("DTEND:{}", utc(end.timestamp())));
            }
        }
        out.line(&format!("SUMMARY:{}", text(&entry.summary)));
        if let Some(description) = &entry.description {
            out.line(&format!("DESCRIPTION:{}", text(description)));
        }
        if let Some(location) = &entry.location {
            out.line(&format!("LOCATION:{}", text(location)));
        }
        out.line("END:VEVENT");
    }
    out.line("END:VCALENDAR");
    out.text
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn address(mailbox: &Mailbox) -> String {
    let name = mailbox.name.replace('"', "'");
    format!("CN=\"{name}\":mailto:{}", mailbox.email)
}

/// RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines folded at 75 octets, never inside a UTF-8 character.
#[derive(Default)]
struct Lines {
    text: String,
}

impl Lines {
    fn line(&mut self, content: &str) {
        let mut width = 0;
        for c in content.chars() {
            let len = c.len_utf8();
            if width + len > 75 {
                self.text.push_str("\r\n ");
                width = 1;
            }
            self.text.push(c);
            width += len;
        }
        self.text.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn paris(y: i16, m: i8, d: i8, h: i8, min: i8) -> Zoned {
        date(y, m, d)
            .at(h, min, 0, 0)
            .in_tz("Europe/Paris")
            .unwrap()
    }

    fn invite() -> Invite {
        Invite {
            uid: "2024-2025.lancement.lancement@jalon.invalid".into(),
            sequence: 2,
            summary:
                "Séminaire de lancement des lauréats, avec les directions métiers; accueil café"
                    .repeat(2),
            description: Some("Deux journées,\nfeuille de route".into()),
            location: Some("Hôtel du Département, Cergy-Pontoise".into()),
            start: paris(2024, 11, 25, 9, 30),
            end: paris(2024, 11, 25, 17, 30),
            days: 2,
            cancelled: false,
            series: None,
            organizer: Mailbox {
                name: "Serge Dobel".into(),
                email: "serge.dobel@example.org".into(),
            },
            attendees: vec![Mailbox {
                name: "Équipe Atchoum".into(),
                email: "atchoum@example.org".into(),
            }],
        }
    }

    #[test]
    fn lines_are_folded_on_character_boundaries() {
        let ics = invite_ics(&invite(), Timestamp::UNIX_EPOCH);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn an_independent_parser_reads_the_invite() {
        let ics = invite_ics(&invite(), Timestamp::UNIX_EPOCH);
        let mut reader = ical::IcalParser::new(ics.as_bytes());
        let calendar = reader.next().expect("one calendar").expect("parses");
        let method = calendar
            .properties
            .iter()
            .find(|p| p.name == "METHOD")
            .unwrap();
        assert_eq!(method.value.as_deref(), Some("REQUEST"));
        let event = &calendar.events[0];
        let get = |name: &str| {
            event
                .properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .unwrap_or_default()
        };
        assert_eq!(get("UID"), "2024-2025.lancement.lancement@jalon.invalid");
        assert_eq!(get("SEQUENCE"), "2");
        // 09:30 in Paris in November is 08:30 UTC.
        assert_eq!(get("DTSTART"), "20241125T083000Z");
        // Two days of 09:30–17:30, not one event across the night.
        assert_eq!(get("DTEND"), "20241125T163000Z");
        assert_eq!(get("RRULE"), "FREQ=DAILY;COUNT=2");
        // Unfolded, the long accented summary is whole again (escapes kept).
        assert_eq!(get("SUMMARY"), text(&invite().summary));
        assert_eq!(get("LOCATION"), "Hôtel du Département\\, Cergy-Pontoise");
    }

    #[test]
    fn a_cancelled_invite_says_so_to_an_independent_parser() {
        let cancelled = Invite {
            cancelled: true,
            sequence: 3,
            ..invite()
        };
        let ics = invite_ics(&cancelled, Timestamp::UNIX_EPOCH);
        let calendar = ical::IcalParser::new(ics.as_bytes())
            .next()
            .expect("one calendar")
            .expect("parses");
        let value = |properties: &[ical::property::Property], name: &str| {
            properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .unwrap_or_default()
        };
        assert_eq!(value(&calendar.properties, "METHOD"), "CANCEL");
        let event = &calendar.events[0].properties;
        assert_eq!(value(event, "STATUS"), "CANCELLED");
        assert_eq!(value(event, "SEQUENCE"), "3");
        assert_eq!(value(event, "UID"), invite().uid);
    }

    #[test]
    fn a_one_day_event_does_not_repeat() {
        let one = Invite {
            days: 1,
            ..invite()
        };
        assert!(!invite_ics(&one, Timestamp::UNIX_EPOCH).contains("RRULE"));
    }

    #[test]
    fn all_day_entries_end_the_day_after() {
        let ics = calendar_ics(
            "Plan",
            &[CalendarEntry {
                uid: "a@b".into(),
                summary: "Feuille de route".into(),
                description: None,
                location: None,
                when: EntryTime::AllDay {
                    first: date(2024, 11, 27),
                    last: date(2025, 1, 10),
                },
            }],
            Timestamp::UNIX_EPOCH,
        );
        assert!(ics.contains("DTSTART;VALUE=DATE:20241127\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20250111\r\n"));
    }

    /// A day of 2025 as (month, day).
    type Day = (i8, i8);

    fn series_invite(first: Day, count: u32, moved: &[(Day, Day)]) -> Invite {
        let at = |(m, d): Day, h: i8| paris(2025, m, d, h, 30);
        Invite {
            start: at(first, 9),
            end: at(first, 12),
            days: 1,
            series: Some(Series {
                every: Every::Months(1),
                count,
                moved: moved
                    .iter()
                    .map(|&(planned, held)| MovedSession {
                        planned: at(planned, 9),
                        start: at(held, 9),
                        end: at(held, 12),
                    })
                    .collect(),
            }),
            ..invite()
        }
    }

    fn property(properties: &[ical::property::Property], name: &str) -> ical::property::Property {
        properties
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}"))
    }

    /// Local date-times of a `;TZID=Europe/Paris:` value.
    fn local(property: &ical::property::Property) -> jiff::civil::DateTime {
        let tzid = property
            .params
            .iter()
            .flatten()
            .find(|(k, _)| k == "TZID")
            .map(|(_, v)| v.join(","));
        assert_eq!(tzid.as_deref(), Some("Europe/Paris"), "{property:?}");
        jiff::civil::DateTime::strptime("%Y%m%dT%H%M%S", property.value.as_deref().unwrap_or(""))
            .expect("a local date-time")
    }

    /// RFC 5545's monthly rule, read independently: each month from the
    /// start's, the start's day, or with `BYMONTHDAY`/`BYSETPOS=-1` the
    /// last listed day the month has; months without the day are skipped.
    fn expand_monthly(rule: &str, start: jiff::civil::DateTime) -> Vec<jiff::civil::DateTime> {
        let parts: std::collections::BTreeMap<&str, &str> = rule
            .split(';')
            .filter_map(|part| part.split_once('='))
            .collect();
        assert_eq!(parts["FREQ"], "MONTHLY");
        let interval: i64 = parts
            .get("INTERVAL")
            .map_or(1, |i| i.parse().expect("interval"));
        let count: usize = parts["COUNT"].parse().expect("count");
        let days: Vec<i8> = match parts.get("BYMONTHDAY") {
            Some(list) => {
                assert_eq!(parts.get("BYSETPOS"), Some(&"-1"));
                list.split(',').map(|d| d.parse().expect("day")).collect()
            }
            None => vec![start.day()],
        };
        let mut out = Vec::new();
        let mut k = 0;
        while out.len() < count {
            let month = start
                .date()
                .first_of_month()
                .checked_add((k * interval).months())
                .expect("month");
            k += 1;
            let fitting = days.iter().filter(|&&d| d <= month.days_in_month()).max();
            if let Some(&day) = fitting {
                out.push(
                    month
                        .with()
                        .day(day)
                        .build()
                        .expect("day")
                        .to_datetime(start.time()),
                );
            }
        }
        out
    }

    #[test]
    fn a_series_reads_back_as_its_sessions_with_the_moved_ones_as_exceptions() {
        // Monthly from Wednesday 8 January 2025 at 09:30: 8 February and
        // 8 March are Saturdays, 8 May is a holiday (Victoire 1945), 8 June
        // a Sunday, each held on the next working day.
        let moved = [
            ((2, 8), (2, 10)),
            ((3, 8), (3, 10)),
            ((5, 8), (5, 9)),
            ((6, 8), (6, 9)),
        ];
        let ics = invite_ics(&series_invite((1, 8), 6, &moved), Timestamp::UNIX_EPOCH);
        let calendar = ical::IcalParser::new(ics.as_bytes())
            .next()
            .expect("one calendar")
            .expect("parses");
        // The zone, with summer time from 30 March 02:00.
        let zone = &calendar.timezones[0];
        assert_eq!(
            property(&zone.properties, "TZID").value.as_deref(),
            Some("Europe/Paris")
        );
        let summer = zone
            .transitions
            .iter()
            .find(|t| property(&t.properties, "TZOFFSETTO").value.as_deref() == Some("+0200"))
            .expect("summer time");
        assert_eq!(
            property(&summer.properties, "DTSTART").value.as_deref(),
            Some("20250330T020000")
        );
        let (master, exceptions): (Vec<_>, Vec<_>) = calendar
            .events
            .iter()
            .partition(|e| e.properties.iter().all(|p| p.name != "RECURRENCE-ID"));
        assert_eq!(master.len(), 1);
        let uid = property(&master[0].properties, "UID").value;
        let start = local(&property(&master[0].properties, "DTSTART"));
        let rule = property(&master[0].properties, "RRULE")
            .value
            .expect("a rule");
        let mut sessions = expand_monthly(&rule, start);
        for exception in &exceptions {
            assert_eq!(property(&exception.properties, "UID").value, uid);
            let replaced = local(&property(&exception.properties, "RECURRENCE-ID"));
            let slot = sessions
                .iter()
                .position(|s| *s == replaced)
                .expect("an instance of the rule");
            sessions[slot] = local(&property(&exception.properties, "DTSTART"));
        }
        let held: Vec<String> = sessions
            .iter()
            .map(|s| s.strftime("%m-%d %H:%M").to_string())
            .collect();
        // 09:30 every time, summer or winter.
        assert_eq!(
            held,
            [
                "01-08 09:30",
                "02-10 09:30",
                "03-10 09:30",
                "04-08 09:30",
                "05-09 09:30",
                "06-09 09:30"
            ]
        );
    }

    #[test]
    fn a_monthly_series_past_the_28th_takes_the_last_day_of_short_months() {
        let ics = invite_ics(&series_invite((1, 31), 3, &[]), Timestamp::UNIX_EPOCH);
        let calendar = ical::IcalParser::new(ics.as_bytes())
            .next()
            .expect("one calendar")
            .expect("parses");
        let event = &calendar.events[0].properties;
        let rule = property(event, "RRULE").value.expect("a rule");
        let days: Vec<String> = expand_monthly(&rule, local(&property(event, "DTSTART")))
            .iter()
            .map(|s| s.strftime("%m-%d").to_string())
            .collect();
        assert_eq!(days, ["01-31", "02-28", "03-31"]);
    }

    #[test]
    fn a_cancelled_series_is_its_uid_alone() {
        let cancelled = Invite {
            cancelled: true,
            ..series_invite((1, 8), 6, &[((2, 8), (2, 10))])
        };
        let ics = invite_ics(&cancelled, Timestamp::UNIX_EPOCH);
        let calendar = ical::IcalParser::new(ics.as_bytes())
            .next()
            .expect("one calendar")
            .expect("parses");
        assert_eq!(
            calendar.events.len(),
            1,
            "no exception: the whole series goes"
        );
        assert!(ics.contains("RRULE:FREQ=MONTHLY;INTERVAL=1;COUNT=6\r\n"));
    }
}
