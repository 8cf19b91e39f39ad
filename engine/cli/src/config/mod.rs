//! `jalon daemon`'s settings, layered: built-in defaults < `jalon.toml` <
//! the environment (`JALON_*`) < flags. The file is `./jalon.toml` when
//! there is one, or the file named by `--config` / `JALON_CONFIG` (which
//! must then exist). Every problem, whichever layer it comes from, is
//! reported at once — a file's at its line and column — and nothing starts.

mod file;
mod init;
mod settings;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Args};
use jalon_definition::source::{Sources, Span};
use jalon_definition::{Diagnostic, Report};
use toml::Spanned;

use crate::args::Places;
use crate::commands::daemon::{DaemonSettings, LogFormat};
use file::Loaded;
use jalon_runtime::delivery::{DeliveryOptions, DkimOptions};
use settings::Setting;

pub use init::init;

/// The file read from the current folder when no other is named.
pub const FILE_NAME: &str = "jalon.toml";

/// `jalon daemon`'s flags. Each also reads its `JALON_*` variable; a flag
/// or a variable left unset falls back to `jalon.toml`, then to the default.
#[derive(Args)]
pub struct DaemonArgs {
    /// The settings file (default: ./jalon.toml when there is one; write one with `jalon init`).
    #[arg(long, value_name = "FILE", env = "JALON_CONFIG")]
    pub config: Option<PathBuf>,
    /// The definitions folder: every edition in it runs.
    #[arg(
        long,
        value_name = "DIR",
        env = "JALON_DEFINITIONS",
        default_value = "definitions"
    )]
    pub definitions: PathBuf,
    /// The database of recorded progress: a SQLite file (created on first use) or postgres://HOST/DATABASE.
    #[arg(
        long,
        value_name = "FILE_OR_URL",
        env = "JALON_DB",
        hide_env_values = true,
        default_value = "jalon.db"
    )]
    pub db: PathBuf,
    // Not clap's `conflicts_with = "folder"`: clap would refuse `--folder`
    // with JALON_SMTP set, where the flag is meant to win.
    /// Deliver through this SMTP relay, e.g. smtp://user:pass@host:587?tls=required or smtps://host:465.
    #[arg(long, value_name = "URL", env = "JALON_SMTP", hide_env_values = true)]
    pub smtp: Option<String>,
    /// Write each message as an .eml file in this folder (the default, `outbox`).
    #[arg(long, value_name = "DIR", env = "JALON_FOLDER")]
    pub folder: Option<PathBuf>,
    /// SMTP connections used at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 4,
        env = "JALON_SMTP_CONNECTIONS"
    )]
    pub connections: usize,
    /// At most this many messages per second (a relay's quota), e.g. 2 or 0.5.
    #[arg(long, value_name = "PER_SECOND", env = "JALON_SMTP_RATE")]
    pub rate: Option<f64>,
    /// Seconds a replica keeps the messages it is sending to itself (PostgreSQL).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        env = "JALON_LEASE"
    )]
    pub lease: u64,
    /// Sign every email with DKIM with this RSA private key (PEM), in its sender's domain.
    #[arg(long, value_name = "FILE", env = "JALON_DKIM_KEY")]
    pub dkim_key: Option<PathBuf>,
    /// The selector the DKIM key's public half is published under (SELECTOR._domainkey.DOMAIN).
    #[arg(long, value_name = "NAME", env = "JALON_DKIM_SELECTOR")]
    pub dkim_selector: Option<String>,
    /// Send at once what a new definition makes already late, instead of
    /// holding it for `jalon release`.
    #[arg(long, env = "JALON_SEND_LATE", default_value_t = false)]
    pub send_late: bool,
    /// Serve /healthz and /metrics at this address (port 0: any free port, logged at start).
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "JALON_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: SocketAddr,
    /// How to write the logs (on standard error).
    #[arg(
        long,
        value_enum,
        env = "JALON_LOG_FORMAT",
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
    /// The address people reach this daemon at, written into the validation links of emails.
    #[arg(
        long,
        value_name = "URL",
        env = "JALON_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,
    /// The key that validation links are derived from (created on first start, mode 0600).
    #[arg(
        long,
        value_name = "FILE",
        env = "JALON_SECRET_FILE",
        default_value = "jalon.secret"
    )]
    pub secret_file: PathBuf,
    /// Who is told by email when new definitions are rejected on reload.
    #[arg(long, value_name = "EMAIL", env = "JALON_OPERATOR")]
    pub operator: Option<String>,
    /// This daemon's name among replicas sharing a PostgreSQL database.
    #[arg(long, value_name = "NAME", env = "JALON_REPLICA")]
    pub replica: Option<String>,
}

