//! The dispatcher: passes over the outbox. Messages ready at `now` are
//! rendered on one thread, delivered by as many workers as connections, and
//! their outcomes written by one writer that commits together whatever
//! arrived together (one fsync for many messages). A message the server
//! accepted is marked sent before its worker sends the message after next:
//! a crash can make at most two messages per connection go out twice. A
//! worker takes the next message with the one it sends when one is ready,
//! so that its envelope goes behind this one's content (a relay's
//! pipelining): that envelope is not a message sent, and the window stays.
//!
//! A [`Dispatcher`] lives as long as its process: its workers run on a
//! current-thread tokio runtime it keeps, driven by the thread that asks
//! for a pass (as the sockets' readiness is then seen by the thread that
//! waits for it, with no cross-thread wake-up per SMTP reply), and its
//! connections are kept between passes (a connection the server closed
//! meanwhile is reopened once).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jalon_core::{ActionKey, Addressee, State};
use jalon_delivery::{backoff, Connector, Deliver, DeliveryError, Outgoing};
use jalon_message::Templates;
use jalon_store::{Delivery, Mark, NewMessage, OutboxEntry, Store, StoreError};
use jiff::Timestamp;
use tokio::runtime::Runtime;
use tokio::sync::Mutex;

use crate::clock::Clock;
use crate::compose::{self, Composed};
use crate::delivery::DeliverySettings;
use crate::in_order::in_order;
use crate::links::Links;
use crate::payload::{Notice, Payload};

/// What a pass did.
#[derive(Debug, Default)]
pub struct Report {
    /// Messages whose first turn this was (sent, failed, retried or
    /// recorded expired): each message counts once, whoever queued it.
    pub due: usize,
    pub sent: usize,
    /// Keys of the messages sent, and of those recorded expired, for the log.
    pub sent_keys: Vec<String>,
    pub expired_keys: Vec<String>,
    /// Temporary failures: key, next attempt, reason.
    pub retry: Vec<(String, Timestamp, String)>,
    /// Final failures: key, recipient, reason.
    pub failed: Vec<(String, String, String)>,
    pub expired: usize,
    /// Coordinator notices queued about final failures.
    pub notices: usize,
    /// From the first message rendered to the last outcome committed.
    pub elapsed: Duration,
    /// The relay failed (or is still taken for down): nothing more was
    /// tried this pass, and nothing failed for it.
    pub relay: Option<RelayDown>,
}

/// The relay is down: why, and when it is tried again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelayDown {
    pub reason: String,
    pub until: Timestamp,
    /// It failed in this pass (rather than being left alone since an
    /// earlier one).
    pub newly: bool,
}

/// A circuit breaker on the relay: after a relay failure nothing is
/// dialled until a probe time that doubles with each failure in a row
/// (30 s, 1 min, 2 min… at most 15 min); a pass that sends closes it.
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open: Option<(Timestamp, String)>,
}

impl Breaker {
    const FIRST_PROBE: Duration = Duration::from_secs(30);
    const LONGEST_PROBE: Duration = Duration::from_secs(15 * 60);

    /// When to try again after one more failure.
    fn next_probe(&self, now: Timestamp) -> Timestamp {
        let wait = Self::FIRST_PROBE
            .saturating_mul(1u32 << self.failures.min(10))
            .min(Self::LONGEST_PROBE);
        now.checked_add(wait).unwrap_or(now)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the writer of delivery outcomes stopped; run `jalon outbox` to see what was recorded"
    )]
    WriterStopped,
    #[error("the dispatcher was closed")]
    Closed,
}

/// A message on its way, with what its outcome needs.
struct Job {
    outgoing: Outgoing,
    /// The rows it carries: one, or several alike merged into one email.
    entries: Vec<OutboxEntry>,
    subject: String,
}

/// Delivers the outbox, pass after pass, through connectors of type `D`
/// (the configured [`Connector`], or a test's own).
pub struct Dispatcher<D = Connector> {
    /// Always there but while being dropped.
    runtime: Option<Runtime>,
    clock: Arc<dyn Clock>,
    connect: Box<dyn Fn() -> D + Send + Sync>,
    /// Connectors kept from the last pass, each holding its connection.
    idle: Vec<D>,
    workers: usize,
    rate: Option<f64>,
    /// What validation links are signed with; previews use placeholders.
    pub links: Option<Arc<Links>>,
    /// What emails are signed with (DKIM), if anything.
    pub dkim: Option<Arc<jalon_message::Dkim>>,
    /// Who follows several editions at once: their subjects name the
    /// edition (`compose::several`). Set by whoever runs several editions.
    pub several: Arc<std::collections::HashSet<String>>,
    /// Who delivers, among replicas sharing a database (leases carry it).
    pub holder: String,
    /// How long a claimed message is this dispatcher's alone: a replica
    /// that dies holding messages delays them this long at most.
    pub lease: Duration,
    breaker: Breaker,
}

