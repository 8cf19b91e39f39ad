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

/// Longest name (in characters) a suggestion is looked for, or offered.
/// Typos are made in words, not in 20,000-character generated ids.
pub const SUGGESTION_MAX_LEN: usize = 64;

/// Work one suggestion may cost, in character pairs compared (the
/// similarity is quadratic): a few hundred candidates of usual length.
const SUGGESTION_BUDGET: usize = 200_000;

/// "did you mean `x`?" when a known name is close enough to be a typo.
///
/// Bounded whatever the input: names longer than [`SUGGESTION_MAX_LEN`]
/// are neither looked up nor offered, candidates whose length differs too
/// much are skipped before any comparison, and the comparisons stop when
/// their cost reaches a fixed budget.
pub fn did_you_mean<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if wrong.len() > 4 * SUGGESTION_MAX_LEN {
        return None;
    }
    let length = wrong.chars().count();
    if length > SUGGESTION_MAX_LEN {
        return None;
    }
    let slack = (length / 2).max(3);
    let mut budget = SUGGESTION_BUDGET;
    let mut best: Option<(f64, &str)> = None;
    for candidate in known {
        if candidate.len() > 4 * SUGGESTION_MAX_LEN {
            continue;
        }
        let other = candidate.chars().count();
        if other > SUGGESTION_MAX_LEN || other.abs_diff(length) > slack {
            continue;
        }
        let cost = (length * other).max(1);
        if cost > budget {
            break;
        }
        budget -= cost;
        let score = strsim::jaro_winkler(wrong, candidate);
        if score > 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, k)| k)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(did_you_mean("jurry", ["jury", "sourcing"]), Some("jury"));
        assert_eq!(did_you_mean("xyz", ["jury", "sourcing"]), None);
    }

    #[test]
    fn suggestions_are_bounded_on_huge_names() {
        let long = "a".repeat(100_000);
        let near = format!("{long}b");
        let started = std::time::Instant::now();
        assert_eq!(did_you_mean(&long, [near.as_str()]), None);
        let ids: Vec<String> = (0..40)
            .map(|i| format!("{}{i}", "s".repeat(20_000)))
            .collect();
        for id in &ids {
            assert_eq!(did_you_mean(id, ids.iter().map(String::as_str)), None);
        }
        let many: Vec<String> = (0..100_000).map(|i| format!("stage-{i}")).collect();
        did_you_mean("stage-x", many.iter().map(String::as_str));
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
    }
}
