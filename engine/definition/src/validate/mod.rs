//! Semantic checks of a merged definition, all reported at once, each located;
//! when nothing is wrong, the resolved [`Edition`] the engine runs.

mod amounts;
mod attached;
mod call;
mod dates;
mod digests;
mod events;
mod graph;
mod people;
mod selection;
mod sessions;
mod stages;
mod templates;
mod text;

use std::collections::HashMap;

use crate::diagnostic::{suggestion_hint, Diagnostic};
use crate::expr::ExprError;
use crate::model::Document;
use crate::resolved::{Actor, Edition};
use crate::source::{Sources, Span};
use crate::tree::Node;

/// Checks a merged definition. Returns the resolved edition when it is an
/// edition and has no errors.
///
/// `removed` lists the values the structural check already reported and
/// removed, so that their absence is not reported a second time; `sources`
/// holds the files the tree was read from (to place problems found inside
/// a value, such as a template's); `removed_items` the inherited items an
/// edition removed, with where, so that what still refers to one is
/// reported at the removal.
pub fn check_document(
    mut doc: Document,
    tree: &Node,
    removed: &[String],
    removed_items: &[(String, Span)],
    sources: &Sources,
) -> (Vec<Diagnostic>, Option<Edition>) {
    let mut checker = Checker {
        doc: &doc,
        tree,
        sources,
        diagnostics: Vec::new(),
        removed,
        removed_items,
        overflow: 0,
    };
    let checked = checker.run();
    let Checker {
        diagnostics,
        overflow,
        ..
    } = checker;
    // The participants go into the edition as they are, not copied: a
    // generated edition has tens of thousands of their texts. Nothing
    // after reads them from the document.
    let participants = doc.participants.take().unwrap_or_default();
    let mut checker = Checker {
        doc: &doc,
        tree,
        sources,
        diagnostics,
        removed,
        removed_items,
        overflow,
    };
    let edition = checked.and_then(|checked| checker.assemble(checked, participants));
    let has_errors = checker.diagnostics.iter().any(Diagnostic::is_error) || checker.overflow > 0;
    if checker.overflow > 0 {
        let more = checker.overflow;
        checker.diagnostics.push(
            Diagnostic::error(
                "too-many-problems",
                format!("{more} more problems are not shown; the first {MAX_REPORTED} are"),
            )
            .at(tree.span)
            .hint("fix these first and check again"),
        );
    }
    (checker.diagnostics, edition.filter(|_| !has_errors))
}

/// What the checks found that the edition is built from.
struct Checked {
    people: people::Directory,
    stages: stages::StageTable,
    windows: dates::Windows,
    digests: Vec<crate::resolved::Digest>,
    sessions: Vec<crate::resolved::Session>,
    funding: amounts::Funding,
}

pub(crate) struct Checker<'a> {
    pub doc: &'a Document,
    pub tree: &'a Node,
    pub sources: &'a Sources,
    pub diagnostics: Vec<Diagnostic>,
    pub removed: &'a [String],
    /// Inherited items an edition removed (id, removal).
    pub removed_items: &'a [(String, Span)],
    /// Problems found past [`MAX_REPORTED`], counted but not kept.
    pub overflow: usize,
}

/// A person reads a few hundred problems at most; a generated file can have
/// tens of thousands, which would only cost time and memory to print.
const MAX_REPORTED: usize = 500;

/// Ids of one kind of item, with where each was defined.
#[derive(Default)]
pub(crate) struct IdIndex {
    pub by_id: HashMap<String, usize>,
    pub ids: Vec<String>,
}

impl IdIndex {
    pub fn get(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn names(&self) -> Vec<&str> {
        self.ids.iter().map(String::as_str).collect()
    }
}

impl Checker<'_> {
    fn run(&mut self) -> Option<Checked> {
        let people = people::check(self);
        text::check(self);
        templates::check(self);
        let (session_ids, sessions) = sessions::check(self, &people);
        let funding = amounts::check(self);
        let stages = stages::check(self, &people);
        sessions::check_references(self, &stages, &session_ids);
        let order = graph::check(self, &stages);
        let windows = dates::check(self, &people, &stages, &sessions, order.as_deref())?;
        selection::check(self, &stages, &windows);
        let digests = digests::check(self, &people);
        Some(Checked {
            people,
            stages,
            windows,
            digests,
            sessions,
            funding,
        })
    }

    /// The edition, from what the checks found and the participants.
    fn assemble(
        &mut self,
        checked: Checked,
        participants: Vec<crate::model::Participant>,
    ) -> Option<Edition> {
        let Checked {
            people,
            stages,
            windows,
            digests,
            sessions,
            funding,
        } = checked;
        let mut edition = people.build_edition(self, stages, windows, participants)?;
        edition.digests = digests;
        attached::check(self, &edition);
        edition.sessions = sessions;
        edition.budget = funding.budget;
        for (participant, award) in edition.participants.iter_mut().zip(funding.awards) {
            participant.award = award;
        }
        Some(edition)
    }

