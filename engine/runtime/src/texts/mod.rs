//! Built-in texts in the reader's language, through Project Fluent: every
//! sentence Jalon writes itself (notices, digests, pages, refusals) is a
//! message in `fr/*.ftl` and `en/*.ftl`, with its variables and plural
//! rules there, not in code. A message missing from a language is a test
//! failure (`every_message_exists_in_both_languages`); at run time it
//! falls back to French, then to its id.

mod refusal;

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use jalon_definition::resolved::Language;

pub use refusal::{problem_words, refusal};

/// Each language's files; a file per family of texts.
const FRENCH: &[&str] = &[
    include_str!("fr/call.ftl"),
    include_str!("fr/emails.ftl"),
    include_str!("fr/pages.ftl"),
    include_str!("fr/refusals.ftl"),
    include_str!("fr/workspace.ftl"),
];
const ENGLISH: &[&str] = &[
    include_str!("en/call.ftl"),
    include_str!("en/emails.ftl"),
    include_str!("en/pages.ftl"),
    include_str!("en/refusals.ftl"),
    include_str!("en/workspace.ftl"),
];

type Bundle = FluentBundle<FluentResource>;

fn bundle(tag: &str, sources: &[&str]) -> Bundle {
    let language = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Plain text, emails and HTML escaped by the caller: no Unicode
    // isolation marks around values.
    bundle.set_use_isolating(false);
    for source in sources {
        // The files are ours and tested: a broken one shows as missing
        // messages in the tests, never as a crash.
        let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(r, _)| r);
        let _ = bundle.add_resource(resource);
    }
    bundle
}

static BUNDLES: LazyLock<[Bundle; 2]> =
    LazyLock::new(|| [bundle("fr", FRENCH), bundle("en", ENGLISH)]);

fn of(language: Language) -> &'static Bundle {
    match language {
        Language::Fr => &BUNDLES[0],
        Language::En => &BUNDLES[1],
    }
}

/// The arguments of a message: `args![("name", value), …]`.
pub struct Args<'a>(FluentArgs<'a>);

impl<'a> Args<'a> {
    pub fn new() -> Self {
        Args(FluentArgs::new())
    }

    /// A text value.
    pub fn text(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.0.set(name, FluentValue::from(value.into()));
        self
    }

    /// A number (plural forms are chosen from it).
    pub fn number(mut self, name: &'a str, value: usize) -> Self {
        self.0.set(name, FluentValue::from(value));
        self
    }
}

impl Default for Args<'_> {
    fn default() -> Self {
        Args::new()
    }
}

/// The message `id` in `language`, with `args`.
pub fn text(language: Language, id: &str, args: &Args<'_>) -> String {
    let found = [of(language), of(Language::Fr)]
        .into_iter()
        .find_map(|bundle| Some((bundle, bundle.get_message(id)?.value()?)));
    let Some((bundle, pattern)) = found else {
        return id.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&args.0), &mut errors)
        .into_owned()
}

/// A message without arguments.
pub fn plain(language: Language, id: &str) -> String {
    text(language, id, &Args::new())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn ids(sources: &[&str]) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for source in sources {
            let resource = match FluentResource::try_new((*source).to_owned()) {
                Ok(resource) => resource,
                Err((_, errors)) => panic!("a .ftl file does not parse: {errors:?}"),
            };
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(message) = entry {
                    ids.insert(message.id.name.to_owned());
                }
            }
        }
        ids
    }

    #[test]
    fn every_kind_of_message_has_its_words() {
        let french = ids(FRENCH);
        for kind in jalon_definition::resolved::MessageKind::ALL {
            for id in [
                format!("kind-{}", kind.as_str()),
                format!("ws-kind-{}", kind.as_str().replace('_', "-")),
            ] {
                assert!(french.contains(&id), "no `{id}`");
            }
        }
    }

    #[test]
    fn every_message_exists_in_both_languages() {
        let (french, english) = (ids(FRENCH), ids(ENGLISH));
        assert!(!french.is_empty());
        let only_french: Vec<_> = french.difference(&english).collect();
        let only_english: Vec<_> = english.difference(&french).collect();
        assert!(only_french.is_empty(), "not in English: {only_french:?}");
        assert!(only_english.is_empty(), "not in French: {only_english:?}");
    }

    #[test]
    fn plurals_follow_each_language_and_values_carry_no_isolation_marks() {
        let one = Args::new().number("count", 1);
        let two = Args::new().number("count", 2);
        let zero = Args::new().number("count", 0);
        assert_eq!(text(Language::Fr, "test-plural", &zero), "0 validation");
        assert_eq!(text(Language::Fr, "test-plural", &one), "1 validation");
        assert_eq!(text(Language::Fr, "test-plural", &two), "2 validations");
        assert_eq!(text(Language::En, "test-plural", &zero), "0 validations");
        assert_eq!(text(Language::En, "test-plural", &one), "1 validation");
        let named = Args::new().text("name", "Ana");
        assert_eq!(text(Language::Fr, "test-hello", &named), "Bonjour Ana");
        assert_eq!(plain(Language::En, "no-such-message"), "no-such-message");
    }
}
