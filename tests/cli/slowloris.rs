//! The daemon's HTTP side against hostile clients: headers sent a byte a
//! second, idle connections, more connections than it may hold under a low
//! descriptor limit, a form too large. `/v/` is public, so none of these
//! may stop the daemon sending email or answering `/healthz`.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::daemon::{starting_this_morning, workplace, Daemon, QUICKLY};
use crate::links;
use crate::support::{eventually, eventually_within, outbox_emails, PATIENCE};

/// The daemon's time for a request's head (`HEAD_TIMEOUT` in
/// `engine/daemon/src/server.rs`); a connection is not closed before it.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// A client connection, read without blocking.
struct Client {
    stream: TcpStream,
    received: Vec<u8>,
    closed: bool,
}

impl Client {
    fn connect(address: &str) -> Option<Client> {
        let address: SocketAddr = address.parse().ok()?;
        let stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
        stream.set_nonblocking(true).ok()?;
        Some(Client {
            stream,
            received: Vec::new(),
            closed: false,
        })
    }

    /// Sends what fits; a failed write means the daemon closed it.
    fn send(&mut self, bytes: &[u8]) {
        if self.closed {
            return;
        }
        match self.stream.write(bytes) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => self.closed = true,
        }
    }

    /// Reads what has arrived; true once the daemon has closed it.
    fn poll(&mut self) -> bool {
        let mut buffer = [0u8; 4096];
        while !self.closed {
            match self.stream.read(&mut buffer) {
                Ok(0) => self.closed = true,
                Ok(n) => self.received.extend_from_slice(&buffer[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => self.closed = true,
            }
        }
        self.closed
    }

    /// The status of the answer received, if any.
    fn status(&self) -> Option<u16> {
        let text = std::str::from_utf8(&self.received).ok()?;
        text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
    }
}

/// Connections that send a request head one byte a second, never ending
/// it; others that send nothing; one that asks once and then stays idle:
/// all are closed after the head timeout, and the daemon stays healthy.
#[test]
fn slow_headers_and_idle_connections_are_closed_after_the_head_timeout() {
    let dir = workplace();
    let daemon = Daemon::start(dir.path(), &[]);
    eventually("/healthz", || daemon.healthy());

    let connect = |n: usize| -> Vec<Client> {
        (0..n)
            .map(|_| Client::connect(daemon.address()).expect("a connection"))
            .collect()
    };
    let mut slow = connect(300);
    let mut idle = connect(50);
    let mut kept = connect(1);
    kept[0].send(b"GET /healthz HTTP/1.1\r\nHost: jalon\r\n\r\n");
    eventually("the answer on the kept-alive connection", || {
        kept[0].poll();
        String::from_utf8_lossy(&kept[0].received).contains("\r\n\r\nok\nreplica ")
    });
    assert_eq!(kept[0].status(), Some(200));
    assert!(!kept[0].closed, "kept alive after its answer");

    // A head that never ends, a byte a second (the 16 KiB head limit is
    // never reached: this is the timeout at work).
    let head = b"GET /healthz HTTP/1.1\r\nHost: jalon\r\nX-Slow: ";
    let start = Instant::now();
    let mut first_closed = None;
    for second in 0.. {
        let byte = head.get(second).copied().unwrap_or(b'a');
        for client in &mut slow {
            client.send(&[byte]);
        }
        let all = slow.iter_mut().chain(&mut idle).chain(&mut kept);
        let open = all.map(|c| c.poll()).filter(|closed| !closed).count();
        if open < 351 && first_closed.is_none() {
            first_closed = Some(start.elapsed());
        }
        if open == 0 {
            break;
        }
        assert!(
            start.elapsed() < HEAD_TIMEOUT + PATIENCE,
            "{open} of 351 connections still open after {:?}",
            start.elapsed()
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    // Closed by the timeout, not refused or answered: nothing was sent back.
    for client in slow.iter().chain(&idle) {
        assert!(
            client.received.is_empty() || client.status() == Some(408),
            "{}",
            String::from_utf8_lossy(&client.received)
        );
    }
    let first = first_closed.expect("a close");
    assert!(
        first >= HEAD_TIMEOUT - Duration::from_secs(2),
        "a connection closed after {first:?}, before the head timeout"
    );
    assert!(daemon.healthy(), "{}", daemon.log());
    assert_eq!(
        daemon.metric("jalon_http_connections_refused_total"),
        Some(0)
    );
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

/// Keeps `size` connections open to the daemon from a thread, opening new
/// ones as the daemon closes them, sending nothing: an idle flood.
struct Flood {
    stop: Arc<AtomicBool>,
    /// Connections answered 503 and closed.
    refused: Arc<AtomicUsize>,
    /// Connections open and not answered, now.
    held: Arc<AtomicUsize>,
    thread: Option<JoinHandle<Vec<Client>>>,
}

impl Flood {
    fn start(address: &str, size: usize) -> Flood {
        let stop = Arc::new(AtomicBool::new(false));
        let refused = Arc::new(AtomicUsize::new(0));
        let held = Arc::new(AtomicUsize::new(0));
        let (address, flag) = (address.to_owned(), stop.clone());
        let (counted, holding) = (refused.clone(), held.clone());
        let thread = std::thread::spawn(move || {
            let mut open: Vec<Client> = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                // At most 100 new ones a round: a flood, not a busy loop
                // taking the machine from the daemon.
                for _ in 0..size.saturating_sub(open.len()).min(100) {
                    match Client::connect(&address) {
                        Some(client) => open.push(client),
                        None => break,
                    }
                }
                open.retain_mut(|client| {
                    if !client.poll() {
                        return true;
                    }
                    if client.status() == Some(503) {
                        counted.fetch_add(1, Ordering::Relaxed);
                    }
                    false
                });
                let quiet = open.iter().filter(|c| c.received.is_empty()).count();
                holding.store(quiet, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(250));
            }
            open
        });
        Flood {
            stop,
            refused,
            held,
            thread: Some(thread),
        }
    }

    fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }

    fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// Stops opening connections; those still open are kept, as they are.
    fn cease(mut self) -> Vec<Client> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .map(|thread| thread.join().expect("the flood's thread"))
            .unwrap_or_default()
    }
}

impl Drop for Flood {
    /// Stops it, closing every connection.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A second edition, the fixture's under another id: saved into the
/// definitions folder, it is reloaded and its overdue messages sent.
fn second_edition(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("definitions/smtp.yaml"))
        .expect("the fixture")
        .replace("edition:\n  id: essai\n", "edition:\n  id: seconde\n");
    assert!(
        text.contains("id: seconde"),
        "the fixture's edition id moved"
    );
    std::fs::write(dir.join("definitions/seconde.yaml"), text).expect("written");
}

/// Under 256 open files, the daemon holds fewer HTTP connections than
/// that; an idle flood of more is answered 503 and closed at once, the
/// held ones time out, and meanwhile a new definition is reloaded and its
/// email sent; once the flood stops opening more, those it left open are
/// closed by the daemon and `/healthz` answers a new connection.
#[test]
fn an_idle_flood_under_a_low_descriptor_limit_stops_neither_sending_nor_healthz() {
    let dir = workplace();
    // Its first day today: messages to send, not past their window.
    let skew = starting_this_morning(dir.path());
    let daemon = Daemon::start_under(
        dir.path(),
        &[],
        &[("JALON_CLOCK_SKEW_SECONDS", &skew)],
        Some(("prlimit", &["--nofile=256:256"])),
    );
    eventually("/healthz", || daemon.healthy());
    let limit = daemon
        .metric("jalon_http_connections_limit")
        .expect("the connection limit");
    assert!((8..200).contains(&limit), "limit {limit} under 256 files");
    eventually("the first pass done", || daemon.log().contains("pass over"));
    let before = outbox_emails(dir.path()).len();
    assert!(before > 0, "{}", daemon.log());

    let flood = Flood::start(daemon.address(), 300);
    // Those over the limit are answered and closed at once, not queued.
    eventually("connections over the limit refused", || {
        flood.refused() >= 300 - limit as usize
    });
    assert!(flood.held() > 0);

    second_edition(dir.path());
    eventually("the new edition's email sent during the flood", || {
        outbox_emails(dir.path()).len() >= 2 * before
    });
    // The flood was on all along: connections held, others refused.
    assert!(flood.held() > 0);
    let refused = flood.refused();
    assert!(refused > 300 - limit as usize, "{refused} refused");
    // The flood stops, leaving its connections open: the daemon closes
    // them (head timeout), and a new connection is served again.
    let mut left = flood.cease();
    assert!(!left.is_empty());
    eventually_within(
        HEAD_TIMEOUT + PATIENCE,
        "/healthz on a new connection",
        || daemon.healthy(),
    );
    eventually_within(
        HEAD_TIMEOUT + PATIENCE,
        "the flood's connections closed",
        || left.iter_mut().all(Client::poll),
    );
    let counted = daemon
        .metric("jalon_http_connections_refused_total")
        .expect("the refusals");
    assert!(counted >= refused as u64, "{counted} < {refused}");
    let log = daemon.log();
    assert!(log.contains("answered 503"), "{log}");
    for trouble in ["Too many open files", "cannot open", "cannot accept"] {
        assert!(!log.contains(trouble), "{trouble}:\n{log}");
    }
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}

/// One request on its own connection, written whole, then the status.
fn status_of(daemon: &Daemon, request: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(daemon.address()).expect("the daemon answers");
    stream.set_read_timeout(Some(PATIENCE)).expect("a timeout");
    stream.write_all(request).expect("sent");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("an answer, not {text:?}"))
}

