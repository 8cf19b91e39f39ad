//! The web workspace end to end over HTTP, as a browser speaks it: sign-in
//! by the emailed link (and the operator's `jalon login-link`), sessions in
//! cookies, who sees and does what, the coordination's actions with their
//! preview, CSRF, sign-out, and people removed from the definitions.
//!
//! The edition is written with dates around today. Ana coordinates; Véra
//! validates the laureates' roadmaps; Léa and Léo are the contacts of two
//! laureates; Dina (who reads English) belongs to a direction, with no part
//! in the workspace.

use std::collections::BTreeMap;
use std::path::Path;

use mail_parser::MessageParser;

use crate::daemon::Daemon;
use crate::support::http::{self, Reply};
use crate::support::{eventually, outbox_emails, Jalon};

pub(crate) const PUBLIC_URL: &str = "https://jalon.example.org";

/// The edition, with `contact` as the contact address of « Atelier ».
pub(crate) fn definition(contact: &str) -> String {
    let today = jiff::Zoned::now().date();
    let day = |days: i64| {
        today
            .checked_add(jiff::Span::new().days(days))
            .expect("a date")
    };
    let (start, end) = (day(-20), day(300));
    format!(
        r#"programme:
  id: atelier
  name: Programme de l’atelier
edition:
  id: ws
  name: Promotion d’essai
  start: {start}
  end: {end}
time_zone: Europe/Paris
organisations:
  - {{id: cd, name: Département, kind: public_body}}
people:
  - {{id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}}
  - {{id: vera, name: Véra Valide, email: vera@example.org, organisation: cd}}
  - {{id: dina, name: Dina Direction, email: dina@example.org, organisation: cd, language: en}}
roles:
  - {{id: coordination, name: Coordination, kind: coordination, members: [ana]}}
  - {{id: validation, name: Validation, kind: management, members: [vera]}}
  - {{id: direction, name: Direction, kind: direction, members: [dina]}}
participants:
  - id: atelier
    name: Atelier <b>&amp; Cie</b>
    status: laureate
    contact: {{name: Léa Lauréate, email: {contact}}}
  - id: brico
    name: Brico Solidaire
    status: laureate
    contact: {{name: Léo Lauréat, email: leo@example.org}}
stages:
  - id: feuille
    kind: task
    title: Feuille de route
    owners: [coordination]
    for_each: laureate
    start: edition.start
    due: start + 60 days
    validation: {{by: [validation], quorum: 1}}
  - id: seminaire
    kind: seminar
    title: Séminaire de lancement
    owners: [coordination]
    needs: [feuille]
    start: feuille.due + 3 working days
    due: start
    events:
      - {{id: jour1, title: Séminaire de lancement, date: start, time: "09:30", duration: 7 hours, place: Cergy}}
templates:
  - id: invitation
    subject: "Invitation{nbsp}: {{{{ stage }}}}"
    body: "Bonjour {{{{ recipient }}}}, nous vous invitons."
  - id: ouverture
    subject: "Ouverture{nbsp}: {{{{ stage }}}}"
    body: "«{nbsp}{{{{ stage }}}}{nbsp}» est ouverte."
  - id: validation
    subject: "À valider{nbsp}: {{{{ stage }}}}"
    body: "Valider{nbsp}: {{{{ approve_link }}}}"
  - id: refus
    subject: "Modifications demandées{nbsp}: {{{{ stage }}}}"
    body: "{{{{ validator }}}}{nbsp}: {{{{ comment }}}}"
messages:
  stage_opened: ouverture
  seminar_invitation: invitation
  validation_request: validation
  validation_refused: refus
"#,
        // French typography in the messages too.
        nbsp = '\u{a0}',
    )
}

/// A folder laid out as an operator's.
pub(crate) fn workplace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("definitions folder");
    std::fs::write(
        dir.path().join("definitions/ws.yaml"),
        definition("lea@example.org"),
    )
    .expect("written");
    dir
}

/// A browser's side of the conversation: its cookies, one request per
/// connection.
pub(crate) struct Visitor<'a> {
    daemon: &'a Daemon,
    cookies: BTreeMap<String, String>,
}

impl<'a> Visitor<'a> {
    pub fn new(daemon: &'a Daemon) -> Visitor<'a> {
        Visitor {
            daemon,
            cookies: BTreeMap::new(),
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, None)
    }

    /// The `Cookie` header the visitor's browser would send.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.request("POST", path, Some(form))
    }

