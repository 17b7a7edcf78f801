//! HTML versions of the Markdown documents: the Markdown rendered by pulldown-cmark, set into
//! the `page.html` template (which holds the look: styles, print layout).

use minijinja::Value;
use pulldown_cmark::{Options, Parser, html};

use super::templates::{TemplateError, Templates};

/// Markdown as HTML (tables included).
pub fn body(markdown: &str) -> String {
    let mut body = String::new();
    html::push_html(&mut body, Parser::new_ext(markdown, Options::ENABLE_TABLES));
    body
}

/// `body` (HTML made by [`body`]) set into the page template.
pub fn page(templates: &Templates, title: &str, body: &str) -> Result<String, TemplateError> {
    templates.render("page.html", &minijinja::context! { title => title, body => Value::from_safe_string(body.to_string()) })
}
