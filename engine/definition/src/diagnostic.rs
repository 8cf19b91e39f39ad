//! What the checker reports: located problems in plain words, with a hint.

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in a definition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier (`unknown-key`, `dependency-cycle`…) for tools and docs.
    pub code: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
    /// Where; `None` only for problems with no place in a file (a missing file).
    pub span: Option<Span>,
    /// The label drawn under the snippet.
    pub label: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// Other places that explain the problem (the first definition of a duplicate, a cycle's steps).
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: None,
            hint: None,
            related: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn related(mut self, span: Option<Span>, note: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.related.push((span, note.into()));
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// "did you mean `x`?" when a known name is close enough to be a typo.
pub fn did_you_mean<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(wrong, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// A hint listing what is allowed, with a suggestion first when one is close.
pub fn suggestion_hint(wrong: &str, known: &[&str], what: &str) -> String {
    match did_you_mean(wrong, known.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None if known.is_empty() => format!("no {what} is defined yet"),
        None if known.len() <= 12 => format!(
            "known {what}s: {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "there are {} known {what}s; check the spelling",
            known.len()
        ),
    }
}
