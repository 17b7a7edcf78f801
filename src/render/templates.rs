//! The document templates (minijinja): built into the binary from `templates/`, each
//! replaceable by a file of the same name in a folder given with `--templates`. A missing
//! variable is an error, not a blank, and errors name the template file and line.
//!
//! Every value is data in every template, the user's own included: `.html` templates escape
//! what they insert as HTML and `.md` templates as Markdown (`markdown`), without the
//! template having to ask; `| safe` inserts a value as is. Every HTML page gets a
//! Content-Security-Policy allowing only the template's own scripts (`csp`).

pub mod csp;
pub mod markdown;

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior, Value};

use csp::ScriptMark;

/// The auto-escape mode of the `.md` templates.
const MARKDOWN: AutoEscape = AutoEscape::Custom("markdown");

/// The templates a session's documents and the catalog page are rendered from, by file name.
pub const BUILT_IN: [(&str, &str); 5] = [
    ("minutes.md", include_str!("../../templates/minutes.md")),
    ("summary.md", include_str!("../../templates/summary.md")),
    ("page.html", include_str!("../../templates/page.html")),
    ("review.html", include_str!("../../templates/review.html")),
    ("catalog.html", include_str!("../../templates/catalog.html")),
];

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

pub struct Templates {
    env: Environment<'static>,
    dir: Option<PathBuf>,
    scripts: ScriptMark,
}

/// Auto-escape by file name: Markdown for `.md`, HTML for `.html`.
fn auto_escape(name: &str) -> AutoEscape {
    if name.ends_with(".md") { MARKDOWN } else { minijinja::default_auto_escape_callback(name) }
}

/// How `{{ value }}` is written: escaped for the template's kind unless marked safe.
fn format(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    // A custom formatter takes over minijinja's own check for a missing variable.
    if value.is_undefined() && state.undefined_behavior() == UndefinedBehavior::Strict {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if state.auto_escape() == MARKDOWN && !value.is_safe() {
        let text = if value.is_number() || value.is_none() || value.kind() == minijinja::value::ValueKind::Bool {
            value.to_string()
        } else {
            markdown::escape(&value.to_string())
        };
        return out.write_str(&text).map_err(Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

impl Templates {
    /// The templates, with those in `dir` replacing the built-in ones; every template is
    /// parsed now, so a syntax error shows before any audio is decoded.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        if let Some(d) = dir
            && !d.is_dir()
        {
            return Err(TemplateError(format!(
                "templates folder {} does not exist; give a folder holding minutes.md, summary.md, page.html or review.html",
                d.display()
            )));
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_auto_escape_callback(auto_escape);
        env.set_formatter(format);
        let mut t = Templates { env, dir: dir.map(Path::to_path_buf), scripts: ScriptMark::new() };
        for (name, built_in) in BUILT_IN {
            let mut source = match t.user_file(name) {
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|e| TemplateError(format!("cannot read {}: {e}", path.display())))?,
                None => built_in.to_string(),
            };
            if is_html(name) {
                source = t.scripts.mark(&source);
            }
            t.env.add_template_owned(name, source).map_err(|e| t.error(&e))?;
        }
        Ok(t)
    }

    fn user_file(&self, name: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(name)).filter(|p| p.is_file())
    }

    /// `file:line: what; the fix`, naming the user's file or the built-in one.
    fn error(&self, e: &minijinja::Error) -> TemplateError {
        let name = e.name().unwrap_or("template");
        let file =
            self.user_file(name).map_or_else(|| format!("built-in template {name}"), |p| p.display().to_string());
        let line = e.line().map_or(String::new(), |l| format!(":{l}"));
        let what = match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        };
        TemplateError(format!(
            "{file}{line}: {what}; fix the template (or delete it to use the built-in one), then run `rapporteur render`"
        ))
    }

    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: &S) -> Result<String, TemplateError> {
        let template = self.env.get_template(name).map_err(|e| self.error(&e))?;
        let text = template.render(ctx).map_err(|e| self.error(&e))?;
        Ok(if is_html(name) { self.scripts.seal(&text) } else { text })
    }
}

