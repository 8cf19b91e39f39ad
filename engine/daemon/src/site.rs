//! What the web pages need from the daemon: the database, the running
//! editions (replaced on reload), the bell that wakes the scheduling loop
//! after an answer is recorded, and the clock. (Pages need no key: a token
//! is found by its hash.)

use std::sync::Arc;

use jalon_runtime::Clock;
use jalon_store::Backend;
use tokio::sync::{watch, Notify, Semaphore};

use super::scheduler::Editions;

/// Pages reading or writing the database at once; more wait their turn
/// (within the request's time limit). Each opens the database (file, WAL,
/// shared memory: three descriptors) on a blocking thread, so without this
/// bound the HTTP side could take the descriptors the sending loop needs.
pub const PAGES_AT_ONCE: usize = 16;

pub struct Site<B: Backend> {
    pub backend: B,
    pub editions: watch::Receiver<Editions>,
    pub wake: Arc<Notify>,
    pub clock: Arc<dyn Clock>,
    /// [`PAGES_AT_ONCE`] permits.
    pub pages: Arc<Semaphore>,
}

/// Why a page's work on the database did not finish.
#[derive(Debug, thiserror::Error)]
pub enum PageWorkError {
    #[error("{0}")]
    Stopped(#[from] tokio::task::JoinError),
    #[error("the daemon is stopping")]
    Closed,
}

impl<B: Backend> Site<B> {
    /// The running set, as it is now.
    pub fn editions(&self) -> Editions {
        self.editions.borrow().clone()
    }

    /// Runs a page's database work on a blocking thread, at most
    /// [`PAGES_AT_ONCE`] at a time. The permit goes with the work, so work
    /// whose request timed out still counts until it ends.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PageWorkError> {
        let permit = self
            .pages
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PageWorkError::Closed)?;
        Ok(tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await?)
    }
}
