//! The timeline on real states (definitions checked as the daemon checks
//! them, events applied by the core), read back with an XML parser of its
//! own: what a browser would draw, not what the code meant to write.
//!
//! The timeline is HTML to put in a page: a scrolling box holding the
//! rows' names (one `<svg>`) and the chart (another), then the legend as a
//! list. It is written as XHTML-compatible markup, so the tests read it
//! whole, in an element of their own.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jalon_core::{Channel, Event, EventKind, State};
use jalon_daemon::timeline::{
    timeline, DAY_WIDTH, HEADER_HEIGHT, LABEL_WIDTH, MAX_ROWS_PER_STAGE, ROW_HEIGHT,
};
use jalon_definition::resolved::{Edition, Language};
use jalon_definition::{check_paths, Limits};
use jiff::civil::{date, Date, Time};
use jiff::Timestamp;
use roxmltree::{Document, Node};

const LATE_RED: &str = "#b91c1c";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A definition checked in full, as the daemon loads it.
fn checked(path: &Path, limits: &Limits) -> Arc<Edition> {
    let report = check_paths(&[path.to_path_buf()], limits).expect("readable");
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let (_, edition) = report.editions.into_iter().next().expect("an edition");
    Arc::new(edition)
}

fn at(edition: &Edition, day: Date, hour: i8) -> Timestamp {
    jalon_core::time::local(&edition.time_zone, day, Time::constant(hour, 0, 0, 0))
}

fn event(at: Timestamp, by: &str, kind: EventKind) -> Event {
    Event {
        at,
        by: by.into(),
        channel: Channel::Cli,
        kind,
    }
}

fn apply(state: &mut State, event: Event) {
    let what = format!("{event:?}");
    state
        .apply(&event)
        .unwrap_or_else(|e| panic!("{what} refused: {e}"));
}

