//! The event the store benches append: an indicator value recorded for one
//! of 10,000 laureates. Included with
//! `#[path = "../../bench_support/events.rs"] mod events;`.

use jalon_core::{Channel, Event, EventKind};
use jiff::Timestamp;

/// The `n`th event, a second after the previous one.
pub fn sample(n: usize) -> Event {
    Event {
        at: Timestamp::from_second(1_700_000_000 + n as i64).unwrap_or(Timestamp::UNIX_EPOCH),
        by: "serge-dobel".into(),
        channel: Channel::Cli,
        kind: EventKind::Record {
            stage: "mesure-impact".into(),
            participant: Some(format!("p{}", n % 10_000)),
            indicator: "trajets".into(),
            value: n.to_string(),
        },
    }
}