    /// The span of the value at a JSON pointer (or of the nearest existing parent).
    pub fn span(&self, pointer: &str) -> Span {
        self.tree.locate(pointer).node.span
    }

    /// The span of a list item, at its `id` when it has one.
    pub fn item_span(&self, list: &str, index: usize) -> Span {
        let id = format!("{list}/{index}/id");
        // At the `id` when there is one, else at the item itself.
        self.tree.locate(&id).node.span
    }

    /// The span of a key (for "`x` is missing" on the map that should hold it).
    pub fn key_span(&self, pointer: &str) -> Span {
        let located = self.tree.locate(pointer);
        located.key_span.unwrap_or(located.node.span)
    }

    /// Keeps a problem unless too many of its severity are kept already, so
    /// that a flood of warnings never hides an error.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        let same = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == diagnostic.severity)
            .count();
        let room = if diagnostic.is_error() {
            MAX_REPORTED
        } else {
            MAX_REPORTED / 5
        };
        if same < room {
            self.diagnostics.push(diagnostic);
        } else {
            self.overflow += 1;
        }
    }

    /// Reports a bad expression, pointing inside the quoted text when the
    /// YAML scalar is on one line.
    pub fn expr_error(&mut self, pointer: &str, what: &str, error: ExprError) {
        let span = self.span_inside(pointer, error.start, error.end);
        self.push(
            Diagnostic::error("invalid-expression", format!("{what}: {}", error.message))
                .at(span)
                .label(error.message.clone())
                .hint(error.hint),
        );
    }

    /// The span of characters `start..end` of the string at `pointer` when
    /// the YAML scalar is on one line, else of the whole value.
    pub fn span_inside(&self, pointer: &str, start: usize, end: usize) -> Span {
        span_inside(self.tree.locate(pointer).node, start, end)
    }

    /// True when the value at `pointer` was malformed and already reported.
    pub fn was_removed(&self, pointer: &str) -> bool {
        self.removed.iter().any(|r| r == pointer)
    }

    /// Reports a required field that is missing from a list item.
    pub fn missing(&mut self, list: &str, index: usize, what: &str, field: &str, hint: &str) {
        if self.was_removed(&format!("{list}/{index}/{field}")) {
            return;
        }
        let span = self.item_span(list, index);
        self.push(
            Diagnostic::error("missing-field", format!("{what} has no `{field}`"))
                .at(span)
                .label(format!("`{field}` is missing here"))
                .hint(hint.to_string()),
        );
    }

    /// Checks a list of ids, reporting malformed ones, duplicates and missing ones.
    pub fn index_ids<'d>(
        &mut self,
        list: &str,
        what: &str,
        ids: impl Iterator<Item = Option<&'d String>>,
        required: bool,
    ) -> IdIndex {
        let mut index = IdIndex::default();
        for (i, id) in ids.enumerate() {
            // Made only for a report: a generated edition has thousands of ids.
            let pointer = || format!("{list}/{i}/id");
            let Some(id) = id else {
                if required {
                    self.missing(
                        list,
                        i,
                        &format!("this {what}"),
                        "id",
                        "give it a short identifier, e.g. `id: my-stage`",
                    );
                }
                index.ids.push(format!("#{}", i + 1));
                continue;
            };
            if !is_plain_id(id) {
                self.check_id_syntax(&pointer(), what, id);
            }
            if let Some(&first) = index.by_id.get(id) {
                let first_span = self.span(&format!("{list}/{first}/id"));
                self.push(
                    Diagnostic::error("duplicate-id", format!("two {what}s have the id `{id}`"))
                        .at(self.span(&pointer()))
                        .label("second use of this id")
                        .related(Some(first_span), "first defined here")
                        .hint(format!("give each {what} its own id")),
                );
            } else {
                index.by_id.insert(id.clone(), i);
            }
            index.ids.push(id.clone());
        }
        index
    }

    /// Ids are plain ASCII: lowercase letters, digits, `-` and `_`,
    /// starting with a letter or digit. So two ids that look alike are
    /// alike (no Cyrillic `р` beside a Latin `p`, no composed and
    /// decomposed `é`: no normalisation to agree on), and nothing invisible
    /// or reordering hides in one.
    pub fn check_id_syntax(&mut self, pointer: &str, what: &str, id: &str) {
        if is_plain_id(id) {
            return;
        }
        let bad = id
            .chars()
            .enumerate()
            .find(|&(i, c)| !id_char(c) || (i == 0 && !c.is_ascii_alphanumeric()));
        let suggestion: String = id
            .to_lowercase()
            .chars()
            .map(|c| if id_char(c) && c != '_' { c } else { '-' })
            .collect();
        let suggestion = suggestion.trim_matches('-');
        // Invisible and reordering characters are shown as their code point.
        let shown: String = id
            .chars()
            .map(|c| match text::forbidden(c) {
                Some(_) => c.escape_unicode().to_string(),
                None => c.to_string(),
            })
            .collect();
        let (span, label, why) = match bad {
            Some((i, c)) if !c.is_ascii() => {
                let why = match text::forbidden(c) {
                    Some(what) => format!("it holds {what} (U+{:04X})", c as u32),
                    None if c.is_alphanumeric() => format!("`{c}` (U+{:04X}) is not a plain ASCII letter or digit, though it may look like one", c as u32),
                    None => format!("`{c}` (U+{:04X}) is not a plain ASCII character", c as u32),
                };
                (
                    self.span_inside(pointer, i, i + 1),
                    format!("U+{:04X} here", c as u32),
                    format!("; {why}"),
                )
            }
            _ => (
                self.span(pointer),
                "lowercase letters, digits, `-` and `_` only".to_owned(),
                String::new(),
            ),
        };
        let example = if suggestion.is_empty() {
            "my-stage"
        } else {
            suggestion
        };
        self.push(
            Diagnostic::error("invalid-id", format!("`{shown}` cannot be used as the id of a {what}{why}"))
                .at(span)
                .label(label)
                .hint(format!("ids start with a letter or digit and use only lowercase ASCII letters, digits, `-` and `_` (no spaces, dots or accents), e.g. `{example}`")),
        );
    }

    /// Resolves a reference, reporting it when unknown. The pointer is
    /// written out only then (`format_args!` spares it otherwise).
    pub fn reference(
        &mut self,
        pointer: impl std::fmt::Display,
        what: &str,
        index: &IdIndex,
        id: &str,
    ) -> Option<usize> {
        let found = index.get(id);
        if found.is_some() {
            return found;
        }
        let pointer = pointer.to_string();
        if !self.removed_but_named(&pointer, what, id) {
            self.push(
                Diagnostic::error(
                    "unknown-reference",
                    format!("there is no {what} with the id `{id}`"),
                )
                .at(self.span(&pointer))
                .label(format!("unknown {what}"))
                .hint(suggestion_hint(id, &index.names(), what)),
            );
        }
        found
    }
}

