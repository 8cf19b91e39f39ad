//! Every setting of `jalon daemon` in one table: its place in `jalon.toml`,
//! its environment variable, its flag, its default and what it does. `jalon
//! init` writes its file from this table, and the file's errors take their
//! examples from it; a test holds it to clap's flags.

/// One setting.
pub struct Setting {
    /// The table it belongs to in `jalon.toml` (`None`: the top).
    pub section: Option<&'static str>,
    pub key: &'static str,
    /// The flag, which is also clap's id with `-` for `_`.
    pub flag: &'static str,
    pub env: &'static str,
    /// What it does, for `jalon init`'s comments.
    pub doc: &'static str,
    /// The built-in default, written as TOML; `None` when unset by default.
    pub default: Option<&'static str>,
    /// A value to show when there is no default (or beside it), as TOML.
    pub example: &'static str,
}

impl Setting {
    /// The line that sets it in `jalon.toml`.
    pub fn line(&self) -> String {
        format!("{} = {}", self.key, self.default.unwrap_or(self.example))
    }
}

pub const DEFINITIONS: Setting = Setting {
    section: None,
    key: "definitions",
    flag: "--definitions",
    env: "JALON_DEFINITIONS",
    doc: "The definitions folder: every edition in it runs. Saving a file in it reloads them.",
    default: Some("\"definitions\""),
    example: "\"definitions\"",
};

pub const DB: Setting = Setting {
    section: None,
    key: "db",
    flag: "--db",
    env: "JALON_DB",
    doc: "The database of recorded progress (created on first use).",
    default: Some("\"jalon.db\""),
    example: "\"jalon.db\"",
};

pub const OPERATOR: Setting = Setting {
    section: None,
    key: "operator",
    flag: "--operator",
    env: "JALON_OPERATOR",
    doc: "Who is emailed when new definitions are rejected on reload (unset: only logged).",
    default: None,
    example: "\"exploitation@example.org\"",
};

pub const REPLICA: Setting = Setting {
    section: None,
    key: "replica",
    flag: "--replica",
    env: "JALON_REPLICA",
    doc: "This daemon's name among replicas sharing a PostgreSQL database, shown by /healthz, \
          /metrics and the logs (unset: the machine's name and the process id).",
    default: None,
    example: "\"jalon-1\"",
};

pub const LOG_FORMAT: Setting = Setting {
    section: None,
    key: "log_format",
    flag: "--log-format",
    env: "JALON_LOG_FORMAT",
    doc: "How to write the logs on standard error: \"text\" or \"json\" (one object per line).",
    default: Some("\"text\""),
    example: "\"json\"",
};

pub const SMTP: Setting = Setting {
    section: Some("delivery"),
    key: "smtp",
    flag: "--smtp",
    env: "JALON_SMTP",
    doc: "Deliver through this SMTP relay (smtps:// for TLS from the first byte; tls=required for \
          STARTTLS). Its password is never logged. Unset: .eml files in `folder`.",
    default: None,
    example: "\"smtp://user:password@relay.example.org:587?tls=required\"",
};

pub const FOLDER: Setting = Setting {
    section: Some("delivery"),
    key: "folder",
    flag: "--folder",
    env: "JALON_FOLDER",
    doc: "Without `smtp`: write each message as an .eml file in this folder. Set one of the two.",
    default: Some("\"outbox\""),
    example: "\"outbox\"",
};

pub const CONNECTIONS: Setting = Setting {
    section: Some("delivery"),
    key: "connections",
    flag: "--connections",
    env: "JALON_SMTP_CONNECTIONS",
    doc: "SMTP connections used at once (1 to 64).",
    default: Some("4"),
    example: "4",
};

pub const RATE: Setting = Setting {
    section: Some("delivery"),
    key: "rate",
    flag: "--rate",
    env: "JALON_SMTP_RATE",
    doc: "At most this many messages per second, for a relay with a quota (unset: no limit).",
    default: None,
    example: "2.5",
};

