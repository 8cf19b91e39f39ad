//! Reading `jalon.toml`. Serde (with `deny_unknown_fields`) says what is
//! wrong; after each error the entry at fault is set aside and the rest read
//! again, so that every problem is reported at once, each at its line and
//! column, and the settings that did read are still checked for meaning.

use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jalon_definition::diagnostic::did_you_mean;
use jalon_definition::source::{FileId, Sources, Span};
use jalon_definition::Diagnostic;
use serde::Deserialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::settings::{self, Setting};
use crate::commands::daemon::LogFormat;

/// What the file may say, table by table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub definitions: Option<Spanned<PathBuf>>,
    pub db: Option<Spanned<PathBuf>>,
    pub operator: Option<Spanned<String>>,
    pub replica: Option<Spanned<String>>,
    pub log_format: Option<Spanned<LogFormat>>,
    #[serde(default)]
    pub delivery: Delivery,
    #[serde(default)]
    pub http: Http,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub smtp: Option<Spanned<String>>,
    pub folder: Option<Spanned<PathBuf>>,
    pub connections: Option<Spanned<usize>>,
    pub rate: Option<Spanned<f64>>,
    pub lease: Option<Spanned<u64>>,
    pub dkim_key: Option<Spanned<PathBuf>>,
    pub dkim_selector: Option<Spanned<String>>,
    pub send_late: Option<Spanned<bool>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    pub listen: Option<Spanned<SocketAddr>>,
    pub public_url: Option<Spanned<String>>,
    pub secret_file: Option<Spanned<PathBuf>>,
}

/// A settings file that was read (perhaps with problems, already reported).
pub struct Loaded {
    pub path: PathBuf,
    /// The folder that relative paths in the file start from.
    pub dir: PathBuf,
    pub settings: FileSettings,
    file: FileId,
    text: String,
}

impl Loaded {
    /// The place of a value, for diagnostics (bytes to characters).
    pub fn span(&self, range: &Range<usize>) -> Span {
        char_span(self.file, &self.text, range)
    }

    /// A path from the file: relative to the file's folder (a database's
    /// URL is not a path).
    pub fn path(&self, value: &Spanned<PathBuf>) -> PathBuf {
        let path = value.get_ref();
        let url = path.to_str().is_some_and(jalon_store::is_postgres_url);
        if path.is_absolute() || url {
            path.clone()
        } else {
            self.dir.join(path)
        }
    }
}

/// Reads the file at `path`; its text joins `sources` (with any password in
/// a URL masked, since reports are printed and logged) and its problems
/// join `problems`. `None` when it cannot be read at all.
pub fn read(path: &Path, sources: &mut Sources, problems: &mut Vec<Diagnostic>) -> Option<Loaded> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            problems.push(
                Diagnostic::error(
                    "unreadable-settings",
                    format!("cannot read the settings file `{}`: {e}", path.display()),
                )
                .hint("give an existing file with --config or JALON_CONFIG, or write one with `jalon init`"),
            );
            return None;
        }
    };
    let file = sources.add(path.to_path_buf(), mask_passwords(&text));
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let settings = parse(&text, file, problems);
    Some(Loaded {
        path: path.to_path_buf(),
        dir,
        settings,
        file,
        text,
    })
}

/// Every problem of the text, and the settings that read cleanly.
fn parse(text: &str, file: FileId, problems: &mut Vec<Diagnostic>) -> FileSettings {
    let (root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        // What follows a syntax error is a guess: report the errors only.
        for error in syntax {
            let span = error.span().unwrap_or(0..0);
            problems.push(
                Diagnostic::error("toml-syntax", format!("not valid TOML: {}", error.message()))
                    .at(char_span(file, text, &span))
                    .label("here")
                    .hint("settings are written `key = value`, strings in double quotes, tables as `[delivery]`"),
            );
        }
        return FileSettings::default();
    }
    let whole = root.span();
    let mut table = root.into_inner();
    // Each round sets one entry aside, so this ends.
    loop {
        let value = Spanned::new(whole.clone(), DeValue::Table(table.clone()));
        let error = match FileSettings::deserialize(ValueDeserializer::from(value)) {
            Ok(settings) => return settings,
            Err(error) => error,
        };
        let span = error.span();
        let at = span.as_ref().and_then(|span| locate(&table, span));
        problems.push(diagnose(error.message(), at.as_ref(), span, file, text));
        match at {
            Some(at) if set_aside(&mut table, &at) => {}
            _ => return FileSettings::default(),
        }
    }
}

