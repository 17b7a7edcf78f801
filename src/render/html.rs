//! HTML versions of the Markdown documents: the Markdown rendered by pulldown-cmark, set into
//! the `page.html` template (which holds the look: styles, print layout).
//!
//! The Markdown is data too: raw HTML in it is shown as text, and only links the pages can
//! safely follow are kept (relative, `http`, `https`, `mailto`); a picture must be a relative
//! file, since fetching a remote one would break the promise that the pages use no network.
//! Anything else keeps its text and loses its link.

use minijinja::Value;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use super::templates::{TemplateError, Templates};

/// Markdown as HTML (tables included).
pub fn body(markdown: &str) -> String {
    let mut body = String::new();
    html::push_html(&mut body, safe(Parser::new_ext(markdown, Options::ENABLE_TABLES)));
    body
}

/// `body` (HTML made by [`body`]) set into the page template.
pub fn page(templates: &Templates, title: &str, body: &str) -> Result<String, TemplateError> {
    templates
        .render("page.html", &minijinja::context! { title => title, body => Value::from_safe_string(body.to_string()) })
}

/// Markdown `events` with raw HTML as text, and links and pictures whose target is not allowed
/// as their text alone. Shared with the Word minutes.
pub fn safe<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    // For each link or picture open: whether it was dropped (its end goes too).
    let mut dropped: Vec<bool> = Vec::new();
    events.filter_map(move |event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link { ref dest_url, .. }) | Event::Start(Tag::Image { ref dest_url, .. }) => {
            let image = matches!(event, Event::Start(Tag::Image { .. }));
            let allowed = if image { picture_allowed(dest_url) } else { link_allowed(dest_url) };
            dropped.push(!allowed);
            allowed.then_some(event)
        }
        Event::End(TagEnd::Link | TagEnd::Image) => (!dropped.pop().unwrap_or(false)).then_some(event),
        other => Some(other),
    })
}

/// A link target the pages may keep: relative, `http`, `https` or `mailto`.
pub fn link_allowed(url: &str) -> bool {
    match scheme(url) {
        Some(s) => ["http", "https", "mailto"].iter().any(|a| s.eq_ignore_ascii_case(a)),
        None => !network_path(url),
    }
}

/// A picture the pages may show: a relative file, never one from the network.
pub fn picture_allowed(url: &str) -> bool {
    scheme(url).is_none() && !network_path(url)
}

/// As a browser reads `url`: without the spaces and controls around it and the tabs and line
/// breaks inside it.
fn as_read(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect()
}

/// The URL's scheme (`javascript` in `JavaScript:…`), if it has one.
fn scheme(url: &str) -> Option<String> {
    let url = as_read(url);
    let colon = url.find(':')?;
    let name = &url[..colon];
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| name.to_string())
}

/// `//host/…` (or with backslashes, which browsers read as slashes): another machine.
fn network_path(url: &str) -> bool {
    let url = as_read(url);
    let mut chars = url.chars();
    matches!((chars.next(), chars.next()), (Some('/' | '\\'), Some('/' | '\\')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text_and_only_safe_targets_stay_links() {
        let md = "<script>alert(1)</script>\n\nSay <img src=x onerror=alert(2)> [ok](./a%20b.wav#t=1.0) [web](HTTPS://example.org) [mail](mailto:a@b.org) \
                  [js](javascript:alert(3)) [js2](<JaVa\tScRiPt:alert(4)>) [data](data:text/html,x) [far](//evil.example/x) [v](vbscript:x) <javascript:alert(5)>\n\n\
                  ![timeline](timeline.svg) ![remote](http://example.com/t.png) ![far](//evil/x.png) ![far2](\\\\\\\\evil/x.png) ![data](data:image/png;base64,AA)\n";
        let html = body(md);
        // Every address left on the page: the allowed ones, nothing else.
        let targets: Vec<&str> = html
            .split(['"'])
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|w| w[0].ends_with("href=") || w[0].ends_with("src="))
            .map(|w| w[1])
            .collect();
        assert_eq!(targets, ["./a%20b.wav#t=1.0", "HTTPS://example.org", "mailto:a@b.org", "timeline.svg"], "{html}");
        assert!(!html.contains("<script") && !html.contains("<img src=x"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                && html.contains("&lt;img src=x onerror=alert(2)&gt;"),
            "{html}"
        );
        // Dropped links and pictures keep their text.
        for text in ["js js2 data far v javascript:alert(5)", "remote far far2 data"] {
            assert!(html.contains(text), "{text} in {html}");
        }
        assert_eq!(html.matches("<a ").count(), 3, "{html}");
        assert_eq!(html.matches("<img ").count(), 1, "{html}");
    }
}
