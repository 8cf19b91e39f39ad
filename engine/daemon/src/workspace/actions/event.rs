//! The event a filled form asks for.

use super::*;

/// The event a filled form asks for, or what is wrong with it.
pub(super) fn event_of(
    target: &Target,
    given: &Fields,
    by: String,
    at: jiff::Timestamp,
    l: Language,
) -> Result<Event, String> {
    let edition = &target.edition;
    let text_of = |name: &str| {
        given
            .get(name)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    for (name, value) in given {
        if matches!(name.as_str(), "comment" | "reason") && value.chars().count() > LONGEST_COMMENT
        {
            return Err(plain(l, "ws-error-too-long"));
        }
    }
    let stage = target
        .stage
        .map(|s| edition.stages[s].id.clone())
        .unwrap_or_default();
    let participant = target
        .participant
        .map(|p| edition.participants[p].id.clone());
    let needed = |name: &str, id: &str| text_of(name).ok_or_else(|| plain(l, id));
    let date = |name: &str| -> Result<Option<Date>, String> {
        match text_of(name) {
            None => Ok(None),
            // As the date field sends it, or as people write it.
            Some(d) => d
                .parse::<Date>()
                .or_else(|_| Date::strptime("%d/%m/%Y", &d))
                .map(Some)
                .map_err(|_| text(l, "ws-error-date", &Args::new().text("value", d))),
        }
    };
    let kind = match target.verb {
        Verb::Complete => EventKind::Complete {
            stage,
            participant,
            comment: text_of("comment"),
            documents: Vec::new(),
        },
        Verb::Approve => EventKind::Approve {
            stage,
            participant,
            comment: text_of("comment"),
        },
        Verb::Refuse => EventKind::Refuse {
            stage,
            participant,
            comment: needed("comment", "ws-error-changes-needed")?,
        },
        Verb::Postpone => {
            let due = date("due")?.ok_or_else(|| plain(l, "ws-error-due-needed"))?;
            EventKind::Postpone {
                stage,
                participant,
                start: date("start")?,
                due: Some(due),
                reason: Some(needed("reason", "ws-error-reason-needed")?),
            }
        }
        Verb::Adjourn => EventKind::Adjourn {
            stage,
            participant,
            reason: Some(needed("reason", "ws-error-reason-needed")?),
        },
        Verb::Decide => EventKind::Decide {
            stage,
            participant,
            outcome: needed("outcome", "ws-error-outcome-needed")?,
            comment: text_of("comment"),
        },
        Verb::Select => {
            let retained: Vec<String> = given
                .iter()
                .filter_map(|(k, v)| Some(k.strip_prefix("retain:")?).filter(|_| v == "on"))
                .map(str::to_owned)
                .collect();
            if retained.is_empty() {
                return Err(plain(l, "ws-error-retain-needed"));
            }
            // A reason for those left out, when the coordination gives one.
            let reasons = given
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("reason:")?, v.trim())))
                .filter(|(id, v)| !v.is_empty() && !retained.iter().any(|r| r == id))
                .map(|(id, v)| (id.to_owned(), v.to_owned()))
                .collect();
            EventKind::Select {
                stage,
                participants: Some(retained),
                reasons,
            }
        }
        Verb::Record => EventKind::Record {
            stage,
            participant,
            indicator: needed("indicator", "ws-error-indicator-needed")?,
            value: needed("value", "ws-error-value-needed")?,
        },
        Verb::Withdraw => EventKind::Withdraw {
            participant: participant.unwrap_or_default(),
            reason: Some(needed("reason", "ws-error-reason-needed")?),
        },
        Verb::Close => EventKind::Close {
            reason: needed("reason", "ws-error-reason-needed")?,
        },
        Verb::Void => EventKind::Void {
            seq: needed("seq", "ws-error-seq-needed")?
                .trim_start_matches(['#', '№'])
                .parse()
                .map_err(|_| plain(l, "ws-error-seq-needed"))?,
            reason: needed("reason", "ws-error-reason-needed")?,
        },
    };
    Ok(Event {
        at,
        by,
        channel: Channel::Web,
        kind,
    })
}
