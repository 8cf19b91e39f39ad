//! `jalon check` as a programme manager runs it.

use crate::support::Jalon;
use crate::{fixtures, root};

#[test]
fn the_shipped_definitions_pass_with_warnings_denied() {
    let output = Jalon::new()
        .current_dir(root())
        .args(&["check", "--deny-warnings", "definitions"])
        .run();
    output.succeeds();
    assert!(output.stdout().contains("no problems"));
}

#[test]
fn a_clean_file_exits_zero_and_says_so() {
    let output = Jalon::new()
        .current_dir(fixtures())
        .args(&["check", "base.yaml"])
        .run();
    output.expect_code(0);
    assert_eq!(output.stdout(), "✓ 1 file checked, no problems\n");
}

#[test]
fn an_edition_appends_a_reminder_to_the_template_s_instead_of_replacing_them() {
    let plan = Jalon::new()
        .current_dir(fixtures())
        .args(&["plan", "append.yaml", "--format", "json"])
        .run()
        .json();
    let mut reminders: Vec<String> = plan["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["kind"] == "reminder" && m["stage"] == "diagnostic")
        .map(|m| m["key"].as_str().expect("a key").to_owned())
        .collect();
    reminders.sort();
    // The template's (due - 5 working days) and the edition's (due - 10).
    assert_eq!(
        reminders,
        [
            "test/diagnostic/reminder/0/2025-01-27/person:ana",
            "test/diagnostic/reminder/1/2025-01-20/person:ana"
        ]
    );
}

#[test]
fn each_laureate_s_notices_go_to_its_own_service() {
    let plan = Jalon::new()
        .current_dir(fixtures())
        .args(&["plan", "per-participant.yaml", "--format", "json"])
        .run()
        .json();
    // (kind, participant) → the addresses, in the plan's order.
    let to = |kind: &str, participant: &str| -> Vec<String> {
        plan["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter(|m| {
                m["stage"] == "suivi" && m["kind"] == kind && m["participant"] == participant
            })
            .map(|m| m["to_email"].as_str().expect("an address").to_owned())
            .collect()
    };
    // Its service (`service:`), its directions (`directions:`), else the
    // directions of its themes; and its own contact.
    assert_eq!(
        to("stage_opened", "p1"),
        ["un@example.org", "bob@example.org"]
    );
    assert_eq!(
        to("stage_opened", "p2"),
        ["deux@example.org", "cara@example.org"]
    );
    assert_eq!(
        to("stage_opened", "p3"),
        ["trois@example.org", "dan@example.org"]
    );
    assert_eq!(to("validation_request", "p1"), ["bob@example.org"]);
    assert_eq!(to("validation_request", "p2"), ["cara@example.org"]);
    // `to: [participant]`: the contact alone.
    assert_eq!(to("reminder", "p1"), ["un@example.org"]);
}

