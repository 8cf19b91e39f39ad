//! The state of an edition: one instance per stage (per participant for
//! `for_each` stages), folded from events. Every change re-settles only the
//! instances it can affect and recomputes their actions, which are indexed
//! by due instant so that "what is due now" never rescans the edition.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

use jalon_definition::resolved::{Actor, Edition, ParticipantStatus};
use jiff::civil::Time;
use jiff::Timestamp;

use crate::action::{Action, Key};
use crate::time::{local, NOTICE_TIME};
use crate::windows::{instance_window, stage_windows, Override, Window};

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

#[derive(Clone, Debug, PartialEq)]
pub struct SelectionRecord {
    /// Everyone who could have been retained.
    pub pool: Vec<usize>,
    pub retained: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub member: usize,
    pub participant: usize,
    /// One value per criterion, in the jury's criteria order.
    pub values: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorValue {
    pub indicator: usize,
    pub value: String,
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
    /// When its needs were all done (and its branch chosen).
    pub ready_at: Option<Timestamp>,
    pub progress: Progress,
    /// Submissions so far; a refusal ends a round.
    pub round: u32,
    pub approvals: Vec<(usize, Timestamp)>,
    pub refusals: Vec<Refusal>,
    pub selection: Option<SelectionRecord>,
    pub outcome: Option<usize>,
    pub scores: Vec<Score>,
    pub indicators: Vec<IndicatorValue>,
    pub(crate) action_keys: Vec<Key>,
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

/// Ids to indices, built once per edition.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    pub stages: HashMap<String, usize>,
    pub participants: HashMap<String, usize>,
    pub people: HashMap<String, usize>,
}

/// The people each stage names, roles expanded once (they cannot change
/// while an edition runs).
#[derive(Clone, Debug, Default)]
pub(crate) struct StagePeople {
    pub owners: Vec<usize>,
    pub validators: Vec<usize>,
    pub escalation: Vec<usize>,
    /// Per reminder; empty for "the owners".
    pub reminders: Vec<Vec<usize>>,
}

pub struct State {
    pub(crate) edition: Arc<Edition>,
    pub(crate) ids: Ids,
    pub(crate) stage_people: Vec<StagePeople>,
    /// For each stage, the stages that need it or are a branch of it.
    pub(crate) dependents: Vec<Vec<usize>>,
    pub(crate) stage_overrides: std::collections::BTreeMap<usize, Override>,
    pub(crate) windows: Vec<Window>,
    pub(crate) participants: Vec<ParticipantState>,
    pub(crate) instances: Vec<Instance>,
    pub(crate) by_stage: Vec<Vec<usize>>,
    pub(crate) index: FxHashMap<(usize, Option<usize>), usize>,
    /// Instances of each stage not yet done or skipped.
    pub(crate) unsettled: Vec<usize>,
    /// The latest instant an instance of each stage was done or skipped.
    pub(crate) settled_at: Vec<Option<Timestamp>>,
    /// Pending actions in due order (then by key, for a stable order).
    pub(crate) pending: BTreeMap<(Timestamp, Key), Action>,
    // Keys are hashed on every change: a fast hasher, as keys are ours.
    /// When each pending action is due, to find it by key.
    pub(crate) due_of: FxHashMap<Key, Timestamp>,
    pub(crate) sent: FxHashSet<Key>,
    pub(crate) last_event_at: Option<Timestamp>,
    pub(crate) events_applied: usize,
    /// Instances whose actions were recomputed since the last
    /// [`State::take_touched`], for drivers that follow changes.
    pub(crate) touched: Vec<usize>,
}

impl State {
    /// The state before any event: global stages instantiated, per-participant
    /// stages for the participants the definition already places there.
    pub fn new(edition: Arc<Edition>) -> Self {
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
        let windows = stage_windows(&edition, &ids.stages, &Default::default());
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
                owners: people_of(&edition, &stage.owners),
                validators: stage
                    .validation
                    .as_ref()
                    .map(|v| people_of(&edition, &v.by))
                    .unwrap_or_default(),
                escalation: stage
                    .escalation
                    .as_ref()
                    .map(|e| people_of(&edition, &e.to))
                    .unwrap_or_default(),
                reminders: stage
                    .reminders
                    .iter()
                    .map(|r| people_of(&edition, &r.to))
                    .collect(),
            })
            .collect();
        let mut state = State {
            edition,
            ids,
            stage_people,
            dependents,
            stage_overrides: Default::default(),
            windows,
            participants,
            instances: Vec::new(),
            by_stage: vec![Vec::new(); stage_count],
            index: FxHashMap::default(),
            unsettled: vec![0; stage_count],
            settled_at: vec![None; stage_count],
            pending: BTreeMap::new(),
            due_of: FxHashMap::default(),
            sent: FxHashSet::default(),
            last_event_at: None,
            events_applied: 0,
            touched: Vec::new(),
        };
        let start = local(
            &state.edition.time_zone,
            state.edition.start,
            Time::midnight(),
        );
        let mut created = Vec::new();
        for s in 0..stage_count {
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

    pub fn edition(&self) -> &Edition {
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
        let ready = instance.ready_at?;
        let start = local(&self.edition.time_zone, instance.window.start, NOTICE_TIME);
        Some(ready.max(start))
    }

    /// Where an instance is at `now`, and whether it is late.
    pub fn lifecycle(&self, instance: &Instance, now: Timestamp) -> (Lifecycle, bool) {
        let late = now >= crate::time::end_of_day(&self.edition.time_zone, instance.window.due);
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

    // ----- actions -----

    /// Every action due at or before `now` and not yet recorded as sent, in
    /// due order. Cost: the due ones only.
    pub fn due_actions(&self, now: Timestamp) -> Vec<&Action> {
        self.pending
            .iter()
            .take_while(|((at, _), _)| *at <= now)
            .map(|(_, action)| action)
            .collect()
    }

    /// Every action the current state implies, due or not, in due order.
    pub fn pending_actions(&self) -> impl Iterator<Item = &Action> {
        self.pending.values()
    }

    /// The next instant something falls due: a daemon sleeps until then.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.pending.first_key_value().map(|((at, _), _)| *at)
    }

    /// Records that an action was carried out: it will never be due again.
    /// Returns false for a key that is not pending.
    pub fn record_sent(&mut self, key: &str) -> bool {
        match self.due_of.remove_entry(key) {
            Some((key, at)) => {
                self.pending.remove(&(at, key.clone()));
                self.sent.insert(key);
                true
            }
            None => {
                // Sent before the state was rebuilt: remember it all the same.
                self.sent.insert(key.into());
                false
            }
        }
    }

    pub fn was_sent(&self, key: &str) -> bool {
        self.sent.contains(key)
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
            ready_at: None,
            progress: Progress::Active,
            round: 0,
            approvals: Vec::new(),
            refusals: Vec::new(),
            selection: None,
            outcome: None,
            scores: Vec::new(),
            indicators: Vec::new(),
            action_keys: Vec::new(),
        });
        self.index.insert((stage, participant), i);
        self.by_stage[stage].push(i);
        self.unsettled[stage] += 1;
        i
    }

    /// Instances of the per-participant stages a participant's status reaches.
    pub(crate) fn create_participant_instances(&mut self, participant: usize) -> Vec<usize> {
        let Some(reached) = rank(self.participants[participant].status) else {
            return Vec::new();
        };
        let mut created = Vec::new();
        for s in 0..self.edition.stages.len() {
            let Some(for_each) = self.edition.stages[s].for_each else {
                continue;
            };
            if rank(for_each).is_some_and(|needed| reached >= needed)
                && !self.index.contains_key(&(s, Some(participant)))
            {
                created.push(self.create_instance(s, Some(participant)));
            }
        }
        created
    }

    /// Marks an instance done or skipped, then re-settles what depends on it.
    pub(crate) fn settle_instance(&mut self, i: usize, progress: Progress, at: Timestamp) {
        if self.instances[i].is_settled() {
            return;
        }
        let stage = self.instances[i].stage;
        self.instances[i].progress = progress;
        self.unsettled[stage] -= 1;
        self.settled_at[stage] = self.settled_at[stage].max(Some(at));
        let mut touched = vec![i];
        touched.extend(self.dependent_instances(i));
        self.settle(touched, at);
    }

    /// Instances that may change when instance `i` is settled.
    fn dependent_instances(&self, i: usize) -> Vec<usize> {
        let (stage, participant) = (self.instances[i].stage, self.instances[i].participant);
        let mut out = Vec::new();
        for &d in &self.dependents[stage] {
            match (participant, self.edition.stages[d].for_each.is_some()) {
                (Some(p), true) => out.extend(self.index.get(&(d, Some(p))).copied()),
                // An edition-wide stage waits for every participant's instance.
                (Some(_), false) => out.extend(self.index.get(&(d, None)).copied()),
                (None, _) => out.extend(self.by_stage[d].iter().copied()),
            }
        }
        out
    }

    /// Re-evaluates readiness of the given instances (and, transitively, of
    /// those that depend on any that changed), then their actions.
    pub(crate) fn settle(&mut self, seeds: Vec<usize>, at: Timestamp) {
        let mut work = seeds;
        let mut seen: FxHashSet<usize> = FxHashSet::default();
        let mut recompute: Vec<usize> = Vec::new();
        while let Some(i) = work.pop() {
            if seen.insert(i) {
                recompute.push(i);
            }
            if self.instances[i].is_settled() {
                continue;
            }
            match self.readiness(i) {
                Readiness::Waiting => {}
                Readiness::Ready(ready) => {
                    if self.instances[i].ready_at.is_none() {
                        self.instances[i].ready_at = Some(ready.max(self.first_instant()));
                    }
                }
                Readiness::Skip(reason) => {
                    let stage = self.instances[i].stage;
                    self.instances[i].progress = Progress::Skipped { at, reason };
                    self.unsettled[stage] -= 1;
                    self.settled_at[stage] = self.settled_at[stage].max(Some(at));
                    work.extend(self.dependent_instances(i));
                }
            }
        }
        for i in recompute {
            self.refresh_actions(i);
        }
    }

    fn first_instant(&self) -> Timestamp {
        local(
            &self.edition.time_zone,
            self.edition.start,
            Time::midnight(),
        )
    }

    fn readiness(&self, i: usize) -> Readiness {
        let instance = &self.instances[i];
        let stage = &self.edition.stages[instance.stage];
        if let Some(p) = instance.participant {
            if self.participants[p].is_out() {
                return Readiness::Skip(SkipReason::ParticipantOut);
            }
        }
        let mut ready = self.first_instant();
        if !stage.branch_of.is_empty() {
            let mut taken = None;
            let mut undecided = false;
            let mut refused = None;
            for &(decision, outcome) in &stage.branch_of {
                match self.need_state(decision, instance.participant) {
                    NeedState::Pending => undecided = true,
                    NeedState::Skipped(_) => {}
                    NeedState::Done(at) => {
                        let chosen = self.decided_outcome(decision, instance.participant);
                        if chosen == Some(outcome) {
                            taken = Some(at);
                        } else if let Some(chosen) = chosen {
                            refused = Some((decision, chosen));
                        }
                    }
                }
            }
            match (taken, undecided, refused) {
                (Some(at), _, _) => ready = ready.max(at),
                (None, true, _) => return Readiness::Waiting,
                (None, false, Some((decision, outcome))) => {
                    return Readiness::Skip(SkipReason::BranchNotTaken { decision, outcome })
                }
                (None, false, None) => return Readiness::Skip(SkipReason::NeedsSkipped),
            }
        }
        let mut all_skipped = !stage.needs.is_empty();
        for &need in &stage.needs {
            // A need settles when it is done or skipped; either way the
            // stage is ready only from then.
            match self.need_state(need, instance.participant) {
                NeedState::Pending => return Readiness::Waiting,
                NeedState::Skipped(at) => ready = ready.max(at),
                NeedState::Done(at) => {
                    all_skipped = false;
                    ready = ready.max(at);
                }
            }
        }
        if all_skipped {
            return Readiness::Skip(SkipReason::NeedsSkipped);
        }
        Readiness::Ready(ready)
    }

    fn decided_outcome(&self, decision: usize, participant: Option<usize>) -> Option<usize> {
        let key = if self.edition.stages[decision].for_each.is_some() {
            (decision, participant)
        } else {
            (decision, None)
        };
        self.index
            .get(&key)
            .and_then(|&i| self.instances[i].outcome)
    }

    /// Whether stage `need` is done, as seen by an instance of `participant`
    /// (or by an edition-wide instance when `None`).
    fn need_state(&self, need: usize, participant: Option<usize>) -> NeedState {
        let per_participant = self.edition.stages[need].for_each.is_some();
        match (per_participant, participant) {
            (false, _) => match self.index.get(&(need, None)) {
                Some(&i) => progress_need(&self.instances[i].progress),
                None => NeedState::Pending,
            },
            (true, Some(p)) => match self.index.get(&(need, Some(p))) {
                Some(&i) => progress_need(&self.instances[i].progress),
                // Never reached by this participant's status.
                None => NeedState::Skipped(self.first_instant()),
            },
            (true, None) => {
                if self.unsettled[need] > 0 {
                    return NeedState::Pending;
                }
                // Every instance is settled; the stage as a whole is done once
                // what it needs is done too (no laureates yet is not done).
                let mut at = self.settled_at[need].unwrap_or(self.first_instant());
                for &m in &self.edition.stages[need].needs {
                    match self.need_state(m, None) {
                        NeedState::Pending => return NeedState::Pending,
                        NeedState::Skipped(t) | NeedState::Done(t) => at = at.max(t),
                    }
                }
                let any_done = self.by_stage[need]
                    .iter()
                    .any(|&i| matches!(self.instances[i].progress, Progress::Done { .. }));
                if any_done || self.by_stage[need].is_empty() {
                    NeedState::Done(at)
                } else {
                    NeedState::Skipped(at)
                }
            }
        }
    }

    /// Replaces an instance's actions with those its state implies now.
    /// Unchanged actions stay in place; only what changed is re-indexed.
    pub(crate) fn refresh_actions(&mut self, i: usize) {
        let fresh = crate::actions::for_instance(self, i);
        let old = std::mem::take(&mut self.instances[i].action_keys);
        // Most instances hold a handful of actions: compare them directly.
        let still_fresh = |key: &str| fresh.iter().any(|a| &*a.key == key);
        let fresh_keys: Option<FxHashSet<&str>> =
            (old.len() * fresh.len() > 256).then(|| fresh.iter().map(|a| &*a.key).collect());
        for key in old {
            let kept = match &fresh_keys {
                Some(set) => set.contains(&*key),
                None => still_fresh(&key),
            };
            if kept {
                continue;
            }
            if let Some(at) = self.due_of.remove(&key) {
                self.pending.remove(&(at, key));
            }
        }
        drop(fresh_keys);
        let mut keys = Vec::with_capacity(fresh.len());
        for action in fresh {
            if self.sent.contains(&action.key) {
                continue;
            }
            keys.push(action.key.clone());
            match self.due_of.insert(action.key.clone(), action.due_at) {
                Some(at) if at == action.due_at => {
                    if let Some(current) = self.pending.get_mut(&(at, action.key.clone())) {
                        *current = action;
                    }
                }
                previous => {
                    if let Some(at) = previous {
                        self.pending.remove(&(at, action.key.clone()));
                    }
                    self.pending
                        .insert((action.due_at, action.key.clone()), action);
                }
            }
        }
        self.instances[i].action_keys = keys;
        self.touched.push(i);
    }

    /// Takes the first action due at or before `now` out of the pending
    /// ones; [`State::mark_sent`] then records it as done.
    pub fn take_due(&mut self, now: Timestamp) -> Option<Action> {
        let ((at, _), _) = self.pending.first_key_value()?;
        if *at > now {
            return None;
        }
        let ((_, key), action) = self.pending.pop_first()?;
        self.due_of.remove(&key);
        Some(action)
    }

    /// Records a taken action as done, for good.
    pub fn mark_sent(&mut self, key: Key) {
        self.sent.insert(key);
    }

    /// The instances that changed since the last call (with repeats).
    pub fn take_touched(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.touched)
    }

    /// Windows after a postponement of an edition-wide stage.
    pub(crate) fn rewindow(&mut self) {
        self.windows = stage_windows(&self.edition, &self.ids.stages, &self.stage_overrides);
        for i in 0..self.instances.len() {
            let instance = &self.instances[i];
            let window = instance_window(
                &self.edition,
                instance.stage,
                self.windows[instance.stage],
                instance.own_override,
                &self.windows,
                &self.ids.stages,
            );
            if window != self.instances[i].window {
                self.instances[i].window = window;
                if !self.instances[i].is_settled() {
                    self.refresh_actions(i);
                }
            }
        }
    }

    /// People named by a list of actors (roles expanded), in definition
    /// order, without repeats.
    pub fn people_of(&self, actors: &[Actor]) -> Vec<usize> {
        people_of(&self.edition, actors)
    }
}

enum Readiness {
    Waiting,
    Ready(Timestamp),
    Skip(SkipReason),
}

enum NeedState {
    Pending,
    Done(Timestamp),
    Skipped(Timestamp),
}

fn progress_need(progress: &Progress) -> NeedState {
    match progress {
        Progress::Done { at } => NeedState::Done(*at),
        Progress::Skipped { at, .. } => NeedState::Skipped(*at),
        _ => NeedState::Pending,
    }
}

fn people_of(edition: &Edition, actors: &[Actor]) -> Vec<usize> {
    let mut people = BTreeSet::new();
    for actor in actors {
        match *actor {
            Actor::Person(p) => {
                people.insert(p);
            }
            Actor::Role(r) => people.extend(edition.roles[r].members.iter().copied()),
        }
    }
    people.into_iter().collect()
}

fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    ids.enumerate().map(|(i, id)| (id.to_owned(), i)).collect()
}
