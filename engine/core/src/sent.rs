//! The keys of the actions carried out, kept as 128-bit fingerprints: a
//! year of a large edition sends close to half a million messages, and
//! their keys took a third of its state's memory. The outbox keeps the
//! keys themselves; here they only answer "was this one sent?".
//!
//! Two keys share a fingerprint with odds of about n²/2¹²⁹ (10⁻²⁶ for a
//! million keys). The fingerprint is xxh3-128, a fixed published function,
//! so that snapshots read the same under every build.

use rustc_hash::FxHashSet;

/// A key's fingerprint.
pub(crate) fn fingerprint(key: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(key.as_bytes())
}

/// Fingerprints spread over [`SHARDS`] sets by their top byte. One set of
/// half a million doubled into fresh tables of up to 16 MiB, and the kernel
/// zeroing those pages was an eighth of a large edition's year; small sets
/// grow into memory the allocator has just freed.
#[derive(Clone, Debug)]
pub(crate) struct Sent(Box<[FxHashSet<u128>]>);

const SHARDS: usize = 256;

fn shard(fingerprint: u128) -> usize {
    (fingerprint >> 120) as usize
}

impl Default for Sent {
    fn default() -> Self {
        Sent(vec![FxHashSet::default(); SHARDS].into_boxed_slice())
    }
}

impl Sent {
    pub fn contains(&self, key: &str) -> bool {
        self.contains_fingerprint(fingerprint(key))
    }

    /// Records a key as sent, by its fingerprint (computed where the key
    /// was made or taken).
    pub fn insert_fingerprint(&mut self, fingerprint: u128) {
        self.0[shard(fingerprint)].insert(fingerprint);
    }

    /// [`Sent::contains`] for a key whose fingerprint is at hand.
    pub fn contains_fingerprint(&self, fingerprint: u128) -> bool {
        self.0[shard(fingerprint)].contains(&fingerprint)
    }

    /// Every fingerprint, sorted: the same bytes for the same set.
    pub fn sorted(&self) -> Vec<u128> {
        let mut all: Vec<u128> = Vec::with_capacity(self.0.iter().map(|set| set.len()).sum());
        // Shards are in order of their top byte: sorting each is enough.
        for set in self.0.iter() {
            let start = all.len();
            all.extend(set.iter().copied());
            all[start..].sort_unstable();
        }
        all
    }

    /// The set of fingerprints written 16 bytes each, little-endian; none
    /// if the bytes are not a whole number of them.
    pub fn from_le_bytes(bytes: &[u8]) -> Option<Sent> {
        let all = bytes.chunks_exact(16);
        if !all.remainder().is_empty() {
            return None;
        }
        let mut sent = Sent::default();
        let per_shard = all.len() / SHARDS + 1;
        for set in sent.0.iter_mut() {
            set.reserve(per_shard);
        }
        for fingerprint in all {
            let mut le = [0; 16];
            le.copy_from_slice(fingerprint);
            let fingerprint = u128::from_le_bytes(le);
            sent.0[shard(fingerprint)].insert(fingerprint);
        }
        Some(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_fingerprints_read_back_as_the_same_set() {
        let mut sent = Sent::default();
        let keys: Vec<String> = (0..5_000)
            .map(|n| format!("e/s/p{n}/reminder/0/person:x"))
            .collect();
        for key in &keys {
            sent.insert_fingerprint(fingerprint(key));
        }
        let sorted = sent.sorted();
        assert_eq!(sorted.len(), keys.len());
        assert!(sorted.windows(2).all(|w| w[0] < w[1]), "sorted, no repeat");
        let bytes: Vec<u8> = sorted.iter().flat_map(|f| f.to_le_bytes()).collect();
        let back = Sent::from_le_bytes(&bytes).expect("whole fingerprints");
        assert!(keys.iter().all(|key| back.contains(key)));
        assert!(!back.contains("e/s/p5000/reminder/0/person:x"));
        assert_eq!(back.sorted(), sorted);
        assert!(Sent::from_le_bytes(&bytes[1..]).is_none());
    }
}
