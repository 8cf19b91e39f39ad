//! The core on the real 2024-2025 edition: each rule of the lifecycle, each
//! kind of event, and the refusals that change nothing.

mod support;

use std::collections::BTreeSet;

use jalon_core::clock::{deliver_until, run_on_time, OnTime};
use jalon_core::{
    Action, Channel, Detail, Event, EventKind, Lifecycle, MessageKind, Progress, Rejection, State,
};
use jiff::civil::{date, Date, Time};
use jiff::Timestamp;

const EDITION: &str = "definitions/editions/2024-2025.yaml";

fn at(state: &State, day: Date, hour: i8) -> Timestamp {
    jalon_core::time::local(
        &state.edition().time_zone,
        day,
        Time::constant(hour, 0, 0, 0),
    )
}

fn event(at: Timestamp, by: &str, kind: EventKind) -> Event {
    Event {
        at,
        by: by.into(),
        channel: Channel::Cli,
        kind,
    }
}

fn complete(stage: &str, participant: Option<&str>) -> EventKind {
    EventKind::Complete {
        stage: stage.into(),
        participant: participant.map(Into::into),
        comment: None,
        documents: Vec::new(),
    }
}

fn approve(stage: &str, participant: Option<&str>) -> EventKind {
    EventKind::Approve {
        stage: stage.into(),
        participant: participant.map(Into::into),
        comment: None,
    }
}

fn select(stage: &str, who: &[&str]) -> EventKind {
    EventKind::Select {
        stage: stage.into(),
        participants: Some(who.iter().map(|s| s.to_string()).collect()),
        reasons: Default::default(),
    }
}

/// One instance's stage, participant, lifecycle and lateness.
type Life = (usize, Option<usize>, Lifecycle, bool);

/// Everything observable: each instance's lifecycle and the pending keys.
fn snapshot(state: &State, now: Timestamp) -> (Vec<Life>, Vec<String>) {
    let lives = state
        .instances()
        .iter()
        .map(|i| {
            let (life, late) = state.lifecycle(i, now);
            (i.stage, i.participant, life, late)
        })
        .collect();
    let keys = state.pending_actions().map(|a| a.key.to_string()).collect();
    (lives, keys)
}

/// Runs the edition up to the kick-off: diagnosis, sourcing, short-list and
/// jury all done, every laureate retained.
fn up_to_kickoff() -> State {
    let mut state = support::state(EDITION);
    let laureates = [
        "atchoum",
        "mes-parents-et-moi",
        "programme-malin",
        "alternoo",
    ];
    let steps = [
        (
            date(2024, 7, 1),
            "serge-dobel",
            complete("diagnostic", None),
        ),
        (
            date(2024, 7, 10),
            "referent-dg",
            approve("diagnostic", None),
        ),
        (
            date(2024, 9, 4),
            "aline-pehau",
            select("sourcing", &laureates),
        ),
        (
            date(2024, 9, 16),
            "serge-dobel",
            select("shortlisting", &laureates),
        ),
        (
            date(2024, 9, 17),
            "florence-bannerman",
            approve("shortlisting", None),
        ),
        (
            date(2024, 10, 11),
            "serge-dobel",
            select("jury", &laureates),
        ),
    ];
    for (day, by, kind) in steps {
        let e = event(at(&state, day, 10), by, kind);
        deliver_until(&mut state, e.at, |_, _| {});
        state.apply(&e).expect("allowed");
    }
    state
}

#[test]
fn on_time_run_finishes_every_stage_and_takes_one_branch() {
    let mut state = support::state(EDITION);
    let mut keys = Vec::new();
    run_on_time(&mut state, &OnTime::default(), |_, a| {
        keys.push(a.key.clone())
    });
    let unique: BTreeSet<&jalon_core::Key> = keys.iter().collect();
    assert_eq!(unique.len(), keys.len(), "an action key went out twice");
    for instance in state.instances() {
        let id = &state.edition().stages[instance.stage].id;
        match id.as_str() {
            "prolongation" => assert!(matches!(instance.progress, Progress::Skipped { .. })),
            _ => assert!(
                matches!(instance.progress, Progress::Done { .. }),
                "{id} is {:?}",
                instance.progress
            ),
        }
    }
    assert_eq!(state.next_due(), None, "nothing left to send");
}

