//! The pending actions: each one found by its key's fingerprint, and placed
//! at its due instant (`due.rs`), so that "what is due now" costs only what
//! is due, and an unchanged action is never re-indexed.

use jiff::Timestamp;
use rustc_hash::FxHashSet;
use std::collections::hash_map::Entry;

use crate::action::{Action, Key};
use crate::sent::fingerprint;
use crate::state::State;

/// The most actions [`State::refresh_actions`] keeps room for between two
/// refreshes (2 KiB): most instances imply a handful, and an edition-wide
/// stage's one per participant.
const KEPT_FRESH_ACTIONS: usize = 64;

impl State {
    /// Every action due at or before `now` and not yet recorded as sent, in
    /// due order, then by key. Cost: the due ones only.
    pub fn due_actions(&self, now: Timestamp) -> Vec<&Action> {
        let due = self.pending.until(now, &self.actions);
        due.into_iter().map(|(_, action)| action).collect()
    }

    /// Every action the current state implies, due or not, in due order,
    /// then by key.
    pub fn pending_actions(&self) -> impl Iterator<Item = &Action> {
        self.due_actions(Timestamp::MAX).into_iter()
    }

    /// The pending actions with their fingerprints, in due order, then by
    /// key: what a snapshot writes.
    pub(crate) fn pending_by_fingerprint(&self) -> Vec<(u128, &Action)> {
        self.pending.until(Timestamp::MAX, &self.actions)
    }

    /// The next instant something falls due: a daemon sleeps until then.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.pending.first_instant()
    }

    /// Records that an action was carried out: it will never be due again.
    /// Returns false for a key that is not pending.
    pub fn record_sent(&mut self, key: &str) -> bool {
        let fingerprint = fingerprint(key);
        // Sent before the state was rebuilt, it is remembered all the same.
        self.sent.insert_fingerprint(fingerprint);
        match self.actions.remove(&fingerprint) {
            Some(action) => {
                self.pending.remove(action.due_at, &self.actions);
                true
            }
            None => false,
        }
    }

    pub fn was_sent(&self, key: &str) -> bool {
        self.sent.contains(key)
    }

    /// Replaces an instance's actions with those its state implies now.
    /// Unchanged actions stay in place; only what changed is re-indexed.
    pub(crate) fn refresh_actions(&mut self, i: usize) {
        let mut buffers = std::mem::take(&mut self.buffers);
        crate::actions::for_instance(self, i, &mut buffers);
        let mut fresh = std::mem::take(&mut buffers.actions);
        let old = std::mem::take(&mut self.instances[i].action_fingerprints);
        // Most instances hold a handful of actions: compare them directly.
        let fresh_set: Option<FxHashSet<u128>> =
            (old.len() * fresh.len() > 256).then(|| fresh.iter().map(|(f, _)| *f).collect());
        for fingerprint in old {
            let kept = match &fresh_set {
                Some(set) => set.contains(&fingerprint),
                None => fresh.iter().any(|(f, _)| *f == fingerprint),
            };
            if kept {
                continue;
            }
            if let Some(action) = self.actions.remove(&fingerprint) {
                self.pending.remove(action.due_at, &self.actions);
            }
        }
        let mut fingerprints = Vec::with_capacity(fresh.len());
        for (fingerprint, action) in fresh.drain(..) {
            // Not sent: `for_instance` leaves those out.
            match self.actions.entry(fingerprint) {
                Entry::Occupied(mut current) => {
                    // Its key is the one already held (`for_instance`
                    // shares it): one allocation per key.
                    let was_due = current.get().due_at;
                    *current.get_mut() = action;
                    if was_due != current.get().due_at {
                        self.pending.remove(was_due, &self.actions);
                        if let Some(action) = self.actions.get(&fingerprint) {
                            self.pending.insert(action, fingerprint);
                        }
                    }
                }
                Entry::Vacant(slot) => {
                    self.pending.insert(&action, fingerprint);
                    slot.insert(action);
                }
            }
            fingerprints.push(fingerprint);
        }
        self.instances[i].action_fingerprints = fingerprints;
        // Kept only if small: an idle daemon holds a hundred editions.
        if fresh.capacity() <= KEPT_FRESH_ACTIONS {
            buffers.actions = fresh;
        }
        self.buffers = buffers;
        self.touched.push(i);
    }

    /// Takes every action due at the first instant something is due, if
    /// that is at or before `now`, into `into` (emptied first) in key
    /// order, each with its order word (see `due.rs`) and its key's
    /// fingerprint; the caller records each as sent once done.
    pub(crate) fn take_due_instant(
        &mut self,
        now: Timestamp,
        into: &mut Vec<(u64, u128, Box<Action>)>,
    ) -> bool {
        self.pending.take_first(now, &mut self.actions, into)
    }

    /// Records a taken action as done, for good. A key still pending
    /// leaves the pending ones: no key is both pending and sent.
    pub fn mark_sent(&mut self, key: Key) {
        let fingerprint = fingerprint(&key);
        if let Some(action) = self.actions.remove(&fingerprint) {
            self.pending.remove(action.due_at, &self.actions);
        }
        self.sent.insert_fingerprint(fingerprint);
    }
}
