//! Email templates, compiled when the definition is checked: a syntax error
//! or a variable no message provides is reported at its line and column in
//! the YAML file, not discovered when the email goes out.

use std::collections::BTreeMap;
use std::ops::Range;

use jalon_message::sandbox::{self, RenderError};
use jalon_message::vet::vet;
use minijinja::Environment;

use super::Checker;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::{Language, TEMPLATE_VARIABLES};
use crate::source::{SourceFile, Span};
use crate::tree::{Node, NodeValue};

/// The parts of a template, each a template of its own.
const PARTS: [&str; 3] = ["subject", "body", "html"];

pub(crate) fn check(checker: &mut Checker<'_>) {
    // The environment messages are rendered in, with its limits.
    let env = sandbox::environment();
    let globals: Vec<String> = env.globals().map(|(name, _)| name.to_owned()).collect();
    let sample: BTreeMap<&str, &str> = TEMPLATE_VARIABLES.iter().map(|&v| (v, "x")).collect();
    let context = Context {
        env: &env,
        globals: &globals,
        sample: &sample,
    };
    let doc = checker.doc;
    for (i, template) in doc.templates.iter().flatten().enumerate() {
        let id = template.id.as_deref().unwrap_or("?");
        for part in PARTS {
            let pointer = format!("/templates/{i}/{part}");
            context.check_text(checker, &pointer, &format!("the {part} of template `{id}`"));
        }
        for language in template.translations.iter().flatten().map(|(l, _)| *l) {
            for part in PARTS {
                let pointer = format!("/templates/{i}/translations/{language}/{part}");
                let what = format!("the {} {part} of template `{id}`", language_name(language));
                context.check_text(checker, &pointer, &what);
            }
        }
        // French texts: the template's own when the edition writes French,
        // and its French translation.
        let own_french = doc.language.unwrap_or(Language::Fr) == Language::Fr;
        for part in PARTS {
            if own_french {
                warn_inclusive_writing(checker, &format!("/templates/{i}/{part}"), id);
            }
            warn_inclusive_writing(
                checker,
                &format!("/templates/{i}/translations/fr/{part}"),
                id,
            );
        }
    }
}

/// Warns at « retenu·e » or « invité(e) » in a French text: inclusive
/// writing reads wrong about an organisation or a project, and the
/// participant's agreement can be written exactly.
fn warn_inclusive_writing(checker: &mut Checker<'_>, pointer: &str, id: &str) {
    let Some(node) = exact(checker.tree, pointer) else {
        return;
    };
    let NodeValue::Str(text) = &node.value else {
        return;
    };
    let found = ["·e", "(e)", "•e", ".e.s", "·es"].iter().find_map(|mark| {
        text.match_indices(mark)
            .find(|(at, _)| {
                text[..*at]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic)
            })
            .map(|(at, mark)| at..at + mark.len())
    });
    let Some(range) = found else {
        return;
    };
    let word_start = text[..range.start]
        .rfind(|c: char| !c.is_alphabetic())
        .map_or(0, |n| {
            n + text[n..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &text[word_start..range.end];
    let place = Place {
        file: checker.sources.get(node.span.file),
        node: node.span,
        text,
    };
    let stem = &text[word_start..range.start];
    checker.push(
        Diagnostic::warning(
            "inclusive-writing",
            format!("template `{id}` writes « {word} »: about a project or an organisation this reads wrong, and the participant's agreement can be written exactly"),
        )
        .at(place.span(word_start..range.end))
        .label("inclusive writing")
        .hint(format!("write `{stem}{{{{ participant_e }}}}` and give the participants whose names are feminine `gender: feminine`, or reword (« Nous vous invitons », « le projet … est retenu »)")),
    );
}

/// Warns when the subject of template `t`, sent by stage `stage` once per
/// participant, does not name the participant: a coordinator with four
/// laureates would get four messages that read alike.
pub(crate) fn warn_without_participant(checker: &mut Checker<'_>, t: usize, stage: &str) {
    let Some(template) = checker.doc.templates.as_ref().and_then(|all| all.get(t)) else {
        return;
    };
    let Some(subject) = template.subject.as_deref() else {
        return;
    };
    // What does not vet or compile is reported by `check`.
    if vet(subject).is_err() {
        return;
    }
    let env = sandbox::environment();
    let Ok(compiled) = env.template_from_str(subject) else {
        return;
    };
    if compiled.undeclared_variables(false).contains("participant") {
        return;
    }
    let id = template.id.as_deref().unwrap_or("?");
    checker.push(
        Diagnostic::warning(
            "subject-without-participant",
            format!("the subject of template `{id}` does not name the participant, while stage `{stage}` sends it once per participant: the same person may get several messages that read alike"),
        )
        .at(checker.span(&format!("/templates/{t}/subject")))
        .label("no `participant` here")
        .hint("name them in the subject, e.g. `« {{ stage }} »{% if participant %} — {{ participant }}{% endif %}`"),
    );
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::Fr => "French",
        Language::En => "English",
    }
}

struct Context<'e> {
    env: &'e Environment<'static>,
    globals: &'e [String],
    sample: &'e BTreeMap<&'static str, &'static str>,
}