#[test]
fn a_stage_opens_only_when_its_needs_are_done() {
    let mut state = support::state(EDITION);
    let now = at(&state, date(2024, 8, 1), 9);
    let sourcing = state.ids().stages["sourcing"];
    let instance = state.instance_of(sourcing, None).expect("instantiated");
    assert_eq!(state.lifecycle(instance, now).0, Lifecycle::Waiting);
    let refused = state.apply(&event(now, "aline-pehau", select("sourcing", &["atchoum"])));
    assert!(
        matches!(refused, Err(Rejection::WrongState { .. })),
        "{refused:?}"
    );
    let e = event(
        at(&state, date(2024, 7, 1), 9),
        "serge-dobel",
        complete("diagnostic", None),
    );
    state.apply(&e).expect("the diagnosis is open");
    let e = event(
        at(&state, date(2024, 6, 28), 9),
        "referent-dg",
        approve("diagnostic", None),
    );
    assert!(
        matches!(state.apply(&e), Err(Rejection::OutOfOrder { .. })),
        "the log only moves forward"
    );
}

#[test]
fn refused_events_change_nothing() {
    let mut state = up_to_kickoff();
    let now = at(&state, date(2024, 10, 14), 10);
    let before = snapshot(&state, now);
    let attempts = [
        event(now, "referent-dg", approve("lancement", None)),
        event(now, "serge-dobel", complete("feuille-de-route", None)),
        event(
            now,
            "serge-dobel",
            complete("feuille-de-route", Some("atchoum")),
        ),
        event(now, "serge-dobel", complete("lancemnt", None)),
        event(
            now,
            "serge-dobel",
            EventKind::Withdraw {
                participant: "atchum".into(),
                reason: None,
            },
        ),
        event(now, "nobody", approve("diagnostic", None)),
        event(
            now,
            "serge-dobel",
            EventKind::Postpone {
                stage: "lancement".into(),
                participant: None,
                start: None,
                due: None,
                reason: None,
            },
        ),
        event(
            now,
            "serge-dobel",
            EventKind::Postpone {
                stage: "lancement".into(),
                participant: None,
                start: Some(date(2024, 12, 2)),
                due: Some(date(2024, 11, 29)),
                reason: None,
            },
        ),
    ];
    for attempt in &attempts {
        let result = state.apply(attempt);
        assert!(result.is_err(), "{attempt:?} was accepted");
        assert!(!result.unwrap_err().to_string().is_empty());
        assert_eq!(
            snapshot(&state, now),
            before,
            "{attempt:?} changed the state"
        );
    }
    let message = state
        .apply(&event(now, "serge-dobel", complete("lancemnt", None)))
        .unwrap_err()
        .to_string();
    assert!(message.contains("did you mean `lancement`"), "{message}");
}

#[test]
fn a_refused_validation_reopens_the_stage_with_the_comment() {
    let mut state = up_to_kickoff();
    let kickoff_done = at(&state, date(2024, 11, 26), 17);
    deliver_until(&mut state, kickoff_done, |_, _| {});
    state
        .apply(&event(
            kickoff_done,
            "aline-pehau",
            complete("lancement", None),
        ))
        .expect("done");
    let submitted = at(&state, date(2024, 12, 20), 10);
    state
        .apply(&event(
            submitted,
            "aline-pehau",
            complete("feuille-de-route", Some("atchoum")),
        ))
        .expect("submitted");
    let fdr = state.ids().stages["feuille-de-route"];
    let atchoum = state.ids().participants["atchoum"];
    let requests: Vec<&Action> = state
        .pending_actions()
        .filter(|a| a.kind == MessageKind::ValidationRequest && a.participant == Some(atchoum))
        .collect();
    assert_eq!(requests.len(), 2, "one request per coordinator");
    assert!(requests.iter().all(|a| a.due_at == submitted));

    let refused_at = at(&state, date(2024, 12, 23), 11);
    let not_validator = state.apply(&event(
        refused_at,
        "aline-pehau",
        EventKind::Refuse {
            stage: "feuille-de-route".into(),
            participant: Some("atchoum".into()),
            comment: "x".into(),
        },
    ));
    assert!(matches!(
        not_validator,
        Err(Rejection::NotAValidator { .. })
    ));
    state
        .apply(&event(
            refused_at,
            "serge-dobel",
            EventKind::Refuse {
                stage: "feuille-de-route".into(),
                participant: Some("atchoum".into()),
                comment: "Préciser les indicateurs de réussite".into(),
            },
        ))
        .expect("refused");
    let instance = state.instance_of(fdr, Some(atchoum)).expect("exists");
    assert_eq!(state.lifecycle(instance, refused_at).0, Lifecycle::Open);
    let notices: Vec<&Action> = state
        .due_actions(refused_at)
        .into_iter()
        .filter(|a| a.kind == MessageKind::ValidationRefused)
        .collect();
    assert!(!notices.is_empty());
    assert!(notices
        .iter()
        .all(|a| matches!(a.detail, Detail::Refused { index: 0 })));
    let instance = state.instance_of(fdr, Some(atchoum)).unwrap();
    assert!(instance.refusals[0].comment.contains("indicateurs"));

    let again = at(&state, date(2025, 1, 6), 10);
    deliver_until(&mut state, again, |_, _| {});
    state
        .apply(&event(
            again,
            "aline-pehau",
            complete("feuille-de-route", Some("atchoum")),
        ))
        .expect("resubmitted");
    let round_two = state
        .pending_actions()
        .filter(|a| a.key.contains("atchoum/validation/2/"))
        .count();
    assert_eq!(round_two, 2, "a new round of requests");
    state
        .apply(&event(
            again,
            "florence-bannerman",
            approve("feuille-de-route", Some("atchoum")),
        ))
        .expect("approved");
    let twice = state.apply(&event(
        again,
        "florence-bannerman",
        approve("feuille-de-route", Some("atchoum")),
    ));
    assert!(
        matches!(twice, Err(Rejection::WrongState { .. })),
        "{twice:?}"
    );
    assert!(matches!(
        state.instance_of(fdr, Some(atchoum)).unwrap().progress,
        Progress::Done { .. }
    ));
}

