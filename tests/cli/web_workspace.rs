//! The web workspace in a real browser, as its people use it: a
//! coordinator signs in from the emailed link and postpones the seminar, a
//! validator approves a roadmap and asks for changes to another, a
//! laureate's contact opens their own page and not the other laureate's,
//! and every kind of page is looked at on a phone and a laptop.
//!
//! Each page is checked at 412 px and 1280 px wide: it does not scroll
//! sideways, axe-core finds no serious or critical fault, its buttons and
//! fields are big enough to tap, its French typography holds, and a
//! screenshot `target/screenshots/ws-{page}-{width}.png` is left to be
//! looked at by a person.
//!
//! The edition is `workspace.rs`'s (Ana coordinates, Véra validates the
//! roadmaps, Léa and Léo are the laureates' contacts, Dina has no part);
//! the daemon listens on a port of its own, which is its public address,
//! so that the emailed links open in the browser as they are.

use std::path::Path;
use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{report, Browser};
use crate::daemon::Daemon;
use crate::servers::free_port;
use crate::support::{Jalon, PATIENCE};
use crate::workspace::{definition, emailed_url, events, printed_link, workplace};

/// A phone's width (CSS pixels), then a laptop's.
const WIDTHS: [u32; 2] = [412, 1280];

/// The smallest height of a button or a field, to be tapped with a finger.
const TAP_HEIGHT: f64 = 44.0;

/// The edition's name as the pages show it.
const EDITION: &str = "Programme de l’atelier — Promotion d’essai";

/// The daemon, on a port that is also its public address.
struct Site {
    /// Runs until the test ends.
    _daemon: Daemon,
    /// `http://127.0.0.1:PORT`.
    base: String,
}

impl Site {
    fn start(dir: &Path) -> Site {
        Site::start_skewed(dir, "0")
    }

    /// With the daemon's clock `skew` seconds ahead.
    fn start_skewed(dir: &Path, skew: &str) -> Site {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let listen = format!("127.0.0.1:{port}");
        let skewed = [("JALON_CLOCK_SKEW_SECONDS", skew)];
        let variables: &[(&str, &str)] = if skew == "0" { &[] } else { &skewed };
        let daemon = Daemon::start_with(
            dir,
            &["--listen", &listen, "--public-url", &base],
            variables,
        );
        Site {
            _daemon: daemon,
            base,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// `text` as an XPath string literal.
fn literal(text: &str) -> String {
    if text.contains('\'') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}

/// Waits until the page has an element at `xpath`.
fn wait_for(browser: &Browser, xpath: &str) {
    browser
        .block_on(
            browser
                .client()
                .wait()
                .at_most(PATIENCE)
                .every(Duration::from_millis(50))
                .for_element(Locator::XPath(xpath)),
        )
        .unwrap_or_else(|e| {
            panic!(
                "waited in vain for {xpath}: {e}\nthe page says:\n{}",
                browser.text()
            )
        });
}

/// Waits for a page whose main heading contains `text`.
fn wait_for_title(browser: &Browser, text: &str) {
    wait_for(browser, &format!("//h1[contains(., {})]", literal(text)));
}

/// Clicks the element at `xpath`.
fn click(browser: &Browser, xpath: &str) {
    let element = browser
        .block_on(browser.client().find(Locator::XPath(xpath)))
        .unwrap_or_else(|e| panic!("no {xpath}: {e}\nthe page says:\n{}", browser.text()));
    browser
        .block_on(element.click())
        .unwrap_or_else(|e| panic!("{xpath} does not click: {e}"));
}

/// Presses the button labelled `label`.
fn press(browser: &Browser, label: &str) {
    click(
        browser,
        &format!("//button[normalize-space()={}]", literal(label)),
    );
}

/// Follows the link reading `label`, within the element at `within`
/// (an XPath; `//main` for the whole page).
fn follow(browser: &Browser, within: &str, label: &str) {
    click(
        browser,
        &format!("{within}//a[normalize-space()={}]", literal(label)),
    );
}

/// The card (`li`) of the stage instance titled `title`.
fn card(title: &str) -> String {
    format!(
        "//li[strong[starts-with(normalize-space(), {})]]",
        literal(title)
    )
}

/// Types `text` into the field whose id is `id`.
fn type_into(browser: &Browser, id: &str, text: &str) {
    let field = browser
        .block_on(browser.client().find(Locator::Id(id)))
        .unwrap_or_else(|e| panic!("no field #{id}: {e}\nthe page says:\n{}", browser.text()));
    browser
        .block_on(field.send_keys(text))
        .unwrap_or_else(|e| panic!("cannot type into #{id}: {e}"));
}

/// Fills the date field `id` with `date`, typed as a person in France
/// types it in Chromium's date field (day, month, year), then checks what
/// the field holds.
fn type_date(browser: &Browser, id: &str, date: jiff::civil::Date) {
    type_into(browser, id, &date.strftime("%d%m%Y").to_string());
    let value = browser.execute(
        "return document.getElementById(arguments[0]).value;",
        vec![json!(id)],
    );
    assert_eq!(value, json!(date.to_string()), "the date typed into #{id}");
}

/// The path of the page shown.
fn path(browser: &Browser) -> String {
    let url = browser
        .block_on(browser.client().current_url())
        .expect("the page's address");
    url.path().to_owned()
}

/// The HTTP status of the page shown (Chromium keeps it for the page).
fn status(browser: &Browser) -> u64 {
    let status = browser.execute(
        "return performance.getEntriesByType('navigation')[0].responseStatus;",
        vec![],
    );
    status.as_u64().expect("the page's status")
}

/// Buttons and fields shorter than a finger, as `tag "label" (height px)`.
fn small_targets(browser: &Browser) -> Vec<String> {
    let found = browser.execute(
        "return Array.from(document.querySelectorAll(
             'button, input:not([type=hidden]), select, textarea, main .actions a'))
           .map(e => [e.tagName.toLowerCase() + ' \"' + (e.innerText || e.name || '').trim() + '\"',
                      e.getBoundingClientRect().height])
           .filter(([, h]) => h < arguments[0])
           .map(([what, h]) => what + ' (' + h + ' px)');",
        vec![json!(TAP_HEIGHT)],
    );
    serde_json::from_value(found).expect("a list")
}

/// French typography in the page's text: a no-break space, never a plain
/// one or none, before `: ; ! ?` and `»`, and after `«`.
fn typography_faults(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut faults = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let context = || {
            chars[i.saturating_sub(20)..(i + 20).min(chars.len())]
                .iter()
                .collect()
        };
        let bad = match c {
            // A colon between digits is a time (09:30), after a letter
            // with no space, a word such as `mailto:`; a plain space is
            // the fault looked for.
            ':' | ';' | '!' | '?' | '»' => before == Some(' '),
            '«' => after == Some(' '),
            _ => false,
        };
        if bad {
            faults.push(context());
        }
    }
    faults
}