/// The small edition of the tests: the fixture `base.yaml` with three
/// laureates (one named like markup, one with a long name), a candidate,
/// and a two-day seminar.
fn small(dir: &Path) -> Arc<Edition> {
    let base = std::fs::read_to_string(repo().join("tests/fixtures/base.yaml")).expect("base");
    let participants_start = base.find("participants:").expect("participants");
    let stages_start = base.find("stages:").expect("stages");
    let participants = "participants:
  - {id: p1, name: \"<b>&\", status: laureate, theme: seniors, contact: {name: Un, email: un@example.org}}
  - {id: p2, name: Deux, status: laureate, theme: seniors, contact: {name: Deux, email: deux@example.org}}
  - {id: p3, name: \"Association pour l’accompagnement des proches aidants du Vexin français\", status: laureate, theme: seniors, contact: {name: Trois, email: trois@example.org}}
  - {id: p4, name: Quatre, theme: seniors, contact: {name: Quatre, email: quatre@example.org}}
";
    let seminar = "  - id: seminaire
    kind: seminar
    title: Séminaire de lancement
    owners: [coordination]
    start: 2025-04-14
    due: start + 1 day
    events:
      - {id: lancement, title: Séminaire de lancement, date: start, time: \"09:30\", duration: 2 days}
";
    let templates = base.find("templates:").expect("templates");
    let yaml = format!(
        "{}{participants}{}{seminar}{}",
        &base[..participants_start],
        &base[stages_start..templates],
        &base[templates..]
    );
    let path = dir.join("small.yaml");
    std::fs::write(&path, yaml).expect("written");
    checked(&path, &Limits::default())
}

/// The small edition on 10 March 2025: the diagnosis done on 22 January,
/// the short-list (due 18 February) and the jury not done, so late; the
/// decision postponed for « Deux » only.
fn small_state(dir: &Path) -> (State, Timestamp) {
    let edition = small(dir);
    let mut state = State::new(edition.clone());
    let complete = EventKind::Complete {
        stage: "diagnostic".into(),
        participant: None,
        comment: None,
        documents: Vec::new(),
    };
    apply(
        &mut state,
        event(at(&edition, date(2025, 1, 20), 10), "ana", complete),
    );
    let approve = EventKind::Approve {
        stage: "diagnostic".into(),
        participant: None,
        comment: None,
    };
    apply(
        &mut state,
        event(at(&edition, date(2025, 1, 22), 10), "ana", approve),
    );
    let postpone = EventKind::Postpone {
        stage: "decision".into(),
        participant: Some("p2".into()),
        start: Some(date(2025, 4, 1)),
        due: Some(date(2025, 4, 15)),
        reason: Some("absents".into()),
    };
    apply(
        &mut state,
        event(at(&edition, date(2025, 3, 3), 10), "ana", postpone),
    );
    (state, at(&edition, date(2025, 3, 10), 10))
}

const SVG: &str = "http://www.w3.org/2000/svg";

/// The timeline's markup in an element of the test's own (it is a
/// fragment of a page: the box, then the legend).
fn wrap(html: &str) -> String {
    format!("<fragment>{html}</fragment>")
}

fn parse(xml: &str) -> Document<'_> {
    Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{xml}"))
}

/// The `<svg>` of the given class: `timeline-chart` or `timeline-labels`.
fn svg<'a, 'i>(doc: &'a Document<'i>, class: &str) -> Node<'a, 'i> {
    let found: Vec<_> = with_class(doc, class)
        .into_iter()
        .filter(|n| n.has_tag_name((SVG, "svg")))
        .collect();
    assert_eq!(found.len(), 1, "one <svg class=\"{class}\">");
    found[0]
}

fn chart<'a, 'i>(doc: &'a Document<'i>) -> Node<'a, 'i> {
    svg(doc, "timeline-chart")
}

fn names<'a, 'i>(doc: &'a Document<'i>) -> Node<'a, 'i> {
    svg(doc, "timeline-labels")
}

/// The name drawn for a row of the chart: the one label of the names'
/// `<svg>` on the same line (the chart's rows and groups, in order, each
/// `ROW_HEIGHT` high under the header).
fn label_of<'a, 'i>(doc: &'a Document<'i>, row: Node<'a, 'i>) -> Node<'a, 'i> {
    let line = chart(doc)
        .children()
        .filter(|n| n.has_tag_name((SVG, "g")) && (class_has(*n, "row") || class_has(*n, "group")))
        .position(|n| n == row)
        .expect("a row of the chart");
    let top = HEADER_HEIGHT + line as f64 * ROW_HEIGHT;
    let labels: Vec<_> = child_with_class(names(doc), "label")
        .into_iter()
        .filter(|l| (top..top + ROW_HEIGHT).contains(&number(*l, "y")))
        .collect();
    assert_eq!(labels.len(), 1, "one name on line {line}");
    labels[0]
}

fn class_has(node: Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

fn with_class<'a, 'i>(doc: &'a Document<'i>, class: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| n.is_element() && class_has(*n, class))
        .collect()
}

fn number(node: Node<'_, '_>, attribute: &str) -> f64 {
    node.attribute(attribute)
        .unwrap_or_else(|| panic!("no {attribute} on {node:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("{attribute} of {node:?}: {e}"))
}

/// The text of an element, its `<title>` left out.
fn own_text(node: Node<'_, '_>) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

/// A row by what its tooltip starts with (`Stage` or `Stage — name`).
fn row<'a, 'i>(doc: &'a Document<'i>, name: &str) -> Node<'a, 'i> {
    let rows: Vec<_> = with_class(doc, "row")
        .into_iter()
        .filter(|r| {
            r.children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .is_some_and(|t| t.starts_with(&format!("{name} — ")))
        })
        .collect();
    assert_eq!(rows.len(), 1, "rows named {name}");
    rows[0]
}

fn child_with_class<'a, 'i>(node: Node<'a, 'i>, class: &str) -> Vec<Node<'a, 'i>> {
    node.descendants()
        .filter(|n| n.is_element() && class_has(*n, class))
        .collect()
}

/// Where a day starts on the axis, the axis starting on the first of the
/// edition's first month.
fn x_of(edition: &Edition, day: Date) -> f64 {
    let origin = edition.start.first_of_month();
    let days = origin.until(day).expect("a span").get_days();
    LABEL_WIDTH + f64::from(days) * DAY_WIDTH
}

#[test]
fn the_small_edition_row_by_row() {
    let dir = tempfile::tempdir().expect("a folder");
    let (state, now) = small_state(dir.path());
    let edition = state.edition();
    let html = wrap(&timeline(&state, now, Language::Fr));
    let doc = parse(&html);

    // A box that scrolls, reached by the keyboard and named, holding the
    // names and the chart; then the legend.
    let parts: Vec<Node<'_, '_>> = doc
        .root_element()
        .children()
        .filter(|n| n.is_element())
        .collect();
    assert_eq!(parts.len(), 2, "the box, then the legend");
    let (region, legend) = (parts[0], parts[1]);
    assert!(region.has_tag_name("div") && class_has(region, "timeline"));
    assert_eq!(region.attribute("role"), Some("region"));
    assert_eq!(region.attribute("tabindex"), Some("0"));
    assert_eq!(
        region.attribute("aria-label"),
        Some("Calendrier de l’édition «\u{a0}Édition de test\u{a0}»")
    );
    assert!(legend.has_tag_name("ul") && class_has(legend, "legend"));
    let (names, root) = (names(&doc), chart(&doc));
    assert_eq!(
        names.next_sibling_element(),
        Some(root),
        "the names, then the chart, in one box"
    );
    assert!(names.ancestors().any(|a| a == region));
    assert_eq!(names.attribute("aria-hidden"), Some("true"));

    // A fixed size in pixels: the box scrolls the chart, not the page.
    // The names take the axis' left column, the chart the rest, on the
    // same rows.
    let width = number(root, "width");
    let height = number(root, "height");
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("{LABEL_WIDTH} 0 {width} {height}").as_str())
    );
    assert!(
        width > 1000.0,
        "a year at {DAY_WIDTH} px a day, not squeezed: {width}"
    );
    assert_eq!(number(names, "width"), LABEL_WIDTH);
    assert_eq!(number(names, "height"), height);
    assert_eq!(
        names.attribute("viewBox"),
        Some(format!("0 0 {LABEL_WIDTH} {height}").as_str())
    );

    // An accessible image named by its title and described.
    assert_eq!(root.attribute("role"), Some("img"));
    let labelled: Vec<&str> = root
        .attribute("aria-labelledby")
        .expect("aria-labelledby")
        .split_whitespace()
        .collect();
    assert_eq!(labelled.len(), 2);
    let title = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(labelled[0]))
        .expect("the title");
    assert!(title.has_tag_name("title"));
    assert_eq!(
        title.text(),
        Some("Calendrier de l’édition «\u{a0}Édition de test\u{a0}»")
    );
    let desc = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(labelled[1]))
        .expect("the description");
    assert!(desc.has_tag_name("desc"));
    let desc = desc.text().expect("a description");
    assert!(
        desc.contains("6 étapes, 2 en retard."),
        "counts in the description: {desc}"
    );
    assert!(desc.contains("Aujourd’hui\u{a0}: 10/03/2025."), "{desc}");
    assert!(
        desc.contains("En retard\u{a0}: Short-list\u{a0}; Jury."),
        "{desc}"
    );

    // One row per edition-wide stage and per participant's instance,
    // under a group per stage done for each laureate; ids never shown.
    assert_eq!(with_class(&doc, "row").len(), 4 + 2 * 3);
    let groups: Vec<String> = child_with_class(root, "group")
        .into_iter()
        .map(|g| own_text(label_of(&doc, g)))
        .collect();
    assert_eq!(groups, ["Décision", "Convention"]);
    assert_eq!(
        own_text(label_of(&doc, row(&doc, "Décision — Deux"))),
        "Deux"
    );
    assert_eq!(
        own_text(label_of(&doc, row(&doc, "Diagnostic"))),
        "Diagnostic"
    );
    for id in ["diagnostic", "shortlist", "p2", "p3"] {
        assert!(
            !doc.descendants()
                .filter(|n| n.is_text())
                .any(|n| n.text() == Some(id)),
            "the id {id} is shown"
        );
    }

    // Late: red, and a mark and a word that are not colour.
    for name in ["Short-list", "Jury"] {
        let late = row(&doc, name);
        assert!(class_has(late, "late"));
        let bar = child_with_class(late, "bar")[0];
        assert_eq!(bar.attribute("fill"), Some(LATE_RED));
        let mark = child_with_class(late, "late-mark");
        assert_eq!(mark.len(), 1, "{name}");
        assert!(mark[0]
            .descendants()
            .any(|n| n.has_tag_name("circle") && n.attribute("fill") == Some(LATE_RED)));
        let words: Vec<String> = mark[0]
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(own_text)
            .collect();
        assert_eq!(words, ["!", "en retard"]);
        // The name said late too, in bold red.
        let label = label_of(&doc, late);
        assert_eq!(own_text(label), name);
        assert_eq!(label.attribute("fill"), Some(LATE_RED));
        assert_eq!(label.attribute("font-weight"), Some("bold"));
    }
    assert!(child_with_class(row(&doc, "Diagnostic"), "late-mark").is_empty());

    // Done on 22 January: a check on that day, and the validators' lead
    // time hatched before the due date.
    let diagnostic = row(&doc, "Diagnostic");
    let check = child_with_class(diagnostic, "done-mark");
    assert_eq!(check.len(), 1);
    let d = check[0].attribute("d").expect("a path");
    let expected = x_of(edition, date(2025, 1, 22)) + DAY_WIDTH / 2.0 - 4.0;
    assert!(d.starts_with(&format!("M{expected} ")), "{d}");
    let stage = &edition.stages[0];
    let lead = child_with_class(diagnostic, "lead");
    assert_eq!(lead.len(), 1);
    let submit_by = edition
        .calendar
        .add_working_days(stage.due, -5)
        .expect("a date");
    assert_eq!(number(lead[0], "x"), x_of(edition, submit_by) + DAY_WIDTH);
    assert_eq!(
        number(lead[0], "x") + number(lead[0], "width"),
        x_of(edition, stage.due) + DAY_WIDTH
    );

    // Postponed for « Deux » only: the planned window outlined where the
    // definition put it, the bar where it stands now.
    let decision = &edition.stages[3];
    let moved = row(&doc, "Décision — Deux");
    let planned = child_with_class(moved, "planned");
    assert_eq!(planned.len(), 1);
    assert_eq!(number(planned[0], "x"), x_of(edition, decision.start));
    assert_eq!(
        number(planned[0], "width"),
        x_of(edition, decision.due) + DAY_WIDTH - x_of(edition, decision.start)
    );
    let bar = child_with_class(moved, "bar")[0];
    assert_eq!(number(bar, "x"), x_of(edition, date(2025, 4, 1)));
    assert_eq!(
        number(bar, "width"),
        x_of(edition, date(2025, 4, 15)) + DAY_WIDTH - x_of(edition, date(2025, 4, 1))
    );
    let unmoved = row(&doc, "Décision — <b>&");
    assert!(child_with_class(unmoved, "planned").is_empty());
    assert_eq!(
        number(child_with_class(unmoved, "bar")[0], "x"),
        x_of(edition, decision.start)
    );

    // The seminar's two days: one diamond in their middle.
    let seminar = row(&doc, "Séminaire de lancement");
    let diamond = child_with_class(seminar, "event");
    assert_eq!(diamond.len(), 1);
    let middle = x_of(edition, date(2025, 4, 14)) + DAY_WIDTH;
    let d = diamond[0].attribute("d").expect("a path");
    assert!(d.starts_with(&format!("M{middle} ")), "{d}");

    // Today, in the middle of its day.
    let today = doc
        .descendants()
        .find(|n| n.has_tag_name("line") && class_has(*n, "today"))
        .expect("today's line");
    let x = x_of(edition, date(2025, 3, 10)) + DAY_WIDTH / 2.0;
    assert_eq!(number(today, "x1"), x);
    assert_eq!(number(today, "x2"), x);
    assert!(doc
        .descendants()
        .any(|n| n.has_tag_name("text") && own_text(n) == "aujourd’hui"));

    // The first month is January 2025, at the start of the axis.
    let months: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("g") && class_has(*n, "months"))
        .flat_map(|g| g.children().filter(|c| c.has_tag_name("text")))
        .map(own_text)
        .collect();
    assert_eq!(months[..3], ["janv. 2025", "févr.", "mars"]);
    assert!(months.contains(&"déc.".to_owned()), "{months:?}");

    // The legend says what each mark is, a drawing (hidden from screen
    // readers) then the words.
    let legend: Vec<String> = legend
        .children()
        .filter(|n| n.is_element())
        .map(|item| {
            assert!(item.has_tag_name("li"));
            let drawing = item.first_element_child().expect("a drawing");
            assert!(drawing.has_tag_name((SVG, "svg")));
            assert_eq!(drawing.attribute("aria-hidden"), Some("true"));
            own_text(item)
        })
        .collect();
    for word in [
        "en retard",
        "à venir",
        "aujourd’hui",
        "séminaire, événement",
    ] {
        assert!(legend.iter().any(|l| l == word), "{word} in {legend:?}");
    }
}

