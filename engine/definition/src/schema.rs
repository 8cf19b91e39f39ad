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

/// Above this many values, only the first structural problem is reported.
const LARGE_FILE_VALUES: usize = 20_000;

/// Past this many structural problems in one file, the rest are summed up.
const MAX_REPORTED: usize = 200;

/// Where editors and `# yaml-language-server: $schema=` comments find the schema.
pub const SCHEMA_FILE_NAME: &str = "jalon.schema.json";

/// The JSON Schema of a definition file (draft-07, which the YAML language
/// server understands): what a merged definition must be, and, as an
/// edition file may write them over its template, `null` for any key (the
/// template's is dropped) and `{append: [...]}` for any list.
pub fn json_schema() -> Value {
    let mut value = merged_schema();
    value.insert_edits();
    value
}

/// What a definition must be once `extends` is merged: no `null`, no
/// `{append: ...}` left. The structural check holds definitions to it.
fn merged_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<Document>();
    schema.insert("title".into(), "Jalon definition".into());
    let mut value = schema.to_value();
    drop_null(&mut value);
    bound_integers(&mut value);
    value
}

trait FileEdits {
    fn insert_edits(&mut self);
}

impl FileEdits for Value {
    /// Every property of every object may also be `null`, and every list
    /// `{append: [...]}`; the description stays outside, for hovers.
    fn insert_edits(&mut self) {
        match self {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get_mut("properties") {
                    for property in properties.values_mut() {
                        property.insert_edits();
                        *property = with_edits(std::mem::take(property));
                    }
                }
                for (key, value) in map.iter_mut() {
                    if key != "properties" {
                        value.insert_edits();
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(FileEdits::insert_edits),
            _ => {}
        }
    }
}

fn with_edits(mut property: Value) -> Value {
    let description = property
        .as_object_mut()
        .and_then(|p| p.remove("description"));
    let is_list = property.get("type").and_then(Value::as_str) == Some("array");
    let mut branches = vec![property.clone(), serde_json::json!({"type": "null"})];
    if is_list {
        branches.push(serde_json::json!({
            "type": "object",
            "properties": {"append": property},
            "required": ["append"],
            "additionalProperties": false
        }));
    }
    let mut edited = serde_json::json!({ "anyOf": branches });
    if let (Some(description), Some(map)) = (description, edited.as_object_mut()) {
        map.insert("description".into(), description);
    }
    edited
}

/// schemars states a Rust integer's width as a `format`, which validators
/// need not check: a `quorum` of 2^32 would pass the schema and then fail
/// to be read. The bound as a `maximum` makes it a located error instead.
fn bound_integers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let maximum = match map.get("format").and_then(Value::as_str) {
                Some("uint8") => Some(u64::from(u8::MAX)),
                Some("uint16") => Some(u64::from(u16::MAX)),
                Some("uint32") => Some(u64::from(u32::MAX)),
                _ => None,
            };
            if let Some(maximum) = maximum {
                map.entry("maximum").or_insert(maximum.into());
            }
            map.values_mut().for_each(bound_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// Optional fields may be left out, not written empty: `title:` with nothing
/// after it is more often a slip than a wish, so the schema refuses `null`.
/// (This also spares editors and users the `anyOf` schemars makes of `Option`.)
fn drop_null(value: &mut Value) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(drop_null);
        }
        return;
    };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            map.insert("type".into(), only);
        }
    }
    let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
    if let Some(Value::Array(branches)) = map.get("anyOf") {
        if branches.len() == 2 && branches.iter().any(is_null) {
            let kept = branches.iter().find(|b| !is_null(b)).cloned();
            map.remove("anyOf");
            if let Some(Value::Object(kept)) = kept {
                for (k, v) in kept {
                    map.entry(k).or_insert(v);
                }
            }
        }
    }
    map.values_mut().for_each(drop_null);
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
        let schema = merged_schema();
        let validator = jsonschema::draft7::new(&schema).ok();
        Compiled { schema, validator }
    })
}

/// What the structural check found.
pub struct Structure {
    pub diagnostics: Vec<Diagnostic>,
    /// True when every bad value was the value of a key and has been removed
    /// from the JSON, so the meaning can still be checked on what remains.
    pub pruned: bool,
    /// JSON pointers of the values removed.
    pub removed: Vec<String>,
}