/// The page as it is, at each width: a screenshot `{name}-{width}.png`,
/// no sideways scrolling, no serious or critical axe-core violation, no
/// button or field too small to tap, French typography. Leaves the
/// browser at a phone's width, where the people then act.
fn check(browser: &Browser, name: &str) {
    let mut faults = Vec::new();
    let typography = typography_faults(&browser.text());
    if !typography.is_empty() {
        faults.push(format!(
            "a plain space where French typography wants a no-break one: {typography:?}"
        ));
    }
    for width in WIDTHS {
        let shot = browser.screenshot(name, width);
        let (page, viewport) = browser.widths();
        if page > viewport {
            faults.push(format!(
                "at {width} px it scrolls sideways: {page} px wide (screenshot: {})",
                shot.display()
            ));
        }
        let violations = browser.axe();
        if !violations.is_empty() {
            faults.push(format!(
                "axe-core at {width} px (screenshot: {}):\n{}",
                shot.display(),
                report(&violations)
            ));
        }
        let small = small_targets(browser);
        if !small.is_empty() {
            faults.push(format!(
                "at {width} px, targets under {TAP_HEIGHT} px (screenshot: {}): {small:?}",
                shot.display()
            ));
        }
    }
    browser.set_width(WIDTHS[0]);
    assert!(faults.is_empty(), "{name}:\n{}", faults.join("\n"));
}

/// Signs in with the link at `url`, pressing « Me connecter ».
fn sign_in(browser: &Browser, url: &str) {
    browser.goto(url);
    wait_for_title(browser, "Se connecter");
    press(browser, "Me connecter");
    wait_for(browser, "//h2[normalize-space()='Ce qui vous attend']");
    assert_eq!(path(browser), "/");
}

/// `jalon VERB ws STAGE --participant P --by WHO`, which must succeed.
fn jalon(dir: &Path, verb: &str, stage: &str, participant: &str, by: &str) {
    Jalon::new()
        .current_dir(dir)
        .args([verb, "ws", stage, "--participant", participant, "--by", by])
        .run()
        .succeeds();
}