    fn request(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Reply {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let cookie = (!jar.is_empty()).then(|| jar.join("; "));
        let reply = http::request(self.daemon.address(), method, path, cookie.as_deref(), form);
        for (name, value) in &reply.headers {
            if name == "set-cookie" {
                let pair = value.split(';').next().unwrap_or_default();
                if let Some((k, v)) = pair.split_once('=') {
                    if value.contains("Max-Age=0") {
                        self.cookies.remove(k);
                    } else {
                        self.cookies.insert(k.to_owned(), v.to_owned());
                    }
                }
            }
        }
        reply
    }

    /// Signs in with the link at `link` (a path): the page, then its button.
    pub fn sign_in_with(&mut self, link: &str) -> Reply {
        let page = self.get(link);
        page.expect(200);
        let form = page.hidden("form");
        self.post(link, &[("form", &form)])
    }

    /// The CSRF token of the signed-in session, from the home page's
    /// sign-out form.
    pub fn csrf(&mut self) -> String {
        self.get("/").expect(200).hidden("csrf")
    }
}

/// The path of the sign-in link in the newest email to `address`.
pub(crate) fn emailed_link(dir: &Path, address: &str, count: usize) -> String {
    let url = emailed_url(dir, address, count, PUBLIC_URL);
    url[PUBLIC_URL.len()..].to_owned()
}

/// The whole sign-in link, starting with `public_url`, in the newest of at
/// least `count` emails to `address`.
pub(crate) fn emailed_url(dir: &Path, address: &str, count: usize, public_url: &str) -> String {
    let mut links = Vec::new();
    eventually(&format!("{count} sign-in email(s) to {address}"), || {
        links = outbox_emails(dir)
            .into_iter()
            .filter_map(|bytes| {
                let message = MessageParser::default().parse(&bytes)?;
                let to = message.to()?.first()?.address()?.to_owned();
                let subject = message.subject().unwrap_or_default().to_owned();
                let text = message.body_text(0)?.into_owned();
                (to == address && subject.starts_with("Votre lien de connexion")).then_some(text)
            })
            .collect();
        links.len() >= count
    });
    let text = links.pop().expect("an email");
    let start = format!("{public_url}/connexion/");
    text.split_whitespace()
        .find(|w| w.starts_with(&start))
        .unwrap_or_else(|| panic!("a sign-in link in:\n{text}"))
        .to_owned()
}

/// The path of a link printed by `jalon login-link ws PERSON`.
pub(crate) fn printed_link(dir: &Path, person: &str) -> String {
    printed_link_of(dir, "ws", person)
}

/// The path of a link printed by `jalon login-link EDITION PERSON`.
pub(crate) fn printed_link_of(dir: &Path, edition: &str, person: &str) -> String {
    let output = Jalon::new()
        .current_dir(dir)
        .args(["login-link", edition, person, "--public-url", PUBLIC_URL])
        .run();
    output.succeeds();
    let url = output.stdout().lines().next().expect("the link").to_owned();
    assert!(
        url.starts_with(&format!("{PUBLIC_URL}/connexion/")),
        "{url}"
    );
    url[PUBLIC_URL.len()..].to_owned()
}

/// The event lines of `jalon log ws`.
pub(crate) fn events(dir: &Path) -> Vec<String> {
    crate::support::logged_events(dir, "ws")
}

/// A signed-in visitor for `person`, through the operator's printed link.
fn signed_in<'a>(daemon: &'a Daemon, dir: &Path, person: &str) -> Visitor<'a> {
    let mut visitor = Visitor::new(daemon);
    visitor.sign_in_with(&printed_link(dir, person)).expect(303);
    visitor
}

/// A signed-in visitor for `person` of `edition`.
pub(crate) fn signed_in_to<'a>(
    daemon: &'a Daemon,
    dir: &Path,
    edition: &str,
    person: &str,
) -> Visitor<'a> {
    let mut visitor = Visitor::new(daemon);
    let link = printed_link_of(dir, edition, person);
    visitor.sign_in_with(&link).expect(303);
    visitor
}