/// The entry an error is about: its table (`None`: the top) and key.
struct Entry {
    section: Option<String>,
    key: String,
    key_span: Range<usize>,
}

/// The entry whose key or value holds `span`, the innermost one. (A
/// table's own span covers its `[header]` only, so its entries are searched
/// whatever it covers.)
fn locate(table: &DeTable<'_>, span: &Range<usize>) -> Option<Entry> {
    let within = |outer: &Range<usize>| outer.start <= span.start && span.end <= outer.end;
    for (key, value) in table.iter() {
        if let DeValue::Table(inner) = value.get_ref() {
            for (inner_key, inner_value) in inner.iter() {
                if within(&inner_key.span()) || within(&inner_value.span()) {
                    return Some(Entry {
                        section: Some(key.get_ref().to_string()),
                        key: inner_key.get_ref().to_string(),
                        key_span: inner_key.span(),
                    });
                }
            }
        }
    }
    table
        .iter()
        .find(|(key, value)| within(&key.span()) || within(&value.span()))
        .map(|(key, _)| Entry {
            section: None,
            key: key.get_ref().to_string(),
            key_span: key.span(),
        })
}

/// Removes the entry; false when it was not there (nothing would change).
fn set_aside(table: &mut DeTable<'_>, at: &Entry) -> bool {
    let before = count(table);
    match &at.section {
        None => {
            table.remove(at.key.as_str());
        }
        Some(section) => {
            if let Some(value) = table.get_mut(section.as_str()) {
                if let DeValue::Table(inner) = value.get_mut() {
                    inner.remove(at.key.as_str());
                }
            }
        }
    }
    count(table) < before
}

fn count(table: &DeTable<'_>) -> usize {
    table
        .values()
        .map(|value| match value.get_ref() {
            DeValue::Table(inner) => 1 + inner.len(),
            _ => 1,
        })
        .sum()
}

