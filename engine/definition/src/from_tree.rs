//! A [`Document`] read straight from the located tree, without the JSON
//! copy and the schema pass: the fast path for the usual, valid file.
//!
//! It is at least as strict as the schema (no `null` anywhere, structs only
//! from mappings, enums only from texts, no unknown key), so a tree it
//! reads is one the schema accepts; it reads it into the same `Document`
//! as `serde_json::from_value` of the tree's JSON. A tree it does not read
//! goes through the schema, whose report says what is wrong and where.

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::model::Document;
use crate::tree::{Entry, Node, NodeValue};

/// The tree, read as a definition; `None` when it does not read as one.
pub fn document(tree: &Node) -> Option<Document> {
    Document::deserialize(tree).ok()
}

/// Why the tree did not read. Never shown: the schema's report is.
#[derive(Debug, thiserror::Error)]
#[error("the tree does not read as a definition")]
pub struct Mismatch;

impl de::Error for Mismatch {
    // The message is dropped unformatted: the schema pass explains.
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Mismatch
    }
}

impl<'de> Deserializer<'de> for &'de Node {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match &self.value {
            // The schema refuses `null` for every field.
            NodeValue::Null => Err(Mismatch),
            NodeValue::Bool(b) => visitor.visit_bool(*b),
            // As serde_json hands over its numbers: unsigned when it can.
            NodeValue::Int(i) => match u64::try_from(*i) {
                Ok(u) => visitor.visit_u64(u),
                Err(_) => visitor.visit_i64(*i),
            },
            // In JSON a float that is not finite is `null`.
            NodeValue::Float(f) if f.is_finite() => visitor.visit_f64(*f),
            NodeValue::Float(_) => Err(Mismatch),
            NodeValue::Str(s) => visitor.visit_borrowed_str(s),
            NodeValue::Seq(items) => {
                let mut access = Items(items.iter());
                let value = visitor.visit_seq(&mut access)?;
                all_read(access.0.as_slice(), value)
            }
            NodeValue::Map(entries) => {
                let mut access = Entries {
                    entries: entries.iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut access)?;
                all_read(access.entries.as_slice(), value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match self.value {
            NodeValue::Null => Err(Mismatch),
            _ => visitor.visit_some(self),
        }
    }

    // serde would also read a struct from a list of its fields in order;
    // the schema wants a mapping.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        match self.value {
            NodeValue::Map(_) => self.deserialize_any(visitor),
            _ => Err(Mismatch),
        }
    }

    // Every enum of the format is a word.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        match &self.value {
            NodeValue::Str(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            _ => Err(Mismatch),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map identifier
    }
}

/// A list or mapping read in part is not read (as serde_json has it).
fn all_read<T, V>(left: &[T], value: V) -> Result<V, Mismatch> {
    match left {
        [] => Ok(value),
        _ => Err(Mismatch),
    }
}

struct Items<'de>(std::slice::Iter<'de, Node>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Mismatch;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Mismatch> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'de> {
    entries: std::slice::Iter<'de, Entry>,
    /// The value of the key just read.
    value: Option<&'de Node>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Mismatch> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(&entry.value);
        seed.deserialize(BorrowedStrDeserializer::new(&entry.key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Mismatch> {
        let value = self.value.take().ok_or(Mismatch)?;
        seed.deserialize(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::check_structure;
    use crate::tree::fixture_trees;
    use crate::yaml::{load, Limits};

    fn tree(text: &str) -> Node {
        load(crate::source::FileId(0), text, &Limits::default()).expect("valid yaml")
    }

    /// The document as `serde_json` reads the tree's JSON, comparable.
    fn through_json(tree: &Node) -> serde_json::Value {
        let document: Document = serde_json::from_value(tree.to_json()).expect("reads");
        serde_json::to_value(document).expect("serialises")
    }

    #[test]
    fn a_tree_read_directly_is_read_as_through_json_and_passes_the_schema() {
        let mut read = 0;
        for (path, tree) in fixture_trees() {
            let Some(direct) = document(&tree) else {
                continue;
            };
            read += 1;
            let structure = check_structure(&tree, &mut tree.to_json());
            assert!(
                structure.diagnostics.is_empty(),
                "{path:?} reads directly but the schema refuses it: {:?}",
                structure.diagnostics
            );
            let direct = serde_json::to_value(direct).expect("serialises");
            assert_eq!(direct, through_json(&tree), "{path:?}");
        }
        assert!(read >= 40, "only {read} fixtures read directly");
    }

    #[test]
    fn what_the_schema_refuses_is_left_to_it() {
        for text in [
            "programme: {id: p, name: ~}\n",
            "programme: [p, name]\n",
            "calendar: {public_holidays: {france: ~}}\n",
            "stages: [{id: a, validation: {quorum: 2.0}}]\n",
            "stages: [{id: a, validation: {quorum: -1}}]\n",
            "stages: [{id: a, validation: {quorum: 4294967296}}]\n",
            "stages: [{id: a, colour: red}]\n",
            "participants: [{id: a, grant: true}]\n",
            "participants: [{id: a, grant: [1]}]\n",
            "messages: {stage_opend: t}\n",
            "stages: {id: a}\n",
            "edition: {id: 2027}\n",
        ] {
            let tree = tree(text);
            assert!(document(&tree).is_none(), "{text}");
            let structure = check_structure(&tree, &mut tree.to_json());
            let refused = !structure.diagnostics.is_empty()
                || serde_json::from_value::<Document>(tree.to_json()).is_err();
            assert!(refused, "{text} is refused by one or the other");
        }
        // What both accept, both read alike.
        let text = "participants: [{id: a, grant: 25000, prize: \"1 000 €\"}, {id: b, grant: -5, prize: 2.5}]\nstages: [{id: a, jury: {minimum: 12, assign: {x: [a]}}}]\nmessages: {stage_opened: t}\n";
        let tree = tree(text);
        let direct = serde_json::to_value(document(&tree).expect("reads")).expect("serialises");
        assert_eq!(direct, through_json(&tree));
    }
}
