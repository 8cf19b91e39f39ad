//! One pass over the running editions: for each, one tick of the runtime
//! (queue what time has made due, deliver what is ready) and when it next
//! needs one. Blocking (the store and the dispatcher block): the loop runs
//! it on a blocking thread.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_runtime::compose::messages;
use jalon_runtime::dispatch::Dispatcher;
use jalon_runtime::hold::threshold;
use jalon_runtime::replay::{load, Loaded, Orphaned, StateError};
use jalon_runtime::tick::{tick, TickError};
use jalon_runtime::Clock;
use jalon_store::{Backend, Store, StoreError};
use jiff::Timestamp;

use super::metrics::Counts;

/// Why an edition's pass did not run to the end. What it had committed stays.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tick(#[from] TickError),
    #[error(transparent)]
    Orphaned(#[from] Box<Orphaned>),
    #[error("a template does not compile: {0}")]
    Template(String),
    /// A bug, met on this edition only: the others are served all the same.
    #[error("internal error (a bug; please report it): {0}")]
    Panicked(String),
}

impl From<StateError> for PassError {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Store(e) => PassError::Store(e),
            StateError::Orphaned(e) => PassError::Orphaned(e),
        }
    }
}

impl PassError {
    /// The database could not be reached, however deep the failure came.
    pub fn unreachable(&self) -> bool {
        use jalon_runtime::dispatch::DispatchError;
        match self {
            PassError::Store(e)
            | PassError::Tick(TickError::Store(e))
            | PassError::Tick(TickError::Dispatch(DispatchError::Store(e))) => e.unreachable(),
            _ => false,
        }
    }
}

/// What a pass did for one edition.
pub struct EditionPass {
    pub counts: Counts,
    /// Keys of the messages sent and of those recorded expired, and keys and
    /// reasons of the temporary and the final failures, for the log.
    pub sent: Vec<String>,
    pub expired: Vec<String>,
    pub retry: Vec<(String, String)>,
    pub failed: Vec<(String, String)>,
    /// Messages newly held for a release.
    pub held: usize,
    /// The relay failed, or is left alone until its probe.
    pub relay: Option<jalon_runtime::dispatch::RelayDown>,
    /// When something of this edition falls due next (an action, or a retry).
    pub next: Option<Timestamp>,
}

impl EditionPass {
    fn resting(next: Option<Timestamp>) -> Self {
        EditionPass {
            counts: Counts::default(),
            sent: Vec::new(),
            expired: Vec::new(),
            retry: Vec::new(),
            failed: Vec::new(),
            held: 0,
            relay: None,
            next,
        }
    }
}

/// An edition's id and how its pass went.
pub type Outcome = (String, Result<EditionPass, PassError>);

/// What a pass remembers of an edition: the definition it ran under, the
/// last event it saw and when it next needs a pass. An edition with nothing
/// new and nothing due then costs one query. States are not kept: rebuilding
/// the one edition that needs a pass takes milliseconds, keeping a hundred
/// editions' states would take hundreds of MiB.
pub struct Seen {
    edition: Arc<Edition>,
    last_seq: i64,
    next: Option<Timestamp>,
}

/// What passes remember, by edition id.
pub type Cache = HashMap<String, Seen>;

/// Runs every edition in turn; one edition's failure does not stop the
/// others. With `hold`, what a new definition makes already late is held.
/// `whole` is false for the editions served first at a start, before the
/// others are checked.
pub fn pass_all<B: Backend>(
    backend: &B,
    editions: &[Arc<Edition>],
    whole: bool,
    dispatcher: &mut Dispatcher,
    cache: &mut Cache,
    clock: &dyn Clock,
    hold: bool,
) -> Result<Vec<Outcome>, StoreError> {
    let mut store = backend.open()?;
    cache.retain(|id, _| editions.iter().any(|e| &e.id == id));
    dispatcher.several = Arc::new(readers_of_several(
        &mut store,
        editions,
        whole,
        clock.now(),
    )?);
    // Editions with messages waiting go first: after a restart, what was
    // queued before the stop goes out before a hundred states are rebuilt.
    let waiting = store.editions_pending()?;
    let mut order: Vec<&Arc<Edition>> = editions.iter().collect();
    order.sort_by_key(|e| !waiting.contains(&e.id));
    Ok(order
        .into_iter()
        .map(|edition| {
            let waits = waiting.contains(&edition.id);
            // One edition's bug must not stop the others' messages.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pass(&mut store, edition, dispatcher, cache, clock, waits, hold)
            }))
            .unwrap_or_else(|panic| Err(PassError::Panicked(panic_text(&*panic))));
            if outcome.is_err() {
                // Try it again in full next time.
                cache.remove(&edition.id);
            }
            (edition.id.clone(), outcome)
        })
        .collect())
}

