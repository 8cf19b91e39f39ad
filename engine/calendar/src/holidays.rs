//! French public holidays (jours fériés), including the Alsace-Moselle local law.

use jiff::civil::Date;
use jiff::ToSpan;

use crate::easter::checked_easter_sunday;

/// Which set of public holidays applies to a calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HolidayRegion {
    /// The eleven national holidays.
    France,
    /// France plus Good Friday and 26 December (Bas-Rhin, Haut-Rhin, Moselle).
    AlsaceMoselle,
    /// No public holidays, e.g. for a supplier working every weekday.
    None,
}

/// One public holiday of a given year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub name: &'static str,
}

/// When a holiday falls: a fixed day of the year or an offset from Easter Sunday.
#[derive(Clone, Copy)]
enum When {
    Fixed { month: i8, day: i8 },
    Easter(i16),
}

struct Rule {
    name: &'static str,
    when: When,
    alsace_moselle_only: bool,
}

const fn fixed(name: &'static str, month: i8, day: i8) -> Rule {
    Rule {
        name,
        when: When::Fixed { month, day },
        alsace_moselle_only: false,
    }
}

const fn easter(name: &'static str, offset: i16) -> Rule {
    Rule {
        name,
        when: When::Easter(offset),
        alsace_moselle_only: false,
    }
}

const fn local(rule: Rule) -> Rule {
    Rule {
        alsace_moselle_only: true,
        ..rule
    }
}

/// One of our holidays' names, given as text (read back from a cache).
pub(crate) fn known_name(name: &str) -> Option<&'static str> {
    RULES
        .iter()
        .map(|rule| rule.name)
        .find(|known| *known == name)
}

/// Fixed holidays come first so that, when Ascension falls on 1 or 8 May,
/// the fixed name wins in [`holiday_name`] and is listed first.
const RULES: [Rule; 13] = [
    fixed("Jour de l'an", 1, 1),
    fixed("Fête du Travail", 5, 1),
    fixed("Victoire 1945", 5, 8),
    fixed("Fête nationale", 7, 14),
    fixed("Assomption", 8, 15),
    fixed("Toussaint", 11, 1),
    fixed("Armistice 1918", 11, 11),
    fixed("Noël", 12, 25),
    local(fixed("Saint-Étienne", 12, 26)),
    local(easter("Vendredi saint", -2)),
    easter("Lundi de Pâques", 1),
    easter("Ascension", 39),
    easter("Lundi de Pentecôte", 50),
];

/// Movable holidays range from Good Friday (20 March at the earliest) to
/// Whit Monday (14 June at the latest); outside these months Easter is not
/// computed at all.
const MOVABLE_MONTHS: std::ops::RangeInclusive<i8> = 3..=6;

impl Rule {
    fn applies_in(&self, region: HolidayRegion) -> bool {
        match region {
            HolidayRegion::France => !self.alsace_moselle_only,
            HolidayRegion::AlsaceMoselle => true,
            HolidayRegion::None => false,
        }
    }
}

/// Returns the holidays of `year` in `region`, sorted by date.
///
/// When two holidays share a date (Ascension on 1 or 8 May, as in 2008) both
/// are listed, the fixed one first. Years jiff cannot represent have none.
pub fn public_holidays(year: i16, region: HolidayRegion) -> Vec<Holiday> {
    let easter = checked_easter_sunday(year);
    let mut holidays: Vec<Holiday> = RULES
        .iter()
        .filter(|rule| rule.applies_in(region))
        .filter_map(|rule| {
            let date = match rule.when {
                When::Fixed { month, day } => Date::new(year, month, day).ok()?,
                When::Easter(offset) => easter?.checked_add(offset.days()).ok()?,
            };
            Some(Holiday {
                date,
                name: rule.name,
            })
        })
        .collect();
    // Stable, so same-day holidays keep the fixed-first order of RULES.
    holidays.sort_by_key(|holiday| holiday.date);
    holidays
}

