//! Deliverables handed in over HTTP, as a browser sends them: a laureate
//! hands in a PDF from the link in their reminder, the validator opens it
//! from the validation request and asks for changes, the laureate hands in
//! a second version, the validator approves; and hostile uploads, each
//! refused or contained with a clear message, the daemon serving on.
//!
//! The edition is written with dates around today: the roadmap stage is
//! open, its reminder and opening notice go to the laureate's contact.

use std::path::Path;

use mail_parser::MessageParser;

use crate::daemon::Daemon;
use crate::support::http::{self, multipart, request_bytes, Bytes};
use crate::support::{eventually, outbox_emails, Jalon};

pub(crate) const PUBLIC_URL: &str = "https://jalon.example.org";

/// A small, well-formed PDF.
pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub(crate) fn definition() -> String {
    let today = jiff::Zoned::now().date();
    let day = |days: i64| {
        today
            .checked_add(jiff::Span::new().days(days))
            .expect("a date")
    };
    let (start, end) = (day(-20), day(300));
    format!(
        r#"programme:
  id: remises
  name: Programme des remises
edition:
  id: rm
  name: Promotion d’essai
  start: {start}
  end: {end}
time_zone: Europe/Paris
organisations:
  - {{id: cd, name: Département, kind: public_body}}
people:
  - {{id: ana, name: Ana Martin, email: ana@example.org, organisation: cd}}
  - {{id: vera, name: Véra Valide, email: vera@example.org, organisation: cd}}
  - {{id: oscar, name: Oscar Porteur, email: oscar@example.org, organisation: cd}}
roles:
  - {{id: coordination, name: Coordination, kind: coordination, members: [ana]}}
  - {{id: validation, name: Validation, kind: management, members: [vera]}}
  - {{id: accelerateur, name: Accélérateur, kind: accelerator, members: [oscar]}}
participants:
  - id: atelier
    name: Atelier Solidaire
    status: laureate
    contact: {{name: Léa Lauréate, email: lea@example.org}}
stages:
  - id: feuille
    kind: task
    title: Feuille de route
    owners: [coordination, accelerateur]
    for_each: laureate
    start: edition.start
    due: start + 60 days
    deliverables:
      - id: feuille
        title: Feuille de route
        accepts: [pdf, office, link]
        max: 2
    validation: {{by: [validation], quorum: 1}}
templates:
  - id: ouverture
    subject: "Ouverture : {{{{ stage }}}}"
    body: "Bonjour {{{{ recipient }}}}. Rendre : {{{{ hand_in_link }}}}"
  - id: validation
    subject: "À valider : {{{{ stage }}}} de {{{{ participant }}}}"
    body: |
      Documents :
      {{{{ documents }}}}

      Valider : {{{{ approve_link }}}}
      Modifier : {{{{ refuse_link }}}}
  - id: refus
    subject: "Modifications demandées : {{{{ stage }}}}"
    body: "{{{{ validator }}}} : {{{{ comment }}}} Nouvelle version : {{{{ hand_in_link }}}}"
messages:
  stage_opened: ouverture
  validation_request: validation
  validation_refused: refus
"#
    )
}

pub(crate) fn workplace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("definitions")).expect("definitions folder");
    std::fs::write(dir.path().join("definitions/rm.yaml"), definition()).expect("written");
    dir
}

pub(crate) fn start(dir: &Path) -> Daemon {
    Daemon::start(dir, &["--public-url", PUBLIC_URL])
}

/// The subject and text of the emails to `address` whose subject starts
/// with `subject`, once there are `count`.
pub(crate) fn emails(dir: &Path, address: &str, subject: &str, count: usize) -> Vec<String> {
    let mut found = Vec::new();
    eventually(&format!("{count} « {subject} » to {address}"), || {
        found = outbox_emails(dir)
            .into_iter()
            .filter_map(|bytes| {
                let message = MessageParser::default().parse(&bytes)?;
                let to = message.to()?.first()?.address()?.to_owned();
                let text = message.body_text(0)?.into_owned();
                let title = message.subject().unwrap_or_default().to_owned();
                (to == address && title.starts_with(subject)).then(|| format!("{title}\n{text}"))
            })
            .collect();
        found.len() >= count
    });
    found
}