/// The rows of the messages page whose « what » starts with `kind`.
fn rows_of(browser: &Browser, kind: &str) -> usize {
    let rows = browser.execute(
        "return Array.from(document.querySelectorAll('main tr'))
           .filter(r => r.cells[1] && r.cells[1].innerText.trim().startsWith(arguments[0])).length;",
        vec![json!(kind)],
    );
    usize::try_from(rows.as_u64().expect("a count")).expect("a count")
}

#[test]
fn a_coordinator_signs_in_from_the_email_and_postpones_the_seminar() {
    let dir = workplace();
    // The seminar needs both roadmaps done and approved.
    for participant in ["atelier", "brico"] {
        jalon(dir.path(), "complete", "feuille", participant, "ana");
        jalon(dir.path(), "approve", "feuille", participant, "vera");
    }
    // Past the notice time, whatever the hour: the new invitation is due
    // as soon as the postponement is recorded.
    let site = Site::start_skewed(dir.path(), &crate::daemon::paris_morning().1);
    let browser = Browser::start();
    browser.set_width(WIDTHS[0]);

    // Any page leads a stranger to the sign-in form.
    browser.goto(&site.url("/editions/ws"));
    wait_for_title(&browser, "Connexion");
    assert_eq!(path(&browser), "/connexion");
    check(&browser, "ws-sign-in");
    type_into(&browser, "email", "ana@example.org");
    press(&browser, "Recevoir le lien");
    wait_for_title(&browser, "Vérifiez votre messagerie");
    let text = browser.text();
    assert!(text.contains("ana@example.org"), "{text}");
    check(&browser, "ws-sign-in-sent");

    // The link, from the email written in the outbox folder.
    let url = emailed_url(dir.path(), "ana@example.org", 1, &site.base);
    browser.goto(&url);
    wait_for_title(&browser, "Se connecter");
    check(&browser, "ws-link");
    press(&browser, "Me connecter");
    wait_for(&browser, "//h2[normalize-space()='Ce qui vous attend']");
    assert_eq!(path(&browser), "/");
    let text = browser.text();
    assert!(text.contains("Bonjour Ana Martin"), "{text}");
    assert!(text.contains(EDITION), "{text}");
    check(&browser, "ws-home-coordination");

    // The edition, with its timeline scrolling inside its own box.
    follow(&browser, "//main", EDITION);
    wait_for_title(&browser, "Promotion d’essai");
    assert_eq!(path(&browser), "/editions/ws");
    let charts = browser.execute(
        "return document.querySelectorAll('.timeline svg.timeline-chart').length;",
        vec![],
    );
    assert_eq!(charts, json!(1), "the timeline");
    let text = browser.text();
    for expected in [
        "Séminaire de lancement",
        "Feuille de route",
        "Brico Solidaire",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    check(&browser, "ws-edition");
    let sizes = browser.execute(
        "const t = document.querySelector('.timeline');
         return [t.scrollWidth, t.clientWidth];",
        vec![],
    );
    assert!(
        sizes[0].as_u64() > sizes[1].as_u64(),
        "at 412 px the timeline scrolls in its box: {sizes}"
    );
    // Scrolled to its end, the rows' names stay in view on the left.
    let edges = browser.execute(
        "const t = document.querySelector('.timeline');
         t.scrollLeft = t.scrollWidth;
         return [t.scrollLeft,
                 document.querySelector('.timeline-labels').getBoundingClientRect().left
                   - t.getBoundingClientRect().left];",
        vec![],
    );
    assert!(edges[0].as_f64() > Some(0.0), "scrolled: {edges}");
    assert!(
        edges[1].as_f64().is_some_and(|left| left.abs() <= 1.0),
        "the names stay at the box's left edge: {edges}"
    );
    browser.screenshot("ws-edition-timeline-scrolled", WIDTHS[0]);
    browser.no_horizontal_scroll();

    // The invitations already queued, to tell the new one.
    browser.goto(&site.url("/editions/ws/messages"));
    wait_for_title(&browser, "Messages");
    let invitations = rows_of(&browser, "Invitation");
    browser.goto(&site.url("/editions/ws"));
    wait_for_title(&browser, "Promotion d’essai");

    // Postpone the seminar to a Wednesday ten weeks on.
    let mut new_day = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(70))
        .expect("a date");
    while new_day.weekday() != jiff::civil::Weekday::Wednesday {
        new_day = new_day.tomorrow().expect("a date");
    }
    let before = events(dir.path());
    follow(&browser, &card("Séminaire de lancement"), "Reporter");
    wait_for_title(&browser, "Reporter");
    let text = browser.text();
    assert!(text.contains("Séminaire de lancement"), "{text}");
    check(&browser, "ws-postpone-form");
    type_date(&browser, "start", new_day);
    type_date(&browser, "due", new_day);
    type_into(&browser, "reason", "Salle indisponible");
    press(&browser, "Voir ce qui sera envoyé");
    wait_for(&browser, "//h2[normalize-space()='Ce qui change']");
    let text = browser.text();
    assert!(text.contains("Séminaire de lancement\u{a0}:"), "{text}");
    let new_date = new_day.strftime("%d/%m/%Y").to_string();
    assert!(text.contains(&format!("→ {new_date}")), "{text}");
    assert!(
        text.contains("Motif\u{a0}: «\u{a0}Salle indisponible\u{a0}»"),
        "{text}"
    );
    assert!(
        text.contains("Invitation\u{a0}: Séminaire de lancement"),
        "{text}"
    );
    assert_eq!(events(dir.path()), before, "a preview records nothing");
    check(&browser, "ws-postpone-preview");
    press(&browser, "Confirmer");
    wait_for(&browser, "//h2[normalize-space()='Étapes']");
    assert_eq!(path(&browser), "/editions/ws");
    let text = browser.text();
    // A one-day seminar: « le 10/02/2027 ».
    assert!(text.contains(&format!("le {new_date}")), "{text}");
    let last = events(dir.path()).pop().expect("an event");
    assert!(
        last.contains("postpone") && last.contains("ana") && last.contains("web"),
        "{last}"
    );

    // The new invitation waits in the outbox.
    follow(&browser, "//main", "Messages");
    wait_for_title(&browser, "Messages");
    assert_eq!(path(&browser), "/editions/ws/messages");
    assert!(
        rows_of(&browser, "Invitation") > invitations,
        "a new invitation: {}",
        browser.text()
    );
    check(&browser, "ws-messages");
    // The newest first: the invitation just queued.
    click(&browser, "(//main//tr)[2]//a[starts-with(., 'Invitation')]");
    wait_for_title(&browser, "Invitation");
    let text = browser.text();
    assert!(text.contains("Séminaire de lancement"), "{text}");
    check(&browser, "ws-message");

    // The audit trail tells it, by Ana through the web.
    follow(&browser, "//main", "Messages");
    wait_for_title(&browser, "Messages");
    follow(&browser, "//main", "Promotion d’essai");
    wait_for_title(&browser, "Promotion d’essai");
    follow(&browser, "//main", "Journal");
    wait_for_title(&browser, "Journal");
    let first = browser.execute(
        "return document.querySelectorAll('main tr')[1].innerText;",
        vec![],
    );
    let first = first.as_str().expect("a row");
    for expected in ["Ana Martin", "Reporter", "Salle indisponible", "espace web"] {
        assert!(first.contains(expected), "{expected}: {first}");
    }
    check(&browser, "ws-journal");
}

