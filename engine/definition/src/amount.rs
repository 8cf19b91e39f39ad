//! Amounts of money, in euros only: read as programme managers type them
//! (`25000`, `25000.5`, `"25 000 €"`, `"25 000,50 €"`), kept as whole
//! cents so that sums are exact, and written back the French way
//! (« 25 000 € »), the English way (« €25,000 ») or plainly for a
//! spreadsheet (`25000,50`).

use serde::{Deserialize, Serialize};

use crate::model::Language;

/// An amount of money in euro cents, never negative, at most [`Amount::MAX`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Amount(u64);

/// Why a text is not an amount, and the characters (not bytes) it is about.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AmountError {
    pub message: String,
    pub hint: String,
    /// Character offsets in the text read.
    pub start: usize,
    pub end: usize,
}

/// The spaces people put between thousands: plain, no-break, narrow
/// no-break and thin.
const GROUP_SPACES: [char; 4] = [' ', '\u{a0}', '\u{202f}', '\u{2009}'];

/// Characters that say another currency was meant.
const OTHER_CURRENCIES: [char; 6] = ['$', '£', '¥', '₣', 'F', 'f'];

const EXAMPLE: &str = "write a number of euros, e.g. `25000` or `\"25 000 €\"`";

impl Amount {
    /// One billion euros: far above any programme's budget, and low enough
    /// that sums over any number of participants stay exact.
    pub const MAX: Amount = Amount(1_000_000_000 * 100);

    pub const ZERO: Amount = Amount(0);

    pub fn from_cents(cents: u64) -> Option<Amount> {
        (cents <= Self::MAX.0).then_some(Amount(cents))
    }

    pub fn cents(self) -> u64 {
        self.0
    }

    /// Reads an amount as typed: digits, thousands separated by spaces or
    /// not, a decimal comma or point with one or two decimals, and `€`,
    /// `EUR` or `euros` before or after.
    pub fn parse(text: &str) -> Result<Amount, AmountError> {
        parse(text)
    }

    /// In words of `language`: « 25 000 € », « 25 000,50 € », « €25,000 ».
    pub fn words(self, language: Language) -> String {
        total_words(self.0, language)
    }

    /// For a spreadsheet: `25000`, or `25000,50` in French and `25000.50`
    /// in English (the decimal separator of the language's locale).
    pub fn plain(self, language: Language) -> String {
        total_plain(self.0, language)
    }

