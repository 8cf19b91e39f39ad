//! Applying one event: check everything first, change the state only when
//! the event is allowed, so that a refused event changes nothing.

use std::collections::BTreeMap;

use jalon_definition::diagnostic::did_you_mean;
use jalon_definition::resolved::ParticipantStatus;
use jiff::Timestamp;

use crate::event::{Event, EventKind};
use crate::rejection::{InstanceState, NotNow, Rejection};
use crate::state::{
    Closure, IndicatorValue, Progress, Refusal, Score, SkipReason, State, Submission,
};
use crate::windows::{stage_windows_checked, BeyondSessions, Moves, Override};

impl State {
    /// What only a new act must pass, beyond what [`State::apply`] checks:
    /// an application's dates and answers. A recorded log is replayed
    /// without it, so a definition that later closes its call earlier or
    /// asks one more question never orphans what was recorded.
    pub fn admit(&self, event: &Event) -> Result<(), Rejection> {
        match &event.kind {
            EventKind::Apply { application, .. } | EventKind::Amend { application, .. } => {
                self.admissible(application, event.at)
            }
            _ => Ok(()),
        }
    }

    /// Applies an event, or says why it is not allowed and changes nothing.
    pub fn apply(&mut self, event: &Event) -> Result<(), Rejection> {
        if let EventKind::Void { .. } = event.kind {
            return Err(Rejection::VoidNeedsTheLog);
        }
        // What was held can still be dropped (or let go, to be found
        // expired) after a close.
        let releases = matches!(event.kind, EventKind::Release { .. });
        if let Some(closure) = self.closed.as_ref().filter(|_| !releases) {
            return Err(Rejection::EditionClosed {
                at: self.show(closure.at),
            });
        }
        if let Some(last) = self.last_event_at {
            if event.at < last {
                return Err(Rejection::OutOfOrder {
                    at: self.show(event.at),
                    last: self.show(last),
                });
            }
        }
        let at = event.at;
        match &event.kind {
            EventKind::Complete {
                stage,
                participant,
                comment,
                documents,
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let definition = &self.edition.stages[self.instances[i].stage];
                if definition.selection.is_some() {
                    return Err(Rejection::UseSelect {
                        stage: stage.clone(),
                        verb: "complete".into(),
                    });
                }
                if !definition.outcomes.is_empty() {
                    return Err(Rejection::UseDecide {
                        stage: stage.clone(),
                        verb: "complete".into(),
                    });
                }
                self.require_active(i)?;
                let deliverables = &definition.deliverables;
                if let Some(piece) = documents
                    .iter()
                    .find(|d| !deliverables.iter().any(|x| x.id == d.deliverable()))
                {
                    return Err(Rejection::UnknownDeliverable {
                        stage: stage.clone(),
                        deliverable: piece.deliverable().to_owned(),
                        suggestion: did_you_mean(
                            piece.deliverable(),
                            deliverables.iter().map(|x| x.id.as_str()),
                        )
                        .map(str::to_owned),
                    });
                }
                let instance = &mut self.instances[i];
                // Most stages are handed in once: room for one, not the four
                // a first push would make (megabytes over a large edition).
                instance.submissions.reserve_exact(1);
                instance.submissions.push(Submission {
                    round: instance.round + 1,
                    at,
                    by: event.by.clone(),
                    documents: documents.clone(),
                    comment: comment.clone(),
                });
                self.submit(i, at);
            }
            EventKind::Apply {
                participant,
                application,
            } => self.apply_application(participant, application, at, &event.by)?,
            EventKind::Amend {
                participant,
                application,
            } => self.amend_application(participant, application, at, &event.by)?,
            EventKind::Approve {
                stage, participant, ..
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let person = self.validator(i, &event.by)?;
                if !matches!(
                    self.instances[i].progress,
                    Progress::AwaitingValidation { .. }
                ) {
                    return Err(self.wrong_state(i, NotNow::NothingToApprove));
                }
                if let Some((_, when)) = self.instances[i]
                    .approvals
                    .iter()
                    .find(|(p, _)| *p == person)
                {
                    return Err(Rejection::AlreadyApproved {
                        person: self.edition.people[person].name.clone(),
                        what: self.describe(i),
                        at: self.show(*when),
                    });
                }
                self.instances[i].approvals.push((person, at));
                let quorum = self.edition.stages[self.instances[i].stage]
                    .validation
                    .as_ref()
                    .map_or(1, |v| v.quorum.max(1)) as usize;
                if self.instances[i].approvals.len() >= quorum {
                    self.finish(i, at);
                } else {
                    self.refresh_actions(i);
                }
            }
            EventKind::Refuse {
                stage,
                participant,
                comment,
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let person = self.validator(i, &event.by)?;
                if !matches!(
                    self.instances[i].progress,
                    Progress::AwaitingValidation { .. }
                ) {
                    return Err(self.wrong_state(i, NotNow::NothingToRefuse));
                }
                if comment.trim().is_empty() {
                    return Err(Rejection::EmptyComment);
                }
                let instance = &mut self.instances[i];
                let round = instance.round;
                instance.refusals.push(Refusal {
                    by: person,
                    at,
                    comment: comment.trim().to_owned(),
                    round,
                });
                instance.approvals.clear();
                instance.progress = Progress::Active;
                self.refresh_actions(i);
            }
            EventKind::Select {
                stage,
                participants,
                reasons,
            } => {
                let i = self.find_instance(stage, None)?;
                self.require_active(i)?;
                let mut record = self.selection(i, stage, participants.as_deref())?;
                record.reasons = self.reasons(&record, reasons)?;
                self.instances[i].selection = Some(Box::new(record));
                self.submit(i, at);
            }
            EventKind::Score {
                stage,
                participant,
                scores,
                comment,
            } => {
                let i = self.find_instance(stage, None)?;
                self.require_active(i)?;
                let score = self.score(i, stage, &event.by, participant, scores, at)?;
                let scores = &mut self.instances[i].scores;
                scores
                    .retain(|s| !(s.member == score.member && s.participant == score.participant));
                scores.push(Score {
                    comment: comment.clone().filter(|c| !c.trim().is_empty()),
                    ..score
                });
                // Reminders go only to jurors with scores still to give.
                self.refresh_actions(i);
            }
            EventKind::Decide {
                stage,
                participant,
                outcome,
                ..
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let definition = &self.edition.stages[self.instances[i].stage];
                if definition.outcomes.is_empty() {
                    return Err(Rejection::NotADecision {
                        stage: stage.clone(),
                    });
                }
                let Some(o) = definition.outcomes.iter().position(|o| &o.id == outcome) else {
                    return Err(Rejection::UnknownOutcome {
                        outcome: outcome.clone(),
                        stage: stage.clone(),
                        known: list(definition.outcomes.iter().map(|o| o.id.as_str())),
                    });
                };
                self.require_active(i)?;
                self.instances[i].outcome = Some(o);
                self.submit(i, at);
            }
            EventKind::Record {
                stage,
                participant,
                indicator,
                value,
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let definition = &self.edition.stages[self.instances[i].stage];
                let Some(k) = definition
                    .indicators
                    .iter()
                    .position(|x| &x.id == indicator)
                else {
                    return Err(Rejection::UnknownIndicator {
                        indicator: indicator.clone(),
                        stage: stage.clone(),
                        known: list(definition.indicators.iter().map(|x| x.id.as_str())),
                    });
                };
                if matches!(self.instances[i].progress, Progress::Skipped { .. }) {
                    return Err(self.wrong_state(i, NotNow::NothingToMeasure));
                }
                self.instances[i].indicators.push(IndicatorValue {
                    indicator: k,
                    value: value.as_str().into(),
                    at,
                });
            }
            EventKind::Withdraw { participant, .. } => {
                let p = self.find_participant(participant)?;
                self.withdraw(p, at)?;
            }
            EventKind::Postpone {
                stage,
                participant,
                start,
                due,
                reason,
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let former = self.instances[i].window;
                self.postpone(
                    i,
                    Override {
                        start: *start,
                        due: *due,
                    },
                    at,
                )?;
                // Fixing a date `à fixer` replaces nothing anyone was told.
                self.instances[i].postponed_from =
                    (!former.to_be_fixed).then(|| Box::new((former, reason.clone())));
            }
            EventKind::Adjourn {
                stage,
                participant,
                reason,
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let former = self.instances[i].window;
                let next = self.next_session(i)?;
                self.postpone(i, next, at)?;
                self.instances[i].postponed_from = Some(Box::new((former, reason.clone())));
            }
            EventKind::CancelEvent {
                stage,
                participant,
                event,
                reason,
            } => {
                let i = self.find_instance(stage, participant.as_deref())?;
                let definition = &self.edition.stages[self.instances[i].stage];
                let Some(k) = definition.events.iter().position(|e| &e.id == event) else {
                    return Err(Rejection::UnknownEvent {
                        event: event.clone(),
                        stage: stage.clone(),
                        known: list(definition.events.iter().map(|e| e.id.as_str())),
                    });
                };
                if self.instances[i].cancelled_events.iter().any(|c| c.0 == k) {
                    return Err(Rejection::EventAlreadyCancelled {
                        event: event.clone(),
                    });
                }
                let shift = self.instances[i].window.start - definition.start;
                // A series can be called off until its last session begins.
                let calendar = self.edition.calendar_of(self.instances[i].stage);
                let sessions = definition.events[k].held(shift, calendar);
                let day = sessions.last().map(|o| o.date);
                let starts = day.map(|d| {
                    crate::time::local(&self.edition.time_zone, d, definition.events[k].time)
                });
                if let Some(starts) = starts.filter(|s| *s <= at) {
                    return Err(Rejection::EventPassed {
                        event: event.clone(),
                        start: starts
                            .to_zoned(self.edition.time_zone.clone())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string(),
                    });
                }
                self.instances[i]
                    .cancelled_events
                    .push((k, at, reason.clone()));
                self.settle(vec![i], at);
            }
            EventKind::Void { .. } => return Err(Rejection::VoidNeedsTheLog),
            EventKind::Close { reason } => self.close(Closure {
                at,
                by: event.by.clone(),
                reason: reason.clone(),
            }),
            EventKind::Release { .. } | EventKind::Retry { .. } => {}
        }
        self.last_event_at = Some(at);
        self.events_applied += 1;
        Ok(())
    }

