//! The state of an edition: one instance per stage (per participant for
//! `for_each` stages), folded from events. Every change re-settles only the
//! instances it can affect and recomputes their actions, which are indexed
//! by due instant so that "what is due now" never rescans the edition.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use jalon_definition::resolved::{Actor, Edition, ParticipantStatus};
use jiff::civil::Time;
use jiff::Timestamp;

use crate::action::Action;
use crate::event::Piece;
use crate::time::{local, NOTICE_TIME};
use crate::windows::{stage_windows, Moves, Override, Window};

/// Where a stage instance is in its life, at a given instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Its needs are not done.
    Waiting,
    /// Its needs are done, its start is not reached.
    Scheduled,
    Open,
    AwaitingValidation,
    Done,
    Skipped,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Waiting => "waiting",
            Lifecycle::Scheduled => "scheduled",
            Lifecycle::Open => "open",
            Lifecycle::AwaitingValidation => "awaiting validation",
            Lifecycle::Done => "done",
            Lifecycle::Skipped => "skipped",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// Not submitted (yet, or again after a refusal).
    Active,
    AwaitingValidation {
        since: Timestamp,
    },
    Done {
        at: Timestamp,
    },
    Skipped {
        at: Timestamp,
        reason: SkipReason,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// The decision chose another outcome.
    BranchNotTaken { decision: usize, outcome: usize },
    /// The participant withdrew or was not retained.
    ParticipantOut,
    /// Everything it needs was skipped.
    NeedsSkipped,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub by: usize,
    pub at: Timestamp,
    pub comment: String,
    pub round: u32,
}

/// One hand-in of the work: what was given, by whom, when.
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    /// The round it opened (1 for the first hand-in).
    pub round: u32,
    pub at: Timestamp,
    pub by: String,
    pub documents: Vec<Piece>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SelectionRecord {
    /// Everyone who could have been retained.
    pub pool: Vec<usize>,
    pub retained: Vec<usize>,
    /// Why some of the others were not, by participant.
    pub reasons: BTreeMap<usize, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub member: usize,
    pub participant: usize,
    /// One value per criterion, in the jury's criteria order.
    pub values: Vec<i64>,
    pub comment: Option<String>,
    pub at: Timestamp,
}

impl Score {
    /// One juror's weighted average for their candidate, on the jury's scale.
    pub fn weighted(&self, jury: &jalon_definition::resolved::Jury) -> f64 {
        let weight_sum: f64 = jury.criteria.iter().map(|c| c.weight).sum();
        let weighted: f64 = self
            .values
            .iter()
            .zip(&jury.criteria)
            .map(|(v, c)| *v as f64 * c.weight)
            .sum();
        weighted / weight_sum.max(f64::MIN_POSITIVE)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorValue {
    pub indicator: usize,
    pub value: compact_str::CompactString,
    pub at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub stage: usize,
    pub participant: Option<usize>,
    pub window: Window,
    pub(crate) own_override: Override,
    pub postponements: u32,
    pub postponed_at: Option<Timestamp>,
    /// The window before its last own postponement, and why it moved:
    /// what a new invitation says it replaces.
    /// Boxed, as are the other fields most instances never fill: a large
    /// edition holds tens of thousands of instances.
    pub postponed_from: Option<Box<(Window, Option<String>)>>,
    /// Its events called off (by index in the stage's events), when, and why.
    pub cancelled_events: Vec<(usize, Timestamp, Option<String>)>,
    /// When its needs were all done (and its branch chosen).
    pub ready_at: Option<Timestamp>,
    pub progress: Progress,
    /// Submissions so far; a refusal ends a round.
    pub round: u32,
    pub approvals: Vec<(usize, Timestamp)>,
    pub refusals: Vec<Refusal>,
    /// Every hand-in, oldest first: a new version after a refusal keeps
    /// the earlier ones.
    pub submissions: Vec<Submission>,
    pub selection: Option<Box<SelectionRecord>>,
    pub outcome: Option<usize>,
    pub scores: Vec<Score>,
    pub indicators: Vec<IndicatorValue>,
    /// The fingerprints of the actions its last refresh made (some since
    /// sent): what the next refresh takes back if it no longer makes them.
    pub(crate) action_fingerprints: Vec<u128>,
}

impl Instance {
    pub fn is_settled(&self) -> bool {
        matches!(
            self.progress,
            Progress::Done { .. } | Progress::Skipped { .. }
        )
    }
}

#[derive(Clone, Debug)]
pub struct ParticipantState {
    pub status: ParticipantStatus,
    pub left_at: Option<Timestamp>,
}

impl ParticipantState {
    pub fn is_out(&self) -> bool {
        matches!(
            self.status,
            ParticipantStatus::NotRetained | ParticipantStatus::Withdrawn
        )
    }
}

/// How far a status is in the funnel; `None` for those who are out.
pub fn rank(status: ParticipantStatus) -> Option<u8> {
    match status {
        ParticipantStatus::Candidate => Some(0),
        ParticipantStatus::Shortlisted => Some(1),
        ParticipantStatus::Laureate => Some(2),
        ParticipantStatus::NotRetained | ParticipantStatus::Withdrawn => None,
    }
}

/// Ids to indices, built once per edition. A fast hasher: every event looks
/// its stage and participant up here, and the ids are the definition's.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    pub stages: FxHashMap<String, usize>,
    pub participants: FxHashMap<String, usize>,
    pub people: FxHashMap<String, usize>,
}

/// The people each stage names, roles expanded once (they cannot change
/// while an edition runs).
#[derive(Clone, Debug, Default)]
pub(crate) struct StagePeople {
    pub owners: Audience,
    pub validators: Audience,
    pub escalation: Audience,
    /// Per reminder; empty for "the owners".
    pub reminders: Vec<Audience>,
}

/// Who one list of a stage names: people fixed for the edition, and, in a
/// stage run per participant, that participant's contact and roles.
#[derive(Clone, Debug, Default)]
pub(crate) struct Audience {
    /// Named directly or through roles, expanded once.
    pub fixed: Vec<usize>,
    /// `participant.service`, `participant.directions`.
    pub attached: Vec<Actor>,
    /// `participant`: its contact.
    pub contact: bool,
}

impl Audience {
    fn new(edition: &Edition, actors: &[Actor]) -> Self {
        Self {
            fixed: edition.people_named(actors, None),
            attached: actors
                .iter()
                .copied()
                .filter(|a| matches!(a, Actor::Attached(_)))
                .collect(),
            contact: actors.contains(&Actor::Participant),
        }
    }