#[test]
fn a_validator_approves_a_roadmap_and_asks_for_changes_to_another() {
    let dir = workplace();
    for participant in ["atelier", "brico"] {
        jalon(dir.path(), "complete", "feuille", participant, "ana");
    }
    let site = Site::start(dir.path());
    let browser = Browser::start();
    browser.set_width(WIDTHS[0]);
    sign_in(&browser, &site.url(&printed_link(dir.path(), "vera")));
    let text = browser.text();
    assert!(text.contains("Bonjour Véra Valide"), "{text}");
    check(&browser, "ws-home-validation");

    // Approve Atelier's roadmap: link, form, preview, confirmation.
    let before = events(dir.path());
    let atelier = card("Feuille de route — Atelier");
    follow(&browser, &atelier, "Valider");
    wait_for_title(&browser, "Valider");
    check(&browser, "ws-approve-form");
    type_into(&browser, "comment", "Claire et complète.");
    press(&browser, "Voir ce qui sera envoyé");
    wait_for(&browser, "//p[contains(., 'rien n’est encore enregistré')]");
    check(&browser, "ws-approve-preview");
    assert_eq!(events(dir.path()), before, "a preview records nothing");
    press(&browser, "Confirmer");
    wait_for(&browser, "//h2[normalize-space()='Ce qui vous attend']");
    assert_eq!(path(&browser), "/");
    let after = events(dir.path());
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    let last = after.last().expect("an event");
    assert!(
        last.contains("approve") && last.contains("vera") && last.contains("via web"),
        "{last}"
    );
    let text = browser.text();
    assert!(!text.contains("Feuille de route — Atelier"), "{text}");

    // Ask for changes to Brico's: the comment is needed.
    follow(
        &browser,
        &card("Feuille de route — Brico"),
        "Demander des modifications",
    );
    wait_for_title(&browser, "Demander des modifications");
    check(&browser, "ws-refuse-form");
    type_into(&browser, "comment", "Il manque le budget prévisionnel.");
    press(&browser, "Voir ce qui sera envoyé");
    wait_for(&browser, "//p[contains(., 'rien n’est encore enregistré')]");
    let text = browser.text();
    assert!(
        text.contains("Modifications demandées\u{a0}: Feuille de route"),
        "{text}"
    );
    check(&browser, "ws-refuse-preview");
    press(&browser, "Confirmer");
    wait_for(&browser, "//h2[normalize-space()='Ce qui vous attend']");
    let last = events(dir.path()).pop().expect("an event");
    assert!(last.contains("refuse") && last.contains("vera"), "{last}");

    // Approving what is approved already: refused, with the reason.
    let count = events(dir.path()).len();
    browser.goto(&site.url("/editions/ws/actions/approve?stage=feuille&participant=atelier"));
    wait_for_title(&browser, "Valider");
    press(&browser, "Voir ce qui sera envoyé");
    wait_for(&browser, "//p[contains(., 'Non enregistré')]");
    assert_eq!(status(&browser), 409);
    // The reason names the roadmap as the pages do, not by its ids.
    let text = browser.text();
    assert!(
        text.contains("Non enregistré\u{a0}: «\u{a0}Feuille de route — Atelier"),
        "{text}"
    );
    assert!(!text.contains("feuille for atelier"), "{text}");
    check(&browser, "ws-refused");
    assert_eq!(events(dir.path()).len(), count, "nothing recorded");
}

