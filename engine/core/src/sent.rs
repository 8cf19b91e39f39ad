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

#[derive(Clone, Debug, Default)]
pub(crate) struct Sent(FxHashSet<u128>);

impl Sent {
    pub fn insert(&mut self, key: &str) {
        self.0.insert(fingerprint(key));
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.contains(&fingerprint(key))
    }

    /// Every fingerprint, sorted: the same bytes for the same set.
    pub fn sorted(&self) -> Vec<u128> {
        let mut all: Vec<u128> = self.0.iter().copied().collect();
        all.sort_unstable();
        all
    }

    /// The set of fingerprints written 16 bytes each, little-endian; none
    /// if the bytes are not a whole number of them.
    pub fn from_le_bytes(bytes: &[u8]) -> Option<Sent> {
        let all = bytes.chunks_exact(16);
        if !all.remainder().is_empty() {
            return None;
        }
        let mut set = FxHashSet::with_capacity_and_hasher(all.len(), Default::default());
        for fingerprint in all {
            let mut le = [0; 16];
            le.copy_from_slice(fingerprint);
            set.insert(u128::from_le_bytes(le));
        }
        Some(Sent(set))
    }
}
