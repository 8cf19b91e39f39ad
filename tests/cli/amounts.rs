//! Grants, prizes and the budget, as a programme manager meets them: the
//! check against the budget (stated by the programme template or the
//! edition), the plan's line, and the exports the département's finance
//! reads in a spreadsheet.

use std::path::{Path, PathBuf};

use crate::root;
use crate::support::{copy_dir, Jalon, Run};

/// An edition of the shipped 2024-2025 one with amounts (and `budget`,
/// when given), in a copy of the definitions; the programme template of
/// the copy states a budget of 40 000 €.
fn amounts_edition(dir: &Path, budget: Option<&str>) -> PathBuf {
    let definitions = dir.join("definitions");
    copy_dir(&root().join("definitions"), &definitions);
    let programme = definitions.join("programmes/val-doise.yaml");
    let mut text = std::fs::read_to_string(&programme).expect("the programme");
    text.push_str("\nbudget: 40000\n");
    std::fs::write(&programme, text).expect("written");
    let budget = budget.map_or_else(String::new, |b| format!("budget: \"{b}\"\n"));
    std::fs::write(
        definitions.join("editions/amounts.yaml"),
        format!(
            "extends: 2024-2025.yaml\n\
             edition: {{id: amounts}}\n\
             {budget}\
             participants:\n  \
             - {{id: atchoum, grant: \"25 000,50 €\", prize: 3000}}\n  \
             - {{id: alternoo, grant: 12000}}\n"
        ),
    )
    .expect("written");
    definitions
}

fn on(definitions: &Path, args: &[&str]) -> Run {
    let db = definitions.with_file_name("jalon.db");
    Jalon::new()
        .args(args)
        .arg("--definitions")
        .arg(definitions)
        .arg("--db")
        .arg(db)
        .run()
}

#[test]
fn the_programme_s_budget_holds_unless_the_edition_states_its_own() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    // The template's 40 000 €: 40 000,50 € awarded is 0,50 € too many,
    // reported at the template's line.
    let definitions = amounts_edition(dir.path(), None);
    let output = Jalon::new()
        .current_dir(&definitions)
        .args(["check", "--format", "json", "editions/amounts.yaml"])
        .run();
    output.expect_code(1);
    let report = output.json();
    let diagnostic = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "over-budget")
        .unwrap_or_else(|| panic!("an over-budget error in {report}"));
    assert_eq!(diagnostic["severity"], "error");
    let message = diagnostic["message"].as_str().expect("a message");
    for figure in [
        "40\u{202f}000,50\u{a0}€",
        "40\u{202f}000\u{a0}€",
        "0,50\u{a0}€",
    ] {
        assert!(message.contains(figure), "{figure} in {message}");
    }
    let file = diagnostic["file"].as_str().expect("a file");
    assert!(file.ends_with("val-doise.yaml"), "{diagnostic}");
    // The largest award is pointed at, in the edition.
    let related = diagnostic["related"].as_array().expect("related places");
    assert!(related[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("`atchoum`: 28\u{202f}000,50\u{a0}€")));
    assert!(related[0]["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("amounts.yaml")));

    // The edition's own budget replaces the template's.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let definitions = amounts_edition(dir.path(), Some("390 000 €"));
    Jalon::new()
        .current_dir(&definitions)
        .args(["check", "editions/amounts.yaml"])
        .run()
        .succeeds();
}

#[test]
fn the_plan_shows_the_budget_and_what_is_awarded() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let definitions = amounts_edition(dir.path(), Some("390 000 €"));
    let output = Jalon::new()
        .current_dir(&definitions)
        .args(["plan", "editions/amounts.yaml"])
        .run();
    output.succeeds();
    let line = "Budget\u{a0}: 390\u{202f}000\u{a0}€ — attribués\u{a0}: 40\u{202f}000,50\u{a0}€\n";
    assert!(output.stdout().contains(line), "{}", output.stdout());
}

/// The rows of a CSV export as the csv crate reads them.
fn rows(csv: &str) -> Vec<csv::StringRecord> {
    let body = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(body.as_bytes());
    reader.records().map(|r| r.expect("a row")).collect()
}

fn row<'r>(rows: &'r [csv::StringRecord], first: &str) -> &'r csv::StringRecord {
    rows.iter()
        .find(|r| &r[0] == first)
        .unwrap_or_else(|| panic!("a row `{first}` in {rows:?}"))
}

#[test]
fn the_exports_carry_the_amounts_and_their_total() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let definitions = amounts_edition(dir.path(), Some("390 000 €"));
    let at = ["--at", "2024-07-01 09:00"];
    let export = |format: &str| {
        let mut args = vec!["export", "amounts", "--format", format];
        args.extend(at);
        on(&definitions, &args).succeeds().stdout()
    };
    let csv = export("participants-csv");
    let rows = rows(&csv);
    assert_eq!(
        rows[0].iter().collect::<Vec<_>>(),
        ["Participant", "Statut", "Subvention", "Prix", "Total"]
    );
    // Plain numbers with the decimal comma of a French spreadsheet.
    let atchoum = row(&rows, "Atchoum");
    assert_eq!(
        atchoum.iter().collect::<Vec<_>>(),
        ["Atchoum", "lauréat", "25000,50", "3000", "28000,50"]
    );
    let alternoo = row(&rows, "ALTERNOO");
    assert_eq!(
        (&alternoo[2], &alternoo[3], &alternoo[4]),
        ("12000", "", "12000")
    );
    assert_eq!(&row(&rows, "Le Programme Malin")[4], "");
    let total = "Total attribué (hors non retenus et retirés)";
    assert_eq!(&row(&rows, total)[4], "40000,50");
    assert_eq!(&row(&rows, "Budget")[4], "390000");
    assert_eq!(&row(&rows, "Reste du budget")[4], "349999,50");

    let json: serde_json::Value = serde_json::from_str(&export("json")).expect("JSON");
    assert_eq!(json["budget"], 390000.0);
    assert_eq!(json["awarded"], 40000.5);
    let participant = |id: &str| {
        json["participants"]
            .as_array()
            .expect("participants")
            .iter()
            .find(|p| p["id"] == id)
            .cloned()
            .expect("the participant")
    };
    let atchoum = participant("atchoum");
    assert_eq!(
        (&atchoum["grant"], &atchoum["prize"], &atchoum["amount"]),
        (&25000.5.into(), &3000.0.into(), &28000.5.into())
    );
    assert!(participant("alternoo").get("prize").is_none());

    // One who withdraws no longer counts in the total.
    on(
        &definitions,
        &[
            "withdraw",
            "amounts",
            "alternoo",
            "--by",
            "serge-dobel",
            "--at",
            "2024-06-30 10:00",
        ],
    )
    .succeeds();
    let rows = self::rows(&export("participants-csv"));
    assert_eq!(&row(&rows, "ALTERNOO")[1], "retiré");
    assert_eq!(&row(&rows, total)[4], "28000,50");
    assert_eq!(&row(&rows, "Reste du budget")[4], "361999,50");
}

#[test]
fn an_edition_over_its_budget_is_not_exported() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let definitions = amounts_edition(dir.path(), None);
    // The template's 40 000 € is overspent: check refuses the edition, and
    // with it every command that reads it; the check says so first.
    let output = on(
        &definitions,
        &["export", "amounts", "--format", "participants-csv"],
    );
    assert_ne!(output.code(), Some(0), "{}", output.stdout());
    assert!(
        output.stderr().contains("over-budget"),
        "{}",
        output.stderr()
    );
}
