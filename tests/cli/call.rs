//! A call for applications over HTTP, as a browser sends it: an applicant
//! applies through the public form (a wrong answer first, shown beside its
//! field), gets a confirmation with a private link, changes the
//! application, and is refused once the call has closed; a robot filling
//! the honeypot records nothing; a look-alike is flagged to the
//! coordination, who sees the applications in the workspace; one client
//! sending too many is turned away.

use std::path::Path;
use std::time::Duration;

use crate::daemon::Daemon;
use crate::hand_in::{emails, path_in};
use crate::support::http::Reply;
use crate::workspace::{printed_link_of, Visitor};

const PUBLIC_URL: &str = "https://jalon.example.org";

/// The edition: its call opened yesterday and closes in five days at
/// noon (every day worked, so nothing moves).
fn definition() -> String {
    let today = jiff::Zoned::now()
        .in_tz("Europe/Paris")
        .expect("Paris")
        .date();
    let day = |days: i64| {
        today
            .checked_add(jiff::Span::new().days(days))
            .expect("a date")
    };
    format!(
        r#"programme:
  id: appels
  name: Appel à projets
edition:
  id: ap
  name: Appel d’essai
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
roles:
  - {{id: coordination, name: Coordination, kind: coordination, members: [ana]}}
themes:
  - {{id: aidants, title: Proches aidants}}
  - {{id: insertion, title: Insertion}}
stages:
  - id: appel
    kind: sourcing
    title: Appel à projets
    owners: [coordination]
    start: {opens}
    due: {due}
    call:
      closes_at: "12:00"
      introduction: Les structures de l’ESS peuvent candidater.
      questions:
        - {{id: effectif, title: Nombre de salariés, type: number, min: 0}}
        - {{id: site, title: Site web, type: url, required: false}}
    selection: {{to: candidate, min: 1, max: 40}}
  - id: pieces
    kind: task
    title: Pièces complémentaires
    owners: [coordination]
    for_each: candidate
    start: {opens}
    due: {due}
    deliverables:
      - {{id: budget, title: Budget prévisionnel, accepts: [pdf]}}
templates:
  - id: ouverture
    subject: "Ouverture : {{{{ stage }}}}"
    body: "Bonjour {{{{ recipient }}}}."
  - id: recue
    subject: "Candidature reçue : {{{{ participant }}}}"
    body: |
      Bonjour {{{{ recipient }}}},
      {{{{ answers }}}}
      Modifier : {{{{ application_link }}}}
  - id: doublon
    subject: "Doublon possible : {{{{ participant }}}}"
    body: |
      {{{{ look_alikes }}}}
      {{{{ participant_link }}}}
  - id: resultat
    subject: "Résultat : {{{{ participant }}}}"
    body: "Bonjour {{{{ recipient }}}}.{{% if comment %}} Motif : {{{{ comment }}}}{{% endif %}}"
messages:
  stage_opened: ouverture
  application_received: recue
  duplicate_application: doublon
  selection_retained: resultat
  selection_not_retained: resultat
"#,
        start = day(-20),
        end = day(300),
        opens = day(-1),
        due = day(5),
    )
}

pub(crate) fn workplace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("definitions folder");
    std::fs::write(dir.path().join("definitions/ap.yaml"), definition()).expect("written");
    dir
}

pub(crate) fn events(dir: &Path) -> Vec<String> {
    crate::support::logged_events(dir, "ap")
}

/// A whole application's fields, with `changes` over the defaults.
fn answers<'a>(form: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("form", form),
        ("name", "Café des aidants"),
        ("organisation", "Association Répit"),
        (
            "description",
            "Un café où les proches aidants se retrouvent le samedi.",
        ),
        ("theme", "aidants"),
        ("q-effectif", "12"),
        ("q-site", ""),
        ("contact_name", "Zoé Porteuse"),
        ("contact_email", "zoe@example.org"),
        ("website", ""),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

/// Opens the form (which sets the form cookie) and posts `changes`.
fn apply(visitor: &mut Visitor<'_>, changes: &[(&str, &str)]) -> Reply {
    let form = visitor.get("/candidater/ap");
    form.expect(200);
    let token = form.hidden("form");
    visitor.post("/candidater/ap", &answers(&token, changes))
}