/// Who follows several editions, and so reads the edition's name in each
/// subject. Over the whole set it is worked out, and kept when it changed;
/// over the editions served first at a start it is what the last whole
/// pass kept, so that a message sent again after a crash reads as it did
/// (the start serves none first when nothing was kept).
fn readers_of_several(
    store: &mut impl Store,
    editions: &[Arc<Edition>],
    whole: bool,
    now: Timestamp,
) -> Result<HashSet<String>, StoreError> {
    if !whole {
        return Ok(store
            .readers_of_several()?
            .unwrap_or_default()
            .into_iter()
            .collect());
    }
    let several =
        jalon_runtime::compose::several::readers_of_several(editions.iter().map(|e| &**e), now);
    let mut sorted: Vec<String> = several.iter().cloned().collect();
    sorted.sort();
    // Only the next start reads it: a failure here must not stop a pass.
    let kept = store.readers_of_several();
    if !matches!(&kept, Ok(Some(kept)) if *kept == sorted) {
        if let Err(e) = store.keep_readers_of_several(&sorted) {
            tracing::warn!("who follows several editions could not be kept: {e}");
        }
    }
    Ok(several)
}

/// Whether an edition can be left alone: same definition, no event since
/// the last pass, nothing due yet (nor queued meanwhile without an event,
/// such as a notice of a refused reload). Returns when it next needs a pass.
fn resting(
    store: &impl Store,
    edition: &Arc<Edition>,
    cache: &Cache,
    now: Timestamp,
    waits: bool,
) -> Result<Option<Option<Timestamp>>, StoreError> {
    let Some(seen) = cache.get(&edition.id) else {
        return Ok(None);
    };
    if !Arc::ptr_eq(&seen.edition, edition) || seen.next.is_some_and(|next| next <= now) {
        return Ok(None);
    }
    if waits && store.pending(&edition.id)?.iter().any(|e| e.ready(now)) {
        return Ok(None);
    }
    let news = !store.events_since(&edition.id, seen.last_seq)?.is_empty();
    Ok((!news).then_some(seen.next))
}

fn pass<S: Store + Send>(
    store: &mut S,
    edition: &Arc<Edition>,
    dispatcher: &mut Dispatcher,
    cache: &mut Cache,
    clock: &dyn Clock,
    waits: bool,
    hold: bool,
) -> Result<EditionPass, PassError> {
    let now = clock.now();
    if let Some(next) = resting(store, edition, cache, now, waits)? {
        return Ok(EditionPass::resting(next));
    }
    let Loaded {
        mut state,
        history,
        warning,
    } = load(store, edition)?;
    if let Some(warning) = warning {
        tracing::warn!("{warning}");
    }
    let templates = messages::templates(edition).map_err(|e| PassError::Template(e.to_string()))?;
    let hold = if hold {
        threshold(store, edition, &history)?
    } else {
        None
    };
    let done = tick(store, &mut state, &templates, dispatcher, now, hold)?;
    let mut pass = EditionPass::resting(done.next);
    // Counted when a message's first turn comes, whoever queued it (time,
    // or a recorded event), so that the due counter is never below sent.
    pass.counts.due = (done.report.due + done.notices.as_ref().map_or(0, |n| n.due)) as u64;
    pass.held = done.held;
    pass.relay = done.report.relay.clone();
    for report in std::iter::once(done.report).chain(done.notices) {
        pass.counts.sent += report.sent as u64;
        pass.counts.retried += report.retry.len() as u64;
        pass.counts.failed += report.failed.len() as u64;
        pass.counts.expired += report.expired as u64;
        pass.sent.extend(report.sent_keys);
        pass.expired.extend(report.expired_keys);
        pass.retry
            .extend(report.retry.into_iter().map(|(key, _, why)| (key, why)));
        pass.failed
            .extend(report.failed.into_iter().map(|(key, _, why)| (key, why)));
    }
    cache.insert(
        edition.id.clone(),
        Seen {
            edition: edition.clone(),
            last_seq: history.last_seq(),
            next: done.next,
        },
    );
    Ok(pass)
}

/// What a panic said, when it said something.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
