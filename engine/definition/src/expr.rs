//! The small expressions managers write for dates and durations:
//! `2024-11-25`, `edition.start + 2 weeks`, `jury.due + 3 working days`,
//! `due - 10 working days`, `09:00`, `2 days`, `90 minutes`, and the
//! first session of an assembly on or after a date:
//! `commission-permanente after instruction.due + 10 working days`.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

/// A unit of offset between dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DayUnit {
    Days,
    Weeks,
    WorkingDays,
    /// « Jours ouvrables »: every day but Sundays and public holidays (and
    /// the calendar's closures), Saturdays included.
    WorkingDaysAndSaturdays,
    /// Calendar months: the same day of the month, or the month's last day
    /// when it has no such day (31 January + 1 month = 28 or 29 February).
    Months,
}

/// A signed number of days, weeks or working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Offset {
    pub amount: i32,
    pub unit: DayUnit,
}

impl Offset {
    /// The date moved by this offset; working days follow `calendar`.
    /// `None` when the result is not a date Jalon can compute.
    pub fn apply(self, calendar: &jalon_calendar::WorkingCalendar, date: Date) -> Option<Date> {
        match self.unit {
            DayUnit::Days => date
                .checked_add(jiff::Span::new().try_days(i64::from(self.amount)).ok()?)
                .ok(),
            DayUnit::Weeks => date
                .checked_add(jiff::Span::new().try_weeks(i64::from(self.amount)).ok()?)
                .ok(),
            DayUnit::WorkingDays => calendar.add_working_days(date, self.amount).ok(),
            DayUnit::WorkingDaysAndSaturdays => calendar
                .with_saturday()
                .add_working_days(date, self.amount)
                .ok(),
            // jiff keeps the day when the month has it, else takes its last.
            DayUnit::Months => date
                .checked_add(jiff::Span::new().try_months(i64::from(self.amount)).ok()?)
                .ok(),
        }
    }

    pub fn negate(self) -> Self {
        Self {
            amount: self.amount.saturating_neg(),
            unit: self.unit,
        }
    }
}

impl std::fmt::Display for Offset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.amount.abs();
        let unit = match (self.unit, n == 1) {
            (DayUnit::Days, true) => "day",
            (DayUnit::Days, false) => "days",
            (DayUnit::Weeks, true) => "week",
            (DayUnit::Weeks, false) => "weeks",
            (DayUnit::WorkingDays, true) => "working day",
            (DayUnit::WorkingDays, false) => "working days",
            (DayUnit::WorkingDaysAndSaturdays, true) => "jour ouvrable",
            (DayUnit::WorkingDaysAndSaturdays, false) => "jours ouvrables",
            (DayUnit::Months, true) => "month",
            (DayUnit::Months, false) => "months",
        };
        write!(f, "{n} {unit}")
    }
}

/// Which end of a stage's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Point {
    Start,
    Due,
}

impl Point {
    pub fn as_str(self) -> &'static str {
        match self {
            Point::Start => "start",
            Point::Due => "due",
        }
    }
}

/// What a date expression counts from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Anchor {
    Date(Date),
    EditionStart,
    EditionEnd,
    /// `sourcing.due`: another stage's start or due date.
    Stage(String, Point),
    /// `start` or `due`: the stage this expression belongs to.
    Own(Point),
    /// `needs.done`: the day the last of the stage's needs was done — for
    /// each participant, as it happens; planned, on its due date.
    NeedsDone,
    /// `à fixer` / `to be fixed`: not known when the edition is planned;
    /// the coordination fixes it later (a postponement gives the date).
    ToBeFixed,
}

/// How a date unknown at planning time is written (`à fixer`, `to be
/// fixed`, `tbd`), case and accents aside.
pub fn is_to_be_fixed(text: &str) -> bool {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.to_lowercase().replace('à', "a"))
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["a", "fixer"] | ["to", "be", "fixed"] | ["tbd"] | ["tbc"]
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateExpr {
    pub anchor: Anchor,
    pub offset: Option<Offset>,
    /// `S after …`: the date is the first session of `S` on or after the
    /// one the rest of the expression gives.
    pub session: Option<SessionRef>,
}

