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
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", text(&invite.uid)));
    out.line(&format!("DTSTAMP:{}", utc(stamp)));
    out.line(&format!("SEQUENCE:{}", invite.sequence));
    out.line(&format!("DTSTART:{}", utc(invite.start.timestamp())));
    out.line(&format!("DTEND:{}", utc(invite.end.timestamp())));
    if invite.days > 1 {
        out.line(&format!("RRULE:FREQ=DAILY;COUNT={}", invite.days));
    }
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
    out.line("END:VEVENT");
    out.line("END:VCALENDAR");
    out.text
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
}