    /// Euros as a JSON number: exact up to the bound (the shortest decimal
    /// that reads back as the same double).
    pub fn euros(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// Cents added up; never overflows (each term is at most [`Amount::MAX`]).
pub fn sum(amounts: impl IntoIterator<Item = Amount>) -> u64 {
    amounts
        .into_iter()
        .fold(0u64, |total, a| total.saturating_add(a.0))
}

/// A number of cents (a sum may exceed [`Amount::MAX`]) in words of
/// `language`: narrow no-break spaces between thousands and a no-break
/// space before `€` in French; cents only when there are some.
pub fn total_words(cents: u64, language: Language) -> String {
    let (euros, rest) = (cents / 100, cents % 100);
    match language {
        Language::Fr => {
            let mut text = grouped(euros, '\u{202f}');
            if rest != 0 {
                text.push_str(&format!(",{rest:02}"));
            }
            text.push_str("\u{a0}€");
            text
        }
        Language::En => {
            let mut text = format!("€{}", grouped(euros, ','));
            if rest != 0 {
                text.push_str(&format!(".{rest:02}"));
            }
            text
        }
    }
}

/// A number of cents plainly, for a spreadsheet of `language`'s locale.
pub fn total_plain(cents: u64, language: Language) -> String {
    let (euros, rest) = (cents / 100, cents % 100);
    if rest == 0 {
        return euros.to_string();
    }
    let point = match language {
        Language::Fr => ',',
        Language::En => '.',
    };
    format!("{euros}{point}{rest:02}")
}

/// `1234567` → `1 234 567` with `separator`.
fn grouped(value: u64, separator: char) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

fn refusal(message: impl Into<String>, hint: &str, start: usize, end: usize) -> AmountError {
    AmountError {
        message: message.into(),
        hint: hint.to_owned(),
        start,
        end: end.max(start + 1),
    }
}

fn parse(text: &str) -> Result<Amount, AmountError> {
    let chars: Vec<char> = text.chars().collect();
    let nothing = || refusal("there is no amount here", EXAMPLE, 0, chars.len());
    let (from, to) = without_currency(&chars);
    if from == to {
        return Err(nothing());
    }
    let body = &chars[from..to];
    let at = |i: usize| (from + i, from + i + 1);
    if let Some(i) = body.iter().position(|c| *c == '-' || *c == '−') {
        let (s, e) = at(i);
        return Err(refusal(
            "an amount cannot be negative",
            "write what is awarded, e.g. `25000`",
            s,
            e,
        ));
    }
    if let Some(i) = body
        .iter()
        .position(|c| OTHER_CURRENCIES.contains(c) || *c == '€')
    {
        let (s, e) = at(i);
        return Err(refusal(
            format!("`{}` is not a euro amount", body[i]),
            "amounts are in euros only, e.g. `25000` or `\"25 000 €\"`",
            s,
            e,
        ));
    }
    let allowed =
        |c: &char| c.is_ascii_digit() || GROUP_SPACES.contains(c) || *c == ',' || *c == '.';
    if let Some(i) = body.iter().position(|c| !allowed(c)) {
        let (s, e) = at(i);
        return Err(refusal(
            format!("`{}` cannot be part of an amount", body[i]),
            "write digits only, with spaces between thousands and a comma before cents, e.g. `\"25 000,50 €\"`",
            s,
            e,
        ));
    }
    // Digits, single spaces between thousands, and one decimal mark.
    let mark = body.iter().rposition(|c| *c == ',' || *c == '.');
    let (integer, decimals) = match mark {
        Some(m) => (&body[..m], Some(&body[m + 1..])),
        None => (body, None),
    };
    if let Some(i) = integer.iter().position(|c| *c == ',' || *c == '.') {
        let (s, e) = at(i);
        return Err(refusal(
            format!("`{}` cannot separate thousands", integer[i]),
            "separate thousands with spaces, or not at all, e.g. `\"1 250 000 €\"` or `1250000`",
            s,
            e,
        ));
    }
    let euros = whole_euros(integer, from)?.ok_or_else(nothing)?;
    let cents = match decimals {
        None => 0,
        Some(decimals) => cents(body, integer, decimals, from)?,
    };
    euros
        .checked_mul(100)
        .and_then(|e| e.checked_add(cents))
        .and_then(Amount::from_cents)
        .ok_or_else(|| {
            refusal(
                "this amount is larger than one billion euros",
                "check the number of zeros; amounts are in euros, not cents",
                from,
                to,
            )
        })
}

/// The characters left once spaces and the currency (`€`, `EUR`, `euros`,
/// before or after) are taken off: `[from, to)`.
fn without_currency(chars: &[char]) -> (usize, usize) {
    let is_space = |c: char| c.is_whitespace() || GROUP_SPACES.contains(&c);
    let trim = |(mut from, mut to): (usize, usize)| {
        while from < to && is_space(chars[from]) {
            from += 1;
        }
        while to > from && is_space(chars[to - 1]) {
            to -= 1;
        }
        (from, to)
    };
    let (mut from, mut to) = trim((0, chars.len()));
    let word_at = |at: usize, word: &str| {
        let n = word.chars().count();
        at + n <= chars.len()
            && chars[at..at + n]
                .iter()
                .zip(word.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b))
    };
    for word in ["€", "euros", "eur"] {
        let n = word.chars().count();
        if to - from < n {
            continue;
        }
        if word_at(from, word) {
            from += n;
            break;
        }
        if word_at(to - n, word) {
            to -= n;
            break;
        }
    }
    trim((from, to))
}

/// The euros before the decimal mark, thousands separated by one space or
/// not at all; `None` when there is no digit. `from`: where `integer`
/// starts in the text, for the refusals' places.
fn whole_euros(integer: &[char], from: usize) -> Result<Option<u64>, AmountError> {
    let mut euros: u64 = 0;
    let mut digits = 0;
    let mut after_space = true;
    for (i, c) in integer.iter().enumerate() {
        if let Some(d) = c.to_digit(10) {
            digits += 1;
            after_space = false;
            euros = euros.saturating_mul(10).saturating_add(u64::from(d));
            continue;
        }
        if after_space {
            return Err(refusal(
                "a space before the first digit of an amount",
                "separate thousands with one space, e.g. `\"25 000 €\"`",
                from + i,
                from + i + 1,
            ));
        }
        after_space = true;
        let group = integer[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if group == 0 && integer.get(i + 1).is_some() {
            return Err(refusal(
                "two spaces in a row in an amount",
                "separate thousands with one space, e.g. `\"25 000 €\"`",
                from + i + 1,
                from + i + 2,
            ));
        }
        if group != 3 && integer.get(i + 1).is_some() {
            return Err(refusal(
                "thousands are groups of three digits",
                "separate thousands with one space every three digits, e.g. `\"1 250 000 €\"`",
                from + i,
                from + i + 1,
            ));
        }
    }
    if after_space && digits > 0 {
        return Err(refusal(
            "a space before the decimal comma",
            "write e.g. `\"25 000,50 €\"`",
            from + integer.len() - 1,
            from + integer.len(),
        ));
    }
    Ok((digits > 0).then_some(euros))
}

/// The cents after the decimal mark: one or two digits.
fn cents(
    body: &[char],
    integer: &[char],
    decimals: &[char],
    from: usize,
) -> Result<u64, AmountError> {
    let m = from + integer.len();
    if decimals.is_empty() || !decimals.iter().all(char::is_ascii_digit) {
        return Err(refusal(
            "cents come as one or two digits after the decimal comma",
            "write e.g. `\"25 000,50 €\"`",
            m,
            m + 1 + decimals.len(),
        ));
    }
    // `1,500` is a thousand and a half in English, one and a half in
    // French: neither is guessed.
    if decimals.len() == 3 && integer.len() <= 3 {
        return Err(refusal(
            format!(
                "`{}` may be thousands or a decimal: it is not clear",
                body.iter().collect::<String>()
            ),
            "separate thousands with a space (`\"1 500 €\"`) and write cents with two digits (`\"1,50 €\"`)",
            m,
            m + 4,
        ));
    }
    if decimals.len() > 2 {
        return Err(refusal(
            format!(
                "an amount has at most 2 decimals (cents), not {}",
                decimals.len()
            ),
            "round it to the cent, e.g. `\"25 000,50 €\"`",
            m + 3,
            m + 1 + decimals.len(),
        ));
    }
    let value: u64 = decimals
        .iter()
        .filter_map(|c| c.to_digit(10))
        .fold(0, |v, d| v * 10 + u64::from(d));
    Ok(if decimals.len() == 1 {
        value * 10
    } else {
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cents(text: &str) -> u64 {
        Amount::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .cents()
    }

    fn refused(text: &str) -> AmountError {
        match Amount::parse(text) {
            Ok(a) => panic!("{text} read as {a:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn reads_amounts_as_managers_type_them() {
        assert_eq!(cents("25000"), 2_500_000);
        assert_eq!(cents("25 000 €"), 2_500_000);
        assert_eq!(cents("25\u{a0}000\u{a0}€"), 2_500_000);
        assert_eq!(cents("25\u{202f}000 €"), 2_500_000);
        assert_eq!(cents("25 000,50 €"), 2_500_050);
        assert_eq!(cents("25000.5"), 2_500_050);
        assert_eq!(cents("€25000.05"), 2_500_005);
        assert_eq!(cents("1 250 000 EUR"), 125_000_000);
        assert_eq!(cents("EUR 3000"), 300_000);
        assert_eq!(cents("3000 euros"), 300_000);
        assert_eq!(cents("  0 € "), 0);
        assert_eq!(cents("1000000000"), Amount::MAX.cents());
    }

    #[test]
    fn refuses_at_the_exact_character() {
        let e = refused("-25 000 €");
        assert_eq!((e.start, e.end), (0, 1));
        assert!(e.message.contains("negative"));
        let e = refused("25 000,505 €");
        assert!(e.message.contains("at most 2 decimals"), "{e}");
        assert_eq!((e.start, e.end), (9, 10));
        let e = refused("25 000 $");
        assert_eq!((e.start, e.end), (7, 8));
        assert!(e.hint.contains("euros only"));
        let e = refused("25k");
        assert_eq!((e.start, e.end), (2, 3));
        let e = refused("1,500");
        assert!(e.message.contains("not clear"), "{e}");
        assert!(refused("25.000 €").message.contains("not clear"));
        let e = refused("25,000,000");
        assert_eq!((e.start, e.end), (2, 3));
        let e = refused("25 00");
        assert!(e.message.contains("groups of three"), "{e}");
        assert_eq!((e.start, e.end), (2, 3));
        assert!(refused("25  000").message.contains("two spaces"));
        assert!(refused("1000000000.01").message.contains("one billion"));
        assert!(refused("99999999999999999999999")
            .message
            .contains("one billion"));
        assert!(refused("€").message.contains("no amount"));
        assert!(refused("").message.contains("no amount"));
        assert!(refused(",50").message.contains("no amount"));
        assert!(refused("25 000,").message.contains("cents"));
        assert!(refused("25 000 ,50").message.contains("space before"));
    }

    #[test]
    fn writes_amounts_the_french_and_the_english_way() {
        let a = |c| Amount::from_cents(c).expect("in bounds");
        assert_eq!(a(2_500_000).words(Language::Fr), "25\u{202f}000\u{a0}€");
        assert_eq!(a(2_500_050).words(Language::Fr), "25\u{202f}000,50\u{a0}€");
        assert_eq!(a(39_000_000).words(Language::Fr), "390\u{202f}000\u{a0}€");
        assert_eq!(a(500).words(Language::Fr), "5\u{a0}€");
        assert_eq!(a(2_500_000).words(Language::En), "€25,000");
        assert_eq!(a(123_456_705).words(Language::En), "€1,234,567.05");
        assert_eq!(a(2_500_050).plain(Language::Fr), "25000,50");
        assert_eq!(a(2_500_050).plain(Language::En), "25000.50");
        assert_eq!(a(2_500_000).plain(Language::Fr), "25000");
        assert_eq!(sum([a(1), Amount::MAX]), Amount::MAX.cents() + 1);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = Amount::parse(&text);
        }

        #[test]
        fn refusals_point_inside_the_text(text in "[-0-9 ,.€$EURO\u{a0}\u{202f}]{0,30}") {
            if let Err(e) = Amount::parse(&text) {
                prop_assert!(e.start < e.end);
                prop_assert!(e.end <= text.chars().count().max(1));
            }
        }

        #[test]
        fn what_is_written_reads_back(c in 0..=Amount::MAX.cents()) {
            let amount = Amount::from_cents(c).expect("in bounds");
            // French words and plain numbers read back; English words use
            // `,` between thousands, refused as unclear (`1,500`).
            prop_assert_eq!(Amount::parse(&amount.words(Language::Fr)), Ok(amount));
            for language in Language::ALL {
                prop_assert_eq!(Amount::parse(&amount.plain(language)), Ok(amount));
            }
        }
    }
}