#[test]
fn signing_in_by_emailed_link_takes_a_post_and_works_once() {
    let dir = workplace();
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);
    let mut ana = Visitor::new(&daemon);

    // Without a session, every page leads to the sign-in page.
    for path in ["/", "/editions/ws", "/editions/ws/journal"] {
        let reply = ana.get(path);
        reply.expect(303);
        assert_eq!(reply.header("location"), Some("/connexion"), "{path}");
    }
    let form = ana.get("/connexion");
    form.expect(200);
    assert!(form.body.contains("Adresse email"), "{}", form.body);
    let token = form.hidden("form");

    // A known and an unknown address get the same page.
    let known = ana.post(
        "/connexion",
        &[("form", &token), ("email", "Ana@Example.org")],
    );
    known.expect(200);
    let unknown = ana.post(
        "/connexion",
        &[("form", &token), ("email", "nobody@example.org")],
    );
    unknown.expect(200);
    assert_eq!(
        known.body.replace("Ana@Example.org", "X"),
        unknown.body.replace("nobody@example.org", "X")
    );
    // Without the form's token, nothing is sent.
    let mut stranger = Visitor::new(&daemon);
    stranger
        .post(
            "/connexion",
            &[("form", &token), ("email", "ana@example.org")],
        )
        .expect(403);

    let link = emailed_link(dir.path(), "ana@example.org", 1);
    // Opening the link (as a mail scanner does) signs nobody in.
    let page = ana.get(&link);
    page.expect(200);
    assert!(page.body.contains("Me connecter"), "{}", page.body);
    assert!(ana.get(&link).status == 200, "a GET changes nothing");
    assert_eq!(ana.get("/").status, 303);

    let signed = ana.sign_in_with(&link);
    signed.expect(303);
    assert_eq!(signed.header("location"), Some("/"));
    let cookie = signed.header("set-cookie").expect("a session cookie");
    for part in [
        "__Host-jalon_session=",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    let home = ana.get("/");
    home.expect(200);
    assert!(home.body.contains("Bonjour Ana Martin"), "{}", home.body);
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let policy = home.header("content-security-policy").expect("a policy");
    assert!(!policy.contains("script-src") && policy.starts_with("default-src 'none'"));

    // The link worked once.
    let mut again = Visitor::new(&daemon);
    let reused = again.sign_in_with(&link);
    reused.expect(410);
    assert!(reused.body.contains("déjà servi"), "{}", reused.body);

    // Sign-out ends the session on the server.
    let csrf = ana.csrf();
    let session = ana.cookies.clone();
    ana.post("/deconnexion", &[("csrf", "forged")]).expect(403);
    ana.post("/deconnexion", &[("csrf", &csrf)]).expect(303);
    assert_eq!(ana.get("/").status, 303);
    let mut replay = Visitor::new(&daemon);
    replay.cookies = session;
    assert_eq!(replay.get("/").status, 303, "the old cookie opens nothing");

    // Asking too often for one address is refused, for any address.
    let mut asker = Visitor::new(&daemon);
    let token = asker.get("/connexion").hidden("form");
    let statuses: Vec<u16> = (0..4)
        .map(|_| {
            asker
                .post(
                    "/connexion",
                    &[("form", &token), ("email", "dina@example.org")],
                )
                .status
        })
        .collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
}