    /// The people it names for an instance about `participant`, in id
    /// order, without repeats; borrowed when no participant's own role is
    /// named (the common case, on the core's hot path).
    pub fn people(
        &self,
        edition: &Edition,
        participant: Option<usize>,
    ) -> std::borrow::Cow<'_, [usize]> {
        match participant {
            Some(p) if !self.attached.is_empty() => {
                let mut people = self.fixed.clone();
                people.extend(edition.people_named(&self.attached, Some(p)));
                people.sort_unstable();
                people.dedup();
                std::borrow::Cow::Owned(people)
            }
            _ => std::borrow::Cow::Borrowed(&self.fixed),
        }
    }
}

/// An edition closed by a person: nothing more is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closure {
    pub at: Timestamp,
    pub by: String,
    pub reason: String,
}

/// Pending actions by their key's fingerprint ([`crate::sent::fingerprint`]),
/// computed once per key made: a lookup then compares two numbers where a
/// key of 60 bytes was hashed and compared through a pointer, a cache miss
/// in a table of a hundred thousand. Two keys would share a slot only if
/// they shared a fingerprint, the odds the sent keys already rest on (see
/// `sent.rs`). Boxed: the table doubles as it grows, and a whole action per
/// slot made that doubling the state's peak.
pub(crate) type Actions = FxHashMap<u128, Box<Action>>;

