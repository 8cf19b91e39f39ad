//! A call for applications in the core: applications folded into the
//! edition as candidates, refused outside the call's dates or with a wrong
//! answer, changed until the call closes, confirmed by email, look-alikes
//! flagged, and an eligibility decision whose reasons reach the candidates.

mod support;

use std::collections::BTreeMap;

use jalon_core::clock::deliver_until;
use jalon_core::{
    Action, Application, Channel, Detail, Event, EventKind, MessageKind, Problem, Rejection, Same,
    State,
};
use jiff::civil::{date, Date, Time};
use jiff::Timestamp;

const EDITION: &str = "tests/fixtures/call/appel.yaml";

fn at(state: &State, day: Date, hour: i8, minute: i8) -> Timestamp {
    jalon_core::time::local(
        &state.edition().time_zone,
        day,
        Time::constant(hour, minute, 0, 0),
    )
}

fn application(name: &str, organisation: &str, email: &str) -> Application {
    Application {
        name: name.into(),
        organisation: organisation.into(),
        description: "Un projet pour les proches aidants du département.".into(),
        theme: Some("aidants".into()),
        contact_name: "Zoé Porteuse".into(),
        contact_email: email.into(),
        language: None,
        answers: BTreeMap::from([
            ("effectif".into(), "12".into()),
            ("statut".into(), "Association".into()),
            ("finance".into(), "no".into()),
        ]),
    }
}

fn apply(at: Timestamp, id: &str, application: Application) -> Event {
    Event {
        at,
        by: application.contact_email.clone(),
        channel: Channel::Web,
        kind: EventKind::Apply {
            participant: id.into(),
            application,
        },
    }
}

/// A new act, as the runtime records it: admitted, then applied.
fn record(state: &mut State, event: &Event) -> Result<(), Rejection> {
    state.admit(event)?;
    state.apply(event)
}

fn due(state: &mut State, until: Timestamp) -> Vec<Action> {
    let mut out = Vec::new();
    deliver_until(state, until, |_, action| out.push(action.clone()));
    out
}

#[test]
fn an_application_becomes_a_candidate_confirmed_by_email_and_changes_until_the_call_closes() {
    let mut state = support::state(EDITION);
    let before = state.edition().participants.len();
    let window = state.call_window().expect("a call");
    assert_eq!(window.closes, at(&state, date(2027, 1, 29), 12, 0));

    // Before the call opens: refused, nothing changes.
    let early = apply(
        at(&state, date(2027, 1, 2), 10, 0),
        "cafe-zoe",
        application("Café Zoé", "Zoé & Cie", "zoe@example.org"),
    );
    assert!(matches!(
        record(&mut state, &early),
        Err(Rejection::CallNotOpen { opens: Some(_) })
    ));
    assert_eq!(state.edition().participants.len(), before);

    let opened = at(&state, date(2027, 1, 11), 10, 0);
    record(
        &mut state,
        &apply(
            opened,
            "cafe-zoe",
            application("Café Zoé", "Zoé & Cie", "zoe@example.org"),
        ),
    )
    .expect("recorded");
    let p = state.ids().participants["cafe-zoe"];
    assert_eq!(state.edition().participants[p].name, "Café Zoé");
    assert_eq!(
        state.participant(p).status,
        jalon_definition::resolved::ParticipantStatus::Candidate
    );
    assert!(state.application(p).is_some());
    // The confirmation goes to the applicant at once.
    let sent = due(&mut state, opened);
    let confirmation: Vec<&Action> = sent
        .iter()
        .filter(|a| a.kind == MessageKind::ApplicationReceived)
        .collect();
    assert_eq!(confirmation.len(), 1, "{sent:#?}");
    assert_eq!(
        confirmation[0].recipient,
        jalon_core::Recipient::Participant(p)
    );
    assert_eq!(
        confirmation[0].detail,
        Detail::Application {
            participant: p,
            revision: 0
        }
    );

    // The same id again is refused; so is a wrong answer, naming it.
    let again = apply(
        opened,
        "cafe-zoe",
        application("Autre", "Autre", "autre@example.org"),
    );
    assert_eq!(
        record(&mut state, &again),
        Err(Rejection::ParticipantExists {
            participant: "cafe-zoe".into()
        })
    );
    let mut wrong = application("Bis", "Bis", "bis@example.org");
    wrong.answers.insert("effectif".into(), "douze".into());
    assert_eq!(
        record(&mut state, &apply(opened, "bis", wrong)),
        Err(Rejection::InvalidApplication {
            field: "effectif".into(),
            problem: Problem::NotANumber
        })
    );

    // A change before the deadline: the details follow, a new confirmation.
    let mut changed = application("Café Zoé", "Zoé & Cie", "zoe@example.org");
    changed.description = "Un café des aidants, ouvert le samedi.".into();
    let change_at = at(&state, date(2027, 1, 29), 11, 59);
    record(
        &mut state,
        &Event {
            at: change_at,
            by: "zoe@example.org".into(),
            channel: Channel::Link,
            kind: EventKind::Amend {
                participant: "cafe-zoe".into(),
                application: changed.clone(),
            },
        },
    )
    .expect("changed before noon");
    assert_eq!(
        state.edition().participants[p].description.as_deref(),
        Some("Un café des aidants, ouvert le samedi.")
    );
    assert_eq!(state.application(p).map(|r| r.revisions.len()), Some(2));
    let sent = due(&mut state, change_at);
    assert!(sent.iter().any(|a| a.detail
        == Detail::Application {
            participant: p,
            revision: 1
        }));

    // At noon the call is closed: no more changes, no more applications.
    let late = at(&state, date(2027, 1, 29), 12, 0);
    let refused = record(
        &mut state,
        &Event {
            at: late,
            by: "zoe@example.org".into(),
            channel: Channel::Link,
            kind: EventKind::Amend {
                participant: "cafe-zoe".into(),
                application: changed,
            },
        },
    );
    assert!(
        matches!(refused, Err(Rejection::CallClosed { .. })),
        "{refused:?}"
    );
    assert!(matches!(
        record(
            &mut state,
            &apply(
                late,
                "tard",
                application("Tard", "Tard", "tard@example.org")
            )
        ),
        Err(Rejection::CallClosed { .. })
    ));
}

