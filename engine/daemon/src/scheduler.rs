//! The scheduling loop: a pass, then sleep until the next due instant (no
//! periodic rescan), waking early when the definitions change or a signal
//! asks to stop.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jalon_definition::resolved::Edition;
use jalon_runtime::dispatch::Dispatcher;
use jalon_runtime::Clock;
use jalon_store::Backend;
use jiff::Timestamp;
use tokio::sync::{watch, Notify};
use tracing::{debug, error, info, warn};

use super::http::Health;
use super::metrics::Counts;
use super::operator::Operator;
use super::pass::{self, Cache, EditionPass, PassError};

/// The running set of editions: replaced whole on reload, so a pass sees
/// one version of the definitions from start to end.
pub type Editions = Arc<Vec<Arc<Edition>>>;

/// The longest single sleep. The monotonic clock misses wall-clock steps and
/// suspends; waking this often to re-measure (without a pass) bounds how late
/// that can make a send.
const LONGEST_NAP: Duration = Duration::from_secs(300);

/// After a pass that could not run (the database unreachable), try again
/// after this long rather than spin.
const AFTER_FAILURE: Duration = Duration::from_secs(30);

/// The least time between two passes: something still ready after a pass
/// (a store that refused an outcome) must not turn the loop into a spin.
const SHORTEST_GAP: jiff::SignedDuration = jiff::SignedDuration::from_millis(200);

pub struct Loop<B: Backend> {
    pub backend: B,
    pub health: Arc<Health>,
    /// Rung when something recorded may have made messages due (a validation
    /// through a link, an operator's command): the loop passes at once.
    pub wake: Arc<Notify>,
    pub clock: Arc<dyn Clock>,
    /// Told of late messages held, when configured.
    pub operator: Option<Arc<Operator>>,
    /// Nothing is held (see `jalon_runtime::hold`).
    pub send_late: bool,
    /// Told when the first pass is over (the start checks the other
    /// definitions after it, so as not to slow it down).
    pub passed: Option<std::sync::mpsc::Sender<()>>,
    /// The editions served first at the start, before the others were
    /// checked: a pass over this very set is not over the whole set.
    pub served_first: Option<Editions>,
}

/// What passes keep from one to the next: what each edition needs to be
/// left alone ([`pass::Seen`]), and the dispatcher with its connections.
struct Passes {
    cache: Cache,
    dispatcher: Dispatcher,
}

impl<B: Backend> Loop<B> {
    pub async fn run(
        mut self,
        dispatcher: Dispatcher,
        mut editions: watch::Receiver<Editions>,
        mut stop: watch::Receiver<bool>,
    ) {
        let _alive = Alive::new(&self.health);
        let passes = Arc::new(Mutex::new(Passes {
            cache: Cache::new(),
            dispatcher,
        }));
        loop {
            if *stop.borrow_and_update() {
                break;
            }
            let set = editions.borrow_and_update().clone();
            let next = self.pass(set, &passes).await;
            if let Some(passed) = self.passed.take() {
                let _ = passed.send(());
            }
            match next {
                Some(at) => info!(next = %at, "next wake-up at {at}"),
                None => info!("nothing scheduled: waiting for a reload or a signal"),
            }
            let wake = next.map(|at| at.max(self.clock.now() + SHORTEST_GAP));
            tokio::select! {
                () = sleep_until(&*self.clock, wake) => {}
                changed = editions.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    debug!("definitions replaced: a pass on the new set");
                }
                _ = stop.changed() => {}
                () = self.wake.notified() => {
                    debug!("something was recorded: a pass");
                }
            }
        }
        // The kept connections say goodbye to their servers (blocking).
        let _ = tokio::task::spawn_blocking(move || {
            if let Ok(mut passes) = passes.lock() {
                passes.dispatcher.close();
            }
        })
        .await;
    }

    /// One pass on a blocking thread (SQLite and the dispatcher block).
    /// Returns when to wake.
    async fn pass(&self, set: Editions, passes: &Arc<Mutex<Passes>>) -> Option<Timestamp> {
        let started = std::time::Instant::now();
        let passes = passes.clone();
        let backend = self.backend.clone();
        let clock = self.clock.clone();
        let running = set.clone();
        let hold = !self.send_late;
        let whole = !self
            .served_first
            .as_ref()
            .is_some_and(|first| Arc::ptr_eq(first, &set));
        let done = tokio::task::spawn_blocking(move || {
            // A pass that panicked leaves the cache poisoned: start again
            // from what is recorded.
            let mut passes = passes.lock().unwrap_or_else(|poisoned| {
                let mut passes = poisoned.into_inner();
                passes.cache.clear();
                passes
            });
            let Passes { cache, dispatcher } = &mut *passes;
            pass::pass_all(&backend, &set, whole, dispatcher, cache, &*clock, hold)
        })
        .await;
        let retry_later = self.clock.now().checked_add(AFTER_FAILURE).ok();
        let passes = match done {
            Ok(Ok(passes)) => passes,
            Ok(Err(e)) => {
                error!("cannot open the database: {e}");
                self.health.database(Some(e.to_string()));
                return retry_later;
            }
            Err(e) => {
                error!("a pass stopped before its end: {e}");
                return retry_later;
            }
        };
        let unreachable = passes.iter().find_map(|(_, outcome)| match outcome {
            Err(e) if e.unreachable() => Some(e.to_string()),
            _ => None,
        });
        self.health.database(unreachable);
        let mut next: Option<Timestamp> = None;
        let mut total = Counts::default();
        let mut relay = None;
        for (edition, outcome) in &passes {
            match outcome {
                Ok(done) => {
                    self.health.pass_of(edition, None);
                    self.health.metrics.add(&done.counts);
                    add(&mut total, &done.counts);
                    log_edition(edition, done);
                    if done.held > 0 {
                        self.tell_held(&running, edition, done.held);
                    }
                    if let Some(down) = done.relay.as_ref().filter(|d| d.newly) {
                        relay = Some(down.clone());
                    }
                    next = [next, done.next].into_iter().flatten().min();
                }
                Err(e) => {
                    self.health.pass_of(edition, Some(e.to_string()));
                    log_failure(edition, e);
                    next = [next, retry_later].into_iter().flatten().min();
                }
            }
        }
        if let Some(down) = relay {
            self.health
                .metrics
                .relay_failures
                .fetch_add(1, Ordering::Relaxed);
            error!(
                reason = %down.reason,
                until = %down.until,
                "the relay failed: {}; no message failed for it, they wait; next try at {}",
                down.reason,
                down.until
            );
            if let Some(operator) = &self.operator {
                operator.relay_down(&running, &down.reason);
            }
        }
        info!(
            editions = passes.len(),
            due = total.due,
            sent = total.sent,
            retry = total.retried,
            failed = total.failed,
            expired = total.expired,
            millis = started.elapsed().as_millis() as u64,
            "pass over {} edition(s)",
            passes.len()
        );
        next
    }
}

