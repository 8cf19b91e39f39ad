//! `jalon daemon`: the long-lived service. It runs every edition of the
//! definitions folder, sends what falls due when it falls due, takes new
//! definitions on SIGHUP, stops cleanly on SIGTERM or SIGINT, and answers
//! `/healthz` and `/metrics`.

mod board;
mod html;
mod http;
mod link_pages;
mod links;
mod metrics;
mod operator;
mod pass;
mod recorded;
mod reload;
mod saved;
mod schedule;
mod site;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;
use tracing::{error, info, warn};

use crate::dispatch::{self, Via};
use crate::live;
use crate::send;
use http::Health;
use schedule::{Editions, Loop};

/// How long a pass under way may take to finish once asked to stop; after
/// that it is abandoned (every send it completed is already recorded).
const GRACE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

pub struct Options {
    pub definitions: PathBuf,
    pub db: PathBuf,
    pub delivery: send::Options,
    pub listen: SocketAddr,
    pub log_format: LogFormat,
    /// The base of the validation links written into emails.
    pub public_url: String,
    /// Where the key of the validation links is kept.
    pub secret_file: PathBuf,
    /// Who hears by email of a rejected reload.
    pub operator: Option<String>,
    /// The `jalon.toml` the settings were read from, if any (for the log).
    pub settings_file: Option<PathBuf>,
}

