//! French typography on every text Jalon sends in French, whoever wrote it
//! (a programme's template, Jalon's own texts, a value such as a stage's
//! title): a no-break space before `:` and `»` and after `«`, a narrow
//! no-break space before `;`, `!` and `?`, no-break spaces inside « 10 h 00 »
//! and between a day's number and its month (« 7 juillet »), and the
//! typographic apostrophe between letters.
//!
//! Web addresses are left exactly as written, and so are `10:30` and
//! `a:b` (no space after the colon: not a sentence's colon). Applying it
//! twice changes nothing more than applying it once.

use crate::french::MONTHS;

/// No-break space (U+00A0): before `:` and `»`, after `«`, in times and dates.
pub const NBSP: char = '\u{a0}';
/// Narrow no-break space (U+202F): before `;`, `!` and `?`.
pub const NNBSP: char = '\u{202f}';

/// `text` (plain text) with French typography.
pub fn french(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut rest = text;
    while let Some(start) = find_url(rest) {
        words(&rest[..start], &mut out);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '«' | '»'))
            .unwrap_or(tail.len());
        out.push_str(&tail[..end]);
        rest = &tail[end..];
    }
    words(rest, &mut out);
    out
}

/// `html` with French typography in its text, never inside its tags (nor in
/// `<style>` or `<script>`, nor in an address).
pub fn french_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&french_between_entities(&rest[..open]));
        let tail = &rest[open..];
        let lower = tail.get(..8).unwrap_or(tail).to_ascii_lowercase();
        let end = if lower.starts_with("<style") || lower.starts_with("<script") {
            let closing = if lower.starts_with("<style") {
                "</style>"
            } else {
                "</script>"
            };
            tail.to_ascii_lowercase()
                .find(closing)
                .map_or(tail.len(), |i| i + closing.len())
        } else {
            tail.find('>').map_or(tail.len(), |i| i + 1)
        };
        out.push_str(&tail[..end]);
        rest = &tail[end..];
    }
    out.push_str(&french_between_entities(rest));
    out
}

/// HTML text with its character references (`&amp;`, `&#39;`) kept whole.
fn french_between_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let tail = &rest[amp..];
        let entity = tail
            .char_indices()
            .skip(1)
            .take(10)
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '#'))
            .filter(|(_, c)| *c == ';')
            .map(|(i, _)| i + 1);
        match entity {
            Some(len) => {
                out.push_str(&french(&rest[..amp]));
                // An escaped apostrophe between letters (« l&#39;étape »,
                // as HTML escaping writes it) is an elision: ’.
                let apostrophe = matches!(&tail[..len], "&#39;" | "&#x27;" | "&apos;");
                let before = rest[..amp].chars().next_back();
                let after = tail[len..].chars().next();
                if apostrophe
                    && before.is_some_and(char::is_alphabetic)
                    && after.is_some_and(char::is_alphabetic)
                {
                    out.push('’');
                } else {
                    out.push_str(&tail[..len]);
                }
                rest = &tail[len..];
            }
            None => {
                out.push_str(&french(&rest[..=amp]));
                rest = &tail[1..];
            }
        }
    }
    out.push_str(&french(rest));
    out
}

/// Where the first address starts: one pass over the bytes (four
/// substring searches, each set up anew, cost more on the many short texts
/// between an HTML page's tags).
fn find_url(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len()).find(|&i| {
        matches!(bytes[i], b'h' | b'm' | b'w')
            && ["https://", "http://", "mailto:", "www."]
                .iter()
                .any(|scheme| bytes[i..].starts_with(scheme.as_bytes()))
    })
}

/// A space of any width that separates words (not a line break).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | NBSP | NNBSP | '\u{2009}')
}

