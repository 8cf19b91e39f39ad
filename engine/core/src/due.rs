//! The pending actions in due order, then key order. A large edition holds
//! a hundred thousand pending actions, most of them sharing their instant
//! with thousands of others (every laureate's stage opens at 09:00): a
//! tree ordered by (instant, key) searched six levels and compared keys as
//! text through pointers for each one placed. Here actions are placed by
//! instant only, in a bucket per instant: a few hundred instants to search,
//! then a push. A bucket is put in key order once, when its instant is
//! taken or read. Actions taken back (sent, moved, no longer implied) are
//! not searched for in their bucket: it counts those still there, and what
//! it holds is checked against the pending actions when read.

use std::collections::btree_map::{BTreeMap, Entry};
use std::collections::hash_map;

use jalon_definition::resolved::Edition;
use jiff::Timestamp;

use crate::action::Action;
use crate::state::Actions;

/// A bucket holding this many more entries than live actions, and more
/// than twice as many, drops those taken back.
const SLACK: usize = 32;

#[derive(Clone, Debug, Default)]
pub(crate) struct Due {
    buckets: BTreeMap<Timestamp, Bucket>,
    order: KeyOrder,
}

/// The actions placed at one instant.
#[derive(Clone, Debug, Default)]
struct Bucket {
    /// How many of them are still pending, due at this instant.
    live: usize,
    /// (order word, fingerprint) of each placed here, oldest first; some
    /// since taken back, some placed again.
    entries: Vec<(u64, u128)>,
}

impl Due {
    pub fn new(edition: &Edition) -> Self {
        Due {
            buckets: BTreeMap::new(),
            order: KeyOrder::new(edition),
        }
    }

    /// Places a pending action at its due instant.
    pub fn insert(&mut self, action: &Action, fingerprint: u128) {
        let bucket = self.buckets.entry(action.due_at).or_default();
        bucket.live += 1;
        bucket.entries.push((self.order.word(action), fingerprint));
    }

    /// Takes back an action placed at `due` (no longer pending there: sent,
    /// moved, or no longer implied). `actions` are those still pending.
    pub fn remove(&mut self, due: Timestamp, actions: &Actions) {
        let Entry::Occupied(mut slot) = self.buckets.entry(due) else {
            return;
        };
        let bucket = slot.get_mut();
        bucket.live = bucket.live.saturating_sub(1);
        if bucket.live == 0 {
            slot.remove();
        } else if bucket.entries.len() > 2 * bucket.live + SLACK {
            bucket
                .entries
                .retain(|(_, fingerprint)| pending_at(actions, *fingerprint, due).is_some());
            // The same action placed twice is kept once.
            let mut seen = rustc_hash::FxHashSet::default();
            bucket
                .entries
                .retain(|(_, fingerprint)| seen.insert(*fingerprint));
        }
    }

    /// The first instant something is due.
    pub fn first_instant(&self) -> Option<Timestamp> {
        self.buckets.first_key_value().map(|(at, _)| *at)
    }

    /// Takes out every action due at the first instant something is due, if
    /// that is at or before `now`, into `into` (emptied first) in key
    /// order, each with its order word and fingerprint. Returns whether
    /// there was one.
    pub fn take_first(
        &mut self,
        now: Timestamp,
        actions: &mut Actions,
        into: &mut Vec<(u64, u128, Box<Action>)>,
    ) -> bool {
        into.clear();
        let Some(entry) = self.buckets.first_entry() else {
            return false;
        };
        let at = *entry.key();
        if at > now {
            return false;
        }
        let bucket = entry.remove();
        into.reserve(bucket.live);
        for (word, fingerprint) in bucket.entries {
            // Taken back since, or placed twice (the second finds it gone).
            if let hash_map::Entry::Occupied(action) = actions.entry(fingerprint) {
                if action.get().due_at == at {
                    into.push((word, fingerprint, action.remove()));
                }
            }
        }
        into.sort_unstable_by(|(a, _, x), (b, _, y)| key_order((*a, x), (*b, y)));
        true
    }

