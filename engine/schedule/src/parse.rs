//! Reading the five fields, with errors that name the field and point at
//! the characters, for a caret under the mistake.

use crate::CronSchedule;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

impl Field {
    const ALL: [Field; 5] = [
        Field::Minute,
        Field::Hour,
        Field::DayOfMonth,
        Field::Month,
        Field::DayOfWeek,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Minute => "minute",
            Field::Hour => "hour",
            Field::DayOfMonth => "day of month",
            Field::Month => "month",
            Field::DayOfWeek => "day of week",
        }
    }

    /// Allowed values; day of week accepts 7 for Sunday too.
    fn range(self) -> (u32, u32) {
        match self {
            Field::Minute => (0, 59),
            Field::Hour => (0, 23),
            Field::DayOfMonth => (1, 31),
            Field::Month => (1, 12),
            Field::DayOfWeek => (0, 7),
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Month => &[
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ],
            Field::DayOfWeek => &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
            _ => &[],
        }
    }

    fn first_name_value(self) -> u32 {
        if self == Field::Month {
            1
        } else {
            0
        }
    }
}

/// What is wrong, where (character offsets in the expression), and in
/// which field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CronError {
    pub field: Option<Field>,
    pub message: String,
    /// Characters `start..end` of the expression.
    pub start: usize,
    pub end: usize,
}

pub(crate) fn parse(text: &str) -> Result<CronSchedule, CronError> {
    let trimmed = text.trim();
    let expanded = match trimmed.to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ if trimmed.starts_with('@') => {
            return Err(whole(
                text,
                format!("unknown schedule `{trimmed}`: the shortcuts are @yearly, @monthly, @weekly, @daily and @hourly"),
            ))
        }
        _ => trimmed,
    };
    // Fields with their character offsets in `text` (shortcuts point at all of it).
    let fields: Vec<(usize, &str)> = if expanded == trimmed {
        split_fields(text)
    } else {
        expanded.split(' ').map(|f| (0, f)).collect()
    };
    if fields.len() != 5 {
        let found = fields.len();
        let hint = if found == 6 || found == 7 {
            " (this looks like a cron with seconds or years; Jalon reads standard 5-field cron)"
        } else {
            ""
        };
        return Err(whole(
            text,
            format!("a schedule has 5 fields (minute hour day-of-month month day-of-week), not {found}{hint}"),
        ));
    }
    let mut sets = [0u64; 5];
    for (k, field) in Field::ALL.into_iter().enumerate() {
        let (offset, body) = fields[k];
        sets[k] = parse_field(field, body, offset)?;
    }
    // Sunday is 0 and 7.
    let mut weekdays = sets[4];
    if weekdays & (1 << 7) != 0 {
        weekdays = (weekdays | 1) & !(1 << 7);
    }
    let days_restricted = !fields[2].1.starts_with('*');
    let weekdays_restricted = !fields[4].1.starts_with('*');
    // With the weekday free, the days of the month alone decide: some month
    // chosen must have one of them (no 31 in April, no 30 in February).
    if days_restricted && !weekdays_restricted && !any_day_exists(sets[2], sets[3]) {
        let (offset, body) = fields[2];
        return Err(CronError {
            field: Some(Field::ALL[2]),
            message: format!("this schedule never fires: no month it names has a day `{body}`"),
            start: offset,
            end: offset + body.chars().count(),
        });
    }
    Ok(CronSchedule {
        text: fields.iter().map(|(_, f)| *f).collect::<Vec<_>>().join(" "),
        minutes: sets[0],
        hours: sets[1] as u32,
        days: sets[2] as u32,
        months: sets[3] as u16,
        weekdays: weekdays as u8,
        days_restricted,
        weekdays_restricted,
    })
}

/// Whether a day of `days` exists in a month of `months` (February with 29).
fn any_day_exists(days: u64, months: u64) -> bool {
    const LONGEST: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12u32).any(|month| {
        months & (1 << month) != 0
            && (1..=LONGEST[month as usize - 1]).any(|day| days & (1 << day) != 0)
    })
}

/// A number written in digits only (`+5`, ` 5` or `٥` are not).
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn whole(text: &str, message: String) -> CronError {
    CronError {
        field: None,
        message,
        start: 0,
        end: text.chars().count(),
    }
}

/// Whitespace-separated fields with the character offset of each.
fn split_fields(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    for (chars, (byte, c)) in text.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some((chars, byte)),
            (true, Some((char_start, byte_start))) => {
                out.push((char_start, &text[byte_start..byte]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some((char_start, byte_start)) = start {
        out.push((char_start, &text[byte_start..]));
    }
    out
}

fn parse_field(field: Field, body: &str, offset: usize) -> Result<u64, CronError> {
    let mut set = 0u64;
    let mut at = offset;
    for item in body.split(',') {
        let len = item.chars().count();
        let err = |message: String| CronError {
            field: Some(field),
            message: format!("{} field: {message}", field.name()),
            start: at,
            end: at + len.max(1),
        };
        set |= parse_item(field, item).map_err(err)?;
        at += len + 1;
    }
    Ok(set)
}

fn parse_item(field: Field, item: &str) -> Result<u64, String> {
    let (min, max) = field.range();
    if item.is_empty() {
        return Err("an empty value (two commas in a row?)".into());
    }
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => {
            let step: u32 =
                digits(step).ok_or_else(|| format!("`{step}` is not a step (a whole number)"))?;
            if step == 0 || step > max {
                return Err(format!("a step of {step} is not between 1 and {max}"));
            }
            (range, step)
        }
        None => (item, 1),
    };
    let (low, high) = if range == "*" {
        (min, max)
    } else if let Some((a, b)) = range.split_once('-') {
        let (a, b) = (value(field, a)?, value(field, b)?);
        if a > b {
            return Err(format!("the range {a}-{b} runs backwards"));
        }
        (a, b)
    } else {
        let a = value(field, range)?;
        // `5/15` means from 5 to the end, every 15.
        (a, if item.contains('/') { max } else { a })
    };
    let mut set = 0u64;
    let mut v = low;
    while v <= high {
        set |= 1 << v;
        v += step;
    }
    Ok(set)
}

fn value(field: Field, text: &str) -> Result<u32, String> {
    let (min, max) = field.range();
    let lower = text.to_ascii_lowercase();
    if let Some(k) = field.names().iter().position(|n| *n == lower) {
        return Ok(k as u32 + field.first_name_value());
    }
    let n: u32 = digits(text).ok_or_else(|| {
        let names = field.names();
        if names.is_empty() {
            format!("`{text}` is not a number from {min} to {max}")
        } else {
            format!(
                "`{text}` is not a number from {min} to {max} nor a name ({})",
                names.join(", ")
            )
        }
    })?;
    if n < min || n > max {
        return Err(format!("{n} is outside {min} to {max}"));
    }
    Ok(n)
}