pub struct State {
    pub(crate) edition: Arc<Edition>,
    /// Nothing is sent for the edition after this instant: the end of its
    /// last day plus [`crate::time::SENDING_GRACE`].
    pub(crate) sending_ends: Timestamp,
    /// When, by whom and why the edition was closed, if it was.
    pub(crate) closed: Option<Closure>,
    pub(crate) ids: Ids,
    pub(crate) stage_people: Vec<StagePeople>,
    /// For each stage, the stages that need it or are a branch of it.
    pub(crate) dependents: Vec<Vec<usize>>,
    pub(crate) stage_overrides: std::collections::BTreeMap<usize, Override>,
    /// Edition-wide windows (a participant's own may differ).
    pub(crate) windows: Vec<Window>,
    /// Whether a date is written from `needs.done`: then finishing a stage
    /// moves the dates that follow it.
    pub(crate) follows_completion: bool,
    pub(crate) participants: Vec<ParticipantState>,
    /// Those who applied through the call, by participant index.
    pub(crate) applications: BTreeMap<usize, crate::application::ApplicationRecord>,
    pub(crate) instances: Vec<Instance>,
    pub(crate) by_stage: Vec<Vec<usize>>,
    pub(crate) index: FxHashMap<(usize, Option<usize>), usize>,
    /// Instances of each stage not yet done or skipped.
    pub(crate) unsettled: Vec<usize>,
    /// The latest instant an instance of each stage was done or skipped.
    pub(crate) settled_at: Vec<Option<Timestamp>>,
    /// Pending actions' fingerprints by due instant (see `due.rs`); the
    /// actions themselves stay in `actions`.
    pub(crate) pending: crate::due::Due,
    /// Each pending action by its key's fingerprint: an unchanged one is
    /// replaced in place, without a search of the tree.
    pub(crate) actions: Actions,
    pub(crate) sent: crate::sent::Sent,
    pub(crate) last_event_at: Option<Timestamp>,
    pub(crate) events_applied: usize,
    /// Instances whose actions were recomputed since the last
    /// [`State::take_touched`], for drivers that follow changes.
    pub(crate) touched: Vec<usize>,
    /// What each refresh computes an instance's actions into, kept for the
    /// next (the actions' vector only when small): see
    /// [`crate::actions::for_instance`].
    pub(crate) buffers: crate::actions::Buffers,
    pub(crate) memo: crate::memo::Memo,
}

impl State {
    /// The state before any event: global stages instantiated, per-participant
    /// stages for the participants the definition already places there.
    /// When, by whom and why the edition was closed, if it was.
    pub fn closed(&self) -> Option<&Closure> {
        self.closed.as_ref()
    }

    pub fn new(edition: Arc<Edition>) -> Self {
        let mut state = Self::skeleton(edition);
        let start = local(
            &state.edition.time_zone,
            state.edition.start,
            Time::midnight(),
        );
        // Exactly as many as are made: growing by doubling would leave up
        // to half the largest allocation of the state unused.
        let edition_wide = state.edition.stages.iter().filter(|s| s.for_each.is_none());
        let count = edition_wide.count()
            + (0..state.participants.len())
                .map(|p| state.stages_reached(p).count())
                .sum::<usize>();
        state.instances.reserve_exact(count);
        state.index.reserve(count);
        let mut created = Vec::with_capacity(count);
        for s in 0..state.edition.stages.len() {
            if state.edition.stages[s].for_each.is_none() {
                created.push(state.create_instance(s, None));
            }
        }
        for p in 0..state.participants.len() {
            created.extend(state.create_participant_instances(p));
        }
        state.settle(created, start);
        state
    }

    /// What the definition alone gives (ids, people, the plan's windows),
    /// with no instance yet: where [`State::new`] and a snapshot start.
    pub(crate) fn skeleton(edition: Arc<Edition>) -> Self {
        let stage_count = edition.stages.len();
        let ids = Ids {
            stages: index_of(edition.stages.iter().map(|s| s.id.as_str())),
            participants: index_of(edition.participants.iter().map(|p| p.id.as_str())),
            people: index_of(edition.people.iter().map(|p| p.id.as_str())),
        };
        let mut dependents = vec![Vec::new(); stage_count];
        for (s, stage) in edition.stages.iter().enumerate() {
            for need in stage
                .needs
                .iter()
                .chain(stage.branch_of.iter().map(|(d, _)| d))
            {
                if !dependents[*need].contains(&s) {
                    dependents[*need].push(s);
                }
            }
        }
        let windows = stage_windows(
            &edition,
            &ids.stages,
            &Moves::edition(&Default::default(), &[]),
        );
        let follows_completion = edition.stages.iter().any(|s| {
            s.start_expr
                .iter()
                .chain([&s.due_expr])
                .any(|e| e.anchor == jalon_definition::expr::Anchor::NeedsDone)
        });
        let participants = edition
            .participants
            .iter()
            .map(|p| ParticipantState {
                status: p.status,
                left_at: None,
            })
            .collect();
        let stage_people = edition
            .stages
            .iter()
            .map(|stage| StagePeople {
                owners: Audience::new(&edition, &stage.owners),
                validators: stage
                    .validation
                    .as_ref()
                    .map(|v| Audience::new(&edition, &v.by))
                    .unwrap_or_default(),
                escalation: stage
                    .escalation
                    .as_ref()
                    .map(|e| Audience::new(&edition, &e.to))
                    .unwrap_or_default(),
                reminders: stage
                    .reminders
                    .iter()
                    .map(|r| Audience::new(&edition, &r.to))
                    .collect(),
            })
            .collect();
        let sending_ends = crate::time::end_of_day(&edition.time_zone, edition.end)
            .checked_add(crate::time::SENDING_GRACE)
            .unwrap_or(Timestamp::MAX);
        let pending = crate::due::Due::new(&edition);
        State {
            edition,
            sending_ends,
            closed: None,
            ids,
            stage_people,
            dependents,
            stage_overrides: Default::default(),
            windows,
            follows_completion,
            participants,
            applications: BTreeMap::new(),
            instances: Vec::new(),
            by_stage: vec![Vec::new(); stage_count],
            index: FxHashMap::default(),
            unsettled: vec![0; stage_count],
            settled_at: vec![None; stage_count],
            pending,
            actions: FxHashMap::default(),
            sent: Default::default(),
            last_event_at: None,
            events_applied: 0,
            touched: Vec::new(),
            buffers: Default::default(),
            memo: Default::default(),
        }
    }