#[test]
fn a_withdrawn_laureate_gets_the_seminar_cancelled_and_nothing_more() {
    let mut state = up_to_kickoff();
    let when = at(&state, date(2024, 11, 20), 10);
    deliver_until(&mut state, when, |_, _| {});
    state
        .apply(&event(
            when,
            "serge-dobel",
            EventKind::Withdraw {
                participant: "alternoo".into(),
                reason: Some("Réorientation".into()),
            },
        ))
        .expect("withdrawn");
    let alternoo = state.ids().participants["alternoo"];
    let mut after = Vec::new();
    run_on_time(&mut state, &OnTime::default(), |_, a| after.push(a.clone()));
    assert!(!after.is_empty());
    // The seminar they were invited to is cancelled for them, once, at
    // their withdrawal; nothing else reaches them.
    let (cancelled, after): (Vec<Action>, Vec<Action>) = after
        .into_iter()
        .partition(|a| a.kind == MessageKind::InvitationCancelled);
    assert_eq!(cancelled.len(), 1, "{cancelled:#?}");
    assert_eq!(
        cancelled[0].recipient,
        jalon_core::Recipient::Participant(alternoo)
    );
    assert_eq!(cancelled[0].due_at, when);
    assert!(
        matches!(
            cancelled[0].detail,
            Detail::Cancellation { sequence: 1, .. }
        ),
        "{:?}",
        cancelled[0].detail
    );
    for action in &after {
        assert_ne!(action.participant, Some(alternoo), "{}", action.key);
        assert_ne!(
            action.recipient,
            jalon_core::Recipient::Participant(alternoo),
            "{}",
            action.key
        );
    }
    for instance in state
        .instances()
        .iter()
        .filter(|i| i.participant == Some(alternoo))
    {
        assert!(matches!(instance.progress, Progress::Skipped { .. }));
    }
    let again = state.apply(&event(
        Timestamp::MAX,
        "serge-dobel",
        EventKind::Withdraw {
            participant: "alternoo".into(),
            reason: None,
        },
    ));
    assert!(matches!(again, Err(Rejection::AlreadyOut { .. })));
}