pub const LEASE: Setting = Setting {
    section: Some("delivery"),
    key: "lease",
    flag: "--lease",
    env: "JALON_LEASE",
    doc: "Seconds a replica keeps the messages it is sending to itself (PostgreSQL): if it dies, \
          another replica sends them after this long (5 to 3600).",
    default: Some("60"),
    example: "60",
};

pub const DKIM_KEY: Setting = Setting {
    section: Some("delivery"),
    key: "dkim_key",
    flag: "--dkim-key",
    env: "JALON_DKIM_KEY",
    doc: "Sign every email with DKIM, in its sender's domain, with this RSA private key (PEM, \
          as `openssl genrsa 2048` writes it). Publish its public half as the TXT record \
          `SELECTOR._domainkey.DOMAIN`. Unset: unsigned (the relay may sign).",
    default: None,
    example: "\"/etc/jalon/dkim.pem\"",
};

pub const DKIM_SELECTOR: Setting = Setting {
    section: Some("delivery"),
    key: "dkim_selector",
    flag: "--dkim-selector",
    env: "JALON_DKIM_SELECTOR",
    doc: "With `dkim_key`: the selector its public half is published under.",
    default: None,
    example: "\"jalon2026\"",
};

pub const SEND_LATE: Setting = Setting {
    section: Some("delivery"),
    key: "send_late",
    flag: "--send-late",
    env: "JALON_SEND_LATE",
    doc: "Send at once what a new definition makes already late (an edition added mid-year on \
          purpose). By default such messages are held until `jalon release`, and the \
          coordination told.",
    default: Some("false"),
    example: "true",
};

pub const LISTEN: Setting = Setting {
    section: Some("http"),
    key: "listen",
    flag: "--listen",
    env: "JALON_LISTEN",
    doc:
        "Serve the validation links, /healthz and /metrics at this address (port 0: any free port).",
    default: Some("\"127.0.0.1:8080\""),
    example: "\"127.0.0.1:8080\"",
};

pub const PUBLIC_URL: Setting = Setting {
    section: Some("http"),
    key: "public_url",
    flag: "--public-url",
    env: "JALON_PUBLIC_URL",
    doc: "The address people reach this daemon at, written into the validation links of emails.",
    default: Some("\"http://127.0.0.1:8080\""),
    example: "\"https://jalon.example.org\"",
};

pub const SECRET_FILE: Setting = Setting {
    section: Some("http"),
    key: "secret_file",
    flag: "--secret-file",
    env: "JALON_SECRET_FILE",
    doc: "The key validation links are derived from (created on first start, mode 0600).",
    default: Some("\"jalon.secret\""),
    example: "\"jalon.secret\"",
};

/// Every setting, in the order `jalon init` writes them.
pub const SETTINGS: &[&Setting] = &[
    &DEFINITIONS,
    &DB,
    &OPERATOR,
    &REPLICA,
    &LOG_FORMAT,
    &SMTP,
    &FOLDER,
    &CONNECTIONS,
    &RATE,
    &LEASE,
    &DKIM_KEY,
    &DKIM_SELECTOR,
    &SEND_LATE,
    &LISTEN,
    &PUBLIC_URL,
    &SECRET_FILE,
];

/// The setting at `section.key`.
pub fn find(section: Option<&str>, key: &str) -> Option<&'static Setting> {
    SETTINGS
        .iter()
        .find(|s| s.section == section && s.key == key)
        .copied()
}

/// The known keys of a table of the file: its settings, and at the top the
/// names of the tables.
pub fn keys(section: Option<&str>) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = SETTINGS
        .iter()
        .filter(|s| s.section == section)
        .map(|s| s.key)
        .collect();
    if section.is_none() {
        keys.extend(sections());
    }
    keys
}

/// The tables of the file, in order.
pub fn sections() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for section in SETTINGS.iter().filter_map(|s| s.section) {
        if !out.contains(&section) {
            out.push(section);
        }
    }
    out
}
