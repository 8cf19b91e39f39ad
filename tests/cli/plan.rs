//! `jalon plan`: the programme manager's preview of each real edition.

use crate::support::Jalon;
use crate::{root, EDITIONS};

#[test]
fn each_real_edition_plans_on_time() {
    for edition in EDITIONS {
        let file = format!("definitions/editions/{edition}.yaml");
        let output = Jalon::new()
            .current_dir(root())
            .args(&["plan", &file])
            .run();
        output.succeeds();
        insta::assert_snapshot!(format!("plan-{edition}"), output.stdout());
    }
}

#[test]
fn the_json_plan_lists_every_message_with_local_time_recipient_and_subject() {
    let output = Jalon::new()
        .current_dir(root())
        .args(&[
            "plan",
            "definitions/editions/2024-2025.yaml",
            "--format",
            "json",
        ])
        .run();
    output.succeeds();
    let plan = output.json();
    let messages = plan["messages"].as_array().expect("messages");
    assert!(messages.len() > 100);
    let keys: std::collections::BTreeSet<&str> = messages
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), messages.len(), "keys are unique");
    for message in messages {
        assert!(message["subject"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(message["to_email"]
            .as_str()
            .is_some_and(|s| s.contains('@')));
        let at = message["at"].as_str().unwrap();
        assert!(at.ends_with("[Europe/Paris]"), "{at}");
    }
    // The attested kick-off: invitations for Monday 25 November 2024.
    let invitation = messages
        .iter()
        .find(|m| m["kind"] == "seminar_invitation" && m["stage"] == "lancement")
        .expect("an invitation");
    assert!(invitation["subject"]
        .as_str()
        .unwrap()
        .contains("lundi 25\u{a0}novembre 2024"));
    // Reminders at 09:00 Paris time, in winter (+01:00) and summer (+02:00).
    let reminders: Vec<&str> = messages
        .iter()
        .filter(|m| m["kind"] == "reminder")
        .map(|m| m["at"].as_str().unwrap())
        .collect();
    assert!(
        reminders.iter().all(|at| at.contains("T09:00:00")),
        "{reminders:?}"
    );
    assert!(reminders.iter().any(|at| at.contains("+01:00")));
    assert!(reminders.iter().any(|at| at.contains("+02:00")));
}

#[test]
fn another_outcome_previews_another_branch() {
    let output = Jalon::new()
        .current_dir(root())
        .args(&[
            "plan",
            "definitions/editions/2024-2025.yaml",
            "--format",
            "json",
            "--outcome",
            "prolonger",
        ])
        .run();
    let plan = output.json();
    let taken = |stage: &str| {
        plan["stages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["stage"] == stage)
            .all(|s| s["taken"] == true)
    };
    assert!(taken("prolongation"));
    assert!(!taken("convention"));
    let wrong = Jalon::new()
        .current_dir(root())
        .args(&[
            "plan",
            "definitions/editions/2024-2025.yaml",
            "--outcome",
            "implanté",
        ])
        .run();
    wrong.expect_code(2);
    assert!(wrong.stderr().contains("implanter, prolonger, arreter"));
}

#[test]
fn the_ics_plan_is_read_by_a_calendar_parser() {
    let output = Jalon::new()
        .current_dir(root())
        .args(&[
            "plan",
            "definitions/editions/2024-2025.yaml",
            "--format",
            "ics",
        ])
        .run();
    output.succeeds();
    let mut parser = ical::IcalParser::new(output.stdout_bytes());
    let calendar = parser.next().expect("a calendar").expect("it parses");
    let value = |event: &ical::parser::ical::component::IcalEvent, name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    let kickoff = calendar
        .events
        .iter()
        .find(|e| value(e, "UID") == "2024-2025.lancement.lancement@jalon.invalid")
        .expect("the kick-off seminar");
    // 09:30 in Paris on 25 November is 08:30 UTC.
    assert_eq!(value(kickoff, "DTSTART"), "20241125T083000Z");
    let uids: std::collections::BTreeSet<String> =
        calendar.events.iter().map(|e| value(e, "UID")).collect();
    assert_eq!(uids.len(), calendar.events.len());
}

#[test]
fn a_template_or_a_broken_file_is_not_planned() {
    let output = Jalon::new()
        .current_dir(root())
        .args(&["plan", "definitions/programmes/val-doise.yaml"])
        .run();
    output.expect_code(2);
    assert!(
        output.stderr().contains("describes no edition"),
        "{}",
        output.stderr()
    );
    let output = Jalon::new()
        .current_dir(crate::fixtures())
        .args(&["plan", "broken/unknown-reference--stage.yaml"])
        .run();
    output.expect_code(2);
    assert!(
        output.stderr().contains("error[unknown-reference]"),
        "{}",
        output.stderr()
    );
}

#[test]
fn a_repeating_event_shows_each_session_and_why_one_moved() {
    // A monthly club crossing 8 May, a Sunday and the summer closure, and a
    // quarterly meeting on 15 August held the working day before.
    let output = Jalon::new()
        .current_dir(root())
        .args(&["plan", "tests/fixtures/series/series.yaml"])
        .run();
    output.succeeds();
    let text = output.stdout();
    assert!(
        text.contains("ven. 09/05/2025  moved from jeu. 08/05 (Victoire 1945)"),
        "{text}"
    );
    insta::assert_snapshot!("plan-series", text);
}