#[test]
fn a_postponed_seminar_sends_an_updated_invitation() {
    let mut state = up_to_kickoff();
    let lancement = state.ids().stages["lancement"];
    let first: Vec<Action> = state
        .pending_actions()
        .filter(|a| a.kind == MessageKind::SeminarInvitation)
        .cloned()
        .collect();
    assert!(!first.is_empty());
    let when = at(&state, date(2024, 10, 15), 10);
    deliver_until(&mut state, when, |_, _| {});
    state
        .apply(&event(
            when,
            "serge-dobel",
            EventKind::Postpone {
                stage: "lancement".into(),
                participant: None,
                start: Some(date(2024, 12, 2)),
                due: None,
                reason: Some("salle indisponible".into()),
            },
        ))
        .expect("postponed");
    let instance = state.instance_of(lancement, None).unwrap();
    assert_eq!(instance.window.start, date(2024, 12, 2));
    assert_eq!(
        instance.window.due,
        date(2024, 12, 3),
        "due follows `start + 1 day`"
    );
    let updated: Vec<&Action> = state
        .pending_actions()
        .filter(|a| a.kind == MessageKind::SeminarInvitation)
        .collect();
    assert_eq!(updated.len(), first.len());
    for action in updated {
        assert_eq!(action.due_at, when);
        let Detail::Invitation {
            sequence, start, ..
        } = action.detail
        else {
            panic!()
        };
        assert_eq!(sequence, 1);
        let local = start.to_zoned(state.edition().time_zone.clone());
        assert_eq!(
            (local.date(), local.hour(), local.minute()),
            (date(2024, 12, 2), 9, 30)
        );
    }
    // Stages dated from the kick-off follow it.
    let fdr = state.ids().stages["feuille-de-route"];
    let atchoum = state.ids().participants["atchoum"];
    assert_eq!(
        state.instance_of(fdr, Some(atchoum)).unwrap().window.start,
        date(2024, 12, 4)
    );
}

#[test]
fn each_decision_outcome_takes_its_branch() {
    for (outcome, taken, skipped) in [
        ("implanter", Some("convention"), vec!["prolongation"]),
        ("prolonger", Some("prolongation"), vec!["convention"]),
        ("arreter", None, vec!["convention", "prolongation"]),
    ] {
        let mut state = support::state(EDITION);
        run_on_time(
            &mut state,
            &OnTime {
                outcome: Some(outcome.into()),
            },
            |_, _| {},
        );
        for instance in state.instances().iter().filter(|i| i.participant.is_some()) {
            let id = state.edition().stages[instance.stage].id.as_str();
            if Some(id) == taken {
                assert!(
                    matches!(instance.progress, Progress::Done { .. }),
                    "{outcome}: {id}"
                );
            }
            if skipped.contains(&id) {
                assert!(
                    matches!(instance.progress, Progress::Skipped { .. }),
                    "{outcome}: {id}"
                );
            }
        }
    }
}

