//! The version of a definition: the first 16 hex digits of the SHA-256 of
//! its merged tree as compact JSON, keys in order, so that the same content
//! gives the same version whatever its layout, key order or comments.
//! Events are recorded under it, and cached checks keep it: it is the hash
//! of `serde_json::to_string` of the tree's JSON, byte for byte, written
//! straight from the tree.

use std::io::Write;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use sha2::{Digest, Sha256};

use crate::tree::{Entry, Node, NodeValue};

/// The version of a merged definition.
pub fn content_hash(tree: &Node) -> String {
    let mut hashing = std::io::BufWriter::with_capacity(1 << 16, Hashing(Sha256::new()));
    // Writing to a hash cannot fail, nor can serialising a tree.
    let _ = serde_json::to_writer(&mut hashing, &Json(tree));
    let _ = hashing.flush();
    let digest = hashing.into_parts().0 .0.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The compact JSON fed to the hash as it is written, never held whole.
struct Hashing(Sha256);

impl std::io::Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A tree written as its `serde_json::Value` would be.
struct Json<'a>(&'a Node);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0.value {
            NodeValue::Null => serializer.serialize_unit(),
            NodeValue::Bool(b) => serializer.serialize_bool(*b),
            NodeValue::Int(i) => serializer.serialize_i64(*i),
            // `null` when not finite, as `Value` has it.
            NodeValue::Float(f) => serializer.serialize_f64(*f),
            NodeValue::Str(s) => serializer.serialize_str(s),
            NodeValue::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Json(item))?;
                }
                seq.end()
            }
            NodeValue::Map(entries) => {
                // A JSON object's keys in order, as `serde_json::Map` keeps them.
                let mut sorted: Vec<&Entry> = entries.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                // Of a key written twice, the last value stands.
                sorted.dedup_by(|later, earlier| {
                    let same = later.key == earlier.key;
                    if same {
                        *earlier = *later;
                    }
                    same
                });
                let mut map = serializer.serialize_map(Some(sorted.len()))?;
                for entry in sorted {
                    map.serialize_entry(&entry.key, &Json(&entry.value))?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use crate::tree::fixture_trees;
    use proptest::prelude::*;

    /// The version as it was first computed: the hash of the JSON `Value`.
    fn through_json(tree: &Node) -> String {
        let json = serde_json::to_string(&tree.to_json()).expect("serialises");
        let digest = Sha256::digest(json.as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_version_is_the_hash_of_the_json_of_the_tree() {
        for (path, tree) in fixture_trees() {
            assert_eq!(content_hash(&tree), through_json(&tree), "{path:?}");
        }
    }

    #[test]
    fn a_version_stored_with_events_stays_what_it_was() {
        let text = "programme: {id: p, name: Programme}\nedition: {id: e, start: 2027-01-04}\nstages:\n  - {id: a, title: \"Étape \\\"1\\\"\", needs: []}\nbudget: 2.5e3\n";
        let tree = crate::yaml::load(FileId(0), text, &crate::yaml::Limits::default())
            .expect("valid yaml");
        assert_eq!(content_hash(&tree), "f9165726987c0c61");
    }

    fn node(value: NodeValue) -> Node {
        let span = Span {
            file: FileId(0),
            start: 0,
            end: 1,
        };
        Node { value, span }
    }

    fn any_tree() -> impl Strategy<Value = Node> {
        let leaf = prop_oneof![
            Just(NodeValue::Null),
            any::<bool>().prop_map(NodeValue::Bool),
            any::<i64>().prop_map(NodeValue::Int),
            any::<f64>().prop_map(NodeValue::Float),
            prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-0.0), Just(1e300)]
                .prop_map(NodeValue::Float),
            ".{0,8}".prop_map(NodeValue::Str),
        ]
        .prop_map(node);
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6)
                    .prop_map(|items| node(NodeValue::Seq(items))),
                // Few key letters, so that keys repeat and sort.
                prop::collection::vec(("[ab\u{e9}~]{0,2}", inner), 0..6).prop_map(|entries| {
                    let span = Span {
                        file: FileId(0),
                        start: 0,
                        end: 1,
                    };
                    node(NodeValue::Map(
                        entries
                            .into_iter()
                            .map(|(key, value)| Entry {
                                key,
                                key_span: span,
                                value,
                            })
                            .collect(),
                    ))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_tree_hashes_as_its_json(tree in any_tree()) {
            prop_assert_eq!(content_hash(&tree), through_json(&tree));
        }
    }
}