/// A list of sessions named in an expression, with where its id is
/// written (to point at it when no list has that id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionRef {
    pub id: String,
    /// Character range of the id within the expression text.
    pub start: usize,
    pub end: usize,
}

/// The words that put a session list before a date (`after`, `après`).
const AFTER_WORDS: [&str; 3] = ["after", "après", "apres"];

/// A problem in an expression, with the characters it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub message: String,
    pub hint: String,
    /// Character range within the expression text.
    pub start: usize,
    pub end: usize,
}

const DATE_HINT: &str = "write a date as `2024-11-25`, or relative to the edition or a stage: `edition.start + 2 weeks`, `sourcing.due + 3 working days`, `start + 10 days`; the first session of an assembly on or after a date: `commission-permanente after instruction.due + 10 working days`; a date not known yet: `à fixer` (or `to be fixed`)";

pub fn parse_date_expr(text: &str) -> Result<DateExpr, ExprError> {
    if is_to_be_fixed(text) {
        return Ok(DateExpr {
            anchor: Anchor::ToBeFixed,
            offset: None,
            session: None,
        });
    }
    let tokens = tokenize(text);
    let Some(first) = tokens.first() else {
        return Err(err(0, text.len(), "this date is empty", DATE_HINT));
    };
    // `à fixer + 2 days`: a date not known cannot be counted from.
    let leading = |n: usize| {
        let words: Vec<&str> = tokens[..n].iter().map(|t| t.text).collect();
        is_to_be_fixed(&words.join(" "))
    };
    if let Some(words) = (1..=3).find(|&n| tokens.len() > n && leading(n)) {
        return Err(ExprError {
            message: "a date `à fixer` stands alone: nothing can be added to it".into(),
            hint: "write `à fixer` alone, and date other stages from this one (`restitution.due - 2 weeks`): they follow once it is fixed".into(),
            start: tokens[words].start,
            end: tokens.last().map_or(text.len(), |t| t.end),
        });
    }
    let after = tokens
        .get(1)
        .is_some_and(|t| AFTER_WORDS.contains(&t.text.to_lowercase().as_str()));
    if !after {
        return parse_relative(&tokens);
    }
    let rest = &tokens[2..];
    if rest.is_empty() {
        return Err(ExprError {
            message: format!("`{}` after what? The date is missing", first.text),
            hint: DATE_HINT.into(),
            start: tokens[1].start,
            end: tokens[1].end,
        });
    }
    if !first.text.starts_with(|c: char| c.is_ascii_alphanumeric()) || first.text.contains('.') {
        return Err(ExprError {
            message: format!("`{}` is not the id of a list of sessions", first.text),
            hint: DATE_HINT.into(),
            start: first.start,
            end: first.end,
        });
    }
    if let Some(again) = rest
        .get(1)
        .filter(|t| AFTER_WORDS.contains(&t.text.to_lowercase().as_str()))
    {
        return Err(ExprError {
            message: "one session list per date: `after` appears twice".into(),
            hint: DATE_HINT.into(),
            start: again.start,
            end: again.end,
        });
    }
    let inner = parse_relative(rest)?;
    Ok(DateExpr {
        session: Some(SessionRef {
            id: first.text.to_owned(),
            start: first.start,
            end: first.end,
        }),
        ..inner
    })
}

