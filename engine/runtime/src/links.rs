//! Validation links: the secret key, the token of each validation request,
//! and the row that lets the daemon recognise a token it never stored.
//!
//! A token is derived from the key and the request's idempotency key, so a
//! retried (or, after a crash, repeated) send carries the same link; without
//! the key nobody can make one. Only its SHA-256 is stored.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jalon_core::{Action, Addressee, Detail, MessageKind};
use jalon_definition::resolved::Edition;
use jalon_store::{Link, OutboxEntry};
use jiff::{SignedDuration, Timestamp};
use ring::rand::SecureRandom;
use ring::{digest, hmac};

use crate::payload::Payload;

/// Bytes of the key.
pub const KEY_LEN: usize = 32;

/// Characters of a token: 16 bytes (128 bits) of the HMAC in base64url.
pub const TOKEN_LEN: usize = 22;

/// How long a link stays valid after it is first sent at most (sooner when
/// its message's window closes sooner: the edition ends).
pub const LIFETIME: SignedDuration = SignedDuration::from_hours(60 * 24);

/// What a validation link lets its person answer.
pub const ANSWERS: [&str; 2] = ["approve", "refuse"];

/// What a hand-in link lets a participant's contact do: hand in the
/// stage's deliverables, as long as the stage awaits them.
pub const HAND_IN: &str = "hand_in";
/// The answer of an application's private link: its applicant changes it.
pub const APPLICATION: &str = "application";

/// Keeps the derivation of one use: a key made for links signs nothing else.
const CONTEXT: &[u8] = b"jalon-link\0";

/// The secret the tokens are derived from. Its bytes are never printed.
pub struct Key(hmac::Key);

impl Key {
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> Key {
        Key(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// The token of a validation request, from its idempotency key.
    pub fn token(&self, action_key: &str) -> String {
        let mut context = hmac::Context::with_key(&self.0);
        context.update(CONTEXT);
        context.update(action_key.as_bytes());
        let tag = context.sign();
        URL_SAFE_NO_PAD.encode(&tag.as_ref()[..16])
    }
}

/// Why the key cannot be used. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the link key `{path}`: {source} (give another with --secret-file)")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the link key `{path}` holds {len} bytes, not {KEY_LEN}: it is not a key Jalon made \
         (move it away to have a new one made; links already sent then stop working)"
    )]
    WrongLength { path: PathBuf, len: usize },
    #[error(
        "the link key `{path}` can be read by other users (mode {mode:03o}), and whoever reads it \
         can forge validation links: run `chmod 600 {path}` (and make a new key if others did read it)"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("cannot create the link key `{path}`: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the system gave no random bytes for the link key")]
    Random,
}

/// Reads the key, or makes one if the file does not exist.
pub fn load_or_create(path: &Path) -> Result<Key, KeyError> {
    match File::open(path) {
        Ok(file) => read_key(path, file),
        Err(e) if e.kind() == ErrorKind::NotFound => create(path),
        Err(source) => Err(KeyError::Unreadable {
            path: path.to_owned(),
            source,
        }),
    }
}

fn read_key(path: &Path, mut file: File) -> Result<Key, KeyError> {
    let unreadable = |source| KeyError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let mode = file.metadata().map_err(unreadable)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    // One byte more than a key: enough to tell a longer file.
    let mut bytes = Vec::with_capacity(KEY_LEN + 1);
    Read::by_ref(&mut file)
        .take(KEY_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    let key: [u8; KEY_LEN] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::WrongLength {
            path: path.to_owned(),
            len: bytes.len(),
        })?;
    Ok(Key::from_bytes(&key))
}

/// A new key, written whole to a private file beside `path` and then linked
/// into place: the key file never exists half written or readable by
/// others, and of two processes starting at once, both end with the one key
/// that won.
fn create(path: &Path) -> Result<Key, KeyError> {
    let failed = |source| KeyError::Create {
        path: path.to_owned(),
        source,
    };
    let mut bytes = [0u8; KEY_LEN];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| KeyError::Random)?;
    let name = path.file_name().map_or_else(
        || "jalon.secret".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let temporary = path.with_file_name(format!(".{name}.{}.new", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(&bytes)?;
            file.sync_all()
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(e));
    }
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(Key::from_bytes(&bytes)),
        // Another process made one first: use it (once: a dangling symlink
        // also exists but cannot be opened, and must not loop).
        Err(e) if e.kind() == ErrorKind::AlreadyExists => match File::open(path) {
            Ok(file) => read_key(path, file),
            Err(source) => Err(KeyError::Unreadable {
                path: path.to_owned(),
                source,
            }),
        },
        Err(e) => Err(failed(e)),
    }
}