const SUBSET_HINT: &str = "email templates print variables (`{{ stage }}`), test them (`{% if comment %}`), loop with `{% for i in range(3) %}` and use simple filters such as `upper` or `default`";

impl Context<'_> {
    /// Compiles the template text at `pointer`, if there is one there.
    fn check_text(&self, checker: &mut Checker<'_>, pointer: &str, what: &str) {
        let Some(node) = exact(checker.tree, pointer) else {
            return;
        };
        let NodeValue::Str(text) = &node.value else {
            return;
        };
        let place = Place {
            file: checker.sources.get(node.span.file),
            node: node.span,
            text,
        };
        // Before compiling: compiling folds constants, `'y' * 100000000` included.
        if let Err(refused) = vet(text) {
            checker.push(
                Diagnostic::error(
                    "template-unsupported",
                    format!(
                        "{what} uses what email templates may not: {}",
                        refused.message
                    ),
                )
                .at(place.span(refused.range))
                .label("not allowed in a template")
                .hint(SUBSET_HINT),
            );
            return;
        }
        let template = match self.env.template_from_str(text) {
            Ok(t) => t,
            Err(error) => {
                let detail = detail(&error);
                checker.push(
                    Diagnostic::error(
                        "template-syntax",
                        format!("{what} is not a valid template: {detail}"),
                    )
                    .at(place.span(error_range(&error, text)))
                    .label(detail)
                    .hint("write values as `{{ variable }}` and conditions as `{% if variable %}…{% endif %}`; every `{{` needs its `}}` and every `{%` its `%}`"),
                );
                return;
            }
        };
        let mut unknown: Vec<String> = template
            .undeclared_variables(false)
            .into_iter()
            .filter(|name| {
                !TEMPLATE_VARIABLES.contains(&name.as_str()) && !self.globals.contains(name)
            })
            .collect();
        unknown.sort();
        for name in &unknown {
            let range = occurrence(text, name).unwrap_or(0..text.len().min(1));
            let hint = match did_you_mean(name, TEMPLATE_VARIABLES.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "the variables are {}",
                    TEMPLATE_VARIABLES
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            checker.push(
                Diagnostic::error(
                    "unknown-variable",
                    format!("{what} uses `{name}`, which is not a variable messages have"),
                )
                .at(place.span(range))
                .label("unknown variable")
                .hint(hint),
            );
        }
        if !unknown.is_empty() {
            return;
        }
        // What only shows when rendering, e.g. `{{ stage.title }}` (a stage
        // is a text, not a record): tried on sample values.
        let error = match sandbox::render(&template, &minijinja::Value::from_serialize(self.sample))
        {
            Ok(_) => return,
            Err(RenderError::Template(error)) => error,
            Err(RenderError::Limit(limit)) => {
                checker.push(
                    Diagnostic::error(
                        "template-limit",
                        format!("{what} cannot be rendered within bounds: {limit}"),
                    )
                    .at(place.span(0..0))
                    .label("this template")
                    .hint("an email template prints a few variables; make the loops shorter or remove them"),
                );
                return;
            }
        };
        {
            let range = error_range(&error, text);
            let detail = match (&error.kind(), error.detail()) {
                (minijinja::ErrorKind::UndefinedError, None) => match text.get(range.clone()) {
                    Some(what) if !what.is_empty() => format!("`{what}` is undefined"),
                    _ => detail(&error),
                },
                _ => detail(&error),
            };
            checker.push(
                Diagnostic::error(
                    "template-error",
                    format!("{what} cannot be rendered: {detail}"),
                )
                .at(place.span(range))
                .label(detail)
                .hint("every variable is a text: use it as `{{ variable }}`, test it with `{% if variable %}`"),
            );
        }
    }
}

