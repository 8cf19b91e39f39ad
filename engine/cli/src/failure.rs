//! The one error type of the `jalon` binary. Every command returns its text
//! or a [`Failure`]; [`Failure::code`] is the one place that decides the
//! exit code: 1 when the request was understood and refused (or something
//! failed for good), 2 when it could not be carried out as given.

use jalon_runtime::load::LoadError;
use jalon_runtime::record::RecordError;
use jalon_runtime::replay::{Orphaned, StateError};
use jalon_store::StoreError;

#[derive(Debug)]
pub enum Failure {
    /// Not carried out as given: a bad argument, a file that cannot be read,
    /// definitions with errors.
    Usage(String),
    /// Understood and refused, or failed for good (exit 1).
    Refused(String),
    /// Already told on standard error; only the exit code is left.
    Told(u8),
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::Refused(_) => 1,
            Failure::Told(code) => *code,
        }
    }

    pub fn message(&self) -> Option<&str> {
        match self {
            Failure::Usage(m) | Failure::Refused(m) => Some(m),
            Failure::Told(_) => None,
        }
    }
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Unreadable { detail } => Failure::Usage(format!(
                "{detail} (give the definitions folder with --definitions)"
            )),
            other => Failure::Usage(other.to_string()),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Usage(e.to_string())
    }
}

impl From<Box<Orphaned>> for Failure {
    fn from(e: Box<Orphaned>) -> Self {
        Failure::Refused(e.to_string())
    }
}

impl From<StateError> for Failure {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Store(e) => e.into(),
            StateError::Orphaned(e) => e.into(),
        }
    }
}

impl From<RecordError> for Failure {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Store(e) => e.into(),
            RecordError::Orphaned(e) => e.into(),
            refused => Failure::Refused(refused.to_string()),
        }
    }
}
