//! Editions written for the benches: the Val d'Oise template extended
//! with generated people and laureates. Included with
//! `#[path = "../../bench_support/editions.rs"] mod editions;`.
// Each bench uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits};

/// An edition `id` of `laureates` laureates on the template at `template`
/// (a path relative to the definitions folder).
pub fn edition(
    template: &Path,
    id: &str,
    start: &str,
    end: &str,
    launch: &str,
    laureates: usize,
) -> String {
    let mut y = format!("extends: {}\n", template.display());
    y.push_str(&format!(
        "edition: {{id: {id}, name: Mesure {id}, start: {start}, end: {end}}}\n"
    ));
    y.push_str("people:\n");
    for person in ["ana", "bob", "cleo", "dan", "serge-dobel"] {
        y.push_str(&format!(
            "  - {{id: {person}, name: {person}, email: {person}@example.org}}\n"
        ));
    }
    y.push_str("roles:\n  - {id: coordination, members: [ana, bob]}\n  - {id: direction-generale, members: [cleo]}\n  - {id: accelerateur, members: [dan]}\n  - {id: labo-impact, members: [cleo]}\n  - {id: jury, members: [ana, cleo]}\n");
    y.push_str(&format!("stages:\n  - {{id: lancement, start: {launch}}}\n  - {{id: sourcing, selection: {{max: 10000}}}}\n  - {{id: shortlisting, selection: {{max: 10000}}}}\n  - {{id: jury, selection: {{max: 10000}}}}\n"));
    y.push_str("  - {id: mesure-impact, indicators: [{id: trajets, objective: Rompre l'isolement, indicator: Trajets par mois}]}\n");
    y.push_str(&laureates_listed(laureates));
    y
}

/// A `participants:` list of `count` generated laureates, `p0`, `p1`…
pub fn laureates_listed(count: usize) -> String {
    let mut y = String::from("participants:\n");
    for i in 0..count {
        y.push_str(&format!(
            "  - {{id: p{i}, name: Lauréat {i}, status: laureate, contact: {{name: Équipe {i}, email: p{i}@example.org}}}}\n"
        ));
    }
    y
}

/// The edition of the definition at `path`, checked with the node limit
/// raised for 10,000 laureates; the bench stops on any error.
pub fn checked(path: &Path) -> Arc<Edition> {
    let limits = Limits {
        max_nodes: 1_000_000,
        ..Limits::default()
    };
    let report = check_paths(&[path.to_path_buf()], &limits).expect("readable");
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    Arc::new(report.editions.into_iter().next().expect("an edition").1)
}