#[test]
fn each_person_sees_and_does_only_what_the_definitions_give_them() {
    let dir = workplace();
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);
    let mut ana = signed_in(&daemon, dir.path(), "ana");
    let mut vera = signed_in(&daemon, dir.path(), "vera@example.org");
    let mut lea = signed_in(&daemon, dir.path(), "lea@example.org");
    // Listed, with no part in the workspace: in, and nothing to see (in
    // her language).
    let mut dina = signed_in(&daemon, dir.path(), "dina");
    let home = dina.get("/");
    assert!(
        home.body.contains("Nothing is waiting for you"),
        "{}",
        home.body
    );
    assert!(home.body.contains("<html lang=\"en\">"), "{}", home.body);
    assert!(!home.body.contains("Promotion d’essai"), "{}", home.body);
    dina.get("/editions/ws").expect(404);
    dina.get("/editions/ws/participants/atelier").expect(404);

    // The coordination sees the edition, its timeline and every page.
    let edition = ana.get("/editions/ws");
    edition.expect(200);
    for expected in [
        "<svg",
        "Feuille de route",
        "Séminaire de lancement",
        "Brico Solidaire",
    ] {
        assert!(
            edition.body.contains(expected),
            "{expected}:\n{}",
            edition.body
        );
    }
    assert!(
        edition
            .body
            .contains("Atelier &lt;b&gt;&amp;amp; Cie&lt;/b&gt;"),
        "names are escaped"
    );
    for path in [
        "/editions/ws/participants/atelier",
        "/editions/ws/participants/brico",
        "/editions/ws/messages",
        "/editions/ws/journal",
        "/editions/ws/actions/close",
    ] {
        ana.get(path).expect(200);
    }

    // A laureate's contact: their own page, nothing else.
    lea.get("/editions/ws/participants/atelier").expect(200);
    for path in [
        "/editions/ws",
        "/editions/ws/participants/brico",
        "/editions/ws/messages",
        "/editions/ws/journal",
        "/editions/ws/actions/close",
        "/editions/ws/actions/complete?stage=feuille&participant=atelier",
        "/editions/nope",
    ] {
        lea.get(path).expect(404);
    }
    // The validator: the pages of those they validate, not the edition's.
    vera.get("/editions/ws/participants/brico").expect(200);
    for path in [
        "/editions/ws",
        "/editions/ws/journal",
        "/editions/ws/actions/close",
    ] {
        vera.get(path).expect(404);
    }

    // Acts refused to those who may not: nothing recorded.
    let before = events(dir.path());
    let lea_csrf = lea.csrf();
    lea.post(
        "/editions/ws/actions/complete",
        &[
            ("csrf", &lea_csrf),
            ("stage", "feuille"),
            ("participant", "atelier"),
            ("step", "confirm"),
        ],
    )
    .expect(404);
    let vera_csrf = vera.csrf();
    vera.post(
        "/editions/ws/actions/close",
        &[("csrf", &vera_csrf), ("reason", "non"), ("step", "confirm")],
    )
    .expect(404);
    // The coordinator's form without their token, or with another's.
    for csrf in ["", lea_csrf.as_str()] {
        ana.post(
            "/editions/ws/actions/complete",
            &[
                ("csrf", csrf),
                ("stage", "feuille"),
                ("participant", "atelier"),
                ("step", "confirm"),
            ],
        )
        .expect(403);
    }
    assert_eq!(events(dir.path()), before, "nothing was recorded");

    // The coordinator marks Atelier's roadmap done: preview, then confirm.
    let csrf = ana.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("stage", "feuille"),
        ("participant", "atelier"),
        ("comment", "reçue"),
    ];
    let preview = ana.post(
        "/editions/ws/actions/complete",
        &[&form[..], &[("step", "preview")]].concat(),
    );
    preview.expect(200);
    assert!(
        preview.body.contains("À valider\u{a0}: Feuille de route"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Véra Valide"), "{}", preview.body);
    assert_eq!(events(dir.path()), before, "a preview records nothing");
    let done = ana.post(
        "/editions/ws/actions/complete",
        &[&form[..], &[("step", "confirm")]].concat(),
    );
    done.expect(303);
    let after = events(dir.path());
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    let last = after.last().expect("an event");
    assert!(
        last.contains("complete") && last.contains("ana") && last.contains("web"),
        "{last}"
    );
    // The journal offers to cancel it, the form filled with its number.
    let seq = last
        .trim_start_matches('#')
        .split_whitespace()
        .next()
        .expect("a number")
        .to_owned();
    let journal = ana.get("/editions/ws/journal");
    let void = format!("/editions/ws/actions/void?seq={seq}");
    assert!(journal.body.contains(&void), "{}", journal.body);
    let form = ana.get(&void);
    form.expect(200);
    assert!(
        form.body.contains(&format!("value=\"{seq}\"")),
        "{}",
        form.body
    );

    // The validator now finds it waiting, and approves it.
    let home = vera.get("/");
    assert!(home.body.contains("Feuille de route"), "{}", home.body);
    assert!(
        home.body
            .contains("actions/approve?stage=feuille&amp;participant=atelier"),
        "{}",
        home.body
    );
    let approve = [
        ("csrf", vera_csrf.as_str()),
        ("stage", "feuille"),
        ("participant", "atelier"),
        ("step", "confirm"),
    ];
    vera.post("/editions/ws/actions/approve", &approve)
        .expect(303);
    let last = events(dir.path()).pop().expect("an event");
    assert!(
        last.contains("approve") && last.contains("vera") && last.contains("web"),
        "{last}"
    );
    // Approving again is refused by the engine, with its reason.
    let again = vera.post("/editions/ws/actions/approve", &approve);
    again.expect(409);
    assert!(again.body.contains("Non enregistré"), "{}", again.body);
}

/// The edition with a jury: Jules sits on it, and a candidate awaits it.
fn with_a_jury() -> String {
    definition("lea@example.org")
        .replacen(
            "roles:\n",
            "  - {id: jules, name: Jules Juré, email: jules@example.org, organisation: cd}\nroles:\n  - {id: jury, name: Jury, kind: jury, members: [jules]}\n",
            1,
        )
        .replacen(
            "stages:\n",
            "  - {id: cand, name: Candidat Un, status: candidate, contact: {name: Carl Candidat, email: carl@example.org}}\n\
             stages:\n  - id: comite\n    kind: pitch_jury\n    title: Comité de sélection\n    owners: [coordination]\n    \
             start: edition.start\n    due: start + 60 days\n    jury:\n      members: [jury]\n      \
             criteria: [{id: impact, title: Impact, weight: 1}]\n      scale: {min: 0, max: 5}\n    \
             selection: {from: candidate, to: laureate, min: 0, max: 3}\n",
            1,
        )
        .replacen(
            "messages:\n",
            "  - id: retenu\n    subject: \"Retenu\"\n    body: \"Retenu.\"\n\
             messages:\n  selection_retained: retenu\n  selection_not_retained: retenu\n",
            1,
        )
}

#[test]
fn a_jury_member_sees_the_candidates_and_nothing_else() {
    let dir = workplace();
    std::fs::write(dir.path().join("definitions/ws.yaml"), with_a_jury()).expect("written");
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);
    let mut jules = signed_in(&daemon, dir.path(), "jules");
    let home = jules.get("/");
    home.expect(200);
    assert!(home.body.contains("Comité de sélection"), "{}", home.body);
    jules.get("/editions/ws/participants/cand").expect(200);
    let before = events(dir.path());
    for path in [
        "/editions/ws",
        "/editions/ws/journal",
        "/editions/ws/messages",
        "/editions/ws/actions/close",
    ] {
        jules.get(path).expect(404);
    }
    let csrf = jules.csrf();
    jules
        .post(
            "/editions/ws/actions/complete",
            &[("csrf", &csrf), ("stage", "comite"), ("step", "confirm")],
        )
        .expect(404);
    assert_eq!(events(dir.path()), before, "nothing was recorded");
    // The candidate's contact sees their own page only.
    let mut carl = signed_in(&daemon, dir.path(), "carl@example.org");
    carl.get("/editions/ws/participants/cand").expect(200);
    carl.get("/editions/ws/participants/atelier").expect(404);
}

