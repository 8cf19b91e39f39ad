//! The HTTP server's edge: our own accept loop over hyper's HTTP/1 (rather
//! than `axum::serve`, which has no timeouts and no connection cap), so that
//! no client, slow or idle or numerous, can hold what the sending loop
//! needs. `/v/` is public: everything a stranger can make the daemon spend
//! here is bounded.
//!
//! - a request's head must arrive within [`HEAD_TIMEOUT`] of the connection
//!   opening or of the previous answer (so it is also the idle keep-alive
//!   timeout), and be at most [`LARGEST_HEAD`] bytes;
//! - a request, body included, is answered within [`REQUEST_TIME_LIMIT`]
//!   (`408` otherwise, see [`super::http`]);
//! - a connection lives at most [`CONNECTION_LIFETIME`], then is closed once
//!   its request in progress is answered (or [`LINGER`] later at most);
//! - at most [`connection_cap`] connections at once, below the process's
//!   descriptor limit; one more is answered `503` and closed at once.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tracing::{debug, warn};

use super::http::Health;

/// Time for a request's head, from the connection's opening or the previous
/// answer: a slow-header (slowloris) or idle connection is closed after it.
/// A browser sends its head in one packet and reopens a closed keep-alive
/// connection by itself, so 10 s costs people nothing.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Time from a request's head to its answer, reading the body included (a
/// form trickled one byte at a time). Our pages answer in milliseconds.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(30);

/// A connection is closed after this long however busy it is, so a client
/// that keeps one alive with a request every few seconds, or that stops
/// reading our answers, does not hold its slot forever.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);

/// Once a connection is asked to close (lifetime reached, daemon stopping),
/// how long its request in progress has to be answered and written.
pub const LINGER: Duration = REQUEST_TIME_LIMIT;

/// The largest request head (request line and headers): the longest URL we
/// serve is a link of ~40 characters; nginx's default is 4 × 8 KiB.
pub const LARGEST_HEAD: usize = 16 * 1024;

/// The most HTTP connections at once, whatever the descriptor limit: the
/// pages serve a handful of people and a supervisor.
pub const MOST_CONNECTIONS: usize = 512;

/// Descriptors kept for everything but HTTP connections, besides two per
/// SMTP connection (its socket, and headroom for TLS or a `.eml` file):
/// standard streams, the runtime's epoll and eventfd, signalfds, inotify
/// watches, the database (file, WAL and shared memory for the loop, the
/// watcher, a reload, and [`super::site::PAGES_AT_ONCE`] pages), the
/// secret and definition files being read, the operator's email.
pub const RESERVED_DESCRIPTORS: u64 = 128;

/// The fewest connections allowed, even when the descriptor limit leaves
/// less (then a warning says to raise it).
const FEWEST_CONNECTIONS: usize = 8;

/// How long to wait when `accept` fails (out of descriptors, most likely)
/// before trying again, instead of spinning.
const ACCEPT_PAUSE: Duration = Duration::from_millis(250);

/// How often, at most, the log says connections are being refused.
const REFUSALS_LOGGED_EVERY: Duration = Duration::from_secs(60);

/// The answer to a connection over the cap, written without reading the
/// request: it fits in a fresh socket's send buffer, so it never waits.
const FULL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Cache-Control: no-store\r\n\
Retry-After: 10\r\n\
Connection: close\r\n\
Content-Length: 40\r\n\
\r\n\
too many connections, try again shortly\n";

/// The process's soft limit on open descriptors, if it has one.
pub fn descriptor_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// How many HTTP connections may be open at once: at most
/// [`MOST_CONNECTIONS`], at most half the descriptor limit, and never into
/// the descriptors the sending side needs ([`RESERVED_DESCRIPTORS`] and two
/// per SMTP connection). 512 with the usual 1,024; with 256, 126 for a
/// folder of `.eml` files, 120 with the default 4 SMTP connections.
pub fn connection_cap(descriptors: Option<u64>, smtp_connections: usize) -> usize {
    let Some(limit) = descriptors else {
        return MOST_CONNECTIONS;
    };
    let reserved = RESERVED_DESCRIPTORS.saturating_add(2 * smtp_connections as u64);
    let room = limit.saturating_sub(reserved).min(limit / 2);
    usize::try_from(room)
        .unwrap_or(usize::MAX)
        .clamp(FEWEST_CONNECTIONS, MOST_CONNECTIONS)
}

/// Whether `cap` connections leave the sending side what it needs under
/// `descriptors`; `false` when the cap had to be raised to its floor.
pub fn leaves_room(descriptors: Option<u64>, smtp_connections: usize, cap: usize) -> bool {
    descriptors.is_none_or(|limit| {
        let needed = RESERVED_DESCRIPTORS + 2 * smtp_connections as u64 + cap as u64;
        needed <= limit
    })
}

