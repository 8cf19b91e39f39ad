//! `jalon send`: queue what time has made due, then deliver what is ready.
//! Sent messages are marked at once; temporary failures wait for their
//! retry (backoff with jitter, until the message's expiry); final failures
//! are recorded and told to the coordinators, whose notices go out in the
//! same run.

use std::fmt::Write as _;
use std::sync::Arc;

use jalon_core::clock::deliver_until;
use jalon_definition::resolved::MessageKind;
use jalon_delivery::SmtpConfig;
use jalon_store::{SqliteStore, Store};

use crate::dispatch::{self, Clock, Report, Settings, Via};
use crate::links::{self, Links};
use crate::live::{self, Failure, Target};
use crate::{digest, messages};

/// How `jalon send` delivers.
pub struct Options {
    /// SMTP relay URL; without it, an `.eml` folder.
    pub smtp: Option<String>,
    pub folder: std::path::PathBuf,
    pub connections: usize,
    pub rate: Option<f64>,
}

/// Where the validation links of `jalon send` point and what signs them:
/// the daemon's settings, so that the daemon answers them.
pub struct LinkOptions {
    pub public_url: String,
    pub secret_file: std::path::PathBuf,
}

/// How to deliver, from the command line's options (shared with the daemon).
pub fn settings(options: &Options) -> Result<Settings, Failure> {
    let usage = |e: &dyn std::fmt::Display| Failure {
        message: e.to_string(),
        code: 2,
    };
    let via = match &options.smtp {
        Some(url) => Via::Smtp(Arc::new(SmtpConfig::from_url(url).map_err(|e| usage(&e))?)),
        None => Via::Folder(options.folder.clone()),
    };
    if options.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        return Err(usage(
            &"--rate must be a positive number of messages per second",
        ));
    }
    Ok(Settings {
        via,
        connections: options.connections,
        rate: options.rate,
        links: None,
    })
}

pub fn send(
    target: &Target,
    options: &Options,
    links: &LinkOptions,
    at: Option<&str>,
) -> Result<String, Failure> {
    let fail = |code: u8| {
        move |e: &dyn std::fmt::Display| Failure {
            message: e.to_string(),
            code,
        }
    };
    let mut settings = settings(options)?;
    let edition = live::edition(&target.definitions, &target.edition)?;
    let now = live::instant(&edition, at)?;
    let clock = Clock(at.map(|_| now));
    let mut store = SqliteStore::open(&target.db).map_err(|e| fail(2)(&e))?;
    let history = store.history(&edition.id).map_err(|e| fail(2)(&e))?;
    let mut state = live::rebuild(edition.clone(), &history)?;
    let mut due = Vec::new();
    deliver_until(&mut state, now, |_, action| due.push(action.clone()));
    let queued = store.enqueue(&edition.id, &due).map_err(|e| fail(2)(&e))?
        + store
            .queue(&edition.id, &digest::due(&edition, now))
            .map_err(|e| fail(2)(&e))?;
    let templates = messages::templates(&edition)
        .map_err(|e| fail(2)(&format!("a template does not compile: {e}")))?;
    // The key is read (or made) only when a validation request is to go:
    // sending reminders from any folder leaves no key file behind.
    let validation = MessageKind::ValidationRequest.as_str();
    let requests = store.pending(&edition.id).map_err(|e| fail(2)(&e))?;
    if requests.iter().any(|e| e.kind == validation) {
        if matches!(settings.via, Via::Smtp(_)) && links::local(&links.public_url) {
            eprintln!(
                "warning: validation links will point to {}, which only this machine can open; \
                 give the daemon's public address with --public-url (or JALON_PUBLIC_URL)",
                links.public_url
            );
        }
        let links = Links::open(&links.public_url, &links.secret_file).map_err(|e| fail(2)(&e))?;
        settings.links = Some(Arc::new(links));
    }

    let report = dispatch::deliver(&mut store, &state, &templates, &settings, clock)
        .map_err(|e| fail(2)(&e))?;
    // The coordinators' notices of final failures go out in the same run.
    let notices = if report.notices > 0 {
        Some(
            dispatch::deliver(&mut store, &state, &templates, &settings, clock)
                .map_err(|e| fail(2)(&e))?,
        )
    } else {
        None
    };
    let text = summary(queued, &report, notices.as_ref(), &edition);
    if report.failed.is_empty() {
        return Ok(text);
    }
    // The report stays on standard output; the exit code says it failed.
    print!("{text}");
    Err(Failure {
        message: format!(
            "{} message(s) will not be delivered; fix the addresses in the definitions",
            report.failed.len()
        ),
        code: 1,
    })
}

fn summary(
    queued: usize,
    report: &Report,
    notices: Option<&Report>,
    edition: &jalon_definition::resolved::Edition,
) -> String {
    let mut out = format!(
        "{queued} newly due, {} sent, {} to retry, {} failed, {} expired\n",
        report.sent,
        report.retry.len(),
        report.failed.len(),
        report.expired
    );
    let attempted = report.sent + report.retry.len() + report.failed.len();
    if attempted > 0 {
        let seconds = report.elapsed.as_secs_f64();
        let _ = writeln!(
            out,
            "  {attempted} attempted in {seconds:.3} s ({:.0} messages/s)",
            attempted as f64 / seconds.max(1e-9)
        );
    }
    for (key, at, reason) in &report.retry {
        let when = messages::short_local(edition, *at);
        let _ = writeln!(out, "  retry from {when}: {key}: {reason}");
    }
    for (key, recipient, reason) in &report.failed {
        let _ = writeln!(out, "  failed: {key} ({recipient}): {reason}");
    }
    if let Some(notices) = notices {
        let _ = writeln!(
            out,
            "{} notice(s) of these failures sent to the coordinators, {} to retry, {} failed",
            notices.sent,
            notices.retry.len(),
            notices.failed.len()
        );
        for (key, recipient, reason) in &notices.failed {
            let _ = writeln!(out, "  failed: {key} ({recipient}): {reason}");
        }
    }
    out
}
