//! An instance as a card, and a stage of many instances as its counts.

use super::*;

/// The state of an instance in words, and whether it is late.
pub(super) fn life_words(
    state: &EditionState,
    instance: &jalon_core::Instance,
    now: Timestamp,
    l: Language,
) -> (String, bool) {
    let (life, late) = state.lifecycle(instance, now);
    let id = match life {
        Lifecycle::Waiting => "ws-life-waiting",
        Lifecycle::Scheduled => "ws-life-scheduled",
        Lifecycle::Open => "ws-life-open",
        Lifecycle::AwaitingValidation => "ws-life-awaiting",
        Lifecycle::Done => "ws-life-done",
        Lifecycle::Skipped => "ws-life-skipped",
    };
    let unfinished = !matches!(life, Lifecycle::Done | Lifecycle::Skipped);
    if state.closed().is_some() && unfinished {
        return (plain(l, "ws-life-not-recorded"), false);
    }
    let mut words = plain(l, id);
    if late {
        words = format!("{words} · {}", plain(l, "ws-late"));
    }
    (words, late)
}

/// How a card is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CardOn {
    /// Home, the edition: the participant's name links to their page.
    List,
    /// The participant's own page.
    ParticipantPage,
}

/// One instance as a card: title, state, dates, what it waits for, and
/// the actions the reader may take on it.
pub(super) fn instance_card(
    read: &Read,
    instance: &jalon_core::Instance,
    access: &Access,
    now: Timestamp,
    l: Language,
    on: CardOn,
) -> String {
    let state = &read.state;
    let edition = state.edition();
    let stage = &edition.stages[instance.stage];
    let (words, late) = life_words(state, instance, now, l);
    let class = if late { "tag late" } else { "tag" };
    let title = match instance.participant {
        Some(p) if on == CardOn::List && access.sees_participant(edition, p) => format!(
            "{} — <a href=\"/editions/{}/participants/{}\">{}</a>",
            escape(&stage.title),
            encode(&edition.id),
            encode(&edition.participants[p].id),
            escape(&edition.participants[p].name)
        ),
        _ => escape(&instance_title(
            edition,
            instance.stage,
            instance.participant,
        )),
    };
    let mut card = format!(
        "<li><strong>{title}</strong> <span class=\"{class}\">{}</span><br>\n<span class=\"muted\">{}</span>",
        escape(&words),
        escape(&instance_window_words(l, instance.window)),
    );
    let planned = jalon_core::windows::Window {
        start: stage.start,
        due: stage.due,
        to_be_fixed: stage.to_be_fixed.is_some(),
    };
    if instance.window != planned {
        card.push_str(&format!(
            " <span class=\"muted\">({})</span>",
            escape(&text(
                l,
                "ws-planned",
                &Args::new().text("window", instance_window_words(l, planned))
            ))
        ));
    }
    let note = match &instance.progress {
        Progress::Done { at } => {
            let mut note = text(
                l,
                "ws-done-on",
                &Args::new().text("at", short_local(edition, *at)),
            );
            if let Some(o) = instance.outcome {
                note = format!("{note} — {}", stage.outcomes[o].title);
            }
            note
        }
        // A closed edition waits for nobody.
        Progress::AwaitingValidation { .. } if state.closed().is_none() => {
            let awaited = awaited_validators(state, instance);
            let me = access.person.is_some_and(|p| awaited.contains(&p));
            let others: Vec<&str> = awaited
                .into_iter()
                .filter(|&p| Some(p) != access.person)
                .map(|p| edition.people[p].name.as_str())
                .collect();
            let who = Args::new().text("who", others.join(", "));
            match (me, others.is_empty()) {
                (true, true) => plain(l, "ws-awaits-you"),
                (true, false) => text(l, "ws-awaits-you-and", &who),
                (false, _) => text(l, "ws-awaits", &who),
            }
        }
        Progress::AwaitingValidation { .. } => String::new(),
        Progress::Active => match instance.refusals.last() {
            Some(r) => text(
                l,
                "ws-changes-asked",
                &Args::new()
                    .text("who", edition.people[r.by].name.clone())
                    .text("comment", r.comment.clone()),
            ),
            None => String::new(),
        },
        Progress::Skipped { reason, .. } => state.skip_words(reason),
    };
    if !note.is_empty() {
        card.push_str(&format!("<br>{}", escape(&note)));
    }
    // What was handed in: every version on the participant's page, the
    // last one elsewhere.
    let shown = match on {
        CardOn::ParticipantPage => instance.submissions.len(),
        CardOn::List => 1,
    };
    for submission in instance.submissions.iter().rev().take(shown) {
        if submission.documents.is_empty() {
            continue;
        }
        card.push_str(&format!(
            "<br><span class=\"muted\">{}</span>",
            escape(&text(
                l,
                "ws-handed",
                &Args::new()
                    .text("round", submission.round.to_string())
                    .text("at", short_local(edition, submission.at))
            ))
        ));
        card.push_str(&crate::workspace::pieces(
            l,
            &submission.documents,
            &|sha| format!("/editions/{}/documents/{sha}", encode(&edition.id)),
        ));
    }
    if state.closed().is_none() {
        let links = crate::workspace::actions::links_for(edition, instance, access, l);
        if !links.is_empty() {
            card.push_str(&format!("<div class=\"actions\">{links}</div>"));
        }
    }
    card.push_str("</li>\n");
    card
}

/// A per-participant stage with more instances than this shows their
/// counts and those needing attention, rather than a card each.
pub(super) const CARDS_PER_STAGE: usize = 12;
/// The most instances needing attention listed under one summary, and
/// the most cards of one edition on the home page.
pub(super) const ATTENTION_SHOWN: usize = 20;

/// A per-participant stage of many instances: how many are in each state,
/// and the late or awaiting ones (the first [`ATTENTION_SHOWN`]).
pub(super) fn stage_summary(
    read: &Read,
    instances: &[&jalon_core::Instance],
    access: &Access,
    now: Timestamp,
    l: Language,
) -> String {
    let state = &read.state;
    let Some(first) = instances.first() else {
        return String::new();
    };
    let stage = &state.edition().stages[first.stage];
    let (mut open, mut awaiting, mut done, mut late) = (0, 0, 0, 0);
    let mut attention = Vec::new();
    for instance in instances {
        let (life, is_late) = state.lifecycle(instance, now);
        match life {
            Lifecycle::Open => open += 1,
            Lifecycle::AwaitingValidation => awaiting += 1,
            Lifecycle::Done => done += 1,
            _ => {}
        }
        late += usize::from(is_late);
        if is_late || life == Lifecycle::AwaitingValidation {
            attention.push(*instance);
        }
    }
    let counts = text(
        l,
        "ws-counts",
        &Args::new()
            .number("count", instances.len())
            .number("open", open)
            .number("awaiting", awaiting)
            .number("done", done)
            .number("late", late),
    );
    let mut card = format!(
        "<li><strong>{}</strong><br>{}",
        escape(&stage.title),
        escape(&counts)
    );
    if !attention.is_empty() {
        card.push_str("<ul class=\"cards\">\n");
        for instance in attention.iter().take(ATTENTION_SHOWN) {
            card.push_str(&instance_card(read, instance, access, now, l, CardOn::List));
        }
        card.push_str("</ul>\n");
        if attention.len() > ATTENTION_SHOWN {
            card.push_str(&para(&text(
                l,
                "ws-more",
                &Args::new().number("count", attention.len() - ATTENTION_SHOWN),
            )));
        }
    }
    card.push_str("</li>\n");
    card
}