/// `ANCHOR [± OFFSET]`, from its tokens (at least one).
fn parse_relative(tokens: &[Token<'_>]) -> Result<DateExpr, ExprError> {
    let first = &tokens[0];
    let anchor = parse_anchor(first)?;
    let offset = match tokens.get(1) {
        None => None,
        Some(sign) => {
            let negative = match sign.text {
                "+" => false,
                "-" => true,
                _ => {
                    return Err(ExprError {
                        message: format!("expected `+` or `-` after `{}`", first.text),
                        hint: DATE_HINT.into(),
                        start: sign.start,
                        end: sign.end,
                    })
                }
            };
            let rest = &tokens[2..];
            let Some(number) = rest.first() else {
                return Err(ExprError {
                    message: format!("expected an amount after `{}`", sign.text),
                    hint: DATE_HINT.into(),
                    start: sign.start,
                    end: sign.end,
                });
            };
            let offset = parse_offset_tokens(number, &rest[1..])?;
            Some(if negative { offset.negate() } else { offset })
        }
    };
    Ok(DateExpr {
        anchor,
        offset,
        session: None,
    })
}

/// A duration in days, weeks or working days, as in `lead_time: 10 working days`.
pub fn parse_day_duration(text: &str) -> Result<Offset, ExprError> {
    let tokens = tokenize(text);
    let Some(number) = tokens.first() else {
        return Err(err(0, text.len(), "this duration is empty", DURATION_HINT));
    };
    let offset = parse_offset_tokens(number, &tokens[1..])?;
    if offset.amount < 0 {
        return Err(ExprError {
            message: "a duration cannot be negative".into(),
            hint: DURATION_HINT.into(),
            start: number.start,
            end: number.end,
        });
    }
    Ok(offset)
}

const DURATION_HINT: &str =
    "write a duration as `10 working days`, `3 days`, `2 weeks` or `6 months` (French also works: `10 jours ouvrés`, `6 mois`)";

/// An event's length: whole days, or hours and minutes within one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventLength {
    Days(u32),
    Minutes(u32),
}

pub fn parse_event_length(text: &str) -> Result<EventLength, ExprError> {
    let tokens = tokenize(text);
    let hint = "write `2 days`, `3 hours` or `90 minutes`";
    let (Some(number), Some(unit)) = (tokens.first(), tokens.get(1)) else {
        return Err(err(0, text.len(), "expected an amount and a unit", hint));
    };
    let amount: u32 = number.text.parse().map_err(|_| ExprError {
        message: format!("`{}` is not a whole number", number.text),
        hint: hint.into(),
        start: number.start,
        end: number.end,
    })?;
    if amount == 0 {
        return Err(ExprError {
            message: "an event cannot last zero time".into(),
            hint: hint.into(),
            start: number.start,
            end: number.end,
        });
    }
    let unit_text = text[unit.start..].trim().to_lowercase();
    let too_long = || ExprError {
        message: format!("`{}` is longer than a year", text.trim()),
        hint: "an event lasts a year at most: split a longer one".into(),
        start: number.start,
        end: text.len(),
    };
    match unit_text.as_str() {
        "day" | "days" | "jour" | "jours" if amount <= 366 => Ok(EventLength::Days(amount)),
        "hour" | "hours" | "h" | "heure" | "heures" if amount <= 366 * 24 => {
            Ok(EventLength::Minutes(amount * 60))
        }
        "minute" | "minutes" | "min" if amount <= 366 * 24 * 60 => Ok(EventLength::Minutes(amount)),
        "day" | "days" | "jour" | "jours" | "hour" | "hours" | "h" | "heure" | "heures"
        | "minute" | "minutes" | "min" => Err(too_long()),
        _ => Err(ExprError {
            message: format!("`{}` is not a unit of time", &text[unit.start..].trim()),
            hint: hint.into(),
            start: unit.start,
            end: text.len(),
        }),
    }
}

/// A time of day, `HH:MM`.
pub fn parse_time_of_day(text: &str) -> Result<Time, ExprError> {
    let hint = "write a time of day as `09:00` or `17:30` (24-hour clock)";
    let bad = || {
        err(
            0,
            text.len(),
            &format!("`{text}` is not a time of day"),
            hint,
        )
    };
    let (h, m) = text.trim().split_once([':', 'h']).ok_or_else(bad)?;
    let hour: i8 = h.parse().map_err(|_| bad())?;
    let minute: i8 = if m.is_empty() {
        0
    } else {
        m.parse().map_err(|_| bad())?
    };
    Time::new(hour, minute, 0, 0).map_err(|_| bad())
}

pub fn parse_date(text: &str) -> Result<Date, ExprError> {
    text.trim().parse::<Date>().map_err(|_| {
        err(
            0,
            text.len(),
            &format!("`{text}` is not a date"),
            "write dates as YYYY-MM-DD, e.g. `2024-11-25`",
        )
    })
}

struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

/// Splits on white space and around `+`; a `-` is a sign only when it
/// stands alone, since dates and ids contain dashes.
fn tokenize<'t>(text: &'t str) -> Vec<Token<'t>> {
    let mut tokens = Vec::new();
    // The token being read: its byte start, char start and length in chars.
    let mut current: Option<(usize, usize, usize)> = None;
    let push =
        |tokens: &mut Vec<Token<'t>>, cur: Option<(usize, usize, usize)>, end_byte: usize| {
            if let Some((b, c, n)) = cur {
                tokens.push(Token {
                    text: &text[b..end_byte],
                    start: c,
                    end: c + n,
                });
            }
        };
    for (chars, (byte, ch)) in text.char_indices().enumerate() {
        if ch.is_whitespace() {
            push(&mut tokens, current.take(), byte);
        } else if ch == '+' {
            push(&mut tokens, current.take(), byte);
            tokens.push(Token {
                text: &text[byte..byte + 1],
                start: chars,
                end: chars + 1,
            });
        } else {
            match &mut current {
                Some((_, _, n)) => *n += 1,
                None => current = Some((byte, chars, 1)),
            }
        }
    }
    push(&mut tokens, current.take(), text.len());
    tokens
}

fn parse_anchor(token: &Token<'_>) -> Result<Anchor, ExprError> {
    let t = token.text;
    let located = |message: String| ExprError {
        message,
        hint: DATE_HINT.into(),
        start: token.start,
        end: token.end,
    };
    if t.starts_with(|c: char| c.is_ascii_digit()) && t.len() >= 8 && t.contains('-') {
        return t
            .parse::<Date>()
            .map(Anchor::Date)
            .map_err(|_| located(format!("`{t}` is not a valid date (YYYY-MM-DD)")));
    }
    match t {
        "start" => return Ok(Anchor::Own(Point::Start)),
        "due" => return Ok(Anchor::Own(Point::Due)),
        "edition.start" => return Ok(Anchor::EditionStart),
        "edition.end" => return Ok(Anchor::EditionEnd),
        "needs.done" => return Ok(Anchor::NeedsDone),
        _ => {}
    }
    match t.rsplit_once('.') {
        Some((stage, "start")) if !stage.is_empty() => Ok(Anchor::Stage(stage.into(), Point::Start)),
        Some((stage, "due")) if !stage.is_empty() => Ok(Anchor::Stage(stage.into(), Point::Due)),
        Some((_, other)) => Err(located(format!(
            "a stage has a `start` and a `due` date, not `{other}`"
        ))),
        None => Err(located(format!(
            "`{t}` is not a date nor a point in time; to refer to a stage, write `{t}.start` or `{t}.due`; to a list of sessions, `{t} after` a date"
        ))),
    }
}

fn parse_offset_tokens(number: &Token<'_>, unit: &[Token<'_>]) -> Result<Offset, ExprError> {
    let amount: i32 = number.text.parse().map_err(|_| ExprError {
        message: format!("`{}` is not a whole number", number.text),
        hint: DURATION_HINT.into(),
        start: number.start,
        end: number.end,
    })?;
    let (Some(first), Some(last)) = (unit.first(), unit.last()) else {
        return Err(ExprError {
            message: format!("`{amount}` what? The unit is missing"),
            hint: DURATION_HINT.into(),
            start: number.start,
            end: number.end,
        });
    };
    let words: Vec<String> = unit.iter().map(|t| t.text.to_lowercase()).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let unit_kind = match words.as_slice() {
        ["day" | "days"] | ["calendar", "day" | "days"] | ["jour" | "jours"] => DayUnit::Days,
        ["week" | "weeks"] | ["semaine" | "semaines"] => DayUnit::Weeks,
        ["month" | "months"] | ["mois"] => DayUnit::Months,
        ["working" | "business", "day" | "days"]
        | ["jour" | "jours", "ouvré" | "ouvrés" | "ouvre" | "ouvres"] => DayUnit::WorkingDays,
        ["jour" | "jours", "ouvrable" | "ouvrables"] => DayUnit::WorkingDaysAndSaturdays,
        _ => {
            return Err(ExprError {
                message: format!("`{}` is not a unit this offset can use", words.join(" ")),
                hint: "use `days`, `weeks`, `months` or `working days` (`jours ouvrés`; `jours ouvrables` counts Saturdays too)".into(),
                start: first.start,
                end: last.end,
            })
        }
    };
    // A century either way: beyond is a typo, and date arithmetic stays
    // far from the ends of the calendar.
    let (most, unit_name) = match unit_kind {
        DayUnit::Days => (36_525, "days"),
        DayUnit::Weeks => (5_218, "weeks"),
        DayUnit::WorkingDays => (26_100, "working days"),
        DayUnit::WorkingDaysAndSaturdays => (31_300, "jours ouvrables"),
        DayUnit::Months => (1_200, "months"),
    };
    if amount.unsigned_abs() > most {
        return Err(ExprError {
            message: format!("`{}` {unit_name} is more than a century", number.text),
            hint: format!("Jalon plans within a hundred years: at most {most} {unit_name}"),
            start: number.start,
            end: last.end,
        });
    }
    Ok(Offset {
        amount,
        unit: unit_kind,
    })
}

