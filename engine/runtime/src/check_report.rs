//! Printing a check report: for people (the offending line, a caret, a hint)
//! or as JSON for editors and tools.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use jalon_definition::source::{excerpt, FileId, Sources, Span};
use jalon_definition::{Diagnostic, Report, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

/// Lines longer than this are shown as an excerpt around the problem.
const LONG_LINE: usize = 160;

pub fn text(report: &Report, color: bool) -> String {
    let mut out = problems(report, color);
    let files = report.checked.len();
    let files = format!("{files} file{}", if files == 1 { "" } else { "s" });
    match (report.errors(), report.warnings()) {
        (0, 0) => out.push_str(&format!("✓ {files} checked, no problems\n")),
        (e, w) => out.push_str(&format!(
            "{} and {} in {files}\n",
            count(e, "error"),
            count(w, "warning")
        )),
    }
    out
}

/// Each diagnostic with its place, snippet and hint, without the closing
/// count (for reports that are not about definition files).
pub fn problems(report: &Report, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1);
    let mut out = String::new();
    // Each file's text is shared by all its diagnostics, not copied for each.
    let mut texts: HashMap<FileId, Arc<str>> = HashMap::new();
    for diagnostic in &report.diagnostics {
        let shown = Shown::new(diagnostic, &report.sources, &mut texts);
        if let Some(place) = place(&report.sources, diagnostic.span) {
            out.push_str(&format!(
                "{}[{}]: {}\n",
                severity_word(diagnostic.severity),
                diagnostic.code,
                place
            ));
        }
        if handler.render_report(&mut out, &shown).is_err() {
            out.push_str(&diagnostic.message);
        }
        if let (None, Some(span)) = (&shown.source, diagnostic.span) {
            let file = report.sources.get(span.file);
            let at = file.line_col(span.start);
            out.push_str(&format!(
                "  {} │ {}\n",
                at.line,
                excerpt(&visible(file.line_text(at.line)), at.column, LONG_LINE)
            ));
        }
        for (span, note) in &diagnostic.related {
            if Some(span.file) != diagnostic.span.map(|s| s.file) {
                if let Some(place) = place(&report.sources, Some(*span)) {
                    out.push_str(&format!("  note: {note} ({place})\n"));
                }
            }
        }
        out.push('\n');
    }
    out
}

fn count(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `path:line:col`, the form editors and terminals turn into links.
fn place(sources: &Sources, span: Option<Span>) -> Option<String> {
    let span = span?;
    let file = sources.get(span.file);
    let at = file.line_col(span.start);
    Some(format!("{}:{}:{}", file.path.display(), at.line, at.column))
}

/// A diagnostic with its source, in the form miette draws.
struct Shown<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<CharColumns>,
    labels: Vec<LabeledSpan>,
}

/// A file as miette reads it, but with columns counted in characters, as
/// in the `file:line:col` line above the snippet (miette counts bytes, so
/// `À rendre le {{ due }` would be a column off).
struct CharColumns {
    text: Arc<str>,
    named: NamedSource<Arc<str>>,
}

impl SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self.named.read_span(span, before, after)?;
        // With context lines, contents start at a line's start: column 0.
        if before > 0 || contents.column() == 0 {
            return Ok(contents);
        }
        let start = span.offset().min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = self
            .text
            .get(line_start..start)
            .map_or(contents.column(), |t| t.chars().count());
        let name = contents.name().unwrap_or_default().to_owned();
        Ok(Box::new(MietteSpanContents::new_named(
            name,
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

impl<'a> Shown<'a> {
    fn new(
        diagnostic: &'a Diagnostic,
        sources: &Sources,
        texts: &mut HashMap<FileId, Arc<str>>,
    ) -> Self {
        let Some(span) = diagnostic.span else {
            return Self {
                diagnostic,
                source: None,
                labels: Vec::new(),
            };
        };
        let file = sources.get(span.file);
        let at = file.line_col(span.start);
        if file.line_text(at.line).chars().count() > LONG_LINE {
            // Too long to draw: `text()` prints a clipped excerpt instead.
            return Self {
                diagnostic,
                source: None,
                labels: Vec::new(),
            };
        }
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            diagnostic.label.clone(),
            byte_span(sources, span),
        )];
        for (related, note) in &diagnostic.related {
            if related.file == span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(note.clone()),
                    byte_span(sources, *related),
                ));
            }
        }
        let text = texts
            .entry(span.file)
            .or_insert_with(|| Arc::from(visible(&file.text)))
            .clone();
        Self {
            diagnostic,
            source: Some(CharColumns {
                named: NamedSource::new(file.path.display().to_string(), text.clone())
                    .with_language("yaml"),
                text,
            }),
            labels,
        }
    }
}

/// The text with its bidirectional controls shown as U+FFFD, so that a
/// snippet reads on the terminal in the order it is written. Each is
/// replaced by a character of the same length in bytes: spans stay put.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => {
                '\u{FFFD}'
            }
            // Two bytes, like the Arabic letter mark it stands for.
            '\u{061C}' => '\u{00BF}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod visible_tests {
    #[test]
    fn bidi_controls_are_shown_and_offsets_kept() {
        let text = "name: a\u{202E}b\u{2066}c\u{061C}d";
        let shown = super::visible(text);
        assert_eq!(shown, "name: a\u{FFFD}b\u{FFFD}c\u{BF}d");
        assert_eq!(shown.len(), text.len());
    }
}

/// Byte range of a span, cut to its first line so a label under a whole
/// mapping stays readable.
fn byte_span(sources: &Sources, span: Span) -> SourceSpan {
    let file = sources.get(span.file);
    let start = file.byte_offset(span.start).min(file.text.len());
    let end = file.byte_offset(span.end).min(file.text.len()).max(start);
    let line_end = file.text[start..]
        .find('\n')
        .map_or(file.text.len(), |i| start + i);
    let end = end.min(line_end).max(start + usize::from(start < line_end));
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diagnostic
            .hint
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    files: Vec<String>,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    snippet: Option<String>,
    label: Option<&'a str>,
    hint: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: String,
    line: usize,
    column: usize,
    message: &'a str,
}

pub fn json(report: &Report) -> String {
    let sources = &report.sources;
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| {
            let located = d.span.map(|span| {
                let file = sources.get(span.file);
                let (start, end) = (file.line_col(span.start), file.line_col(span.end));
                (file, start, end)
            });
            JsonDiagnostic {
                severity: severity_word(d.severity),
                code: d.code,
                message: &d.message,
                file: located
                    .as_ref()
                    .map(|(f, _, _)| f.path.display().to_string()),
                line: located.as_ref().map(|(_, s, _)| s.line),
                column: located.as_ref().map(|(_, s, _)| s.column),
                end_line: located.as_ref().map(|(_, _, e)| e.line),
                end_column: located.as_ref().map(|(_, _, e)| e.column),
                snippet: located
                    .as_ref()
                    .map(|(f, s, _)| excerpt(f.line_text(s.line), s.column, LONG_LINE)),
                label: d.label.as_deref(),
                hint: d.hint.as_deref(),
                related: d
                    .related
                    .iter()
                    .map(|(span, message)| {
                        let file = sources.get(span.file);
                        let at = file.line_col(span.start);
                        JsonRelated {
                            file: file.path.display().to_string(),
                            line: at.line,
                            column: at.column,
                            message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let report = JsonReport {
        files: report
            .checked
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        errors: report.errors(),
        warnings: report.warnings(),
        diagnostics,
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
