//! `jalon daemon`: the settings gathered and checked (flags, variables,
//! `jalon.toml`), the logs set up, then the `jalon-daemon` library runs.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{ArgMatches, ValueEnum};
use jalon_daemon::DaemonError;
use jalon_runtime::delivery::{DeliveryOptions, DeliverySettings};
use jalon_runtime::{Clock, ShiftedClock, SystemClock};
use jalon_store::Database;
use tracing::{error, warn};

use crate::config::{self, DaemonArgs};
use crate::failure::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The daemon's settings, from every layer.
pub struct DaemonSettings {
    pub definitions: PathBuf,
    pub db: PathBuf,
    pub delivery: DeliveryOptions,
    /// Send what a new definition makes already late (not held).
    pub send_late: bool,
    pub listen: SocketAddr,
    pub log_format: LogFormat,
    pub public_url: String,
    pub secret_file: PathBuf,
    pub operator: Option<String>,
    /// This daemon's name among replicas (`None`: host and process id).
    pub replica: Option<String>,
    /// How long a claimed message is this replica's alone.
    pub lease: std::time::Duration,
    /// The `jalon.toml` the settings were read from, if any.
    pub settings_file: Option<PathBuf>,
}

pub fn daemon(args: DaemonArgs, matches: &ArgMatches) -> Result<String, Failure> {
    let settings = config::daemon_options(args, matches).map_err(|report| {
        eprint!("{report}");
        Failure::Told(2)
    })?;
    logging(settings.log_format);
    let clock = clock().map_err(|message| {
        error!("{message}");
        Failure::Told(2)
    })?;
    let delivery = DeliverySettings::new(&settings.delivery).map_err(|e| {
        error!("{e}");
        Failure::Told(2)
    })?;
    let replica = settings.replica.unwrap_or_else(Database::default_replica);
    let backend = Database::from_setting(&settings.db, &replica).map_err(|e| {
        error!("{e}");
        Failure::Told(2)
    })?;
    let options = jalon_daemon::Options {
        definitions: settings.definitions,
        backend,
        replica,
        lease: settings.lease,
        delivery,
        listen: settings.listen,
        public_url: settings.public_url,
        secret_file: settings.secret_file,
        operator: settings.operator,
        settings_file: settings.settings_file,
        send_late: settings.send_late,
        clock,
    };
    match jalon_daemon::serve(options) {
        Ok(()) => Ok(String::new()),
        Err(e) => {
            error!("{}", e.to_string().trim_end());
            Err(Failure::Told(match e {
                DaemonError::LoopEnded(_) => 1,
                _ => 2,
            }))
        }
    }
}

/// The environment variable that shifts the daemon's clock, for tests only.
const CLOCK_SKEW: &str = "JALON_CLOCK_SKEW_SECONDS";

/// The system's clock; shifted by [`CLOCK_SKEW`] seconds when it is set,
/// so that a test can stand past a due instant without waiting. Loudly
/// logged: set by mistake in production, it would send early or let
/// messages expire.
fn clock() -> Result<Arc<dyn Clock>, String> {
    let Some(text) = std::env::var_os(CLOCK_SKEW) else {
        return Ok(Arc::new(SystemClock));
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
    warn!(
        skew_seconds = seconds,
        "{CLOCK_SKEW} is set: this daemon's clock runs {seconds} s away from the real time, \
         for tests only; unset it in production"
    );
    Ok(Arc::new(ShiftedClock(jiff::SignedDuration::from_secs(
        seconds,
    ))))
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
