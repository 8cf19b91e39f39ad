//! The daemon's counters, read by `/metrics` in Prometheus' text format.
//! Plain atomics: the loop adds, the HTTP handler reads, nobody waits.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    pub due: AtomicU64,
    pub sent: AtomicU64,
    pub failed: AtomicU64,
    pub retried: AtomicU64,
    pub expired: AtomicU64,
    /// Times the relay was found failing (each opens the breaker).
    pub relay_failures: AtomicU64,
    pub reloads_ok: AtomicU64,
    pub reloads_rejected: AtomicU64,
    pub editions: AtomicU64,
    /// HTTP connections open now.
    pub http_open: AtomicU64,
    /// The most HTTP connections at once (set at start).
    pub http_limit: AtomicU64,
    /// HTTP connections answered 503 and closed because the limit was reached.
    pub http_refused: AtomicU64,
}

/// What one pass over one edition did, as counted in the metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub due: u64,
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
    pub expired: u64,
}

impl Metrics {
    pub fn add(&self, counts: &Counts) {
        self.due.fetch_add(counts.due, Ordering::Relaxed);
        self.sent.fetch_add(counts.sent, Ordering::Relaxed);
        self.retried.fetch_add(counts.retried, Ordering::Relaxed);
        self.failed.fetch_add(counts.failed, Ordering::Relaxed);
        self.expired.fetch_add(counts.expired, Ordering::Relaxed);
    }

    /// The exposition text (format 0.0.4).
    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let counters = [
            (
                "jalon_actions_due_total",
                "Actions that fell due and were queued.",
                &self.due,
            ),
            (
                "jalon_actions_sent_total",
                "Messages delivered.",
                &self.sent,
            ),
            (
                "jalon_actions_failed_total",
                "Messages that failed for good.",
                &self.failed,
            ),
            (
                "jalon_actions_retried_total",
                "Temporary failures, to be tried again.",
                &self.retried,
            ),
            (
                "jalon_actions_expired_total",
                "Messages recorded as expired instead of sent late.",
                &self.expired,
            ),
            (
                "jalon_relay_failures_total",
                "Times the SMTP relay failed (down, refused the session or the password).",
                &self.relay_failures,
            ),
        ];
        for (name, help, value) in counters {
            let _ = write!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                get(value)
            );
        }
        let _ = write!(
            out,
            "# HELP jalon_reloads_total Reloads of the definitions, by outcome.\n\
             # TYPE jalon_reloads_total counter\n\
             jalon_reloads_total{{outcome=\"ok\"}} {}\n\
             jalon_reloads_total{{outcome=\"rejected\"}} {}\n\
             # HELP jalon_editions_loaded Editions the daemon is running.\n\
             # TYPE jalon_editions_loaded gauge\n\
             jalon_editions_loaded {}\n\
             # HELP jalon_http_connections_open HTTP connections open now.\n\
             # TYPE jalon_http_connections_open gauge\n\
             jalon_http_connections_open {}\n\
             # HELP jalon_http_connections_limit The most HTTP connections open at once.\n\
             # TYPE jalon_http_connections_limit gauge\n\
             jalon_http_connections_limit {}\n\
             # HELP jalon_http_connections_refused_total HTTP connections answered 503 at the limit.\n\
             # TYPE jalon_http_connections_refused_total counter\n\
             jalon_http_connections_refused_total {}\n",
            get(&self.reloads_ok),
            get(&self.reloads_rejected),
            get(&self.editions),
            get(&self.http_open),
            get(&self.http_limit),
            get(&self.http_refused),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_is_exposed_with_its_type() {
        let metrics = Metrics::default();
        metrics.add(&Counts {
            due: 3,
            sent: 2,
            retried: 1,
            failed: 0,
            expired: 4,
        });
        metrics.reloads_rejected.fetch_add(1, Ordering::Relaxed);
        let text = metrics.render();
        for line in [
            "# TYPE jalon_actions_sent_total counter",
            "jalon_actions_sent_total 2",
            "jalon_actions_retried_total 1",
            "jalon_actions_expired_total 4",
            "jalon_reloads_total{outcome=\"ok\"} 0",
            "jalon_reloads_total{outcome=\"rejected\"} 1",
            "# TYPE jalon_editions_loaded gauge",
            "# TYPE jalon_http_connections_open gauge",
            "jalon_http_connections_refused_total 0",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