    pub fn edition(&self) -> &Edition {
        &self.edition
    }

    /// The edition as the log made it: the definition's, with those who
    /// applied through the call among its participants.
    pub fn shared_edition(&self) -> &Arc<Edition> {
        &self.edition
    }

    pub fn ids(&self) -> &Ids {
        &self.ids
    }

    pub fn instances(&self) -> &[Instance] {
        &self.instances
    }

    pub fn participant(&self, index: usize) -> &ParticipantState {
        &self.participants[index]
    }

    pub fn instance_of(&self, stage: usize, participant: Option<usize>) -> Option<&Instance> {
        self.index
            .get(&(stage, participant))
            .map(|&i| &self.instances[i])
    }

    pub fn events_applied(&self) -> usize {
        self.events_applied
    }

    /// When this instance opens: its start at the notice time, or when its
    /// needs were done if that is later.
    pub fn open_at(&self, instance: &Instance) -> Option<Timestamp> {
        // A stage whose dates are still to be fixed waits for them.
        if instance.window.to_be_fixed {
            return None;
        }
        let ready = instance.ready_at?;
        let start = self.instant(instance.window.start, NOTICE_TIME);
        Some(ready.max(start))
    }

    /// Where an instance is at `now`, and whether it is late.
    pub fn lifecycle(&self, instance: &Instance, now: Timestamp) -> (Lifecycle, bool) {
        let late = !instance.window.to_be_fixed && now >= self.end_of(instance.window.due);
        match &instance.progress {
            Progress::Done { .. } => (Lifecycle::Done, false),
            Progress::Skipped { .. } => (Lifecycle::Skipped, false),
            Progress::AwaitingValidation { .. } => (Lifecycle::AwaitingValidation, late),
            Progress::Active => match self.open_at(instance) {
                None => (Lifecycle::Waiting, late),
                Some(open) if now < open => (Lifecycle::Scheduled, late),
                Some(_) => (Lifecycle::Open, late),
            },
        }
    }

    // ----- building blocks used by `apply` -----

    pub(crate) fn create_instance(&mut self, stage: usize, participant: Option<usize>) -> usize {
        if let Some(&i) = self.index.get(&(stage, participant)) {
            return i;
        }
        let i = self.instances.len();
        self.instances.push(Instance {
            stage,
            participant,
            window: self.windows[stage],
            own_override: Override::default(),
            postponements: 0,
            postponed_at: None,
            postponed_from: None,
            cancelled_events: Vec::new(),
            ready_at: None,
            progress: Progress::Active,
            round: 0,
            approvals: Vec::new(),
            refusals: Vec::new(),
            submissions: Vec::new(),
            selection: None,
            outcome: None,
            scores: Vec::new(),
            indicators: Vec::new(),
            action_fingerprints: Vec::new(),
        });
        self.index.insert((stage, participant), i);
        self.by_stage[stage].push(i);
        self.unsettled[stage] += 1;
        i
    }

