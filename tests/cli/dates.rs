//! Dates follow, through the binary: one laureate's postponement moves
//! their later dates and no one else's; a stage finished early brings
//! forward what is dated from its completion; `plan --against` shows the
//! planned dates beside the dates as they stand. (`tests/fixtures/dates`.)

use crate::fixtures;
use crate::support::{jalon_in, line_about, Jalon};

#[test]
fn a_laureates_postponement_and_an_early_signature_move_only_their_dates() {
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("a definitions folder");
    std::fs::copy(
        fixtures().join("dates/follow.yaml"),
        dir.path().join("definitions/follow.yaml"),
    )
    .expect("the fixture");
    let at = |when: &str| ["--by", "ana", "--at", when].map(str::to_owned);
    let mut postpone = vec![
        "postpone",
        "suivi",
        "feuille-de-route",
        "--participant",
        "p1",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    // Relative to the stage's own start, as in a definition.
    postpone.extend(["--due", "start + 39 days"].map(str::to_owned));
    postpone.extend(at("2025-03-10 10:00"));
    let args: Vec<&str> = postpone.iter().map(String::as_str).collect();
    jalon_in(dir.path(), &args).succeeds();
    for (stage, when) in [
        ("feuille-de-route", "2025-03-12 16:00"),
        ("convention", "2025-03-20 16:00"),
    ] {
        let mut args = vec!["complete", "suivi", stage, "--participant", "p2"];
        let who = at(when);
        args.extend(who.iter().map(String::as_str));
        jalon_in(dir.path(), &args).succeeds();
    }

    let file = dir.path().join("definitions/follow.yaml");
    let preview = Jalon::new()
        .args(["plan", file.to_str().expect("utf-8"), "--against"])
        .arg(dir.path().join("jalon.db"))
        .args(["--at", "2025-03-21 10:00"])
        .run();
    let text = preview.succeeds().stdout();
    // p1: the roadmap moved to 11 April, the agreement and what is dated
    // from it follow.
    assert!(
        line_about(&text, "feuille-de-route · p1")
            .contains("03/03/2025 → 14/03/2025  03/03/2025 → 11/04/2025"),
        "{text}"
    );
    assert!(
        line_about(&text, "convention · p1")
            .contains("17/03/2025 → 07/04/2025  14/04/2025 → 07/05/2025"),
        "{text}"
    );
    assert!(
        line_about(&text, "rapport · p1").contains("09/05/2025 →"),
        "{text}"
    );
    // p2: signed on 20 March, so the immersion (dated from completion)
    // starts the next working day; the report (dated from the agreement's
    // due date) stays as planned.
    assert!(
        line_about(&text, "convention · p2").contains("done 20/03/2025"),
        "{text}"
    );
    assert!(
        line_about(&text, "immersion · p2")
            .contains("08/04/2025 → 09/05/2025  21/03/2025 → 18/04/2025"),
        "{text}"
    );
    assert!(
        line_about(&text, "rapport · p2").contains("as planned"),
        "{text}"
    );
    // The immersion's opening goes now, on time: nothing late to hold.
    assert!(
        text.contains(
            "ven. 21/03/2025 09:00  SENT     opening → Zoé Deux  « «\u{a0}Immersion\u{a0}» commence »"
        ),
        "{text}"
    );
    assert!(!text.contains("would go at once"), "{text}");

    // The status says which dates moved, beside the planned ones.
    let status = jalon_in(dir.path(), &["status", "suivi", "--at", "2025-03-21 10:00"]);
    let status = status.succeeds().stdout();
    assert!(
        line_about(&status, "convention · p1").contains("(moved; planned 17/03/2025 → 07/04/2025)"),
        "{status}"
    );
    assert!(
        line_about(&status, "immersion · p2").contains("21/03/2025  18/04/2025  (moved; planned"),
        "{status}"
    );
}

#[test]
fn needs_done_in_a_stage_that_needs_nothing_is_refused_where_it_is_written() {
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("follow.yaml");
    let text = std::fs::read_to_string(fixtures().join("dates/follow.yaml"))
        .expect("the fixture")
        .replace(
            "    start: edition.start\n    due: 2025-03-14",
            "    start: needs.done\n    due: 2025-03-14",
        );
    std::fs::write(&file, text).expect("the broken copy");
    let output = Jalon::new()
        .args(["check", file.to_str().expect("utf-8")])
        .run();
    assert_eq!(output.code(), Some(1), "{}", output.stderr());
    let report = format!("{}{}", output.stdout(), output.stderr());
    assert!(
        report.contains("`needs.done` in stage `feuille-de-route`, which needs nothing")
            && report.contains("follow.yaml:32:"),
        "{report}"
    );
}

/// An edition whose applications have not come yet: `plan` shows every
/// stage, with placeholder participants up to the first selection's
/// maximum, marked as such.
#[test]
fn planning_before_anyone_applied_shows_the_whole_year_with_placeholders() {
    let original =
        std::fs::read_to_string(crate::root().join("definitions/editions/exemple-2027.yaml"))
            .expect("the example edition");
    // Its participants removed: the block from `participants:` to the next
    // top-level key.
    let mut kept = Vec::new();
    let mut skipping = false;
    for line in original.lines() {
        if line.starts_with("participants:") {
            skipping = true;
            kept.push("participants: []");
            continue;
        }
        if skipping && !(line.is_empty() || line.starts_with(' ') || line.starts_with('#')) {
            skipping = false;
        }
        if !skipping {
            kept.push(line);
        }
    }
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::create_dir_all(dir.path().join("definitions/editions")).expect("folders");
    std::fs::create_dir_all(dir.path().join("definitions/programmes")).expect("folders");
    std::fs::copy(
        crate::root().join("definitions/programmes/val-doise.yaml"),
        dir.path().join("definitions/programmes/val-doise.yaml"),
    )
    .expect("the programme");
    let file = dir.path().join("definitions/editions/exemple-2027.yaml");
    std::fs::write(&file, kept.join("\n")).expect("the edition without participants");

    let plan = Jalon::new()
        .args(["plan", file.to_str().expect("utf-8"), "--format", "json"])
        .run();
    let plan = plan.succeeds().json();
    let stages = plan["stages"].as_array().expect("stages");
    let ids: std::collections::BTreeSet<&str> =
        stages.iter().filter_map(|s| s["stage"].as_str()).collect();
    let edition = Jalon::new()
        .args(["plan", file.to_str().expect("utf-8")])
        .run();
    let text = edition.succeeds().stdout();
    // Every stage of the year, as with the candidates listed.
    let listed = Jalon::new()
        .args(["plan", "--format", "json"])
        .arg(crate::root().join("definitions/editions/exemple-2027.yaml"))
        .run();
    let listed = listed.succeeds().json();
    let every: std::collections::BTreeSet<&str> = listed["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|s| s["stage"].as_str())
        .collect();
    assert_eq!(ids, every);
    assert!(ids.len() > 10, "{ids:?}");
    assert_eq!(plan["placeholders"], 20, "the sourcing's maximum");
    // Four placeholder laureates (the jury's maximum) go through the year,
    // each marked.
    let laureates: std::collections::BTreeSet<&str> = stages
        .iter()
        .filter(|s| s["stage"] == "decision")
        .map(|s| {
            assert_eq!(s["placeholder"], true, "{s}");
            s["participant"].as_str().expect("a participant")
        })
        .collect();
    assert_eq!(laureates.len(), 4, "{laureates:?}");
    assert!(
        text.contains(
            "20 placeholder participant(s) (placeholder-1…) stand for those still to apply"
        ),
        "{text}"
    );
}