#[test]
fn a_laureates_contact_opens_their_own_page_and_not_the_others() {
    let dir = workplace();
    let site = Site::start(dir.path());
    let browser = Browser::start();
    browser.set_width(WIDTHS[0]);
    sign_in(
        &browser,
        &site.url(&printed_link(dir.path(), "lea@example.org")),
    );
    let text = browser.text();
    assert!(text.contains("Bonjour Léa Lauréate"), "{text}");
    assert!(text.contains("Feuille de route"), "{text}");
    check(&browser, "ws-home-laureate");

    browser.goto(&site.url("/editions/ws/participants/brico"));
    wait_for_title(&browser, "Page introuvable");
    assert_eq!(status(&browser), 404);
    let text = browser.text();
    assert!(!text.contains("Brico"), "{text}");
    check(&browser, "ws-not-found");

    follow(&browser, "//main", "Accueil");
    wait_for(&browser, "//h2[normalize-space()='Ce qui vous attend']");
    follow(&browser, "//main", "Atelier <b>&amp; Cie</b>");
    wait_for_title(&browser, "Atelier <b>&amp; Cie</b>");
    assert_eq!(status(&browser), 200);
    assert_eq!(path(&browser), "/editions/ws/participants/atelier");
    let text = browser.text();
    assert!(text.contains("Feuille de route"), "{text}");
    check(&browser, "ws-participant-contact");
}

/// `workspace.rs`'s edition with two more stages done for each laureate:
/// a review with an indicator, and a decision with two outcomes.
fn richer_definition() -> String {
    let stages = "  - id: bilan
    kind: task
    title: Bilan à mi-parcours
    owners: [coordination]
    for_each: laureate
    start: edition.start
    due: start + 45 days
    indicators:
      - {id: personnes, objective: Accompagner des personnes, indicator: Personnes accompagnées, target: 40 personnes}
  - id: suite
    kind: scale_up_decision
    title: Décision de suite
    owners: [coordination]
    for_each: laureate
    start: edition.start
    due: start + 120 days
    outcomes:
      - {id: essaimer, title: Essaimer dans un autre territoire, leads_to: []}
      - {id: arreter, title: Arrêter l’expérimentation, leads_to: []}
templates:
  - id: decision
    subject: \"Décision\u{a0}: {{ stage }}\"
    body: \"La décision est prise.\"
";
    // Dina reads French here, as every page of this test is checked for
    // French typography (her English workspace is `workspace.rs`'s).
    let french = definition("lea@example.org").replacen(", language: en}", "}", 1);
    assert!(!french.contains("language: en"));
    french.replacen("templates:\n", stages, 1).replacen(
        "messages:\n",
        "messages:\n  decision_notice: decision\n",
        1,
    )
}

