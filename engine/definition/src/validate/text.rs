//! Names, titles and subjects go into email headers and onto one line of a
//! screen: a line break there splits a header (or panics the mail
//! library), a NUL truncates it, and a bidirectional control reorders what
//! a reader sees. They are refused where they are written.

use super::{span_inside, Checker};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::tree::{Node, NodeValue};

/// Keys whose text is one line shown to people: names (of the programme,
/// the sender, people, organisations, roles, participants, contacts,
/// closures, the edition) and titles (of stages, themes, people).
const ONE_LINE: [&str; 2] = ["name", "title"];

/// A character that has no place in a one-line text, with what it is.
pub fn forbidden(c: char) -> Option<&'static str> {
    match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => Some("a line break"),
        '\0' => Some("a NUL character"),
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            Some("a bidirectional control character, which reorders what is shown")
        }
        c if c.is_control() => Some("a control character"),
        _ => None,
    }
}

/// The first forbidden character of `text`: its index in characters, the
/// character and what it is.
pub fn first_forbidden(text: &str, allow_breaks: bool) -> Option<(usize, char, &'static str)> {
    // Printable ASCII, as most texts are, holds nothing forbidden.
    if text.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return None;
    }
    text.chars().enumerate().find_map(|(i, c)| {
        let breaks = matches!(c, '\n' | '\r' | '\t');
        if allow_breaks && breaks {
            return None;
        }
        forbidden(c).map(|what| (i, c, what))
    })
}

pub(crate) fn check(checker: &mut Checker<'_>) {
    let mut found = Vec::new();
    walk(checker.tree, &mut found);
    // Subjects are templates; line breaks and tabs in them are folded into
    // spaces when they are rendered, the rest stays in the header.
    for template in checker.tree.get("templates").map(items).unwrap_or_default() {
        if let Some(subject) = template.get("subject") {
            keep_if_forbidden(&mut found, ("subject", subject, true));
        }
        for (_, text) in template
            .get("translations")
            .map(entries)
            .unwrap_or_default()
        {
            if let Some(subject) = text.get("subject") {
                keep_if_forbidden(&mut found, ("subject", subject, true));
            }
        }
    }
    for (key, node, allow_breaks) in found {
        let Some(text) = node.as_str() else { continue };
        let Some((index, c, what)) = first_forbidden(text, allow_breaks) else {
            continue;
        };
        let span = place(checker, node, text, index);
        checker.push(
            Diagnostic::error(
                "control-character",
                format!("this {key} holds {what} (U+{:04X})", c as u32),
            )
            .at(span)
            .label(format!("U+{:04X} here", c as u32))
            .hint(format!(
                "a {key} is one line of visible text: remove the character (it may be invisible in your editor){}",
                if key == "subject" { "" } else { "; a long text goes under `description`" }
            )),
        );
    }
}

fn items(node: &Node) -> Vec<&Node> {
    match &node.value {
        NodeValue::Seq(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

fn entries(node: &Node) -> Vec<(&str, &Node)> {
    match &node.value {
        NodeValue::Map(entries) => entries.iter().map(|e| (e.key.as_str(), &e.value)).collect(),
        _ => Vec::new(),
    }
}

/// Keeps a text to report only when it holds a forbidden character: a
/// generated edition has tens of thousands of names, all fine.
fn keep_if_forbidden<'t>(
    found: &mut Vec<(&'static str, &'t Node, bool)>,
    text: (&'static str, &'t Node, bool),
) {
    let (_, node, allow_breaks) = text;
    if node
        .as_str()
        .is_some_and(|s| first_forbidden(s, allow_breaks).is_some())
    {
        found.push(text);
    }
}

/// Every `name:` and `title:` text in the tree (not under `templates`,
/// whose texts are checked as templates) that holds a forbidden character.
fn walk<'t>(node: &'t Node, found: &mut Vec<(&'static str, &'t Node, bool)>) {
    match &node.value {
        NodeValue::Map(entries) => {
            for entry in entries {
                if entry.key == "templates" {
                    continue;
                }
                if let Some(key) = ONE_LINE.iter().find(|k| **k == entry.key) {
                    if matches!(entry.value.value, NodeValue::Str(_)) {
                        keep_if_forbidden(found, (key, &entry.value, false));
                        continue;
                    }
                }
                walk(&entry.value, found);
            }
        }
        NodeValue::Seq(items) => items.iter().for_each(|i| walk(i, found)),
        _ => {}
    }
}

/// At the character when the scalar is written as it reads (one line, no
/// escapes), else at the start of the value.
fn place(checker: &Checker<'_>, node: &Node, text: &str, index: usize) -> Span {
    let file = checker.sources.get(node.span.file);
    let (start, end) = (
        file.byte_offset(node.span.start),
        file.byte_offset(node.span.end),
    );
    let raw = file.text.get(start..end).unwrap_or_default();
    let unquoted = raw
        .strip_prefix(['"', '\''])
        .and_then(|r| r.strip_suffix(['"', '\'']))
        .unwrap_or(raw);
    if unquoted == text {
        span_inside(node, index, index + 1)
    } else {
        Span {
            end: node.span.start + 1,
            ..node.span
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_forbidden_in_one_line_texts() {
        assert_eq!(first_forbidden("Aline Péhau", false), None);
        assert_eq!(first_forbidden("Aline\nPéhau", false).map(|f| f.0), Some(5));
        assert!(first_forbidden("a\0b", false).is_some());
        assert!(first_forbidden("abc\u{202e}cba", false).is_some());
        assert!(first_forbidden("x\u{9b}y", false).is_some());
        assert_eq!(first_forbidden("Rappel :\n{{ stage }}", true), None);
        assert!(first_forbidden("Rappel\0", true).is_some());
    }
}