/// The answer form's body is at most 64 KiB: a larger one, announced or
/// chunked, is refused with 413 before anything is looked up; the link
/// still works afterwards.
#[test]
fn an_answer_over_the_size_limit_is_refused_with_413_and_records_nothing() {
    let dir = links::workplace();
    let daemon = links::start(dir.path());
    let path = links::page_of(&links::link_to(dir.path(), "vera@example.org", "approve"));
    let before = links::events(dir.path());
    let host = daemon.address().to_owned();

    // Announced: refused on the head alone (nothing more is sent).
    let announced = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\n\r\n"
    );
    assert_eq!(status_of(&daemon, announced.as_bytes()), 413);

    // Chunked: refused once past the limit (exactly one byte past it is
    // sent, so the daemon has read all of it when it answers).
    let mut form = b"answer=approve&comment=".to_vec();
    form.resize(64 * 1024 + 1, b'a');
    let mut chunked = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n",
        form.len()
    )
    .into_bytes();
    chunked.extend_from_slice(&form);
    assert_eq!(status_of(&daemon, &chunked), 413);

    assert_eq!(links::events(dir.path()), before, "nothing recorded");
    // The link was a real one, still unanswered: a form of normal size records.
    let form = "answer=approve";
    let normal = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    assert_eq!(status_of(&daemon, normal.as_bytes()), 200);
    assert_eq!(links::events(dir.path()).len(), before.len() + 1);
    assert_eq!(daemon.stop("TERM", QUICKLY).0.code(), Some(0));
}
