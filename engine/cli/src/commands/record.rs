//! The recording commands (`complete`, `approve`, `score`…): one event with
//! who, when and the CLI as channel, through the runtime's one record step.

use jalon_core::{Channel, Event, EventKind};
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::record::record;
use jalon_runtime::{Clock, SystemClock};

use super::{clock, Target};
use crate::failure::Failure;

/// Records `kind` by `by` at `at` (now by default); returns what to tell
/// the operator.
pub fn event(
    target: &Target,
    by: &str,
    at: Option<&str>,
    kind: EventKind,
) -> Result<String, Failure> {
    let edition = target.edition()?;
    let at = clock(&edition, at)?.now();
    let event = Event {
        at,
        by: by.to_owned(),
        channel: Channel::Cli,
        kind,
    };
    let mut store = target.backend_store()?;
    let recorded = record(&mut store, &edition, &event, SystemClock.now())?;
    Ok(format!(
        "recorded #{}: {} ({}), {} message{} queued\n",
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
