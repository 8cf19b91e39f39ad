//! Sessions of an assembly, through the binary: `plan` names the session a
//! date falls on; `jalon adjourn` sends a file to the next session and its
//! later dates follow, not past the last session; a simulation script
//! adjourns a file and its outbox holds the new invitations.
//! (`tests/fixtures/sessions`.)

use std::fs;
use std::path::Path;

use mail_parser::{MessageParser, MimeHeaders};

use crate::fixtures;
use crate::support::{jalon_in, line_about, Jalon, Run};

fn adjourn(dir: &Path, participant: &str, at: &str) -> Run {
    jalon_in(
        dir,
        &[
            "adjourn",
            "appel-2025",
            "vote",
            "--participant",
            participant,
            "--reason",
            "pièces manquantes",
            "--by",
            "ana",
            "--at",
            at,
        ],
    )
}

#[test]
fn the_plan_names_the_session_a_vote_falls_on() {
    let plan = Jalon::new()
        .arg("plan")
        .arg(fixtures().join("sessions/appel.yaml"))
        .run();
    let text = plan.succeeds().stdout();
    assert!(
        line_about(&text, "vote · p1").contains("17/03/2025 → 17/03/2025 (Commission permanente)"),
        "{text}"
    );
    assert!(
        !line_about(&text, "convention · p1").contains("Commission"),
        "{text}"
    );
    let json = Jalon::new()
        .args(["plan", "--format", "json"])
        .arg(fixtures().join("sessions/appel.yaml"))
        .run()
        .json();
    let vote = json["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == "vote")
        .expect("the vote");
    assert_eq!(vote["start_session"], "commission-permanente");
    assert_eq!(vote["start"], "2025-03-17");
}

#[test]
fn adjourning_a_file_moves_its_later_dates_until_the_last_session() {
    let dir = tempfile::tempdir().expect("a folder");
    fs::create_dir(dir.path().join("definitions")).expect("a definitions folder");
    fs::copy(
        fixtures().join("sessions/appel.yaml"),
        dir.path().join("definitions/appel.yaml"),
    )
    .expect("the fixture");
    adjourn(dir.path(), "p1", "2025-03-17 17:00").succeeds();

    let file = dir.path().join("definitions/appel.yaml");
    let against = |at: &str| {
        Jalon::new()
            .args(["plan", file.to_str().expect("utf-8"), "--against"])
            .arg(dir.path().join("jalon.db"))
            .args(["--at", at])
            .run()
            .succeeds()
            .stdout()
    };
    let text = against("2025-03-18 10:00");
    assert!(
        line_about(&text, "vote · p1").contains("17/03/2025 → 17/03/2025  14/04/2025 → 14/04/2025"),
        "{text}"
    );
    assert!(
        line_about(&text, "convention · p1")
            .contains("18/03/2025 → 15/04/2025  15/04/2025 → 16/05/2025"),
        "{text}"
    );
    assert!(
        line_about(&text, "bilan · p1").contains("19/05/2025 → 16/06/2025"),
        "{text}"
    );
    for instance in ["vote · p2", "convention · p2", "bilan · p2"] {
        assert!(line_about(&text, instance).contains("as planned"), "{text}");
    }

    for at in ["2025-04-14 17:00", "2025-05-19 17:00", "2025-06-23 17:00"] {
        adjourn(dir.path(), "p1", at).succeeds();
    }
    let refused = adjourn(dir.path(), "p1", "2025-07-07 17:00");
    assert_ne!(refused.code(), Some(0));
    assert!(
        refused.stderr().contains(
            "`vote for p1` is already at the last session (Commission permanente, 2025-07-07)"
        ),
        "{}",
        refused.stderr()
    );
    let text = against("2025-07-08 10:00");
    assert!(
        line_about(&text, "vote · p1").contains("07/07/2025 → 07/07/2025"),
        "{text}"
    );

    let convention = jalon_in(
        dir.path(),
        &[
            "adjourn",
            "appel-2025",
            "convention",
            "--participant",
            "p1",
            "--by",
            "ana",
        ],
    );
    assert!(
        convention
            .stderr()
            .contains("stage `convention` is not dated from sessions: move it with `postpone`"),
        "{}",
        convention.stderr()
    );
}

#[test]
fn a_script_adjourns_a_file_and_its_new_invitations_replace_the_first() {
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("sim");
    let run = Jalon::new()
        .arg("simulate")
        .arg(fixtures().join("sessions/appel.yaml"))
        .arg("--script")
        .arg(fixtures().join("sessions/appel-simulation.yaml"))
        .arg("--out")
        .arg(&out)
        .run();
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(
        run.stdout().contains("8 steps (1 refused)"),
        "{}",
        run.stdout()
    );
    let status = fs::read_to_string(out.join("status.txt")).expect("status");
    assert!(
        line_about(&status, "vote · p1").contains("07/07/2025  07/07/2025  (postponed ×4"),
        "{status}"
    );
    assert!(
        line_about(&status, "convention · p1").contains("08/07/2025"),
        "{status}"
    );
    assert!(
        line_about(&status, "vote · p2").contains("17/03/2025"),
        "{status}"
    );

    // Un's invitations: the first, then one per adjournment, each for the
    // next session and with a higher sequence under the same UID (subjects
    // typeset: a no-break space before the colon and inside dates).
    let mut invitations: Vec<(String, String, String, String)> = Vec::new();
    let mut files: Vec<_> = fs::read_dir(out.join("messages"))
        .expect("messages")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for file in files {
        let bytes = fs::read(&file).expect("eml");
        let message = MessageParser::default().parse(&bytes).expect("an email");
        let to = message
            .to()
            .and_then(|t| t.first())
            .and_then(|a| a.address());
        if to != Some("un@example.org") {
            continue;
        }
        let Some(ics) = message
            .parts
            .iter()
            .find(|p| {
                p.content_type()
                    .is_some_and(|c| c.subtype() == Some("calendar"))
            })
            .and_then(|p| p.text_contents())
        else {
            continue;
        };
        let calendar = ical::IcalParser::new(ics.as_bytes())
            .next()
            .expect("a calendar")
            .expect("that parses");
        let event = &calendar.events[0];
        let get = |name: &str| {
            event
                .properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .unwrap_or_default()
        };
        invitations.push((
            message.subject().unwrap_or_default().to_owned(),
            get("UID"),
            get("SEQUENCE"),
            get("DTSTART"),
        ));
    }
    let seen: Vec<(&str, &str)> = invitations
        .iter()
        .map(|(_, _, sequence, start)| (sequence.as_str(), start.as_str()))
        .collect();
    // 14:00 in Paris: UTC+1 in March, UTC+2 from April.
    assert_eq!(
        seen,
        [
            ("0", "20250317T130000Z"),
            ("1", "20250414T120000Z"),
            ("2", "20250519T120000Z"),
            ("3", "20250623T120000Z"),
            ("4", "20250707T120000Z"),
        ],
        "{invitations:#?}"
    );
    assert!(
        invitations.iter().all(|i| i.1 == invitations[0].1),
        "one UID"
    );
    assert!(
        invitations[0].0.starts_with("Invitation\u{a0}: "),
        "{invitations:?}"
    );
    assert!(
        invitations[1].0.starts_with("Nouvelle date\u{a0}: ")
            && invitations[1].0.ends_with("lundi 14\u{a0}avril 2025"),
        "{invitations:?}"
    );
    let outbox = fs::read_to_string(out.join("outbox.jsonl")).expect("outbox");
    assert!(
        !outbox
            .lines()
            .any(|l| l.contains("Nouvelle date") && l.contains("Atelier Deux")),
        "Deux's file was voted: no new date for them"
    );
}

/// The coordination adjourns a file from the workspace: the form needs its
/// token, the preview says what moves, the confirmation records the act
/// (channel `web`) and the file's vote goes to the next session.
#[test]
fn the_coordination_adjourns_a_file_from_the_workspace() {
    use crate::daemon::Daemon;
    use crate::workspace::{signed_in_to, PUBLIC_URL};

    let dir = tempfile::tempdir().expect("a folder");
    fs::create_dir(dir.path().join("definitions")).expect("definitions");
    // The call moved to next year, so that it is still to come.
    let next = jiff::Zoned::now().year() + 1;
    let text = fs::read_to_string(fixtures().join("sessions/appel.yaml"))
        .expect("the fixture")
        .replace("2025-", &format!("{next}-"));
    fs::write(dir.path().join("definitions/appel.yaml"), text).expect("written");
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);
    let mut ana = signed_in_to(&daemon, dir.path(), "appel-2025", "ana");
    let path = "/editions/appel-2025/actions/adjourn";
    let fields = [
        ("stage", "vote"),
        ("participant", "p1"),
        ("reason", "pièces justificatives manquantes"),
    ];
    // A forged form records nothing.
    ana.post(
        path,
        &[&fields[..], &[("csrf", "forged"), ("step", "confirm")]].concat(),
    )
    .expect(403);
    assert!(crate::support::logged_events(dir.path(), "appel-2025").is_empty());
    let csrf = ana.csrf();
    let form = [&fields[..], &[("csrf", csrf.as_str())]].concat();
    let preview = ana.post(path, &[&form[..], &[("step", "preview")]].concat());
    preview.expect(200);
    assert!(preview.body.contains("Ce qui change"), "{}", preview.body);
    ana.post(path, &[&form[..], &[("step", "confirm")]].concat())
        .expect(303);
    let events = crate::support::logged_events(dir.path(), "appel-2025");
    let last = events.last().expect("an event");
    assert!(last.contains("adjourn") && last.contains("web"), "{last}");
    // p1's vote now falls on the April session; p2's stays in March.
    let out = Jalon::new()
        .current_dir(dir.path())
        .args(["plan", "definitions/appel.yaml", "--against", "jalon.db"])
        .run()
        .succeeds()
        .stdout()
        .to_owned();
    assert!(
        line_about(&out, "vote · p1").contains(&format!("14/04/{next}")),
        "{out}"
    );
    assert!(
        line_about(&out, "vote · p2").contains(&format!("17/03/{next}")),
        "{out}"
    );
}
