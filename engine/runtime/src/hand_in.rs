//! A hand-in of a stage's deliverables, from a form: the files inspected
//! (their kind sniffed, never taken from the name), the links checked, each
//! deliverable's count and kinds held to what the definition says, and the
//! limits this module states. Every problem is collected, so the person
//! fixes them all at once; nothing is kept unless all is right.

use std::sync::Arc;

use jalon_core::Piece;
use jalon_definition::resolved::{Accept, Deliverable, Edition, Language, Stage};
use jalon_store::NewDocument;

use crate::documents::{self, DocumentError, FileKind};

/// The most bytes of files one hand-in carries (a form's body is refused
/// beyond a little more): a few documents of the largest size.
pub const LARGEST_HAND_IN: usize = 3 * documents::LARGEST_FILE;

/// The most bytes of files an edition keeps, all hand-ins together: about
/// forty laureates handing in a few versions of several documents.
pub const LARGEST_EDITION: u64 = 2 * 1024 * 1024 * 1024;

/// The longest link taken, in characters.
pub const LONGEST_LINK: usize = 2_000;

/// One file as the form brought it.
pub struct Upload {
    /// The deliverable's id, from the form field it came in.
    pub deliverable: String,
    /// The name the browser gave (not trusted).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What is wrong with a hand-in; each names the deliverable or file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    File(DocumentError),
    #[error("`{name}` is {seen}, which `{deliverable}` does not accept")]
    NotAccepted {
        deliverable: String,
        name: String,
        seen: &'static str,
    },
    #[error("`{deliverable}` takes no links")]
    LinkNotAccepted { deliverable: String },
    #[error("`{url}` is not a web address (https://…)")]
    BadLink { deliverable: String, url: String },
    #[error("`{deliverable}` needs at least {min} piece(s), {given} given")]
    TooFew {
        deliverable: String,
        min: u32,
        given: usize,
    },
    #[error("`{deliverable}` takes at most {max} piece(s), {given} given")]
    TooMany {
        deliverable: String,
        max: u32,
        given: usize,
    },
    #[error("the files weigh {size} bytes together, more than {LARGEST_HAND_IN}")]
    HandInTooLarge { size: u64 },
    #[error(
        "the edition keeps {kept} bytes of files already: {size} more would pass {LARGEST_EDITION}"
    )]
    EditionFull { kept: u64, size: u64 },
    #[error("the stage asks for no deliverable `{deliverable}`")]
    UnknownDeliverable { deliverable: String },
    #[error("nothing was handed in")]
    Nothing,
}

/// The pieces of a hand-in (for the event) and the files to keep.
#[derive(Debug, Default)]
pub struct Prepared {
    pub pieces: Vec<Piece>,
    pub documents: Vec<NewDocument>,
}

impl Prepared {
    /// The bytes of the files to keep.
    pub fn size(&self) -> u64 {
        self.documents.iter().map(|d| d.content.len() as u64).sum()
    }
}

/// Checks a hand-in for `stage` against its deliverables: every problem,
/// or what to record and keep. `links` pairs a deliverable's id with an
/// address.
pub fn prepare(
    stage: &Stage,
    uploads: Vec<Upload>,
    links: Vec<(String, String)>,
) -> Result<Prepared, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut prepared = Prepared::default();
    let total: u64 = uploads.iter().map(|u| u.bytes.len() as u64).sum();
    if total > LARGEST_HAND_IN as u64 {
        return Err(vec![Problem::HandInTooLarge { size: total }]);
    }
    let deliverable = |id: &str| stage.deliverables.iter().find(|d| d.id == id);
    for upload in uploads {
        let Some(wanted) = deliverable(&upload.deliverable) else {
            problems.push(Problem::UnknownDeliverable {
                deliverable: upload.deliverable,
            });
            continue;
        };
        match documents::inspect(&upload.name, &upload.bytes) {
            Err(e) => problems.push(Problem::File(e)),
            Ok(file) if !wanted.accepts.contains(&accept_of(file.kind)) => {
                problems.push(Problem::NotAccepted {
                    deliverable: wanted.id.clone(),
                    name: file.name,
                    seen: kind_word(file.kind),
                })
            }
            Ok(file) => {
                if !prepared
                    .documents
                    .iter()
                    .any(|d: &NewDocument| d.sha256 == file.sha256)
                {
                    prepared.documents.push(NewDocument {
                        sha256: file.sha256.clone(),
                        media_type: file.media_type.to_owned(),
                        content: Arc::new(upload.bytes),
                    });
                }
                prepared.pieces.push(Piece::File {
                    deliverable: wanted.id.clone(),
                    name: file.name,
                    media_type: file.media_type.to_owned(),
                    sha256: file.sha256,
                    size: file.size,
                });
            }
        }
    }
    for (id, url) in links {
        let url = url.trim().to_owned();
        let Some(wanted) = deliverable(&id) else {
            problems.push(Problem::UnknownDeliverable { deliverable: id });
            continue;
        };
        if !wanted.accepts.contains(&Accept::Link) {
            problems.push(Problem::LinkNotAccepted { deliverable: id });
        } else if !web_address(&url) {
            problems.push(Problem::BadLink {
                deliverable: id,
                url: url.chars().take(80).collect(),
            });
        } else {
            prepared.pieces.push(Piece::Link {
                deliverable: id,
                url,
            });
        }
    }
    for wanted in &stage.deliverables {
        problems.extend(count_problem(wanted, &prepared.pieces));
    }
    if prepared.pieces.is_empty() && problems.is_empty() && !stage.deliverables.is_empty() {
        problems.push(Problem::Nothing);
    }
    if problems.is_empty() {
        Ok(prepared)
    } else {
        Err(problems)
    }
}