fn err(start: usize, end: usize, message: &str, hint: &str) -> ExprError {
    ExprError {
        message: message.into(),
        hint: hint.into(),
        start,
        end: end.max(start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_and_relative_dates() {
        assert_eq!(
            parse_date_expr("2024-11-25").expect("date"),
            DateExpr {
                anchor: Anchor::Date(date(2024, 11, 25)),
                session: None,
                offset: None
            }
        );
        assert_eq!(
            parse_date_expr("jury.due + 3 working days").expect("relative"),
            DateExpr {
                anchor: Anchor::Stage("jury".into(), Point::Due),
                session: None,
                offset: Some(Offset {
                    amount: 3,
                    unit: DayUnit::WorkingDays
                })
            }
        );
        assert_eq!(
            parse_date_expr("due - 10 jours ouvrés").expect("french"),
            DateExpr {
                anchor: Anchor::Own(Point::Due),
                session: None,
                offset: Some(Offset {
                    amount: -10,
                    unit: DayUnit::WorkingDays
                })
            }
        );
        assert_eq!(
            parse_date_expr("edition.start+2 weeks").expect("no space before +"),
            DateExpr {
                anchor: Anchor::EditionStart,
                session: None,
                offset: Some(Offset {
                    amount: 2,
                    unit: DayUnit::Weeks
                })
            }
        );
        assert_eq!(
            parse_date_expr("pitch-jury.start").expect("dashes in ids"),
            DateExpr {
                anchor: Anchor::Stage("pitch-jury".into(), Point::Start),
                session: None,
                offset: None
            }
        );
    }

    #[test]
    fn the_first_session_after_a_date() {
        let e = parse_date_expr("commission-permanente after instruction.due + 10 working days")
            .expect("session");
        assert_eq!(
            e,
            DateExpr {
                anchor: Anchor::Stage("instruction".into(), Point::Due),
                session: Some(SessionRef {
                    id: "commission-permanente".into(),
                    start: 0,
                    end: 21
                }),
                offset: Some(Offset {
                    amount: 10,
                    unit: DayUnit::WorkingDays
                })
            }
        );
        let french = parse_date_expr("cp après start + 2 jours ouvrés").expect("french");
        assert_eq!(french.session.map(|s| s.id), Some("cp".into()));
        assert_eq!(french.anchor, Anchor::Own(Point::Start));
        let dated = parse_date_expr("cp AFTER 2025-03-01").expect("a fixed date");
        assert_eq!(dated.anchor, Anchor::Date(date(2025, 3, 1)));
        assert_eq!(parse_date_expr("start").expect("plain").session, None);

        let e = parse_date_expr("cp after").expect_err("no date");
        assert_eq!((e.start, e.end), (3, 8));
        assert!(e.message.contains("date is missing"), "{}", e.message);
        let e = parse_date_expr("cp after x.due after y.due").expect_err("twice");
        assert_eq!((e.start, e.end), (15, 20));
        let e = parse_date_expr("jury.due after start").expect_err("not an id");
        assert_eq!((e.start, e.end), (0, 8));
        let e = parse_date_expr("cp after instruction + 2 days").expect_err("bare id");
        assert_eq!((e.start, e.end), (9, 20));
        let e = parse_date_expr("commission-permanente").expect_err("bare session");
        assert!(
            e.message.contains("commission-permanente after"),
            "{}",
            e.message
        );
    }

    #[test]
    fn errors_point_inside_the_expression() {
        let e = parse_date_expr("jury.due + 3 fortnights").expect_err("unit");
        assert_eq!((e.start, e.end), (13, 23));
        let e = parse_date_expr("2024-02-30").expect_err("no such day");
        assert!(e.message.contains("not a valid date"));
        let e = parse_date_expr("sourcing").expect_err("bare id");
        assert!(e.message.contains("sourcing.due"));
        let e = parse_date_expr("jury.end").expect_err("bad point");
        assert!(e.message.contains("not `end`"));
        let e = parse_date_expr("start + three days").expect_err("number");
        assert_eq!((e.start, e.end), (8, 13));
        assert!(parse_date_expr("start + 3").is_err());
        assert!(parse_date_expr("start * 3 days").is_err());
    }

    #[test]
    fn months_keep_the_day_or_take_the_months_last_and_jours_ouvrables_count_saturdays() {
        let calendar = jalon_calendar::WorkingCalendar::french_default();
        let months = parse_date_expr("start + 6 mois").expect("months");
        let offset = months.offset.expect("an offset");
        assert_eq!(offset.unit, DayUnit::Months);
        assert_eq!(offset.to_string(), "6 months");
        let apply = |text: &str, from| {
            parse_day_duration(text)
                .expect("a duration")
                .apply(&calendar, from)
                .expect("a date")
        };
        assert_eq!(apply("1 month", date(2025, 1, 15)), date(2025, 2, 15));
        assert_eq!(apply("1 month", date(2025, 1, 31)), date(2025, 2, 28));
        assert_eq!(apply("1 mois", date(2024, 1, 31)), date(2024, 2, 29));
        assert_eq!(apply("6 months", date(2024, 8, 31)), date(2025, 2, 28));
        // From Friday 2 May 2025: « ouvrés » skips the weekend and Thursday
        // 8 May; « ouvrables » counts Saturday 3 May, not Sunday 4 May.
        assert_eq!(apply("2 jours ouvrés", date(2025, 5, 2)), date(2025, 5, 6));
        assert_eq!(
            apply("2 jours ouvrables", date(2025, 5, 2)),
            date(2025, 5, 5)
        );
        assert_eq!(
            apply("5 jours ouvrables", date(2025, 5, 2)),
            date(2025, 5, 9)
        );
        assert_eq!(
            parse_day_duration("1 jour ouvrable")
                .expect("ok")
                .to_string(),
            "1 jour ouvrable"
        );
    }

    #[test]
    fn durations_times_and_lengths() {
        assert_eq!(
            parse_day_duration("10 working days").expect("ok"),
            Offset {
                amount: 10,
                unit: DayUnit::WorkingDays
            }
        );
        assert_eq!(
            parse_day_duration("1 week").expect("ok").unit,
            DayUnit::Weeks
        );
        assert!(parse_day_duration("-2 days").is_err());
        assert_eq!(
            parse_time_of_day("09:00").expect("ok"),
            jiff::civil::time(9, 0, 0, 0)
        );
        assert_eq!(
            parse_time_of_day("17h30").expect("ok"),
            jiff::civil::time(17, 30, 0, 0)
        );
        assert!(parse_time_of_day("25:00").is_err());
        assert!(parse_time_of_day("9am").is_err());
        assert_eq!(
            parse_event_length("2 days").expect("ok"),
            EventLength::Days(2)
        );
        assert_eq!(
            parse_event_length("90 minutes").expect("ok"),
            EventLength::Minutes(90)
        );
        assert!(parse_event_length("2 fortnights").is_err());
    }
}
