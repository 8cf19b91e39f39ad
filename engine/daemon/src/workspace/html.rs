//! The workspace's page frame: a bar with the way home and the sign-out
//! button, the page's words in the reader's language, every value escaped.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use jalon_definition::resolved::Language;
use jalon_runtime::texts::plain;

use super::Signed;
use crate::response::{escape, page_with};

/// A whole page. `body` is HTML whose values the caller escaped.
pub fn frame(language: Language, title: &str, signed: Option<&Signed>, body: &str) -> String {
    let mut bar = String::from("<header class=\"bar\"><nav><a href=\"/\">Jalon</a>");
    if let Some(signed) = signed {
        bar.push_str(&format!(
            "</nav>\
             <form method=\"post\" action=\"/deconnexion\"><span class=\"muted\">{}</span> \
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button type=\"submit\">{}</button></form>",
            escape(&signed.viewer.name),
            escape(&signed.csrf),
            escape(&plain(language, "ws-sign-out")),
        ));
    } else {
        bar.push_str("</nav>");
    }
    bar.push_str("</header>\n");
    page_with(language.as_str(), title, "wide", &bar, body)
}

/// A paragraph of text.
pub fn para(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

/// `303 See Other` to `to` (after a POST, or to the sign-in page).
pub fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// A path segment or query value, percent-encoded.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The opening of a box holding a table, which scrolls sideways when the
/// table is wider than the page: the keyboard reaches it (`tabindex`), and
/// it is named by `label` for who lands there. Closed by `</div>`.
pub fn scroll_box(label: &str) -> String {
    format!(
        "<div class=\"scroll\" role=\"region\" aria-label=\"{}\" tabindex=\"0\">",
        escape(label)
    )
}
