//! Turns YAML text into a [`Node`] tree under strict resource limits, so that
//! hostile input (alias bombs, deep nesting, huge files) fails quickly with a
//! located error instead of exhausting time or memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};

use crate::source::{FileId, Span};
use crate::tree::{Entry, Node, NodeValue};

/// Bounds on what one definition file may cost to load.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Most bytes one definition may hold with every file it extends
    /// (so also the largest file read), checked before reading.
    pub max_bytes: u64,
    /// Deepest nesting of lists and mappings.
    pub max_depth: usize,
    /// Most values in the tree, counting each alias's copies.
    pub max_nodes: usize,
    /// Most values that aliases (`*name`) may copy in all.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 100_000,
            max_alias_nodes: 50_000,
        }
    }
}

/// Why a file could not be loaded as YAML.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("this is not valid YAML: {message}")]
    Syntax { message: String, span: Span },
    #[error("lists and mappings are nested more than {limit} levels deep")]
    TooDeep { limit: usize, span: Span },
    #[error("the file holds more than {limit} values")]
    TooManyNodes { limit: usize, span: Span },
    #[error("aliases copy more than {limit} values in all (an \"alias bomb\"?)")]
    AliasBudget { limit: usize, span: Span },
    #[error("the alias `*{name}` refers to no anchor defined before it")]
    UnknownAlias { name: String, span: Span },
    #[error("the key `{key}` appears twice in this mapping")]
    DuplicateKey {
        key: String,
        span: Span,
        first: Span,
    },
    #[error("keys must be plain words, not {found}")]
    ComplexKey { found: String, span: Span },
    #[error("YAML tags like `{tag}` are not used in Jalon definitions")]
    UnsupportedTag { tag: String, span: Span },
    #[error("merge keys (`<<`) are not supported")]
    MergeKey { span: Span },
    #[error("the file holds several YAML documents; a definition is one document")]
    SeveralDocuments { span: Span },
    #[error("the file is empty")]
    Empty { span: Span },
}

impl LoadError {
    pub fn span(&self) -> Span {
        match self {
            Self::Syntax { span, .. }
            | Self::TooDeep { span, .. }
            | Self::TooManyNodes { span, .. }
            | Self::AliasBudget { span, .. }
            | Self::UnknownAlias { span, .. }
            | Self::DuplicateKey { span, .. }
            | Self::ComplexKey { span, .. }
            | Self::UnsupportedTag { span, .. }
            | Self::MergeKey { span }
            | Self::SeveralDocuments { span }
            | Self::Empty { span } => *span,
        }
    }
}

/// Parses one YAML document into a tree.
pub fn load(file: FileId, text: &str, limits: &Limits) -> Result<Node, LoadError> {
    let mut builder = Builder {
        file,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        anchor_names: anchor_names(text),
        nodes: 0,
        alias_nodes: 0,
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let span = point(file, e.marker().index());
            // The parser's own guard against deep flow nesting.
            if e.info().contains("recursion limit") {
                LoadError::TooDeep {
                    limit: limits.max_depth,
                    span,
                }
            } else {
                LoadError::Syntax {
                    message: e.info().to_owned(),
                    span,
                }
            }
        })?;
        if builder.on_event(event, span)? {
            break;
        }
    }
    builder.root.ok_or(LoadError::Empty {
        span: point(file, 0),
    })
}

fn point(file: FileId, index: usize) -> Span {
    Span {
        file,
        start: index as u32,
        end: index as u32 + 1,
    }
}

/// The parser numbers anchors; keep their names (in order of appearance) for messages.
fn anchor_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        let after = &rest[i + 1..];
        let name: String = after
            .chars()
            .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
            .collect();
        if !name.is_empty() {
            names.push(name);
        }
        rest = after;
    }
    names
}

enum Open {
    Seq {
        items: Vec<Node>,
        start: YamlSpan,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        /// Where each key was first seen: duplicate keys in a huge mapping
        /// must not cost a scan per key.
        seen: HashMap<String, Span>,
        pending_key: Option<(String, Span)>,
        start: YamlSpan,
        anchor: usize,
    },
}