fn is_html(name: &str) -> bool {
    name.ends_with(".html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_users_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("minutes.md"), "# {{ session.title }}\n\n{{ nonsense.field }}\n").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let e = t.render("minutes.md", &serde_json::json!({"session": {"title": "T"}})).unwrap_err();
        let path = dir.path().join("minutes.md").display().to_string();
        assert!(e.0.starts_with(&format!("{path}:3: undefined value")), "{e}");

        std::fs::write(dir.path().join("summary.md"), "line one\n{% for x in %}\n").unwrap();
        let e = Templates::load(Some(dir.path())).err().unwrap();
        assert!(e.0.starts_with(&format!("{}:2: syntax error", dir.path().join("summary.md").display())), "{e}");
        assert!(Templates::load(Some(&dir.path().join("missing"))).is_err());
    }

    #[test]
    fn every_value_is_data_in_the_users_own_templates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("minutes.md"),
            "# {{ title }}\n\n| Voice | Share |\n|---|---|\n| {{ name }} | {{ share }}% |\n\n{{ line }}\n\n- {{ item }} ([00:00:01]({{ href }}))\n\n{{ trusted | safe }}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("page.html"),
            "<html><head><title>{{ title }}</title></head><body>{{ body }}<script>go()</script></body></html>",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let href = crate::render::context::href(Path::new("a b (1)#2?.wav")).at(1.0);
        let ctx = minijinja::context! {
            title => "x_y_z *draft* #1 <b>bold</b>", name => "Jane Doe | UNHCR\nsecond line", share => 18,
            line => "# Not a heading [x](javascript:alert(1)) ![i](http://example.com/t.png)", item => "- 1. > nested",
            trusted => "*kept*", href => href,
        };
        let md = t.render("minutes.md", &ctx).unwrap();
        let html = crate::render::html::body(&md);
        // One heading, one two-cell row, one list item, one link (the code's own href), no
        // markup from the values, and every value's text intact.
        assert_eq!(html.matches("<h1>").count(), 1, "{md}\n{html}");
        assert!(html.contains("<td>Jane Doe | UNHCR second line</td><td>18%</td>"), "{html}");
        assert_eq!(
            (html.matches("<li>").count(), html.matches("<ul>").count(), html.matches("<a ").count()),
            (1, 1, 1),
            "{html}"
        );
        assert!(html.contains(r#"<a href="./a%20b%20%281%29%232%3F.wav#t=1.0">00:00:01</a>"#), "{html}");
        assert!(
            html.contains("x_y_z *draft* #1 &lt;b&gt;bold&lt;/b&gt;") && html.contains("- 1. &gt; nested"),
            "{html}"
        );
        assert!(html.contains("# Not a heading [x](javascript:alert(1)) ![i](http://example.com/t.png)"), "{html}");
        assert!(
            !html.contains("<img") && !html.contains("<b>") && html.contains("<em>kept</em>"),
            "| safe is as is: {html}"
        );

        // HTML templates escape as HTML, and the page allows its own script only.
        let page = t
            .render("page.html", &minijinja::context! { title => "<script>alert(1)</script>", body => "<i>" })
            .unwrap();
        assert!(
            page.contains("<title>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</title>")
                && page.contains("<body>&lt;i&gt;"),
            "{page}"
        );
        assert!(page.starts_with("<html><head>\n<meta http-equiv=\"Content-Security-Policy\""), "{page}");
        assert!(page.contains(&format!("script-src {}\">", csp_hash("go()"))), "{page}");

        // A missing variable is an error with the custom formatter too.
        std::fs::write(dir.path().join("summary.md"), "{{ nonsense }}\n").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        assert!(t.render("summary.md", &ctx).unwrap_err().0.contains("summary.md:1: undefined value"));
    }

    fn csp_hash(script: &str) -> String {
        use base64::Engine;
        use sha2::Digest;
        format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script)))
    }
}
