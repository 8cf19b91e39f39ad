//! PostgreSQL, for a platform that must not depend on one machine: several
//! daemon replicas share one database. The guarantees are SQLite's: the log
//! is append-only, an event and what it makes due commit together, one
//! outbox row per key. What replicas add:
//!
//! - every write that appends events takes one advisory lock ([`LOG_LOCK`])
//!   and checks, under it, that nobody appended to the edition since the
//!   history was read: two replicas never both act on the same state, and
//!   event numbers commit in order;
//! - a message is delivered under a lease ([`crate::Store::claim`]), taken
//!   with `FOR UPDATE SKIP LOCKED`: one replica at a time, and another one
//!   takes over when the holder dies and the lease lapses;
//! - each commit that records an event or queues a message notifies the
//!   other replicas (`NOTIFY jalon`), which pass at once ([`listen`]).
//!
//! The client is the blocking `postgres` crate, as the store is called from
//! blocking threads (as SQLite is); connections come from a small pool.

mod listen;
mod schema;
mod store;
mod writes;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use postgres::{Client, Statement};

use crate::StoreError;

pub use listen::{Heard, Listening};
use schema::CHANNEL;
pub(crate) use schema::LOG_LOCK;

/// How long opening a store waits for a connection before saying the
/// server is unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections a process keeps at most: a pass, a few pages, the
/// dispatcher's writer and the listener.
const POOL_SIZE: u32 = 12;

/// Whether a database setting names PostgreSQL rather than a SQLite file.
pub fn is_postgres_url(setting: &str) -> bool {
    setting.starts_with("postgres://") || setting.starts_with("postgresql://")
}

/// One PostgreSQL database, shared by every store a process opens.
#[derive(Clone)]
pub struct PostgresBackend {
    shared: Arc<Shared>,
}

struct Shared {
    pool: r2d2::Pool<Manager>,
    manager: Manager,
    /// The URL without its password, for logs and errors.
    described: String,
    /// Who this process is among the replicas: its notifications are
    /// ignored by its own listener, and its leases carry it.
    replica: String,
    migrated: AtomicBool,
    /// Its schema was found to be Jalon's, of a version this build knows.
    identified: AtomicBool,
}

impl std::fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresBackend")
            .field("database", &self.shared.described)
            .field("replica", &self.shared.replica)
            .finish()
    }
}

impl PostgresBackend {
    /// A backend on the database at `url` (`postgres://user:password@host:port/name`,
    /// with `sslmode=disable|prefer|require` and `sslrootcert=FILE` as in
    /// libpq). Nothing is dialled yet. `replica` names this process.
    pub fn new(url: &str, replica: &str) -> Result<Self, StoreError> {
        let described = without_password(url);
        let bad = |detail: String| StoreError::BadUrl {
            url: described.clone(),
            detail,
        };
        let (rest, root_certificate) = take_parameter(url, "sslrootcert");
        let mut config: postgres::Config = rest.parse().map_err(|e| bad(format!("{e}")))?;
        if config.get_dbname().is_none() {
            return Err(bad("it names no database (postgres://HOST/DATABASE)".into()));
        }
        config
            .application_name(replica)
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives_idle(Duration::from_secs(30));
        let tls = tls(root_certificate.as_deref()).map_err(bad)?;
        let manager = Manager { config, tls };
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(0))
            .connection_timeout(CONNECT_TIMEOUT)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager.clone());
        Ok(PostgresBackend {
            shared: Arc::new(Shared {
                pool,
                manager,
                described,
                replica: replica.to_owned(),
                migrated: AtomicBool::new(false),
                identified: AtomicBool::new(false),
            }),
        })
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i64 {
        schema::MIGRATIONS.len() as i64
    }

    pub fn describe(&self) -> &str {
        &self.shared.described
    }

    /// A store to write to, on a pooled connection; the schema is
    /// migrated (and so known to be ours) once per process.
    pub fn store(&self) -> Result<store::PostgresStore, StoreError> {
        let store = self.connection()?;
        if !self.shared.migrated.load(Ordering::Acquire) {
            store.migrate()?;
            self.shared.migrated.store(true, Ordering::Release);
            self.shared.identified.store(true, Ordering::Release);
        }
        Ok(store)
    }

    /// A store to read from; `None` while the database has no Jalon schema
    /// (nothing was ever recorded). Whose schema it is is checked once per
    /// process, not at every page.
    pub fn reader(&self) -> Result<Option<store::PostgresStore>, StoreError> {
        let store = self.connection()?;
        if self.shared.identified.load(Ordering::Acquire) {
            return Ok(Some(store));
        }
        if store.schema_version()?.is_none() {
            store.check_identity()?;
            return Ok(None);
        }
        store.check_identity()?;
        self.shared.identified.store(true, Ordering::Release);
        Ok(Some(store))
    }

    fn connection(&self) -> Result<store::PostgresStore, StoreError> {
        let conn = self
            .shared
            .pool
            .get()
            .map_err(|e| StoreError::Unreachable {
                database: self.shared.described.clone(),
                detail: e.to_string(),
            })?;
        Ok(store::PostgresStore {
            database: self.shared.described.clone(),
            replica: self.shared.replica.clone(),
            conn: std::cell::RefCell::new(conn),
        })
    }

    /// Listens for the other replicas' commits; `ring` hears each, and
    /// the loss and return of the listening connection. Stops when the
    /// returned value is dropped.
    pub fn listen(&self, ring: Box<dyn Fn(Heard) + Send>) -> Result<Listening, StoreError> {
        listen::start(
            self.shared.manager.clone(),
            self.shared.described.clone(),
            self.shared.replica.clone(),
            ring,
        )
    }
}

