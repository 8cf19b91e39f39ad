//! Programme-wide closures such as the summer shutdown or the Christmas break.

use jiff::civil::Date;

/// A named, inclusive range of days on which nobody works.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Closure {
    pub name: String,
    pub first_day: Date,
    pub last_day: Date,
}

impl Closure {
    /// Builds a closure; the range is validated by
    /// [`WorkingCalendar::new`](crate::WorkingCalendar::new), where it matters.
    pub fn new(name: impl Into<String>, first_day: Date, last_day: Date) -> Self {
        Self {
            name: name.into(),
            first_day,
            last_day,
        }
    }

    /// Whether `date` falls within the closure, both ends included.
    pub fn contains(&self, date: Date) -> bool {
        self.first_day <= date && date <= self.last_day
    }
}