#[test]
fn a_look_alike_is_flagged_to_the_call_owners_once() {
    let mut state = support::state(EDITION);
    let day = at(&state, date(2027, 1, 12), 9, 30);
    // Same organisation as a participant of the definition, written
    // differently (case, apostrophe, spaces).
    record(
        &mut state,
        &apply(
            day,
            "atelier-2",
            application("Atelier deux", "l'atelier  solidaire", "other@example.org"),
        ),
    )
    .expect("recorded");
    let p = state.ids().participants["atelier-2"];
    let first = state.ids().participants["atelier-deja-la"];
    assert_eq!(state.look_alikes(p), vec![(first, Same::Organisation)]);
    // Same contact address as the first applicant.
    record(
        &mut state,
        &apply(
            day,
            "autre",
            application("Autre projet", "Autre structure", "OTHER@example.org"),
        ),
    )
    .expect("recorded");
    let q = state.ids().participants["autre"];
    assert_eq!(state.look_alikes(q), vec![(p, Same::Contact)]);
    let sent = due(&mut state, day);
    let flags: Vec<&Action> = sent
        .iter()
        .filter(|a| a.kind == MessageKind::DuplicateApplication)
        .collect();
    // One per look-alike application, to the call's owner (Ana).
    assert_eq!(flags.len(), 2, "{flags:#?}");
    let ana = state.ids().people["ana"];
    assert!(flags
        .iter()
        .all(|a| a.recipient == jalon_core::Recipient::Person(ana)));
}

#[test]
fn the_eligibility_decision_tells_each_applicant_with_the_reason() {
    let mut state = support::state(EDITION);
    let day = at(&state, date(2027, 1, 12), 9, 30);
    for (id, name, email) in [
        ("alpha", "Alpha", "alpha@example.org"),
        ("beta", "Bêta", "beta@example.org"),
    ] {
        record(&mut state, &apply(day, id, application(name, name, email))).expect("recorded");
    }
    due(&mut state, day);
    let decided = at(&state, date(2027, 2, 1), 10, 0);
    record(
        &mut state,
        &Event {
            at: decided,
            by: "ana".into(),
            channel: Channel::Web,
            kind: EventKind::Select {
                stage: "appel".into(),
                participants: Some(vec!["alpha".into(), "atelier-deja-la".into()]),
                reasons: BTreeMap::from([("beta".into(), "Hors du territoire".into())]),
            },
        },
    )
    .expect("decided");
    let beta = state.ids().participants["beta"];
    assert_eq!(
        state.participant(beta).status,
        jalon_definition::resolved::ParticipantStatus::NotRetained
    );
    let sent = due(&mut state, decided);
    let not_retained: Vec<&Action> = sent
        .iter()
        .filter(|a| a.kind == MessageKind::SelectionNotRetained)
        .collect();
    assert_eq!(not_retained.len(), 1);
    assert_eq!(
        not_retained[0].recipient,
        jalon_core::Recipient::Participant(beta)
    );
    // After the decision, the call takes nothing more, whatever the date.
    assert!(!state.call_window().expect("a call").is_open(decided));
}