/// Where a value came from: reports name it, and a higher layer wins.
#[derive(Clone, Copy, Debug)]
enum Origin {
    Default,
    File(Span),
    Env(&'static str),
    Flag(&'static str),
}

impl Origin {
    fn rank(self) -> u8 {
        match self {
            Origin::Default => 0,
            Origin::File(_) => 1,
            Origin::Env(_) => 2,
            Origin::Flag(_) => 3,
        }
    }
}

/// A value and where it came from.
struct Valued<T> {
    value: T,
    origin: Origin,
}

/// Every setting of the daemon, each from the highest layer that gives it.
struct Resolved {
    definitions: Valued<PathBuf>,
    db: Valued<PathBuf>,
    smtp: Option<Valued<String>>,
    folder: Valued<PathBuf>,
    connections: Valued<usize>,
    rate: Option<Valued<f64>>,
    dkim_key: Option<Valued<PathBuf>>,
    dkim_selector: Option<Valued<String>>,
    send_late: Valued<bool>,
    listen: Valued<SocketAddr>,
    log_format: Valued<LogFormat>,
    public_url: Valued<String>,
    secret_file: Valued<PathBuf>,
    operator: Option<Valued<String>>,
    replica: Option<Valued<String>>,
    lease: Valued<u64>,
}

/// The daemon's options from its flags (`matches` tells a flag or a
/// variable from a default), the environment and the settings file; or the
/// report of every problem, to print before exiting 2.
pub fn daemon_options(args: DaemonArgs, matches: &ArgMatches) -> Result<DaemonSettings, String> {
    let mut sources = Sources::default();
    let mut problems = Vec::new();
    let named = args.config.clone().map(|path| {
        let origin = match matches.value_source("config") {
            Some(ValueSource::EnvVariable) => "JALON_CONFIG",
            _ => "--config",
        };
        (path, origin)
    });
    let path = match named {
        Some((path, origin)) if !path.is_file() => {
            problems.push(
                Diagnostic::error(
                    "missing-settings",
                    format!(
                        "{origin}: the settings file `{}` does not exist",
                        path.display()
                    ),
                )
                .hint("write one with `jalon init`, or name another"),
            );
            None
        }
        Some((path, _)) => Some(path),
        None => Some(PathBuf::from(FILE_NAME)).filter(|p| p.exists()),
    };
    let loaded = path.and_then(|path| file::read(&path, &mut sources, &mut problems));
    let layers = Layers {
        matches,
        file: loaded.as_ref(),
    };
    let resolved = layers.resolve(args, &mut problems);
    problems.extend(validate(&resolved));
    if !problems.is_empty() {
        return Err(report(
            sources,
            problems,
            loaded.as_ref().map(|f| f.path.as_path()),
            "nothing was started",
        ));
    }
    Ok(options(resolved, loaded.map(|f| f.path)))
}

/// Where an operator's command (`jalon approve`, `status`, `send`…) finds
/// the definitions and the database (and `send`, the links' address and
/// key): its flag or variable, else what the daemon's settings file says
/// (`./jalon.toml`, or `JALON_CONFIG`), else the default, so that a command
/// records into the database the daemon reads and writes links it answers.
pub fn command_paths(matches: &ArgMatches, places: Places<'_>) -> Result<(), String> {
    let Places {
        definitions,
        db,
        links,
    } = places;
    let mut sources = Sources::default();
    let mut problems = Vec::new();
    let path = match std::env::var_os("JALON_CONFIG") {
        Some(named) if !Path::new(&named).is_file() => {
            return Err(format!(
                "error: JALON_CONFIG: the settings file `{}` does not exist\n",
                Path::new(&named).display()
            ))
        }
        Some(named) => PathBuf::from(named),
        None if Path::new(FILE_NAME).is_file() => PathBuf::from(FILE_NAME),
        None => return Ok(()),
    };
    let loaded = file::read(&path, &mut sources, &mut problems);
    if !problems.is_empty() {
        return Err(report(sources, problems, Some(&path), "nothing was done"));
    }
    let layers = Layers {
        matches,
        file: loaded.as_ref(),
    };
    *definitions = layers
        .pick(
            &settings::DEFINITIONS,
            definitions.clone(),
            layers.path(|f| f.settings.definitions.as_ref()),
        )
        .value;
    *db = layers
        .pick(
            &settings::DB,
            db.clone(),
            layers.path(|f| f.settings.db.as_ref()),
        )
        .value;
    if let Some((public_url, secret_file)) = links {
        *public_url = layers
            .pick(
                &settings::PUBLIC_URL,
                public_url.clone(),
                layers.value(|f| f.settings.http.public_url.as_ref()),
            )
            .value;
        if let Some(secret_file) = secret_file {
            *secret_file = layers
                .pick(
                    &settings::SECRET_FILE,
                    secret_file.clone(),
                    layers.path(|f| f.settings.http.secret_file.as_ref()),
                )
                .value;
        }
    }
    Ok(())
}

struct Layers<'a> {
    matches: &'a ArgMatches,
    file: Option<&'a Loaded>,
}

impl Layers<'_> {
    /// The flag or variable that gave the setting, if one did.
    fn given(&self, setting: &'static Setting) -> Option<Origin> {
        let id = setting.flag.trim_start_matches("--").replace('-', "_");
        match self.matches.value_source(&id) {
            Some(ValueSource::CommandLine) => Some(Origin::Flag(setting.flag)),
            Some(ValueSource::EnvVariable) => Some(Origin::Env(setting.env)),
            _ => None,
        }
    }

