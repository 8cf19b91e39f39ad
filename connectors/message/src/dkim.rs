//! DKIM signatures (RFC 6376: `rsa-sha256`, `relaxed/relaxed`) over the
//! exact bytes that are sent, in the domain of each message's sender (so
//! that the signature aligns with `From`, as DMARC asks).
//!
//! Written here rather than taken from lettre: lettre 0.11's signer hashes
//! its own header structures, and its signatures over our messages did not
//! verify with dkimpy. Signing the finished bytes leaves no room for such a
//! gap, and the canonicalization is short.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::{Digest, Sha256};

/// What a DKIM key or selector could not be.
#[derive(Debug, thiserror::Error)]
pub enum DkimError {
    #[error(
        "it is not an RSA private key in PEM (`BEGIN RSA PRIVATE KEY` or `BEGIN PRIVATE KEY`, \
         as `openssl genrsa 2048` writes): {0}"
    )]
    Key(String),
    #[error("the key has {0} bits: use 1024 to 4096 (2048 is usual)")]
    Size(usize),
    #[error(
        "the selector `{0}` is not a DNS name (letters, digits and `-`, dots between labels, \
         as `jalon2026` in `jalon2026._domainkey.example.org`)"
    )]
    Selector(String),
}

/// The headers signed when the message has them.
const SIGNED: [&str; 11] = [
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "reply-to",
    "in-reply-to",
    "references",
    "list-id",
    "mime-version",
    "content-type",
];

/// An operator's DKIM key and the selector its public half is published
/// under (a TXT record at `SELECTOR._domainkey.DOMAIN`).
pub struct Dkim {
    selector: String,
    key: RsaPrivateKey,
}

impl std::fmt::Debug for Dkim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dkim")
            .field("selector", &self.selector)
            .finish_non_exhaustive()
    }
}

impl Dkim {
    /// From an RSA private key in PEM (PKCS#1 or PKCS#8) and its selector.
    pub fn new(pem: &str, selector: &str) -> Result<Dkim, DkimError> {
        let label = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if selector.len() > 200 || !selector.split('.').all(label) {
            return Err(DkimError::Selector(selector.to_owned()));
        }
        let key = RsaPrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem))
            .map_err(|e| DkimError::Key(e.to_string()))?;
        let bits = key.size() * 8;
        if !(1024..=4096).contains(&bits) {
            return Err(DkimError::Size(bits));
        }
        Ok(Dkim {
            selector: selector.to_owned(),
            key,
        })
    }

    /// `message` (RFC 5322, CRLF line ends) with a `DKIM-Signature` header
    /// before its others, signed in `domain` at `now` (Unix seconds).
    /// Unchanged if the key cannot sign it (never for a key `new` took).
    pub fn sign(&self, message: &[u8], domain: &str, now: i64) -> Vec<u8> {
        let (head, body) = split(message);
        let fields = fields(head);
        let names: Vec<&str> = SIGNED
            .iter()
            .copied()
            .filter(|name| fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
            .collect();
        let body_hash = STANDARD.encode(Sha256::digest(relaxed_body(body)));
        let unsigned = format!(
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain};\r\n\
             \ts={}; t={now};\r\n\
             \th={};\r\n\
             \tbh={body_hash};\r\n\
             \tb=",
            self.selector,
            names.join(":"),
        );
        let mut hashed = Sha256::new();
        for name in &names {
            if let Some((field_name, value)) = fields
                .iter()
                .rev()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                hashed.update(relaxed_header(field_name, value));
                hashed.update(b"\r\n");
            }
        }
        let (name, value) = unsigned.split_once(':').unwrap_or(("DKIM-Signature", ""));
        hashed.update(relaxed_header(name, value.as_bytes()));
        let Ok(signature) = self
            .key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &hashed.finalize())
        else {
            return message.to_vec();
        };
        let signature = STANDARD.encode(signature);
        let mut out = Vec::with_capacity(message.len() + unsigned.len() + signature.len() + 16);
        out.extend_from_slice(unsigned.as_bytes());
        // Folded: whitespace in `b=` is ignored by verifiers.
        for (n, chunk) in signature.as_bytes().chunks(64).enumerate() {
            if n > 0 {
                out.extend_from_slice(b"\r\n\t ");
            }
            out.extend_from_slice(chunk);
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(message);
        out
    }
}

