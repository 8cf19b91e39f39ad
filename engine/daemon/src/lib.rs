//! The daemon as a library: it runs every edition of a definitions folder,
//! sends what falls due when it falls due, takes new definitions on SIGHUP
//! or when a file is saved, stops cleanly on SIGTERM or SIGINT, and answers
//! `/healthz`, `/metrics`, the validation links and the status pages.
//! [`serve`] is the whole of it; the `jalon` binary only gathers the
//! options and sets up the logs.

mod http;
mod link_pages;
mod link_routes;
mod metrics;
mod operator;
mod pass;
mod recorded;
mod reload;
mod response;
mod saved;
mod scheduler;
mod server;
mod site;
mod start;
pub mod timeline;
mod workspace;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use jalon_definition::cache::CheckCache;
use jalon_runtime::delivery::DeliverySettings;
use jalon_runtime::dispatch::Dispatcher;
use jalon_runtime::links::{self, Links};
use jalon_runtime::load::LoadError;
use jalon_runtime::staged;
use jalon_runtime::Clock;
use jalon_store::Backend;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use http::Health;
use scheduler::{Editions, Loop};

/// How long a pass under way may take to finish once asked to stop; after
/// that it is abandoned (every send it completed is already recorded).
const GRACE: Duration = Duration::from_secs(10);

/// What the daemon runs on, checked by the caller.
pub struct Options<B: Backend> {
    pub definitions: PathBuf,
    /// Where progress is recorded.
    pub backend: B,
    /// This daemon's name among replicas sharing the database.
    pub replica: String,
    /// How long a message this daemon claimed is its alone.
    pub lease: Duration,
    pub delivery: DeliverySettings,
    pub listen: SocketAddr,
    /// The base of the validation links written into emails.
    pub public_url: String,
    /// Where the key of the validation links is kept.
    pub secret_file: PathBuf,
    /// Who hears by email of a rejected reload.
    pub operator: Option<String>,
    /// The `jalon.toml` the settings were read from, if any (for the log).
    pub settings_file: Option<PathBuf>,
    /// Send what a new definition makes already late, rather than hold it
    /// for a release (see `jalon_runtime::hold`).
    pub send_late: bool,
    /// What "now" is: the system's, or a test's shifted one.
    pub clock: Arc<dyn Clock>,
}

/// The addresses that may sign in to the workspace of one edition.
pub fn workspace_addresses(
    edition: &Arc<jalon_definition::resolved::Edition>,
) -> std::collections::BTreeSet<String> {
    workspace::known_addresses(std::slice::from_ref(edition))
}