#[test]
fn names_are_text_and_long_ones_are_cut_with_the_whole_in_a_title() {
    let dir = tempfile::tempdir().expect("a folder");
    let (state, now) = small_state(dir.path());
    let html = wrap(&timeline(&state, now, Language::Fr));
    assert!(html.contains("&lt;b&gt;&amp;"));
    assert!(!html.contains("<b>"));
    let doc = parse(&html);
    let labels: Vec<Node<'_, '_>> = child_with_class(names(&doc), "label");
    assert_eq!(
        own_text(label_of(&doc, row(&doc, "Décision — <b>&"))),
        "<b>&"
    );

    let long = "Association pour l’accompagnement des proches aidants du Vexin français";
    let cut: Vec<_> = labels
        .iter()
        .filter(|l| own_text(**l).starts_with("Association pour"))
        .collect();
    assert_eq!(cut.len(), 2, "one per stage for each laureate");
    for label in cut {
        let shown = own_text(*label);
        assert!(shown.ends_with('…'), "{shown}");
        assert!(shown.chars().count() < long.chars().count());
        // The name's start, as much as the names' column holds.
        let start = shown.trim_end_matches('…');
        assert!(long.starts_with(start), "{shown}");
        assert!(start.chars().count() > 15, "not cut too short: {shown}");
        let title = label
            .children()
            .find(|c| c.has_tag_name("title"))
            .expect("the whole name in a title");
        assert_eq!(title.text(), Some(long));
    }
}

