//! A jury scoring in the workspace, over HTTP as a browser speaks it:
//! Jalon shares the four candidates out between three jurors (two each);
//! two jurors score theirs (one changes their mind), the third is late and
//! alone gets the reminder; no juror sees another's scores; the
//! coordination sees progress, the weighted ranking, the spread and the
//! tie, is refused a candidate under the minimum, and retains two.

use std::path::Path;
use std::time::Duration;

use mail_parser::MessageParser;

use crate::daemon::Daemon;
use crate::support::http::{self, Reply};
use crate::support::{eventually, outbox_emails, Jalon};
use crate::workspace::{printed_link_of, Visitor};

const PUBLIC_URL: &str = "https://jalon.example.org";

/// The edition: the jury is open until five days from now; its reminder
/// goes out an hour from now (every day worked, so it does not move).
fn definition() -> String {
    let now = jiff::Zoned::now().in_tz("Europe/Paris").expect("Paris");
    let today = now.date();
    let day = |days: i64| {
        today
            .checked_add(jiff::Span::new().days(days))
            .expect("a date")
    };
    let in_an_hour = now
        .checked_add(jiff::Span::new().hours(1))
        .expect("an hour later");
    let before_due = (day(5) - in_an_hour.date()).get_days();
    format!(
        r#"programme:
  id: jurys
  name: Programme des jurys
edition:
  id: jy
  name: Promotion d’essai
  start: {start}
  end: {end}
time_zone: Europe/Paris
calendar:
  working_days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]
  public_holidays: none
organisations:
  - {{id: cd, name: Département, kind: public_body}}
people:
  - {{id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}}
  - {{id: jean, name: Jean Juré, email: jean@example.org, organisation: cd}}
  - {{id: julie, name: Julie Jurée, email: julie@example.org, organisation: cd}}
  - {{id: jules, name: Jules Retard, email: jules@example.org, organisation: cd}}
roles:
  - {{id: coordination, name: Coordination, kind: coordination, members: [ana]}}
  - {{id: jury, name: Jury, kind: jury, members: [jean, julie, jules]}}
participants:
  - {{id: alpha, contact: {{name: Contact alpha, email: alpha@example.org}}, name: Alpha, status: shortlisted, description: Une épicerie solidaire}}
  - {{id: beta, contact: {{name: Contact beta, email: beta@example.org}}, name: Bêta, status: shortlisted}}
  - {{id: gamma, contact: {{name: Contact gamma, email: gamma@example.org}}, name: Gamma, status: shortlisted}}
  - {{id: delta, contact: {{name: Contact delta, email: delta@example.org}}, name: Delta, status: shortlisted}}
stages:
  - id: jury
    kind: pitch_jury
    title: Jury de sélection
    owners: [coordination]
    start: edition.start
    due: {due}
    selection: {{from: shortlisted, to: laureate, min: 1, max: 2}}
    jury:
      members: [jury]
      per_candidate: 2
      minimum: 2.5
      scale: {{min: 0, max: 5}}
      criteria:
        - {{id: impact, title: Impact social, weight: 2}}
        - {{id: equipe, title: Équipe, weight: 1}}
    reminders:
      - {{when: due - {before_due} days, time: "{time}", to: [jury]}}
templates:
  - id: rappel
    subject: "Rappel : {{{{ stage }}}}"
    body: "Bonjour {{{{ recipient }}}}, vos notes sont attendues : {{{{ jury_link }}}}"
  - id: ouverture
    subject: "Ouverture : {{{{ stage }}}}"
    body: "Bonjour {{{{ recipient }}}}."
  - id: resultat
    subject: "Résultat : {{{{ stage }}}}"
    body: "Bonjour {{{{ recipient }}}}.{{% if comment %}} Motif : {{{{ comment }}}}{{% endif %}}"
messages:
  reminder: rappel
  stage_opened: ouverture
  selection_retained: resultat
  selection_not_retained: resultat
"#,
        start = day(-20),
        end = day(300),
        due = day(5),
        time = in_an_hour.strftime("%H:%M"),
    )
}

pub(crate) fn workplace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("definitions folder");
    std::fs::write(dir.path().join("definitions/jy.yaml"), definition()).expect("written");
    dir
}

pub(crate) fn events(dir: &Path) -> Vec<String> {
    crate::support::logged_events(dir, "jy")
}

fn signed_in<'a>(daemon: &'a Daemon, dir: &Path, person: &str) -> Visitor<'a> {
    let mut visitor = Visitor::new(daemon);
    visitor
        .sign_in_with(&printed_link_of(dir, "jy", person))
        .expect(303);
    visitor
}

/// A juror's scores for one candidate, posted from their jury page.
fn score(juror: &mut Visitor<'_>, who: &str, impact: &str, equipe: &str, comment: &str) -> Reply {
    let csrf = juror.csrf();
    juror.post(
        "/editions/jy/jury/jury",
        &[
            ("csrf", &csrf),
            ("participant", who),
            ("score:impact", impact),
            ("score:equipe", equipe),
            ("comment", comment),
        ],
    )
}

