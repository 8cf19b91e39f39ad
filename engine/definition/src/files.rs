//! Which files a definition may read, and reading them safely. A definition
//! can come from anyone who can drop a file in the definitions folder, so
//! `extends` is confined to that folder and to definition files, and a
//! file is looked at before it is opened: a FIFO would block the reader
//! forever, a device or `/proc` file would be quoted back in a snippet.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Why a file is not read.
#[derive(Debug)]
pub(crate) enum ReadProblem {
    /// Larger than what is left of the budget (its size).
    TooLarge(u64),
    /// Not UTF-8: the text up to and around the first bad byte (with
    /// replacement characters), and that byte's offset in characters.
    NotUtf8 {
        text: String,
        at: u32,
    },
    /// A folder, a FIFO, a device, a socket: what it is.
    NotAFile(&'static str),
    Io(std::io::Error),
}

/// Why an `extends` target is refused before anything is read from it.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// An absolute path, or a path that leads out of the definitions folder
    /// (by `..` or through a symbolic link).
    Outside,
    /// Not a `*.yaml` or `*.yml` file.
    NotYaml,
}

/// What a file is, for messages about what is not a regular file.
pub(crate) fn kind_of(path: &Path) -> Result<Option<&'static str>, std::io::Error> {
    let metadata = std::fs::metadata(path)?;
    Ok(non_file_kind(&metadata))
}

fn non_file_kind(metadata: &std::fs::Metadata) -> Option<&'static str> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Whether a path names a definition file by its extension.
pub(crate) fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// The file `written` (the value of `extends` in `from`) names, checked
/// before it is read: relative, inside `root` once links are followed, and
/// a YAML file. A target that does not exist, or a folder, passes here:
/// reading it then says what it is.
pub(crate) fn extends_target(root: &Path, from: &Path, written: &str) -> Result<PathBuf, Refusal> {
    let written_path = Path::new(written);
    if written_path.is_absolute() || written_path.has_root() {
        return Err(Refusal::Outside);
    }
    let mut joined = normalise(&from.parent().unwrap_or(Path::new(".")).join(written_path));
    if joined.as_os_str().is_empty() {
        // `extends: .` from a file in the working directory.
        joined = PathBuf::from(".");
    }
    if let Ok(real) = std::fs::canonicalize(&joined) {
        if !real.starts_with(root) {
            return Err(Refusal::Outside);
        }
        if !real.is_dir() && !is_yaml(&real) {
            return Err(Refusal::NotYaml);
        }
    }
    Ok(joined)
}

/// The folder a checked path's `extends` chain must stay in: a folder
/// given to check; for a file given alone, the working directory when the
/// file is inside it (whoever names a file from there vouches for that
/// tree), else the folder above the file's own, so that `editions/x.yaml`
/// may extend `../programmes/y.yaml`.
pub(crate) fn root_of(path: &Path, is_folder: bool) -> PathBuf {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if is_folder {
        return real;
    }
    if let Ok(here) = std::env::current_dir().and_then(std::fs::canonicalize) {
        if real.starts_with(&here) {
            return here;
        }
    }
    let folder = real.parent().unwrap_or(Path::new("/"));
    folder.parent().unwrap_or(folder).to_path_buf()
}

/// `a/b/../c` → `a/c`, without touching the disk, so messages show the
/// path a person would write.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Reads a definition file of at most `max_bytes`: only a regular file,
/// opened without waiting (a FIFO swapped in after the check must not
/// block), refused before reading when too large.
pub(crate) fn read_capped(path: &Path, max_bytes: u64) -> Result<String, ReadProblem> {
    if let Some(kind) = kind_of(path).map_err(ReadProblem::Io)? {
        return Err(ReadProblem::NotAFile(kind));
    }
    let file = open_nonblocking(path).map_err(ReadProblem::Io)?;
    let metadata = file.metadata().map_err(ReadProblem::Io)?;
    if let Some(kind) = non_file_kind(&metadata) {
        return Err(ReadProblem::NotAFile(kind));
    }
    let size = metadata.len();
    if size > max_bytes {
        return Err(ReadProblem::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadProblem::Io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadProblem::TooLarge(bytes.len() as u64));
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let at = String::from_utf8_lossy(&bytes[..valid]).chars().count() as u32;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            return Err(ReadProblem::NotUtf8 {
                text: bare_cr_to_lf(text),
                at,
            });
        }
    };
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    Ok(bare_cr_to_lf(text))
}

fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// YAML takes a lone carriage return as a line break; so do the places
/// and snippets of diagnostics once it is a line feed (one character for
/// one, so no offset moves).
fn bare_cr_to_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extends_stays_in_its_folder_and_names_yaml_files() {
        let dir = tempfile_dir();
        let root = std::fs::canonicalize(&dir).expect("root");
        std::fs::create_dir_all(root.join("editions")).expect("dir");
        std::fs::write(root.join("base.yaml"), "a: 1\n").expect("write");
        std::fs::write(root.join("notes.txt"), "secret\n").expect("write");
        let from = root.join("editions/x.yaml");
        assert!(extends_target(&root, &from, "../base.yaml").is_ok());
        assert!(matches!(
            extends_target(&root, &from, "/etc/shadow"),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            extends_target(&root, &from, "../../../../../../proc/self/environ"),
            Err(Refusal::Outside)
        ));
        assert!(matches!(
            extends_target(&root, &from, "../notes.txt"),
            Err(Refusal::NotYaml)
        ));
        // A folder passes here: reading it says it is a folder.
        assert!(extends_target(&root, &from, ".").is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn lone_carriage_returns_become_line_feeds() {
        assert_eq!(bare_cr_to_lf("a\rb\r\nc\r".into()), "a\nb\r\nc\n");
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("jalon-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