/// Every structural problem of a (merged) definition. Bad keys are removed
/// from `json` so that the other checks can still run and report the rest.
pub fn check_structure(tree: &Node, json: &mut Value) -> Structure {
    let compiled = compiled();
    let Some(validator) = &compiled.validator else {
        return Structure {
            diagnostics: vec![Diagnostic::error(
                "internal",
                "the definition schema could not be compiled; this is a bug in Jalon",
            )],
            pruned: false,
            removed: Vec::new(),
        };
    };
    // The validator gathers every error before returning any; on a huge
    // generated file with an error per value that would take hundreds of
    // MiB, so large invalid files get their first problem only.
    if tree.count() > LARGE_FILE_VALUES {
        if let Err(first) = validator.validate(json) {
            let mut diagnostics = describe(
                tree,
                &compiled.schema,
                first.instance_path().as_str(),
                first.schema_path().as_str(),
                first.kind(),
                &first.to_string(),
            );
            diagnostics.truncate(1);
            diagnostics.push(
                Diagnostic::error("too-many-problems", format!("this file holds more than {LARGE_FILE_VALUES} values and does not fit the format; only its first structural problem is shown"))
                    .at(tree.span)
                    .hint("fix it and check again; this file may not be a Jalon definition at all"),
            );
            return Structure {
                diagnostics,
                pruned: false,
                removed: Vec::new(),
            };
        }
        return Structure {
            diagnostics: Vec::new(),
            pruned: true,
            removed: Vec::new(),
        };
    }
    let mut removals: Vec<(String, String)> = Vec::new();
    let mut pruned = true;
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for error in validator.iter_errors(json) {
        if diagnostics.len() >= MAX_REPORTED {
            pruned = false;
            break;
        }
        let path = error.instance_path().as_str();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                removals.extend(unexpected.iter().map(|k| (path.to_string(), k.clone())));
            }
            _ => match path.rsplit_once('/') {
                Some((parent, key)) if key.parse::<usize>().is_err() => {
                    removals.push((
                        parent.to_string(),
                        key.replace("~1", "/").replace("~0", "~"),
                    ));
                }
                _ => pruned = false,
            },
        }
        diagnostics.extend(describe(
            tree,
            &compiled.schema,
            path,
            error.schema_path().as_str(),
            error.kind(),
            &error.to_string(),
        ));
    }
    let mut removed = Vec::with_capacity(removals.len());
    for (parent, key) in removals {
        if let Some(Value::Object(map)) = json.pointer_mut(&parent) {
            map.remove(&key);
        }
        removed.push(format!(
            "{parent}/{}",
            key.replace('~', "~0").replace('/', "~1")
        ));
    }
    diagnostics.sort_by_key(|d| d.span);
    diagnostics.dedup();
    if diagnostics.len() >= MAX_REPORTED {
        diagnostics.truncate(MAX_REPORTED);
        diagnostics.push(
            Diagnostic::error("too-many-problems", format!("more than {MAX_REPORTED} structural problems; only the first {MAX_REPORTED} are shown"))
                .at(tree.span)
                .hint("fix these first; this file may not be a Jalon definition at all"),
        );
    }
    Structure {
        diagnostics,
        pruned,
        removed,
    }
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
    let container = container_name(tree, instance_path);
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let parent_schema = schema_at(
                schema,
                schema_path.trim_end_matches("/additionalProperties"),
            );
            let allowed: Vec<&str> = parent_schema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .take(MAX_REPORTED)
                .map(|key| {
                    let entry = node.entry(key);
                    Diagnostic::error("unknown-key", format!("unknown key `{key}` {container}"))
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
                format!(
                    "`{field}` should be {expected}, but it is {}",
                    node.describe()
                ),
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
            vec![unknown_value(node, &field, &allowed)]
        }
        // Enums whose values carry descriptions are `oneOf` a list of `const`s.
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. }
            if !constants(schema, schema_path).is_empty() =>
        {
            vec![unknown_value(node, &field, &constants(schema, schema_path))]
        }
        ValidationErrorKind::Minimum { limit } => vec![Diagnostic::error(
            "wrong-type",
            format!(
                "`{field}` must be {limit} or more, but it is {}",
                node.describe()
            ),
        )
        .at(node.span)
        .label("too small")],
        ValidationErrorKind::Maximum { limit } => vec![Diagnostic::error(
            "wrong-type",
            format!(
                "`{field}` must be {limit} or less, but it is {}",
                node.describe()
            ),
        )
        .at(node.span)
        .label("too large")],
        _ => vec![Diagnostic::error("wrong-type", fallback.to_string())
            .at(located.key_span.unwrap_or(node.span))],
    }
}

fn unknown_value(node: &Node, field: &str, allowed: &[&str]) -> Diagnostic {
    let found = node.as_str().unwrap_or_default();
    Diagnostic::error(
        "unknown-value",
        format!("`{field}` cannot be {}", node.describe()),
    )
    .at(node.span)
    .label("not an allowed value")
    .hint(suggestion_hint(found, allowed, "value"))
}

/// The values a `oneOf`/`anyOf` of constants allows (empty if it is not one).
fn constants<'a>(schema: &'a Value, keyword_path: &str) -> Vec<&'a str> {
    let branches = schema_at(schema, keyword_path).and_then(Value::as_array);
    let Some(branches) = branches else {
        return Vec::new();
    };
    let values: Vec<&str> = branches
        .iter()
        .filter_map(|b| {
            b.get("const")
                .or_else(|| b.get("enum").and_then(|e| e.get(0)))
        })
        .filter_map(Value::as_str)
        .collect();
    if values.len() == branches.len() {
        values
    } else {
        let mut all = Vec::new();
        for b in branches {
            if let Some(e) = b.get("enum").and_then(Value::as_array) {
                all.extend(e.iter().filter_map(Value::as_str));
            } else if let Some(c) = b.get("const").and_then(Value::as_str) {
                all.push(c);
            } else {
                return Vec::new();
            }
        }
        all
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

/// Words for the mapping at a pointer: "in stage `sourcing`", "in `calendar`".
fn container_name(tree: &Node, pointer: &str) -> String {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    match segments.as_slice() {
        [] => "at the top of the definition".into(),
        [.., list, index] if index.parse::<usize>().is_ok() => {
            let what = match *list {
                "stages" => "stage",
                "people" => "person",
                "roles" => "role",
                "participants" => "participant",
                "organisations" => "organisation",
                "themes" => "theme",
                "templates" => "template",
                "reminders" => "reminder",
                "outcomes" => "outcome",
                "criteria" => "criterion",
                "events" => "event",
                "closures" => "closure",
                "indicators" => "indicator",
                "deliverables" => "deliverable",
                _ => "item",
            };
            match tree.locate(pointer).node.get("id").and_then(Node::as_str) {
                Some(id) => format!("in {what} `{id}`"),
                None => format!("in this {what}"),
            }
        }
        [.., key] => format!("in `{key}`"),
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