#[test]
fn only_presentation_attributes_and_readable_text() {
    let dir = tempfile::tempdir().expect("a folder");
    let (state, now) = small_state(dir.path());
    for language in [Language::Fr, Language::En] {
        let html = wrap(&timeline(&state, now, language));
        let doc = parse(&html);
        for node in doc.descendants().filter(|n| n.is_element()) {
            let tag = node.tag_name().name();
            assert!(
                !matches!(tag, "style" | "script" | "foreignObject" | "image" | "a"),
                "<{tag}>"
            );
            for attribute in node.attributes() {
                let name = attribute.name();
                assert!(
                    name != "style" && !name.starts_with("on") && name != "href",
                    "{name} on <{tag}>"
                );
            }
            if let Some(size) = node.attribute("font-size") {
                assert!(size.parse::<f64>().expect("a size") >= 12.0, "{size}");
            }
        }
        assert_eq!(chart(&doc).attribute("font-size"), Some("12"));
        assert_eq!(names(&doc).attribute("font-size"), Some("12"));
    }
}

#[test]
fn french_typography_and_english_words() {
    let dir = tempfile::tempdir().expect("a folder");
    let (state, now) = small_state(dir.path());
    let french = wrap(&timeline(&state, now, Language::Fr));
    let doc = parse(&french);
    for text in doc
        .descendants()
        .filter_map(|n| n.is_text().then(|| n.text()).flatten())
    {
        for bad in [" :", " ;", " !", " ?", "« ", " »", "'"] {
            assert!(!text.contains(bad), "{bad:?} in {text:?}");
        }
    }

    let english = wrap(&timeline(&state, now, Language::En));
    let doc = parse(&english);
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    for word in ["Jan 2025", "Feb", "today", "late", "upcoming"] {
        assert!(texts.contains(&word), "{word} in {texts:?}");
    }
    assert!(!english.contains("aujourd"));
    assert!(!english.contains("janv."));
    assert_eq!(chart(&doc).attribute("lang"), Some("en"));
}

