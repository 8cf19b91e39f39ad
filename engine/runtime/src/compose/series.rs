//! A repeating event in an invitation: its sessions for the stage as it
//! stands (postponed or not), in words for the email, and as one calendar
//! series for the attachment.

use jalon_core::State;
use jalon_definition::expr::{DayUnit, EventLength};
use jalon_definition::resolved::{Event, Language, Occurrence};
use jalon_message::{Every, MovedSession, Series};
use jiff::{ToSpan, Zoned};

use super::messages::date_in;
use crate::texts::{text, Args};

/// The sessions of event `k` of a stage, for the instance as it stands: a
/// postponement moves the whole series.
pub fn sessions(
    state: &State,
    stage: usize,
    participant: Option<usize>,
    k: usize,
) -> Vec<Occurrence> {
    let edition = state.edition();
    let definition = &edition.stages[stage];
    let shift = state
        .instance_of(stage, participant)
        .map_or_else(jiff::Span::new, |i| i.window.start - definition.start);
    definition.events[k].held(shift, edition.calendar_of(stage))
}

/// « tous les mois du jeudi 16 janvier au jeudi 19 juin 2025, 6 séances »;
/// `None` for a single event.
pub fn in_words(language: Language, event: &Event, sessions: &[Occurrence]) -> Option<String> {
    let every = event.every?;
    let (first, last) = (sessions.first()?.date, sessions.last()?.date);
    let mut from = date_in(language, first);
    // The year once, when both ends share it.
    if first.year() == last.year() {
        if let Some(short) = from.strip_suffix(&format!(" {}", first.year())) {
            from = short.to_owned();
        }
    }
    let unit = match every.unit {
        DayUnit::Months => "event-every-months",
        DayUnit::Weeks => "event-every-weeks",
        _ => "event-every-days",
    };
    let amount = usize::try_from(every.amount).unwrap_or(1);
    let every = text(language, unit, &Args::new().number("n", amount));
    Some(text(
        language,
        "event-series",
        &Args::new()
            .text("every", every)
            .text("first", from)
            .text("last", date_in(language, last))
            .number("count", sessions.len()),
    ))
}

