//! Where messages go and how fast: an `.eml` folder (the default) or an
//! SMTP relay, checked once from the operator's settings.

use std::path::PathBuf;
use std::sync::Arc;

use jalon_delivery::{Connector, FolderConnector, SmtpConfig, SmtpSession};

/// The operator's delivery settings, as given (flags, variables, file).
#[derive(Clone)]
pub struct DeliveryOptions {
    /// SMTP relay URL; without it, an `.eml` folder.
    pub smtp: Option<String>,
    pub folder: PathBuf,
    pub connections: usize,
    pub rate: Option<f64>,
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
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Url(#[from] jalon_delivery::UrlError),
    #[error("--rate must be a positive number of messages per second")]
    Rate,
}

/// The most SMTP connections used at once, whatever is asked.
const MOST_CONNECTIONS: usize = 64;

impl DeliverySettings {
    pub fn new(options: &DeliveryOptions) -> Result<DeliverySettings, SettingsError> {
        let via = match &options.smtp {
            Some(url) => Via::Smtp(Arc::new(SmtpConfig::from_url(url)?)),
            None => Via::Folder(options.folder.clone()),
        };
        if options.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
            return Err(SettingsError::Rate);
        }
        let connections = match via {
            Via::Folder(_) => 1,
            Via::Smtp(_) => options.connections.clamp(1, MOST_CONNECTIONS),
        };
        Ok(DeliverySettings {
            via,
            connections,
            rate: options.rate,
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