#[test]
fn a_closed_edition_has_nothing_late_and_today_off_the_axis_has_no_line() {
    let dir = tempfile::tempdir().expect("a folder");
    let (mut state, _) = small_state(dir.path());
    let edition = state.edition().clone();
    let close = EventKind::Close {
        reason: "fin".into(),
    };
    apply(
        &mut state,
        event(at(&edition, date(2025, 3, 11), 10), "ana", close),
    );
    let years_later = at(&edition, date(2030, 6, 1), 10);
    let html = wrap(&timeline(&state, years_later, Language::Fr));
    let doc = parse(&html);
    let rows = with_class(&doc, "row");
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| !class_has(*r, "late")));
    assert!(with_class(&doc, "late-mark").is_empty());
    assert!(with_class(&doc, "today").is_empty());
    // Nor in the legend, which says only what is drawn.
    let legend: Vec<String> = with_class(&doc, "legend")[0]
        .children()
        .filter(|n| n.has_tag_name("li"))
        .map(own_text)
        .collect();
    assert!(legend.contains(&"à venir".to_owned()), "{legend:?}");
    assert!(!legend.contains(&"aujourd’hui".to_owned()), "{legend:?}");
    assert!(!html.contains("aujourd’hui"));
    // What was never done is shown muted, as what does not apply.
    let shortlist = row(&doc, "Short-list");
    assert!(class_has(shortlist, "skipped"));
    let tooltip = shortlist
        .children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
        .expect("a tooltip");
    assert!(
        tooltip.contains("non enregistrée (édition close)"),
        "{tooltip}"
    );
    assert!(row(&doc, "Diagnostic")
        .attribute("class")
        .is_some_and(|c| c.contains("done")));
}