/// The hex SHA-256 of a token: what the store keeps and looks up.
pub fn token_hash(token: &str) -> String {
    digest::digest(&digest::SHA256, token.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A token as this module writes them; anything else is not looked up.
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether links under `public_url` only open on this machine (loopback).
pub fn local(public_url: &str) -> bool {
    let rest = public_url
        .trim()
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost") || host.starts_with("127.") || rest.starts_with("[::1]")
}

/// Where links point and what they are signed with.
pub struct Links {
    base: String,
    key: Key,
}

/// Why links cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(
        "--public-url `{0}` is not an http:// or https:// address (it is the start of the links in emails, e.g. https://jalon.example.org)"
    )]
    Url(String),
}

impl Links {
    pub fn new(public_url: &str, key: Key) -> Result<Links, SetupError> {
        let base = public_url.trim().trim_end_matches('/');
        let scheme_ok = ["http://", "https://"].iter().any(|s| {
            base.len() > s.len()
                && base
                    .get(..s.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(s))
        });
        if !scheme_ok || base.contains(['?', '#', ' ']) {
            return Err(SetupError::Url(public_url.to_owned()));
        }
        Ok(Links {
            base: base.to_owned(),
            key,
        })
    }

    /// The key from `secret_file` (made if absent) and the base URL.
    pub fn open(public_url: &str, secret_file: &Path) -> Result<Links, SetupError> {
        let key = load_or_create(secret_file)?;
        Links::new(public_url, key)
    }

    pub fn token(&self, action_key: &str) -> String {
        self.key.token(action_key)
    }

    /// `{public_url}/v/{token}?answer=…`: the answer only preselects a
    /// button on the page.
    pub fn url(&self, action_key: &str, answer: &str) -> String {
        format!("{}/v/{}?answer={answer}", self.base, self.token(action_key))
    }

    /// `{public_url}{path}`: a page of the workspace.
    pub fn page(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `{public_url}/a/{token}`: an applicant's own application.
    pub fn application_url(&self, action_key: &str) -> String {
        format!("{}/a/{}", self.base, self.token(action_key))
    }

    /// `{public_url}/r/{token}`: the hand-in page of a message's stage.
    pub fn hand_in_url(&self, action_key: &str) -> String {
        format!("{}/r/{}", self.base, self.token(action_key))
    }
}

/// Whether an action's message carries a hand-in link: one to a
/// participant's contact, about a stage of theirs that asks for
/// deliverables, when the work is still to give (its opening, a reminder,
/// a request for changes).
pub fn carries_hand_in(edition: &Edition, action: &Action) -> bool {
    matches!(
        action.kind,
        MessageKind::StageOpened | MessageKind::Reminder | MessageKind::ValidationRefused
    ) && action.key_parts().is_some_and(|parts| {
        matches!(parts.addressee, Addressee::Contact(_))
            && parts.participant.is_some()
            && edition
                .stages
                .iter()
                .find(|s| s.id == parts.stage)
                .is_some_and(|s| !s.deliverables.is_empty())
    })
}

/// Whether an action's message carries an application's private link: the
/// confirmation to its applicant.
pub fn carries_application(action: &Action) -> bool {
    action.kind == MessageKind::ApplicationReceived
        && action
            .key_parts()
            .is_some_and(|parts| matches!(parts.addressee, Addressee::Contact(_)))
}

/// Whether an action's message carries links: a validation request to a
/// person (a participant's contact validates nothing).
pub fn carries_links(action: &Action) -> bool {
    matches!(action.detail, Detail::ValidationRequest { .. })
        && action
            .key_parts()
            .is_some_and(|parts| parts.addressee.person().is_some())
}

/// The links of the validation requests among messages about to be sent,
/// to be kept before they go: a send that fails or is cut short leaves a
/// link nobody has, and its retry carries the same token.
pub fn issued(
    links: &Links,
    edition: &Edition,
    ready: &[OutboxEntry],
    now: Timestamp,
) -> Vec<Link> {
    ready
        .iter()
        .filter_map(|entry| match Payload::read(entry) {
            Ok(Payload::Action(action)) if carries_hand_in(edition, &action) => {
                hand_in_link(links, &action, &entry.edition, now, HAND_IN)
            }
            Ok(Payload::Action(action)) if carries_application(&action) => {
                hand_in_link(links, &action, &entry.edition, now, APPLICATION)
            }
            Ok(Payload::Action(action)) if Payload::is_validation_request(entry) => {
                issued_link(links, &action, &entry.edition, now)
            }
            _ => None,
        })
        .collect()
}

/// How long a link lasts: [`LIFETIME`], or less when its message expires.
fn expiry(action: &Action, now: Timestamp) -> Timestamp {
    let longest = now.checked_add(LIFETIME).unwrap_or(Timestamp::MAX);
    action.expires_at.map_or(longest, |t| t.min(longest))
}

/// A link that lets a participant's contact act for them (`answer`: hand
/// in, or change their application).
fn hand_in_link(
    links: &Links,
    action: &Action,
    edition: &str,
    now: Timestamp,
    answer: &str,
) -> Option<Link> {
    let parts = action.key_parts()?;
    let Addressee::Contact(participant) = parts.addressee else {
        return None;
    };
    Some(Link {
        token_hash: token_hash(&links.token(&action.key)),
        edition: edition.to_owned(),
        action_key: action.key.to_string(),
        // The participant's contact: the hand-in is recorded as by them.
        person: format!("contact:{participant}"),
        stage: parts.stage.to_owned(),
        participant: Some(participant.to_owned()),
        round: 0,
        answers: vec![answer.to_owned()],
        issued_at: now,
        // A reminder expires at the due date, but work handed in late is
        // still welcome: the link lasts its full life. (An application's
        // page stays readable after the call closes; it no longer changes.)
        expires_at: now.checked_add(LIFETIME).unwrap_or(Timestamp::MAX),
    })
}

fn issued_link(links: &Links, action: &Action, edition: &str, now: Timestamp) -> Option<Link> {
    let Detail::ValidationRequest { round } = action.detail else {
        return None;
    };
    // Ids from the key, as the dispatcher finds them: they outlive a change
    // of definition.
    let parts = action.key_parts()?;
    let person = parts.addressee.person()?;
    Some(Link {
        token_hash: token_hash(&links.token(&action.key)),
        edition: edition.to_owned(),
        action_key: action.key.to_string(),
        person: person.to_owned(),
        stage: parts.stage.to_owned(),
        participant: parts.participant.map(str::to_owned),
        round,
        answers: ANSWERS.iter().map(|a| (*a).to_owned()).collect(),
        issued_at: now,
        expires_at: expiry(action, now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_are_local() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "https://LOCALHOST:8443/x",
            "http://[::1]:8080",
        ] {
            assert!(local(url), "{url}");
        }
        for url in ["https://jalon.example.org", "http://10.0.0.5:8080"] {
            assert!(!local(url), "{url}");
        }
    }

    fn key(byte: u8) -> Key {
        Key::from_bytes(&[byte; KEY_LEN])
    }

    #[test]
    fn a_token_depends_on_the_key_and_the_request_and_on_nothing_else() {
        let request = "2024-2025/feuille-de-route/atchoum/validation/1/person:florence";
        let token = key(1).token(request);
        assert_eq!(token.len(), TOKEN_LEN);
        assert!(well_formed(&token), "{token}");
        // Deterministic: a retried send carries the same link.
        assert_eq!(token, key(1).token(request));
        assert_ne!(token, key(2).token(request));
        assert_ne!(token, key(1).token(&request.replace("/1/", "/2/")));
        // HMAC-SHA256 of the context and the key, cut to 16 bytes.
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, &[1; KEY_LEN]),
            format!("jalon-link\0{request}").as_bytes(),
        );
        assert_eq!(token, URL_SAFE_NO_PAD.encode(&tag.as_ref()[..16]));
    }

