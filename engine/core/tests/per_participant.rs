//! A stage run per laureate whose owners and validators are each file's own
//! service (`participant.service`): a service validates its own files and
//! is refused another's.

mod support;

use jalon_core::{Channel, Event, EventKind, Progress, Rejection};
use jiff::civil::{date, Time};

const EDITION: &str = "tests/fixtures/per-participant.yaml";

fn act(by: &str, kind: EventKind) -> Event {
    let at = jalon_core::time::local(
        &jiff::tz::TimeZone::get("Europe/Paris").expect("Paris"),
        date(2025, 1, 20),
        Time::constant(10, 0, 0, 0),
    );
    Event {
        at,
        by: by.into(),
        channel: Channel::Cli,
        kind,
    }
}

fn approve(participant: &str) -> EventKind {
    EventKind::Approve {
        stage: "suivi".into(),
        participant: Some(participant.into()),
        comment: None,
    }
}

#[test]
fn a_service_validates_its_own_files_and_not_another_s() {
    let mut state = support::state(EDITION);
    for p in ["p1", "p2"] {
        state
            .apply(&act(
                "coordination",
                EventKind::Complete {
                    stage: "suivi".into(),
                    participant: Some(p.into()),
                    comment: None,
                    documents: Vec::new(),
                },
            ))
            .expect("handed in");
    }
    // Cara is p2's service, not p1's.
    let refused = state.apply(&act("cara", approve("p1")));
    assert!(
        matches!(refused, Err(Rejection::NotAValidator { ref validators, .. }) if validators == "`Bob Durand`"),
        "{refused:?}"
    );
    state
        .apply(&act("bob", approve("p1")))
        .expect("p1's service");
    state
        .apply(&act("cara", approve("p2")))
        .expect("p2's service");
    let suivi = state.ids().stages["suivi"];
    for p in ["p1", "p2"] {
        let participant = state.ids().participants[p];
        let instance = state
            .instances()
            .iter()
            .find(|i| i.stage == suivi && i.participant == Some(participant))
            .expect("an instance");
        assert!(
            matches!(instance.progress, Progress::Done { .. }),
            "{p}: {:?}",
            instance.progress
        );
    }
}
