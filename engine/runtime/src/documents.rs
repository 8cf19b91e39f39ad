//! What an uploaded file is, before it is stored: a deliverable is a PDF, an
//! office document or an image, told by its content and never by its name,
//! so a page or a program renamed `rapport.pdf` is refused. Office documents
//! are ZIPs: their central directory is read for names and declared sizes,
//! nothing is ever inflated, and one that would unpack to far more than it
//! weighs (a zip bomb) is refused before any viewer opens it.
//!
//! The name the browser sent is kept only to show and to offer on download,
//! cleaned of paths and control characters ([`clean_name`]).

use std::io::{Cursor, Read};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use ring::digest;

/// The largest file taken, in bytes (20 MiB).
pub const LARGEST_FILE: usize = 20 * 1024 * 1024;

/// The most an office document (a ZIP) may declare once unpacked (100 MiB),
/// and the highest ratio unpacked/packed of any of its entries (100): past
/// them it is a zip bomb, refused. Real documents compress XML about 10 to 1.
pub const LARGEST_UNPACKED: u64 = 100 * 1024 * 1024;
pub const HIGHEST_RATIO: u64 = 100;

/// Entries this small may have any ratio: a page of repeated markup can
/// compress past 100 to 1, and it is harmless.
const RATIO_FROM: u64 = 1024 * 1024;

/// The longest file name kept, in characters.
pub const LONGEST_NAME: usize = 120;

/// Past this many characters, what follows the last dot is no extension and
/// is cut like the rest.
const LONGEST_EXTENSION: usize = 16;

/// What an accepted file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Office,
    Image,
}

/// An accepted file, as it will be stored and served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspected {
    /// The name as shown and offered on download: see [`clean_name`].
    pub name: String,
    pub kind: FileKind,
    /// The media type of what the content is, e.g. `application/pdf`,
    /// `application/vnd.openxmlformats-officedocument.wordprocessingml.document`, `image/png`.
    pub media_type: &'static str,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
}

/// Why a file is refused. Each names the (clean) file; the caller writes
/// its own messages from the fields.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentError {
    #[error("{name} is empty")]
    Empty { name: String },
    #[error("{name} is too large: {size} bytes, more than the 20 MiB taken")]
    TooLarge { name: String, size: u64 },
    /// The content is none of the accepted kinds; `seen` says what it looks
    /// like when known, for the message: one of "HTML", "SVG image", "XML",
    /// "script", "text", "executable", "installer", "ZIP archive",
    /// "archive", "image", "audio", "video", "font", "e-book", "document".
    #[error(
        "{name} is not a PDF, an office document or an image{}",
        .seen.map(|seen| format!(" (it looks like {seen})")).unwrap_or_default()
    )]
    Unrecognised {
        name: String,
        seen: Option<&'static str>,
    },
    /// A ZIP (office document) declaring more than [`LARGEST_UNPACKED`] in
    /// all, or an entry above [`HIGHEST_RATIO`].
    #[error("{name} would unpack to far more than it weighs (a zip bomb)")]
    Bomb { name: String },
    /// A ZIP whose central directory cannot be read (or names an entry
    /// twice), or a legacy Office file whose structure cannot be read.
    #[error("{name} is damaged: its content cannot be read")]
    Damaged { name: String },
}