/// The Val d'Oise template with `laureates` laureates and two stages of
/// its own (15 stages in all).
fn programme(dir: &Path, laureates: usize) -> Arc<Edition> {
    std::fs::copy(
        repo().join("definitions/programmes/val-doise.yaml"),
        dir.join("val-doise.yaml"),
    )
    .expect("the template copied");
    let mut y = String::from("extends: val-doise.yaml\n");
    y.push_str(
        "edition: {id: grande, name: Grande promotion, start: 2024-06-03, end: 2025-09-30}\n",
    );
    y.push_str("people:\n");
    for id in ["ana", "bob", "cleo", "dan"] {
        y.push_str(&format!(
            "  - {{id: {id}, name: {id}, email: {id}@example.org}}\n"
        ));
    }
    y.push_str(
        "roles:\n  - {id: coordination, members: [ana, bob]}\n  - {id: direction-generale, members: [cleo]}\n  \
         - {id: accelerateur, members: [dan]}\n  - {id: labo-impact, members: [cleo]}\n  - {id: jury, members: [ana, cleo]}\n",
    );
    y.push_str(&format!(
        "stages:\n  - {{id: lancement, start: 2024-11-25}}\n  - {{id: sourcing, selection: {{max: {laureates}}}}}\n  \
         - {{id: shortlisting, selection: {{max: {laureates}}}}}\n  - {{id: jury, selection: {{max: {laureates}}}}}\n  \
         - {{id: bilan, kind: task, title: Bilan collectif, owners: [coordination], start: 2025-09-01, due: start + 10 working days}}\n  \
         - {{id: suivi, kind: task, title: Point de suivi individuel, owners: [coordination], for_each: laureate, start: 2025-02-03, due: start + 5 working days}}\n"
    ));
    y.push_str("participants:\n");
    for i in 0..laureates {
        y.push_str(&format!(
            "  - {{id: p{i}, name: Lauréat {i}, status: laureate, contact: {{name: Équipe {i}, email: p{i}@example.org}}}}\n"
        ));
    }
    let path = dir.join("grande.yaml");
    std::fs::write(&path, y).expect("written");
    checked(
        &path,
        &Limits {
            max_nodes: 1_000_000,
            ..Limits::default()
        },
    )
}

