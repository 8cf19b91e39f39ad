//! The recording commands (`complete`, `approve`, `score`…): one event with
//! who, when and the CLI as channel, through the runtime's one record step.

use jalon_core::{Channel, Event, EventKind};
use jalon_definition::expr::parse_date_expr;
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::record::{record, RecordError};
use jalon_runtime::replay::replay;
use jalon_runtime::{Clock, SystemClock};
use jalon_store::Store;
use jiff::civil::Date;

use super::Target;
use crate::args::NewDates;
use crate::failure::Failure;

/// Records `kind` by `by` at `at` (now by default); returns what to tell
/// the operator. A postponement's new dates are read against the state.
pub fn event(
    target: &Target,
    by: &str,
    at: Option<&str>,
    mut kind: EventKind,
    new_dates: Option<NewDates>,
) -> Result<String, Failure> {
    let (edition, mut store, at) = target.recording(at)?;
    if let (
        Some(dates),
        EventKind::Postpone {
            stage,
            participant,
            start,
            due,
            ..
        },
    ) = (new_dates, &mut kind)
    {
        let history = store.history(&edition.id)?;
        let state = replay(edition.clone(), &history)?;
        let read = |flag: &str, text: &str, new_start: Option<Date>| {
            let expr = parse_date_expr(text).map_err(|e| {
                Failure::Usage(format!("{flag} `{text}`: {} ({})", e.message, e.hint))
            })?;
            state
                .date_for(stage, participant.as_deref(), &expr, new_start)
                .map_err(|reason| Failure::Refused(format!("refused: {reason}")))?
                .ok_or_else(|| {
                    Failure::Usage(format!("{flag} `{text}` is not a date Jalon can compute"))
                })
        };
        *start = dates
            .start
            .as_deref()
            .map(|text| read("--start", text, None))
            .transpose()?;
        *due = dates
            .due
            .as_deref()
            .map(|text| read("--due", text, *start))
            .transpose()?;
    }
    let event = Event {
        at,
        by: by.to_owned(),
        channel: Channel::Cli,
        kind,
    };
    let recorded = record(&mut store, &edition, &event, SystemClock.now())?;
    let released = match event.kind {
        EventKind::Release { drop, .. } => format!(
            ", {} held message(s) {}",
            recorded.changed,
            if drop {
                "dropped (recorded expired)"
            } else {
                "released: the daemon sends them at its next pass (or `jalon send`)"
            }
        ),
        EventKind::Retry { .. } => format!(
            ", {} failed message(s) put back: the daemon tries them at its next pass (or `jalon send`)",
            recorded.changed
        ),
        _ => String::new(),
    };
    Ok(format!(
        "recorded #{}: {} ({}), {} message{} queued{released}\n",
        recorded.seq,
        event.kind.verb(),
        short_local(&edition, at),
        recorded.enqueued,
        if recorded.enqueued == 1 { "" } else { "s" }
    ))
}

/// `besoin=4 impact=3`.
pub fn parse_scores(items: &[String]) -> Result<std::collections::BTreeMap<String, i64>, Failure> {
    let mut scores = std::collections::BTreeMap::new();
    for item in items {
        let parsed = item.split_once('=').and_then(|(k, v)| {
            v.trim()
                .parse::<i64>()
                .ok()
                .map(|v| (k.trim().to_owned(), v))
        });
        match parsed {
            Some((criterion, value)) if !criterion.is_empty() => {
                scores.insert(criterion, value);
            }
            _ => {
                return Err(Failure::Usage(format!(
                    "`{item}` is not a score: write CRITERION=VALUE, such as impact=4"
                )))
            }
        }
    }
    Ok(scores)
}