struct Builder<'a> {
    file: FileId,
    limits: &'a Limits,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    anchor_names: Vec<String>,
    nodes: usize,
    alias_nodes: usize,
    root: Option<Node>,
    documents: usize,
}

impl Builder<'_> {
    fn span(&self, s: YamlSpan) -> Span {
        Span {
            file: self.file,
            start: s.start.index() as u32,
            end: s.end.index().max(s.start.index() + 1) as u32,
        }
    }

    /// Returns true when the document is complete.
    fn on_event(&mut self, event: Event<'_>, yspan: YamlSpan) -> Result<bool, LoadError> {
        let span = self.span(yspan);
        match event {
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(LoadError::SeveralDocuments { span });
                }
            }
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    let name = self.anchor_name(id);
                    return Err(LoadError::UnknownAlias { name, span });
                };
                let mut copy = target.clone();
                copy.span = span;
                let cost = count_nodes(&copy);
                self.alias_nodes += cost;
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(LoadError::AliasBudget {
                        limit: self.limits.max_alias_nodes,
                        span,
                    });
                }
                self.charge(cost, span)?;
                self.push_value(copy)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.charge(1, span)?;
                let forced_string = match tag {
                    Some(tag) if tag.handle == "!!" && tag.suffix == "str" => true,
                    Some(tag) => {
                        return Err(LoadError::UnsupportedTag {
                            tag: format!("{}{}", tag.handle, tag.suffix),
                            span,
                        })
                    }
                    None => false,
                };
                let value = if style == ScalarStyle::Plain && !forced_string {
                    resolve_plain(&text)
                } else {
                    NodeValue::Str(text.into_owned())
                };
                let node = Node { value, span };
                self.remember(anchor, &node);
                self.push_value(node)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if let Some(tag) = tag {
                    return Err(LoadError::UnsupportedTag {
                        tag: format!("{}{}", tag.handle, tag.suffix),
                        span,
                    });
                }
                self.charge(1, span)?;
                if self.stack.len() >= self.limits.max_depth {
                    return Err(LoadError::TooDeep {
                        limit: self.limits.max_depth,
                        span,
                    });
                }
                let is_seq = matches!(event, Event::SequenceStart(..));
                self.stack.push(if is_seq {
                    Open::Seq {
                        items: Vec::new(),
                        start: yspan,
                        anchor,
                    }
                } else {
                    Open::Map {
                        entries: Vec::new(),
                        seen: HashMap::new(),
                        pending_key: None,
                        start: yspan,
                        anchor,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::Seq {
                        items,
                        start,
                        anchor,
                    }) => (NodeValue::Seq(items), start, anchor),
                    Some(Open::Map {
                        entries,
                        start,
                        anchor,
                        ..
                    }) => (NodeValue::Map(entries), start, anchor),
                    None => return Ok(false),
                };
                let (value, start, anchor) = node;
                let whole = YamlSpan::new(start.start, yspan.end.max_by_index(start.end));
                let node = Node {
                    value,
                    span: self.span(whole),
                };
                self.remember(anchor, &node);
                self.push_value(node)?;
            }
        }
        Ok(false)
    }

    fn anchor_name(&self, id: usize) -> String {
        id.checked_sub(1)
            .and_then(|i| self.anchor_names.get(i))
            .cloned()
            .unwrap_or_else(|| format!("anchor #{id}"))
    }

    fn charge(&mut self, count: usize, span: Span) -> Result<(), LoadError> {
        self.nodes += count;
        if self.nodes > self.limits.max_nodes {
            return Err(LoadError::TooManyNodes {
                limit: self.limits.max_nodes,
                span,
            });
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    fn push_value(&mut self, node: Node) -> Result<(), LoadError> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map {
                entries,
                seen,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let key = match node.value {
                        NodeValue::Str(s) => s,
                        NodeValue::Int(i) => i.to_string(),
                        NodeValue::Bool(b) => b.to_string(),
                        NodeValue::Float(f) => f.to_string(),
                        NodeValue::Null => "null".into(),
                        NodeValue::Seq(_) | NodeValue::Map(_) => {
                            return Err(LoadError::ComplexKey {
                                found: node.describe(),
                                span: node.span,
                            })
                        }
                    };
                    if key == "<<" {
                        return Err(LoadError::MergeKey { span: node.span });
                    }
                    if let Some(&first) = seen.get(&key) {
                        return Err(LoadError::DuplicateKey {
                            key,
                            span: node.span,
                            first,
                        });
                    }
                    seen.insert(key.clone(), node.span);
                    *pending_key = Some((key, node.span));
                }
                Some((key, key_span)) => entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
            },
        }
        Ok(())
    }
}

