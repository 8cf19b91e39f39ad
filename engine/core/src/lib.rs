//! The pure core of Jalon: given a resolved edition, the events recorded so
//! far and an instant, the state of every stage instance and the actions
//! due. No clock, disk or network in here: the CLI, the simulator and the
//! daemon drive it.

mod action;
mod actions;
mod application;
mod apply;
pub mod clock;
mod due;
mod event;
mod memo;
mod pending;
mod rejection;
mod selection;
mod sent;
mod settle;
mod snapshot;
mod state;
pub mod time;
pub mod windows;

pub use action::{Action, ActionKey, Addressee, Detail, Key, MessageKind, Recipient};
pub use application::{
    Application, ApplicationRecord, CallWindow, Problem, Revision, Same, LONGEST_DESCRIPTION,
    LONGEST_EMAIL, LONGEST_NAME, LONGEST_ORGANISATION,
};
pub use apply::status_word;
pub use event::{Channel, Event, EventKind, Piece};
pub use rejection::{InstanceState, NotNow, Rejection};
pub use snapshot::{format_of as snapshot_format_of, SnapshotError, FORMAT as SNAPSHOT_FORMAT};
pub use state::{
    rank, Closure, Ids, IndicatorValue, Instance, Lifecycle, ParticipantState, Progress, Refusal,
    Score, SelectionRecord, SkipReason, State, Submission,
};