/// The path (after the host) of the first web address in `text` that
/// contains `part`, whatever the public address before it.
pub(crate) fn path_in(text: &str, part: &str) -> String {
    text.split_whitespace()
        .filter(|w| w.starts_with("http") && w.contains(part))
        .find_map(|w| {
            let rest = &w[w.find("://")? + 3..];
            Some(&rest[rest.find('/')?..])
        })
        .unwrap_or_else(|| panic!("a link with {part} in:\n{text}"))
        .to_owned()
}

pub(crate) fn events(dir: &Path) -> Vec<String> {
    crate::support::logged_events(dir, "rm")
}

/// Posts a hand-in form to `path`.
fn hand_in(daemon: &Daemon, path: &str, files: &[(&str, &str, &[u8])], comment: &str) -> Bytes {
    let (kind, body) = multipart(&[("comment", comment)], files);
    request_bytes(
        daemon.address(),
        "POST",
        path,
        &[("Content-Type", &kind)],
        &body,
    )
}

fn get(daemon: &Daemon, path: &str) -> Bytes {
    request_bytes(daemon.address(), "GET", path, &[], &[])
}

/// The download links (`…/documents/SHA`) of a page, in order.
fn documents_in(page: &str) -> Vec<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.contains("/documents/"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_laureate_hands_in_from_the_link_the_validator_reads_refuses_then_approves_a_new_version() {
    let dir = workplace();
    let daemon = start(dir.path());
    let opening = emails(dir.path(), "lea@example.org", "Ouverture", 1);
    let link = path_in(&opening[0], "/r/");

    // The page: what to hand in; opening it records nothing.
    let page = get(&daemon, &link).page(200);
    assert!(
        page.contains("Rendre «\u{a0}Feuille de route\u{a0}»"),
        "{page}"
    );
    assert!(page.contains("Atelier Solidaire"), "{page}");
    assert!(page.contains("name=\"file:feuille\""), "{page}");
    assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
    assert!(events(dir.path()).is_empty());

    // Version 1: a PDF named with a path, kept under its last part.
    let done = hand_in(
        &daemon,
        &link,
        &[("file:feuille", "../../etc/feuille v1.pdf", PDF)],
        "Première version",
    )
    .page(200);
    assert!(done.contains("Travail remis"), "{done}");
    assert!(done.contains("feuille v1.pdf"), "{done}");
    let log = events(dir.path());
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].contains("complete"), "{log:?}");
    assert!(log[0].contains("lea@example.org"), "{log:?}");
    assert!(log[0].contains("link"), "{log:?}");

    // The validator's request names the document; its page offers it.
    let request = emails(dir.path(), "vera@example.org", "À valider", 1);
    assert!(
        request[0].contains("feuille v1.pdf (PDF, 1\u{a0}Ko)"),
        "{}",
        request[0]
    );
    let approve = path_in(&request[0], "?answer=approve");
    // The request links to each file, through its own token.
    let emailed = path_in(&request[0], "/documents/");
    assert_eq!(get(&daemon, &emailed).body, PDF);
    let form = approve.split('?').next().expect("a path").to_owned();
    let validation = get(&daemon, &approve).page(200);
    let documents = documents_in(&validation);
    assert_eq!(documents.len(), 1, "{validation}");
    let file = get(&daemon, &documents[0]);
    assert_eq!(file.status, 200);
    assert_eq!(file.body, PDF, "the very bytes handed in");
    assert_eq!(file.header("content-type"), Some("application/pdf"));
    assert_eq!(file.header("x-content-type-options"), Some("nosniff"));
    let disposition = file.header("content-disposition").expect("a disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("feuille v1.pdf"), "{disposition}");
    assert!(
        file.header("content-security-policy")
            .is_some_and(|p| p.contains("sandbox")),
        "{:?}",
        file.headers
    );

    // Changes asked: the laureate is told, with the way to a new version.
    let refused = http::request(
        daemon.address(),
        "POST",
        &form,
        None,
        Some(&[("answer", "refuse"), ("comment", "Ajoutez le budget.")]),
    );
    refused.expect(200);
    let notice = emails(dir.path(), "lea@example.org", "Modifications demandées", 1);
    assert!(notice[0].contains("Ajoutez le budget."), "{}", notice[0]);
    let again = path_in(&notice[0], "/r/");
    let page = get(&daemon, &again).page(200);
    assert!(page.contains("Ajoutez le budget."), "{page}");
    assert!(page.contains("Version 1"), "{page}");
    // The laureate may download what they handed in.
    let own = documents_in(&page);
    assert_eq!(get(&daemon, &own[0]).body, PDF);

    // Version 2: a file and a link; version 1 is kept.
    let second = [PDF, b"% v2\n"].concat();
    let done = hand_in(
        &daemon,
        &again,
        &[("file:feuille", "feuille v2.pdf", &second)],
        "",
    )
    .page(200);
    assert!(done.contains("Version 2"), "{done}");
    assert!(done.contains("Version 1"), "{done}");
    let requests = emails(dir.path(), "vera@example.org", "À valider", 2);
    let newest = requests
        .iter()
        .find(|r| r.contains("feuille v2.pdf"))
        .expect("the second request names the new version");
    let approve = path_in(newest, "?answer=approve");
    let form = approve.split('?').next().expect("a path").to_owned();
    // The first request's link is about the first version: stale.
    let validation = get(&daemon, &approve).page(200);
    let documents = documents_in(&validation);
    assert_eq!(get(&daemon, &documents[0]).body, second);
    http::request(
        daemon.address(),
        "POST",
        &form,
        None,
        Some(&[("answer", "approve")]),
    )
    .expect(200);
    let log = events(dir.path());
    let verbs: Vec<&str> = ["complete", "refuse", "complete", "approve"].to_vec();
    assert_eq!(log.len(), 4, "{log:?}");
    for (line, verb) in log.iter().zip(verbs) {
        assert!(line.contains(verb), "{line} should be {verb}");
    }

    // Done: the link now hands in nothing, and says why.
    let late = hand_in(&daemon, &again, &[("file:feuille", "v3.pdf", PDF)], "");
    let page = late.page(409);
    assert!(page.contains("terminée"), "{page}");
    assert_eq!(events(dir.path()).len(), 4);

    // The export keeps every version, by name and checksum.
    let export = Jalon::new()
        .current_dir(dir.path())
        .args(["export", "rm"])
        .run();
    export.succeeds();
    let json: serde_json::Value = serde_json::from_str(&export.stdout()).expect("JSON");
    let handed = json["stages"][0]["handed_in"].as_array().expect("a list");
    assert_eq!(handed.len(), 2, "{handed:?}");
    assert!(handed[0]
        .as_str()
        .is_some_and(|v| v.starts_with("v1 feuille v1.pdf (sha256:")));
    assert!(handed[1]
        .as_str()
        .is_some_and(|v| v.starts_with("v2 feuille v2.pdf")));

    // Strangers: no session, a made-up token, another document's checksum.
    let sha = documents[0].rsplit('/').next().expect("a checksum");
    let stranger = get(&daemon, &format!("/editions/rm/documents/{sha}"));
    assert_eq!(stranger.status, 303, "to the sign-in page");
    let forged = get(
        &daemon,
        &format!("/r/AAAAAAAAAAAAAAAAAAAAAA/documents/{sha}"),
    );
    assert_eq!(forged.status, 404);
    assert!(forged.body.len() < 5_000 && !forged.body.starts_with(b"%PDF"));
}