#[test]
fn jury_scores_are_checked_and_ties_reported() {
    // Two places for four pitches, so that the ranking has a cut.
    let mut edition = (*support::edition(EDITION)).clone();
    let jury_stage = edition.stages.iter_mut().find(|s| s.id == "jury").unwrap();
    jury_stage.selection.as_mut().unwrap().max = 2;
    jury_stage.selection.as_mut().unwrap().min = 2;
    let mut state = State::new(std::sync::Arc::new(edition));
    let laureates = [
        "atchoum",
        "mes-parents-et-moi",
        "programme-malin",
        "alternoo",
    ];
    for (day, by, kind) in [
        (
            date(2024, 7, 1),
            "serge-dobel",
            complete("diagnostic", None),
        ),
        (
            date(2024, 7, 10),
            "referent-dg",
            approve("diagnostic", None),
        ),
        (
            date(2024, 9, 4),
            "aline-pehau",
            select("sourcing", &laureates),
        ),
        (
            date(2024, 9, 16),
            "serge-dobel",
            select("shortlisting", &laureates),
        ),
        (
            date(2024, 9, 17),
            "florence-bannerman",
            approve("shortlisting", None),
        ),
    ] {
        state
            .apply(&event(at(&state, day, 10), by, kind))
            .expect("allowed");
    }
    let now = at(&state, date(2024, 10, 10), 10);
    let score = |by: &str, who: &str, v: i64| {
        event(
            now,
            by,
            EventKind::Score {
                stage: "jury".into(),
                participant: who.into(),
                scores: [
                    ("besoin", v),
                    ("impact", v),
                    ("faisabilite", v),
                    ("equipe", v),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
                comment: None,
            },
        )
    };
    assert!(matches!(
        state.apply(&score("aline-pehau", "atchoum", 4)),
        Err(Rejection::NotOnJury { .. })
    ));
    assert!(matches!(
        state.apply(&score("referent-dg", "atchoum", 9)),
        Err(Rejection::OutOfScale { .. })
    ));
    // One member: alternoo 5, atchoum 4, programme-malin 4, mes-parents-et-moi 3.
    for (who, v) in [
        ("alternoo", 5),
        ("atchoum", 4),
        ("programme-malin", 4),
        ("mes-parents-et-moi", 3),
    ] {
        state.apply(&score("referent-dg", who, v)).expect("scored");
    }
    // Before the jury's due date a juror may change their mind: the new
    // scores replace the old.
    state
        .apply(&score("referent-dg", "atchoum", 2))
        .expect("changed");
    state
        .apply(&score("referent-dg", "atchoum", 4))
        .expect("changed back");
    let jury_stage = state.ids().stages["jury"];
    let kept = &state.instance_of(jury_stage, None).unwrap().scores;
    assert_eq!(kept.len(), 4, "one score per juror and candidate");
    let by_scores = event(
        now,
        "serge-dobel",
        EventKind::Select {
            stage: "jury".into(),
            participants: None,
            reasons: Default::default(),
        },
    );
    let tie = state.apply(&by_scores).unwrap_err().to_string();
    assert!(
        tie.contains("atchoum (4.00)") && tie.contains("programme-malin (4.00)"),
        "{tie}"
    );
    // A second member breaks the tie: atchoum 4.5 on average, programme-malin 3.5.
    for (who, v) in [
        ("alternoo", 5),
        ("atchoum", 5),
        ("programme-malin", 3),
        ("mes-parents-et-moi", 3),
    ] {
        state.apply(&score("referent-dpa", who, v)).expect("scored");
    }
    state.apply(&by_scores).expect("ranked");
    let jury = state.ids().stages["jury"];
    let record = state
        .instance_of(jury, None)
        .unwrap()
        .selection
        .clone()
        .unwrap();
    let ids: Vec<&str> = record
        .retained
        .iter()
        .map(|&p| state.edition().participants[p].id.as_str())
        .collect();
    assert_eq!(ids, ["alternoo", "atchoum"]);
    // The two others are out and hear so; nothing else is planned for them.
    let mes_parents = state.ids().participants["mes-parents-et-moi"];
    assert!(state.participant(mes_parents).is_out());
    let notices: Vec<&Action> = state.pending_actions().filter(|a| a.stage == jury && matches!(a.detail, Detail::Selection { participant, .. } if participant == mes_parents)).collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, MessageKind::SelectionNotRetained);
}

#[test]
fn indicator_values_are_recorded_on_known_indicators_only() {
    let mut edition = (*support::edition(EDITION)).clone();
    let stage = edition
        .stages
        .iter_mut()
        .find(|s| s.id == "mesure-impact")
        .unwrap();
    stage
        .indicators
        .push(jalon_definition::resolved::Indicator {
            id: "trajets".into(),
            objective: "Rompre l'isolement".into(),
            indicator: "Trajets par mois".into(),
            method: None,
            target: Some("200".into()),
        });
    let mut state = State::new(std::sync::Arc::new(edition));
    let now = at(&state, date(2025, 7, 20), 10);
    let record = |indicator: &str| {
        event(
            now,
            "referent-labo-emis",
            EventKind::Record {
                stage: "mesure-impact".into(),
                participant: Some("atchoum".into()),
                indicator: indicator.into(),
                value: "212".into(),
            },
        )
    };
    let unknown = state.apply(&record("trajet")).unwrap_err().to_string();
    assert!(unknown.contains("`trajets`"), "{unknown}");
    state.apply(&record("trajets")).expect("recorded");
    let s = state.ids().stages["mesure-impact"];
    let p = state.ids().participants["atchoum"];
    let values = &state.instance_of(s, Some(p)).unwrap().indicators;
    assert_eq!((values.len(), values[0].value.as_str()), (1, "212"));
}

#[test]
fn the_on_time_run_stops_where_the_definition_cannot_go_on() {
    // Nobody can validate the diagnosis: the run must end, with it waiting.
    let mut edition = (*support::edition(EDITION)).clone();
    let role = edition
        .roles
        .iter()
        .position(|r| r.id == "direction-generale")
        .unwrap();
    edition.roles[role].members.clear();
    let mut state = State::new(std::sync::Arc::new(edition));
    let events = run_on_time(&mut state, &OnTime::default(), |_, _| {});
    assert_eq!(events.len(), 1, "only the submission: {events:?}");
    let diagnostic = state.ids().stages["diagnostic"];
    let instance = state.instance_of(diagnostic, None).unwrap();
    assert!(matches!(
        instance.progress,
        Progress::AwaitingValidation { .. }
    ));
}