#[test]
fn a_replayed_application_is_not_checked_again() {
    // Recorded under a call that asked less; the definition now requires
    // an answer it lacks, and its dates are past: the log still replays.
    let mut state = support::state(EDITION);
    let mut sparse = application("Ancien", "Ancienne structure", "ancien@example.org");
    sparse.answers.remove("finance");
    let long_after = at(&state, date(2027, 3, 1), 9, 0);
    let replayed = apply(long_after, "ancien", sparse.clone());
    assert!(
        state.admit(&replayed).is_err(),
        "a new act would be refused"
    );
    state.apply(&replayed).expect("a recorded one replays");
    assert!(state.ids().participants.contains_key("ancien"));
}

#[test]
fn answers_are_checked_against_the_call_questions() {
    let state = support::state(EDITION);
    let (_, call) = state.edition().call().expect("a call");
    let mut a = application("", "Org", "pas-une-adresse");
    a.theme = Some("inconnu".into());
    a.answers.insert("statut".into(), "Coopérative".into());
    a.answers
        .insert("site".into(), "javascript:alert(1)".into());
    a.answers.insert("effectif".into(), "-3".into());
    a.answers.insert("ailleurs".into(), "x".into());
    a.answers.remove("finance");
    let problems: Vec<(String, Problem)> = a.problems(state.edition(), call);
    assert_eq!(
        problems,
        vec![
            ("name".into(), Problem::Missing),
            ("contact_email".into(), Problem::NotAnEmail),
            ("theme".into(), Problem::NotAChoice),
            ("effectif".into(), Problem::TooSmall { min: 0 }),
            ("statut".into(), Problem::NotAChoice),
            ("site".into(), Problem::NotAnAddress),
            ("finance".into(), Problem::Missing),
            ("ailleurs".into(), Problem::UnknownQuestion),
        ]
    );
    // Normalised: spaces in numbers, yes/no in words, the address's case.
    let mut typed = application(" Nom ", " Org ", " Zoe@Example.ORG ");
    typed.answers.insert("effectif".into(), "1 200".into());
    typed.answers.insert("finance".into(), "Oui".into());
    let normal = typed.normalised(call);
    assert_eq!(normal.contact_email, "zoe@example.org");
    assert_eq!(normal.answers["effectif"], "1200");
    assert_eq!(normal.answers["finance"], "yes");
    assert!(normal.problems(state.edition(), call).is_empty());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_text() -> impl Strategy<Value = String> {
        // Any characters, invisible and control ones included, some long.
        prop_oneof![
            ".{0,40}",
            "\\PC{0,300}",
            Just(String::new()),
            "[ \u{a0}\u{202f}0-9]{0,12}",
            "(oui|non|yes|no|Oui|NON| yes )",
        ]
    }

    fn any_application() -> impl Strategy<Value = Application> {
        (
            (any_text(), any_text(), any_text(), any_text()),
            (any_text(), any_text()),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("effectif".to_owned()),
                    Just("statut".to_owned()),
                    Just("site".to_owned()),
                    Just("finance".to_owned()),
                    Just("budget".to_owned()),
                    "[a-z]{1,8}"
                ],
                any_text(),
                0..6,
            ),
        )
            .prop_map(
                |(
                    (name, organisation, description, theme),
                    (contact_name, contact_email),
                    answers,
                )| {
                    Application {
                        name,
                        organisation,
                        description,
                        theme: Some(theme),
                        contact_name,
                        contact_email,
                        language: None,
                        answers,
                    }
                },
            )
    }

    proptest! {
        /// Whatever is typed: checking never panics, normalising twice is
        /// normalising once, and an application the checks pass is taken
        /// by the core (and one they refuse is refused, naming a field).
        #[test]
        fn any_application_is_checked_without_panic_and_the_core_agrees(application in any_application()) {
            let mut state = support::state(EDITION);
            let (_, call) = state.edition().call().expect("a call");
            let call = call.clone();
            let once = application.normalised(&call);
            prop_assert_eq!(once.clone().normalised(&call), once.clone());
            let problems = once.problems(state.edition(), &call);
            let day = at(&state, date(2027, 1, 12), 9, 30);
            let result = record(&mut state, &apply(day, "candidat", once));
            match (problems.first(), result) {
                (None, Ok(())) => {
                    prop_assert!(state.ids().participants.contains_key("candidat"));
                }
                (Some((field, problem)), Err(Rejection::InvalidApplication { field: f, problem: p })) => {
                    prop_assert_eq!(field, &f);
                    prop_assert_eq!(problem, &p);
                }
                (problems, result) => prop_assert!(false, "{problems:?} but {result:?}"),
            }
        }
    }
}