    // ----- lookups -----

    fn find_stage(&self, id: &str) -> Result<usize, Rejection> {
        self.ids
            .stages
            .get(id)
            .copied()
            .ok_or_else(|| Rejection::UnknownStage {
                id: id.to_owned(),
                suggestion: suggestion(id, self.edition.stages.iter().map(|s| s.id.as_str())),
            })
    }

    pub(crate) fn find_participant(&self, id: &str) -> Result<usize, Rejection> {
        self.ids
            .participants
            .get(id)
            .copied()
            .ok_or_else(|| Rejection::UnknownParticipant {
                id: id.to_owned(),
                suggestion: suggestion(id, self.edition.participants.iter().map(|p| p.id.as_str())),
            })
    }

    pub(crate) fn find_person(&self, id: &str) -> Result<usize, Rejection> {
        self.ids
            .people
            .get(id)
            .copied()
            .ok_or_else(|| Rejection::UnknownPerson {
                id: id.to_owned(),
                suggestion: suggestion(id, self.edition.people.iter().map(|p| p.id.as_str())),
            })
    }

    /// A date written as in definitions (`2025-03-07`, `start + 35 working
    /// days`, `jury.due + 1 week`), read against the instance's window as it
    /// stands, with its start replaced by `start` when one is given: what
    /// `postpone` takes. `None` when the date cannot be computed.
    pub fn date_for(
        &self,
        stage: &str,
        participant: Option<&str>,
        expr: &jalon_definition::expr::DateExpr,
        start: Option<jiff::civil::Date>,
    ) -> Result<Option<jiff::civil::Date>, Rejection> {
        let i = self.find_instance(stage, participant)?;
        let instance = &self.instances[i];
        let window = instance.window;
        let windows = match instance.participant {
            Some(p) => self.participant_windows(p),
            None => self.windows.clone(),
        };
        Ok(crate::windows::evaluate(
            &self.edition,
            instance.stage,
            &self.ids.stages,
            expr,
            (Some(start.unwrap_or(window.start)), Some(window.due)),
            &windows,
            self.needs_done(instance),
        ))
    }