pub use store::PostgresStore;

/// A connection and its prepared statements (kept with it in the pool, so a
/// statement is prepared once per connection, not per store).
pub(crate) struct Conn {
    pub(crate) client: Client,
    statements: HashMap<&'static str, Statement>,
}

#[derive(Clone)]
pub(crate) struct Manager {
    config: postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
}

/// Why a connection could not be made, with every cause (the pool keeps
/// only the text: "error performing TLS handshake" alone would not say
/// that the certificate's authority is unknown).
#[derive(Debug)]
pub(crate) struct ConnectFailed(String);

impl std::fmt::Display for ConnectFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConnectFailed {}

impl From<postgres::Error> for ConnectFailed {
    fn from(e: postgres::Error) -> Self {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        ConnectFailed(text)
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = ConnectFailed;

    fn connect(&self) -> Result<Conn, ConnectFailed> {
        Ok(Conn {
            client: self.config.connect(self.tls.clone())?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), ConnectFailed> {
        Ok(conn.client.simple_query("").map(|_| ())?)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}

/// TLS with rustls, trusting the system's roots and, when given, the
/// certificate authority of `sslrootcert` (a managed offering's own CA).
fn tls(root_certificate: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(certificate);
    }
    if let Some(path) = root_certificate {
        let pem = std::fs::read(path).map_err(|e| format!("sslrootcert `{path}`: {e}"))?;
        let mut added = 0;
        for certificate in rustls_pki_types_pem(&pem) {
            roots
                .add(certificate)
                .map_err(|e| format!("sslrootcert `{path}`: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("sslrootcert `{path}` holds no PEM certificate"));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The certificates of a PEM file.
fn rustls_pki_types_pem(pem: &[u8]) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .collect()
}

/// The URL without a parameter tokio-postgres does not know, and its value.
fn take_parameter(url: &str, name: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut value = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.split_once('=') {
            Some((key, v)) if key == name => {
                value = Some(percent_decoded(v));
                false
            }
            _ => true,
        })
        .collect();
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, value)
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL as an operator may read it in a log: the password replaced.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            let hidden = if user_info.contains(':') { ":***" } else { "" };
            // A password given as a parameter is hidden too.
            let path = hide_query_password(path);
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => format!("{scheme}://{authority}{}", hide_query_password(path)),
    }
}

fn hide_query_password(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("password", _)) => "password=***".to_owned(),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

/// PostgreSQL's errors in the words of the operator who gave the URL.
pub(crate) fn error(database: &str, e: &postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let mut detail = format!("{} ({code})", db.message());
        if let Some(more) = db.detail() {
            detail.push_str(&format!(": {more}"));
        }
        // A connection lost, or a server shutting down, starting up or
        // recovering: the database is away for now, not refusing.
        let away = code.starts_with("08") || code.starts_with("57P");
        let database = database.to_owned();
        return if away {
            StoreError::Unreachable { database, detail }
        } else {
            StoreError::Postgres { database, detail }
        };
    }
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        detail.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    if e.is_closed() || std::error::Error::source(e).is_some() {
        StoreError::Unreachable {
            database: database.to_owned(),
            detail,
        }
    } else {
        StoreError::Postgres {
            database: database.to_owned(),
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            without_password("postgres://jalon:s3cret@db.example:5432/jalon?sslmode=require"),
            "postgres://jalon:***@db.example:5432/jalon?sslmode=require"
        );
        assert_eq!(
            without_password("postgresql://db/jalon?user=j&password=x"),
            "postgresql://db/jalon?user=j&password=***"
        );
        assert_eq!(
            without_password("postgres://jalon@127.0.0.1:1/j"),
            "postgres://jalon@127.0.0.1:1/j"
        );
    }

    #[test]
    fn the_root_certificate_is_taken_out_of_the_url() {
        let (rest, root) = take_parameter(
            "postgres://h/db?sslmode=require&sslrootcert=%2Fetc%2Fca.pem",
            "sslrootcert",
        );
        assert_eq!(rest, "postgres://h/db?sslmode=require");
        assert_eq!(root.as_deref(), Some("/etc/ca.pem"));
    }

    #[test]
    fn a_url_without_a_database_is_refused() {
        let refused = PostgresBackend::new("postgres://127.0.0.1:1", "t").map(|_| ());
        assert!(
            matches!(&refused, Err(StoreError::BadUrl { detail, .. }) if detail.contains("no database")),
            "{refused:?}"
        );
        assert!(PostgresBackend::new("postgres://127.0.0.1:1/jalon", "t").is_ok());
    }
}