    #[test]
    fn only_the_hash_of_a_token_is_kept_and_malformed_ones_are_not_looked_up() {
        let hash = token_hash("abc");
        assert_eq!(
            hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!well_formed("short"));
        assert!(!well_formed(&"a".repeat(TOKEN_LEN + 1)));
        assert!(!well_formed("aaaaaaaaaaaaaaaaaaaa.."));
        assert!(!well_formed("aaaaaaaaaaaaaaaaaaaa%2"));
    }

    #[test]
    fn links_start_with_the_public_url_and_preselect_the_answer() {
        let links = Links::new("https://jalon.example.org/", key(3)).expect("a good URL");
        let url = links.url("k", "refuse");
        let token = key(3).token("k");
        assert_eq!(
            url,
            format!("https://jalon.example.org/v/{token}?answer=refuse")
        );
        for bad in ["jalon.example.org", "ftp://x", "https://", "https://x/?a=b"] {
            assert!(Links::new(bad, key(3)).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_key_is_made_private_once_and_refused_when_others_can_read_it() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("jalon.secret");
        let made = load_or_create(&path).expect("made");
        let mode = std::fs::metadata(&path)
            .expect("there")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).expect("readable").len(), KEY_LEN);
        // Read back, not made again.
        let again = load_or_create(&path).expect("read");
        assert_eq!(made.token("k"), again.token("k"));
        // No temporary file left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).expect("listed").count(), 1);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let refused = load_or_create(&path).err().expect("refused").to_string();
        assert!(refused.contains("chmod 600"), "{refused}");
        assert!(refused.contains("jalon.secret"), "{refused}");

        std::fs::write(&path, b"short").expect("written");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let refused = load_or_create(&path).err().expect("refused").to_string();
        assert!(refused.contains("5 bytes, not 32"), "{refused}");
    }
}