fn count_problem(wanted: &Deliverable, pieces: &[Piece]) -> Option<Problem> {
    let given = pieces
        .iter()
        .filter(|p| p.deliverable() == wanted.id)
        .count();
    if given < wanted.min as usize {
        Some(Problem::TooFew {
            deliverable: wanted.id.clone(),
            min: wanted.min,
            given,
        })
    } else if given > wanted.max as usize {
        Some(Problem::TooMany {
            deliverable: wanted.id.clone(),
            max: wanted.max,
            given,
        })
    } else {
        None
    }
}

/// An http(s) address with a host, nothing that would run or mislead.
pub fn web_address(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    url.chars().count() <= LONGEST_LINK
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && rest.is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or_default();
            !host.is_empty() && !host.contains('@')
        })
}

fn accept_of(kind: FileKind) -> Accept {
    match kind {
        FileKind::Pdf => Accept::Pdf,
        FileKind::Office => Accept::Office,
        FileKind::Image => Accept::Image,
    }
}

/// The kind of a file in one word, for messages (`pdf`, `office`, `image`).
pub fn kind_word(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Pdf => "pdf",
        FileKind::Office => "office",
        FileKind::Image => "image",
    }
}

/// Who handed in, as people know them: a person's name, a contact's name
/// (the workspace and links record a contact by their address), else as
/// recorded.
pub fn handed_in_by(edition: &Edition, by: &str) -> String {
    if let Some(person) = edition.people.iter().find(|p| p.id == by) {
        return person.name.clone();
    }
    edition
        .participants
        .iter()
        .find(|p| p.contact_email.as_deref() == Some(by))
        .and_then(|p| p.contact_name.clone())
        .unwrap_or_else(|| by.to_owned())
}

/// What a file is, in a word people know (`PDF`, `Word`…), from its
/// sniffed media type.
pub fn type_word(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "PDF",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/msword" => "Word",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.ms-excel" => "Excel",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        | "application/vnd.ms-powerpoint" => "PowerPoint",
        "application/vnd.oasis.opendocument.text" => "OpenDocument texte",
        "application/vnd.oasis.opendocument.spreadsheet" => "OpenDocument tableur",
        "application/vnd.oasis.opendocument.presentation" => "OpenDocument présentation",
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        "image/gif" => "GIF",
        "image/webp" => "WebP",
        _ => "document",
    }
}

/// A size as people read it: `230 Ko`, `1,2 Mo` in French (no-break
/// space before the unit, decimal comma), `230 KB`, `1.2 MB` in English.
pub fn size_words(language: Language, bytes: u64) -> String {
    let (kilo, mega) = match language {
        Language::Fr => ("Ko", "Mo"),
        Language::En => ("KB", "MB"),
    };
    let text = if bytes < 1024 * 1024 {
        format!("{}\u{a0}{kilo}", bytes.div_ceil(1024).max(1))
    } else {
        let tenths = (bytes * 10).div_ceil(1024 * 1024);
        match tenths % 10 {
            0 => format!("{}\u{a0}{mega}", tenths / 10),
            d => format!("{}.{d}\u{a0}{mega}", tenths / 10),
        }
    };
    match language {
        Language::Fr => text.replace('.', ","),
        Language::En => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_words(Language::Fr, 1), "1\u{a0}Ko");
        assert_eq!(size_words(Language::Fr, 230 * 1024), "230\u{a0}Ko");
        assert_eq!(size_words(Language::Fr, 1_258_291), "1,2\u{a0}Mo");
        assert_eq!(size_words(Language::En, 1_258_291), "1.2\u{a0}MB");
        assert_eq!(size_words(Language::Fr, 20 * 1024 * 1024), "20\u{a0}Mo");
    }

    #[test]
    fn only_web_addresses_with_a_host_are_links() {
        for good in ["https://cloud.example.org/s/abc", "http://x.fr"] {
            assert!(web_address(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "https://",
            "ftp://x",
            "https://a b",
            "https://user@evil.example",
            "data:text/html,x",
        ] {
            assert!(!web_address(bad), "{bad}");
        }
    }
}
