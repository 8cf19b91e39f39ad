//! Validation links end to end: the real `jalon daemon` sends a validation
//! request as an `.eml` file, and the link in it is opened, forged,
//! tampered with, let expire and answered over HTTP, with `jalon log` as the
//! witness of what was (and was not) recorded.
//!
//! The edition is written in a temporary folder with dates around today, so
//! that its validation request falls due as soon as the work is submitted.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use mail_parser::MessageParser;

use crate::config::daemon_refused;
use crate::daemon::Daemon;
use crate::support::http::{self, Reply};
use crate::support::{eventually, outbox_emails, Jalon};

/// The links in emails start with this; the test sends them to the daemon's
/// real address instead.
pub(crate) const PUBLIC_URL: &str = "https://jalon.example.org";

/// An edition under way: `diagnostic` awaits two of three validators
/// (Véra reads French, Victor English); a refusal is told to Ana.
pub(crate) fn definition() -> String {
    let today = jiff::Zoned::now().date();
    let start = today
        .checked_sub(jiff::Span::new().days(20))
        .expect("a date");
    let end = today
        .checked_add(jiff::Span::new().days(300))
        .expect("a date");
    format!(
        r#"programme:
  id: liens
  name: Programme des liens
edition:
  id: liens
  name: Édition des liens
  start: {start}
  end: {end}
time_zone: Europe/Paris
organisations:
  - {{id: cd, name: Département, kind: public_body}}
people:
  - {{id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}}
  - {{id: vera, name: "Véra <Valide>", email: vera@example.org, organisation: cd}}
  - {{id: victor, name: Victor Check, email: victor@example.org, organisation: cd, language: en}}
  - {{id: valentin, name: Valentin Tiers, email: valentin@example.org, organisation: cd}}
roles:
  - {{id: coordination, name: Coordination, kind: coordination, members: [ana]}}
  - {{id: validation, name: Validation, kind: management, members: [vera, victor, valentin]}}
stages:
  - id: diagnostic
    kind: needs_diagnosis
    title: Diagnostic des besoins
    owners: [coordination]
    start: edition.start
    due: start + 60 days
    deliverables:
      - {{id: note, title: Note de diagnostic}}
    validation: {{by: [validation], quorum: 2}}
templates:
  - id: ouverture
    subject: "« {{{{ stage }}}} » commence"
    body: "Bonjour {{{{ recipient }}}}, « {{{{ stage }}}} » est ouverte."
  - id: validation
    subject: "À valider : {{{{ stage }}}}"
    body: |
      Bonjour {{{{ recipient }}}},

      Valider : {{{{ approve_link }}}}
      Demander des modifications : {{{{ refuse_link }}}}
  - id: refus
    subject: "Modifications demandées : {{{{ stage }}}}"
    body: "{{{{ validator }}}} : {{{{ comment }}}}"
messages:
  stage_opened: ouverture
  validation_request: validation
  validation_refused: refus
"#
    )
}

/// A folder laid out as an operator's, with the work submitted.
pub(crate) fn workplace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("definitions folder");
    std::fs::write(dir.path().join("definitions/liens.yaml"), definition()).expect("written");
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(&["complete", "liens", "diagnostic", "--by", "ana"])
        .run();
    output.succeeds();
    dir
}

/// `jalon daemon` on the defaults but for the listening address and the
/// links' public address, with no setting from this process's environment.
pub(crate) fn start(dir: &Path) -> Daemon {
    Daemon::start(dir, &["--public-url", PUBLIC_URL])
}

/// The daemon's pages, read and posted as a browser would.
trait Pages {
    fn request(&self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Reply;

    fn page(&self, path: &str) -> Reply {
        self.request("GET", path, None)
    }

    fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.request("POST", path, Some(form))
    }
}