/// Inspects one uploaded file. `name` is the file name the browser sent
/// (untrusted: may contain `../`, `\`, NUL, control characters, be empty or
/// very long).
pub fn inspect(name: &str, bytes: &[u8]) -> Result<Inspected, DocumentError> {
    let name = clean_name(name);
    if bytes.is_empty() {
        return Err(DocumentError::Empty { name });
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if bytes.len() > LARGEST_FILE {
        return Err(DocumentError::TooLarge { name, size });
    }
    let (kind, media_type) = match sniff(bytes) {
        Ok(found) => found,
        Err(Refusal::Unrecognised(seen)) => return Err(DocumentError::Unrecognised { name, seen }),
        Err(Refusal::Bomb) => return Err(DocumentError::Bomb { name }),
        Err(Refusal::Damaged) => return Err(DocumentError::Damaged { name }),
    };
    let sha256 = digest::digest(&digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Inspected {
        name,
        kind,
        media_type,
        sha256,
        size,
    })
}

/// Why content is refused, before the name is put back in.
enum Refusal {
    Unrecognised(Option<&'static str>),
    Bomb,
    Damaged,
}

/// The signatures of the accepted kinds that need no parsing. Written out in
/// full: infer's own checks are looser (a GIF from 3 bytes, so any text
/// starting "GIF" would pass; a WebP without its RIFF header).
const SIGNATURES: [(&[u8], FileKind, &str); 6] = [
    (b"%PDF-", FileKind::Pdf, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", FileKind::Image, "image/png"),
    (b"\xff\xd8\xff", FileKind::Image, "image/jpeg"),
    (b"GIF87a", FileKind::Image, "image/gif"),
    (b"GIF89a", FileKind::Image, "image/gif"),
    (b"RIFF", FileKind::Image, "image/webp"),
];

const OLE_MAGIC: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

fn sniff(bytes: &[u8]) -> Result<(FileKind, &'static str), Refusal> {
    for (signature, kind, media_type) in SIGNATURES {
        if bytes.starts_with(signature) {
            // RIFF also holds WAV and AVI: WebP says so at byte 8.
            if signature == b"RIFF" && bytes.get(8..12) != Some(&b"WEBP"[..]) {
                continue;
            }
            return Ok((kind, media_type));
        }
    }
    if bytes.starts_with(OLE_MAGIC) {
        return legacy_office(bytes).map(|media_type| (FileKind::Office, media_type));
    }
    if infer::archive::is_zip(bytes) {
        return zipped_office(bytes).map(|media_type| (FileKind::Office, media_type));
    }
    Err(Refusal::Unrecognised(seen(bytes)))
}

/// A legacy Office file (doc, xls, ppt) is an OLE compound file: which one
/// is told by the root's class id, or else by its main stream. Installers
/// (msi, msp, mst) are compound files too, and refused.
fn legacy_office(bytes: &[u8]) -> Result<&'static str, Refusal> {
    const WORD: u128 = 0x00020906_0000_0000_c000_000000000046;
    const EXCEL: [u128; 2] = [
        0x00020810_0000_0000_c000_000000000046,
        0x00020820_0000_0000_c000_000000000046,
    ];
    const POWERPOINT: u128 = 0x64818d10_4f9b_11cf_86ea_00aa00b929e8;
    const INSTALLERS: [u128; 3] = [
        0x000c1084_0000_0000_c000_000000000046,
        0x000c1086_0000_0000_c000_000000000046,
        0x000c1082_0000_0000_c000_000000000046,
    ];
    let file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| Refusal::Damaged)?;
    let class = file.root_entry().clsid().as_u128();
    if INSTALLERS.contains(&class) {
        return Err(Refusal::Unrecognised(Some("installer")));
    }
    if class == WORD || file.is_stream("/WordDocument") {
        Ok("application/msword")
    } else if EXCEL.contains(&class) || file.is_stream("/Workbook") || file.is_stream("/Book") {
        Ok("application/vnd.ms-excel")
    } else if class == POWERPOINT || file.is_stream("/PowerPoint Document") {
        Ok("application/vnd.ms-powerpoint")
    } else {
        // Another Office file (an encrypted docx, a Visio drawing…).
        Ok("application/vnd.ms-office")
    }
}

/// The OpenDocument types taken, as their `mimetype` entry says them.
const OPEN_DOCUMENT: [&str; 3] = [
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
];

/// An office document in a ZIP: OOXML (docx, xlsx, pptx) by its part names,
/// OpenDocument (odt, ods, odp) by its stored `mimetype` entry. Only the
/// central directory and that one stored entry are read.
fn zipped_office(bytes: &[u8]) -> Result<&'static str, Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::Damaged)?;
    // Entries sharing a name are folded into one by the reader: one could
    // hide a bomb behind a small twin, and viewers differ on which they open.
    if archive.has_duplicate_names() {
        return Err(Refusal::Damaged);
    }
    let mut unpacked: u64 = 0;
    let (mut content_types, mut word, mut excel, mut powerpoint) = (false, false, false, false);
    let mut mimetype = None;
    for index in 0..archive.len() {
        let entry = archive.by_index_data(index).map_err(|_| Refusal::Damaged)?;
        let size = entry.size();
        unpacked = unpacked.saturating_add(size);
        if unpacked > LARGEST_UNPACKED
            || (size > RATIO_FROM && size / entry.compressed_size().max(1) > HIGHEST_RATIO)
        {
            return Err(Refusal::Bomb);
        }
        let name = entry.name_raw();
        content_types |= name == b"[Content_Types].xml";
        word |= name.starts_with(b"word/");
        excel |= name.starts_with(b"xl/");
        powerpoint |= name.starts_with(b"ppt/");
        if name == b"mimetype" && entry.compression() == zip::CompressionMethod::Stored {
            mimetype = Some(index);
        }
    }
    if content_types {
        if word {
            return Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        }
        if excel {
            return Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if powerpoint {
            return Ok("application/vnd.openxmlformats-officedocument.presentationml.presentation");
        }
    }
    if let Some(index) = mimetype {
        // Stored, so its raw bytes are the text: nothing is inflated.
        let mut said = Vec::new();
        archive
            .by_index_raw(index)
            .map_err(|_| Refusal::Damaged)?
            .take(128)
            .read_to_end(&mut said)
            .map_err(|_| Refusal::Damaged)?;
        let said = String::from_utf8_lossy(&said);
        if let Some(media_type) = OPEN_DOCUMENT.into_iter().find(|t| *t == said.trim()) {
            return Ok(media_type);
        }
    }
    Err(Refusal::Unrecognised(Some("ZIP archive")))
}

/// What refused content looks like, for the message. Text is told before
/// infer's binary kinds, some of which it takes from 2 or 3 bytes.
fn seen(bytes: &[u8]) -> Option<&'static str> {
    use infer::MatcherType;
    let found = infer::get(bytes);
    if let Some(found) = found.filter(|found| found.matcher_type() == MatcherType::Text) {
        return Some(match found.extension() {
            "html" => "HTML",
            "xml" if looks_like_svg(bytes) => "SVG image",
            "xml" => "XML",
            "sh" => "script",
            _ => "text",
        });
    }
    if looks_like_text(bytes) {
        return Some(if looks_like_svg(bytes) {
            "SVG image"
        } else {
            "text"
        });
    }
    Some(match found?.matcher_type() {
        MatcherType::App => "executable",
        MatcherType::Archive => "archive",
        MatcherType::Image => "image",
        MatcherType::Audio => "audio",
        MatcherType::Video => "video",
        MatcherType::Font => "font",
        MatcherType::Book => "e-book",
        MatcherType::Doc => "document",
        MatcherType::Text => "text",
        MatcherType::Custom => return None,
    })
}

