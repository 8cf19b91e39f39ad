//! The second shipped programme, a département's annual call for projects
//! (`definitions/programmes/appel-solidarites.yaml`, edition
//! `exemple-appel-2027`): checked clean, planned and simulated as a user
//! runs them, with what it is there to show — sessions and an adjourned
//! file, each file's own service, grants within the budget, a monthly club.

use std::fs;

use crate::root;
use crate::support::{line_about, Jalon};

const EDITION: &str = "definitions/editions/exemple-appel-2027.yaml";
const SCRIPT: &str = "definitions/simulations/exemple-appel-2027.yaml";

#[test]
fn it_checks_clean() {
    let output = Jalon::new()
        .current_dir(root())
        .args(&["check", EDITION, "--format", "json"])
        .run();
    output.succeeds();
    let report = output.json();
    assert_eq!(
        report["diagnostics"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
}

#[test]
fn its_plan_shows_sessions_budget_series_and_each_file_s_service() {
    let text = Jalon::new()
        .current_dir(root())
        .args(&["plan", EDITION])
        .run();
    text.succeeds();
    insta::assert_snapshot!("plan-exemple-appel-2027", text.stdout());
    let out = text.stdout();
    // French typography: no-break spaces before « : » and « € », narrow
    // ones between thousands.
    assert!(
        out.contains(
            "Budget\u{a0}: 120\u{202f}000\u{a0}€ — attribués\u{a0}: 89\u{202f}500,50\u{a0}€"
        ),
        "{out}"
    );
    assert!(
        out.contains("24/05/2027 → 24/05/2027 (Commission permanente)"),
        "{out}"
    );
    assert!(
        out.contains("moved from jeu. 11/11 (Armistice 1918)"),
        "{out}"
    );

    let plan = Jalon::new()
        .current_dir(root())
        .args(&["plan", EDITION, "--format", "json"])
        .run()
        .json();
    let to = |stage: &str, kind: &str, participant: &str| -> Vec<String> {
        plan["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter(|m| m["stage"] == stage && m["kind"] == kind && m["participant"] == participant)
            .map(|m| m["to_email"].as_str().expect("an address").to_owned())
            .collect()
    };
    // The instruction's opening: the file's own service (and the applicant).
    assert_eq!(
        to("instruction", "stage_opened", "cafe-des-ages"),
        ["cafe-des-ages@example.org", "yann@example.org"]
    );
    assert_eq!(
        to("instruction", "stage_opened", "ludotheque"),
        ["ludo@example.org", "luc@example.org"]
    );
    // Validated by the directions of its themes: two for a file on two.
    assert_eq!(
        to("instruction", "validation_request", "bus-des-droits"),
        ["bruno@example.org", "odile@example.org"]
    );
    // Each event with its sessions: the club's six, three moved off days
    // not worked; the collective review's, none until its day is fixed.
    let event = |id: &str| {
        plan["events"]
            .as_array()
            .expect("events")
            .iter()
            .find(|e| e["event"] == id)
            .cloned()
            .expect("the event")
    };
    let club = event("club");
    let sessions = club["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 6);
    let moved: Vec<(&str, &str, &str)> = sessions
        .iter()
        .filter_map(|s| {
            Some((
                s["moved_from"].as_str()?,
                s["date"].as_str()?,
                s["closed"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(
        moved,
        [
            ("2027-07-11", "2027-07-12", "dimanche"),
            ("2027-09-11", "2027-09-13", "samedi"),
            ("2027-11-11", "2027-11-12", "Armistice 1918"),
        ]
    );
    let bilan = event("bilan");
    assert_eq!(bilan["to_be_fixed"], true);
    assert_eq!(bilan["sessions"].as_array().map(Vec::len), Some(0));
    let stage = plan["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == "bilan")
        .expect("the stage");
    assert!(
        stage["start"].is_null() && stage["due"].is_null(),
        "{stage}"
    );
    assert_eq!(stage["fix_by"], "2027-10-15");
}

#[test]
fn its_year_plays_with_one_file_adjourned_to_the_next_session() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("sim");
    let run = Jalon::new()
        .current_dir(root())
        .args(&[
            "simulate",
            EDITION,
            "--script",
            SCRIPT,
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .run();
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let status = fs::read_to_string(out.join("status.txt")).expect("status");
    insta::assert_snapshot!("simulate-status-exemple-appel-2027", status);
    // The adjourned file is voted at the June session; its later stages
    // moved with it, and nobody else's.
    let line = |instance: &str| line_about(&status, instance);
    assert!(
        line("vote · relais-parents").contains("21/06/2027"),
        "{status}"
    );
    assert!(
        line("convention · relais-parents").contains("moved"),
        "{status}"
    );
    assert!(
        !line("convention · cafe-des-ages").contains("moved"),
        "{status}"
    );
    // Its invitation to the new session says « Nouvelle date » and the reason.
    let renewed: Vec<String> = fs::read_dir(out.join("messages"))
        .expect("messages")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.to_string_lossy()
                .contains("vote-relais-parents-invitation")
        })
        .map(|p| fs::read_to_string(p).expect("eml"))
        .filter(|eml| eml.contains("Nouvelle date"))
        .collect();
    assert!(!renewed.is_empty(), "no « Nouvelle date » invitation");
    // The coordinator is invited to each file's session: one calendar
    // event per file, the adjourned one's renewal replacing its own.
    let uids: std::collections::BTreeSet<String> = fs::read_dir(out.join("messages"))
        .expect("messages")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.contains("invitation-vote-") && name.contains("person-claire-exemple")
        })
        .flat_map(|p| {
            fs::read_to_string(p)
                .expect("eml")
                .lines()
                .filter_map(|l| l.strip_prefix("UID:").map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(uids.len(), 5, "{uids:?}");
    assert!(
        uids.contains("exemple-appel-2027.vote.relais-parents.seance@jalon.invalid"),
        "{uids:?}"
    );

    // The collective review's day, « à fixer »: the coordinator is reminded
    // once before 15 October, not on it (it was fixed on 6 October); the
    // invitation goes on fixing and replaces nothing; it then plays out.
    let about_bilan = |kind: &str| -> Vec<mail_parser::Message<'static>> {
        fs::read_dir(out.join("messages"))
            .expect("messages")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                let name = p.to_string_lossy();
                name.contains(&format!("-{kind}-bilan-"))
            })
            .map(|p| {
                let bytes = fs::read(p).expect("eml");
                mail_parser::MessageParser::default()
                    .parse(&bytes)
                    .expect("a parsable email")
                    .into_owned()
            })
            .collect()
    };
    let reminders = about_bilan("date-to-fix");
    assert_eq!(reminders.len(), 1);
    let reminder = &reminders[0];
    assert_eq!(
        reminder.subject(),
        Some("Bilan collectif avec les élus\u{a0}: date à fixer d’ici le vendredi 15\u{a0}octobre 2027")
    );
    assert_eq!(
        reminder.date().map(|d| (d.year, d.month, d.day)),
        Some((2027, 10, 1))
    );
    let invitations = about_bilan("invitation");
    assert!(!invitations.is_empty());
    for invitation in &invitations {
        assert_eq!(
            invitation.date().map(|d| (d.year, d.month, d.day)),
            Some((2027, 10, 6))
        );
        let text = invitation.body_text(0).expect("a text body");
        assert!(text.contains("jeudi 25\u{a0}novembre 2027"), "{text}");
        assert!(!text.contains("Nouvelle date"), "{text}");
    }
    assert!(line("bilan").contains("done"), "{status}");
}