/// A serde error in plain words, with a hint from the table of settings.
fn diagnose(
    message: &str,
    at: Option<&Entry>,
    span: Option<Range<usize>>,
    file: FileId,
    text: &str,
) -> Diagnostic {
    let named = backticked(message);
    let Some(at) = at else {
        return Diagnostic::error("bad-setting", message.to_owned()).at(char_span(
            file,
            text,
            &span.unwrap_or(0..0),
        ));
    };
    let section = at.section.as_deref();
    let table = match section {
        Some(section) => format!("the [{section}] table"),
        None => "the top of the file".to_owned(),
    };
    if message.starts_with("unknown field") {
        let known = settings::keys(section);
        let hint = match did_you_mean(&at.key, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => match elsewhere(&at.key, section) {
                Some(place) => format!("`{}` belongs in {place}", at.key),
                None => format!(
                    "the settings of {table} are {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        };
        return Diagnostic::error(
            "unknown-setting",
            format!("unknown setting `{}` in {table}", at.key),
        )
        .at(char_span(file, text, &at.key_span))
        .label("unknown setting")
        .hint(hint);
    }
    let span = char_span(file, text, &span.unwrap_or(at.key_span.clone()));
    let path = match section {
        Some(section) => format!("{section}.{}", at.key),
        None => at.key.clone(),
    };
    let hint = match settings::find(section, &at.key) {
        Some(setting) => {
            // "unknown variant `jsn`, expected `text` or `json`"
            let suggestion = named
                .split_first()
                .filter(|_| message.starts_with("unknown variant"))
                .and_then(|(wrong, known)| did_you_mean(wrong, known.iter().copied()));
            match suggestion {
                Some(close) => format!("did you mean \"{close}\"?"),
                None => example(setting),
            }
        }
        None if settings::sections().contains(&at.key.as_str()) => {
            format!(
                "`{0}` is a table: write `[{0}]` on a line of its own, its settings below",
                at.key
            )
        }
        None => "see `jalon init` for every setting".to_owned(),
    };
    Diagnostic::error("bad-setting", format!("`{path}`: {message}"))
        .at(span)
        .label(label(message))
        .hint(hint)
}

/// The words between backticks in a message, in order.
fn backticked(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

fn label(message: &str) -> &'static str {
    if message.starts_with("invalid type") {
        "wrong type"
    } else {
        "not a valid value"
    }
}

pub fn example(setting: &Setting) -> String {
    format!("for example `{} = {}`", setting.key, setting.example)
}

/// The table where a misplaced key belongs, if it is a setting elsewhere.
fn elsewhere(key: &str, section: Option<&str>) -> Option<String> {
    let setting = settings::SETTINGS
        .iter()
        .find(|s| s.key == key && s.section != section)?;
    Some(match setting.section {
        Some(section) => format!("the [{section}] table"),
        None => "the top of the file, before any [table]".to_owned(),
    })
}

/// Bytes of the text to characters, as diagnostics count.
fn char_span(file: FileId, text: &str, range: &Range<usize>) -> Span {
    let chars = |at: usize| {
        let at = at.min(text.len());
        text.get(..at).map_or(at, |prefix| prefix.chars().count()) as u32
    };
    Span {
        file,
        start: chars(range.start),
        end: chars(range.end).max(chars(range.start) + 1),
    }
}

/// The text with the password of every `scheme://user:password@host` in it
/// replaced by as many `*`, character for character, so that positions
/// stay right and a report printed or logged never shows a password.
pub fn mask_passwords(text: &str) -> String {
    let mut out: Vec<char> = text.chars().collect();
    let mut from = 0;
    while let Some(found) = find(&out[from..], "://") {
        let start = from + found + 3;
        let end = out[start..]
            .iter()
            .position(|c| matches!(c, '/' | '?' | '#' | '"' | '\'') || c.is_whitespace())
            .map_or(out.len(), |n| start + n);
        let authority = &out[start..end];
        if let Some(at) = authority.iter().rposition(|c| *c == '@') {
            if let Some(colon) = authority[..at].iter().position(|c| *c == ':') {
                for c in &mut out[start + colon + 1..start + at] {
                    *c = '*';
                }
            }
        }
        from = end.max(start);
    }
    out.into_iter().collect()
}

fn find(haystack: &[char], needle: &str) -> Option<usize> {
    let needle: Vec<char> = needle.chars().collect();
    haystack
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> (FileSettings, Vec<Diagnostic>) {
        let mut sources = Sources::default();
        let file = sources.add("jalon.toml".into(), text.to_owned());
        let mut problems = Vec::new();
        let settings = parse(text, file, &mut problems);
        (settings, problems)
    }

    #[test]
    fn every_problem_at_once_and_the_rest_still_read() {
        let text = "db = \"x.db\"\nlog_format = \"jsn\"\n[delivery]\nconections = 4\nrate = 2\n[http]\nlisten = 8080\n";
        let (settings, found) = problems(text);
        let codes: Vec<&str> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes.len(), 3, "{found:#?}");
        assert!(codes.contains(&"unknown-setting"));
        let unknown = found.iter().find(|d| d.code == "unknown-setting").unwrap();
        assert_eq!(unknown.hint.as_deref(), Some("did you mean `connections`?"));
        assert_eq!(
            unknown.span.unwrap().start,
            text.find("conections").unwrap() as u32
        );
        let format = found
            .iter()
            .find(|d| d.message.contains("log_format"))
            .unwrap();
        assert_eq!(format.hint.as_deref(), Some("did you mean \"json\"?"));
        let listen = found
            .iter()
            .find(|d| d.message.contains("http.listen"))
            .unwrap();
        assert_eq!(
            listen.span.unwrap().start,
            text.find("8080").unwrap() as u32
        );
        assert!(
            listen.hint.as_deref().unwrap().contains("listen = "),
            "{listen:?}"
        );
        // What was right is kept.
        assert_eq!(settings.db.unwrap().into_inner(), PathBuf::from("x.db"));
        assert_eq!(settings.delivery.rate.unwrap().into_inner(), 2.0);
    }

    #[test]
    fn a_misplaced_setting_says_where_it_belongs() {
        let (_, found) = problems("connections = 4\n");
        assert_eq!(
            found[0].hint.as_deref(),
            Some("`connections` belongs in the [delivery] table")
        );
        let (_, found) = problems("delivery = 4\n");
        assert!(
            found[0].hint.as_deref().unwrap().contains("[delivery]"),
            "{found:?}"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let (_, found) = problems("db = \"x.db\"\nlisten = \n");
        assert_eq!(found[0].code, "toml-syntax");
        assert!(found[0].span.is_some());
    }

    #[test]
    fn passwords_are_masked_in_place() {
        let text = "smtp = \"smtp://ana:s3cr\u{e9}t@relay:587?tls=required\"\nother = \"https://example.org/a:b@c\"\n";
        let masked = mask_passwords(text);
        assert_eq!(masked.chars().count(), text.chars().count());
        assert!(masked.contains("smtp://ana:******@relay:587"), "{masked}");
        assert!(masked.contains("https://example.org/a:b@c"), "{masked}");
        assert_eq!(mask_passwords("smtp://relay:25"), "smtp://relay:25");
    }
}