/// Rows composed together before their emails are handed to the workers:
/// few, so that the connections start at once and sending overlaps
/// composing (a whole claimed batch composed first left them idle meanwhile).
const COMPOSED_AT_ONCE: usize = 16;

/// Threads composing emails at most: enough to keep ahead of the
/// connections, whatever the machine's cores.
const MOST_COMPOSERS: usize = 4;

/// Messages claimed at once: a batch is sent well within its lease, and
/// replicas sharing a burst each take a part of it.
const CLAIM_BATCH: usize = 500;

/// The lease on claimed messages, unless the daemon sets another.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

impl Dispatcher<Connector> {
    /// A dispatcher delivering as the settings say.
    pub fn new(clock: Arc<dyn Clock>, settings: &DeliverySettings) -> std::io::Result<Self> {
        let for_workers = settings.clone();
        let mut dispatcher =
            Dispatcher::with_connector(clock, settings.connections, settings.rate, move || {
                for_workers.connector()
            })?;
        dispatcher.dkim = settings.dkim.clone();
        Ok(dispatcher)
    }
}

impl<D: Deliver + Send + 'static> Dispatcher<D> {
    /// A dispatcher of `workers` connectors made by `connect`. Its passes
    /// block: call [`Dispatcher::deliver`] from outside any async context.
    pub fn with_connector(
        clock: Arc<dyn Clock>,
        workers: usize,
        rate: Option<f64>,
        connect: impl Fn() -> D + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Dispatcher {
            runtime: Some(runtime),
            clock,
            connect: Box::new(connect),
            idle: Vec::new(),
            workers: workers.max(1),
            rate,
            links: None,
            dkim: None,
            several: Arc::default(),
            holder: "jalon".to_owned(),
            lease: DEFAULT_LEASE,
            breaker: Breaker::default(),
        })
    }

    fn runtime(&self) -> Result<&Runtime, DispatchError> {
        self.runtime.as_ref().ok_or(DispatchError::Closed)
    }

    /// Delivers every message of the edition ready at the clock's instant,
    /// a claimed batch at a time (see [`Store::claim`]): on a database
    /// replicas share, each message is this dispatcher's alone while its
    /// lease runs. Call it from outside the runtime (a blocking thread).
    pub fn deliver<S: Store + Send>(
        &mut self,
        store: &mut S,
        state: &State,
        templates: &Templates,
    ) -> Result<Report, DispatchError> {
        let now = self.clock.now();
        let mut report = Report::default();
        loop {
            let claimed_at = Instant::now();
            let until = self
                .clock
                .now()
                .checked_add(self.lease)
                .unwrap_or(Timestamp::MAX);
            let claimed =
                store.claim(&state.edition().id, now, until, &self.holder, CLAIM_BATCH)?;
            let full = claimed.len() == CLAIM_BATCH;
            let untried = self.deliver_claimed(
                store,
                state,
                templates,
                now,
                claimed,
                claimed_at + self.lease / 2,
                &mut report,
            )?;
            if !untried.is_empty() {
                store.release(&untried, &self.holder)?;
            }
            if !full || report.relay.is_some() || !untried.is_empty() {
                return Ok(report);
            }
        }
    }

    /// Delivers claimed messages; none is handed to a connection after
    /// `send_before` (half the lease: the lease must outlast the send).
    /// Returns the keys of those not tried, to be released.
    #[allow(clippy::too_many_arguments)]
    fn deliver_claimed<S: Store + Send>(
        &mut self,
        store: &mut S,
        state: &State,
        templates: &Templates,
        now: Timestamp,
        claimed: Vec<OutboxEntry>,
        send_before: Instant,
        report: &mut Report,
    ) -> Result<Vec<String>, DispatchError> {
        let claimed_keys: Vec<String> = claimed.iter().map(|e| e.key.clone()).collect();
        let untried = |marked: &std::collections::HashSet<&str>| -> Vec<String> {
            claimed_keys
                .iter()
                .filter(|k| !marked.contains(k.as_str()))
                .cloned()
                .collect()
        };
        let mut expired = Vec::new();
        let mut ready = Vec::new();
        let mut first_turn = std::collections::HashSet::new();
        for entry in claimed {
            if !entry.ready(now) {
                continue;
            }
            if entry.attempts == 0 {
                first_turn.insert(entry.key.clone());
            }
            // A reminder after its deadline is worse than none.
            if entry.expires_at.is_some_and(|t| t < now) {
                expired.push(mark(&entry.key, Delivery::Expired, "past its expiry", now));
            } else {
                ready.push(entry);
            }
        }
        report.expired += expired.len();
        report.due += expired
            .iter()
            .filter(|m| first_turn.contains(&m.key))
            .count();
        store.mark(&expired)?;
        let expired_keys: std::collections::HashSet<String> =
            expired.into_iter().map(|m| m.key).collect();
        report.expired_keys.extend(expired_keys.iter().cloned());
        let marked_expired = || expired_keys.iter().map(String::as_str).collect();
        if ready.is_empty() {
            return Ok(untried(&marked_expired()));
        }
        if let Some((until, reason)) = self.breaker.open.clone().filter(|(u, _)| *u > now) {
            report.relay = Some(RelayDown {
                reason,
                until,
                newly: false,
            });
            return Ok(untried(&marked_expired()));
        }
        let probe_at = self.breaker.next_probe(now);
        // Kept before anything is sent: a link in a delivered email is always
        // known, and one kept for a send that then fails is harmless.
        if let Some(links) = &self.links {
            store.issue_links(&crate::links::issued(links, state.edition(), &ready, now))?;
        }

        let started = Instant::now();
        let workers = self.workers;
        let (jobs_in, jobs_out) = tokio::sync::mpsc::channel::<Job>(workers * 8);
        let (marks_in, marks_out) = mpsc::channel::<ToWrite>();
        let shared = Arc::new(Shared {
            send_before,
            jobs: Mutex::new(jobs_out),
            limit: self.rate.map(RateLimit::new),
            store_failed: AtomicBool::new(false),
            relay_down: std::sync::Mutex::new(None),
            probe_at,
            coordinators: compose::coordinators(state.edition()),
        });
        while self.idle.len() < workers {
            self.idle.push((self.connect)());
        }
        let connectors: Vec<D> = self.idle.drain(..).collect();
        let links = self.links.clone();
        let dkim = self.dkim.clone();
        let several = self.several.clone();
        let runtime = self.runtime()?;
        let composers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MOST_COMPOSERS);

        let (written, kept) = std::thread::scope(|scope| {
            let writer =
                scope.spawn(|| write_marks(store, marks_out, workers, &shared.store_failed));
            let producer_marks = marks_in.clone();
            let coordinators = &shared.coordinators;
            scope.spawn(move || {
                // Split a due instant at a time: what is due together may
                // merge into one email (see `compose::grouped`).
                let mut ready = ready;
                ready.sort_by(|a, b| (a.due_at, &a.key).cmp(&(b.due_at, &b.key)));
                let mut parts = Vec::new();
                let mut ready = ready.into_iter().peekable();
                while let Some(first) = ready.next() {
                    let mut run = vec![first];
                    while let Some(next) = ready.next_if(|e| e.due_at == run[0].due_at) {
                        run.push(next);
                    }
                    // A recipient's many rows (merged into one email, the
                    // longest to compose) go after the single ones due with
                    // them, so that the connections start at once: last in
                    // their part, and a part with many such rows last.
                    let mut run = compose::parts(run, COMPOSED_AT_ONCE);
                    run.sort_by_key(Vec::len);
                    parts.extend(run);
                }
                let how = compose::Composing {
                    links: links.as_deref(),
                    dkim: dkim.as_deref(),
                    several: Some(&several),
                };
                // The lease half gone, nothing more is composed: the rest
                // is released and claimed again, with a fresh lease.
                let compose = |part| {
                    (Instant::now() <= send_before)
                        .then(|| compose::prepare(state, templates, part, now, how))
                };
                // Composed on every core, the longest begun first, and
                // handed to the connections in the order above.
                in_order(parts, composers, Vec::len, compose, |composed| {
                    let Some(composed) = composed else {
                        return false;
                    };
                    for prepared in composed {
                        let entries = prepared.entries;
                        let to_write = |outcome, why: &str| ToWrite {
                            marks: entries
                                .iter()
                                .map(|e| mark(&e.key, outcome, why, now))
                                .collect(),
                            committed: None,
                        };
                        let sent = match prepared.composed {
                            Ok(Composed::Stale(why)) => producer_marks
                                .send(to_write(Delivery::Expired, why))
                                .is_ok(),
                            Ok(Composed::Ready(outgoing, subject)) => {
                                let job = Job {
                                    outgoing,
                                    entries,
                                    subject,
                                };
                                jobs_in.blocking_send(job).is_ok()
                            }
                            Err(reason) => {
                                let mut failed = to_write(Delivery::Failed, &reason);
                                if let (Some(first), Some(entry)) =
                                    (failed.marks.first_mut(), entries.first())
                                {
                                    first.then_queue =
                                        notices(entry, "", &reason, coordinators, now);
                                }
                                producer_marks.send(failed).is_ok()
                            }
                        };
                        if !sent {
                            return false;
                        }
                    }
                    true
                });
            });
            // The workers run on this thread, beside the runtime's I/O
            // driver, until they hand back their connectors.
            let tasks: Vec<_> = connectors
                .into_iter()
                .map(|connector| {
                    let work = work(
                        connector,
                        shared.clone(),
                        marks_in.clone(),
                        self.clock.clone(),
                    );
                    runtime.spawn(work)
                })
                .collect();
            let kept = runtime.block_on(async {
                let kept = futures_util::future::join_all(tasks).await;
                // Workers that stopped early (the store failed, the relay
                // went down) leave jobs unread: closed, the channel sends
                // the producer home instead of leaving it blocked on a full
                // channel, holding the writer open, for ever.
                shared.jobs.lock().await.close();
                kept
            });
            // A worker that panicked lost its connector: a new one is made.
            let kept: Vec<D> = kept.into_iter().filter_map(Result::ok).collect();
            drop(marks_in);
            (writer.join(), kept)
        });
        self.idle = kept;
        // A writer that died leaves outcomes unknown: say so rather than report
        // nothing sent.
        let (marks, result) = written.map_err(|_| DispatchError::WriterStopped)?;
        result?;
        report.elapsed += started.elapsed();
        let mut marked = marked_expired();
        marked.extend(marks.iter().map(|m| m.key.as_str()));
        let untried = untried(&marked);
        let relay_down = shared.relay_down.lock().ok().and_then(|mut d| d.take());
        match relay_down {
            Some(reason) => {
                self.breaker.failures += 1;
                self.breaker.open = Some((probe_at, reason.clone()));
                report.relay = Some(RelayDown {
                    reason,
                    until: probe_at,
                    newly: true,
                });
            }
            None => self.breaker = Breaker::default(),
        }
        for m in marks {
            report.due += usize::from(first_turn.contains(&m.key));
            match m.outcome {
                Delivery::Sent => {
                    report.sent += 1;
                    report.sent_keys.push(m.key);
                }
                Delivery::Retry => report.retry.push((
                    m.key,
                    m.retry_at.unwrap_or(now),
                    m.detail.unwrap_or_default(),
                )),
                Delivery::Failed => {
                    report.notices += m.then_queue.len();
                    let recipient = ActionKey::addressee_of(&m.key)
                        .map(|a| a.to_string())
                        .unwrap_or_default();
                    report
                        .failed
                        .push((m.key, recipient, m.detail.unwrap_or_default()));
                }
                Delivery::Expired => {
                    report.expired += 1;
                    report.expired_keys.push(m.key);
                }
                Delivery::Pending | Delivery::Held => {}
            }
        }
        Ok(untried)
    }

    /// Says goodbye to the servers of the kept connections.
    /// Call it from outside any async context.
    pub fn close(&mut self) {
        let idle: Vec<D> = self.idle.drain(..).collect();
        if let Some(runtime) = &self.runtime {
            runtime.block_on(async {
                for mut connector in idle {
                    connector.close().await;
                }
            });
        }
    }
}

