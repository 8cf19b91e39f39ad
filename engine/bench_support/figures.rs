//! A bench's figures as a Markdown table, printed and written to
//! `target/bench-figures/NAME.md`, from where `tests/bench-figures` puts
//! it in the README between `<!-- figures:NAME -->` and
//! `<!-- /figures:NAME -->`. Included with
//! `#[path = "../../bench_support/figures.rs"] mod figures;`.
// Each bench uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;

pub struct Table {
    name: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(name: &'static str, header: &[&str]) -> Table {
        Table {
            name,
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = line(&self.header);
        out.push_str(&line(&vec!["---".to_owned(); self.header.len()]));
        for row in &self.rows {
            out.push_str(&line(row));
        }
        out
    }

    /// Prints the table and writes it for the README (a bench that cannot
    /// write it still printed its figures).
    pub fn write(&self) {
        let text = self.markdown();
        println!("\n{text}");
        let dir = folder();
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join(format!("{}.md", self.name)), &text));
        if let Err(e) = written {
            eprintln!("cannot write the figures to {}: {e}", dir.display());
        }
    }
}

/// `target/bench-figures` of this workspace (or of `CARGO_TARGET_DIR`).
fn folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("bench-figures")
}

/// A median with its spread: `62.1 ms (58.0–66.2)`, `2,677 (2,571–2,710)`.
pub fn spread(median: f64, low: f64, high: f64, unit: &str) -> String {
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    format!("{}{unit} ({}–{})", round(median), round(low), round(high))
}

/// The median of `values` with their spread, as [`spread`] writes it.
pub fn spread_of(values: &[f64], unit: &str) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match (sorted.first(), sorted.last()) {
        (Some(&low), Some(&high)) => spread(sorted[sorted.len() / 2], low, high, unit),
        _ => "no runs".to_owned(),
    }
}

/// Three significant figures, thousands grouped: `1,540`, `12.4`, `0.83`.
pub fn round(value: f64) -> String {
    if value >= 1000.0 {
        let whole = value.round() as u64;
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}