#[test]
fn an_applicant_applies_changes_their_application_and_is_refused_after_the_call_closes() {
    let dir = workplace();
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);
    let mut applicant = Visitor::new(&daemon);

    // The form: in French, every field labelled, a honeypot, no script.
    let page = applicant.get("/candidater/ap");
    page.expect(200);
    assert!(
        page.body
            .contains("Candidater à «\u{a0}Appel d’essai\u{a0}»"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Candidatures ouvertes jusqu’au"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<label for=\"q-effectif\">Nombre de salariés</label>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"website\""), "{}", page.body);
    assert!(!page.body.contains("<script"), "{}", page.body);
    let english = applicant.get("/candidater/ap?lang=en");
    assert!(
        english.body.contains("Apply to “Appel d’essai”"),
        "{}",
        english.body
    );

    // Without the form's cookie (another site's post): refused.
    let stranger = Visitor::new(&daemon).post("/candidater/ap", &answers("forged", &[]));
    stranger.expect(403);

    // A wrong answer: the form again, the problem beside its field, what
    // was typed kept, nothing recorded.
    let wrong = apply(
        &mut applicant,
        &[("q-effectif", "douze"), ("contact_email", "zoe-at-example")],
    );
    wrong.expect(422);
    assert!(
        wrong.body.contains("Le formulaire contient 2\u{a0}erreurs")
            || wrong.body.contains("Le formulaire contient 2 erreurs"),
        "{}",
        wrong.body
    );
    assert!(
        wrong.body.contains("écrivez un nombre entier"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("value=\"douze\""), "{}", wrong.body);
    assert!(
        wrong.body.contains("aria-invalid=\"true\""),
        "{}",
        wrong.body
    );
    assert!(events(dir.path()).is_empty());

    // The application: recorded as a new candidate, confirmed by email.
    let done = apply(&mut applicant, &[]);
    done.expect(200);
    assert!(
        done.body.contains("Candidature enregistrée"),
        "{}",
        done.body
    );
    let log = events(dir.path());
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].contains("apply") && log[0].contains("zoe@example.org"),
        "{log:?}"
    );
    let confirmation = emails(
        dir.path(),
        "zoe@example.org",
        "Candidature reçue\u{a0}: Café des aidants",
        1,
    );
    assert!(
        confirmation[0].contains("Nombre de salariés\u{a0}: 12"),
        "{}",
        confirmation[0]
    );
    let own = path_in(&confirmation[0], "/a/");

    // The private page: the application, to change.
    let page = applicant.get(&own);
    page.expect(200);
    assert!(
        page.body.contains("value=\"Café des aidants\""),
        "{}",
        page.body
    );
    let token = page.hidden("form");
    let changed = applicant.post(
        &own,
        &answers(
            &token,
            &[(
                "description",
                "Un café des aidants, ouvert le samedi et le mercredi.",
            )],
        ),
    );
    changed.expect(200);
    assert!(
        changed.body.contains("Candidature modifiée"),
        "{}",
        changed.body
    );
    let log = events(dir.path());
    assert!(log.len() == 2 && log[1].contains("amend"), "{log:?}");
    let again = emails(dir.path(), "zoe@example.org", "Candidature reçue", 2);
    assert!(
        again
            .iter()
            .any(|e| e.contains("ouvert le samedi et le mercredi")),
        "{again:?}"
    );

    // A robot fills the honeypot: thanked, nothing recorded.
    let mut robot = Visitor::new(&daemon);
    apply(
        &mut robot,
        &[
            ("website", "http://spam.example"),
            ("contact_email", "bot@example.org"),
        ],
    )
    .expect(200);
    assert_eq!(events(dir.path()).len(), 2);

    // The same address again: a second candidate, flagged to Ana.
    apply(
        &mut applicant,
        &[
            ("name", "Autre projet"),
            ("organisation", "Autre structure"),
        ],
    )
    .expect(200);
    let flag = emails(
        dir.path(),
        "ana@example.org",
        "Doublon possible\u{a0}: Autre projet",
        1,
    );
    assert!(
        flag[0].contains("Café des aidants (Association Répit)\u{a0}: même adresse email"),
        "{}",
        flag[0]
    );

    // The coordination sees the applications and the look-alike.
    let mut ana = Visitor::new(&daemon);
    ana.sign_in_with(&printed_link_of(dir.path(), "ap", "ana"))
        .expect(303);
    let edition = ana.get("/editions/ap");
    edition.expect(200);
    assert!(
        edition.body.contains("2 candidatures reçues"),
        "{}",
        edition.body
    );
    assert!(
        edition.body.contains("Ressemble à Café des aidants"),
        "{}",
        edition.body
    );
    let applicant_page = ana.get("/editions/ap/participants/cafe-des-aidants");
    applicant_page.expect(200);
    assert!(
        applicant_page
            .body
            .contains("ouvert le samedi et le mercredi"),
        "{}",
        applicant_page.body
    );
    assert!(
        applicant_page.body.contains("2 versions"),
        "{}",
        applicant_page.body
    );
    // Their stages are everyone's: the coordination hands in for them.
    let form = ana.get("/editions/ap/rendre?stage=pieces&participant=cafe-des-aidants");
    form.expect(200);
    assert!(form.body.contains("Budget prévisionnel"), "{}", form.body);

    // One client, many applications: turned away after five.
    let mut statuses = Vec::new();
    for n in 0..4 {
        let name = format!("Projet {n}");
        let email = format!("p{n}@example.org");
        statuses.push(
            apply(
                &mut applicant,
                &[("name", &name), ("contact_email", &email)],
            )
            .status,
        );
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 429],
        "five applications per client and quarter of an hour"
    );

    // Six days later, the call has closed: the page shows the application
    // as sent, a change is refused, the form says the call is closed.
    daemon.stop("TERM", Duration::from_secs(10));
    let daemon = Daemon::start_with(
        dir.path(),
        &["--public-url", PUBLIC_URL],
        &[("JALON_CLOCK_SKEW_SECONDS", "518400")],
    );
    let mut late = Visitor::new(&daemon);
    let frozen = late.get(&own);
    frozen.expect(200);
    assert!(
        frozen.body.contains("ne peut plus changer"),
        "{}",
        frozen.body
    );
    assert!(!frozen.body.contains("<form"), "{}", frozen.body);
    let form = late.get("/candidater/ap");
    assert!(form.body.contains("est clos depuis le"), "{}", form.body);
    let token = late.get("/connexion").hidden("form");
    let refused = late.post(&own, &answers(&token, &[("description", "Trop tard")]));
    refused.expect(409);
    assert!(refused.body.contains("clos"), "{}", refused.body);
    assert!(!events(dir.path()).iter().any(|e| e.contains("Trop tard")));
}