#[test]
fn every_other_page_fits_a_phone_and_a_laptop() {
    let dir = workplace();
    std::fs::write(dir.path().join("definitions/ws.yaml"), richer_definition()).expect("written");
    jalon(dir.path(), "complete", "feuille", "brico", "ana");
    let site = Site::start(dir.path());
    let browser = Browser::start();
    browser.set_width(WIDTHS[0]);

    // A person with no part: signed in, nothing to see.
    let dina = printed_link(dir.path(), "dina");
    sign_in(&browser, &site.url(&dina));
    let text = browser.text();
    assert!(text.contains("Rien ne vous attend"), "{text}");
    check(&browser, "ws-home-nobody");
    press(&browser, "Se déconnecter");
    wait_for_title(&browser, "Connexion");
    // The link served once.
    browser.goto(&site.url(&dina));
    press(&browser, "Me connecter");
    wait_for_title(&browser, "Lien déjà utilisé");
    assert_eq!(status(&browser), 410);
    check(&browser, "ws-link-used");
    // A form whose cookie is gone (expired, or another browser's).
    browser.goto(&site.url("/connexion"));
    wait_for_title(&browser, "Connexion");
    browser
        .block_on(browser.client().delete_all_cookies())
        .expect("cookies deleted");
    type_into(&browser, "email", "dina@example.org");
    press(&browser, "Recevoir le lien");
    wait_for_title(&browser, "Formulaire expiré");
    assert_eq!(status(&browser), 403);
    check(&browser, "ws-form-expired");

    // The coordinator's participant page and each kind of action form.
    sign_in(&browser, &site.url(&printed_link(dir.path(), "ana")));
    browser.goto(&site.url("/editions/ws/participants/brico"));
    wait_for_title(&browser, "Brico Solidaire");
    let text = browser.text();
    for expected in [
        "Bilan à mi-parcours",
        "Décision de suite",
        "Personnes accompagnées",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // Brico's roadmap awaits Véra: the coordinator may postpone it, not
    // answer for her (the engine would refuse).
    let offered = browser.execute(
        "return Array.from(document.querySelectorAll('main .actions a'))
           .map(a => a.innerText.trim());",
        vec![],
    );
    let offered: Vec<String> = serde_json::from_value(offered).expect("labels");
    assert!(offered.contains(&"Reporter".to_owned()), "{offered:?}");
    assert!(
        !offered
            .iter()
            .any(|o| o == "Valider" || o == "Demander des modifications"),
        "{offered:?}"
    );
    check(&browser, "ws-participant");
    let forms = [
        ("complete", "Feuille de route", "Marquer comme fait"),
        ("decide", "Décision de suite", "Décider"),
        ("record", "Bilan à mi-parcours", "Relever un indicateur"),
    ];
    for (verb, stage, label) in forms {
        browser.goto(&site.url("/editions/ws/participants/atelier"));
        wait_for_title(&browser, "Atelier");
        follow(&browser, &card(stage), label);
        wait_for_title(&browser, label);
        assert!(
            path(&browser).ends_with(&format!("/actions/{verb}")),
            "{}",
            path(&browser)
        );
        check(&browser, &format!("ws-{verb}-form"));
    }
    // A decision's preview: the announcement to the laureate.
    browser.goto(&site.url("/editions/ws/actions/decide?stage=suite&participant=atelier"));
    wait_for_title(&browser, "Décider");
    let outcome = browser
        .block_on(browser.client().find(Locator::Id("outcome")))
        .expect("the outcome field");
    browser
        .block_on(outcome.select_by_label("Essaimer dans un autre territoire"))
        .expect("an outcome chosen");
    press(&browser, "Voir ce qui sera envoyé");
    wait_for(&browser, "//p[contains(., 'rien n’est encore enregistré')]");
    check(&browser, "ws-decide-preview");

    browser.goto(&site.url("/editions/ws/participants/atelier"));
    wait_for_title(&browser, "Atelier");
    follow(&browser, "//main", "Retirer du programme");
    wait_for_title(&browser, "Retirer du programme");
    check(&browser, "ws-withdraw-form");

    // The edition's own actions: void, then close.
    browser.goto(&site.url("/editions/ws"));
    wait_for_title(&browser, "Promotion d’essai");
    follow(&browser, "//main", "Annuler un enregistrement");
    wait_for_title(&browser, "Annuler un enregistrement");
    check(&browser, "ws-void-form");
    // A number that is none: the form again, saying what is wrong.
    type_into(&browser, "seq", "le premier");
    type_into(&browser, "reason", "Erreur de saisie");
    press(&browser, "Voir ce qui sera envoyé");
    wait_for(&browser, "//p[@role='alert']");
    assert_eq!(status(&browser), 422);
    check(&browser, "ws-form-error");

    browser.goto(&site.url("/editions/ws"));
    wait_for_title(&browser, "Promotion d’essai");
    follow(&browser, "//main", "Clore l’édition");
    wait_for_title(&browser, "Clore l’édition");
    check(&browser, "ws-close-form");
    type_into(&browser, "reason", "Fin du programme");
    press(&browser, "Voir ce qui sera envoyé");
    wait_for(&browser, "//p[contains(., 'rien n’est encore enregistré')]");
    check(&browser, "ws-close-preview");
    press(&browser, "Confirmer");
    wait_for(&browser, "//strong[contains(., 'Édition close')]");
    assert_eq!(path(&browser), "/editions/ws");
    check(&browser, "ws-edition-closed");
}

/// Chooses the file at `path` in the file field whose id is `id`, as a
/// person picking it would.
fn choose_file(browser: &Browser, id: &str, path: &Path) {
    type_into(browser, id, &path.display().to_string());
}

#[test]
fn a_laureate_hands_in_a_pdf_from_the_email_and_the_validator_opens_it() {
    let dir = crate::hand_in::workplace();
    let site = Site::start(dir.path());
    let browser = Browser::start();
    let opening = crate::hand_in::emails(dir.path(), "lea@example.org", "Ouverture", 1);
    let link = crate::hand_in::path_in(&opening[0], "/r/");

    // The laureate opens the link from their email, on a phone.
    browser.goto(&site.url(&link));
    wait_for_title(&browser, "Rendre «\u{a0}Feuille de route\u{a0}»");
    check(&browser, "ws-hand-in");
    let roadmap = dir.path().join("feuille-atelier.pdf");
    std::fs::write(&roadmap, crate::hand_in::PDF).expect("written");
    choose_file(&browser, "file-feuille", &roadmap);
    type_into(&browser, "comment", "Version relue avec la direction.");
    press(&browser, "Rendre");
    wait_for_title(&browser, "Travail remis");
    check(&browser, "ws-hand-in-done");
    let text = browser.text();
    assert!(text.contains("feuille-atelier.pdf"), "{text}");
    assert!(text.contains("informées par email"), "{text}");
    let log = crate::hand_in::events(dir.path());
    assert!(log.len() == 1 && log[0].contains("complete"), "{log:?}");

    // The validator opens the request's link: the document is there, as
    // a download of the very bytes handed in.
    let request = crate::hand_in::emails(dir.path(), "vera@example.org", "À valider", 1);
    let approve = crate::hand_in::path_in(&request[0], "?answer=approve");
    browser.goto(&site.url(&approve));
    wait_for(&browser, "//a[contains(., 'feuille-atelier.pdf')]");
    check(&browser, "ws-validation-with-document");
    let href = browser.execute(
        "return document.querySelector('a[href*=\"/documents/\"]').href;",
        vec![],
    );
    let href = href.as_str().expect("a download link").to_owned();
    let path = href
        .strip_prefix(&site.base)
        .expect("on the site")
        .to_owned();
    let address = site.base.trim_start_matches("http://").to_owned();
    let file = crate::support::http::request_bytes(&address, "GET", &path, &[], &[]);
    assert_eq!(file.body, crate::hand_in::PDF);
    assert!(file
        .header("content-disposition")
        .is_some_and(|d| d.starts_with("attachment")));

    // And asks for changes from the same page.
    type_into(&browser, "comment", "Il manque le budget.");
    press(&browser, "Demander des modifications");
    wait_for(&browser, "//p[contains(., 'Merci')]");
    let log = crate::hand_in::events(dir.path());
    assert!(log.len() == 2 && log[1].contains("refuse"), "{log:?}");
}

#[test]
fn a_juror_scores_on_a_phone_and_the_coordination_reads_the_ranking() {
    let dir = crate::jury::workplace();
    let site = Site::start(dir.path());
    let browser = Browser::start();
    let output = Jalon::new()
        .current_dir(dir.path())
        .args(["login-link", "jy", "jean", "--public-url", &site.base])
        .run();
    output.succeeds();
    sign_in(&browser, output.stdout().lines().next().expect("a link"));
    follow(&browser, "//main", "Notes du jury");
    wait_for_title(&browser, "Jury de sélection");
    check(&browser, "ws-jury-juror");
    type_into(&browser, "s-alpha-impact", "4");
    type_into(&browser, "s-alpha-equipe", "5");
    type_into(&browser, "comment-alpha", "Projet solide");
    click(
        &browser,
        "//li[@id='c-alpha']//button[normalize-space()='Enregistrer ma note']",
    );
    wait_for(
        &browser,
        "//li[@id='c-alpha']//button[normalize-space()='Modifier ma note']",
    );
    let log = crate::jury::events(dir.path());
    assert!(log.len() == 1 && log[0].contains("score"), "{log:?}");

    let output = Jalon::new()
        .current_dir(dir.path())
        .args(["login-link", "jy", "ana", "--public-url", &site.base])
        .run();
    output.succeeds();
    press(&browser, "Se déconnecter");
    wait_for_title(&browser, "Connexion");
    sign_in(&browser, output.stdout().lines().next().expect("a link"));
    browser.goto(&site.url("/editions/jy/jury/jury"));
    wait_for(&browser, "//h2[normalize-space()='Classement']");
    check(&browser, "ws-jury-ranking");
}

/// Empties the field whose id is `id`, then types `text` into it.
fn replace_in(browser: &Browser, id: &str, text: &str) {
    let field = browser
        .block_on(browser.client().find(Locator::Id(id)))
        .unwrap_or_else(|e| panic!("no field #{id}: {e}\nthe page says:\n{}", browser.text()));
    browser
        .block_on(field.clear())
        .unwrap_or_else(|e| panic!("cannot empty #{id}: {e}"));
    type_into(browser, id, text);
}

#[test]
fn an_applicant_applies_on_a_phone_corrects_a_field_and_changes_their_application() {
    let dir = crate::call::workplace();
    let site = Site::start(dir.path());
    let browser = Browser::start();

    // The public form, as a phone shows it.
    browser.goto(&site.url("/candidater/ap"));
    wait_for_title(&browser, "Candidater à «\u{a0}Appel d’essai\u{a0}»");
    check(&browser, "call-form");
    type_into(&browser, "name", "Répit du samedi");
    type_into(&browser, "organisation", "Association Répit");
    type_into(
        &browser,
        "description",
        "Des bénévoles relaient les proches aidants le samedi.",
    );
    type_into(&browser, "theme", "Proches aidants");
    type_into(&browser, "q-effectif", "douze");
    type_into(&browser, "contact_name", "Zoé Porteuse");
    type_into(&browser, "contact_email", "zoe@example.org");
    press(&browser, "Envoyer ma candidature");

    // One wrong answer: said at the top and beside the field, the rest kept.
    wait_for(&browser, "//p[@id='q-effectif-error']");
    check(&browser, "call-form-error");
    let text = browser.text();
    assert!(text.contains("Le formulaire contient une erreur"), "{text}");
    assert!(crate::call::events(dir.path()).is_empty());
    replace_in(&browser, "q-effectif", "12");
    press(&browser, "Envoyer ma candidature");
    wait_for_title(&browser, "Candidature enregistrée");
    check(&browser, "call-received");
    assert!(browser.text().contains("zoe@example.org"));
    let log = crate::call::events(dir.path());
    assert!(log.len() == 1 && log[0].contains("apply"), "{log:?}");

    // From the confirmation's link: the application, to change.
    let confirmation =
        crate::hand_in::emails(dir.path(), "zoe@example.org", "Candidature reçue", 1);
    let own = crate::hand_in::path_in(&confirmation[0], "/a/");
    browser.goto(&site.url(&own));
    wait_for_title(&browser, "Votre candidature");
    check(&browser, "call-own");
    replace_in(
        &browser,
        "description",
        "Des bénévoles relaient les proches aidants le samedi et le mercredi.",
    );
    press(&browser, "Enregistrer les modifications");
    wait_for_title(&browser, "Candidature modifiée");
    let log = crate::call::events(dir.path());
    assert!(log.len() == 2 && log[1].contains("amend"), "{log:?}");
}