/// Returns the name of the holiday on `date`, if any, without building a list.
pub(crate) fn holiday_name(date: Date, region: HolidayRegion) -> Option<&'static str> {
    if region == HolidayRegion::None {
        return None;
    }
    let easter_day_of_year = if MOVABLE_MONTHS.contains(&date.month()) {
        checked_easter_sunday(date.year()).map(|easter| easter.day_of_year())
    } else {
        None
    };
    RULES
        .iter()
        .filter(|rule| rule.applies_in(region))
        .find(|rule| match rule.when {
            When::Fixed { month, day } => date.month() == month && date.day() == day,
            // Every movable holiday falls in the same year as Easter, so
            // comparing day-of-year numbers is exact.
            When::Easter(offset) => {
                easter_day_of_year.is_some_and(|easter| date.day_of_year() - easter == offset)
            }
        })
        .map(|rule| rule.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn listed(year: i16, region: HolidayRegion) -> Vec<(Date, &'static str)> {
        public_holidays(year, region)
            .into_iter()
            .map(|holiday| (holiday.date, holiday.name))
            .collect()
    }

    #[test]
    fn france_2024() {
        assert_eq!(
            listed(2024, HolidayRegion::France),
            vec![
                (date(2024, 1, 1), "Jour de l'an"),
                (date(2024, 4, 1), "Lundi de Pâques"),
                (date(2024, 5, 1), "Fête du Travail"),
                (date(2024, 5, 8), "Victoire 1945"),
                (date(2024, 5, 9), "Ascension"),
                (date(2024, 5, 20), "Lundi de Pentecôte"),
                (date(2024, 7, 14), "Fête nationale"),
                (date(2024, 8, 15), "Assomption"),
                (date(2024, 11, 1), "Toussaint"),
                (date(2024, 11, 11), "Armistice 1918"),
                (date(2024, 12, 25), "Noël"),
            ]
        );
    }

    #[test]
    fn france_2025() {
        assert_eq!(
            listed(2025, HolidayRegion::France),
            vec![
                (date(2025, 1, 1), "Jour de l'an"),
                (date(2025, 4, 21), "Lundi de Pâques"),
                (date(2025, 5, 1), "Fête du Travail"),
                (date(2025, 5, 8), "Victoire 1945"),
                (date(2025, 5, 29), "Ascension"),
                (date(2025, 6, 9), "Lundi de Pentecôte"),
                (date(2025, 7, 14), "Fête nationale"),
                (date(2025, 8, 15), "Assomption"),
                (date(2025, 11, 1), "Toussaint"),
                (date(2025, 11, 11), "Armistice 1918"),
                (date(2025, 12, 25), "Noël"),
            ]
        );
    }

    #[test]
    fn alsace_moselle_adds_good_friday_and_saint_stephen() {
        let france = listed(2025, HolidayRegion::France);
        let alsace = listed(2025, HolidayRegion::AlsaceMoselle);
        assert_eq!(alsace.len(), 13);
        let extras: Vec<_> = alsace
            .iter()
            .filter(|holiday| !france.contains(holiday))
            .copied()
            .collect();
        assert_eq!(
            extras,
            vec![
                (date(2025, 4, 18), "Vendredi saint"),
                (date(2025, 12, 26), "Saint-Étienne"),
            ]
        );
        assert_eq!(
            holiday_name(date(2025, 4, 18), HolidayRegion::AlsaceMoselle),
            Some("Vendredi saint")
        );
        assert_eq!(holiday_name(date(2025, 4, 18), HolidayRegion::France), None);
    }

    #[test]
    fn no_region_has_no_holidays() {
        assert!(public_holidays(2025, HolidayRegion::None).is_empty());
        assert_eq!(holiday_name(date(2025, 12, 25), HolidayRegion::None), None);
    }

    #[test]
    fn ascension_on_labour_day_lists_both_and_names_the_fixed_one() {
        let may_day = date(2008, 5, 1);
        let same_day: Vec<_> = listed(2008, HolidayRegion::France)
            .into_iter()
            .filter(|(day, _)| *day == may_day)
            .collect();
        assert_eq!(
            same_day,
            vec![(may_day, "Fête du Travail"), (may_day, "Ascension")]
        );
        assert_eq!(
            holiday_name(may_day, HolidayRegion::France),
            Some("Fête du Travail")
        );
    }

    #[test]
    fn lookup_agrees_with_the_list() {
        for region in [HolidayRegion::France, HolidayRegion::AlsaceMoselle] {
            for year in [1600, 1999, 2008, 2024, 2025, 2038, 2285, 9999] {
                let holidays = public_holidays(year, region);
                let mut day = date(year, 1, 1);
                while day.year() == year {
                    let expected = holidays.iter().find(|h| h.date == day).map(|h| h.name);
                    assert_eq!(holiday_name(day, region), expected, "{day}");
                    match day.tomorrow() {
                        Ok(next) => day = next,
                        Err(_) => break,
                    }
                }
            }
        }
    }

    #[test]
    fn extreme_years_do_not_panic() {
        assert_eq!(
            public_holidays(-9999, HolidayRegion::AlsaceMoselle).len(),
            13
        );
        assert_eq!(
            public_holidays(9999, HolidayRegion::AlsaceMoselle).len(),
            13
        );
        assert!(public_holidays(10_000, HolidayRegion::France).is_empty());
        assert!(public_holidays(i16::MIN, HolidayRegion::France).is_empty());
    }
}
