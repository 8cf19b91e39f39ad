//! Sign-in to the workspace by emailed link, the part every shell shares:
//! the daemon emails the link, `jalon login-link` prints it for the
//! operator. A token is 32 random bytes (URL-safe base64); only its
//! SHA-256 is stored, as for validation links.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jalon_store::{SignInLink, Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use ring::rand::{SecureRandom, SystemRandom};

use crate::links::token_hash;

/// How long an emailed sign-in link works.
pub const LINK_LIFE: SignedDuration = SignedDuration::from_mins(15);

/// How long a session lasts, from sign-in: a working day, then sign in again.
pub const SESSION_LIFE: SignedDuration = SignedDuration::from_hours(12);

/// The length of a secret token in characters (32 bytes in base64).
pub const SECRET_LEN: usize = 43;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the system's random generator failed")]
    Random,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new secret token: a sign-in link's or a session's.
pub fn secret() -> Result<String, SignInError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SignInError::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A token as [`secret`] writes them; anything else is not looked up.
pub fn well_formed(token: &str) -> bool {
    token.len() == SECRET_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Keeps a new sign-in link for `email` (as given: the caller normalises)
/// and returns its token.
pub fn issue<S: Store>(store: &mut S, email: &str, now: Timestamp) -> Result<String, SignInError> {
    let token = secret()?;
    store.issue_sign_in(&SignInLink {
        token_hash: token_hash(&token),
        email: email.to_owned(),
        issued_at: now,
        expires_at: now.saturating_add(LINK_LIFE).unwrap_or(Timestamp::MAX),
    })?;
    Ok(token)
}

/// The address of the sign-in page of `token` under `public_url`.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/connexion/{token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_well_formed_and_differ() {
        let (a, b) = (secret().expect("random"), secret().expect("random"));
        assert!(well_formed(&a) && well_formed(&b), "{a} {b}");
        assert_ne!(a, b);
        assert!(!well_formed(&a[1..]));
        assert!(!well_formed(&format!("{}/", &a[1..])));
        assert_eq!(
            url("https://jalon.example.org/", &a),
            format!("https://jalon.example.org/connexion/{a}")
        );
    }
}
