//! A validation link opened in a real browser: the page fits a phone and a
//! laptop, axe-core finds nothing serious on it, and its approve button
//! records the approval. The edition and the daemon are those of `links.rs`.

use fantoccini::Locator;

use crate::browser::{report, Browser};
use crate::links::{events, link_to, page_of, start, workplace};

/// A phone's width (CSS pixels), then a laptop's.
const WIDTHS: [u32; 2] = [412, 1280];

/// At each width: no sideways scrolling, no serious or critical axe-core
/// violation, and a screenshot `{name}-{width}.png` to look at.
fn check_page(browser: &Browser, name: &str) {
    for width in WIDTHS {
        let shot = browser.screenshot(name, width);
        browser.no_horizontal_scroll();
        let violations = browser.axe();
        assert!(
            violations.is_empty(),
            "axe-core on {name} at {width} px (screenshot: {}):\n{}",
            shot.display(),
            report(&violations)
        );
    }
}

#[test]
fn a_validation_link_works_in_chromium_on_a_phone_and_a_laptop() {
    let dir = workplace();
    let daemon = start(dir.path());
    let link = link_to(dir.path(), "vera@example.org", "approve");
    let before = events(dir.path());
    let browser = Browser::start();

    browser.goto(&format!("http://{}{link}", daemon.address()));
    let text = browser.text();
    assert!(text.contains("Diagnostic des besoins"), "{text}");
    assert!(text.contains("Véra <Valide>"), "{text}");
    check_page(&browser, "link-form");
    assert_eq!(
        events(dir.path()),
        before,
        "opening the page recorded nothing"
    );

    // Approve, as a person would: the button, then the page it leads to.
    let client = browser.client();
    let button = browser
        .block_on(client.find(Locator::Css("button[value=\"approve\"]")))
        .expect("the approve button");
    browser
        .block_on(button.click())
        .expect("the approve button clicks");
    browser
        .block_on(
            client
                .wait()
                .for_element(Locator::XPath("//p[contains(., 'Merci, Véra <Valide>')]")),
        )
        .expect("the confirmation page");
    let url = browser.block_on(client.current_url()).expect("its address");
    assert_eq!(
        url.path(),
        page_of(&link),
        "the form posts back to its page"
    );
    let text = browser.text();
    assert!(text.contains("Réponse enregistrée"), "{text}");
    check_page(&browser, "link-recorded");

    // Recorded once, as Véra's approval through the link.
    let after = events(dir.path());
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    let line = after.last().expect("an event");
    assert!(
        line.contains("approve") && line.contains("vera") && line.contains("via link"),
        "{line}"
    );
    let conn = rusqlite::Connection::open(dir.path().join("jalon.db")).expect("the database");
    let (actor, channel): (String, String) = conn
        .query_row(
            "SELECT actor, channel FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("the last event");
    assert_eq!(channel, "link");
    assert!(actor.contains("vera"), "{actor}");
}
