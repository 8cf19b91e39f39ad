//! The YAML tree as loaded: every value keeps the file and span it came from,
//! so that checks made after `extends` merged several files still point at
//! the right place.

use crate::diagnostic::Diagnostic;
use crate::source::Span;
use serde_json::{Map, Number, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    fn null(span: Span) -> Node {
        Node {
            value: NodeValue::Null,
            span,
        }
    }

    /// How many values the tree holds (keys included).
    pub fn count(&self) -> usize {
        1 + match &self.value {
            NodeValue::Seq(items) => items.iter().map(Node::count).sum(),
            NodeValue::Map(entries) => entries.iter().map(|e| 1 + e.value.count()).sum(),
            _ => 0,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A short description of what this value is, for "expected X, found Y".
    pub fn describe(&self) -> String {
        match &self.value {
            NodeValue::Null => "nothing (an empty value)".into(),
            NodeValue::Bool(b) => format!("the yes/no value `{b}`"),
            NodeValue::Int(i) => format!("the number {i}"),
            NodeValue::Float(f) => format!("the number {f}"),
            NodeValue::Str(s) if s.chars().count() > 40 => "a text".into(),
            NodeValue::Str(s) => format!("the text \"{s}\""),
            NodeValue::Seq(_) => "a list".into(),
            NodeValue::Map(_) => "a mapping (keys and values)".into(),
        }
    }

    /// The node at a JSON pointer (`/stages/3/needs/0`), as far as it goes.
    /// Returns the deepest node found, and the span of the last key on the way
    /// (to point at a key rather than its whole value).
    pub fn locate(&self, pointer: &str) -> Located<'_> {
        let mut node = self;
        let mut key_span = None;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                NodeValue::Map(entries) => entries.iter().find(|e| e.key == segment).map(|e| {
                    key_span = Some(e.key_span);
                    &e.value
                }),
                NodeValue::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        Located { node, key_span }
    }

    /// The same data as JSON, for schema validation and typed deserialisation.
    pub fn to_json(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::Number((*i).into()),
            NodeValue::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            NodeValue::Str(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for e in entries {
                    map.insert(e.key.clone(), e.value.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

pub struct Located<'a> {
    pub node: &'a Node,
    pub key_span: Option<Span>,
}

/// Lays `over` on top of `base`, as an edition on its programme template:
/// mappings merge key by key, lists of items with an `id` merge item by item
/// (so an edition restates only what differs), anything else is replaced.
///
/// What `over` removes: a key set to `null` (`jury: ~`) drops the inherited
/// key; an item `{id: X, remove: true}` drops the inherited item `X`. An
/// item without `id` in a list that merges by id, or a removal of an item
/// that is not inherited, is a mistake at that item, in `problems`.
pub fn merge(base: Node, over: Node, notes: &mut MergeNotes) -> Node {
    let base_span = base.span;
    match (base.value, over.value) {
        (NodeValue::Map(mut base_entries), NodeValue::Map(over_entries)) => {
            let mut dropped: Vec<String> = Vec::new();
            for entry in over_entries {
                match base_entries.iter().position(|e| e.key == entry.key) {
                    Some(i) if matches!(entry.value.value, NodeValue::Null) => {
                        dropped.push(base_entries[i].key.clone());
                    }
                    Some(i) => {
                        let old =
                            std::mem::replace(&mut base_entries[i].value, Node::null(over.span));
                        base_entries[i] = Entry {
                            key: entry.key,
                            key_span: entry.key_span,
                            value: merge(old, entry.value, notes),
                        };
                    }
                    None => base_entries.push(entry),
                }
            }
            base_entries.retain(|e| !dropped.contains(&e.key));
            Node {
                value: NodeValue::Map(base_entries),
                span: over.span,
            }
        }
        // `{append: [...]}` extends the template's list rather than
        // replacing it (for lists without ids: reminders, needs, closures).
        (NodeValue::Seq(mut base_items), NodeValue::Map(entries))
            if appended(&entries).is_some() =>
        {
            base_items.extend(appended(&entries).into_iter().flatten().cloned());
            Node {
                value: NodeValue::Seq(base_items),
                span: over.span,
            }
        }
        (NodeValue::Seq(mut base_items), NodeValue::Seq(over_items))
            if !base_items.is_empty() && all_have_ids(&base_items) =>
        {
            // Only items inherited from `base` are overridden: two items with
            // one id in the same file stay two, for the checker to report.
            let mut inherited = base_items.len();
            for item in over_items {
                let Some(id) = item_id(&item).map(str::to_owned) else {
                    notes.problems.push(
                        Diagnostic::error(
                            "item-without-id",
                            "this item has no `id`, in a list that merges with the template's item by item",
                        )
                        .at(item.span)
                        .label("no `id`")
                        .hint("give it an `id`: the template's item of that id is changed, a new id adds an item; `{id: X, remove: true}` removes the template's item X"),
                    );
                    continue;
                };
                let position = base_items[..inherited]
                    .iter()
                    .position(|b| item_id(b) == Some(id.as_str()));
                let removal = item
                    .get("remove")
                    .is_some_and(|r| matches!(r.value, NodeValue::Bool(true)));
                match (position, removal) {
                    (Some(i), true) => {
                        base_items.remove(i);
                        inherited -= 1;
                        notes.removed.push((id, item.span));
                    }
                    (None, true) => notes.problems.push(
                        Diagnostic::error(
                            "remove-unknown",
                            format!("`{id}` is removed, but the template has no item `{id}` here"),
                        )
                        .at(item.span)
                        .label("nothing to remove")
                        .hint("check the id against the template's list, or drop this item"),
                    ),
                    (Some(i), false) => {
                        let old = base_items.remove(i);
                        base_items.insert(i, merge(old, item, notes));
                    }
                    (None, false) => base_items.push(item),
                }
            }
            Node {
                value: NodeValue::Seq(base_items),
                span: over.span,
            }
        }
        (base_value, value) => {
            // An id restated to name the item it changes replaces nothing.
            if base_value != NodeValue::Null
                && base_value != value
                && base_span.file != over.span.file
            {
                notes.overridden.push((over.span, base_span));
            }
            Node {
                value,
                span: over.span,
            }
        }
    }
}

/// What merging an edition on its template found, beside the merged tree.
#[derive(Debug, Default)]
pub struct MergeNotes {
    /// Mistakes at the edition's items (`item-without-id`, `remove-unknown`).
    pub problems: Vec<Diagnostic>,
    /// Inherited items the edition removed: their id, and the removal.
    pub removed: Vec<(String, Span)>,
    /// Inherited values the edition replaced: (its value, the template's).
    pub overridden: Vec<(Span, Span)>,
}

impl MergeNotes {
    /// Points a problem found in a value an edition wrote over its
    /// template's at the template's value too, as related: the reader
    /// sees both what they wrote and what it replaced.
    pub fn relate(&self, diagnostic: &mut Diagnostic) {
        let Some(at) = diagnostic.span else {
            return;
        };
        let replaced = self
            .overridden
            .iter()
            .find(|(new, _)| new.file == at.file && new.start <= at.start && at.end <= new.end);
        if let Some(&(_, old)) = replaced {
            diagnostic
                .related
                .push((old, "the template's value, which this one replaces".into()));
        }
    }
}

/// The items of a mapping that is only `append: [...]`.
fn appended(entries: &[Entry]) -> Option<&[Node]> {
    match entries {
        [entry] if entry.key == "append" => match &entry.value.value {
            NodeValue::Seq(items) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

/// Every `{append: [...]}` left with nothing to extend (no template, or a
/// template without that list) becomes its list.
pub fn settle_appends(node: &mut Node) {
    let items = match &node.value {
        NodeValue::Map(entries) => appended(entries).map(<[Node]>::to_vec),
        _ => None,
    };
    if let Some(items) = items {
        node.value = NodeValue::Seq(items);
    }
    match &mut node.value {
        NodeValue::Map(entries) => entries
            .iter_mut()
            .for_each(|e| settle_appends(&mut e.value)),
        NodeValue::Seq(items) => items.iter_mut().for_each(settle_appends),
        _ => {}
    }
}

fn item_id(node: &Node) -> Option<&str> {
    node.get("id").and_then(Node::as_str)
}

fn all_have_ids(items: &[Node]) -> bool {
    items.iter().all(|i| item_id(i).is_some())
}

/// Every YAML file of the repository's fixtures and shipped definitions
/// that parses, `append`s settled: trees of every shape the format has.
#[cfg(test)]
pub(crate) fn fixture_trees() -> Vec<(std::path::PathBuf, Node)> {
    use std::path::{Path, PathBuf};
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("a fixtures folder")
            .map(|e| e.expect("an entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths = Vec::new();
    files(&repository.join("tests/fixtures"), &mut paths);
    files(&repository.join("definitions"), &mut paths);
    let limits = crate::yaml::Limits::default();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let mut tree = crate::yaml::load(crate::source::FileId(0), &text, &limits).ok()?;
            settle_appends(&mut tree);
            Some((path, tree))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::{load, Limits};

    fn tree(file: u32, text: &str) -> Node {
        load(FileId(file), text, &Limits::default()).expect("valid yaml")
    }

    #[test]
    fn merge_overrides_by_key_and_by_id_and_keeps_origins() {
        let base = tree(
            0,
            "calendar: {public_holidays: france}\nstages:\n  - {id: a, title: A}\n  - {id: b, title: B}\n",
        );
        let over = tree(
            1,
            "stages:\n  - {id: b, title: Bis}\n  - {id: c, title: C}\n",
        );
        let merged = merge(base, over, &mut MergeNotes::default());
        let json = merged.to_json();
        assert_eq!(json["calendar"]["public_holidays"], "france");
        let titles: Vec<_> = json["stages"]
            .as_array()
            .expect("list")
            .iter()
            .map(|s| s["title"].as_str().expect("title"))
            .collect();
        assert_eq!(titles, ["A", "Bis", "C"]);
        assert_eq!(merged.locate("/stages/0/title").node.span.file, FileId(0));
        assert_eq!(merged.locate("/stages/1/title").node.span.file, FileId(1));
        assert_eq!(merged.locate("/stages/1/id").node.span.file, FileId(1));
    }

    #[test]
    fn a_template_s_key_or_item_is_removed_and_mistakes_are_reported_at_the_item() {
        let base = tree(
            0,
            "stages:\n  - {id: a, title: A, jury: {members: [x]}}\n  - {id: b, title: B}\n  - {id: c, title: C}\n",
        );
        let over = tree(
            1,
            "stages:\n  - {id: a, jury: ~}\n  - {id: b, remove: true}\n  - {id: d, title: D}\n",
        );
        let mut notes = MergeNotes::default();
        let merged = merge(base, over, &mut notes);
        let problems = notes.problems;
        assert!(problems.is_empty(), "{problems:?}");
        let json = merged.to_json();
        let ids: Vec<_> = json["stages"]
            .as_array()
            .expect("list")
            .iter()
            .map(|s| s["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, ["a", "c", "d"]);
        assert!(json["stages"][0].get("jury").is_none(), "{json}");
        assert_eq!(json["stages"][0]["title"], "A");

        // An item without id, and a removal of what is not inherited.
        let base = tree(0, "stages:\n  - {id: a, title: A}\n");
        let over = tree(1, "stages:\n  - {title: Z}\n  - {id: q, remove: true}\n");
        let mut notes = MergeNotes::default();
        let merged = merge(base, over, &mut notes);
        let problems = notes.problems;
        let codes: Vec<&str> = problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["item-without-id", "remove-unknown"]);
        assert!(problems
            .iter()
            .all(|p| p.span.is_some_and(|s| s.file == FileId(1))));
        // The template's list is kept, not silently replaced.
        assert_eq!(merged.to_json()["stages"][0]["title"], "A");
    }

    #[test]
    fn a_list_without_ids_is_extended_by_append() {
        let base = tree(
            0,
            "stages:\n  - {id: a, reminders: [{when: due - 5 days}]}\n",
        );
        let over = tree(
            1,
            "stages:\n  - {id: a, reminders: {append: [{when: due - 1 day}]}}\n  - {id: b, needs: {append: [a]}}\n",
        );
        let mut merged = merge(base, over, &mut MergeNotes::default());
        settle_appends(&mut merged);
        let json = merged.to_json();
        let whens: Vec<_> = json["stages"][0]["reminders"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| r["when"].as_str().expect("when"))
            .collect();
        assert_eq!(whens, ["due - 5 days", "due - 1 day"]);
        // Nothing to extend: the list itself.
        assert_eq!(json["stages"][1]["needs"], serde_json::json!(["a"]));
    }

    #[test]
    fn locate_stops_at_the_deepest_existing_node() {
        let t = tree(0, "stages:\n  - id: a\n");
        let found = t.locate("/stages/0/missing");
        assert_eq!(found.node.get("id").and_then(Node::as_str), Some("a"));
    }
}