    /// Every pending action due at or before `until`, in due order, then key
    /// order, each with its fingerprint.
    pub fn until<'a>(&self, until: Timestamp, actions: &'a Actions) -> Vec<(u128, &'a Action)> {
        let mut out = Vec::new();
        for (&at, bucket) in self.buckets.range(..=until) {
            let mut here: Vec<(u64, u128, &Action)> = bucket
                .entries
                .iter()
                .filter_map(|&(word, f)| Some((word, f, pending_at(actions, f, at)?)))
                .collect();
            here.sort_unstable_by(|(a, _, x), (b, _, y)| key_order((*a, x), (*b, y)));
            here.dedup_by_key(|(_, fingerprint, _)| *fingerprint);
            out.extend(here.into_iter().map(|(_, f, action)| (f, action)));
        }
        out
    }
}

/// The action of this fingerprint, if it is pending, due at `at`.
fn pending_at(actions: &Actions, fingerprint: u128, at: Timestamp) -> Option<&Action> {
    let action = actions.get(&fingerprint)?;
    (action.due_at == at).then_some(&**action)
}

/// Key order between two actions due at the same instant, each with its
/// order word: the words decide, or the keys where they tie.
fn key_order(a: (u64, &Action), b: (u64, &Action)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then_with(|| a.1.key.cmp(&b.1.key))
}

/// How an edition's keys are turned into order words: numbers that compare
/// as the keys do, or tie (then the keys are compared).
#[derive(Clone, Debug, Default)]
struct KeyOrder {
    /// Per stage: its rank among the edition's stages in key order, and the
    /// length of the `edition/stage/` every key of the stage begins with.
    stages: Vec<(u16, usize)>,
}

impl KeyOrder {
    fn new(edition: &Edition) -> Self {
        // Keys continue `edition/stage/`: stages are ranked by `id/` (an
        // id holds no `/`, so no stage's `id/` begins another's).
        let mut by_key: Vec<(String, usize)> = (edition.stages.iter())
            .enumerate()
            .map(|(s, stage)| (format!("{}/", stage.id), s))
            .collect();
        by_key.sort_unstable();
        let mut stages = vec![(0, 0); edition.stages.len()];
        for (rank, (text, s)) in by_key.into_iter().enumerate() {
            // Past 65,535 stages, ranks tie: the keys then decide.
            let rank = u16::try_from(rank).unwrap_or(u16::MAX);
            stages[s] = (rank, edition.id.len() + 1 + text.len());
        }
        KeyOrder { stages }
    }