/// Typography on text without addresses.
fn words(text: &str, out: &mut String) {
    // Only these are ever changed (the arms below): a text without any,
    // such as most of an HTML page's text between its tags, is copied.
    if !text.contains([':', '»', ';', '!', '?', '«', '\'', ' ']) {
        out.push_str(text);
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = out.chars().next_back();
        let after = chars.get(i + 1).copied();
        match c {
            ':' | '»' | ';' | '!' | '?' => {
                let space = if matches!(c, ':' | '»') { NBSP } else { NNBSP };
                // A colon inside a word or a time (`10:30`, `a:b`) is not
                // punctuation; neither is `?` or `!` in `?!` or `!!`.
                let ends_sentence = c == '»'
                    || after.is_none_or(|a| {
                        a.is_whitespace() || matches!(a, '»' | ')' | '"' | '!' | '?')
                    });
                match before {
                    Some(b) if is_space(b) && ends_sentence => {
                        out.pop();
                        out.push(space);
                    }
                    Some(b)
                        if (b.is_alphanumeric() || matches!(b, ')' | '»' | '…' | '.'))
                            && ends_sentence
                            && !(c == ':' && b == '.') =>
                    {
                        out.push(space)
                    }
                    _ => {}
                }
                out.push(c);
            }
            '«' => {
                out.push(c);
                match after {
                    Some(a) if is_space(a) => {
                        out.push(NBSP);
                        i += 1;
                    }
                    Some(a) if !a.is_whitespace() => out.push(NBSP),
                    _ => {}
                }
            }
            '\'' if before.is_some_and(char::is_alphabetic)
                && after.is_some_and(char::is_alphabetic) =>
            {
                out.push('’')
            }
            ' ' if glued(&chars, i, &before) => out.push(NBSP),
            c => out.push(c),
        }
        i += 1;
    }
}