    fn find_instance(&self, stage: &str, participant: Option<&str>) -> Result<usize, Rejection> {
        let s = self.find_stage(stage)?;
        let per_participant = self.edition.stages[s].for_each.is_some();
        let p = match (per_participant, participant) {
            (true, None) => {
                return Err(Rejection::ParticipantNeeded {
                    stage: stage.to_owned(),
                })
            }
            (false, Some(_)) => {
                return Err(Rejection::NoParticipantExpected {
                    stage: stage.to_owned(),
                })
            }
            (true, Some(id)) => Some(self.find_participant(id)?),
            (false, None) => None,
        };
        self.index.get(&(s, p)).copied().ok_or_else(|| {
            let id = participant.unwrap_or_default();
            let status = p.map(|p| self.participants[p].status);
            let why = match status {
                Some(ParticipantStatus::NotRetained) => "they were not retained".to_owned(),
                Some(ParticipantStatus::Withdrawn) => "they withdrew".to_owned(),
                Some(status) => format!(
                    "the stage is for each {} and they are {}",
                    status_word(self.edition.stages[s].for_each),
                    status_word(Some(status))
                ),
                None => String::new(),
            };
            Rejection::NoInstance {
                stage: stage.to_owned(),
                participant: id.to_owned(),
                why,
            }
        })
    }