impl<D> Drop for Dispatcher<D> {
    /// Without waiting: a dispatcher may be dropped inside another runtime
    /// (the daemon's), where a blocking shutdown would panic.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// What the workers share.
struct Shared {
    /// No message goes to the relay after this instant: past half its
    /// lease, a claimed message may soon be another replica's.
    send_before: Instant,
    jobs: Mutex<tokio::sync::mpsc::Receiver<Job>>,
    limit: Option<RateLimit>,
    /// Set when outcomes can no longer be written: sending more would send
    /// twice later.
    store_failed: AtomicBool,
    /// Why the relay failed, once it did: the workers stop dialling.
    relay_down: std::sync::Mutex<Option<String>>,
    /// When a message the relay failed is tried again.
    probe_at: Timestamp,
    coordinators: Vec<compose::Coordinator>,
}

/// How many messages a worker may have sent whose outcome is not yet
/// committed. A crash sends these again on restart (the server accepted them,
/// the database does not know), so this, times the connections, bounds the
/// duplicates a crash can cause. Two lets a worker send the next message
/// while the last one's outcome commits (one at a time, one connection
/// reached 0.36 of smtp-source's rate on loopback; two, 0.56), at the price
/// of at most two duplicates per connection after a crash.
const UNRECORDED_PER_CONNECTION: usize = 2;

/// An outcome for the writer, and the worker waiting for its commit.
struct ToWrite {
    /// One per row the email carried.
    marks: Vec<Mark>,
    committed: Option<tokio::sync::oneshot::Sender<()>>,
}

/// One worker: takes the next message, delivers it through its own
/// connector, hands the outcome to the writer and waits for its commit.
async fn work<D: Deliver>(
    mut connector: D,
    shared: Arc<Shared>,
    marks: mpsc::Sender<ToWrite>,
    clock: Arc<dyn Clock>,
) -> D {
    let mut unrecorded = std::collections::VecDeque::new();
    // The job taken with the last one: its envelope went behind that one's
    // content (see `Deliver::deliver_then`).
    let mut upcoming: Option<Job> = None;
    loop {
        let job = match upcoming.take() {
            Some(job) => job,
            None => match shared.jobs.lock().await.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        if shared.store_failed.load(Ordering::Acquire) || shared.relay_is_down() {
            break;
        }
        if let Some(limit) = &shared.limit {
            limit.wait().await;
        }
        // Composed in time but queued behind slow sends (a starved CPU, a
        // slow relay): left untried, it is released, not sent late under a
        // lease another replica may take over meanwhile.
        if Instant::now() > shared.send_before {
            break;
        }
        // The job after this one, if one waits, to pipeline behind it; not
        // at a limited rate, whose wait comes between the two.
        if shared.limit.is_none() {
            upcoming = shared.jobs.lock().await.try_recv().ok();
        }
        let next = upcoming.as_ref().map(|job| &job.outgoing);
        let outcome = connector.deliver_then(&job.outgoing, next).await;
        if let Err(DeliveryError::Relay(reason)) = &outcome {
            if let Ok(mut down) = shared.relay_down.lock() {
                down.get_or_insert_with(|| reason.clone());
            }
        }
        let outcomes = outcome_marks(&job, outcome, clock.now(), &shared);
        let (committed, recorded) = tokio::sync::oneshot::channel();
        let committed = Some(committed);
        if marks
            .send(ToWrite {
                marks: outcomes,
                committed,
            })
            .is_err()
        {
            break;
        }
        // Killed from here until the commit, the daemon sends this message
        // again on restart: wait for it before going further.
        unrecorded.push_back(recorded);
        if unrecorded.len() >= UNRECORDED_PER_CONNECTION {
            if let Some(oldest) = unrecorded.pop_front() {
                if oldest.await.is_err() {
                    break;
                }
            }
        }
    }
    // Kept open for the next pass; the dispatcher closes it at the end.
    connector
}

/// How long the writer waits for more outcomes before committing, and how
/// many it commits at most at once.
const LINGER: Duration = Duration::from_millis(2);
const MAX_BATCH: usize = 1_024;

/// The writer: commits the outcomes that are waiting, all in one
/// transaction, until the workers are done, and tells each worker its
/// outcome is committed. Returns what it wrote.
fn write_marks(
    store: &mut impl Store,
    marks: mpsc::Receiver<ToWrite>,
    workers: usize,
    failed: &AtomicBool,
) -> (Vec<Mark>, Result<(), StoreError>) {
    let mut written = Vec::new();
    let mut result = Ok(());
    while let Ok(first) = marks.recv() {
        // Outcomes arriving within a moment of each other share a commit:
        // one fsync for several messages instead of one each. Once every
        // worker waits for this commit, nothing more can come.
        let mut waiting = usize::from(first.committed.is_some());
        let mut batch = vec![first];
        let deadline = Instant::now() + LINGER;
        while batch.len() < MAX_BATCH && waiting < workers * UNRECORDED_PER_CONNECTION {
            let left = deadline.saturating_duration_since(Instant::now());
            match marks.recv_timeout(left) {
                Ok(mark) => {
                    waiting += usize::from(mark.committed.is_some());
                    batch.push(mark);
                }
                Err(_) => break,
            }
        }
        // Dropped unanswered after a failure: the workers stop.
        if result.is_err() {
            continue;
        }
        let (batch, waiting): (Vec<Vec<Mark>>, Vec<_>) =
            batch.into_iter().map(|w| (w.marks, w.committed)).unzip();
        let batch: Vec<Mark> = batch.into_iter().flatten().collect();
        match store.mark(&batch) {
            Ok(()) => {
                written.extend(batch);
                for worker in waiting.into_iter().flatten() {
                    let _ = worker.send(());
                }
            }
            Err(e) => {
                failed.store(true, Ordering::Release);
                result = Err(e);
            }
        }
    }
    (written, result)
}

fn mark(key: &str, outcome: Delivery, detail: &str, at: Timestamp) -> Mark {
    Mark {
        key: key.to_owned(),
        outcome,
        detail: Some(detail.to_owned()).filter(|d| !d.is_empty()),
        at,
        retry_at: None,
        then_queue: Vec::new(),
    }
}

impl Shared {
    fn relay_is_down(&self) -> bool {
        self.relay_down.lock().map_or(true, |down| down.is_some())
    }
}

/// The outcome of a delivery, for each row the email carried (the first
/// row's backoff for all, so that they stay together on the next try; one
/// notice for the email, not one per row).
fn outcome_marks(
    job: &Job,
    outcome: Result<(), DeliveryError>,
    at: Timestamp,
    shared: &Shared,
) -> Vec<Mark> {
    let Some(first) = job.entries.first() else {
        return Vec::new();
    };
    let coordinators = &shared.coordinators;
    let each = |outcome: Delivery, detail: &str, retry_at: Option<Timestamp>| -> Vec<Mark> {
        job.entries
            .iter()
            .map(|entry| Mark {
                retry_at,
                ..mark(&entry.key, outcome, detail, at)
            })
            .collect()
    };
    match outcome {
        // Not this message's fault: it waits for the relay's next probe.
        Err(DeliveryError::Relay(reason)) => each(
            Delivery::Retry,
            &format!("the relay failed: {reason}"),
            Some(shared.probe_at.max(at)),
        ),
        Ok(()) => each(Delivery::Sent, "", None),
        Err(DeliveryError::Transient(reason)) => {
            let wait = backoff(first.attempts, &first.key);
            each(Delivery::Retry, &reason, at.checked_add(wait).ok())
        }
        Err(DeliveryError::Permanent(reason)) => {
            let mut failed = each(Delivery::Failed, &reason, None);
            if let Some(mark) = failed.first_mut() {
                mark.then_queue = notices(first, &job.subject, &reason, coordinators, at);
            }
            failed
        }
    }
}

/// The coordinators told of a message that will never arrive. Notices
/// themselves are not escalated (a coordinator without a working address
/// shows in `jalon send`'s report).
fn notices(
    entry: &OutboxEntry,
    subject: &str,
    reason: &str,
    coordinators: &[compose::Coordinator],
    at: Timestamp,
) -> Vec<NewMessage> {
    if Payload::is_notice(entry) {
        return Vec::new();
    }
    let notice = Notice {
        failed_key: entry.key.clone(),
        recipient: entry.recipient.clone(),
        subject: subject.to_owned(),
        reason: reason.to_owned(),
    };
    coordinators
        .iter()
        .filter(|c| Addressee::parse(&entry.recipient) != Some(Addressee::Person(&c.id)))
        .map(|c| notice.message(&c.id, at))
        .collect()
}

/// At most `rate` messages per second across all workers: each send takes
/// the next free slot.
struct RateLimit {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimit {
    fn new(per_second: f64) -> Self {
        RateLimit {
            interval: Duration::from_secs_f64(1.0 / per_second.max(0.001)),
            next: Mutex::new(Instant::now()),
        }
    }

    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}