/// The candidates' names a juror's page offers to score (`<li id="c-…">`).
fn offered(page: &str) -> Vec<String> {
    page.split("<li id=\"c-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The subjects of the emails to `address`.
fn subjects_to(dir: &Path, address: &str) -> Vec<String> {
    outbox_emails(dir)
        .into_iter()
        .filter_map(|bytes| {
            let message = MessageParser::default().parse(&bytes)?;
            let to = message.to()?.first()?.address()?.to_owned();
            (to == address).then(|| message.subject().unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn jurors_score_their_share_the_late_one_alone_is_reminded_and_the_coordination_retains() {
    let dir = workplace();
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);

    // Jalon shares the candidates out: two jurors each, about as many
    // candidates per juror.
    let mut jean = signed_in(&daemon, dir.path(), "jean");
    let mut julie = signed_in(&daemon, dir.path(), "julie");
    let mut jules = signed_in(&daemon, dir.path(), "jules");
    let pages: Vec<String> = [&mut jean, &mut julie, &mut jules]
        .into_iter()
        .map(|v| {
            let page = v.get("/editions/jy/jury/jury");
            page.expect(200);
            page.body.clone()
        })
        .collect();
    let shares: Vec<Vec<String>> = pages.iter().map(|p| offered(p)).collect();
    assert_eq!(
        shares,
        [
            vec!["alpha", "beta", "delta"],
            vec!["alpha", "gamma", "delta"],
            vec!["beta", "gamma"],
        ]
    );
    assert!(pages[0].contains("Une épicerie solidaire"), "{}", pages[0]);

    // Jean scores his three; he changes his mind on Bêta before the due date.
    score(&mut jean, "alpha", "5", "4", "Très convaincant").expect(303);
    score(&mut jean, "beta", "1", "1", "").expect(303);
    score(&mut jean, "beta", "3", "3", "Revu après relecture").expect(303);
    score(&mut jean, "delta", "1", "1", "").expect(303);
    // Gamma is not his to score: refused, and said so.
    let refused = score(&mut jean, "gamma", "5", "5", "");
    refused.expect(409);
    assert!(
        refused.body.contains("confié à d’autres"),
        "{}",
        refused.body
    );
    // Out of the scale: refused by the same rules as the CLI's.
    score(&mut jean, "alpha", "9", "4", "").expect(409);
    // Julie scores hers.
    score(&mut julie, "alpha", "3", "3", "Équipe solide").expect(303);
    score(&mut julie, "gamma", "4", "1", "").expect(303);
    score(&mut julie, "delta", "2", "2", "").expect(303);

    // A juror sees their own scores only, not Julie's, and no ranking.
    let page = jean.get("/editions/jy/jury/jury");
    page.expect(200);
    assert!(page.body.contains("Revu après relecture"), "{}", page.body);
    assert!(!page.body.contains("Équipe solide"), "{}", page.body);
    assert!(!page.body.contains("Classement"), "{}", page.body);
    let log = events(dir.path());
    assert_eq!(
        log.iter().filter(|l| l.contains("score")).count(),
        7,
        "{log:?}"
    );

    // The coordination: progress, ranking, spread, tie, minimum.
    let mut ana = signed_in(&daemon, dir.path(), "ana");
    let page = ana.get("/editions/jy/jury/jury");
    page.expect(200);
    let body = &page.body;
    assert!(
        body.contains("Jules Retard\u{a0}: 0 sur 2 dossiers"),
        "{body}"
    );
    assert!(body.contains("Jean Juré\u{a0}: 3 sur 3 dossiers"), "{body}");
    // Alpha: (5·2 + 4)/3 = 4,67 and (3·2 + 3)/3 = 3, so 3,83, 1,67 apart.
    assert!(
        body.contains("<td>1</td><td>Alpha</td><td>3,83</td><td>2/2</td><td>1,67</td>"),
        "{body}"
    );
    assert!(
        body.contains("Bêta <span class=\"tag late\">ex æquo</span>"),
        "{body}"
    );
    assert!(
        body.contains("Gamma <span class=\"tag late\">ex æquo</span>"),
        "{body}"
    );
    assert!(
        body.contains("Delta <span class=\"tag late\">sous le minimum</span>"),
        "{body}"
    );
    let csrf = ana.csrf();
    let cookie = ana.cookie_header();
    drop(jean);
    drop(julie);
    drop(jules);
    drop(ana);

    // An hour and more later: the reminder goes to Jules alone.
    daemon.stop("TERM", Duration::from_secs(10));
    let daemon = Daemon::start_with(
        dir.path(),
        &["--public-url", PUBLIC_URL],
        &[("JALON_CLOCK_SKEW_SECONDS", "7200")],
    );
    eventually("the reminder to Jules", || {
        subjects_to(dir.path(), "jules@example.org")
            .iter()
            .any(|s| s.starts_with("Rappel"))
    });
    let reminder = outbox_emails(dir.path())
        .into_iter()
        .filter_map(|bytes| {
            let message = MessageParser::default().parse(&bytes)?;
            let to = message.to()?.first()?.address()?.to_owned();
            (to == "jules@example.org")
                .then(|| message.body_text(0).unwrap_or_default().into_owned())
        })
        .next()
        .expect("the reminder");
    assert!(
        reminder.contains(&format!("{PUBLIC_URL}/editions/jy/jury/jury")),
        "the way to score: {reminder}"
    );
    for done in ["jean@example.org", "julie@example.org"] {
        assert!(
            subjects_to(dir.path(), done).is_empty(),
            "{done} has scored everything and is not reminded"
        );
    }

    // The coordination retains: not below the minimum, then Alpha and Bêta.
    let select = |retain: &[&str], step: &str| {
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("stage", "jury"),
            ("step", step),
            ("reason:delta", "Moyenne sous le minimum du jury."),
        ];
        let fields: Vec<String> = retain.iter().map(|p| format!("retain:{p}")).collect();
        form.extend(fields.iter().map(|f| (f.as_str(), "on")));
        http::request(
            daemon.address(),
            "POST",
            "/editions/jy/actions/select",
            Some(&cookie),
            Some(&form),
        )
    };
    let refused = select(&["alpha", "delta"], "preview");
    refused.expect(409);
    assert!(
        refused.body.contains("sous le minimum du jury"),
        "{}",
        refused.body
    );
    let preview = select(&["alpha", "beta"], "preview");
    preview.expect(200);
    assert!(preview.body.contains("Alpha, Bêta"), "{}", preview.body);
    select(&["alpha", "beta"], "confirm").expect(303);
    let log = events(dir.path());
    assert!(log.last().is_some_and(|l| l.contains("select")), "{log:?}");
    let status = Jalon::new()
        .current_dir(dir.path())
        .args(["export", "jy"])
        .run();
    status.succeeds();
    let json: serde_json::Value = serde_json::from_str(&status.stdout()).expect("JSON");
    let laureates: Vec<&str> = json["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .filter(|p| p["status"] == "laureate")
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(laureates, ["alpha", "beta"]);
    // The reason reaches Delta in the "not retained" message, and no other.
    let mut told = Vec::new();
    eventually("the results", || {
        told = outbox_emails(dir.path())
            .into_iter()
            .filter_map(|bytes| {
                let message = MessageParser::default().parse(&bytes)?;
                let to = message.to()?.first()?.address()?.to_owned();
                let text = message.body_text(0)?.into_owned();
                message
                    .subject()?
                    .starts_with("Résultat")
                    .then_some((to, text))
            })
            .collect();
        told.len() >= 4
    });
    for (to, text) in &told {
        let has_reason = text.contains("Motif\u{a0}: Moyenne sous le minimum du jury.");
        assert_eq!(has_reason, to == "delta@example.org", "{to}: {text}");
    }
}

#[test]
fn declared_assignments_bind_each_juror_to_their_list() {
    let dir = workplace();
    let path = dir.path().join("definitions/jy.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    let text = text.replace(
        "      per_candidate: 2\n",
        "      assign: {jean: [alpha, beta], julie: [gamma, delta], jules: [alpha, gamma]}\n",
    );
    std::fs::write(&path, text).expect("written");
    let score = |who: &str, by: &str| {
        Jalon::new()
            .current_dir(dir.path())
            .args([
                "score", "jy", "jury", who, "impact=3", "equipe=4", "--by", by,
            ])
            .run()
    };
    score("beta", "jean").succeeds();
    let refused = score("gamma", "jean");
    refused.expect_code(1);
    assert!(
        refused.stderr().contains("assigned to other jurors"),
        "{}",
        refused.stderr()
    );
    score("gamma", "jules").succeeds();

    // A juror who is not on the jury, or a candidate who does not exist,
    // is an error where it is written.
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replace("jules: [alpha, gamma]", "ana: [alpha, gama]"),
    )
    .expect("written");
    let check = Jalon::new()
        .current_dir(dir.path())
        .args(["check", "definitions/jy.yaml"])
        .run();
    check.expect_code(1);
    let report = check.stdout() + &check.stderr();
    assert!(
        report.contains("`ana` is given candidates but does not sit on this jury"),
        "{report}"
    );
    assert!(
        report.contains("there is no participant with the id `gama`"),
        "{report}"
    );
}

#[test]
fn a_selection_can_say_why_each_left_out_candidate_is_not_retained() {
    let dir = workplace();
    let select = |args: &[&str]| {
        Jalon::new()
            .current_dir(dir.path())
            .args(["select", "jy", "jury", "alpha", "beta", "--by", "ana"])
            .args(args)
            .run()
    };
    let malformed = select(&["--reason", "delta"]);
    malformed.expect_code(2);
    assert!(
        malformed.stderr().contains("PARTICIPANT=REASON"),
        "{}",
        malformed.stderr()
    );
    let retained = select(&["--reason", "alpha=trop cher"]);
    retained.expect_code(1);
    assert!(
        retained
            .stderr()
            .contains("who is not among those left out"),
        "{}",
        retained.stderr()
    );
    assert!(events(dir.path()).is_empty(), "nothing recorded");
    select(&["--reason", "delta=Hors du territoire"]).succeeds();
    assert_eq!(events(dir.path()).len(), 1);
}