#[test]
fn every_hand_in_is_kept_and_a_piece_must_name_a_deliverable_of_the_stage() {
    let mut state = up_to_kickoff();
    let day = state.edition().stages[state.ids().stages["feuille-de-route"]].start;
    let when = at(&state, day, 10);
    state
        .apply(&event(when, "serge-dobel", complete("lancement", None)))
        .expect("the kickoff is done");
    let piece = |deliverable: &str, sha: &str| jalon_core::Piece::File {
        deliverable: deliverable.into(),
        name: "feuille.pdf".into(),
        media_type: "application/pdf".into(),
        sha256: sha.into(),
        size: 10,
    };
    let hand_in = |deliverable: &str, sha: &str| EventKind::Complete {
        stage: "feuille-de-route".into(),
        participant: Some("atchoum".into()),
        comment: Some("v".into()),
        documents: vec![piece(deliverable, sha)],
    };
    let wrong = state.apply(&event(when, "ana", hand_in("feuile-de-route", "1")));
    assert!(
        matches!(wrong, Err(Rejection::UnknownDeliverable { ref suggestion, .. }) if suggestion.as_deref() == Some("feuille-de-route")),
        "{wrong:?}"
    );
    state
        .apply(&event(when, "ana", hand_in("feuille-de-route", "1")))
        .expect("handed in");
    let refuse = EventKind::Refuse {
        stage: "feuille-de-route".into(),
        participant: Some("atchoum".into()),
        comment: "le budget".into(),
    };
    let validators: Vec<String> = state
        .edition()
        .people
        .iter()
        .map(|p| p.id.clone())
        .collect();
    let refused = validators
        .iter()
        .any(|v| state.apply(&event(when, v, refuse.clone())).is_ok());
    assert!(refused, "a validator asks for changes");
    state
        .apply(&event(when, "ana", hand_in("feuille-de-route", "2")))
        .expect("handed in again");
    let stage = state.ids().stages["feuille-de-route"];
    let p = state.ids().participants["atchoum"];
    let instance = state.instance_of(stage, Some(p)).expect("an instance");
    let rounds: Vec<(u32, &str)> = instance
        .submissions
        .iter()
        .map(|s| match &s.documents[0] {
            jalon_core::Piece::File { sha256, .. } => (s.round, sha256.as_str()),
            jalon_core::Piece::Link { url, .. } => (s.round, url.as_str()),
        })
        .collect();
    assert_eq!(rounds, [(1, "1"), (2, "2")]);
}

#[test]
fn an_approval_is_announced_to_the_owners_once() {
    let mut state = support::state(EDITION);
    let handed = at(&state, date(2024, 7, 1), 9);
    state
        .apply(&event(handed, "serge-dobel", complete("diagnostic", None)))
        .expect("the diagnosis is open");
    let approved = at(&state, date(2024, 7, 2), 10);
    state
        .apply(&event(approved, "referent-dg", approve("diagnostic", None)))
        .expect("approved");
    let mut sent: Vec<Action> = Vec::new();
    deliver_until(&mut state, approved, |_, action| sent.push(action.clone()));
    let announced: Vec<&Action> = sent
        .iter()
        .filter(|a| a.kind == MessageKind::ValidationApproved)
        .collect();
    let diagnostic = state.ids().stages["diagnostic"];
    let owners = state.people_of(&state.edition().stages[diagnostic].owners, None);
    assert_eq!(announced.len(), owners.len(), "{announced:#?}");
    assert!(announced.iter().all(|a| a.due_at == approved));
    // Once: later passes find nothing more to announce.
    let mut again = Vec::new();
    let later = at(&state, date(2024, 7, 3), 10);
    deliver_until(&mut state, later, |_, action| again.push(action.kind));
    assert!(
        !again.contains(&MessageKind::ValidationApproved),
        "{again:?}"
    );
}

#[test]
fn a_key_marked_sent_is_pending_no_more() {
    let mut state = support::state("definitions/editions/2024-2025.yaml");
    let action = state
        .pending_actions()
        .nth(1)
        .expect("something pending")
        .clone();
    state.mark_sent(action.key.clone());
    assert!(state.was_sent(&action.key));
    assert!(state.pending_actions().all(|a| a.key != action.key));
    let due = state.due_actions(jiff::Timestamp::MAX);
    assert!(due.iter().all(|a| a.key != action.key));
    assert_eq!(due.len(), state.pending_actions().count());
}
