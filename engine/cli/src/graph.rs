//! `jalon graph`: the stage graph as Mermaid (for Markdown documents) or
//! Graphviz DOT (for reviews), with per-participant stages and decision
//! branches marked.

use std::fmt::Write;

use jalon_definition::resolved::{Edition, Stage};

use jalon_core::status_word;

pub fn mermaid(edition: &Edition) -> String {
    let mut out = String::from("flowchart TD\n");
    for (s, stage) in edition.stages.iter().enumerate() {
        let label = escape_mermaid(&label(stage));
        let shape = if stage.outcomes.is_empty() {
            format!("[\"{label}\"]")
        } else {
            format!("{{\"{label}\"}}")
        };
        let _ = writeln!(out, "    s{s}{shape}");
    }
    for (s, stage) in edition.stages.iter().enumerate() {
        for &need in &stage.needs {
            let _ = writeln!(out, "    s{need} --> s{s}");
        }
        for outcome in &stage.outcomes {
            for &target in &outcome.leads_to {
                let _ = writeln!(
                    out,
                    "    s{s} -- \"{}\" --> s{target}",
                    escape_mermaid(&outcome.title)
                );
            }
        }
    }
    out
}

pub fn dot(edition: &Edition) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n    rankdir=TB;\n    node [shape=box, style=rounded, fontname=\"sans-serif\"];\n",
        escape_dot(&format!("{} — {}", edition.programme_name, edition.name))
    );
    for (s, stage) in edition.stages.iter().enumerate() {
        let shape = if stage.outcomes.is_empty() {
            ""
        } else {
            ", shape=diamond, style=solid"
        };
        let _ = writeln!(
            out,
            "    \"{}\" [label=\"{}\"{shape}];",
            escape_dot(&edition.stages[s].id),
            escape_dot(&label(stage))
        );
    }
    for stage in &edition.stages {
        for &need in &stage.needs {
            let _ = writeln!(
                out,
                "    \"{}\" -> \"{}\";",
                escape_dot(&edition.stages[need].id),
                escape_dot(&stage.id)
            );
        }
        for outcome in &stage.outcomes {
            for &target in &outcome.leads_to {
                let _ = writeln!(
                    out,
                    "    \"{}\" -> \"{}\" [label=\"{}\", style=dashed];",
                    escape_dot(&stage.id),
                    escape_dot(&edition.stages[target].id),
                    escape_dot(&outcome.title)
                );
            }
        }
    }
    out.push_str("}\n");
    out
}

/// Title, dates, and who it runs for.
fn label(stage: &Stage) -> String {
    let each = match stage.for_each {
        Some(status) => format!(" · for each {}", status_word(Some(status))),
        None => String::new(),
    };
    format!(
        "{}\n{} → {}{each}",
        stage.title,
        stage.start.strftime("%d/%m/%Y"),
        stage.due.strftime("%d/%m/%Y")
    )
}

/// Mermaid labels are quoted; quotes and newlines need entities.
fn escape_mermaid(text: &str) -> String {
    text.replace('"', "#quot;").replace('\n', "<br/>")
}

fn escape_dot(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
