//! The HTML version of a message, readable on a phone: one column at most
//! 600 pixels wide, 16-pixel text, styles inline (webmails drop `<style>`),
//! nothing fetched from elsewhere.

/// A whole HTML document around `body` (HTML already), in `language` when
/// known, titled with the subject.
pub fn html_page(body: &str, language: Option<&str>, title: &str) -> String {
    let lang = language.map_or_else(String::new, |l| format!(" lang=\"{}\"", escape(l)));
    format!(
        "<!DOCTYPE html>\n\
         <html{lang}>\n\
         <head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n\
         </head>\n\
         <body style=\"margin:0;padding:0;background-color:#ffffff;\">\n\
         <div style=\"max-width:600px;margin:0 auto;padding:24px 16px;\
         font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2328;\">\n\
         {body}\
         </div>\n\
         </body>\n\
         </html>\n",
        title = escape(title),
        body = body.trim_end().to_owned() + "\n",
    )
}

/// The text as HTML: escaped, a paragraph per block of lines between blank
/// lines, a line break per line, web addresses as links, and a line that is
/// only a short label, a colon and an address (« Valider : https://… ») as
/// a button: the first of a paragraph filled, the next ones outlined.
pub fn text_to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut paragraph: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if !line.trim().is_empty() {
            paragraph.push(line);
            continue;
        }
        let mut lines: Vec<String> = Vec::new();
        let mut buttons = 0;
        for line in paragraph.drain(..) {
            match as_button(line.trim()) {
                Some((label, url)) => {
                    flush(&mut lines, &mut out);
                    out.push_str(&button(label, url, buttons == 0));
                    buttons += 1;
                }
                None => lines.push(linkify(line.trim())),
            }
        }
        flush(&mut lines, &mut out);
    }
    out
}

fn flush(lines: &mut Vec<String>, out: &mut String) {
    if lines.is_empty() {
        return;
    }
    out.push_str("<p style=\"margin:0 0 16px 0;\">");
    out.push_str(&lines.join("<br>\n"));
    out.push_str("</p>\n");
    lines.clear();
}

/// The longest label a button takes; a longer one reads as a sentence.
const BUTTON_LABEL: usize = 60;

/// `(label, address)` when the line is a label, a colon and one address.
fn as_button(line: &str) -> Option<(&str, &str)> {
    let start = find_url(line)?;
    let label = line[..start].trim_end();
    let label = label
        .strip_suffix(':')?
        .trim_end_matches([' ', '\u{a0}', '\u{202f}']);
    let url = line[start..].trim_end_matches('.');
    let one_address = !url.contains(char::is_whitespace) && url.len() > "https://".len();
    let short = !label.is_empty() && label.chars().count() <= BUTTON_LABEL;
    (one_address && short && find_url(label).is_none()).then_some((label, url))
}

/// A button that Outlook (table cell colour and padding), Gmail and Apple
/// Mail (inline styles) all draw, at least 44 pixels high for a finger.
fn button(label: &str, url: &str, filled: bool) -> String {
    let (background, colour) = if filled {
        ("#000091", "#ffffff")
    } else {
        ("#ffffff", "#000091")
    };
    format!(
        "<table role=\"presentation\" border=\"0\" cellpadding=\"0\" cellspacing=\"0\" \
         style=\"margin:0 0 12px 0;border-collapse:separate;\"><tr>\
         <td bgcolor=\"{background}\" style=\"background-color:{background};border:2px solid #000091;\
         border-radius:4px;padding:10px 20px;\">\
         <a href=\"{url}\" style=\"display:inline-block;color:{colour};font-family:Arial,Helvetica,sans-serif;\
         font-size:16px;font-weight:bold;line-height:24px;text-decoration:none;\">{label}</a>\
         </td></tr></table>\n",
        url = escape(url),
        label = escape(label),
    )
}

/// `&`, `<`, `>` and quotes as entities: safe in text and in attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of text, escaped, with its `http://` and `https://` addresses
/// as links. Punctuation that ends a sentence is not part of the address.
fn linkify(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = find_url(rest) {
        out.push_str(&escape(&rest[..start]));
        let tail = &rest[start..];
        let mut end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '«' | '»'))
            .unwrap_or(tail.len());
        while let Some(last) = tail[..end].chars().next_back() {
            let unbalanced = last == ')' && !tail[..end].contains('(');
            if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '’') || unbalanced {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        let url = &tail[..end];
        if url.len() <= "https://".len() {
            out.push_str(&escape(url));
        } else {
            out.push_str(&format!(
                "<a href=\"{0}\" style=\"color:#0b57d0;word-break:break-all;\">{0}</a>",
                escape(url)
            ));
        }
        rest = &tail[end..];
    }
    out.push_str(&escape(rest));
    out
}

fn find_url(text: &str) -> Option<usize> {
    match (text.find("https://"), text.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_line_breaks_links_and_escaping() {
        let html = text_to_html(
            "Bonjour <Aline> & co,\n\nVoir la page https://x.example/v?a=1&b=2.\nMerci\n\n\n(voir http://y.example/p)\n",
        );
        assert_eq!(
            html,
            "<p style=\"margin:0 0 16px 0;\">Bonjour &lt;Aline&gt; &amp; co,</p>\n\
             <p style=\"margin:0 0 16px 0;\">Voir la page <a href=\"https://x.example/v?a=1&amp;b=2\" style=\"color:#0b57d0;word-break:break-all;\">https://x.example/v?a=1&amp;b=2</a>.<br>\nMerci</p>\n\
             <p style=\"margin:0 0 16px 0;\">(voir <a href=\"http://y.example/p\" style=\"color:#0b57d0;word-break:break-all;\">http://y.example/p</a>)</p>\n"
        );
    }

    #[test]
    fn a_labelled_address_on_its_own_line_is_a_button() {
        let html = text_to_html(
            "Merci de répondre :\nValider\u{a0}: https://x.example/v?a=1&b=2\nDemander des modifications : https://x.example/v?r\nÀ bientôt\n\nVoir : https://a.example/ et https://b.example/\n",
        );
        let buttons: Vec<&str> = html.matches("<table role=\"presentation\"").collect();
        assert_eq!(buttons.len(), 2, "{html}");
        assert!(html.starts_with("<p style=\"margin:0 0 16px 0;\">Merci de répondre :</p>\n<table"));
        assert!(html.contains("href=\"https://x.example/v?a=1&amp;b=2\""));
        assert!(html.contains("color:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;line-height:24px;text-decoration:none;\">Valider</a>"));
        assert!(
            html.contains("bgcolor=\"#ffffff\"")
                && html.contains(">Demander des modifications</a>")
        );
        assert!(html.contains("<p style=\"margin:0 0 16px 0;\">À bientôt</p>"));
        // Two addresses on a line, or a sentence before one: links.
        assert!(html.contains("Voir : <a href=\"https://a.example/\""));
    }

    #[test]
    fn a_page_for_phones_with_nothing_external() {
        let page = html_page("<p>x</p>", Some("en"), "A & B");
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(page.contains("<title>A &amp; B</title>"));
        assert!(page.contains("name=\"viewport\""));
        assert!(page.contains("max-width:600px") && page.contains("font-size:16px"));
        assert!(!page.contains("src=") && !page.contains("<link"));
    }
}