impl Pages for Daemon {
    fn request(&self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Reply {
        http::request(self.address(), method, path, None, form)
    }
}

/// The subject and decoded text of the `.eml` files in `outbox/` sent to
/// `address`.
fn emails_to(dir: &Path, address: &str) -> Vec<String> {
    outbox_emails(dir)
        .into_iter()
        .filter_map(|bytes| {
            let message = MessageParser::default().parse(&bytes)?;
            let to = message.to()?.first()?.address()?.to_owned();
            let text = message.body_text(0)?.into_owned();
            let subject = message.subject().unwrap_or_default().to_owned();
            (to == address).then(|| format!("{subject}\n{text}"))
        })
        .collect()
}

/// The path (`/v/TOKEN?answer=…`) of the link for `answer` in the one
/// validation request sent to `address`, once it is there.
pub(crate) fn link_to(dir: &Path, address: &str, answer: &str) -> String {
    let mut found = None;
    eventually(&format!("the validation request to {address}"), || {
        found = emails_to(dir, address)
            .into_iter()
            .find(|text| text.starts_with("À valider"));
        found.is_some()
    });
    let text = found.expect("an email");
    let start = format!("{PUBLIC_URL}/v/");
    let url = text
        .split_whitespace()
        .find(|w| w.starts_with(&start) && w.ends_with(&format!("?answer={answer}")))
        .unwrap_or_else(|| panic!("a link to {answer} in:\n{text}"));
    url[PUBLIC_URL.len()..].to_owned()
}

/// The path of the link without its query: where the form posts.
pub(crate) fn page_of(link: &str) -> String {
    link.split('?').next().expect("a path").to_owned()
}

/// The event lines of `jalon log liens`.
pub(crate) fn events(dir: &Path) -> Vec<String> {
    let output = Jalon::new().current_dir(dir).args(&["log", "liens"]).run();
    output.succeeds();
    output
        .stdout()
        .lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Sets when the link of `person` expires, straight in the database.
fn expire(dir: &Path, person: &str, at: &str) {
    let conn = rusqlite::Connection::open(dir.join("jalon.db")).expect("the database");
    let changed = conn
        .execute(
            "UPDATE links SET expires_at = ?1 WHERE person = ?2",
            [at, person],
        )
        .expect("updated");
    assert_eq!(changed, 1);
}

#[test]
fn a_link_shows_a_page_records_one_answer_on_post_and_refuses_the_rest() {
    let dir = workplace();
    let daemon = start(dir.path());
    let vera = link_to(dir.path(), "vera@example.org", "approve");
    let victor = link_to(dir.path(), "victor@example.org", "approve");
    let valentin = link_to(dir.path(), "valentin@example.org", "refuse");
    assert_ne!(page_of(&vera), page_of(&victor));
    let before = events(dir.path());
    assert_eq!(before.len(), 1, "{before:?}");

    // The key was made on first start, private.
    let mode = std::fs::metadata(dir.path().join("jalon.secret"))
        .expect("the key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // GET and HEAD show the page and change nothing.
    let page = daemon.page(&vera);
    page.expect(200);
    assert!(
        page.body.contains("Diagnostic des besoins"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Note de diagnostic"));
    assert!(
        page.body.contains("Véra &lt;Valide&gt;"),
        "escaped: {}",
        page.body
    );
    assert!(page.body.contains("<form method=\"post\""));
    assert!(page.body.contains("value=\"approve\"") && page.body.contains("value=\"refuse\""));
    for (name, value) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(page.header(name), Some(value), "{name}");
    }
    let policy = page.header("content-security-policy").expect("a policy");
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(!policy.contains("script-src"), "{policy}");
    let head = daemon.request("HEAD", &vera, None);
    head.expect(200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("cache-control"), Some("no-store"));
    let english = daemon.page(&victor);
    english.expect(200);
    assert!(english.body.contains("Ask for changes"), "{}", english.body);
    assert_eq!(events(dir.path()), before, "GET and HEAD recorded nothing");

    // Forged, tampered and malformed tokens: a clear page, nothing recorded.
    let tampered = {
        let mut path = page_of(&vera).into_bytes();
        let at = path.len() - 5;
        path[at] = if path[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(path).expect("ASCII")
    };
    for path in [
        "/v/AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        tampered.clone(),
        "/v/short".to_owned(),
    ] {
        let page = daemon.page(&path);
        page.expect(404);
        assert!(page.body.contains("Nothing was recorded"), "{}", page.body);
        assert_eq!(page.header("cache-control"), Some("no-store"));
        daemon
            .post(&path, &[("answer", "approve"), ("comment", "")])
            .expect(404);
    }
    assert_eq!(events(dir.path()), before);

    // A refusal needs a comment: the form again, with why.
    let page = daemon.post(
        &page_of(&victor),
        &[("answer", "refuse"), ("comment", "  ")],
    );
    page.expect(422);
    assert!(
        page.body.contains("say which in the comment"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<form"));
    assert_eq!(events(dir.path()), before);

    // An expired link: gone, nothing recorded.
    expire(dir.path(), "victor", "2001-01-01T00:00:00Z");
    let page = daemon.page(&victor);
    page.expect(410);
    assert!(
        page.body.contains("expired on Monday 1 January 2001"),
        "{}",
        page.body
    );
    daemon
        .post(&page_of(&victor), &[("answer", "approve")])
        .expect(410);
    assert_eq!(events(dir.path()), before);
    expire(dir.path(), "victor", "2999-01-01T00:00:00Z");

    // The POST records one approval, by Véra, through the link.
    let page = daemon.post(
        &page_of(&vera),
        &[("answer", "approve"), ("comment", "<b>Très bien</b>")],
    );
    page.expect(200);
    assert!(
        page.body.contains("Merci, Véra &lt;Valide&gt;"),
        "{}",
        page.body
    );
    let after = events(dir.path());
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    let line = &after[after.len() - 1];
    assert!(
        line.contains("approve") && line.contains("vera") && line.contains("via link"),
        "{line}"
    );
    assert!(
        daemon
            .log()
            .contains("recorded through a link for liens/diagnostic/validation/1/person:vera"),
        "{}",
        daemon.log()
    );
    assert!(
        !daemon.log().contains(&page_of(&vera)[3..]),
        "the token is never logged"
    );

    // Again: already recorded, by her, at a time she can read; nothing more.
    for answer in ["approve", "refuse"] {
        let page = daemon.post(&page_of(&vera), &[("answer", answer), ("comment", "x")]);
        page.expect(409);
        assert!(
            page.body.contains("déjà été enregistrée par vous le"),
            "{}",
            page.body
        );
    }
    let page = daemon.page(&vera);
    page.expect(200);
    assert!(page.body.contains("déjà été enregistrée"), "{}", page.body);
    assert_eq!(events(dir.path()), after);

    // Victor's approval completes the stage.
    daemon
        .post(&page_of(&victor), &[("answer", "approve")])
        .expect(200);

    // Valentin comes too late: the core's reason, in his language (French),
    // nothing recorded.
    let recorded = events(dir.path());
    let page = daemon.page(&valentin);
    page.expect(409);
    assert!(page.body.contains("rien à valider"), "{}", page.body);
    assert!(!page.body.contains("nothing to approve"), "{}", page.body);
    assert!(!page.body.contains("<form"));
    let page = daemon.post(&page_of(&valentin), &[("answer", "approve")]);
    page.expect(409);
    assert!(page.body.contains("rien à valider"), "{}", page.body);
    assert_eq!(events(dir.path()), recorded);

    // The workspace's pages are not open without signing in.
    for path in ["/", "/editions/liens", "/editions/nope"] {
        let page = daemon.page(path);
        page.expect(303);
        assert_eq!(page.header("location"), Some("/connexion"), "{path}");
    }
    assert_eq!(events(dir.path()), recorded);
}

#[test]
fn links_sent_by_jalon_send_work_when_the_daemon_serves_them() {
    let dir = workplace();
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(&["send", "liens", "--public-url", PUBLIC_URL])
        .run();
    output.succeeds();
    let link = link_to(dir.path(), "victor@example.org", "refuse");
    let daemon = start(dir.path());
    daemon
        .post(
            &page_of(&link),
            &[("answer", "refuse"), ("comment", "Add the figures")],
        )
        .expect(200);
    let events = events(dir.path());
    let line = events.last().expect("an event");
    assert!(
        line.contains("refuse") && line.contains("victor") && line.contains("via link"),
        "{line}"
    );
    // The loop is woken: the owner hears of the refusal at once.
    eventually("the refusal to reach the owner", || {
        emails_to(dir.path(), "ana@example.org")
            .iter()
            .any(|text| text.contains("Victor Check\u{a0}: Add the figures"))
    });
}

#[test]
fn a_key_others_can_read_is_refused_with_what_to_do() {
    let dir = workplace();
    let key: PathBuf = dir.path().join("jalon.secret");
    std::fs::write(&key, [7u8; 32]).expect("written");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let output = daemon_refused(dir.path(), &["--public-url", PUBLIC_URL], &[]);
    output.expect_code(2);
    let said = output.stderr();
    assert!(said.contains("jalon.secret"), "{said}");
    assert!(said.contains("chmod 600"), "{said}");
    // Nothing was sent with a key that may be known to others.
    assert!(emails_to(dir.path(), "vera@example.org").is_empty());
}

/// `jalon send` takes the links' address and key from `jalon.toml`, as the
/// daemon does, so that the links it writes are the daemon's.
#[test]
fn jalon_send_writes_the_links_the_settings_file_names() {
    let dir = workplace();
    std::fs::create_dir(dir.path().join("keys")).expect("a folder");
    std::fs::write(
        dir.path().join("jalon.toml"),
        "[http]\npublic_url = \"https://jalon.example.org/configured\"\nsecret_file = \"keys/links.key\"\n",
    )
    .expect("written");
    Jalon::new()
        .current_dir(dir.path())
        .args(&["send", "liens"])
        .run()
        .succeeds();
    assert!(dir.path().join("keys/links.key").is_file());
    assert!(!dir.path().join("jalon.secret").exists());
    let request = emails_to(dir.path(), "vera@example.org")
        .into_iter()
        .find(|text| text.starts_with("À valider"))
        .expect("the validation request");
    assert!(
        request.contains("https://jalon.example.org/configured/v/"),
        "{request}"
    );
}