impl<B: Backend> Loop<B> {
    /// Late messages were held: the log and the operator say so (the
    /// coordination's email is in the outbox already).
    fn tell_held(&self, set: &Editions, edition: &str, held: usize) {
        warn!(
            edition,
            held,
            "edition {edition}: {held} message(s) HELD, already late when their definition came in; \
             see `jalon outbox {edition} --status held`, then `jalon release {edition} --by PERSON` \
             (or --drop)"
        );
        if let (Some(operator), Some(found)) =
            (&self.operator, set.iter().find(|e| e.id == edition))
        {
            operator.held(found, held);
        }
    }
}

fn add(total: &mut Counts, counts: &Counts) {
    total.due += counts.due;
    total.sent += counts.sent;
    total.retried += counts.retried;
    total.failed += counts.failed;
    total.expired += counts.expired;
}

fn log_edition(edition: &str, done: &EditionPass) {
    let c = &done.counts;
    if *c == Counts::default() {
        debug!(edition, "nothing due");
    } else {
        info!(
            edition,
            due = c.due,
            sent = c.sent,
            retry = c.retried,
            failed = c.failed,
            expired = c.expired,
            "edition {edition}: {} due, {} sent, {} to retry, {} failed, {} expired",
            c.due,
            c.sent,
            c.retried,
            c.failed,
            c.expired
        );
    }
    for key in &done.sent {
        info!(edition, key = %key, "sent {key}");
    }
    for key in &done.expired {
        info!(edition, key = %key, "expired, not sent: {key}");
    }
    for (key, reason) in &done.retry {
        warn!(edition, key = %key, "will retry {key}: {reason}");
    }
    for (key, reason) in &done.failed {
        error!(edition, key = %key, "will not be delivered: {key}: {reason}");
    }
}

fn log_failure(edition: &str, e: &PassError) {
    error!(edition, "edition {edition} skipped this pass: {e}");
}

/// Sleeps until `at` (for ever without it), in naps of at most
/// [`LONGEST_NAP`], re-measuring against the wall clock after each.
async fn sleep_until(clock: &dyn Clock, at: Option<Timestamp>) {
    loop {
        let nap = match at {
            None => LONGEST_NAP,
            Some(at) => {
                let left = clock.now().duration_until(at);
                match Duration::try_from(left) {
                    // Past or now: due.
                    Err(_) => return,
                    Ok(left) if left.is_zero() => return,
                    Ok(left) => left.min(LONGEST_NAP),
                }
            }
        };
        tokio::time::sleep(nap).await;
    }
}

/// Marks the loop alive for `/healthz` while it runs, and dead when it ends
/// for any reason, a panic included.
struct Alive(Arc<Health>);

impl Alive {
    fn new(health: &Arc<Health>) -> Self {
        health.looping.store(true, Ordering::Release);
        Alive(health.clone())
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.looping.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    }

    #[test]
    fn sleeps_until_the_instant_and_not_for_a_past_one() {
        let runtime = runtime();
        let started = std::time::Instant::now();
        let clock = jalon_runtime::SystemClock;
        runtime.block_on(sleep_until(
            &clock,
            Timestamp::now().checked_sub(Duration::from_secs(60)).ok(),
        ));
        assert!(started.elapsed() < Duration::from_millis(50));

        let at = Timestamp::now() + jiff::SignedDuration::from_millis(300);
        runtime.block_on(sleep_until(&clock, Some(at)));
        assert!(Timestamp::now() >= at, "woke before the due instant");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
