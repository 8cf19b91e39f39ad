//! Readiness: when an instance's needs (and the decision it is a branch of)
//! are settled it becomes ready, or is skipped; a change propagates to the
//! instances that depend on it, and only to them.

use jiff::civil::Time;
use jiff::Timestamp;
use rustc_hash::FxHashSet;

use crate::state::{Progress, SkipReason, State};

/// Up to this many instances met by one settle are looked for in a list.
const SEEN_IN_LIST: usize = 32;

impl State {
    /// Marks an instance done or skipped, then re-settles what depends on it.
    pub(crate) fn settle_instance(&mut self, i: usize, progress: Progress, at: Timestamp) {
        if self.instances[i].is_settled() {
            return;
        }
        let stage = self.instances[i].stage;
        self.instances[i].progress = progress;
        self.unsettled[stage] -= 1;
        self.settled_at[stage] = self.settled_at[stage].max(Some(at));
        // Dates written from `needs.done` move with it.
        if self.follows_completion {
            match self.instances[i].participant {
                Some(p) => self.rewindow_participant(p),
                None => self.rewindow(),
            }
        }
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
        // Each instance once, in the order first met. Most settles meet a
        // handful, looked for in the list itself; a set is made past that
        // (one for each settle grew from empty: 60,000 allocations in a
        // large edition's year).
        let mut recompute: Vec<usize> = Vec::new();
        let mut seen: Option<FxHashSet<usize>> = None;
        while let Some(i) = work.pop() {
            let first_met = match &mut seen {
                Some(seen) => seen.insert(i),
                None if recompute.len() < SEEN_IN_LIST => !recompute.contains(&i),
                None => seen.insert(recompute.iter().copied().collect()).insert(i),
            };
            if first_met {
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
        self.instant(self.edition.start, Time::midnight())
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
