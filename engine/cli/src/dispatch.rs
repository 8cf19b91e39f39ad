//! The dispatcher: one pass over the outbox. Messages ready at `now` are
//! rendered on one thread, delivered by as many workers as connections, and
//! their outcomes written by one writer that commits together whatever
//! arrived together (one fsync for many messages). A message the server
//! accepted is marked sent before its worker sends the message after next:
//! a crash can make at most two messages per connection go out twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jalon_core::State;
use jalon_delivery::{
    backoff, Connector, Deliver, DeliveryError, FolderConnector, Outgoing, SmtpConfig,
};
use jalon_message::Templates;
use jalon_store::{Delivery, Mark, NewMessage, OutboxEntry, SqliteStore, Store, StoreError};
use jiff::Timestamp;
use tokio::sync::Mutex;

use crate::compose::{self, Notice};
use crate::links::Links;

/// Where messages go.
pub enum Via {
    Folder(std::path::PathBuf),
    Smtp(Arc<SmtpConfig>),
}

pub struct Settings {
    pub via: Via,
    /// SMTP connections used at once.
    pub connections: usize,
    /// At most this many messages per second, if set.
    pub rate: Option<f64>,
    /// What validation links are signed with; previews use placeholders.
    pub links: Option<Arc<Links>>,
}

/// What a pass did.
#[derive(Debug, Default)]
pub struct Report {
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
}

#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the sender: {0}")]
    Runtime(std::io::Error),
    #[error(
        "the writer of delivery outcomes stopped; run `jalon outbox` to see what was recorded"
    )]
    WriterStopped,
}

/// A message on its way, with what its outcome needs.
struct Job {
    outgoing: Outgoing,
    entry: OutboxEntry,
    subject: String,
}

/// The clock of a pass: the real one ([`now`]), or a fixed instant (`--at`).
#[derive(Clone, Copy)]
pub struct Clock(pub Option<Timestamp>);

impl Clock {
    fn now(self) -> Timestamp {
        self.0.unwrap_or_else(now)
    }
}

/// A shift of the real clock, for tests only: the daemon sets it once at
/// start from `JALON_CLOCK_SKEW_SECONDS` (and says so in its log), so that a
/// test can stand after a due instant without waiting for it. Unset, zero.
static SKEW: std::sync::OnceLock<jiff::SignedDuration> = std::sync::OnceLock::new();

/// Shifts [`now`] by `skew` for the rest of the process. Only the first
/// call counts: false if a skew was already set.
pub fn skew_clock(skew: jiff::SignedDuration) -> bool {
    SKEW.set(skew).is_ok()
}

/// The real time, shifted by the test-only skew if one was set.
pub fn now() -> Timestamp {
    let real = Timestamp::now();
    match SKEW.get() {
        Some(skew) => real.checked_add(*skew).unwrap_or(real),
        None => real,
    }
}