pub fn run(options: Options) -> ExitCode {
    logging(options.log_format);
    if let Err(message) = clock_skew() {
        error!("{message}");
        return ExitCode::from(2);
    }
    // The key of the validation links, made on first start.
    let links = match crate::links::Links::open(&options.public_url, &options.secret_file) {
        Ok(links) => Arc::new(links),
        Err(e) => {
            error!("cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    let settings = match send::settings(&options.delivery) {
        Ok(mut settings) => {
            if matches!(settings.via, Via::Smtp(_)) && crate::links::local(&options.public_url) {
                warn!(
                    "validation links will point to {}, which only this machine can open: \
                     give the address people reach this daemon at with --public-url \
                     (or JALON_PUBLIC_URL, or public_url in jalon.toml)",
                    options.public_url
                );
            }
            settings.links = Some(links);
            Arc::new(settings)
        }
        Err(failure) => {
            error!("{}", failure.message);
            return ExitCode::from(failure.code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            error!("cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(serve(options, settings));
    // A pass abandoned after the grace period runs on its own thread; a
    // reload check in progress is not waited for either.
    runtime.shutdown_timeout(Duration::from_millis(200));
    code
}

async fn serve(options: Options, settings: Arc<crate::dispatch::Settings>) -> ExitCode {
    // Handlers first: a signal that arrives while starting must not kill
    // the process with the default action.
    let signals = (|| {
        Ok::<_, std::io::Error>((
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
            signal(SignalKind::hangup())?,
        ))
    })();
    let Ok((mut term, mut interrupt, hangup)) = signals else {
        error!("cannot handle signals");
        return ExitCode::from(2);
    };
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            error!(
                "cannot listen on {}: {e} (choose another with --listen)",
                options.listen
            );
            return ExitCode::from(2);
        }
    };
    let address = listener.local_addr().unwrap_or(options.listen);
    info!(address = %address, "listening on http://{address}");

    let definitions = options.definitions.clone();
    let loaded = tokio::task::spawn_blocking(move || live::editions(&definitions)).await;
    let editions: Editions = match loaded {
        Ok(Ok(editions)) => Arc::new(editions),
        Ok(Err(failure)) => {
            error!("cannot start: {}", failure.message.trim_end());
            return ExitCode::from(failure.code);
        }
        Err(e) => {
            error!("cannot start: the check of the definitions failed: {e}");
            return ExitCode::from(2);
        }
    };
    let health = Arc::new(Health::default());
    reload::loaded(&health, &editions);
    info!(
        settings = %options
            .settings_file
            .as_ref()
            .map_or("defaults, environment and flags".into(), |f| f.display().to_string()),
        definitions = %options.definitions.display(),
        db = %options.db.display(),
        via = %describe(&settings.via),
        public_url = %options.public_url,
        secret_file = %options.secret_file.display(),
        operator = options.operator.as_deref().unwrap_or("none"),
        "running {} edition(s): {}",
        editions.len(),
        reload::ids(&editions)
    );

    let (editions_tx, editions_rx) = watch::channel(editions);
    let (stop_tx, stop_rx) = watch::channel(false);
    let wake = Arc::new(tokio::sync::Notify::new());
    // Kept until the end: dropped, the watch stops.
    let _recorded = watch_recorded(&options.db, &wake);
    let operator = operator(&options, &settings);
    let site = Arc::new(site::Site {
        db: options.db.clone(),
        editions: editions_rx.clone(),
        wake: wake.clone(),
    });
    let mut scheduling = tokio::spawn(
        Loop {
            db: options.db.clone(),
            settings,
            health: health.clone(),
            wake: wake.clone(),
        }
        .run(editions_rx, stop_rx.clone()),
    );
    let reloader = reload::Reloader {
        definitions: options.definitions.clone(),
        db: options.db.clone(),
        editions: editions_tx,
        health: health.clone(),
        operator,
    };
    let watched = watch_definitions(&options.definitions);
    tokio::spawn(async move {
        let (watcher, changes) = match watched {
            Some(saved::Watch { watcher, changes }) => (Some(watcher), Some(changes)),
            None => (None, None),
        };
        // The watcher lives as long as the reloads.
        let _watcher = watcher;
        reloader.run(hangup, changes).await;
    });
    let mut http_stop = stop_rx;
    let server = axum::serve(listener, http::router(health.clone(), site)).with_graceful_shutdown(
        async move {
            let _ = http_stop.wait_for(|stop| *stop).await;
        },
    );
    tokio::spawn(async move {
        if let Err(e) = server.await {
            error!("the HTTP server stopped: {e}");
        }
    });

    let signal = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
        ended = &mut scheduling => {
            error!("the scheduling loop ended unexpectedly: {ended:?}");
            return ExitCode::from(1);
        }
    };
    info!(
        "{signal}: stopping (a pass under way has {} s to finish)",
        GRACE.as_secs()
    );
    health.stopping.store(true, Ordering::Release);
    let _ = stop_tx.send(true);
    // A second signal (Ctrl-C pressed again) does not wait for the pass.
    let finished = tokio::select! {
        ended = tokio::time::timeout(GRACE, scheduling) => ended.is_ok(),
        _ = term.recv() => false,
        _ = interrupt.recv() => false,
    };
    if finished {
        info!("stopped");
    } else {
        warn!(
            "stopped with a pass still under way: what it sent is recorded; \
             a message sent but not yet recorded may go out once more on restart"
        );
    }
    ExitCode::SUCCESS
}

/// The environment variable that shifts the daemon's clock, for tests only.
const CLOCK_SKEW: &str = "JALON_CLOCK_SKEW_SECONDS";

/// Reads [`CLOCK_SKEW`] once: the daemon then takes "now" that many seconds
/// from the real time (due instants, expiries, the instants recorded), so a
/// test can stand past a due instant without waiting. Loudly logged: set by
/// mistake in production, it would send early or let messages expire.
fn clock_skew() -> Result<(), String> {
    let Some(text) = std::env::var_os(CLOCK_SKEW) else {
        return Ok(());
    };
    // A century either way at most: beyond is a typo, not a test.
    const BOUND: i64 = 100 * 366 * 24 * 3600;
    let seconds = text
        .to_str()
        .and_then(|t| t.trim().parse::<i64>().ok())
        .filter(|s| s.abs() <= BOUND)
        .ok_or_else(|| {
            format!(
                "{CLOCK_SKEW}={}: expected a whole number of seconds (tests only: unset it)",
                text.to_string_lossy()
            )
        })?;
    dispatch::skew_clock(jiff::SignedDuration::from_secs(seconds));
    warn!(
        skew_seconds = seconds,
        "{CLOCK_SKEW} is set: this daemon's clock runs {seconds} s away from the real time, \
         for tests only; unset it in production"
    );
    Ok(())
}

/// The watch that reloads on a saved definition; without it (too many
/// watches on this machine, say), SIGHUP still reloads.
fn watch_definitions(definitions: &std::path::Path) -> Option<saved::Watch> {
    match saved::watch(definitions) {
        Ok(watch) => {
            info!(
                "watching {} for changes: a saved definition reloads",
                definitions.display()
            );
            Some(watch)
        }
        Err(e) => {
            warn!(
                "cannot watch {} ({e}): reload with SIGHUP after editing",
                definitions.display()
            );
            None
        }
    }
}

/// The watch that wakes the loop when another process records an event.
fn watch_recorded(
    db: &std::path::Path,
    wake: &Arc<tokio::sync::Notify>,
) -> Option<notify::RecommendedWatcher> {
    match recorded::watch(db, wake.clone()) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            warn!(
                "cannot watch the folder of {} ({e}): events recorded by `jalon` commands \
                 take effect at the next scheduled wake-up",
                db.display()
            );
            None
        }
    }
}

/// Who is mailed rejected reloads; said once at start when nobody is.
fn operator(
    options: &Options,
    settings: &Arc<crate::dispatch::Settings>,
) -> Option<Arc<operator::Operator>> {
    match &options.operator {
        Some(address) => Some(operator::Operator::new(address.clone(), settings.clone())),
        None => {
            info!(
                "no operator address (--operator, JALON_OPERATOR or `operator` in jalon.toml): \
                 a rejected reload will only be logged"
            );
            None
        }
    }
}

/// Where messages go, for the log: never the SMTP password.
fn describe(via: &Via) -> String {
    match via {
        Via::Folder(dir) => format!("folder {}", dir.display()),
        Via::Smtp(config) => config.describe(),
    }
}

/// Logs on standard error: readable text, or JSON lines.
fn logging(format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_max_level(tracing::Level::INFO);
    match format {
        LogFormat::Text => {
            let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            builder.with_ansi(colour).init();
        }
        LogFormat::Json => builder.json().with_ansi(false).init(),
    }
}