/// A ZIP named like a Word document whose directory declares a 1 GiB
/// entry: the sizes of a zip bomb, without its bytes.
fn zip_bomb() -> Vec<u8> {
    let entries = ["[Content_Types].xml", "word/document.xml"];
    let mut zip = Vec::new();
    let mut central = Vec::new();
    for name in entries {
        let offset = zip.len() as u32;
        let data = b"0";
        let declared: u32 = 1 << 30;
        // Local file header: stored, sizes as declared.
        zip.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        zip.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        zip.extend_from_slice(&0u32.to_le_bytes()); // crc
        zip.extend_from_slice(&(data.len() as u32).to_le_bytes());
        zip.extend_from_slice(&declared.to_le_bytes());
        zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes());
        zip.extend_from_slice(name.as_bytes());
        zip.extend_from_slice(data);
        // Its central directory record.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&declared.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let at = zip.len() as u32;
    zip.extend_from_slice(&central);
    zip.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    zip.extend_from_slice(&[0; 4]);
    zip.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    zip.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    zip.extend_from_slice(&(central.len() as u32).to_le_bytes());
    zip.extend_from_slice(&at.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip
}

#[test]
fn hostile_uploads_are_refused_or_contained_and_the_daemon_serves_on() {
    let dir = workplace();
    let daemon = start(dir.path());
    let opening = emails(dir.path(), "lea@example.org", "Ouverture", 1);
    let link = path_in(&opening[0], "/r/");
    let files_before = tree(dir.path());

    // A body announced at 1 GiB: refused on its head, at once.
    let (kind, body) = multipart(&[], &[("file:feuille", "huge.pdf", PDF)]);
    let huge = request_bytes(
        daemon.address(),
        "POST",
        &link,
        &[("Content-Type", &kind), ("Content-Length", "1073741824")],
        &body,
    );
    assert_eq!(huge.status, 413, "{}", String::from_utf8_lossy(&huge.body));
    assert!(String::from_utf8_lossy(&huge.body).contains("Mo"));

    // A file of 21 MiB: its reading stops at the limit, with the reason.
    let big = [PDF, &vec![b' '; 21 * 1024 * 1024]].concat();
    let page = hand_in(&daemon, &link, &[("file:feuille", "gros.pdf", &big)], "").page(413);
    assert!(
        page.contains("«\u{a0}gros.pdf\u{a0}» dépasse 20\u{a0}Mo"),
        "{page}"
    );

    // HTML named .pdf: its content says what it is.
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let page = hand_in(&daemon, &link, &[("file:feuille", "feuille.pdf", html)], "").page(422);
    assert!(page.contains("une page web (HTML)"), "{page}");
    assert!(!page.contains("<script>alert"), "{page}");

    // A zip bomb named .docx: refused without being unpacked.
    let bomb = zip_bomb();
    let page = hand_in(&daemon, &link, &[("file:feuille", "bombe.docx", &bomb)], "").page(422);
    assert!(page.contains("volume anormal"), "{page}");

    // A NUL in the name: taken out (or the part refused), never a path.
    let named = hand_in(
        &daemon,
        &link,
        &[("file:feuille", "a\0b/../c.pdf", PDF)],
        "",
    );
    let text = String::from_utf8_lossy(&named.body).into_owned();
    assert!(
        [200, 413, 422].contains(&named.status),
        "{}: {text}",
        named.status
    );
    assert!(!text.contains('\0'));
    if named.status == 200 {
        assert!(text.contains("c.pdf"), "{text}");
    }

    // Nothing was written outside the store.
    let added: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|p| !files_before.contains(p))
        .filter(|p| !p.starts_with("outbox/") && !p.starts_with("jalon.db"))
        .collect();
    assert!(added.is_empty(), "{added:?}");

    // A thousand hand-ins in a row: once one is in, the rest are turned
    // away on their head, and others are served all along.
    for n in 0..1_000 {
        let reply = hand_in(&daemon, &link, &[("file:feuille", "encore.pdf", PDF)], "");
        if n > 0 || named.status != 200 {
            assert!([200, 409].contains(&reply.status), "{}", reply.status);
        }
        if n % 250 == 0 {
            assert!(daemon.healthy());
        }
    }
    let completions = events(dir.path())
        .iter()
        .filter(|l| l.contains("complete"))
        .count();
    assert_eq!(completions, 1, "one hand-in awaits validation, no more");
    assert!(daemon.healthy());
}

