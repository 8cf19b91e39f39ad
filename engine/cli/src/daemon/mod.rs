//! `jalon daemon`: the long-lived service. It runs every edition of the
//! definitions folder, sends what falls due when it falls due, takes new
//! definitions on SIGHUP, stops cleanly on SIGTERM or SIGINT, and answers
//! `/healthz` and `/metrics`.

mod http;
mod metrics;
mod pass;
mod reload;
mod schedule;

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

use crate::dispatch::Via;
use crate::live;
use crate::send;
use http::Health;
use schedule::{Editions, Loop};

/// How long a pass under way may take to finish once asked to stop; after
/// that it is abandoned (every send it completed is already recorded).
const GRACE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, ValueEnum)]
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
}

pub fn run(options: Options) -> ExitCode {
    logging(options.log_format);
    let settings = match send::settings(&options.delivery) {
        Ok(settings) => Arc::new(settings),
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
        definitions = %options.definitions.display(),
        db = %options.db.display(),
        via = %describe(&settings.via),
        "running {} edition(s): {}",
        editions.len(),
        reload::ids(&editions)
    );

    let (editions_tx, editions_rx) = watch::channel(editions);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut scheduling = tokio::spawn(
        Loop {
            db: options.db.clone(),
            settings,
            health: health.clone(),
        }
        .run(editions_rx, stop_rx.clone()),
    );
    tokio::spawn(reload::on_hangup(
        hangup,
        options.definitions.clone(),
        options.db.clone(),
        editions_tx,
        health.clone(),
    ));
    let mut http_stop = stop_rx;
    let server =
        axum::serve(listener, http::router(health.clone())).with_graceful_shutdown(async move {
            let _ = http_stop.wait_for(|stop| *stop).await;
        });
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