impl Checker<'_> {
    /// When `id` is an inherited item the edition removed, reports the
    /// removal (where the mistake is) with the reference that still names
    /// it as related, and says so.
    pub fn removed_but_named(&mut self, pointer: &str, what: &str, id: &str) -> bool {
        let Some(&(_, removal)) = self.removed_items.iter().find(|(r, _)| r == id) else {
            return false;
        };
        let reference = self.span(pointer);
        self.push(
            Diagnostic::error(
                "removed-but-needed",
                format!("this removes the {what} `{id}`, but the definition still refers to it"),
            )
            .at(removal)
            .label("removed here")
            .related(Some(reference), "still referred to here")
            .hint(format!("also change what refers to `{id}`, or keep it")),
        );
        true
    }
}

/// Whether `c` may be in an id (see [`Checker::check_id_syntax`]).
fn id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

/// An id as ids are written: not empty, lowercase ASCII letters, digits,
/// `-` and `_`, starting with a letter or digit.
fn is_plain_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()) && id.chars().all(id_char)
}

/// The span of characters `start..end` of a text node when the YAML
/// scalar is on one line (as written, no escapes), else of the whole value.
pub(crate) fn span_inside(node: &Node, start: usize, end: usize) -> Span {
    match node.as_str() {
        Some(text) if node.span.end - node.span.start >= text.chars().count() as u32 => {
            // Quotes, if any, shift the text by one character.
            let quote = (node.span.end - node.span.start - text.chars().count() as u32) / 2;
            let from = node.span.start + quote + start as u32;
            Span {
                file: node.span.file,
                start: from,
                end: (node.span.start + quote + end as u32).max(from + 1),
            }
        }
        _ => node.span,
    }
}

/// Resolves a list of actor references (roles, people and, where `reach`
/// allows, a participant's own).
pub(crate) fn actors(
    checker: &mut Checker<'_>,
    people: &people::Directory,
    pointer: &str,
    list: Option<&Vec<String>>,
    reach: people::Reach,
) -> Vec<Actor> {
    let mut found = Vec::new();
    for (i, id) in list.into_iter().flatten().enumerate() {
        if let Some(actor) = people.actor(checker, format_args!("{pointer}/{i}"), id, reach) {
            found.push(actor);
        }
    }
    found
}
