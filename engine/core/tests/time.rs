//! Time rules on a small edition written for them: offsets that land on a
//! holiday or a closure move to the working day before, and local times hold
//! across DST changes.

use std::sync::Arc;

use jalon_core::clock::{run_on_time, OnTime};
use jalon_core::{Action, MessageKind, State};
use jalon_definition::{check_paths, Limits};
use jiff::civil::{date, Date};

const EDITION: &str = r#"
programme: {id: t, name: Test}
edition: {id: t, name: Test, start: 2025-03-03, end: 2026-03-31}
time_zone: Europe/Paris
calendar:
  public_holidays: france
  closures: [{name: Fermeture d'été, from: 2025-08-04, to: 2025-08-22}]
people: [{id: ana, name: Ana, email: ana@example.org}]
roles: [{id: coordination, name: Coordination, kind: coordination, members: [ana]}]
stages:
  # Due Thursday 8 May 2025 (a holiday, hence a warning): the reminder a
  # week before lands on 1 May, a holiday too, and goes on 30 April.
  - id: printemps
    kind: task
    title: Printemps
    owners: [coordination]
    start: edition.start
    due: 2025-05-08
    reminders:
      - {when: due - 7 days, time: "09:00"}
      # Across the switch to summer time (30 March): still 09:00.
      - {when: start + 27 days, time: "09:00"}
  # A reminder 3 working days before a due date after the summer closure.
  - id: rentree
    kind: task
    title: Rentrée
    owners: [coordination]
    needs: [printemps]
    start: 2025-07-28
    due: 2025-08-26
    reminders:
      - {when: due - 3 working days, time: "09:00"}
      - {when: due - 14 days, time: "14:30"}
  # Winter again (after 26 October): 09:00 is 08:00 UTC.
  - id: hiver
    kind: task
    title: Hiver
    owners: [coordination]
    needs: [rentree]
    start: 2025-11-03
    due: 2025-11-28
    reminders:
      - {when: due - 3 working days, time: "09:00"}
templates: [{id: t, subject: "{{ stage }}", body: "x"}]
messages: {stage_opened: t, reminder: t}
"#;

fn reminders() -> Vec<(String, Date, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("t.yaml");
    std::fs::write(&path, EDITION).expect("write");
    let report = check_paths(&[path], &Limits::default()).expect("readable");
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let edition = Arc::new(report.editions.into_iter().next().expect("edition").1);
    let mut state = State::new(edition.clone());
    let mut sent: Vec<Action> = Vec::new();
    run_on_time(&mut state, &OnTime::default(), |_, a| sent.push(a.clone()));
    sent.iter()
        .filter(|a| a.kind == MessageKind::Reminder)
        .map(|a| {
            let local = a.due_at.to_zoned(edition.time_zone.clone());
            (
                edition.stages[a.stage].id.clone(),
                local.date(),
                format!("{} {}", local.strftime("%H:%M"), local.offset()),
            )
        })
        .collect()
}

#[test]
fn offsets_avoid_holidays_and_closures_and_keep_local_time() {
    let got = reminders();
    let expect = |stage: &str, day: Date, time: &str| {
        assert!(
            got.iter()
                .any(|(s, d, t)| s == stage && *d == day && t == time),
            "{stage} on {day} at {time} not in {got:#?}"
        );
    };
    // 1 May is a holiday: the reminder goes on Wednesday 30 April.
    expect("printemps", date(2025, 4, 30), "09:00 +02");
    // 3 March + 27 days = Sunday 30 March (the DST switch): Friday 28, in winter time.
    expect("printemps", date(2025, 3, 28), "09:00 +01");
    // Three working days before Tuesday 26 August count Monday 25, then skip
    // the closure (4–22 August): Friday 1 and Thursday 31 July.
    expect("rentree", date(2025, 7, 31), "09:00 +02");
    // 12 August is inside the closure: the working day before it, 1 August.
    expect("rentree", date(2025, 8, 1), "14:30 +02");
    expect("hiver", date(2025, 11, 25), "09:00 +01");
    assert_eq!(got.len(), 5, "{got:#?}");
}
