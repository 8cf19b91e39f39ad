//! Repeating events (`every: 1 month`, until a date or a count) and the rule
//! that moves a session off a day not worked. Check and engine compute the
//! sessions here, so that `plan`, invitations and postponements agree.

pub use jalon_calendar::NonWorkingReason;
use jalon_calendar::WorkingCalendar;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::expr::{parse_day_duration, DayUnit, ExprError, Offset};
pub use crate::model::ClosedDayRule;

/// The most sessions a series may have: a stranger's file must not make us
/// expand millions, and a year of weekly sessions fits.
pub const MOST_SESSIONS: u32 = 60;

/// One session of an event: the day its rule gives, and the day it is held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// The day the rule gives (`date`, then `date + every`, `+ 2 × every`…).
    pub planned: Date,
    /// The day it is held: `planned`, unless that day is not worked and the
    /// event's rule moves it.
    pub date: Date,
    /// Why `planned` is not worked, when it is not.
    pub closed: Option<NonWorkingReason>,
}

impl Occurrence {
    /// Held on another day than its rule's.
    pub fn moved(&self) -> bool {
        self.date != self.planned
    }
}

const EVERY_HINT: &str =
    "write how often as `1 week`, `2 weeks`, `1 month` or `3 months` (French works too: `1 mois`, `2 semaines`)";

/// `every`: days, weeks or months, at least one — working days cannot be
/// said to a calendar application as a repeat rule.
pub fn parse_every(text: &str) -> Result<Offset, ExprError> {
    let offset = parse_day_duration(text).map_err(|mut e| {
        e.hint = EVERY_HINT.into();
        e
    })?;
    let whole = |message: &str| ExprError {
        message: message.into(),
        hint: EVERY_HINT.into(),
        start: 0,
        end: text.len(),
    };
    match offset.unit {
        DayUnit::WorkingDays | DayUnit::WorkingDaysAndSaturdays => Err(whole(
            "a series repeats in days, weeks or months, not in working days",
        )),
        _ if offset.amount == 0 => Err(whole("a series cannot repeat every zero days")),
        _ => Ok(offset),
    }
}

/// The `k`-th day of the rule, counted from the first (never step by step:
/// 31 January + 2 months is 31 March, not 28 March).
pub fn rule_date(first: Date, every: Offset, k: u32) -> Option<Date> {
    let amount = every.amount.checked_mul(i32::try_from(k).ok()?)?;
    let span = match every.unit {
        DayUnit::Weeks => jiff::Span::new().try_weeks(i64::from(amount)).ok()?,
        DayUnit::Months => jiff::Span::new().try_months(i64::from(amount)).ok()?,
        _ => jiff::Span::new().try_days(i64::from(amount)).ok()?,
    };
    first.checked_add(span).ok()
}

/// How many rule days fall on or before `until`, counting past
/// [`MOST_SESSIONS`] by one at most (so that the caller can refuse).
pub fn count_until(first: Date, every: Offset, until: Date) -> u32 {
    (0..=MOST_SESSIONS)
        .take_while(|&k| rule_date(first, every, k).is_some_and(|d| d <= until))
        .count() as u32
}

/// The sessions of an event whose rule starts on `first`: `count` of them
/// every `every` (one without), each moved off a day not worked by `rule`.
pub fn occurrences(
    first: Date,
    every: Option<Offset>,
    count: u32,
    rule: ClosedDayRule,
    calendar: &WorkingCalendar,
) -> Vec<Occurrence> {
    let count = match every {
        Some(_) => count.clamp(1, MOST_SESSIONS),
        None => 1,
    };
    (0..count)
        .map_while(|k| match every {
            Some(every) => rule_date(first, every, k),
            None => Some(first),
        })
        .map(|planned| place(planned, rule, calendar))
        .collect()
}