    fn validator(&self, i: usize, by: &str) -> Result<usize, Rejection> {
        let stage = &self.edition.stages[self.instances[i].stage];
        if stage.validation.is_none() {
            return Err(Rejection::NoValidation {
                stage: stage.id.clone(),
            });
        }
        let person = self.find_person(by)?;
        // The stage's validators, roles expanded once for the edition.
        let instance = &self.instances[i];
        let audience = &self.stage_people[instance.stage].validators;
        let validators = audience.people(&self.edition, instance.participant);
        if !validators.contains(&person) {
            return Err(Rejection::NotAValidator {
                person: self.edition.people[person].name.clone(),
                what: self.describe(i),
                validators: list(
                    validators
                        .iter()
                        .map(|&v| self.edition.people[v].name.as_str()),
                ),
            });
        }
        Ok(person)
    }

    // ----- state checks -----

    /// `stage` or `stage for participant`, for messages.
    pub(crate) fn describe(&self, i: usize) -> String {
        let instance = &self.instances[i];
        let stage = &self.edition.stages[instance.stage].id;
        match instance.participant {
            Some(p) => format!("{stage} for {}", self.edition.participants[p].id),
            None => stage.clone(),
        }
    }

    pub(crate) fn show(&self, at: Timestamp) -> String {
        at.to_zoned(self.edition.time_zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// Nothing is due any more: every instance's actions are dropped.
    fn close(&mut self, closure: Closure) {
        self.closed = Some(closure);
        for i in 0..self.instances.len() {
            self.refresh_actions(i);
        }
    }

    fn wrong_state(&self, i: usize, why: NotNow) -> Rejection {
        let instance = &self.instances[i];
        let state = match &instance.progress {
            Progress::Active if instance.ready_at.is_none() => InstanceState::WaitingForNeeds,
            Progress::Active => InstanceState::Open,
            Progress::AwaitingValidation { since } => InstanceState::AwaitingValidation {
                since: self.show(*since),
            },
            Progress::Done { at } => InstanceState::Done {
                since: self.show(*at),
            },
            Progress::Skipped { reason, .. } => InstanceState::Skipped {
                reason: self.skip_words(reason),
            },
        };
        Rejection::WrongState {
            what: self.describe(i),
            state,
            why,
        }
    }

    pub fn skip_words(&self, reason: &SkipReason) -> String {
        match reason {
            SkipReason::BranchNotTaken { decision, outcome } => {
                let stage = &self.edition.stages[*decision];
                format!(
                    "the decision `{}` chose `{}`",
                    stage.id, stage.outcomes[*outcome].id
                )
            }
            SkipReason::ParticipantOut => "the participant is out of the edition".into(),
            SkipReason::NeedsSkipped => "everything it needs was skipped".into(),
        }
    }

    fn require_active(&self, i: usize) -> Result<(), Rejection> {
        let instance = &self.instances[i];
        match instance.progress {
            Progress::Active if instance.ready_at.is_some() => Ok(()),
            Progress::Active => {
                let stage = &self.edition.stages[instance.stage];
                let needs = list(
                    stage
                        .needs
                        .iter()
                        .map(|&n| self.edition.stages[n].id.as_str()),
                );
                Err(self.wrong_state(i, NotNow::NeedsFirst { needs }))
            }
            Progress::AwaitingValidation { .. } => Err(self.wrong_state(i, NotNow::AnswerFirst)),
            _ => Err(self.wrong_state(i, NotNow::Closed)),
        }
    }

    // ----- transitions -----

    /// A submission: awaiting validation when the stage has one, else done.
    fn submit(&mut self, i: usize, at: Timestamp) {
        let stage = self.instances[i].stage;
        let instance = &mut self.instances[i];
        instance.round += 1;
        instance.approvals.clear();
        if self.edition.stages[stage].validation.is_some() {
            instance.progress = Progress::AwaitingValidation { since: at };
            self.refresh_actions(i);
        } else {
            self.finish(i, at);
        }
    }

    /// Done: what depends on it may open, and a selection takes effect.
    fn finish(&mut self, i: usize, at: Timestamp) {
        self.settle_instance(i, Progress::Done { at }, at);
        self.apply_selection(i, at);
    }

    pub(crate) fn participant_instances(&self, p: usize) -> Vec<usize> {
        (0..self.edition.stages.len())
            .filter_map(|s| self.index.get(&(s, Some(p))).copied())
            .collect()
    }

    pub(crate) fn edition_wide_instances(&self) -> Vec<usize> {
        (0..self.edition.stages.len())
            .filter_map(|s| self.index.get(&(s, None)).copied())
            .filter(|&i| !self.instances[i].is_settled())
            .collect()
    }

    fn withdraw(&mut self, p: usize, at: Timestamp) -> Result<(), Rejection> {
        let state = &self.participants[p];
        if state.is_out() {
            return Err(Rejection::AlreadyOut {
                participant: self.edition.participants[p].id.clone(),
                status: status_word(Some(state.status)).to_owned(),
            });
        }
        self.participants[p].status = ParticipantStatus::Withdrawn;
        self.participants[p].left_at = Some(at);
        let mut touched = self.participant_instances(p);
        touched.extend(self.edition_wide_instances());
        // Settled selections no longer announce anything to them either.
        touched
            .extend((0..self.instances.len()).filter(|&i| self.instances[i].selection.is_some()));
        self.settle(touched, at);
        Ok(())
    }

    fn postpone(&mut self, i: usize, new: Override, at: Timestamp) -> Result<(), Rejection> {
        if new.start.is_none() && new.due.is_none() {
            return Err(Rejection::NothingToPostpone);
        }
        if self.instances[i].is_settled() {
            return Err(self.wrong_state(i, NotNow::DatesFixed));
        }
        let stage = self.instances[i].stage;
        let participant = self.instances[i].participant;
        let moved = |target: &mut Override| {
            if new.start.is_some() {
                target.start = new.start;
            }
            if new.due.is_some() {
                target.due = new.due;
            }
        };
        // Work out the new window before changing anything.
        let (mut stage_overrides, mut own) = (self.stage_overrides.clone(), BTreeMap::new());
        let done = self.done_days(participant);
        let (windows, beyond) = match participant {
            None => {
                moved(stage_overrides.entry(stage).or_default());
                stage_windows_checked(
                    &self.edition,
                    &self.ids.stages,
                    &Moves::edition(&stage_overrides, &done),
                )
            }
            Some(p) => {
                own = self.own_overrides(p);
                moved(own.entry(stage).or_default());
                stage_windows_checked(
                    &self.edition,
                    &self.ids.stages,
                    &Moves {
                        stages: &self.stage_overrides,
                        own: Some(&own),
                        global: Some(&self.windows),
                        done: &done,
                    },
                )
            }
        };
        if let Some(beyond) = beyond {
            return Err(self.beyond_sessions(&beyond, participant));
        }
        let window = windows[stage];
        if !window.to_be_fixed && window.due < window.start {
            return Err(Rejection::DueBeforeStart {
                start: window.start.to_string(),
                due: window.due.to_string(),
            });
        }
        self.stage_overrides = stage_overrides;
        let instance = &mut self.instances[i];
        if let Some(o) = own.get(&stage) {
            instance.own_override = *o;
        }
        instance.postponements += 1;
        instance.postponed_at = Some(at);
        match participant {
            // Everyone's dates written from it move.
            None => self.rewindow(),
            // That participant's dates written from it move.
            Some(p) => self.rewindow_participant(p),
        }
        self.refresh_actions(i);
        Ok(())
    }
}

impl State {
    /// The instance's session-dated ends moved to the next session of
    /// their list, as a postponement.
    fn next_session(&self, i: usize) -> Result<Override, Rejection> {
        if self.instances[i].is_settled() {
            return Err(self.wrong_state(i, NotNow::DatesFixed));
        }
        let definition = &self.edition.stages[self.instances[i].stage];
        let window = self.instances[i].window;
        let mut next = Override::default();
        let ends = [
            (
                definition.start_expr.as_ref(),
                window.start,
                &mut next.start,
            ),
            (Some(&definition.due_expr), window.due, &mut next.due),
        ];
        for (expr, now, slot) in ends {
            let Some(session) = expr
                .and_then(|e| e.session.as_ref())
                .and_then(|s| self.edition.session(&s.id))
            else {
                continue;
            };
            *slot = Some(session.after(now).ok_or_else(|| Rejection::LastSession {
                what: self.describe(i),
                session: session.name.clone(),
                last: session.last().unwrap_or(now).to_string(),
            })?);
        }
        if next == Override::default() {
            return Err(Rejection::NotOnSessions {
                stage: definition.id.clone(),
            });
        }
        Ok(next)
    }

    /// A move refused because it pushes a session-dated stage (of the
    /// same participant, or of everyone) past its list's last session.
    fn beyond_sessions(&self, beyond: &BeyondSessions, participant: Option<usize>) -> Rejection {
        let stage = &self.edition.stages[beyond.stage];
        let whose = stage.for_each.and(participant);
        let what = match whose {
            Some(p) => format!("{} for {}", stage.id, self.edition.participants[p].id),
            None => stage.id.clone(),
        };
        let session = self.edition.session(&beyond.session);
        Rejection::NoSessionAfter {
            what,
            session: session.map_or_else(|| beyond.session.clone(), |s| s.name.clone()),
            last: session
                .and_then(|s| s.last())
                .map_or_else(String::new, |d| d.to_string()),
            after: beyond.from.to_string(),
        }
    }
}

fn suggestion<'a>(wrong: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    did_you_mean(wrong, known).map(str::to_owned)
}

pub(crate) fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn status_word(status: Option<ParticipantStatus>) -> &'static str {
    match status {
        None => "participant",
        Some(ParticipantStatus::Candidate) => "candidate",
        Some(ParticipantStatus::Shortlisted) => "shortlisted",
        Some(ParticipantStatus::Laureate) => "laureate",
        Some(ParticipantStatus::NotRetained) => "not retained",
        Some(ParticipantStatus::Withdrawn) => "withdrawn",
    }
}