/// Every file under `dir`, relative.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn in_the_workspace_the_contact_hands_in_and_only_those_allowed_see_the_files() {
    let dir = workplace();
    let daemon = start(dir.path());
    let mut lea = crate::workspace::Visitor::new(&daemon);
    lea.sign_in_with(&crate::workspace::printed_link_of(
        dir.path(),
        "rm",
        "lea@example.org",
    ))
    .expect(303);
    // Her home shows the roadmap to hand in, with the way to its form.
    let home = lea.get("/");
    home.expect(200);
    let form_path = "/editions/rm/rendre?stage=feuille&amp;participant=atelier";
    assert!(home.body.contains(form_path), "{}", home.body);
    let form_path = form_path.replace("&amp;", "&");
    let page = lea.get(&form_path);
    page.expect(200);
    let csrf = page.hidden("csrf");
    let cookie = lea.cookie_header();
    let post = |fields: &[(&str, &str)], extra: &[(&str, &str)]| {
        let (kind, body) = multipart(fields, &[("file:feuille", "feuille.pdf", PDF)]);
        let mut headers = vec![("Content-Type", kind.as_str()), ("Cookie", cookie.as_str())];
        headers.extend_from_slice(extra);
        request_bytes(daemon.address(), "POST", &form_path, &headers, &body)
    };

    // Another site's form, and a form without the session's token: refused,
    // nothing recorded.
    let forged = post(
        &[("csrf", &csrf)],
        &[
            ("Origin", "https://evil.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(post(&[("csrf", "nope")], &[]).status, 403);
    assert!(events(dir.path()).is_empty());

    // The stage's owner may hand in for the laureate; the validator may not
    // (not found, as any page one may not see).
    let mut oscar = crate::workspace::Visitor::new(&daemon);
    oscar
        .sign_in_with(&crate::workspace::printed_link_of(
            dir.path(),
            "rm",
            "oscar",
        ))
        .expect(303);
    oscar.get(&form_path).expect(200);
    let mut vera = crate::workspace::Visitor::new(&daemon);
    vera.sign_in_with(&crate::workspace::printed_link_of(dir.path(), "rm", "vera"))
        .expect(303);
    vera.get(&form_path).expect(404);

    // Her own form: recorded as her, through the web.
    let done = post(&[("csrf", &csrf)], &[]).page(200);
    assert!(done.contains("Travail remis"), "{done}");
    let log = events(dir.path());
    assert!(
        log.len() == 1 && log[0].contains("web") && log[0].contains("lea@example.org"),
        "{log:?}"
    );
    let download = documents_in(&done)[0].clone();
    assert!(
        download.starts_with("/editions/rm/documents/"),
        "{download}"
    );

    // The validator sees it on the participant's page and downloads it.
    let page = vera.get("/editions/rm/participants/atelier");
    page.expect(200);
    assert!(page.body.contains(&download), "{}", page.body);
    let file = request_bytes(
        daemon.address(),
        "GET",
        &download,
        &[("Cookie", &vera.cookie_header())],
        &[],
    );
    assert_eq!(file.body, PDF);

    // Ana, who coordinates, may; a signed-out browser may not.
    let mut ana = crate::workspace::Visitor::new(&daemon);
    ana.sign_in_with(&crate::workspace::printed_link_of(dir.path(), "rm", "ana"))
        .expect(303);
    let file = request_bytes(
        daemon.address(),
        "GET",
        &download,
        &[("Cookie", &ana.cookie_header())],
        &[],
    );
    assert_eq!(file.status, 200);
    assert_eq!(get(&daemon, &download).status, 303);
}