/// Serves `router` on `listener` until `stop` turns true (or its sender is
/// gone): then no new connection is accepted, idle ones are closed, and
/// requests in progress are answered (within [`LINGER`]).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    cap: usize,
    health: Arc<Health>,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(cap));
    let mut refusals = Refusals::default();
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|stop| *stop) => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE/ENFILE: the connection stays in the kernel's queue
                // until a descriptor frees; ECONNABORTED and the like are
                // the client's. Either way, no busy loop.
                warn!("cannot accept an HTTP connection: {e}");
                tokio::select! {
                    _ = stop.wait_for(|stop| *stop) => return,
                    () = tokio::time::sleep(ACCEPT_PAUSE) => continue,
                }
            }
        };
        // Over the cap: answer 503 at once and close, rather than leave the
        // connection in the kernel's queue. The descriptor is held for one
        // non-blocking write; a client (or a supervisor's probe) learns at
        // once instead of hanging, and connections abandoned while queued
        // never take a slot later.
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refuse(stream);
            health.metrics.http_refused.fetch_add(1, Ordering::Relaxed);
            refusals.note(cap);
            continue;
        };
        // The client's address, for the limits of the sign-in requests.
        let client = crate::workspace::ClientAddress(Some(peer.ip()));
        let service = TowerToHyperService::new(router.clone().layer(axum::Extension(client)));
        tokio::spawn(connection(
            stream,
            peer,
            service,
            Open::new(slot, health.clone()),
            stop.clone(),
        ));
    }
}

/// One connection, from accept to close.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    service: TowerToHyperService<Router>,
    _open: Open,
    mut stop: watch::Receiver<bool>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(LARGEST_HEAD)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        ended = connection.as_mut() => {
            if let Err(e) = ended {
                // The client's doing (a timeout, a reset, a malformed
                // request): not worth more than a debug line each.
                debug!(%peer, "HTTP connection ended: {e}");
            }
            return;
        }
        _ = stop.wait_for(|stop| *stop) => {}
        () = tokio::time::sleep(CONNECTION_LIFETIME) => {}
    }
    // Closes at once if idle, else after the answer in progress.
    connection.as_mut().graceful_shutdown();
    if tokio::time::timeout(LINGER, connection).await.is_err() {
        debug!(%peer, "HTTP connection dropped: its answer was not taken in time");
    }
}

/// Answers `503` without reading, and closes.
fn refuse(stream: TcpStream) {
    // What the client already sent is read first: closing a socket with
    // unread data makes the kernel send a reset, which may reach the
    // client before our answer.
    let mut buffer = [0u8; 4096];
    let _ = stream.try_read(&mut buffer);
    let _ = stream.try_write(FULL);
}

/// A slot taken, and the gauge of open connections kept with it.
struct Open {
    _slot: OwnedSemaphorePermit,
    health: Arc<Health>,
}

impl Open {
    fn new(slot: OwnedSemaphorePermit, health: Arc<Health>) -> Open {
        health.metrics.http_open.fetch_add(1, Ordering::Relaxed);
        Open {
            _slot: slot,
            health,
        }
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.health
            .metrics
            .http_open
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// Says, at most once a minute, that connections are being refused: a
/// flood must not become a flood of log lines.
#[derive(Default)]
struct Refusals {
    last: Option<Instant>,
    since: u64,
}

impl Refusals {
    fn note(&mut self, cap: usize) {
        self.since += 1;
        if self
            .last
            .is_some_and(|last| last.elapsed() < REFUSALS_LOGGED_EVERY)
        {
            return;
        }
        warn!(
            "HTTP connections at the limit ({cap} open): {} new one(s) answered 503 and closed \
             (jalon_http_connections_refused_total counts them); sending is not affected",
            self.since
        );
        self.last = Some(Instant::now());
        self.since = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_descriptor_limit() {
        // The usual 1,024: half of it.
        assert_eq!(connection_cap(Some(1024), 4), 512);
        // Plenty: the fixed maximum.
        assert_eq!(connection_cap(Some(1 << 20), 64), MOST_CONNECTIONS);
        assert_eq!(connection_cap(None, 4), MOST_CONNECTIONS);
        // Low: what the reserve leaves, at most half.
        assert_eq!(connection_cap(Some(256), 4), 120);
        assert_eq!(connection_cap(Some(256), 64), FEWEST_CONNECTIONS);
        assert!(leaves_room(Some(256), 4, 120));
        assert!(!leaves_room(Some(256), 64, FEWEST_CONNECTIONS));
        // Too low to leave anything: the floor.
        assert_eq!(connection_cap(Some(64), 4), FEWEST_CONNECTIONS);
    }

    #[test]
    fn the_refusal_is_a_complete_answer() {
        let text = std::str::from_utf8(FULL).expect("ASCII");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
    }
}
