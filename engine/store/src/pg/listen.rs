//! Replicas wake each other: a commit that records an event or queues a
//! message notifies the channel (see `writes::notify`), and each replica
//! listens on a connection of its own, on a thread of its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::{error, Manager, CHANNEL};
use crate::StoreError;

/// How often the listener looks whether it should stop.
const LOOK: Duration = Duration::from_millis(500);

/// The longest wait between two attempts to reconnect.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// What the listener heard, for the replica to act on and log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// Another replica (or a command) committed something.
    Commit,
    /// The listening connection failed: why. Said once per loss.
    Lost(String),
    /// It is back: something may have been missed meanwhile.
    Back,
}

/// A running listener; dropped, it stops within [`LOOK`].
pub struct Listening {
    stop: Arc<AtomicBool>,
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

pub(super) fn start(
    manager: Manager,
    database: String,
    replica: String,
    ring: Box<dyn Fn(Heard) + Send>,
) -> Result<Listening, StoreError> {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    std::thread::Builder::new()
        .name("jalon-listen".into())
        .spawn(move || listen(&manager, &database, &replica, &*ring, &stopped))
        .map_err(|e| StoreError::Unreachable {
            database: String::new(),
            detail: format!("cannot start the listener: {e}"),
        })?;
    Ok(Listening { stop })
}

/// Listens until told to stop; a lost connection is dialled again, waiting
/// twice as long after each failure, and the replica is woken once it is
/// back (what was notified meanwhile was not heard).
fn listen(
    manager: &Manager,
    database: &str,
    replica: &str,
    ring: &dyn Fn(Heard),
    stop: &AtomicBool,
) {
    let mut wait = Duration::from_secs(1);
    let mut lost = false;
    while !stop.load(Ordering::Acquire) {
        let connected = manager
            .config
            .connect(manager.tls.clone())
            .and_then(|mut client| {
                client
                    .batch_execute(&format!("LISTEN {CHANNEL}"))
                    .map(|()| client)
            });
        let mut client = match connected {
            Ok(client) => client,
            Err(e) => {
                if !lost {
                    ring(Heard::Lost(error(database, &e).to_string()));
                    lost = true;
                }
                sleep_unless_stopped(wait, stop);
                wait = (wait * 2).min(LONGEST_WAIT);
                continue;
            }
        };
        if lost {
            lost = false;
            ring(Heard::Back);
        }
        wait = Duration::from_secs(1);
        while !stop.load(Ordering::Acquire) {
            let mut woken = false;
            let outcome = {
                let mut heard = client.notifications();
                let mut batch = heard.timeout_iter(LOOK);
                loop {
                    match batch.next() {
                        Ok(Some(notification)) => {
                            woken |= notification.payload() != replica;
                        }
                        Ok(None) => break Ok(()),
                        Err(e) => break Err(e),
                    }
                }
            };
            if woken {
                ring(Heard::Commit);
            }
            if let Err(e) = outcome {
                ring(Heard::Lost(error(database, &e).to_string()));
                lost = true;
                break;
            }
            if client.is_closed() {
                ring(Heard::Lost("the connection closed".into()));
                lost = true;
                break;
            }
        }
    }
}

fn sleep_unless_stopped(wait: Duration, stop: &AtomicBool) {
    let mut left = wait;
    while !left.is_zero() && !stop.load(Ordering::Acquire) {
        let nap = left.min(LOOK);
        std::thread::sleep(nap);
        left -= nap;
    }
}