    /// A setting with a default (clap's, in `cli` when nothing was given).
    fn pick<T>(&self, setting: &'static Setting, cli: T, file: Option<(T, Span)>) -> Valued<T> {
        if let Some(origin) = self.given(setting) {
            return Valued { value: cli, origin };
        }
        match file {
            Some((value, span)) => Valued {
                value,
                origin: Origin::File(span),
            },
            None => Valued {
                value: cli,
                origin: Origin::Default,
            },
        }
    }

    /// A setting without a default.
    fn pick_optional<T>(
        &self,
        setting: &'static Setting,
        cli: Option<T>,
        file: Option<(T, Span)>,
    ) -> Option<Valued<T>> {
        match (self.given(setting), cli) {
            (Some(origin), Some(value)) => Some(Valued { value, origin }),
            _ => file.map(|(value, span)| Valued {
                value,
                origin: Origin::File(span),
            }),
        }
    }

    /// A value of the file, with its place.
    fn value<T: Clone>(&self, get: impl Fn(&Loaded) -> Option<&Spanned<T>>) -> Option<(T, Span)> {
        let file = self.file?;
        let value = get(file)?;
        Some((value.get_ref().clone(), file.span(&value.span())))
    }

    /// A path of the file, relative to the file's folder.
    fn path(&self, get: impl Fn(&Loaded) -> Option<&Spanned<PathBuf>>) -> Option<(PathBuf, Span)> {
        let file = self.file?;
        let value = get(file)?;
        Some((file.path(value), file.span(&value.span())))
    }