#[test]
fn ten_laureates_and_fifteen_stages_stay_legible() {
    let dir = tempfile::tempdir().expect("a folder");
    let edition = programme(dir.path(), 10);
    assert_eq!(edition.stages.len(), 15);
    let per_laureate = edition
        .stages
        .iter()
        .filter(|s| s.for_each.is_some())
        .count();
    let state = State::new(edition.clone());
    let now = at(&edition, date(2025, 1, 15), 10);
    let html = wrap(&timeline(&state, now, Language::Fr));
    let doc = parse(&html);
    let rows = with_class(&doc, "row").len();
    assert_eq!(rows, (15 - per_laureate) + per_laureate * 10);
    assert_eq!(child_with_class(chart(&doc), "group").len(), per_laureate);
    assert_eq!(child_with_class(names(&doc), "group").len(), per_laureate);
    // Every row at its height: rows, group titles, header (the legend is
    // a list after the box).
    let height = number(chart(&doc), "height");
    let lines = (rows + per_laureate) as f64;
    assert!(height >= HEADER_HEIGHT + lines * ROW_HEIGHT);
    assert!(height < 2600.0, "{height} px high");
    // The names' column and the chart, side by side.
    let width = number(names(&doc), "width") + number(chart(&doc), "width");
    assert!((1400.0..1800.0).contains(&width), "{width} px wide");
    // Each row's name on its line.
    let suivi = row(&doc, "Point de suivi individuel — Lauréat 7");
    assert_eq!(own_text(label_of(&doc, suivi)), "Lauréat 7");
}

#[test]
fn a_thousand_laureates_are_summed_up_beyond_sixty_a_stage() {
    let dir = tempfile::tempdir().expect("a folder");
    let edition = programme(dir.path(), 1_000);
    let per_laureate = edition
        .stages
        .iter()
        .filter(|s| s.for_each.is_some())
        .count();
    let mut state = State::new(edition.clone());
    // Laureate 999's roadmap is postponed to a date long past at `now`:
    // late, so among the rows shown although it comes last.
    let postpone = EventKind::Postpone {
        stage: "suivi".into(),
        participant: Some("p999".into()),
        start: Some(date(2024, 12, 2)),
        due: Some(date(2024, 12, 6)),
        reason: None,
    };
    apply(
        &mut state,
        event(at(&edition, date(2024, 11, 4), 10), "ana", postpone),
    );
    let now = at(&edition, date(2025, 1, 15), 10);
    let started = Instant::now();
    let html = wrap(&timeline(&state, now, Language::Fr));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
    let doc = parse(&html);
    let rows = with_class(&doc, "row").len();
    assert_eq!(
        rows,
        (15 - per_laureate) + per_laureate * (MAX_ROWS_PER_STAGE + 1)
    );
    let others: Vec<String> = with_class(&doc, "others")
        .into_iter()
        .filter(|n| n.has_tag_name("g"))
        .map(|g| own_text(label_of(&doc, g)))
        .collect();
    assert_eq!(others.len(), per_laureate);
    assert!(
        others.iter().all(|o| o == "940 autres lauréats"),
        "{others:?}"
    );
    assert!(
        row(&doc, "Point de suivi individuel — Lauréat 999")
            .attribute("class")
            .is_some_and(|c| c.contains("late")),
        "the late one is shown"
    );
    assert!(row(&doc, "Point de suivi individuel — Lauréat 0")
        .attribute("class")
        .is_some());
}

/// The shipped example edition, played by its rehearsal script up to
/// `until`.
fn example_at(until: Date) -> (State, Timestamp) {
    let edition = checked(
        &repo().join("definitions/editions/exemple-2027.yaml"),
        &Limits::default(),
    );
    let script = jalon_runtime::script::read(
        &repo().join("definitions/simulations/exemple-2027.yaml"),
        &edition,
    )
    .unwrap_or_else(|_| panic!("the rehearsal script reads"));
    let now = at(&edition, until, 12);
    let mut state = State::new(edition);
    for step in script.steps.iter().filter(|s| s.event.at <= now) {
        let outcome = state.apply(&step.event);
        assert_eq!(outcome.is_err(), step.expect_rejected, "{}", step.place);
    }
    (state, now)
}

