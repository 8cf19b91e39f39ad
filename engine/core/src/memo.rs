//! Calendar sums remembered for an edition. Every participant's instance of
//! a stage asks for the same few hundred: a date moved by a number of
//! working days (walked a day at a time through weekends and holidays), a
//! local time made an instant (through the zone's rules). Remembered, a
//! large edition's year spends a tenth less.
//!
//! Each answer depends only on what it is keyed by and on the edition,
//! which a state never changes, so a remembered answer is always the one
//! computed afresh. Behind a lock, as a state is read from several threads;
//! only the thread that changes the state asks, so it never waits.

use std::sync::Mutex;

use jalon_definition::expr::Offset;
use jiff::civil::{Date, Time};
use jiff::Timestamp;
use rustc_hash::FxHashMap;

use crate::state::State;
use crate::time::local;

/// Answers kept at most, each table; past it, the table starts again (an
/// edition spans a year or two: this is never reached but by a definition
/// written to reach it).
const MOST_REMEMBERED: usize = 1 << 16;

/// A date sum: a stage (its calendar), a date and an offset; no offset
/// for the sending day.
type DateSum = (usize, Date, Option<Offset>);

#[derive(Debug, Default)]
pub(crate) struct Memo {
    dates: Mutex<FxHashMap<DateSum, Option<Date>>>,
    instants: Mutex<FxHashMap<(Date, Time), Timestamp>>,
}

fn remembered<K: std::hash::Hash + Eq, V: Copy>(
    table: &Mutex<FxHashMap<K, V>>,
    key: K,
    compute: impl FnOnce() -> V,
) -> V {
    // A poisoned lock only loses the memory, never the answer.
    let Ok(mut table) = table.lock() else {
        return compute();
    };
    if let Some(&known) = table.get(&key) {
        return known;
    }
    if table.len() >= MOST_REMEMBERED {
        table.clear();
    }
    let value = compute();
    table.insert(key, value);
    value
}

impl State {
    /// `date` moved by `offset`, working days by stage `stage`'s calendar.
    pub(crate) fn shifted(&self, stage: usize, offset: Offset, date: Date) -> Option<Date> {
        remembered(&self.memo.dates, (stage, date, Some(offset)), || {
            offset.apply(self.edition.calendar_of(stage), date)
        })
    }

    /// The day a message of stage `stage` computed for `date` goes out
    /// ([`crate::time::working_day_on_or_before`]).
    pub(crate) fn sending_day(&self, stage: usize, date: Date) -> Date {
        remembered(&self.memo.dates, (stage, date, None), || {
            Some(crate::time::working_day_on_or_before(
                self.edition.calendar_of(stage),
                date,
            ))
        })
        .unwrap_or(date)
    }

    /// `time` on `date` in the edition's zone ([`crate::time::local`]).
    pub(crate) fn instant(&self, date: Date, time: Time) -> Timestamp {
        remembered(&self.memo.instants, (date, time), || {
            local(&self.edition.time_zone, date, time)
        })
    }

    /// The first instant after `date` ([`crate::time::end_of_day`]).
    pub(crate) fn end_of(&self, date: Date) -> Timestamp {
        match date.tomorrow() {
            Ok(next) => self.instant(next, Time::midnight()),
            Err(_) => Timestamp::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_starts_again_and_still_answers() {
        let table = Mutex::new(FxHashMap::default());
        for n in 0..MOST_REMEMBERED + 10 {
            assert_eq!(remembered(&table, n, || n * 2), n * 2);
        }
        assert!(table.lock().map(|t| t.len()).unwrap_or(0) <= MOST_REMEMBERED);
        assert_eq!(remembered(&table, 3, || 6), 6);
        // Remembered: a second computation is not asked for.
        assert_eq!(remembered(&table, 3, || 0), 6);
    }
}
