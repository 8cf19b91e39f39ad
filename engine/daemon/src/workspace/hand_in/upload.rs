//! The hand-in form's body (`multipart/form-data`), read part by part as it
//! arrives, under limits that hold whatever the sender claims: the number
//! of parts, each text field's length, each file's bytes and the whole.
//! A file over its limit stops the reading at once; what was read is
//! dropped.

use axum::extract::multipart::{Field, Multipart};
use jalon_runtime::documents::LARGEST_FILE;
use jalon_runtime::hand_in::{Upload, LARGEST_HAND_IN};

/// The most parts a form may have: a few deliverables, each with files
/// and a link, the comment and the hidden fields.
pub const MOST_PARTS: usize = 64;

/// The longest text field, in bytes (a comment of 5,000 characters of up
/// to 4 bytes).
const LONGEST_TEXT: usize = 20_000;

/// The largest body the hand-in routes take: the files and the form
/// around them. A longer body is refused at its head, or as it arrives.
pub const LARGEST_BODY: usize = LARGEST_HAND_IN + 1024 * 1024;

/// What the form brought.
#[derive(Default)]
pub struct Form {
    /// Text fields, in order (`link:…` ones included).
    pub fields: Vec<(String, String)>,
    pub uploads: Vec<Upload>,
}

impl Form {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The non-empty `link:{deliverable}` fields, as (deliverable, address).
    pub fn links(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("link:")?.to_owned(), v.clone())))
            .filter(|(_, v)| !v.trim().is_empty())
            .collect()
    }
}

/// Why the form could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// More than [`MOST_PARTS`] parts, or a text field too long.
    TooManyParts,
    /// A file over [`LARGEST_FILE`]: its name (as sent).
    FileTooLarge(String),
    /// The files together over [`LARGEST_HAND_IN`].
    TooLarge,
    /// Not a form a browser sends (broken, cut short, not multipart).
    Malformed,
}

/// Reads the whole form. Files go under `file:{deliverable}` fields; empty
/// file inputs (no file chosen) are skipped.
pub async fn read(mut multipart: Multipart) -> Result<Form, Unreadable> {
    let mut form = Form::default();
    let mut parts = 0;
    let mut total = 0usize;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| Unreadable::Malformed)?
    {
        parts += 1;
        if parts > MOST_PARTS {
            return Err(Unreadable::TooManyParts);
        }
        let name = field.name().unwrap_or_default().to_owned();
        match (name.strip_prefix("file:"), field.file_name()) {
            (Some(deliverable), Some(file_name)) => {
                let deliverable = deliverable.to_owned();
                let file_name = file_name.to_owned();
                let bytes = bounded(field, LARGEST_FILE, LARGEST_HAND_IN - total)
                    .await
                    .map_err(|over| match over {
                        Over::File => Unreadable::FileTooLarge(file_name.clone()),
                        Over::Total => Unreadable::TooLarge,
                        Over::Broken => Unreadable::Malformed,
                    })?;
                if bytes.is_empty() && file_name.is_empty() {
                    continue;
                }
                total += bytes.len();
                form.uploads.push(Upload {
                    deliverable,
                    name: file_name,
                    bytes,
                });
            }
            _ => {
                let bytes = bounded(field, LONGEST_TEXT, LONGEST_TEXT)
                    .await
                    .map_err(|over| match over {
                        Over::Broken => Unreadable::Malformed,
                        _ => Unreadable::TooManyParts,
                    })?;
                let value = String::from_utf8(bytes).map_err(|_| Unreadable::Malformed)?;
                form.fields.push((name, value));
            }
        }
    }
    Ok(form)
}

enum Over {
    File,
    Total,
    Broken,
}

/// A part's bytes, read chunk by chunk: stops as soon as it passes `most`
/// (or what is left of the whole, `left`).
async fn bounded(mut field: Field<'_>, most: usize, left: usize) -> Result<Vec<u8>, Over> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| Over::Broken)? {
        if bytes.len() + chunk.len() > most {
            return Err(Over::File);
        }
        if bytes.len() + chunk.len() > left {
            return Err(Over::Total);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
