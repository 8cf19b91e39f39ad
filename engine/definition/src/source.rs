//! Source files and positions: every diagnostic points into one of these.

use std::path::PathBuf;

/// Index of a file in a [`Sources`] registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A range of characters in one source file. Offsets count characters (not
/// bytes), as the YAML parser reports them; [`SourceFile`] converts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

/// A one-based line and column, as editors show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One file's text, with what is needed to turn offsets into lines.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Character offset at which each line starts.
    line_starts: Vec<u32>,
    /// Byte offset at which each line starts.
    line_byte_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        let mut line_byte_starts = vec![0];
        // Line by line, not character by character: a generated file of
        // megabytes is counted at the speed of `chars().count()`.
        let (mut chars, mut bytes) = (0, 0);
        for line in text.split_inclusive('\n') {
            chars += line.chars().count() as u32;
            bytes += line.len();
            if line.ends_with('\n') {
                line_starts.push(chars);
                line_byte_starts.push(bytes);
            }
        }
        Self {
            path,
            text,
            line_starts,
            line_byte_starts,
        }
    }

    /// The one-based line and column of a character offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        LineCol {
            line: line + 1,
            column: (offset - self.line_starts[line]) as usize + 1,
        }
    }

    /// The character offset at which a one-based line starts.
    pub fn line_start(&self, line: usize) -> Option<u32> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    /// The byte offset of a character offset (for renderers that want bytes).
    pub fn byte_offset(&self, offset: u32) -> usize {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let line_text = &self.text[self.line_byte_starts[line]..];
        let column = (offset - self.line_starts[line]) as usize;
        let within = line_text
            .char_indices()
            .nth(column)
            .map_or(line_text.len(), |(b, _)| b);
        self.line_byte_starts[line] + within
    }

    /// The text of a one-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_byte_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let rest = &self.text[start..];
        rest.split('\n').next().unwrap_or("").trim_end_matches('\r')
    }
}

/// At most `width` characters of `line` around a one-based `column`, with
/// `…` where it was cut: a generated file's 200 KB line stays readable.
pub fn excerpt(line: &str, column: usize, width: usize) -> String {
    let count = line.chars().count();
    if count <= width {
        return line.to_string();
    }
    let start = column.saturating_sub(width / 2).min(count - width);
    let body: String = line.chars().skip(start).take(width).collect();
    let before = if start > 0 { "…" } else { "" };
    let after = if start + width < count { "…" } else { "" };
    format!("{before}{body}{after}")
}

/// Every file read during one check, so diagnostics can be rendered later.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile::new(path, text));
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file read, in the order read.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_and_bytes_count_characters() {
        let file = SourceFile::new("x.yaml".into(), "a: é\nbé: 2\n".into());
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 1, column: 4 });
        assert_eq!(file.line_col(5), LineCol { line: 2, column: 1 });
        assert_eq!(file.line_col(9), LineCol { line: 2, column: 5 });
        // "é" is two bytes: the second line starts at byte 6.
        assert_eq!(file.byte_offset(5), 6);
        assert_eq!(file.byte_offset(7), 9);
        assert_eq!(file.line_text(2), "bé: 2");
    }

    #[test]
    fn lines_start_after_each_line_break_counted_in_characters_and_bytes() {
        for text in ["", "\n", "a", "é\n\nü😀\r\nx", "a\nb\n", "\u{2028}\n€"] {
            let file = SourceFile::new("x.yaml".into(), text.into());
            let (mut chars, mut bytes) = (vec![0], vec![0]);
            for (i, (b, c)) in text.char_indices().enumerate() {
                if c == '\n' {
                    chars.push(i as u32 + 1);
                    bytes.push(b + 1);
                }
            }
            assert_eq!(file.line_starts, chars, "{text:?}");
            assert_eq!(file.line_byte_starts, bytes, "{text:?}");
        }
    }
}
