//! The JSON Schema of the format, generated from [`crate::model`], and the
//! structural check built on it: unknown keys and wrong types, all of them at
//! once, each located in the YAML it came from.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::Validator;
use serde_json::Value;

use crate::diagnostic::{suggestion_hint, Diagnostic};
use crate::model::Document;
use crate::tree::Node;

/// Where editors and `# yaml-language-server: $schema=` comments find the schema.
pub const SCHEMA_FILE_NAME: &str = "jalon.schema.json";

/// The JSON Schema (draft-07, which the YAML language server understands).
pub fn json_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<Document>();
    schema.insert("title".into(), "Jalon definition".into());
    schema.to_value()
}

/// The schema as pretty JSON with a final newline, as shipped in `definitions/`.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    text.push('\n');
    text
}

struct Compiled {
    schema: Value,
    validator: Option<Validator>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let schema = json_schema();
        let validator = jsonschema::draft7::new(&schema).ok();
        Compiled { schema, validator }
    })
}

/// Every structural problem of a (merged) definition.
pub fn check_structure(tree: &Node, json: &Value) -> Vec<Diagnostic> {
    let compiled = compiled();
    let Some(validator) = &compiled.validator else {
        return vec![Diagnostic::error(
            "internal",
            "the definition schema could not be compiled; this is a bug in Jalon",
        )];
    };
    let mut diagnostics: Vec<Diagnostic> = validator
        .iter_errors(json)
        .flat_map(|error| {
            describe(
                tree,
                &compiled.schema,
                error.instance_path().as_str(),
                error.schema_path().as_str(),
                error.kind(),
                &error.to_string(),
            )
        })
        .collect();
    diagnostics.sort_by_key(|d| d.span);
    diagnostics.dedup();
    diagnostics
}

fn describe(
    tree: &Node,
    schema: &Value,
    instance_path: &str,
    schema_path: &str,
    kind: &ValidationErrorKind,
    fallback: &str,
) -> Vec<Diagnostic> {
    let located = tree.locate(instance_path);
    let node = located.node;
    let field = field_name(instance_path);
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let parent_schema = schema_at(schema, schema_path.trim_end_matches("/additionalProperties"));
            let allowed: Vec<&str> = parent_schema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let entry = node.entry(key);
                    Diagnostic::error("unknown-key", format!("unknown key `{key}`{}", in_what(&field)))
                        .at_opt(entry.map(|e| e.key_span).or(Some(node.span)))
                        .label("not a known key here")
                        .hint(suggestion_hint(key, &allowed, "key"))
                })
                .collect()
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => type_words(&t.to_string()).to_string(),
                TypeKind::Multiple(set) => {
                    let words: Vec<&str> = set
                        .iter()
                        .map(|t| t.to_string())
                        .filter(|t| t != "null")
                        .map(|t| type_words(&t))
                        .collect();
                    words.join(" or ")
                }
            };
            vec![Diagnostic::error(
                "wrong-type",
                format!("`{field}` should be {expected}, but it is {}", node.describe()),
            )
            .at(node.span)
            .label(format!("expected {expected}"))
            .hint(type_hint(&expected))]
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let found = node.as_str().unwrap_or_default();
            vec![Diagnostic::error(
                "unknown-value",
                format!("`{field}` cannot be {}", node.describe()),
            )
            .at(node.span)
            .label("not an allowed value")
            .hint(suggestion_hint(found, &allowed, "value"))]
        }
        ValidationErrorKind::Minimum { limit } => vec![Diagnostic::error(
            "wrong-type",
            format!("`{field}` must be {limit} or more, but it is {}", node.describe()),
        )
        .at(node.span)
        .label("too small")],
        ValidationErrorKind::Maximum { limit } => vec![Diagnostic::error(
            "wrong-type",
            format!("`{field}` must be {limit} or less, but it is {}", node.describe()),
        )
        .at(node.span)
        .label("too large")],
        _ => vec![Diagnostic::error("wrong-type", fallback.to_string())
            .at(located.key_span.unwrap_or(node.span))],
    }
}

/// The last named key on a JSON pointer: `/stages/3/needs/0` → `needs`.
fn field_name(pointer: &str) -> String {
    pointer
        .split('/')
        .rev()
        .find(|s| !s.is_empty() && s.parse::<usize>().is_err())
        .unwrap_or("the definition")
        .replace("~1", "/")
        .replace("~0", "~")
}

fn in_what(field: &str) -> String {
    if field == "the definition" {
        " at the top of the definition".into()
    } else {
        format!(" in `{field}`")
    }
}

fn schema_at<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    schema.pointer(pointer)
}

fn type_words(json_type: &str) -> &'static str {
    match json_type {
        "string" => "a text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "`true` or `false`",
        "array" => "a list",
        "object" => "a mapping (keys and values)",
        "null" => "empty",
        _ => "another kind of value",
    }
}

fn type_hint(expected: &str) -> String {
    match expected {
        "a list" => "write a list as `[a, b]` or as lines starting with `- `".into(),
        "a mapping (keys and values)" => "write `key: value` pairs, indented under this key".into(),
        "a text" => "put the value in quotes if it looks like a number or a date".into(),
        _ => format!("replace it with {expected}"),
    }
}