/// `--reason PARTICIPANT=REASON` items, by participant.
pub fn parse_reasons(
    items: &[String],
) -> Result<std::collections::BTreeMap<String, String>, Failure> {
    let mut reasons = std::collections::BTreeMap::new();
    for item in items {
        match item.split_once('=') {
            Some((who, why)) if !who.trim().is_empty() && !why.trim().is_empty() => {
                reasons.insert(who.trim().to_owned(), why.trim().to_owned());
            }
            _ => {
                return Err(Failure::Usage(format!(
                    "`{item}` is not a reason: write PARTICIPANT=REASON, such as papoto=\"hors du territoire\""
                )))
            }
        }
    }
    Ok(reasons)
}

/// `jalon import`: a recorded history, in one transaction.
pub fn import(target: &Target, file: &std::path::Path) -> Result<String, Failure> {
    use jalon_runtime::history::{import_file, HistoryError};
    let (edition, mut store, _) = target.recording(None)?;
    let imported =
        import_file(&mut store, &edition, file, SystemClock.now()).map_err(|e| match e {
            HistoryError::Unreadable(report) => {
                eprint!("{}", jalon_runtime::check_report::text(&report, false));
                Failure::Told(2)
            }
            HistoryError::Refused {
                source: RecordError::Store(e),
                ..
            }
            | HistoryError::Store(e) => e.into(),
            refused @ HistoryError::Refused { .. } => Failure::Refused(refused.to_string()),
            rehearsal @ HistoryError::Rehearsal { .. } => Failure::Usage(rehearsal.to_string()),
        })?;
    Ok(format!(
        "imported {} event(s) into {} ({} already recorded); {} message(s) of those past acts recorded expired, not sent\n",
        imported.recorded, edition.id, imported.already, imported.withheld
    ))
}

/// `jalon void`: cancels event `seq`, recorded by mistake.
pub fn void(
    target: &Target,
    seq: i64,
    by: &str,
    at: Option<&str>,
    reason: String,
) -> Result<String, Failure> {
    let (edition, mut store, at) = target.recording(at)?;
    let event = Event {
        at,
        by: by.to_owned(),
        channel: Channel::Cli,
        kind: EventKind::Void { seq, reason },
    };
    let voided = jalon_runtime::correction::void(&mut store, &edition, &event, SystemClock.now())?;
    let recorded = &voided.recorded;
    let mut out = format!(
        "recorded #{}: void of #{seq} ({}), {} queued message(s) withdrawn, {} message(s) queued\n",
        recorded.seq,
        short_local(&edition, at),
        recorded.withdrawn,
        recorded.enqueued
    );
    if !voided.already_sent.is_empty() {
        out.push_str(
            "already sent because of it, and not taken back (tell the people concerned):\n",
        );
        for key in &voided.already_sent {
            out.push_str(&format!("  {key}\n"));
        }
    }
    Ok(out)
}

/// `jalon login-link`: a sign-in link to the workspace for a person of the
/// edition, kept in the database the daemon reads.
pub fn login_link(target: &Target, person: &str, public_url: &str) -> Result<String, Failure> {
    let edition = target.edition()?;
    let wanted = person.trim().to_lowercase();
    let by_id = edition
        .people
        .iter()
        .find(|p| p.id == person)
        .and_then(|p| p.email.clone());
    let by_address = jalon_daemon::workspace_addresses(&edition)
        .into_iter()
        .find(|address| *address == wanted);
    let Some(email) = by_id.map(|e| e.trim().to_lowercase()).or(by_address) else {
        let ids: Vec<&str> = edition.people.iter().map(|p| p.id.as_str()).collect();
        return Err(Failure::Refused(format!(
            "`{person}` is neither a person of `{}` with an email address nor the address of one \
             of its people or participants' contacts (its people: {})",
            edition.id,
            ids.join(", ")
        )));
    };
    let mut store = jalon_store::Backend::open(&target.backend()?)?;
    let token = jalon_runtime::sign_in::issue(&mut store, &email, SystemClock.now())
        .map_err(|e| Failure::Refused(e.to_string()))?;
    Ok(format!(
        "{}\nSign-in link for {email}: valid {} minutes, once. Open it and press the button.\n",
        jalon_runtime::sign_in::url(public_url, &token),
        jalon_runtime::sign_in::LINK_LIFE.as_secs() / 60
    ))
}