    /// The stage's rank, then the six bytes of the key after
    /// `edition/stage/` (zeros past its end), as one big-endian number.
    fn word(&self, action: &Action) -> u64 {
        let (rank, skip) = self.stages.get(action.stage).copied().unwrap_or_default();
        let rest = action.key.as_bytes().get(skip..).unwrap_or_default();
        let mut word = [0u8; 8];
        word[..2].copy_from_slice(&rank.to_be_bytes());
        let n = rest.len().min(6);
        word[2..2 + n].copy_from_slice(&rest[..n]);
        u64::from_be_bytes(word)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use jalon_definition::resolved::{Edition, MessageKind};
    use jalon_definition::{check_paths, Limits};
    use jiff::Timestamp;
    use proptest::prelude::*;

    use super::Due;
    use crate::action::{Action, Detail, Recipient};
    use crate::sent::fingerprint;
    use crate::state::Actions;

    fn edition() -> Edition {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../definitions/editions/2024-2025.yaml");
        let report = check_paths(&[path], &Limits::default()).expect("readable");
        report.editions.into_iter().next().expect("an edition").1
    }

    /// What is done to the index, as the state does it.
    #[derive(Clone, Debug)]
    enum Step {
        /// An action made (or made again, maybe due at another instant).
        Place {
            stage: usize,
            rest: String,
            due: i64,
        },
        /// The n-th pending action taken back (sent, or no longer implied).
        TakeBack(usize),
        /// Every action due at the first instant, if at or before `now`.
        TakeFirst { now: i64 },
    }

    fn step() -> impl Strategy<Value = Step> {
        // Few instants and short texts: many ties, on the word and past it.
        let rest = "(p[0-9]{0,2}/)?(opened|reminder/[01])?/(person:a|contact:p1|x)";
        prop_oneof![
            4 => (0..40usize, rest, 0..6i64)
                .prop_map(|(stage, rest, due)| Step::Place { stage, rest, due }),
            3 => (0..400usize).prop_map(Step::TakeBack),
            1 => (0..6i64).prop_map(|now| Step::TakeFirst { now }),
        ]
    }

    fn action(edition: &Edition, stage: usize, rest: &str, due: i64) -> Action {
        let stage = stage % edition.stages.len();
        Action {
            key: format!("{}/{}/{rest}", edition.id, edition.stages[stage].id).into(),
            kind: MessageKind::Reminder,
            due_at: Timestamp::from_second(due * 3600).expect("instant"),
            expires_at: None,
            stage,
            participant: None,
            recipient: Recipient::Person(0),
            template: 0,
            detail: Detail::None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever is placed, moved and taken, the index hands out what
        /// is pending, in due order, then key order, and takes each
        /// instant's actions whole.
        #[test]
        fn the_index_agrees_with_a_sorted_list(steps in proptest::collection::vec(step(), 1..600)) {
            let edition = edition();
            let mut due = Due::new(&edition);
            let mut actions = Actions::default();
            // The model: (due, key) of every pending action.
            let mut model: BTreeMap<(Timestamp, String), u128> = BTreeMap::new();
            for step in steps {
                match step {
                    Step::Place { stage, rest, due: at } => {
                        let action = action(&edition, stage, &rest, at);
                        let f = fingerprint(&action.key);
                        match actions.get_mut(&f) {
                            Some(current) => {
                                let was_due = current.due_at;
                                model.remove(&(was_due, action.key.to_string()));
                                **current = action.clone();
                                if was_due != action.due_at {
                                    due.remove(was_due, &actions);
                                    due.insert(&action, f);
                                }
                            }
                            None => {
                                due.insert(&action, f);
                                actions.insert(f, Box::new(action.clone()));
                            }
                        }
                        model.insert((action.due_at, action.key.to_string()), f);
                    }
                    Step::TakeBack(n) => {
                        if model.is_empty() {
                            continue;
                        }
                        let ((at, key), f) = model.iter().nth(n % model.len()).map(|(k, f)| (k.clone(), *f)).expect("one");
                        model.remove(&(at, key));
                        let action = actions.remove(&f).expect("pending");
                        due.remove(action.due_at, &actions);
                    }
                    Step::TakeFirst { now } => {
                        let now = Timestamp::from_second(now * 3600).expect("instant");
                        let mut taken = Vec::new();
                        let took = due.take_first(now, &mut actions, &mut taken);
                        let first = model.keys().next().map(|(at, _)| *at).filter(|at| *at <= now);
                        prop_assert_eq!(took, first.is_some());
                        let expected: Vec<String> = model
                            .keys()
                            .filter(|(at, _)| Some(*at) == first)
                            .map(|(_, key)| key.clone())
                            .collect();
                        let got: Vec<String> = taken.iter().map(|(_, _, a)| a.key.to_string()).collect();
                        prop_assert_eq!(got, expected);
                        model.retain(|(at, _), _| Some(*at) != first);
                    }
                }
                let listed: Vec<(Timestamp, String)> = due
                    .until(Timestamp::MAX, &actions)
                    .into_iter()
                    .map(|(_, a)| (a.due_at, a.key.to_string()))
                    .collect();
                let expected: Vec<(Timestamp, String)> = model.keys().cloned().collect();
                prop_assert_eq!(listed, expected);
                prop_assert_eq!(due.first_instant(), model.keys().next().map(|(at, _)| *at));
                prop_assert_eq!(actions.len(), model.len());
                // Taken-back entries do not pile up.
                for bucket in due.buckets.values() {
                    prop_assert!(bucket.entries.len() <= 2 * bucket.live + super::SLACK + 1);
                }
            }
        }
    }
}