#[test]
fn a_closure_stated_for_every_year_counts_in_the_edition_s_year() {
    let due = |file: &str| -> String {
        let plan = Jalon::new()
            .current_dir(fixtures())
            .args(&["plan", file, "--format", "json"])
            .run()
            .json();
        let stage = plan["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .find(|s| s["stage"] == "diagnostic")
            .expect("the diagnostic")
            .clone();
        stage["due"].as_str().expect("a due date").to_owned()
    };
    // 20 working days from Monday 6 January 2025: 3 February; with the week
    // of 13 January closed, a week later.
    assert_eq!(due("base.yaml"), "2025-02-03");
    assert_eq!(due("yearly-closure.yaml"), "2025-02-10");
}

#[test]
fn a_stage_follows_the_calendar_of_the_organisation_it_names() {
    let plan = |file: &str| -> serde_json::Value {
        Jalon::new()
            .current_dir(fixtures())
            .args(&["plan", file, "--format", "json"])
            .run()
            .json()
    };
    let window = |plan: &serde_json::Value, stage: &str| -> (String, String) {
        let found = plan["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .find(|s| s["stage"] == stage)
            .expect("the stage")
            .clone();
        let date = |k: &str| found[k].as_str().expect("a date").to_owned();
        (date("start"), date("due"))
    };
    let reminder = |plan: &serde_json::Value| -> String {
        plan["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .find(|m| m["kind"] == "reminder" && m["stage"] == "diagnostic")
            .and_then(|m| m["at"].as_str())
            .expect("a reminder")
            .to_owned()
    };
    let base = plan("base.yaml");
    let named = plan("named-calendar.yaml");
    // The accelerator's week off: the diagnostic ends a week later, and
    // its reminder (due - 5 working days) falls a week later too.
    assert_eq!(window(&base, "diagnostic").1, "2025-02-03");
    assert_eq!(window(&named, "diagnostic").1, "2025-02-10");
    assert!(
        reminder(&base).starts_with("2025-01-27"),
        "{}",
        reminder(&base)
    );
    assert!(
        reminder(&named).starts_with("2025-02-03"),
        "{}",
        reminder(&named)
    );
    // The short-list, which follows the edition's calendar, still takes
    // ten working days from the day after.
    assert_eq!(
        window(&named, "shortlist"),
        ("2025-02-11".to_owned(), "2025-02-25".to_owned())
    );
}

#[test]
fn warnings_fail_only_when_denied() {
    let dir = fixtures();
    let file = "broken/non-working-date.yaml";
    let output = Jalon::new().current_dir(&dir).args(&["check", file]).run();
    assert_eq!(output.code(), Some(0), "warnings alone pass");
    assert!(output.stdout().contains("0 errors and 1 warning"));
    let output = Jalon::new()
        .current_dir(&dir)
        .args(&["check", "--deny-warnings", file])
        .run();
    output.expect_code(1);
}

#[test]
fn every_problem_is_reported_at_once_with_place_snippet_and_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `extends` is relative and stays in the checked folder: the base beside it.
    std::fs::copy(fixtures().join("base.yaml"), dir.path().join("base.yaml")).expect("copy");
    let base = "base.yaml";
    let text = format!(
        "extends: {}\ntime_zone: Europe/Pari\npeople:\n  - {{id: ana, name: Ana, email: ana-at-example.org}}\nstages:\n  - id: diagnostic\n    titel: Diagnostic\n    needs: [jurry]\n",
        base
    );
    std::fs::write(dir.path().join("edition.yaml"), text).expect("write");
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(&["check", "edition.yaml"])
        .run();
    output.expect_code(1);
    let out = output.stdout();
    for expected in [
        "error[unknown-time-zone]: edition.yaml:2:12",
        "did you mean `Europe/Paris`?",
        "error[invalid-email]: edition.yaml:4:33",
        "error[unknown-key]: edition.yaml:7:5",
        "did you mean `title`?",
        "error[unknown-reference]: edition.yaml:8:13",
        "did you mean `jury`?",
        " 7 │     titel: Diagnostic",
        "4 errors and 0 warnings in 1 file",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
}

#[test]
fn json_output_carries_locations_for_tools() {
    let output = Jalon::new()
        .current_dir(fixtures())
        .args(&["check", "--format", "json", "broken/unknown-key.yaml"])
        .run();
    output.expect_code(1);
    let report = output.json();
    assert_eq!(report["errors"], 1);
    assert_eq!(report["warnings"], 0);
    let d = &report["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "unknown-key");
    assert_eq!(d["file"], "broken/unknown-key.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(5), Some(10))
    );
    assert_eq!(d["snippet"], "    titel: Diagnostic des besoins");
    assert_eq!(d["hint"], "did you mean `title`?");
}

#[test]
fn folders_are_searched_for_yaml_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("editions")).expect("mkdir");
    std::fs::copy(
        fixtures().join("base.yaml"),
        dir.path().join("editions/a.yaml"),
    )
    .expect("copy");
    std::fs::copy(
        fixtures().join("base.yaml"),
        dir.path().join("editions/b.yml"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("editions/notes.txt"), "not a definition").expect("write");
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(&["check", "editions"])
        .run();
    output.succeeds();
    assert!(output.stdout().contains("2 files checked"));
}

#[test]
fn a_template_problem_is_shown_once_however_many_editions_extend_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let template = "programme: {name: P}\nstages:\n  - {id: a, kind: task, title: A, due: start + 2 dayz}\ntemplates: [{id: t, subject: S, body: B}]\nmessages: {stage_opened: t}\n";
    std::fs::write(dir.path().join("template.yaml"), template).expect("write");
    for name in ["one.yaml", "two.yaml"] {
        std::fs::write(dir.path().join(name), "extends: template.yaml\n").expect("write");
    }
    let report = Jalon::new()
        .current_dir(dir.path())
        .args(&["check", "--format", "json", "."])
        .run()
        .json();
    assert_eq!(report["errors"], 1, "{report}");
    assert_eq!(report["diagnostics"][0]["code"], "invalid-expression");
    assert_eq!(report["diagnostics"][0]["file"], "template.yaml");
}

#[test]
fn usage_errors_exit_two() {
    let dir = fixtures();
    let output = Jalon::new()
        .current_dir(&dir)
        .args(&["check", "no/such/file.yaml"])
        .run();
    output.expect_code(2);
    assert!(output
        .stderr()
        .contains("`no/such/file.yaml` does not exist"));

    let empty = tempfile::tempdir().expect("temp dir");
    let output = Jalon::new()
        .current_dir(empty.path())
        .args(&["check", "."])
        .run();
    output.expect_code(2);
    assert!(output.stderr().contains("holds no definition files"));

    assert_eq!(
        Jalon::new().current_dir(&dir).args(&["check"]).run().code(),
        Some(2),
        "a path is required"
    );
    Jalon::new()
        .current_dir(&dir)
        .args(["check", "--format", "xml", "base.yaml"])
        .run()
        .expect_code(2);
    Jalon::new()
        .current_dir(&dir)
        .arg("frobnicate")
        .run()
        .expect_code(2);
}

#[test]
fn templates_are_compiled_with_their_translations() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `extends` is relative and stays in the checked folder: the base beside it.
    std::fs::copy(fixtures().join("base.yaml"), dir.path().join("base.yaml")).expect("copy");
    let base = "base.yaml";
    let text = format!(
        r#"extends: {}
programme:
  sender: {{name: Programme, email: pas-une-adresse}}
people:
  - {{id: ana, language: english}}
templates:
  - id: t
    subject: "{{% set s = stage %}}{{{{ s }}}} {{{{ participant }}}} {{% for i in range(2) %}}{{{{ loop.index }}}}{{% endfor %}}"
    body: |
      {{% if comment %}}{{{{ comment }}}}{{% endif %}}
      {{{{ stage.title }}}}
    html: "<p>{{{{ recipient }}}}</p>"
    translations:
      en:
        subject: Reminder
        body: "Hello {{{{ recipeint }}}}"
      fr:
        subject: Rappel
        body: Bonjour
  - id: u
    subject: Sujet
    body: Corps
    translations:
      en: {{subject: Subject}}
"#,
        base
    );
    std::fs::write(dir.path().join("edition.yaml"), text).expect("write");
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(&["check", "--format", "json", "edition.yaml"])
        .run();
    let report = output.json();
    let found: Vec<(String, u64, u64, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let codes: Vec<(&str, u64, u64)> = found
        .iter()
        .map(|(c, l, col, _)| (c.as_str(), *l, *col))
        .collect();
    // `set`, `for`, `loop`, `range` and `if` are Jinja, not unknown variables.
    assert_eq!(
        codes,
        [
            ("invalid-email", 3, 36),
            ("unknown-value", 5, 25),
            ("template-error", 11, 10),
            ("unknown-variable", 16, 25),
            ("unused-translation", 17, 7),
            ("missing-field", 24, 7),
        ],
        "{found:#?}"
    );
    assert!(
        found[2].3.contains("`stage.title` is undefined"),
        "{}",
        found[2].3
    );
    assert!(found[3]
        .3
        .contains("the English body of template `t` uses `recipeint`"));
    assert!(report["diagnostics"][3]["hint"]
        .as_str()
        .is_some_and(|h| h.contains("`recipient`")));
}

/// A reminder is judged on the day it will go out: one written for a
/// Saturday goes the Friday before, which here is before its stage opens,
/// so `check` says so instead of accepting a reminder never sent.
#[test]
fn a_reminder_is_judged_on_the_day_it_goes_out() {
    let dir = tempfile::tempdir().expect("a folder");
    let base = std::fs::read_to_string(fixtures().join("base.yaml")).expect("base");
    let text = base
        .replacen("    start: edition.start\n", "    start: 2025-01-11\n", 1)
        .replacen("when: due - 5 working days", "when: start", 1);
    assert_ne!(text, base);
    std::fs::write(dir.path().join("samedi.yaml"), text).expect("written");
    let checked = Jalon::new()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "samedi.yaml"])
        .run();
    checked.expect_code(1);
    let report = checked.json();
    let problem = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["code"] == "reminder-outside-window")
        .unwrap_or_else(|| panic!("{report}"));
    let message = problem["message"].as_str().unwrap_or_default();
    assert!(message.contains("is not a working day"), "{message}");
}