/// Why the daemon could not start, or stopped on its own.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot start: {0}")]
    Links(#[from] links::SetupError),
    #[error("cannot start: {0}")]
    Runtime(std::io::Error),
    #[error("cannot handle signals: {0}")]
    Signals(std::io::Error),
    #[error("cannot listen on {address}: {source} (choose another with --listen)")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start: {0}")]
    Definitions(#[from] LoadError),
    #[error("cannot start: the check of the definitions failed: {0}")]
    Check(String),
    #[error("the scheduling loop ended unexpectedly: {0}")]
    LoopEnded(String),
    #[error("cannot start: {0}")]
    Store(#[from] jalon_store::StoreError),
}

/// Runs the daemon until SIGTERM or SIGINT (then `Ok`), or until it cannot
/// go on.
pub fn serve<B: Backend>(options: Options<B>) -> Result<(), DaemonError> {
    // One daemon per database (for a backend that serves one): a second
    // one would send every message twice.
    let _hold = options.backend.hold_for_daemon()?;
    // The key of the validation links, made on first start.
    let links = Arc::new(Links::open(&options.public_url, &options.secret_file)?);
    if options.delivery.is_smtp() && links::local(&options.public_url) {
        warn!(
            "validation links will point to {}, which only this machine can open: \
             give the address people reach this daemon at with --public-url \
             (or JALON_PUBLIC_URL, or public_url in jalon.toml)",
            options.public_url
        );
    }
    // Two runtimes for the life of the process: this one for the HTTP side,
    // the signals and the timers; the dispatcher's for its SMTP sessions,
    // kept open between passes and driven by the pass's own thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(DaemonError::Runtime)?;
    let mut dispatcher =
        Dispatcher::new(options.clock.clone(), &options.delivery).map_err(DaemonError::Runtime)?;
    dispatcher.links = Some(links);
    dispatcher.holder = options.replica.clone();
    dispatcher.lease = options.lease;
    let result = runtime.block_on(run(options, dispatcher));
    // A pass abandoned after the grace period runs on a blocking thread of
    // its own; a reload check in progress is not waited for either.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

async fn run<B: Backend>(options: Options<B>, dispatcher: Dispatcher) -> Result<(), DaemonError> {
    // Handlers first: a signal that arrives while starting must not kill
    // the process with the default action.
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    let hangup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|source| DaemonError::Listen {
            address: options.listen,
            source,
        })?;
    let address = listener.local_addr().unwrap_or(options.listen);
    info!(address = %address, "listening on http://{address}");

    let health = Arc::new(Health::default());
    let _ = health.replica.set(options.replica.clone());
    let (editions_tx, editions_rx) = watch::channel::<Editions>(Arc::new(Vec::new()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let wake = Arc::new(tokio::sync::Notify::new());
    let operator = operator(&options);
    // `/healthz` answers while the definitions are checked; pages wait.
    serve_http(
        &options,
        listener,
        &health,
        &editions_rx,
        &wake,
        stop_rx.clone(),
    );

    // The editions with messages waiting are served as soon as their own
    // definitions pass; the loop starts then, or with the whole set.
    let cache = options
        .backend
        .file()
        .map(|db| Arc::new(CheckCache::new(staged::cache_folder(db))));
    let mut checking = start::check(&options, cache.clone()).await;
    let start_loop = |passed, served_first| {
        tokio::spawn(
            Loop {
                backend: options.backend.clone(),
                health: health.clone(),
                wake: wake.clone(),
                clock: options.clock.clone(),
                operator: operator.clone(),
                send_late: options.send_late,
                passed,
                served_first,
            }
            .run(dispatcher, editions_rx.clone(), stop_rx.clone()),
        )
    };
    let mut scheduling = None;
    let mut start_loop = Some(start_loop);
    // Kept until the end: dropped, the watches stop.
    let mut watches = None;
    if let Some((first, passed)) = checking.early.recv().await {
        start::prepare(&options, &first, false).await;
        let set = reload::editions_of(&first);
        reload::loaded(&health, &set);
        info!(
            "serving first {} edition(s) with messages waiting: {}; checking the others",
            set.len(),
            reload::ids(&set)
        );
        editions_tx.send_replace(set.clone());
        watches = Some(watch_records(&options.backend, &wake, &health));
        scheduling = start_loop
            .take()
            .map(|start| start(Some(passed), Some(set)));
    }
    let checked = tokio::select! {
        checked = &mut checking.done => checked,
        _ = term.recv() => return stop_early(&health, &stop_tx, scheduling, "SIGTERM").await,
        _ = interrupt.recv() => return stop_early(&health, &stop_tx, scheduling, "SIGINT").await,
    };
    let loaded = match checked.map_err(|e| DaemonError::Check(e.to_string())) {
        Ok(Ok(loaded)) => loaded,
        Ok(Err(e)) => {
            let _ = stop_early(&health, &stop_tx, scheduling, "the definitions have errors").await;
            return Err(e.into());
        }
        Err(e) => {
            let _ = stop_early(&health, &stop_tx, scheduling, "the check failed").await;
            return Err(e);
        }
    };
    start::prepare(&options, &loaded, true).await;
    let editions = reload::editions_of(&loaded);
    reload::loaded(&health, &editions);
    info!(
        settings = %options
            .settings_file
            .as_ref()
            .map_or("defaults, environment and flags".into(), |f| f.display().to_string()),
        definitions = %options.definitions.display(),
        db = %options.backend.describe(),
        via = %options.delivery.describe(),
        public_url = %options.public_url,
        secret_file = %options.secret_file.display(),
        operator = options.operator.as_deref().unwrap_or("none"),
        replica = %options.replica,
        from_cache = cache.as_ref().map_or(0, |c| c.hits()),
        "running {} edition(s): {}",
        editions.len(),
        reload::ids(&editions)
    );
    editions_tx.send_replace(editions);
    health.start.finish();
    let _watches = watches.unwrap_or_else(|| watch_records(&options.backend, &wake, &health));
    let mut scheduling = match (scheduling, start_loop.take()) {
        (Some(running), _) => running,
        (None, Some(start)) => start(None, None),
        (None, None) => return Err(DaemonError::LoopEnded("never started".into())),
    };
    let reloader = reload::Reloader {
        definitions: options.definitions.clone(),
        backend: options.backend.clone(),
        editions: editions_tx,
        health: health.clone(),
        operator,
        clock: options.clock.clone(),
        wake: wake.clone(),
        cache,
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

    let signal = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
        ended = &mut scheduling => {
            return Err(DaemonError::LoopEnded(format!("{ended:?}")));
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
    Ok(())
}

/// Stops while the definitions are still checked at start: the editions
/// served first finish their pass (within the grace period).
async fn stop_early(
    health: &Health,
    stop: &watch::Sender<bool>,
    scheduling: Option<tokio::task::JoinHandle<()>>,
    why: &str,
) -> Result<(), DaemonError> {
    info!("{why}: stopping while starting");
    health.stopping.store(true, Ordering::Release);
    health.start.finish();
    let _ = stop.send(true);
    if let Some(scheduling) = scheduling {
        let _ = tokio::time::timeout(GRACE, scheduling).await;
    }
    Ok(())
}

/// The HTTP side, served from the start: its connection cap, said in the log.
fn serve_http<B: Backend>(
    options: &Options<B>,
    listener: tokio::net::TcpListener,
    health: &Arc<Health>,
    editions: &watch::Receiver<Editions>,
    wake: &Arc<tokio::sync::Notify>,
    stop: watch::Receiver<bool>,
) {
    let site = Arc::new(site::Site {
        backend: options.backend.clone(),
        editions: editions.clone(),
        wake: wake.clone(),
        clock: options.clock.clone(),
        pages: Arc::new(tokio::sync::Semaphore::new(site::PAGES_AT_ONCE)),
    });
    // The HTTP side may hold at most this many connections, so that it can
    // never take the descriptors the sending loop needs.
    let descriptors = server::descriptor_limit();
    let cap = server::connection_cap(descriptors, options.delivery.connections);
    health
        .metrics
        .http_limit
        .store(cap as u64, Ordering::Relaxed);
    if server::leaves_room(descriptors, options.delivery.connections, cap) {
        info!(
            "HTTP: at most {cap} connections (open files limit: {}), \
             {} s for a request's head, {} s for a request",
            descriptors.map_or("none".into(), |l| l.to_string()),
            server::HEAD_TIMEOUT.as_secs(),
            server::REQUEST_TIME_LIMIT.as_secs()
        );
    } else {
        warn!(
            "HTTP: at most {cap} connections, but the open files limit ({}) leaves too little \
             for the database and {} SMTP connection(s): raise it (ulimit -n, LimitNOFILE=)",
            descriptors.map_or("none".into(), |l| l.to_string()),
            options.delivery.connections
        );
    }
    let workspace = Arc::new(workspace::Workspace::new(
        &options.public_url,
        options.delivery.clone(),
    ));
    tokio::spawn(server::serve(
        listener,
        http::router(health.clone(), site, workspace),
        cap,
        health.clone(),
        stop,
    ));
}

/// The watches that wake the loop on events recorded by other processes
/// or other replicas.
fn watch_records<B: Backend>(
    backend: &B,
    wake: &Arc<tokio::sync::Notify>,
    health: &Arc<Health>,
) -> (
    Option<notify::RecommendedWatcher>,
    Option<jalon_store::Listening>,
) {
    (
        watch_recorded(backend, wake),
        listen_to_replicas(backend, wake, health),
    )
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

/// The watch that wakes the loop when another process records an event,
/// for a database in a file; without it, such events take effect at the
/// next scheduled wake-up.
fn watch_recorded<B: Backend>(
    backend: &B,
    wake: &Arc<tokio::sync::Notify>,
) -> Option<notify::RecommendedWatcher> {
    let file = backend.file()?;
    match recorded::watch(file, backend.clone(), wake.clone()) {
        Ok(watcher) => Some(watcher),
        Err(e) => {
            warn!(
                "cannot watch the folder of {} ({e}): events recorded by `jalon` commands \
                 take effect at the next scheduled wake-up",
                file.display()
            );
            None
        }
    }
}

/// For a database replicas share: what the others commit wakes the loop
/// at once (PostgreSQL's notifications).
/// The listening connection is also how an idle replica learns that the
/// database went away (and came back), for `/healthz`.
fn listen_to_replicas<B: Backend>(
    backend: &B,
    wake: &Arc<tokio::sync::Notify>,
    health: &Arc<Health>,
) -> Option<jalon_store::Listening> {
    let (wake, health) = (wake.clone(), health.clone());
    let heard = backend.listen(Box::new(move |heard| match heard {
        jalon_store::Heard::Commit => {
            debug!("another process committed: a pass");
            wake.notify_one();
        }
        jalon_store::Heard::Lost(why) => {
            warn!("the database cannot be reached ({why}): trying again");
            health.database(Some(why));
        }
        jalon_store::Heard::Back => {
            info!("the database is back: a pass");
            health.database(None);
            wake.notify_one();
        }
    }))?;
    match heard {
        Ok(listening) => {
            info!("listening for the other replicas' commits");
            Some(listening)
        }
        Err(e) => {
            warn!("cannot listen for the other replicas ({e}): their events take effect at the next wake-up");
            None
        }
    }
}

/// Who is mailed rejected reloads; said once at start when nobody is.
fn operator<B: Backend>(options: &Options<B>) -> Option<Arc<operator::Operator>> {
    match &options.operator {
        Some(address) => Some(operator::Operator::new(
            address.clone(),
            options.delivery.clone(),
        )),
        None => {
            info!(
                "no operator address (--operator, JALON_OPERATOR or `operator` in jalon.toml): \
                 a rejected reload will only be logged"
            );
            None
        }
    }
}