trait MaxByIndex {
    fn max_by_index(self, other: Self) -> Self;
}

impl MaxByIndex for saphyr_parser::Marker {
    fn max_by_index(self, other: Self) -> Self {
        if self.index() >= other.index() {
            self
        } else {
            other
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        NodeValue::Seq(items) => items.iter().map(count_nodes).sum(),
        NodeValue::Map(entries) => entries.iter().map(|e| 1 + count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

/// YAML 1.2 core schema for unquoted scalars: only these become non-text.
fn resolve_plain(text: &str) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return NodeValue::Int(i);
    }
    if is_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            return NodeValue::Float(f);
        }
    }
    NodeValue::Str(text.to_owned())
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && !(int.is_empty() && frac.is_none_or(str::is_empty));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Node, LoadError> {
        load(FileId(0), text, &Limits::default())
    }

    #[test]
    fn scalars_follow_the_yaml_1_2_core_schema() {
        let node = parse("a: 12\nb: 'x'\nc: yes\nd: 2024-03-01\ne: ~\nf: 1.5\ng: true\nh: 0x1F\n")
            .expect("valid");
        let json = node.to_json();
        assert_eq!(json["a"], 12);
        assert_eq!(json["b"], "x");
        assert_eq!(json["c"], "yes", "YAML 1.2: `yes` is text, not a boolean");
        assert_eq!(json["d"], "2024-03-01");
        assert!(json["e"].is_null());
        assert_eq!(json["f"], 1.5);
        assert_eq!(json["g"], true);
        assert_eq!(json["h"], 31);
    }

    #[test]
    fn spans_point_at_values() {
        let node = parse("stages:\n  - id: diagnosis\n").expect("valid");
        let id = node.locate("/stages/0/id").node;
        assert_eq!((id.span.start, id.span.end), (16, 25));
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let err = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert!(
            matches!(err, LoadError::DuplicateKey { ref key, first, span } if key == "a" && first.start == 0 && span.start == 10)
        );
    }

    #[test]
    fn aliases_copy_their_anchor_within_budget() {
        let node = parse("x: &r [1, 2]\ny: *r\n").expect("valid");
        assert_eq!(node.to_json()["y"], serde_json::json!([1, 2]));
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
        assert!(matches!(parse(bomb), Err(LoadError::AliasBudget { .. })));
    }

    #[test]
    fn unknown_alias_names_the_anchor() {
        let err = parse("a: *nowhere\n").expect_err("unknown alias");
        assert!(matches!(
            err,
            LoadError::Syntax { .. } | LoadError::UnknownAlias { .. }
        ));
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(matches!(
            parse(&deep),
            Err(LoadError::TooDeep { limit: 64, .. })
        ));
    }

    #[test]
    fn several_documents_and_empty_files_are_refused() {
        assert!(matches!(
            parse("a: 1\n---\nb: 2\n"),
            Err(LoadError::SeveralDocuments { .. })
        ));
        assert!(matches!(parse(""), Err(LoadError::Empty { .. })));
        assert!(matches!(
            parse("a: !!binary x\n"),
            Err(LoadError::UnsupportedTag { .. })
        ));
        assert!(matches!(
            parse("<<: {a: 1}\n"),
            Err(LoadError::MergeKey { .. })
        ));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse("a: [1, 2\nb: 3\n").expect_err("unclosed");
        assert!(matches!(err, LoadError::Syntax { .. }));
    }
}