/// The first Wednesday at least `days` days from today, as `YYYY-MM-DD`:
/// a working day to move a seminar to.
fn wednesday_after(days: i64) -> String {
    let mut day = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(days))
        .expect("a date");
    while day.weekday() != jiff::civil::Weekday::Wednesday {
        day = day.tomorrow().expect("a date");
    }
    day.to_string()
}

#[test]
fn a_postponed_seminar_shows_what_moves_and_queues_the_new_invitation() {
    let dir = workplace();
    for participant in ["atelier", "brico"] {
        Jalon::new()
            .current_dir(dir.path())
            .args([
                "complete",
                "ws",
                "feuille",
                "--participant",
                participant,
                "--by",
                "ana",
            ])
            .run()
            .succeeds();
        Jalon::new()
            .current_dir(dir.path())
            .args([
                "approve",
                "ws",
                "feuille",
                "--participant",
                participant,
                "--by",
                "vera",
            ])
            .run()
            .succeeds();
    }
    // Past the notice time, whatever the hour: the new invitation is due
    // as soon as the postponement is recorded.
    let (_, skew) = crate::daemon::paris_morning();
    let daemon = Daemon::start_with(
        dir.path(),
        &["--public-url", PUBLIC_URL],
        &[("JALON_CLOCK_SKEW_SECONDS", &skew)],
    );
    // Signed in by a link the daemon emails (one printed now would be
    // stale on its clock).
    let mut ana = Visitor::new(&daemon);
    let token = ana.get("/connexion").hidden("form");
    ana.post(
        "/connexion",
        &[("form", &token), ("email", "ana@example.org")],
    )
    .expect(200);
    ana.sign_in_with(&emailed_link(dir.path(), "ana@example.org", 1))
        .expect(303);
    let csrf = ana.csrf();
    let new_day = wednesday_after(70);
    let form = [
        ("csrf", csrf.as_str()),
        ("stage", "seminaire"),
        ("due", new_day.as_str()),
        ("start", new_day.as_str()),
        ("reason", "salle indisponible"),
    ];
    let preview = ana.post(
        "/editions/ws/actions/postpone",
        &[&form[..], &[("step", "preview")]].concat(),
    );
    preview.expect(200);
    assert!(preview.body.contains("Ce qui change"), "{}", preview.body);
    assert!(
        preview.body.contains("Séminaire de lancement\u{a0}:"),
        "{}",
        preview.body
    );
    ana.post(
        "/editions/ws/actions/postpone",
        &[&form[..], &[("step", "confirm")]].concat(),
    )
    .expect(303);
    let last = events(dir.path()).pop().expect("an event");
    assert!(last.contains("postpone") && last.contains("web"), "{last}");
    let messages = ana.get("/editions/ws/messages");
    messages.expect(200);
    assert!(messages.body.contains("Invitation"), "{}", messages.body);
}