    fn resolve(&self, args: DaemonArgs, problems: &mut Vec<Diagnostic>) -> Resolved {
        use settings::*;
        let smtp = self.pick_optional(
            &SMTP,
            args.smtp,
            self.value(|f| f.settings.delivery.smtp.as_ref()),
        );
        let folder = self.pick_optional(
            &FOLDER,
            args.folder,
            self.path(|f| f.settings.delivery.folder.as_ref()),
        );
        // Set in different layers, the higher wins (an `smtp` in the file,
        // `--folder` for a dry run); set in the same one, it is ambiguous.
        let smtp = match (smtp, &folder) {
            (Some(smtp), Some(folder)) if smtp.origin.rank() == folder.origin.rank() => {
                problems.push(problem(
                    folder.origin,
                    "conflicting-settings",
                    "`smtp` and `folder` are both set: messages go one way".to_owned(),
                    "set only one: `smtp` to send through a relay, `folder` for .eml files",
                ));
                Some(smtp)
            }
            (Some(smtp), Some(folder)) if smtp.origin.rank() < folder.origin.rank() => None,
            (smtp, _) => smtp,
        };
        Resolved {
            definitions: self.pick(
                &DEFINITIONS,
                args.definitions,
                self.path(|f| f.settings.definitions.as_ref()),
            ),
            db: self.pick(&DB, args.db, self.path(|f| f.settings.db.as_ref())),
            smtp,
            folder: folder.unwrap_or(Valued {
                value: PathBuf::from("outbox"),
                origin: Origin::Default,
            }),
            connections: self.pick(
                &CONNECTIONS,
                args.connections,
                self.value(|f| f.settings.delivery.connections.as_ref()),
            ),
            rate: self.pick_optional(
                &RATE,
                args.rate,
                self.value(|f| f.settings.delivery.rate.as_ref()),
            ),
            dkim_key: self.pick_optional(
                &DKIM_KEY,
                args.dkim_key,
                self.path(|f| f.settings.delivery.dkim_key.as_ref()),
            ),
            dkim_selector: self.pick_optional(
                &DKIM_SELECTOR,
                args.dkim_selector,
                self.value(|f| f.settings.delivery.dkim_selector.as_ref()),
            ),
            send_late: self.pick(
                &SEND_LATE,
                args.send_late,
                self.value(|f| f.settings.delivery.send_late.as_ref()),
            ),
            listen: self.pick(
                &LISTEN,
                args.listen,
                self.value(|f| f.settings.http.listen.as_ref()),
            ),
            log_format: self.pick(
                &LOG_FORMAT,
                args.log_format,
                self.value(|f| f.settings.log_format.as_ref()),
            ),
            public_url: self.pick(
                &PUBLIC_URL,
                args.public_url,
                self.value(|f| f.settings.http.public_url.as_ref()),
            ),
            secret_file: self.pick(
                &SECRET_FILE,
                args.secret_file,
                self.path(|f| f.settings.http.secret_file.as_ref()),
            ),
            operator: self.pick_optional(
                &OPERATOR,
                args.operator,
                self.value(|f| f.settings.operator.as_ref()),
            ),
            replica: self.pick_optional(
                &REPLICA,
                args.replica,
                self.value(|f| f.settings.replica.as_ref()),
            ),
            lease: self.pick(
                &LEASE,
                args.lease,
                self.value(|f| f.settings.delivery.lease.as_ref()),
            ),
        }
    }
}

/// Every problem of meaning in the settings, wherever each came from.
fn validate(settings: &Resolved) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut check = |ok: bool, origin: Origin, code, message: String, hint: &str| {
        if !ok {
            problems.push(problem(origin, code, message, hint));
        }
    };
    if let Some(smtp) = &settings.smtp {
        // The error names the URL with its password hidden.
        if let Err(e) = jalon_delivery::SmtpConfig::from_url(&smtp.value) {
            check(
                false,
                smtp.origin,
                "bad-smtp-url",
                e.to_string(),
                "write it as smtp://user:password@relay.example.org:587?tls=required, or smtps://relay.example.org for TLS from the first byte",
            );
        }
    }
    let lease = &settings.lease;
    check(
        (5..=3600).contains(&lease.value),
        lease.origin,
        "bad-lease",
        format!("a lease of {} s: use 5 to 3600 seconds", lease.value),
        "60 suits most platforms: a dead replica's messages wait at most a minute",
    );
    let connections = &settings.connections;
    check(
        (1..=64).contains(&connections.value),
        connections.origin,
        "bad-connections",
        format!("{} SMTP connections: use 1 to 64", connections.value),
        "4 suits most relays",
    );
    if let Some(rate) = &settings.rate {
        check(
            (jalon_runtime::delivery::SLOWEST_RATE..=jalon_runtime::delivery::FASTEST_RATE)
                .contains(&rate.value),
            rate.origin,
            "bad-rate",
            format!(
                "a rate of {} messages per second: give one from 1/3600 (one an hour) to {}",
                rate.value,
                jalon_runtime::delivery::FASTEST_RATE
            ),
            "e.g. 2 for two messages a second, 0.5 for one every two seconds; leave it unset for no limit",
        );
    }
    match (&settings.dkim_key, &settings.dkim_selector) {
        (Some(key), None) => check(
            false,
            key.origin,
            "dkim-without-selector",
            "a DKIM key without its selector".to_owned(),
            "set `dkim_selector` (--dkim-selector) to the name its public half is published under",
        ),
        (None, Some(selector)) => check(
            false,
            selector.origin,
            "dkim-without-key",
            "a DKIM selector without a key".to_owned(),
            "set `dkim_key` (--dkim-key) to the RSA private key's file, or remove the selector",
        ),
        (Some(key), Some(selector)) => {
            let options = DkimOptions {
                key_file: key.value.clone(),
                selector: selector.value.clone(),
            };
            if let Err(problem) = options.read() {
                check(
                    false,
                    key.origin,
                    "bad-dkim",
                    problem.to_string(),
                    "make one with `openssl genrsa -out dkim.pem 2048`, and publish its public half",
                );
            }
        }
        (None, None) => {}
    }
    if let Some(operator) = &settings.operator {
        let address = operator.value.trim();
        check(
            email_address::EmailAddress::is_valid(address) && address.contains('.'),
            operator.origin,
            "bad-operator",
            format!("`{address}` is not an email address"),
            "write the operator's address as `name@example.org`",
        );
    }
    let url = &settings.public_url;
    let host = url
        .value
        .strip_prefix("https://")
        .or_else(|| url.value.strip_prefix("http://"));
    check(
        host.is_some_and(|h| !h.is_empty() && !h.starts_with('/'))
            && !url.value.chars().any(char::is_whitespace),
        url.origin,
        "bad-public-url",
        format!("`{}` is not an http:// or https:// address", url.value),
        "write the address people open, e.g. https://jalon.example.org",
    );
    let definitions = &settings.definitions;
    check(
        definitions.value.is_dir(),
        definitions.origin,
        "missing-definitions",
        format!(
            "the definitions folder `{}` does not exist",
            definitions.value.display()
        ),
        "name the folder that holds the programme and its editions",
    );
    let db = &settings.db;
    if let Some(url) = db
        .value
        .to_str()
        .filter(|d| jalon_store::is_postgres_url(d))
    {
        if let Err(e) = jalon_store::PostgresBackend::new(url, "check") {
            check(
                false,
                db.origin,
                "bad-db-url",
                e.to_string(),
                "write it as postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=require",
            );
        }
        return problems;
    }
    let folder = db.value.parent().filter(|p| !p.as_os_str().is_empty());
    check(
        folder.is_none_or(Path::is_dir),
        db.origin,
        "missing-folder",
        format!(
            "the folder of the database `{}` does not exist",
            db.value.display()
        ),
        "create the folder first; the database file itself is created on first start",
    );
    problems
}

