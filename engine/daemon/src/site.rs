//! What the web pages need from the daemon: the database, the running
//! editions (replaced on reload), the bell that wakes the scheduling loop
//! after an answer is recorded, and the clock. (Pages need no key: a token
//! is found by its hash.)

use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_runtime::Clock;
use jalon_store::Backend;
use tokio::sync::{watch, Notify};

use super::scheduler::Editions;

pub struct Site<B: Backend> {
    pub backend: B,
    pub editions: watch::Receiver<Editions>,
    pub wake: Arc<Notify>,
    pub clock: Arc<dyn Clock>,
}

impl<B: Backend> Site<B> {
    /// The running set, as it is now.
    pub fn editions(&self) -> Editions {
        self.editions.borrow().clone()
    }

    /// A running edition by id.
    pub fn edition(&self, id: &str) -> Option<Arc<Edition>> {
        self.editions().iter().find(|e| e.id == id).cloned()
    }
}