/// Delivers every message of the outbox ready at the clock's instant.
pub fn deliver(
    store: &mut SqliteStore,
    state: &State,
    templates: &Templates,
    settings: &Settings,
    clock: Clock,
) -> Result<Report, DispatchError> {
    let now = clock.now();
    let edition = &state.edition().id;
    let mut report = Report::default();
    let mut expired = Vec::new();
    let mut ready = Vec::new();
    for entry in store.pending(edition)? {
        if !entry.ready(now) {
            continue;
        }
        // A reminder after its deadline is worse than none.
        if entry.expires_at.is_some_and(|t| t < now) {
            expired.push(mark(&entry.key, Delivery::Expired, "past its expiry", now));
        } else {
            ready.push(entry);
        }
    }
    report.expired = expired.len();
    store.mark(&expired)?;
    report.expired_keys = expired.into_iter().map(|m| m.key).collect();
    if ready.is_empty() {
        return Ok(report);
    }
    // Kept before anything is sent: a link in a delivered email is always
    // known, and one kept for a send that then fails is harmless.
    if let Some(links) = &settings.links {
        store.issue_links(&crate::links::issued(links, &ready, now))?;
    }

    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(DispatchError::Runtime)?;
    let workers = match settings.via {
        Via::Folder(_) => 1,
        Via::Smtp(_) => settings.connections.clamp(1, 64),
    };
    let (jobs_in, jobs_out) = tokio::sync::mpsc::channel::<Job>(workers * 8);
    let (marks_in, marks_out) = mpsc::channel::<ToWrite>();
    let shared = Arc::new(Shared {
        jobs: Mutex::new(jobs_out),
        limit: settings.rate.map(RateLimit::new),
        store_failed: AtomicBool::new(false),
        coordinators: compose::coordinators(state.edition()),
    });

    let written = std::thread::scope(|scope| {
        let writer = scope.spawn(|| write_marks(store, marks_out, workers, &shared.store_failed));
        let producer_marks = marks_in.clone();
        let coordinators = &shared.coordinators;
        scope.spawn(move || {
            for entry in ready {
                match compose::outgoing(state, templates, &entry, now, settings.links.as_deref()) {
                    Ok((outgoing, subject)) => {
                        let job = Job {
                            outgoing,
                            entry,
                            subject,
                        };
                        if jobs_in.blocking_send(job).is_err() {
                            break;
                        }
                    }
                    Err(reason) => {
                        let mut failed = mark(&entry.key, Delivery::Failed, &reason, now);
                        failed.then_queue = notices(&entry, "", &reason, coordinators, now);
                        let failed = ToWrite {
                            mark: failed,
                            committed: None,
                        };
                        if producer_marks.send(failed).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        runtime.block_on(async {
            let tasks: Vec<_> = (0..workers)
                .map(|_| {
                    let connector = match &settings.via {
                        Via::Folder(dir) => Connector::Folder(Arc::new(FolderConnector::new(dir))),
                        Via::Smtp(config) => Connector::Smtp(Box::new(
                            jalon_delivery::SmtpSession::new(config.clone()),
                        )),
                    };
                    tokio::spawn(work(connector, shared.clone(), marks_in.clone(), clock))
                })
                .collect();
            futures_util::future::join_all(tasks).await;
        });
        drop(marks_in);
        writer.join()
    });
    // A writer that died leaves outcomes unknown: say so rather than report
    // nothing sent.
    let (marks, result) = written.map_err(|_| DispatchError::WriterStopped)?;
    result?;
    report.elapsed = started.elapsed();
    for m in marks {
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
                let recipient = m.key.rsplit('/').next().unwrap_or_default().to_owned();
                report
                    .failed
                    .push((m.key, recipient, m.detail.unwrap_or_default()));
            }
            Delivery::Expired => {
                report.expired += 1;
                report.expired_keys.push(m.key);
            }
            Delivery::Pending => {}
        }
    }
    Ok(report)
}

/// What the workers share.
struct Shared {
    jobs: Mutex<tokio::sync::mpsc::Receiver<Job>>,
    limit: Option<RateLimit>,
    /// Set when outcomes can no longer be written: sending more would send
    /// twice later.
    store_failed: AtomicBool,
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
    mark: Mark,
    committed: Option<tokio::sync::oneshot::Sender<()>>,
}

/// One worker: takes the next message, delivers it through its own
/// connector, hands the outcome to the writer and waits for its commit.
async fn work(
    mut connector: Connector,
    shared: Arc<Shared>,
    marks: mpsc::Sender<ToWrite>,
    clock: Clock,
) {
    let mut unrecorded = std::collections::VecDeque::new();
    loop {
        let next = shared.jobs.lock().await.recv().await;
        let Some(job) = next else { break };
        if shared.store_failed.load(Ordering::Acquire) {
            break;
        }
        if let Some(limit) = &shared.limit {
            limit.wait().await;
        }
        let outcome = connector.deliver(&job.outgoing).await;
        let mark = outcome_mark(&job, outcome, clock.now(), &shared.coordinators);
        let (committed, recorded) = tokio::sync::oneshot::channel();
        let committed = Some(committed);
        if marks.send(ToWrite { mark, committed }).is_err() {
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
    connector.close().await;
}

/// How long the writer waits for more outcomes before committing, and how
/// many it commits at most at once.
const LINGER: Duration = Duration::from_millis(2);
const MAX_BATCH: usize = 1_024;

/// The writer: commits the outcomes that are waiting, all in one
/// transaction, until the workers are done, and tells each worker its
/// outcome is committed. Returns what it wrote.
fn write_marks(
    store: &mut SqliteStore,
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
        let (batch, waiting): (Vec<Mark>, Vec<_>) =
            batch.into_iter().map(|w| (w.mark, w.committed)).unzip();
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

fn outcome_mark(
    job: &Job,
    outcome: Result<(), DeliveryError>,
    at: Timestamp,
    coordinators: &[compose::Coordinator],
) -> Mark {
    let key = &job.entry.key;
    match outcome {
        Ok(()) => mark(key, Delivery::Sent, "", at),
        Err(DeliveryError::Transient(reason)) => {
            let wait = backoff(job.entry.attempts, key);
            let mut retry = mark(key, Delivery::Retry, &reason, at);
            retry.retry_at = at.checked_add(wait).ok();
            retry
        }
        Err(DeliveryError::Permanent(reason)) => {
            let mut failed = mark(key, Delivery::Failed, &reason, at);
            failed.then_queue = notices(&job.entry, &job.subject, &reason, coordinators, at);
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
    if entry.kind == compose::NOTICE_KIND {
        return Vec::new();
    }
    coordinators
        .iter()
        .filter(|c| entry.recipient != format!("person:{}", c.id))
        .map(|c| {
            let notice = Notice {
                failed_key: entry.key.clone(),
                recipient: entry.recipient.clone(),
                subject: subject.to_owned(),
                reason: reason.to_owned(),
            };
            NewMessage {
                key: format!("{}/undeliverable/person:{}", entry.key, c.id),
                kind: compose::NOTICE_KIND.to_owned(),
                due_at: at,
                expires_at: None,
                recipient: format!("person:{}", c.id),
                body: serde_json::to_string(&notice).unwrap_or_default(),
            }
        })
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
