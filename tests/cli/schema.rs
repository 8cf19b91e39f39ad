//! Editor support: the JSON Schema, kept in `definitions/`, and every
//! shipped definition valid under it according to a validator and a YAML
//! parser this project did not write.

use std::path::PathBuf;

use crate::root;
use crate::support::Jalon;

fn shipped_definitions() -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("definitions folder") {
            let path = entry.expect("entry").path();
            // Simulation scripts and histories are not definitions.
            if path.is_dir()
                && path
                    .file_name()
                    .is_some_and(|n| n == "simulations" || n == "history")
            {
                continue;
            }
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("definitions"), &mut files);
    files.sort();
    files
}

#[test]
fn the_schema_in_definitions_is_up_to_date() {
    let printed = Jalon::new()
        .current_dir(root())
        .args(&["schema"])
        .run()
        .stdout();
    let shipped = std::fs::read_to_string(root().join("definitions/jalon.schema.json"))
        .expect("definitions/jalon.schema.json exists");
    assert!(
        printed == shipped,
        "definitions/jalon.schema.json is stale: run `cargo run -- schema > definitions/jalon.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&printed).expect("JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(
        schema["definitions"]["Stage"]["properties"]["due"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("relative date")),
        "doc comments become descriptions"
    );
}

#[test]
fn every_shipped_definition_declares_the_schema_for_editors() {
    for file in shipped_definitions() {
        let text = std::fs::read_to_string(&file).expect("readable");
        let first = text.lines().next().unwrap_or_default();
        let relative = file
            .parent()
            .expect("parent")
            .strip_prefix(root().join("definitions"))
            .expect("under definitions");
        let expected = format!(
            "# yaml-language-server: $schema={}jalon.schema.json",
            "../".repeat(relative.components().count())
        );
        assert_eq!(first, expected, "{}", file.display());
    }
}

#[test]
fn every_shipped_definition_is_valid_under_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("definitions/jalon.schema.json")).expect("schema"),
    )
    .expect("JSON");
    let validator = jsonschema::draft7::new(&schema).expect("a valid draft-07 schema");
    let files = shipped_definitions();
    assert!(files.len() >= 5, "the template and four editions");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let value: serde_json::Value = serde_saphyr::from_str(&text).expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
    // And the validator does reject what the schema forbids.
    let bad = serde_json::json!({"stages": [{"id": "a", "titel": "A"}]});
    assert!(!validator.is_valid(&bad));
}