#[test]
fn stages_nobody_has_reached_show_their_planned_window() {
    let (state, now) = example_at(date(2026, 12, 10));
    let html = wrap(&timeline(&state, now, Language::Fr));
    let doc = parse(&html);
    let groups = child_with_class(chart(&doc), "group").len();
    let none_yet = with_class(&doc, "none-yet");
    assert!(groups > 0);
    assert_eq!(none_yet.len(), groups, "one row under each group");
    let edition = state.edition();
    let convention = edition
        .stages
        .iter()
        .find(|s| s.id == "convention")
        .expect("the convention stage");
    let row = row(&doc, &convention.title);
    let label = label_of(&doc, row);
    // Said whole in the names' column, not cut.
    assert_eq!(own_text(label), "pas encore de lauréat");
    assert!(label.children().all(|c| !c.has_tag_name("title")));
    let planned = child_with_class(row, "planned")[0];
    assert_eq!(number(planned, "x"), x_of(edition, convention.start));
}

#[test]
fn the_example_edition_is_drawn_to_look_at() {
    let (state, now) = example_at(date(2027, 10, 14));
    let html = timeline(&state, now, Language::Fr);
    let xml = wrap(&html);
    let doc = parse(&xml);
    // Decisions taken are written at the end of their bars.
    let outcomes: Vec<String> = with_class(&doc, "outcome")
        .into_iter()
        .map(own_text)
        .collect();
    assert_eq!(outcomes.len(), 3, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| o.starts_with("Implantation")));
    // The withdrawn laureate's rows are muted.
    assert!(!with_class(&doc, "skipped").is_empty());
    // The postponed seminar shows both windows.
    let seminar = row(&doc, "Séminaire collectif de mi-parcours");
    assert_eq!(child_with_class(seminar, "planned").len(), 1);

    // For people to look at in a browser, laid out as the pages do.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"));
    let _ = std::fs::create_dir_all(&target);
    std::fs::write(target.join("timeline-example.html"), page(&html)).expect("written");
    let (early, early_now) = example_at(date(2027, 6, 15));
    std::fs::write(
        target.join("timeline-example-june.html"),
        page(&timeline(&early, early_now, Language::Fr)),
    )
    .expect("written");
}

/// A page around a timeline, with the pages' rules for it.
fn page(timeline: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Calendrier</title>\
         <style>body{{font-family:system-ui,sans-serif}}.timeline{{overflow-x:auto;border:1px solid #ddd}}\
         .timeline-rows{{display:flex;width:max-content}}.timeline-rows svg{{display:block;flex:none}}\
         .timeline-labels{{position:sticky;left:0;z-index:1}}ul.legend{{display:flex;flex-wrap:wrap;\
         gap:.2rem 1.4rem;list-style:none;padding:.4rem 0;margin:0;font-size:.85rem}}\
         ul.legend li{{display:flex;align-items:center;gap:.4rem}}</style>\n{timeline}</html>\n"
    )
}

#[test]
fn a_seminar_done_on_its_day_has_its_check_inside_its_diamond() {
    let dir = tempfile::tempdir().expect("a folder");
    let (mut state, _) = small_state(dir.path());
    let edition = state.edition().clone();
    let complete = EventKind::Complete {
        stage: "seminaire".into(),
        participant: None,
        comment: None,
        documents: Vec::new(),
    };
    apply(
        &mut state,
        event(at(&edition, date(2025, 4, 14), 17), "ana", complete),
    );
    let now = at(&edition, date(2025, 4, 16), 10);
    let html = wrap(&timeline(&state, now, Language::Fr));
    let doc = parse(&html);

    let seminar = row(&doc, "Séminaire de lancement");
    assert!(
        class_has(seminar, "done"),
        "{:?}",
        seminar.attribute("class")
    );
    let middle = x_of(&edition, date(2025, 4, 14)) + DAY_WIDTH;
    let check = child_with_class(seminar, "done-mark");
    assert_eq!(check.len(), 1);
    let d = check[0].attribute("d").expect("a path");
    assert!(d.starts_with(&format!("M{} ", middle - 3.0)), "{d}");
    assert_eq!(check[0].attribute("stroke"), Some("#ffffff"));

    // Elsewhere, dark on its bar.
    let diagnostic = child_with_class(row(&doc, "Diagnostic"), "done-mark");
    assert_eq!(diagnostic[0].attribute("stroke"), Some("#14532d"));
}
