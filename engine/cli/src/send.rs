//! `jalon send`: queue what time has made due, then deliver what is ready.
//! Sent messages are marked at once; temporary failures wait for their
//! retry (backoff with jitter, until the message's expiry); final failures
//! are recorded and told to the coordinators, whose notices go out in the
//! same run.

use std::fmt::Write as _;
use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_delivery::SmtpConfig;
use jalon_store::{SqliteStore, Store};

use crate::dispatch::{self, Clock, Report, Settings, Via};
use crate::live::{self, Failure, Target};
use crate::messages;

/// How `jalon send` delivers.
pub struct Options {
    /// SMTP relay URL; without it, an `.eml` folder.
    pub smtp: Option<String>,
    pub folder: std::path::PathBuf,
    pub connections: usize,
    pub rate: Option<f64>,
}

pub fn send(target: &Target, options: &Options, at: Option<&str>) -> Result<String, Failure> {
    let fail = |code: u8| {
        move |e: &dyn std::fmt::Display| Failure {
            message: e.to_string(),
            code,
        }
    };
    let via = match &options.smtp {
        Some(url) => Via::Smtp(Arc::new(
            SmtpConfig::from_url(url).map_err(|e| fail(2)(&e))?,
        )),
        None => Via::Folder(options.folder.clone()),
    };
    if options.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        return Err(fail(2)(
            &"--rate must be a positive number of messages per second",
        ));
    }
    let settings = Settings {
        via,
        connections: options.connections,
        rate: options.rate,
    };
    let edition = live::edition(&target.definitions, &target.edition)?;
    let now = live::instant(&edition, at)?;
    let clock = Clock(at.map(|_| now));
    let mut store = SqliteStore::open(&target.db).map_err(|e| fail(2)(&e))?;
    let history = store.history(&edition.id).map_err(|e| fail(2)(&e))?;
    let mut state = live::rebuild(edition.clone(), &history)?;
    let mut due = Vec::new();
    deliver_until(&mut state, now, |_, action| due.push(action.clone()));
    let queued = store.enqueue(&edition.id, &due).map_err(|e| fail(2)(&e))?;
    let templates = messages::templates(&edition)
        .map_err(|e| fail(2)(&format!("a template does not compile: {e}")))?;

    let mut total = Report::default();
    // A second round delivers the coordinators' notices of final failures.
    for _ in 0..2 {
        let report = dispatch::deliver(&mut store, &state, &templates, &settings, clock)
            .map_err(|e| fail(2)(&e))?;
        let more = report.notices > 0;
        total.sent += report.sent;
        total.expired += report.expired;
        total.notices += report.notices;
        total.retry.extend(report.retry);
        total.failed.extend(report.failed);
        if !more {
            break;
        }
    }
    let text = summary(queued, &total, &edition);
    if total.failed.is_empty() {
        Ok(text)
    } else {
        Err(Failure {
            message: text,
            code: 1,
        })
    }
}

fn summary(
    queued: usize,
    report: &Report,
    edition: &jalon_definition::resolved::Edition,
) -> String {
    let mut out = format!(
        "{queued} newly due, {} sent, {} to retry, {} failed, {} expired\n",
        report.sent,
        report.retry.len(),
        report.failed.len(),
        report.expired
    );
    for (key, at, reason) in &report.retry {
        let when = messages::short_local(edition, *at);
        let _ = writeln!(out, "  retry from {when}: {key}: {reason}");
    }
    for (key, recipient, reason) in &report.failed {
        let _ = writeln!(out, "  failed: {key} ({recipient}): {reason}");
    }
    if report.notices > 0 {
        let _ = writeln!(
            out,
            "  {} notice(s) of failure queued for the coordinators",
            report.notices
        );
    }
    out
}
