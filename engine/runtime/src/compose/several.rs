//! People who follow several editions at once (a coordinator of two
//! overlapping promotions, a validator for two programmes): their subjects
//! say which edition each email is about, « [Promotion 2027] Rappel… ».

use std::collections::HashSet;

use jalon_definition::resolved::Edition;
use jalon_message::Mailbox;
use jiff::Timestamp;

/// The addresses (in lower case) found in two or more of `editions` that
/// run at `now` (today, in each edition's zone, within its dates): its
/// people and its participants' contacts.
pub fn readers_of_several<'a>(
    editions: impl IntoIterator<Item = &'a Edition>,
    now: Timestamp,
) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut several = HashSet::new();
    for edition in editions {
        let today = now.to_zoned(edition.time_zone.clone()).date();
        if today < edition.start || today > edition.end {
            continue;
        }
        let addresses: HashSet<String> = edition
            .people
            .iter()
            .filter_map(|p| p.email.as_deref())
            .chain(
                edition
                    .participants
                    .iter()
                    .filter_map(|p| p.contact_email.as_deref()),
            )
            .map(str::to_lowercase)
            .collect();
        for address in addresses {
            if !seen.insert(address.clone()) {
                several.insert(address);
            }
        }
    }
    several
}

/// `subject`, led by the edition's name when one of `to` follows several
/// editions (and the subject does not name it already).
pub fn subject_for(
    edition: &Edition,
    subject: &str,
    to: &[Mailbox],
    several: &HashSet<String>,
) -> String {
    let follows_several =
        !several.is_empty() && to.iter().any(|m| several.contains(&m.email.to_lowercase()));
    // The name as written, or as French typography sets it (`’`); asked
    // only of those readers (typesetting it for every email cost time).
    let named = || {
        subject.contains(&edition.name)
            || subject.contains(&jalon_message::typography::french(&edition.name))
    };
    if follows_several && !named() {
        format!("[{}] {subject}", edition.name)
    } else {
        subject.to_owned()
    }
}
