//! The session cookie and the forms' CSRF tokens.
//!
//! A session is a random token in an `HttpOnly`, `SameSite=Lax` cookie
//! (`Secure`, and named `__Host-…`, when the public address is https); the
//! store keeps its hash. A form's CSRF token is derived from the session's
//! token, so it needs no storage and dies with the session. Forms shown
//! before sign-in (asking for a link, using it) carry the token of a
//! separate short cookie instead (double submit). Every POST also has its
//! `Origin` (or `Sec-Fetch-Site`) checked when the browser sends one.

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::digest;

use jalon_runtime::sign_in::{well_formed, SESSION_LIFE};

/// The cookies' names, by whether they may only travel over https.
fn names(secure: bool) -> (&'static str, &'static str) {
    if secure {
        ("__Host-jalon_session", "__Host-jalon_form")
    } else {
        ("jalon_session", "jalon_form")
    }
}

/// The value of cookie `name` in a request, if well formed.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| well_formed(value))
}

/// The session token a request carries.
pub fn session_token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, names(secure).0)
}

/// The pre-sign-in form token a request carries.
pub fn form_token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, names(secure).1)
}

fn attributes(secure: bool, max_age: i64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// `Set-Cookie` starting a session.
pub fn start_session(token: &str, secure: bool) -> Option<HeaderValue> {
    let life = SESSION_LIFE.as_secs();
    HeaderValue::from_str(&format!(
        "{}={token}{}",
        names(secure).0,
        attributes(secure, life)
    ))
    .ok()
}

/// `Set-Cookie` forgetting the session.
pub fn end_session(secure: bool) -> HeaderValue {
    HeaderValue::from_str(&format!("{}={}", names(secure).0, attributes(secure, 0)))
        .unwrap_or(HeaderValue::from_static("jalon_session=; Max-Age=0"))
}

/// `Set-Cookie` for the pre-sign-in forms (an hour).
pub fn set_form_token(token: &str, secure: bool) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{}={token}{}",
        names(secure).1,
        attributes(secure, 3600)
    ))
    .ok()
}

/// The CSRF token of the forms of the session whose token is `session`.
pub fn csrf_of(session: &str) -> String {
    let mut input = b"jalon csrf\0".to_vec();
    input.extend_from_slice(session.as_bytes());
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &input))
}

/// Whether `sent` is `expected`, compared through their digests (no early
/// exit on the secret's bytes).
pub fn same_secret(sent: &str, expected: &str) -> bool {
    let d = |s: &str| digest::digest(&digest::SHA256, s.as_bytes());
    d(sent).as_ref() == d(expected).as_ref()
}

/// A POST from another site, as the browser tells: refused before anything
/// else. Browsers that say nothing (old ones, scripts) still need the token.
pub fn cross_site(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let own = origin_of(public_url);
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            // The public address, or the address the browser used (a
            // test, or a daemon reached directly on its port).
            origin != own && origin_host(origin) != Some(host)
        }
    }
}

/// `scheme://host[:port]` of an address.
fn origin_of(url: &str) -> &str {
    let url = url.trim();
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].find('/') {
        Some(end) => &url[..start + end],
        None => url,
    }
}

fn origin_host(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, host)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).expect("value"));
        }
        map
    }

    #[test]
    fn the_session_cookie_is_read_by_its_name_and_only_when_well_formed() {
        let token = "a".repeat(43);
        let h = headers(&[("cookie", &format!("x=1; jalon_session={token}; y=2"))]);
        assert_eq!(session_token(&h, false), Some(token.as_str()));
        assert_eq!(
            session_token(&h, true),
            None,
            "https wants the __Host- cookie"
        );
        let h = headers(&[("cookie", "jalon_session=short")]);
        assert_eq!(session_token(&h, false), None);
        let set = start_session(&token, true).expect("header");
        let set = set.to_str().expect("text");
        assert!(set.starts_with("__Host-jalon_session="), "{set}");
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(set.contains(part), "{set} lacks {part}");
        }
        assert!(!start_session(&token, false)
            .expect("header")
            .to_str()
            .expect("text")
            .contains("Secure"));
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let (a, b) = ("a".repeat(43), "b".repeat(43));
        assert!(same_secret(&csrf_of(&a), &csrf_of(&a)));
        assert!(!same_secret(&csrf_of(&a), &csrf_of(&b)));
        assert!(!same_secret(&a, &csrf_of(&a)));
    }

    proptest::proptest! {
        /// Any cookie and origin headers a stranger sends: no panic, and a
        /// session token only when it is well formed.
        #[test]
        fn any_headers_are_read_without_panic(
            cookie in "\\PC{0,200}",
            origin in "\\PC{0,80}",
            site in "\\PC{0,20}",
        ) {
            let mut map = HeaderMap::new();
            for (name, value) in [("cookie", &cookie), ("origin", &origin), ("sec-fetch-site", &site)] {
                if let Ok(value) = HeaderValue::from_str(value) {
                    map.append(name, value);
                }
            }
            for secure in [false, true] {
                if let Some(token) = session_token(&map, secure) {
                    proptest::prop_assert!(well_formed(token));
                }
                let _ = form_token(&map, secure);
            }
            let _ = cross_site(&map, "https://jalon.example.org");
            let _ = cross_site(&map, &origin);
        }
    }

    #[test]
    fn posts_from_other_sites_are_told_apart() {
        let url = "https://jalon.example.org/base";
        assert!(!cross_site(&headers(&[]), url));
        assert!(!cross_site(
            &headers(&[("origin", "https://jalon.example.org")]),
            url
        ));
        assert!(cross_site(
            &headers(&[("origin", "https://evil.example")]),
            url
        ));
        assert!(!cross_site(
            &headers(&[
                ("origin", "http://127.0.0.1:9000"),
                ("host", "127.0.0.1:9000")
            ]),
            url
        ));
        assert!(cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            url
        ));
        assert!(!cross_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            url
        ));
    }
}