/// The calendar series of a repeating event whose first session (by its
/// held day) starts at `start` and ends at `end`: the rule's first start
/// and end, and the series with its moved sessions. `None` for a single
/// event.
pub fn calendar(
    event: &Event,
    sessions: &[Occurrence],
    start: &Zoned,
    end: &Zoned,
) -> Option<(Zoned, Zoned, Series)> {
    let every = event.every?;
    let amount = u32::try_from(every.amount).ok()?;
    let every = match every.unit {
        DayUnit::Months => Every::Months(amount),
        DayUnit::Weeks => Every::Weeks(amount),
        _ => Every::Days(amount),
    };
    let at = |day: jiff::civil::Date| -> Option<(Zoned, Zoned)> {
        let begins = day
            .to_datetime(start.time())
            .to_zoned(start.time_zone().clone())
            .ok()?;
        let ends = match event.length {
            // A day's session ends at the day's end hour, as the first one.
            EventLength::Days(_) => day
                .to_datetime(end.time())
                .to_zoned(end.time_zone().clone())
                .ok()?,
            EventLength::Minutes(minutes) => {
                begins.checked_add(i64::from(minutes).minutes()).ok()?
            }
        };
        Some((begins, ends))
    };
    let (first_start, first_end) = at(sessions.first()?.planned)?;
    let moved = sessions
        .iter()
        .filter(|o| o.moved())
        .filter_map(|o| {
            let (planned, _) = at(o.planned)?;
            let (start, end) = at(o.date)?;
            Some(MovedSession {
                planned,
                start,
                end,
            })
        })
        .collect();
    let series = Series {
        every,
        count: u32::try_from(sessions.len()).ok()?,
        moved,
    };
    Some((first_start, first_end, series))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use jalon_core::{Action, Detail, MessageKind};
    use jalon_definition::Limits;
    use jalon_message::invite_ics;
    use jiff::civil::{date, Time};

    use super::*;
    use crate::compose::messages::{email, mailbox, render, templates, variables};

    /// The series fixture: a monthly club from 8 April 2025 whose sessions
    /// of 8 May, 8 June and 8 August are held on other days.
    fn state() -> State {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/series/series.yaml");
        let report = jalon_definition::check_paths(&[path], &Limits::default()).expect("readable");
        assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);
        let (_, edition) = report.editions.into_iter().next().expect("an edition");
        State::new(Arc::new(edition))
    }

    fn at(state: &State, day: jiff::civil::Date) -> jiff::Timestamp {
        jalon_core::time::local(&state.edition().time_zone, day, Time::constant(10, 0, 0, 0))
    }

    /// The club's invitations sent by `until`.
    fn club_invitations(state: &mut State, until: jiff::civil::Date) -> Vec<Action> {
        let until = at(state, until);
        let mut found = Vec::new();
        jalon_core::clock::deliver_until(state, until, |_, action| {
            if matches!(action.detail, Detail::Invitation { event: 0, .. }) {
                found.push(action.clone());
            }
        });
        found
    }

    /// The sessions the invite's calendar part shows: its rule's days (a
    /// monthly rule read here, independently), each exception's day in
    /// place of the one it replaces.
    fn calendar_days(ics: &str) -> Vec<jiff::civil::Date> {
        let calendar = ical::IcalParser::new(ics.as_bytes())
            .next()
            .expect("a calendar")
            .expect("parses");
        let value = |properties: &[ical::property::Property], name: &str| {
            properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .unwrap_or_default()
        };
        let day =
            |text: String| jiff::civil::Date::strptime("%Y%m%d", &text[..8]).expect("a local date");
        let master = &calendar.events[0].properties;
        let first = day(value(master, "DTSTART"));
        let rule = value(master, "RRULE");
        assert!(rule.starts_with("FREQ=MONTHLY;INTERVAL=1;"), "{rule}");
        let count: i64 = rule
            .rsplit("COUNT=")
            .next()
            .and_then(|c| c.parse().ok())
            .expect("a count");
        let mut days: Vec<_> = (0..count)
            .map(|k| {
                first
                    .checked_add(jiff::Span::new().months(k))
                    .expect("a day")
            })
            .collect();
        for exception in &calendar.events[1..] {
            let replaced = day(value(&exception.properties, "RECURRENCE-ID"));
            let slot = days
                .iter()
                .position(|d| *d == replaced)
                .expect("an instance");
            days[slot] = day(value(&exception.properties, "DTSTART"));
        }
        days
    }

    #[test]
    fn a_series_is_one_invitation_per_person_in_words_and_in_the_calendar() {
        let mut state = state();
        let invitations = club_invitations(&mut state, date(2025, 3, 4));
        // Two laureates and the coordinator: one invitation each, not one per session.
        assert_eq!(invitations.len(), 3);
        let invitation = &invitations[0];
        let vars = variables(&state, invitation, None);
        assert_eq!(
            vars["event_date"],
            "tous les mois du mardi 8 avril au lundi 8 septembre 2025, 6 séances"
        );
        let templates = templates(state.edition()).expect("templates");
        let rendered = render(&templates, &state, invitation, None).expect("rendered");
        let to = mailbox(state.edition(), invitation.recipient).expect("an address");
        let email = email(&state, invitation, rendered, to, invitation.due_at);
        let invite = email.invite.expect("a calendar part");
        let ics = invite_ics(&invite, jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(
            calendar_days(&ics),
            [
                date(2025, 4, 8),
                date(2025, 5, 9),
                date(2025, 6, 10),
                date(2025, 7, 8),
                date(2025, 8, 25),
                date(2025, 9, 8)
            ]
        );
        // In English, for a reader who has it.
        let sessions = sessions(&state, invitation.stage, None, 0);
        let event = &state.edition().stages[0].events[0];
        assert_eq!(
            in_words(Language::En, event, &sessions).as_deref(),
            Some("every month from Tuesday 8 April to Monday 8 September 2025, 6 sessions")
        );
    }

    #[test]
    fn a_postponement_moves_the_whole_series() {
        let mut state = state();
        club_invitations(&mut state, date(2025, 3, 4));
        state
            .apply(&jalon_core::Event {
                at: at(&state, date(2025, 3, 4)),
                by: "ana".into(),
                channel: jalon_core::Channel::Cli,
                kind: jalon_core::EventKind::Postpone {
                    stage: "accompagnement".into(),
                    participant: None,
                    // Two weeks later: the club from 22 April.
                    start: Some(date(2025, 3, 17)),
                    due: Some(date(2025, 11, 14)),
                    reason: Some("Salle en travaux".into()),
                },
            })
            .expect("postponed");
        let again = club_invitations(&mut state, date(2025, 3, 18));
        let invitation = again
            .iter()
            .find(|a| matches!(a.detail, Detail::Invitation { sequence: 1, .. }))
            .expect("a new invitation");
        assert_eq!(invitation.kind, MessageKind::SeminarInvitation);
        let vars = variables(&state, invitation, None);
        assert_eq!(vars["former_date"], "mardi 8 avril 2025");
        // 22 May + 1 month… 22 August is in the summer closure: 25 August.
        assert_eq!(
            vars["event_date"],
            "tous les mois du mardi 22 avril au lundi 22 septembre 2025, 6 séances"
        );
        let templates = templates(state.edition()).expect("templates");
        let rendered = render(&templates, &state, invitation, None).expect("rendered");
        assert!(
            rendered.subject.starts_with("Nouvelle date"),
            "{}",
            rendered.subject
        );
        let to = mailbox(state.edition(), invitation.recipient).expect("an address");
        let invite = email(&state, invitation, rendered, to, invitation.due_at)
            .invite
            .expect("a calendar part");
        assert_eq!(invite.sequence, 1);
        let days = calendar_days(&invite_ics(&invite, jiff::Timestamp::UNIX_EPOCH));
        assert_eq!(
            days,
            [
                date(2025, 4, 22),
                date(2025, 5, 22),
                date(2025, 6, 23),
                date(2025, 7, 22),
                date(2025, 8, 25),
                date(2025, 9, 22)
            ]
        );
    }

    #[test]
    fn a_series_under_way_is_cancelled_whole() {
        let mut state = state();
        club_invitations(&mut state, date(2025, 3, 4));
        // After its first session (8 April), before its last.
        let when = at(&state, date(2025, 4, 15));
        jalon_core::clock::deliver_until(&mut state, when, |_, _| {});
        state
            .apply(&jalon_core::Event {
                at: when,
                by: "ana".into(),
                channel: jalon_core::Channel::Cli,
                kind: jalon_core::EventKind::CancelEvent {
                    stage: "accompagnement".into(),
                    participant: None,
                    event: "club".into(),
                    reason: Some("Club suspendu".into()),
                },
            })
            .expect("a series can be called off until its last session");
        let mut cancelled = Vec::new();
        let next_day = at(&state, date(2025, 4, 16));
        jalon_core::clock::deliver_until(&mut state, next_day, |_, a| {
            if matches!(a.detail, Detail::EventCancelled { event: 0, .. }) {
                cancelled.push(a.clone());
            }
        });
        assert_eq!(cancelled.len(), 3, "each invited person");
        let templates = templates(state.edition()).expect("templates");
        let action = &cancelled[0];
        let rendered = render(&templates, &state, action, None).expect("rendered");
        let to = mailbox(state.edition(), action.recipient).expect("an address");
        let invite = email(&state, action, rendered, to, action.due_at)
            .invite
            .expect("a calendar part");
        let ics = invite_ics(&invite, jiff::Timestamp::UNIX_EPOCH);
        assert!(ics.contains("METHOD:CANCEL\r\n"), "{ics}");
        assert!(
            ics.contains("RRULE:FREQ=MONTHLY;INTERVAL=1;COUNT=6\r\n"),
            "{ics}"
        );
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "the series, whole");
    }
}
