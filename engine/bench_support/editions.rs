//! Editions written for the benches: the Val d'Oise template extended
//! with generated people and laureates. Included with
//! `#[path = "../../bench_support/editions.rs"] mod editions;`.

use std::path::Path;

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
    y.push_str("participants:\n");
    for i in 0..laureates {
        y.push_str(&format!(
            "  - {{id: p{i}, name: Lauréat {i}, status: laureate, contact: {{name: Équipe {i}, email: p{i}@example.org}}}}\n"
        ));
    }
    y
}