/// One day of the rule, moved by `rule` when it is not worked.
pub fn place(planned: Date, rule: ClosedDayRule, calendar: &WorkingCalendar) -> Occurrence {
    let closed = calendar.non_working_reason(planned);
    let date = match (&closed, rule) {
        (None, _) | (Some(_), ClosedDayRule::Keep | ClosedDayRule::Refuse) => planned,
        (Some(_), ClosedDayRule::NextWorkingDay) => {
            calendar.next_working_day(planned).unwrap_or(planned)
        }
        (Some(_), ClosedDayRule::PreviousWorkingDay) => {
            calendar.previous_working_day(planned).unwrap_or(planned)
        }
    };
    Occurrence {
        planned,
        date,
        closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn calendar() -> WorkingCalendar {
        WorkingCalendar::french_default()
    }

    #[test]
    fn every_takes_weeks_and_months_in_both_languages() {
        assert_eq!(
            parse_every("2 semaines").expect("ok"),
            Offset {
                amount: 2,
                unit: DayUnit::Weeks
            }
        );
        assert_eq!(parse_every("1 mois").expect("ok").unit, DayUnit::Months);
        assert_eq!(parse_every("3 months").expect("ok").amount, 3);
        assert!(parse_every("5 working days").is_err());
        assert!(parse_every("0 weeks").is_err());
        assert!(parse_every("-1 month").is_err());
        assert!(parse_every("1 fortnight").is_err());
    }

    #[test]
    fn months_keep_the_day_or_take_the_last_one_from_the_first_date() {
        let every = parse_every("1 month").expect("ok");
        let days: Vec<Date> = (0..3)
            .filter_map(|k| rule_date(date(2025, 1, 31), every, k))
            .collect();
        assert_eq!(
            days,
            [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
        );
    }

    #[test]
    fn until_counts_the_days_on_or_before_it_and_stops_past_the_bound() {
        let every = parse_every("1 month").expect("ok");
        assert_eq!(count_until(date(2025, 1, 16), every, date(2025, 6, 16)), 6);
        assert_eq!(count_until(date(2025, 1, 16), every, date(2025, 6, 15)), 5);
        let daily = parse_every("1 day").expect("ok");
        assert_eq!(
            count_until(date(2025, 1, 1), daily, date(2999, 1, 1)),
            MOST_SESSIONS + 1
        );
    }

    #[test]
    fn a_holiday_moves_a_session_by_the_rule() {
        // Thursday 1 May 2025, fête du Travail.
        let may_day = date(2025, 5, 1);
        let next = place(may_day, ClosedDayRule::NextWorkingDay, &calendar());
        assert_eq!(next.date, date(2025, 5, 2));
        assert_eq!(
            next.closed,
            Some(NonWorkingReason::PublicHoliday("Fête du Travail"))
        );
        let before = place(may_day, ClosedDayRule::PreviousWorkingDay, &calendar());
        assert_eq!(before.date, date(2025, 4, 30));
        for rule in [ClosedDayRule::Keep, ClosedDayRule::Refuse] {
            let kept = place(may_day, rule, &calendar());
            assert_eq!(kept.date, may_day);
            assert!(kept.closed.is_some() && !kept.moved());
        }
        // A working day stays.
        let plain = place(date(2025, 5, 6), ClosedDayRule::NextWorkingDay, &calendar());
        assert!(plain.closed.is_none() && !plain.moved());
    }

    #[test]
    fn a_series_is_its_count_of_sessions_each_moved_on_its_own() {
        let every = parse_every("1 week").expect("ok");
        let sessions = occurrences(
            date(2025, 4, 24),
            Some(every),
            3,
            ClosedDayRule::NextWorkingDay,
            &calendar(),
        );
        let held: Vec<Date> = sessions.iter().map(|o| o.date).collect();
        assert_eq!(
            held,
            [date(2025, 4, 24), date(2025, 5, 2), date(2025, 5, 9)]
        );
        // Thursday 8 May (Victoire 1945) moved to Friday 9 May.
        assert!(sessions[2].moved());
        assert_eq!(
            occurrences(date(2025, 4, 24), None, 9, ClosedDayRule::Keep, &calendar()).len(),
            1
        );
    }
}