/// The node at exactly this JSON pointer, if there is one.
fn exact<'t>(tree: &'t Node, pointer: &str) -> Option<&'t Node> {
    let mut node = tree;
    for segment in pointer.split('/').skip(1) {
        node = match &node.value {
            NodeValue::Map(entries) => &entries.iter().find(|e| e.key == segment)?.value,
            NodeValue::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn detail(error: &minijinja::Error) -> String {
    error
        .detail()
        .map_or_else(|| error.kind().to_string(), str::to_owned)
}

/// The bytes of the template an error is about: its range, else the start
/// of its line, else the start of the text.
fn error_range(error: &minijinja::Error, text: &str) -> Range<usize> {
    if let Some(range) = error.range() {
        let start = range.start.min(text.len());
        return start..range.end.clamp(start, text.len());
    }
    let line = error.line().unwrap_or(1);
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    start..start
}

/// Where `name` is first used as a variable: inside `{{ }}` or `{% %}`, not
/// after a `.` (an attribute) or a `|` (a filter), not in a string.
fn occurrence(text: &str, name: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let close = match bytes[i + 1] {
            b'{' => "}}",
            b'%' => "%}",
            b'#' => {
                i = text[i..].find("#}").map_or(bytes.len(), |e| i + e + 2);
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i + 2;
        let end = text[start..].find(close).map_or(bytes.len(), |e| start + e);
        if let Some(found) = identifier_in(&text[start..end], name) {
            return Some(start + found.start..start + found.end);
        }
        i = end + 2;
    }
    None
}

fn identifier_in(tag: &str, name: &str) -> Option<Range<usize>> {
    let bytes = tag.as_bytes();
    let mut previous = b' ';
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' || b == b'\'' {
            i = tag[i + 1..]
                .find(b as char)
                .map_or(bytes.len(), |e| i + e + 2);
            previous = b;
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if &tag[start..i] == name && previous != b'.' && previous != b'|' {
                return Some(start..i);
            }
            previous = b'a';
            continue;
        }
        if !b.is_ascii_whitespace() {
            previous = b;
        }
        i += 1;
    }
    None
}

/// A template's text and the YAML scalar it was written as.
struct Place<'a> {
    file: &'a SourceFile,
    node: Span,
    text: &'a str,
}

impl Place<'_> {
    /// The place in the file of a byte range of the template's text.
    ///
    /// A literal block (`|`) keeps its lines: line k of the text is line k
    /// of the block, after the block's indentation. A one-line scalar, quoted
    /// or not, starts where the node does (after its quote). Otherwise
    /// (folded blocks, escapes) the text before the point is searched for
    /// among the scalar's lines, and failing that the whole value is shown.
    fn span(&self, range: Range<usize>) -> Span {
        let at = range.start.min(self.text.len());
        let line_begin = self.text[..at].rfind('\n').map_or(0, |n| n + 1);
        let line_index = self.text[..line_begin].matches('\n').count();
        let line = &self.text[line_begin..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let column = self.text[line_begin..at].chars().count();
        let end = range.end.max(at).min(line_begin + line.len());
        let length = self.text[at..end].chars().count().max(1) as u32;
        // What must be found in the file: the line up to the end of the range.
        let wanted: String = line.chars().take(column + length as usize).collect();
        let first = self.file.line_col(self.node.start);
        let indent = first.column - 1;
        let found = |offset: u32| Span {
            file: self.node.file,
            start: offset,
            end: offset + length,
        };

        let file_line = first.line + line_index;
        if let Some(start) = self.file.line_start(file_line) {
            let source: Vec<char> = self.file.line_text(file_line).chars().collect();
            let margin_is_blank = source.iter().take(indent).all(|c| *c == ' ');
            if source.len() >= indent && (line_index == 0 || margin_is_blank) {
                let rest: String = source[indent..].iter().collect();
                if rest.starts_with(&wanted) {
                    return found(start + indent as u32 + column as u32);
                }
                let quoted = rest.starts_with(['"', '\'']);
                if line_index == 0 && quoted && rest[1..].starts_with(&wanted) {
                    return found(start + indent as u32 + 1 + column as u32);
                }
            }
        }

        // The longest end of `wanted` (from a word's start, at least the
        // point itself) that one of the scalar's lines holds.
        let last = self.file.line_col(self.node.end.saturating_sub(1)).line;
        let chars: Vec<char> = wanted.chars().collect();
        let starts = (0..=column.min(chars.len()))
            .filter(|&i| i == 0 || i == column || chars[i - 1].is_whitespace());
        for from in starts {
            let needle: String = chars[from..].iter().collect();
            if needle.trim().is_empty() {
                continue;
            }
            for n in first.line..=last {
                let source = self.file.line_text(n);
                if let (Some(byte), Some(start)) = (source.find(&needle), self.file.line_start(n)) {
                    let before = source[..byte].chars().count();
                    return found(start + (before + column - from) as u32);
                }
            }
        }
        self.node
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;
    use crate::yaml::{load, Limits};

    /// The line and column `jalon check` gives for `needle` in the template
    /// at `pointer`.
    fn place_of(yaml: &str, pointer: &str, needle: &str) -> (usize, usize) {
        let mut sources = Sources::default();
        let file = sources.add("t.yaml".into(), yaml.to_owned());
        let tree = load(file, &sources.get(file).text, &Limits::default()).expect("parses");
        let node = exact(&tree, pointer).expect("the template");
        let text = node.as_str().expect("a text");
        let at = text.find(needle).expect("the needle");
        let place = Place {
            file: sources.get(file),
            node: node.span,
            text,
        };
        let span = place.span(at..at + needle.len());
        let found = sources.get(file).line_col(span.start);
        (found.line, found.column)
    }

    #[test]
    fn places_inside_every_kind_of_scalar() {
        // Plain, single- and double-quoted on one line.
        assert_eq!(place_of("s: Rappel {{ x }}\n", "/s", "x"), (1, 14));
        assert_eq!(place_of("s: 'Été {{ x }}'\n", "/s", "x"), (1, 12));
        assert_eq!(place_of("s: \"« {{ x }} »\"\n", "/s", "x"), (1, 10));
        // Literal blocks, kept and stripped, with an explicit indentation.
        let block = "t:\n  - body: |\n      Bonjour,\n\n      À rendre : {{ x }}\n";
        assert_eq!(place_of(block, "/t/0/body", "x"), (5, 21));
        let stripped = "body: |-\n  a\n  b {{ x }}\n";
        assert_eq!(place_of(stripped, "/body", "x"), (3, 8));
        let indented = "body: |2\n    a\n   b {{ x }}\n";
        assert_eq!(place_of(indented, "/body", "x"), (3, 9));
        // Folded: the lines of the text are not those of the file.
        let folded = "body: >\n  a b\n  c {{ x }}\n\n  d\n";
        assert_eq!(place_of(folded, "/body", "x"), (3, 8));
        // A quoted text over several lines.
        let quoted = "body: \"a\n  b {{ x }}\"\n";
        assert_eq!(place_of(quoted, "/body", "x"), (2, 8));
    }

    #[test]
    fn variables_are_found_in_tags_only() {
        let text = "stage {{ x.stage }} {# stage #} {{ 'stage' }} {% if stage %}";
        let range = occurrence(text, "stage").expect("found");
        assert_eq!(range, 52..57);
        assert_eq!(occurrence("{{ due | stage }}", "stage"), None);
        assert_eq!(occurrence("{{ stgae }}", "stgae"), Some(3..8));
    }
}
