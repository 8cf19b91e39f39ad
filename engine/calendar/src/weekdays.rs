//! A compact set of weekdays, so the per-day check is a single bit test.

use jiff::civil::Weekday;

/// Bit `n` set means the weekday `n` days after Monday is in the set.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) struct WeekdaySet(u8);

impl WeekdaySet {
    pub(crate) fn contains(self, weekday: Weekday) -> bool {
        self.0 & bit(weekday) != 0
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Members from Monday to Sunday.
    pub(crate) fn iter(self) -> impl Iterator<Item = Weekday> {
        Weekday::Monday
            .cycle_forward()
            .take(7)
            .filter(move |weekday| self.contains(*weekday))
    }
}

impl FromIterator<Weekday> for WeekdaySet {
    fn from_iter<I: IntoIterator<Item = Weekday>>(weekdays: I) -> Self {
        Self(
            weekdays
                .into_iter()
                .fold(0, |bits, weekday| bits | bit(weekday)),
        )
    }
}

/// Lists the weekdays, since a raw bitmask is unreadable in calendar dumps.
impl std::fmt::Debug for WeekdaySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

fn bit(weekday: Weekday) -> u8 {
    1 << weekday.to_monday_zero_offset()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_members_in_week_order_without_duplicates() {
        let set: WeekdaySet = [Weekday::Sunday, Weekday::Monday, Weekday::Sunday]
            .into_iter()
            .collect();
        assert!(set.contains(Weekday::Monday));
        assert!(!set.contains(Weekday::Tuesday));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Weekday::Monday, Weekday::Sunday]
        );
        assert!(WeekdaySet::default().is_empty());
        assert_eq!(format!("{set:?}"), "{Monday, Sunday}");
    }
}
