//! What the web pages need from the daemon: the database, the running
//! editions (replaced on reload), and the bell that wakes the scheduling
//! loop after an answer is recorded. (Pages need no key: a token is found
//! by its hash.)

use std::path::PathBuf;
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use tokio::sync::{watch, Notify};

use super::schedule::Editions;

pub struct Site {
    pub db: PathBuf,
    pub editions: watch::Receiver<Editions>,
    pub wake: Arc<Notify>,
}

impl Site {
    /// The running set, as it is now.
    pub fn editions(&self) -> Editions {
        self.editions.borrow().clone()
    }

    /// A running edition by id.
    pub fn edition(&self, id: &str) -> Option<Arc<Edition>> {
        self.editions().iter().find(|e| e.id == id).cloned()
    }
}