/// A problem, placed in the file when it came from there, else named after
/// its variable or flag.
fn problem(origin: Origin, code: &'static str, message: String, hint: &str) -> Diagnostic {
    let diagnostic = match origin {
        Origin::File(span) => Diagnostic::error(code, message).at(span).label("here"),
        Origin::Env(name) => Diagnostic::error(code, format!("{name} (environment): {message}")),
        Origin::Flag(flag) => Diagnostic::error(code, format!("{flag}: {message}")),
        Origin::Default => Diagnostic::error(code, format!("by default: {message}")),
    };
    diagnostic.hint(hint)
}

/// The printed report: each problem with its place, and what happened.
fn report(
    sources: Sources,
    mut diagnostics: Vec<Diagnostic>,
    file: Option<&Path>,
    outcome: &str,
) -> String {
    // In the order of the file, then those of the environment and flags.
    diagnostics.sort_by_key(|d| d.span.map_or((1, 0), |span| (0, span.start)));
    let count = diagnostics.len();
    let report = Report {
        sources,
        diagnostics,
        editions: Vec::new(),
        checked: file.map(Path::to_path_buf).into_iter().collect(),
    };
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none();
    let mut text = jalon_runtime::check_report::problems(&report, color);
    text.push_str(&format!(
        "{count} problem{} in the settings of `jalon daemon`; {outcome}\n",
        if count == 1 { "" } else { "s" }
    ));
    text
}

fn options(settings: Resolved, file: Option<PathBuf>) -> DaemonSettings {
    DaemonSettings {
        definitions: settings.definitions.value,
        db: settings.db.value,
        delivery: DeliveryOptions {
            smtp: settings.smtp.map(|s| s.value),
            folder: settings.folder.value,
            connections: settings.connections.value,
            rate: settings.rate.map(|r| r.value),
            dkim: settings.dkim_key.map(|key| DkimOptions {
                key_file: key.value,
                selector: settings.dkim_selector.map(|s| s.value).unwrap_or_default(),
            }),
        },
        send_late: settings.send_late.value,
        listen: settings.listen.value,
        log_format: settings.log_format.value,
        public_url: settings.public_url.value,
        secret_file: settings.secret_file.value,
        operator: settings.operator.map(|o| o.value.trim().to_owned()),
        replica: settings.replica.map(|r| r.value.trim().to_owned()),
        lease: std::time::Duration::from_secs(settings.lease.value),
        settings_file: file,
    }
}

#[cfg(test)]
mod tests;
