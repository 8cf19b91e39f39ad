//! Where messages go and how fast: an `.eml` folder (the default) or an
//! SMTP relay, checked once from the operator's settings.

use std::path::PathBuf;
use std::sync::Arc;

use jalon_delivery::{Connector, FolderConnector, SmtpConfig, SmtpSession};
use jalon_message::Dkim;

/// The operator's delivery settings, as given (flags, variables, file).
#[derive(Clone)]
pub struct DeliveryOptions {
    /// SMTP relay URL; without it, an `.eml` folder.
    pub smtp: Option<String>,
    pub folder: PathBuf,
    pub connections: usize,
    pub rate: Option<f64>,
    /// Sign with this DKIM key, published under this selector.
    pub dkim: Option<DkimOptions>,
}

/// A DKIM key file (RSA, PEM) and the selector its public half is
/// published under (`SELECTOR._domainkey.DOMAIN`, a TXT record).
#[derive(Clone)]
pub struct DkimOptions {
    pub key_file: PathBuf,
    pub selector: String,
}

impl DkimOptions {
    /// The key read and checked.
    pub fn read(&self) -> Result<Dkim, SettingsError> {
        let pem = std::fs::read_to_string(&self.key_file).map_err(|e| SettingsError::DkimFile {
            path: self.key_file.clone(),
            reason: e.to_string(),
        })?;
        Dkim::new(&pem, &self.selector).map_err(|error| SettingsError::Dkim {
            path: self.key_file.clone(),
            error,
        })
    }
}

/// Where messages go.
#[derive(Clone)]
pub enum Via {
    Folder(PathBuf),
    Smtp(Arc<SmtpConfig>),
}

/// Delivery settings, checked.
#[derive(Clone)]
pub struct DeliverySettings {
    pub via: Via,
    /// SMTP connections used at once (one for a folder).
    pub connections: usize,
    /// At most this many messages per second, if set.
    pub rate: Option<f64>,
    /// What every message is signed with, if set.
    pub dkim: Option<Arc<Dkim>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Url(#[from] jalon_delivery::UrlError),
    #[error(
        "--rate {0}: give from {SLOWEST_RATE_TEXT} to {FASTEST_RATE} messages per second \
         (0.5 is one every two seconds), or leave it unset for no limit"
    )]
    Rate(f64),
    #[error(
        "--connections {0}: use 1 to {MOST_CONNECTIONS} SMTP connections (4 suits most relays)"
    )]
    Connections(usize),
    #[error("the DKIM key `{path}` cannot be read: {reason}")]
    DkimFile { path: PathBuf, reason: String },
    #[error("the DKIM key `{path}`: {error}")]
    Dkim {
        path: PathBuf,
        error: jalon_message::DkimError,
    },
}

/// The most SMTP connections used at once.
pub const MOST_CONNECTIONS: usize = 64;

/// The slowest rate (one message an hour: slower would hold a pass for
/// days) and the fastest worth stating.
pub const SLOWEST_RATE: f64 = 1.0 / 3600.0;
const SLOWEST_RATE_TEXT: &str = "1/3600 (one an hour)";
pub const FASTEST_RATE: f64 = 10_000.0;

impl DeliverySettings {
    pub fn new(options: &DeliveryOptions) -> Result<DeliverySettings, SettingsError> {
        let via = match &options.smtp {
            Some(url) => Via::Smtp(Arc::new(SmtpConfig::from_url(url)?)),
            None => Via::Folder(options.folder.clone()),
        };
        if let Some(rate) = options.rate {
            if !(SLOWEST_RATE..=FASTEST_RATE).contains(&rate) {
                return Err(SettingsError::Rate(rate));
            }
        }
        if !(1..=MOST_CONNECTIONS).contains(&options.connections) {
            return Err(SettingsError::Connections(options.connections));
        }
        let connections = match via {
            Via::Folder(_) => 1,
            Via::Smtp(_) => options.connections,
        };
        let dkim = match &options.dkim {
            None => None,
            Some(dkim) => Some(Arc::new(dkim.read()?)),
        };
        Ok(DeliverySettings {
            via,
            connections,
            rate: options.rate,
            dkim,
        })
    }

    /// One connector (an SMTP one holds one connection).
    pub fn connector(&self) -> Connector {
        match &self.via {
            Via::Folder(dir) => Connector::Folder(Arc::new(FolderConnector::new(dir))),
            Via::Smtp(config) => Connector::Smtp(Box::new(SmtpSession::new(config.clone()))),
        }
    }

    pub fn is_smtp(&self) -> bool {
        matches!(self.via, Via::Smtp(_))
    }

    /// Where messages go, for the log: never the SMTP password.
    pub fn describe(&self) -> String {
        match &self.via {
            Via::Folder(dir) => format!("folder {}", dir.display()),
            Via::Smtp(config) => config.describe(),
        }
    }
}
