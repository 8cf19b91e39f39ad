//! A state as its events made it, as bytes: what a store keeps beside the
//! log so that loading folds only the events after it. Only what events
//! produced is written (progress, instances, postponements, applications,
//! the closure, the pending actions); what the definition gives (ids, the
//! people of each stage, the graph) is built again on restore, so a
//! snapshot is only ever read under the definition version it was made
//! under. Pure: bytes in, bytes out.
//!
//! Layout: `JSNP`, the format (u16, little-endian), the CRC-32 of the rest
//! (u32, little-endian), then the state in postcard.

mod encode;
mod restore;
mod wire;

use std::sync::Arc;

use jalon_definition::resolved::Edition;

use crate::state::State;

/// The layout of the bytes; raised whenever [`wire`] changes, so that an
/// older snapshot is ignored rather than misread.
pub const FORMAT: u16 = 3;

const MAGIC: &[u8; 4] = b"JSNP";
const HEADER: usize = 4 + 2 + 4;

/// Why a snapshot cannot be used. None is the user's problem: the caller
/// folds the whole log instead.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a Jalon snapshot")]
    NotASnapshot,
    #[error("snapshot format {found}, this build reads format {FORMAT}")]
    Format { found: u16 },
    #[error("the snapshot's checksum does not match its content (damaged)")]
    Checksum,
    #[error("the snapshot cannot be decoded: {0}")]
    Decode(String),
    #[error("the snapshot was made under definition version {found}, not {current}")]
    Version { found: String, current: String },
    #[error("the snapshot does not fit the definition: {0}")]
    Mismatch(&'static str),
}

impl State {
    /// The state as bytes, the same bytes for the same state (sets are
    /// written sorted): what [`State::restore`] reads back.
    pub fn snapshot(&self) -> Vec<u8> {
        let payload = postcard::to_stdvec(&encode::wire(self))
            // Serialising our own plain types into a vector cannot fail.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// The state a snapshot holds, under `edition` (the definition it was
    /// made under: its version is checked). Applying the events after it
    /// then gives the state the whole log gives.
    pub fn restore(edition: Arc<Edition>, bytes: &[u8]) -> Result<State, SnapshotError> {
        let format = format_of(bytes)?;
        if format != FORMAT {
            return Err(SnapshotError::Format { found: format });
        }
        let (checksum, payload) = bytes[6..].split_at(4);
        let checksum = u32::from_le_bytes([checksum[0], checksum[1], checksum[2], checksum[3]]);
        if crc32fast::hash(payload) != checksum {
            return Err(SnapshotError::Checksum);
        }
        let wire: wire::Wire =
            postcard::from_bytes(payload).map_err(|e| SnapshotError::Decode(e.to_string()))?;
        if wire.version != edition.version {
            return Err(SnapshotError::Version {
                found: wire.version,
                current: edition.version.clone(),
            });
        }
        restore::state(edition, wire)
    }
}

/// The format a snapshot's bytes say they are in.
pub fn format_of(bytes: &[u8]) -> Result<u16, SnapshotError> {
    if bytes.len() < HEADER || &bytes[..4] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    Ok(u16::from_le_bytes([bytes[4], bytes[5]]))
}