/// The header block (with its last CRLF) and the body.
fn split(message: &[u8]) -> (&[u8], &[u8]) {
    match message.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) => (&message[..at + 2], &message[at + 4..]),
        None => (message, &[]),
    }
}

/// Each header field's name and raw value (folded lines kept).
fn fields(head: &[u8]) -> Vec<(String, &[u8])> {
    let mut out: Vec<(String, &[u8])> = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at + 1 < head.len() {
        let line_end = head[at] == b'\r' && head[at + 1] == b'\n';
        let continued = head.get(at + 2).is_some_and(|c| *c == b' ' || *c == b'\t');
        if line_end && !continued {
            let field = &head[start..at];
            if let Some(colon) = field.iter().position(|c| *c == b':') {
                let name = String::from_utf8_lossy(&field[..colon]).trim().to_owned();
                out.push((name, &field[colon + 1..]));
            }
            start = at + 2;
            at += 2;
        } else {
            at += 1;
        }
    }
    out
}

/// RFC 6376 3.4.2: the name in lower case, the value unfolded, each run of
/// whitespace one space, none at either end.
fn relaxed_header(name: &str, value: &[u8]) -> Vec<u8> {
    let mut out = name.trim().to_ascii_lowercase().into_bytes();
    out.push(b':');
    let mut space = false;
    for &c in value {
        match c {
            b'\r' | b'\n' => {}
            b' ' | b'\t' => space = true,
            c => {
                if space && out.last() != Some(&b':') {
                    out.push(b' ');
                }
                space = false;
                out.push(c);
            }
        }
    }
    out
}

/// RFC 6376 3.4.4: each line's runs of whitespace one space, none at its
/// end, no empty lines at the end, and a final CRLF unless empty.
fn relaxed_body(body: &[u8]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let text = body.strip_suffix(b"\r\n").unwrap_or(body);
    for line in text.split(|c| *c == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut out = Vec::with_capacity(line.len());
        let mut space = false;
        for &c in line {
            if c == b' ' || c == b'\t' {
                space = true;
            } else {
                if space {
                    out.push(b' ');
                }
                space = false;
                out.push(c);
            }
        }
        lines.push(out);
    }
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    let mut out = Vec::with_capacity(body.len());
    for line in lines {
        out.extend_from_slice(&line);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relaxed_canonicalization_as_rfc_6376_shows_it() {
        // RFC 6376, 3.4.5's example.
        assert_eq!(relaxed_header("A", b" X\r\n"), b"a:X");
        assert_eq!(relaxed_header("B ", b" Y\t\r\n\tZ  \r\n"), b"b:Y Z");
        assert_eq!(relaxed_body(b" C \r\nD \t E\r\n\r\n\r\n"), b" C\r\nD E\r\n");
        assert_eq!(relaxed_body(b""), b"");
    }

    #[test]
    fn fields_keep_their_folded_values() {
        let head = b"From: a@b.c\r\nSubject: one\r\n two\r\nTo: d@e.f\r\n";
        let found = fields(head);
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["From", "Subject", "To"]);
        assert_eq!(found[1].1, b" one\r\n two");
    }

    #[test]
    fn a_bad_selector_or_key_is_refused() {
        assert!(matches!(
            Dkim::new("x", "bad selector"),
            Err(DkimError::Selector(_))
        ));
        assert!(matches!(Dkim::new("x", "s1"), Err(DkimError::Key(_))));
    }
}