#[test]
fn people_removed_from_the_definitions_lose_their_sessions_at_the_reload() {
    let dir = workplace();
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);
    let mut lea = signed_in(&daemon, dir.path(), "lea@example.org");
    let mut leo = signed_in(&daemon, dir.path(), "leo@example.org");
    lea.get("/").expect(200);
    std::fs::write(
        dir.path().join("definitions/ws.yaml"),
        definition("autre@example.org"),
    )
    .expect("written");
    eventually("the reload to sign Léa out", || lea.get("/").status == 303);
    leo.get("/").expect(200);
    assert!(
        daemon.log().contains("session(s) ended"),
        "{}",
        daemon.log()
    );
}

#[test]
fn a_seminar_day_left_to_be_fixed_shows_so_and_is_fixed_from_the_workspace() {
    let dir = workplace();
    let path = dir.path().join("definitions/ws.yaml");
    let written = std::fs::read_to_string(&path).expect("the definition");
    let to_be_fixed = written
        .replace(
            "    start: feuille.due + 3 working days\n    due: start\n",
            "    start: à fixer\n    due: start\n    fix_by: feuille.due\n",
        )
        .replace(
            "messages:\n",
            "  - id: a-fixer\n    subject: \"Date à fixer\u{a0}: {{ stage }}\"\n    body: \"D’ici le {{ fix_by }}.\"\nmessages:\n  date_to_fix: a-fixer\n",
        );
    assert_ne!(written, to_be_fixed);
    std::fs::write(&path, to_be_fixed).expect("written");
    let daemon = Daemon::start(dir.path(), &["--public-url", PUBLIC_URL]);
    let mut ana = signed_in(&daemon, dir.path(), "ana@example.org");
    let page = ana.get("/editions/ws");
    page.expect(200);
    assert!(page.body.contains("dates à fixer"), "{}", page.body);
    let form = ana.get("/editions/ws/actions/postpone?stage=seminaire");
    assert!(
        form.body.contains("Dates actuelles\u{a0}: dates à fixer."),
        "{}",
        form.body
    );

    let new_day = wednesday_after(80);
    let csrf = ana.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("stage", "seminaire"),
        ("start", new_day.as_str()),
        ("due", new_day.as_str()),
        ("reason", "date retenue"),
    ];
    let preview = ana.post(
        "/editions/ws/actions/postpone",
        &[&form[..], &[("step", "preview")]].concat(),
    );
    preview.expect(200);
    // What changes: from « dates à fixer » to the day chosen.
    let moved = preview
        .body
        .lines()
        .find(|l| l.contains("Séminaire de lancement\u{a0}:"))
        .unwrap_or_default();
    assert!(moved.contains("dates à fixer →"), "{}", preview.body);
    ana.post(
        "/editions/ws/actions/postpone",
        &[&form[..], &[("step", "confirm")]].concat(),
    )
    .expect(303);
    let last = events(dir.path()).pop().expect("an event");
    assert!(last.contains("postpone") && last.contains("web"), "{last}");
    let page = ana.get("/editions/ws");
    assert!(page.body.contains("prévu dates à fixer"), "{}", page.body);
}
