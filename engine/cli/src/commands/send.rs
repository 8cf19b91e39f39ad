//! `jalon send`: one tick at an instant — queue what time has made due,
//! then deliver what is ready. Sent messages are marked at once; temporary
//! failures wait for their retry (backoff with jitter, until the message's
//! expiry); final failures are recorded and told to the coordinators, whose
//! notices go out in the same run.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_runtime::compose::messages;
use jalon_runtime::delivery::{DeliveryOptions, DeliverySettings};
use jalon_runtime::dispatch::{Dispatcher, Report};
use jalon_runtime::links::{self, Links};
use jalon_runtime::local_time::short as short_local;
use jalon_runtime::payload::Payload;
use jalon_runtime::replay::load;
use jalon_runtime::tick;
use jalon_store::Store;

use super::{clock, Target};
use crate::failure::Failure;

/// Where the validation links of `jalon send` point and what signs them:
/// the daemon's settings, so that the daemon answers them.
pub struct LinkOptions {
    pub public_url: String,
    pub secret_file: PathBuf,
}

pub fn send(
    target: &Target,
    options: &DeliveryOptions,
    link_options: &LinkOptions,
    at: Option<&str>,
) -> Result<String, Failure> {
    let settings = DeliverySettings::new(options).map_err(|e| Failure::Usage(e.to_string()))?;
    let edition = target.edition()?;
    let clock = clock(&edition, at)?;
    let now = clock.now();
    let mut store = target.backend_store()?;
    let loaded = load(&mut store, &edition)?;
    if let Some(warning) = &loaded.warning {
        eprintln!("warning: {warning}");
    }
    let mut state = loaded.state;
    let failed = |e: tick::TickError| Failure::Usage(e.to_string());
    // The operator's own act: nothing is held (what the daemon held stays
    // held until `jalon release`).
    let queued = tick::queue(&mut store, &mut state, now, None)
        .map_err(failed)?
        .queued;
    let templates = messages::templates(&edition)
        .map_err(|e| Failure::Usage(format!("a template does not compile: {e}")))?;
    let mut dispatcher = Dispatcher::new(clock, &settings)
        .map_err(|e| Failure::Usage(format!("cannot start the sender: {e}")))?;
    // The key is read (or made) only when a validation request is to go:
    // sending reminders from any folder leaves no key file behind.
    let pending = store.pending(&edition.id)?;
    if pending.iter().any(Payload::is_validation_request) {
        if settings.is_smtp() && links::local(&link_options.public_url) {
            eprintln!(
                "warning: validation links will point to {}, which only this machine can open; \
                 give the daemon's public address with --public-url (or JALON_PUBLIC_URL)",
                link_options.public_url
            );
        }
        let links = Links::open(&link_options.public_url, &link_options.secret_file)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        dispatcher.links = Some(Arc::new(links));
    }
    let delivered = tick::deliver(&mut store, &state, &templates, &mut dispatcher);
    dispatcher.close();
    let (report, notices) = delivered.map_err(failed)?;
    let text = summary(queued, &report, notices.as_ref(), &edition);
    if let Some(down) = &report.relay {
        print!("{text}");
        let waiting = store.pending(&edition.id)?.len();
        return Err(Failure::Refused(format!(
            "the relay failed: {}. No message failed for it: {waiting} message(s) wait in the outbox. \
             Check the delivery settings (--smtp or JALON_SMTP: host, password, tls), then run \
             `jalon send` again",
            down.reason
        )));
    }
    if report.failed.is_empty() {
        return Ok(text);
    }
    // The report stays on standard output; the exit code says it failed.
    print!("{text}");
    Err(Failure::Refused(format!(
        "{} message(s) will not be delivered; fix the addresses in the definitions",
        report.failed.len()
    )))
}

fn summary(queued: usize, report: &Report, notices: Option<&Report>, edition: &Edition) -> String {
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
        let when = short_local(edition, *at);
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