/// How far into the content the text checks look.
const SNIFFED: usize = 4096;

/// An `<svg` element near the start (SVG may carry script: never taken).
fn looks_like_svg(bytes: &[u8]) -> bool {
    let start = bytes.get(..SNIFFED).unwrap_or(bytes);
    start
        .windows(4)
        .any(|window| window.eq_ignore_ascii_case(b"<svg"))
}

/// UTF-8 without control characters other than layout, at least as far as
/// it is looked at (a character cut at the end does not count).
fn looks_like_text(bytes: &[u8]) -> bool {
    let start = bytes.get(..SNIFFED).unwrap_or(bytes);
    let text = match std::str::from_utf8(start) {
        Ok(text) => text,
        Err(error) if error.error_len().is_none() => {
            match start.get(..error.valid_up_to()).map(std::str::from_utf8) {
                Some(Ok(text)) => text,
                _ => return false,
            }
        }
        Err(_) => return false,
    };
    text.chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

/// A file name safe to show and to put in a Content-Disposition: the last
/// path component (after the last `/` or `\`), without control characters
/// (NUL included) and without leading dots, whitespace trimmed, cut to
/// [`LONGEST_NAME`] characters (on a char boundary, keeping the extension if
/// there is one), and `document` when nothing is left.
pub fn clean_name(name: &str) -> String {
    let kept: String = name.chars().filter(|c| !unsafe_in_name(*c)).collect();
    let last = kept.rsplit(['/', '\\']).next().unwrap_or_default();
    let trimmed = last
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    if trimmed.is_empty() {
        return "document".to_owned();
    }
    if trimmed.chars().count() <= LONGEST_NAME {
        return trimmed.to_owned();
    }
    match trimmed.rsplit_once('.') {
        // The stem is never empty: leading dots are gone.
        Some((stem, extension)) if extension.chars().count() <= LONGEST_EXTENSION => {
            let room = LONGEST_NAME - 1 - extension.chars().count();
            let stem: String = stem.chars().take(room).collect();
            format!("{}.{extension}", stem.trim_end())
        }
        _ => {
            let cut: String = trimmed.chars().take(LONGEST_NAME).collect();
            cut.trim_end().to_owned()
        }
    }
}

/// Control characters, and the invisible ones that reorder or break what is
/// shown: a right-to-left override makes `rapport\u{202e}fdp.exe` read
/// `rapportexe.pdf`.
fn unsafe_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// What RFC 8187 lets through unescaped in `filename*` (its `attr-char`).
const NOT_ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The `Content-Disposition` header value that offers the file as a
/// download: `attachment; filename="<ASCII fallback with non-ASCII, quotes,
/// backslashes replaced by _>"; filename*=UTF-8''<percent-encoded name per
/// RFC 5987/8187>`. The name is cleaned again, so no line break can reach
/// the header whatever the caller passes.
pub fn attachment_header(name: &str) -> String {
    let name = clean_name(name);
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&name, NOT_ATTR_CHAR);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;
    use zip::write::SimpleFileOptions;
    use zip::CompressionMethod;

    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0aIDAT\x78\x9c\x63\x60\x00\x00\x00\x02\x00\x01\x48\xaf\xa4\x71\x00\x00\x00\x00IEND\xae\x42\x60\x82";
    const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    const JPEG: &[u8] =
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9";
    const WEBP: &[u8] = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00";
    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

    fn stored() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
    }

    fn deflated() -> SimpleFileOptions {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(1))
    }

    /// A ZIP of these entries, each written in full.
    fn zip_of(entries: &[(&str, &[u8], SimpleFileOptions)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content, options) in entries {
            writer.start_file(*name, *options).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn docx() -> Vec<u8> {
        zip_of(&[
            (
                "[Content_Types].xml",
                b"<?xml version=\"1.0\"?><Types/>",
                deflated(),
            ),
            (
                "_rels/.rels",
                b"<?xml version=\"1.0\"?><Relationships/>",
                deflated(),
            ),
            (
                "word/document.xml",
                b"<?xml version=\"1.0\"?><w:document/>",
                deflated(),
            ),
        ])
    }

    fn open_document(media_type: &str) -> Vec<u8> {
        zip_of(&[
            ("mimetype", media_type.as_bytes(), stored()),
            (
                "content.xml",
                b"<?xml version=\"1.0\"?><office:document-content/>",
                deflated(),
            ),
            (
                "META-INF/manifest.xml",
                b"<?xml version=\"1.0\"?><manifest/>",
                deflated(),
            ),
        ])
    }

    /// A compound file with this root class id and one stream.
    fn compound(class: u128, stream: &str) -> Vec<u8> {
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        file.set_storage_clsid("/", uuid::Uuid::from_u128(class))
            .unwrap();
        file.create_stream(stream)
            .unwrap()
            .write_all(b"content")
            .unwrap();
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    fn media_type(name: &str, bytes: &[u8]) -> (FileKind, &'static str) {
        let inspected = inspect(name, bytes).unwrap();
        (inspected.kind, inspected.media_type)
    }

    #[test]
    fn accepted_kinds_are_told_by_content() {
        assert_eq!(media_type("a.pdf", PDF), (FileKind::Pdf, "application/pdf"));
        assert_eq!(media_type("a", PNG), (FileKind::Image, "image/png"));
        assert_eq!(media_type("a.png", JPEG), (FileKind::Image, "image/jpeg"));
        assert_eq!(media_type("a", GIF), (FileKind::Image, "image/gif"));
        assert_eq!(media_type("a", WEBP), (FileKind::Image, "image/webp"));
        assert_eq!(
            media_type("a.pdf", &docx()),
            (
                FileKind::Office,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            )
        );
        let xlsx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>", deflated()),
            ("xl/workbook.xml", b"<workbook/>", deflated()),
        ]);
        assert_eq!(
            media_type("a", &xlsx).1,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let pptx = zip_of(&[
            ("[Content_Types].xml", b"<Types/>", deflated()),
            ("ppt/presentation.xml", b"<presentation/>", deflated()),
        ]);
        assert_eq!(
            media_type("a", &pptx).1,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        );
        for media in OPEN_DOCUMENT {
            assert_eq!(
                media_type("a.odt", &open_document(media)),
                (FileKind::Office, media)
            );
        }
        let word = compound(0x00020906_0000_0000_c000_000000000046, "/WordDocument");
        assert_eq!(
            media_type("a.doc", &word),
            (FileKind::Office, "application/msword")
        );
        let excel = compound(0, "/Workbook");
        assert_eq!(media_type("a", &excel).1, "application/vnd.ms-excel");
        let other = compound(0, "/Contents");
        assert_eq!(media_type("a", &other).1, "application/vnd.ms-office");
    }

    #[test]
    fn an_accepted_file_carries_its_hash_size_and_clean_name() {
        let inspected = inspect("../../Rapport final.pdf", PDF).unwrap();
        assert_eq!(inspected.name, "Rapport final.pdf");
        assert_eq!(inspected.size, PDF.len() as u64);
        let expected: String = digest::digest(&digest::SHA256, PDF)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(inspected.sha256, expected);
        assert_eq!(inspected.sha256.len(), 64);
    }

    fn seen_in(name: &str, bytes: &[u8]) -> Option<&'static str> {
        match inspect(name, bytes) {
            Err(DocumentError::Unrecognised { seen, .. }) => seen,
            other => panic!("{name} should be unrecognised, got {other:?}"),
        }
    }

    #[test]
    fn other_content_is_unrecognised_whatever_its_name() {
        let html = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>";
        assert_eq!(
            inspect("x.pdf", html),
            Err(DocumentError::Unrecognised {
                name: "x.pdf".to_owned(),
                seen: Some("HTML")
            })
        );
        assert_eq!(
            seen_in("x.txt", "Bonjour, voilà le rapport.\n".as_bytes()),
            Some("text")
        );
        assert_eq!(
            seen_in(
                "x.pdf",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"
            ),
            Some("SVG image")
        );
        assert_eq!(
            seen_in(
                "x.png",
                b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
            ),
            Some("SVG image")
        );
        assert_eq!(
            seen_in("x.docx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
            Some("executable")
        );
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(64, 0);
        assert_eq!(seen_in("x.pdf", &elf), Some("executable"));
        assert_eq!(seen_in("x.pdf", b"#!/bin/sh\nrm -rf /\n"), Some("script"));
        assert_eq!(seen_in("x.pdf", b"GIF is a format"), Some("text"));
        assert_eq!(seen_in("x.pdf", b"\x00\x01\x02\x03\x04"), None);
        let plain = zip_of(&[("notes.txt", b"some notes", deflated())]);
        assert_eq!(seen_in("x.docx", &plain), Some("ZIP archive"));
        // An OpenDocument kind not taken (a drawing), and a deflated mimetype.
        let drawing = open_document("application/vnd.oasis.opendocument.graphics");
        assert_eq!(seen_in("x.odg", &drawing), Some("ZIP archive"));
        let deflated_mimetype = zip_of(&[("mimetype", OPEN_DOCUMENT[0].as_bytes(), deflated())]);
        assert_eq!(seen_in("x.odt", &deflated_mimetype), Some("ZIP archive"));
        let installer = compound(0x000c1084_0000_0000_c000_000000000046, "/x");
        assert_eq!(seen_in("x.doc", &installer), Some("installer"));
    }

    #[test]
    fn empty_and_too_large_files_are_refused() {
        assert_eq!(
            inspect("../vide.pdf", b""),
            Err(DocumentError::Empty {
                name: "vide.pdf".to_owned()
            })
        );
        let mut big = vec![0u8; LARGEST_FILE + 1];
        big[..PDF.len()].copy_from_slice(PDF);
        assert_eq!(
            inspect("big.pdf", &big),
            Err(DocumentError::TooLarge {
                name: "big.pdf".to_owned(),
                size: LARGEST_FILE as u64 + 1
            })
        );
        big.pop();
        assert_eq!(inspect("big.pdf", &big).unwrap().kind, FileKind::Pdf);
    }

    /// A docx whose document is `megabytes` MiB of zeros, deflated through
    /// the writer's streaming interface (never held unpacked in memory).
    fn zeros_docx(megabytes: usize) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("[Content_Types].xml", deflated())
            .unwrap();
        writer.write_all(b"<Types/>").unwrap();
        // The default level: level 1 packs zeros only about 100 to 1.
        let options = deflated().compression_level(None);
        writer.start_file("word/document.xml", options).unwrap();
        let chunk = vec![0u8; 1024 * 1024];
        for _ in 0..megabytes {
            writer.write_all(&chunk).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn zip_bombs_are_refused_without_inflating() {
        let bomb = zeros_docx(200);
        assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
        assert_eq!(
            inspect("rapport.docx", &bomb),
            Err(DocumentError::Bomb {
                name: "rapport.docx".to_owned()
            })
        );
        // Under the total, but one entry packed far past the ratio.
        assert!(matches!(
            inspect("x.docx", &zeros_docx(8)),
            Err(DocumentError::Bomb { .. })
        ));
        // A small entry may compress past the ratio.
        assert_eq!(
            inspect("x.docx", &zeros_docx(1)).unwrap().kind,
            FileKind::Office
        );
    }

    #[test]
    fn a_declared_gigabyte_is_a_bomb_whatever_the_data() {
        // The central directory's sizes rewritten by hand: 1 GiB declared.
        let mut bytes = docx();
        let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&(1u32 << 30).to_le_bytes());
        assert!(matches!(
            inspect("x.docx", &bytes),
            Err(DocumentError::Bomb { .. })
        ));
    }

    #[test]
    fn damaged_zips_and_compound_files_are_refused() {
        let mut cut = docx();
        cut.truncate(cut.len() - 30);
        assert!(matches!(
            inspect("x.docx", &cut),
            Err(DocumentError::Damaged { .. })
        ));
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend_from_slice(&[0; 600]);
        assert!(matches!(
            inspect("x.doc", &ole),
            Err(DocumentError::Damaged { .. })
        ));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\0b.pdf"), "ab.pdf");
        assert_eq!(clean_name("..\\..\\x.pdf"), "x.pdf");
        assert_eq!(clean_name(""), "document");
        assert_eq!(clean_name("  ..  "), "document");
        assert_eq!(clean_name("dir/"), "document");
        assert_eq!(clean_name(".htaccess"), "htaccess");
        assert_eq!(clean_name(" Rapport\r\n final.pdf "), "Rapport final.pdf");
        assert_eq!(clean_name("rapport\u{202e}fdp.exe"), "rapportfdp.exe");
        let long = format!("{}.pdf", "é".repeat(300));
        let cleaned = clean_name(&long);
        assert!(cleaned.chars().count() <= LONGEST_NAME);
        assert!(cleaned.ends_with(".pdf"), "{cleaned}");
        assert!(cleaned.starts_with("éé"));
        let no_extension = "x".repeat(200);
        assert_eq!(clean_name(&no_extension), "x".repeat(LONGEST_NAME));
    }

    #[test]
    fn the_attachment_header_offers_ascii_and_the_exact_name() {
        let name = "Feuille de route « v2 ».pdf";
        let header = attachment_header(name);
        let (fallback, encoded) = header
            .strip_prefix("attachment; filename=\"")
            .and_then(|rest| rest.split_once("\"; filename*=UTF-8''"))
            .unwrap();
        assert!(fallback.is_ascii());
        assert_eq!(fallback, "Feuille de route _ v2 _.pdf");
        assert!(encoded.is_ascii());
        assert!(!encoded.contains(' '));
        let decoded = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, name);
        let header = attachment_header("a\"b«c\r\nd.pdf");
        assert!(
            header.starts_with("attachment; filename=\"a_b_cd.pdf\";"),
            "{header}"
        );
        assert!(!header.contains('\n') && !header.contains('\r'));
    }

    fn clean_is_clean(cleaned: &str) {
        assert!(!cleaned.is_empty());
        assert!(cleaned.chars().count() <= LONGEST_NAME);
        assert!(!cleaned.contains(['/', '\\']));
        assert!(!cleaned.chars().any(unsafe_in_name));
        assert!(!cleaned.starts_with('.'));
        assert_eq!(
            clean_name(cleaned),
            cleaned,
            "cleaning twice changes nothing"
        );
    }

    /// Content that reaches each parser: random bytes behind each magic, and
    /// real documents with a few bytes changed.
    fn hostile_content() -> impl Strategy<Value = Vec<u8>> {
        let prefixes: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"PK\x03\x04".to_vec(),
            b"PK\x05\x06".to_vec(),
            OLE_MAGIC.to_vec(),
            b"RIFF\0\0\0\0WEBP".to_vec(),
            b"<?xml ".to_vec(),
        ];
        let prefixed = (
            proptest::sample::select(prefixes),
            proptest::collection::vec(any::<u8>(), 0..2048),
        )
            .prop_map(|(mut prefix, rest)| {
                prefix.extend(rest);
                prefix
            });
        let real = vec![
            docx(),
            open_document(OPEN_DOCUMENT[1]),
            compound(0, "/Book"),
        ];
        let mutated = (
            proptest::sample::select(real),
            proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(mut bytes, changes, cut)| {
                for (at, byte) in changes {
                    let at = at.index(bytes.len());
                    bytes[at] = byte;
                }
                let keep = bytes.len() - cut.index(bytes.len() / 4 + 1);
                bytes.truncate(keep);
                bytes
            });
        prop_oneof![prefixed, mutated]
    }

    proptest! {
        #[test]
        fn inspect_never_panics(name in any::<String>(), bytes in hostile_content()) {
            if let Ok(inspected) = inspect(&name, &bytes) {
                clean_is_clean(&inspected.name);
            }
        }

        #[test]
        fn clean_names_are_clean(name in any::<String>()) {
            clean_is_clean(&clean_name(&name));
            let header = attachment_header(&name);
            prop_assert!(header.is_ascii());
            prop_assert!(!header.contains(['\r', '\n']));
        }

        #[test]
        fn paths_and_controls_never_survive(name in "[a-z./\\\\\\x00-\\x1f\\x7f é«»]{0,300}") {
            clean_is_clean(&clean_name(&name));
        }
    }
}
