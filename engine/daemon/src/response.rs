//! The daemon's web pages: escaping, the page frame, and the headers every
//! response carries. Pages are small, readable on a phone, and run no
//! script: the content security policy allows nothing but their own style.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::digest;

/// Names, comments and titles come from people and definitions: escaped
/// as the emails' HTML is, never taken as markup.
pub use jalon_message::escape;

/// The only style of the pages, allowed by its hash in the policy.
///
/// Buttons, fields and the action links are at least 44 px tall (2.75rem),
/// to be tapped with a finger. Tables keep whole words (a long one breaks
/// rather than overflows) and scroll in their box when still too wide; the
/// timeline scrolls in its own, its names column staying in view.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;\
padding:1rem;line-height:1.5;color:#1b1b1b}body.wide{max-width:72rem}h1{font-size:1.4rem}\
h2{font-size:1.15rem;margin-top:1.6rem}table{border-collapse:collapse;width:100%;font-size:.9rem}\
td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top;\
overflow-wrap:break-word}textarea{width:100%;box-sizing:border-box;font:inherit;padding:.4rem}\
button{font:inherit;min-height:2.75rem;padding:.5rem 1.2rem;margin:.3rem .3rem .3rem 0;\
border:1px solid #555;border-radius:.3rem;background:#fff;color:#1b1b1b;cursor:pointer}\
button.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}\
.error{color:#b91c1c;font-weight:bold}.muted{color:#555}.late{color:#b91c1c}a{color:#1d4ed8}\
header.bar{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:center;\
justify-content:space-between;border-bottom:1px solid #ddd;margin-bottom:1rem}\
header.bar form{margin:0;display:flex;flex-wrap:wrap;align-items:center;gap:0 .5rem}\
header.bar button{padding:.3rem .8rem}nav a{display:inline-flex;align-items:center;\
min-height:2.75rem;font-weight:bold}\
.scroll{overflow-x:auto}ul.cards{padding:0}ul.cards>li{list-style:none;border:1px solid #ddd;\
border-radius:.3rem;padding:.6rem .8rem;margin:.5rem 0}.tag{display:inline-block;\
padding:0 .4rem;border-radius:.2rem;background:#eee;font-size:.85rem}.tag.late{background:#fde8e8;\
color:#9b1c1c}label{display:block;margin-top:.8rem;font-weight:600}input,select{font:inherit;\
padding:.4rem;width:100%;box-sizing:border-box;min-height:2.75rem}pre{white-space:pre-wrap;font-family:inherit;\
overflow-wrap:anywhere;background:#f6f6f6;padding:.6rem}\
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem .5rem;margin:.6rem 0 .2rem}\
.actions button{margin:0}.actions a{display:inline-flex;align-items:center;box-sizing:border-box;\
min-height:2.75rem;padding:.2rem .9rem;border:1px solid #1d4ed8;border-radius:.3rem;\
text-decoration:none;background:#fff}.actions a:hover,.actions a:focus{background:#eff6ff;\
text-decoration:underline}.timeline{overflow-x:auto;border:1px solid #ddd}\
.timeline-rows{display:flex;width:max-content}.timeline-rows svg{display:block;flex:none}\
.timeline-labels{position:sticky;left:0;z-index:1}ul.legend{display:flex;flex-wrap:wrap;\
gap:.2rem 1.4rem;list-style:none;padding:.4rem 0;margin:0;font-size:.85rem}\
ul.legend li{display:flex;align-items:center;gap:.4rem}fieldset{border:1px solid #ddd;\
border-radius:.3rem;margin:1rem 0;padding:.2rem .8rem .8rem}legend{font-weight:bold;padding:0 .3rem}\
.notice{border-left:4px solid #b45309;background:#fffbeb;padding:.4rem .8rem}\
.hp{position:absolute;left:-100rem;width:1px;height:1px;overflow:hidden}\
.hint{color:#555;margin:.1rem 0}.field-error{color:#b91c1c;font-weight:bold;margin:.1rem 0}";

/// No scripts, no frames, no plugins; forms post back to this site only.
static POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = STANDARD.encode(digest::digest(&digest::SHA256, STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'"
    )
});

/// A whole page: `body` is already HTML (its parts escaped by the caller).
/// It is the page's `main` landmark, where assistive technologies go
/// straight to the content.
pub fn page(language: &str, title: &str, body: &str) -> String {
    page_with(language, title, "", "", body)
}

/// [`page`] with a class on the body (`wide` for the workspace's desktop)
/// and a banner above the main content (HTML, escaped by the caller).
pub fn page_with(language: &str, title: &str, class: &str, banner: &str, body: &str) -> String {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{}\"", escape(class))
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{language}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{title}</title><style>{STYLE}</style></head>\n<body{class}>\n{banner}<main>\n{body}\n</main>\n</body></html>\n",
        title = escape(title),
    )
}

/// A page with its status.
pub fn respond(status: StatusCode, html: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// Set on every response: nothing is cached (a link's page says whether
/// it was used), no address leaks through a referrer (it holds a token),
/// no page is framed or runs a script.
pub async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if headers.contains_key(header::CONTENT_DISPOSITION) {
        // A download: were a browser to show it anyway, as a sandboxed
        // page that runs nothing and belongs to no origin.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox; default-src 'none'"),
        );
    } else if let Ok(policy) = HeaderValue::from_str(&POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_and_comments_is_shown_as_text() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("Élodie — « ok »"), "Élodie — « ok »");
        let html = page("fr", "<b>Titre</b>", "<p>corps</p>");
        assert!(
            html.contains("<title>&lt;b&gt;Titre&lt;/b&gt;</title>"),
            "{html}"
        );
        assert!(html.contains("name=\"viewport\""));
        assert!(html.contains("<main>\n<p>corps</p>\n</main>"), "{html}");
    }

    #[test]
    fn the_policy_allows_the_pages_own_style_and_no_script() {
        let policy = POLICY.as_str();
        assert!(policy.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!policy.contains("script-src") && !policy.contains("unsafe"));
    }
}