/// Whether the space at `i` must not break a line: inside « 10 h 00 »
/// (between the hour and `h`, and `h` and the minutes), and between a day's
/// number (« 1er » too) and its month.
fn glued(chars: &[char], i: usize, before: &Option<char>) -> bool {
    // Asked at every space of every email: most follow a word that ends in
    // none of a number, `h` (« 10 h ») or `r` (« 1er »), and are answered
    // at once; otherwise the words are looked at in place, and only a
    // number's next word is lowercased to be compared.
    let may_glue = i
        .checked_sub(1)
        .and_then(|p| chars.get(p))
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, 'h' | 'r'));
    if !may_glue {
        return false;
    }
    let next_len = chars[i + 1..]
        .iter()
        .take_while(|c| c.is_alphanumeric())
        .count();
    let next_word = &chars[i + 1..i + 1 + next_len];
    let previous_len = chars[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .count();
    let previous_word = &chars[i - previous_len..i];
    let number = |w: &[char]| !w.is_empty() && w.len() <= 2 && w.iter().all(char::is_ascii_digit);
    let hour_word = next_word == ['h'] && number(previous_word);
    let minutes = previous_word == ['h']
        && before.is_some()
        && number(next_word)
        && next_word.len() == 2
        && i >= 2
        && matches!(chars[i - 2], ' ' | NBSP)
        && i >= 3
        && chars[i - 3].is_ascii_digit();
    let day = (number(previous_word) || previous_word == ['1', 'e', 'r'])
        && MONTHS.contains(&next_word.iter().collect::<String>().to_lowercase().as_str());
    hour_word || minutes || day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        text.replace(NBSP, "~").replace(NNBSP, "^")
    }

    /// `glued` as it was before its early answer: the words looked at in
    /// full at every space.
    fn glued_in_full(chars: &[char], i: usize, before: &Option<char>) -> bool {
        let next_len = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_alphanumeric())
            .count();
        let next_word = &chars[i + 1..i + 1 + next_len];
        let previous_len = chars[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .count();
        let previous_word = &chars[i - previous_len..i];
        let number =
            |w: &[char]| !w.is_empty() && w.len() <= 2 && w.iter().all(char::is_ascii_digit);
        let hour_word = next_word == ['h'] && number(previous_word);
        let minutes = previous_word == ['h']
            && before.is_some()
            && number(next_word)
            && next_word.len() == 2
            && i >= 2
            && matches!(chars[i - 2], ' ' | NBSP)
            && i >= 3
            && chars[i - 3].is_ascii_digit();
        let day = (number(previous_word) || previous_word == ['1', 'e', 'r'])
            && MONTHS.contains(&next_word.iter().collect::<String>().to_lowercase().as_str());
        hour_word || minutes || day
    }

    proptest::proptest! {
        #[test]
        fn the_early_answer_of_glued_is_the_full_one(
            words in proptest::collection::vec(
                proptest::sample::select(vec!["1", "1er", "10", "7", "h", "00", "30", "juillet", "Mars", "er", "r", "de", "2027", "é", "h30"]),
                1..8,
            ),
            with_before in proptest::bool::ANY,
        ) {
            let chars: Vec<char> = words.join(" ").chars().collect();
            let before = with_before.then_some('x');
            for (i, c) in chars.iter().enumerate() {
                if *c == ' ' {
                    proptest::prop_assert_eq!(
                        glued(&chars, i, &before),
                        glued_in_full(&chars, i, &before)
                    );
                }
            }
        }
    }

    #[test]
    fn an_escaped_apostrophe_between_letters_is_an_elision_in_html() {
        assert_eq!(
            french_html("<p>l&#39;étape d&#39;Ana, l&apos;an</p>"),
            "<p>l’étape d’Ana, l’an</p>"
        );
        // Around a word, or in an attribute, it stays as written.
        assert_eq!(
            french_html("<p>&#39;x&#39; <a title=\"l&#39;a\">y</a></p>"),
            "<p>&#39;x&#39; <a title=\"l&#39;a\">y</a></p>"
        );
    }

    #[test]
    fn spaces_before_double_punctuation_and_inside_quotes() {
        assert_eq!(
            shown(&french(
                "Rappel : « Feuille de route » à rendre ; merci ! Prêt ?"
            )),
            "Rappel~: «~Feuille de route~» à rendre^; merci^! Prêt^?"
        );
        assert_eq!(
            shown(&french("Rappel: «Feuille de route» ok; merci! Prêt?")),
            "Rappel~: «~Feuille de route~» ok^; merci^! Prêt^?"
        );
    }

    #[test]
    fn times_dates_and_apostrophes() {
        assert_eq!(
            shown(&french(
                "le lundi 7 juillet 2025 à 10 h 00, l'étape du 1er mars"
            )),
            "le lundi 7~juillet 2025 à 10~h~00, l’étape du 1er~mars"
        );
    }

    #[test]
    fn addresses_times_and_english_punctuation_untouched() {
        let text =
            "Valider : https://x.example/v?a=1&b=2 à 10:30, mailto:a@b.fr, http://y.example/p!";
        assert_eq!(
            shown(&french(text)),
            "Valider~: https://x.example/v?a=1&b=2 à 10:30, mailto:a@b.fr, http://y.example/p!"
        );
        assert_eq!(shown(&french("Wait?! Really!!")), "Wait^?! Really^!!");
    }

    #[test]
    fn html_text_only() {
        let html = "<p style=\"margin:0;\">A &amp; B ; Valider : <a href=\"https://x.example/?a=1\">ici</a> !</p><style>a:hover{x:y}</style>";
        assert_eq!(
            shown(&french_html(html)),
            "<p style=\"margin:0;\">A &amp; B^; Valider~: <a href=\"https://x.example/?a=1\">ici</a>^!</p><style>a:hover{x:y}</style>"
        );
    }

    #[test]
    fn applying_twice_changes_nothing_more() {
        for text in [
            "Rappel : « A » ; b ! c ? 10 h 00 le 1er mai",
            "«A»:b; l'x 7 juin",
            "a : : b ?? « » :",
            "  ! ? : ; « »",
        ] {
            let once = french(text);
            assert_eq!(french(&once), once, "{text:?}");
        }
    }

    proptest::proptest! {
        /// Whatever the text: applying twice is applying once, and only
        /// spaces change (and straight apostrophes between letters).
        #[test]
        fn idempotent_and_only_spaces_change(text in "[a-z0-9 :;!?«»'/.h]{0,40}|[ -~«»éà]{0,60}") {
            let once = french(&text);
            proptest::prop_assert_eq!(french(&once), once.clone());
            let kept = |t: &str| -> String {
                t.chars()
                    .filter(|c| !is_space(*c))
                    .map(|c| if c == '’' { '\'' } else { c })
                    .collect()
            };
            proptest::prop_assert_eq!(kept(&once), kept(&text));
            let html = french_html(&format!("<p title=\"{text}\">{text}</p>"));
            proptest::prop_assert_eq!(french_html(&html), html);
        }
    }
}