    /// The per-participant stages a participant's status reaches.
    fn stages_reached(&self, participant: usize) -> impl Iterator<Item = usize> + '_ {
        let reached = rank(self.participants[participant].status);
        (0..self.edition.stages.len()).filter(move |&s| {
            let needed = self.edition.stages[s].for_each.map(rank);
            matches!((reached, needed), (Some(reached), Some(Some(needed))) if reached >= needed)
        })
    }

    /// Instances of the per-participant stages a participant's status reaches.
    pub(crate) fn create_participant_instances(&mut self, participant: usize) -> Vec<usize> {
        let reached: Vec<usize> = self
            .stages_reached(participant)
            .filter(|&s| !self.index.contains_key(&(s, Some(participant))))
            .collect();
        reached
            .into_iter()
            .map(|s| self.create_instance(s, Some(participant)))
            .collect()
    }

    /// The instances that changed since the last call (with repeats).
    pub fn take_touched(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.touched)
    }

    /// Every window again, after an edition-wide change (a postponement,
    /// an edition-wide stage done when dates follow completion).
    pub(crate) fn rewindow(&mut self) {
        let done = self.done_days(None);
        self.windows = stage_windows(
            &self.edition,
            &self.ids.stages,
            &Moves::edition(&self.stage_overrides, &done),
        );
        // Each participant's own windows, worked out once (`None`: theirs
        // are the edition's).
        let mut own: FxHashMap<usize, Option<Vec<Window>>> = FxHashMap::default();
        for i in 0..self.instances.len() {
            let (stage, participant) = (self.instances[i].stage, self.instances[i].participant);
            let theirs = participant.and_then(|p| {
                own.entry(p)
                    .or_insert_with(|| self.has_own_dates(p).then(|| self.participant_windows(p)))
                    .as_ref()
                    .map(|windows| windows[stage])
            });
            let window = theirs.unwrap_or(self.windows[stage]);
            self.set_window(i, window);
        }
    }

    /// One participant's windows again, after a change of theirs (a
    /// postponement, a stage done when dates follow completion).
    pub(crate) fn rewindow_participant(&mut self, p: usize) {
        let windows = self.participant_windows(p);
        for i in self.participant_instances(p) {
            let stage = self.instances[i].stage;
            self.set_window(i, windows[stage]);
        }
    }

    fn set_window(&mut self, i: usize, window: Window) {
        if window != self.instances[i].window {
            self.instances[i].window = window;
            if !self.instances[i].is_settled() {
                self.refresh_actions(i);
            }
        }
    }

    /// Whether a participant's dates may differ from the edition's.
    fn has_own_dates(&self, p: usize) -> bool {
        self.follows_completion
            || self
                .participant_instances(p)
                .iter()
                .any(|&i| self.instances[i].own_override != Override::default())
    }

    /// A participant's postponements, by stage.
    pub(crate) fn own_overrides(&self, p: usize) -> BTreeMap<usize, Override> {
        self.participant_instances(p)
            .into_iter()
            .map(|i| (self.instances[i].stage, self.instances[i].own_override))
            .filter(|(_, o)| *o != Override::default())
            .collect()
    }

    /// Every stage's window as one participant sees it (its edition-wide
    /// stages as everyone's).
    pub(crate) fn participant_windows(&self, p: usize) -> Vec<Window> {
        let own = self.own_overrides(p);
        let done = self.done_days(Some(p));
        stage_windows(
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

    /// The day each stage was done — one participant's instance for their
    /// per-participant stages — when dates follow completion; else nothing.
    pub(crate) fn done_days(&self, participant: Option<usize>) -> Vec<Option<jiff::civil::Date>> {
        if !self.follows_completion {
            return Vec::new();
        }
        (0..self.edition.stages.len())
            .map(|s| {
                let whose = match self.edition.stages[s].for_each {
                    Some(_) => Some(participant?),
                    None => None,
                };
                let instance = &self.instances[*self.index.get(&(s, whose))?];
                match instance.progress {
                    Progress::Done { at } => {
                        Some(at.to_zoned(self.edition.time_zone.clone()).date())
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The day the last of an instance's needs was done (or is due, for
    /// one not done yet): what `needs.done` reads.
    pub fn needs_done(&self, instance: &Instance) -> Option<jiff::civil::Date> {
        let windows = match instance.participant {
            Some(p) => std::borrow::Cow::Owned(self.participant_windows(p)),
            None => std::borrow::Cow::Borrowed(&self.windows),
        };
        let done = self.done_days(instance.participant);
        let stage = &self.edition.stages[instance.stage];
        stage
            .needs
            .iter()
            .copied()
            .chain(stage.branch_of.iter().map(|(d, _)| *d))
            .map(|n| done.get(n).copied().flatten().unwrap_or(windows[n].due))
            .max()
    }

    /// People named by a list of actors (roles expanded), in id order,
    /// without repeats; `participant` is the one a per-participant
    /// instance is about, which gives `participant.service` its meaning.
    pub fn people_of(&self, actors: &[Actor], participant: Option<usize>) -> Vec<usize> {
        self.edition.people_named(actors, participant)
    }
}

fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> FxHashMap<String, usize> {
    ids.enumerate().map(|(i, id)| (id.to_owned(), i)).collect()
}
