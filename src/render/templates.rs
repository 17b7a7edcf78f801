//! The document templates (minijinja): built into the binary from `templates/`, each
//! replaceable by a file of the same name in a folder given with `--templates`. A missing
//! variable is an error, not a blank, and errors name the template file and line.

use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior};

/// The templates a session's documents are rendered from, by file name.
pub const BUILT_IN: [(&str, &str); 4] = [
    ("minutes.md", include_str!("../../templates/minutes.md")),
    ("summary.md", include_str!("../../templates/summary.md")),
    ("page.html", include_str!("../../templates/page.html")),
    ("review.html", include_str!("../../templates/review.html")),
];

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

pub struct Templates {
    env: Environment<'static>,
    dir: Option<PathBuf>,
}

impl Templates {
    /// The templates, with those in `dir` replacing the built-in ones; every template is
    /// parsed now, so a syntax error shows before any audio is decoded.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        if let Some(d) = dir
            && !d.is_dir()
        {
            return Err(TemplateError(format!("templates folder {} does not exist; give a folder holding minutes.md, summary.md, page.html or review.html", d.display())));
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        let mut t = Templates { env, dir: dir.map(Path::to_path_buf) };
        for (name, built_in) in BUILT_IN {
            let source = match t.user_file(name) {
                Some(path) => std::fs::read_to_string(&path).map_err(|e| TemplateError(format!("cannot read {}: {e}", path.display())))?,
                None => built_in.to_string(),
            };
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
        let file = self.user_file(name).map_or_else(|| format!("built-in template {name}"), |p| p.display().to_string());
        let line = e.line().map_or(String::new(), |l| format!(":{l}"));
        let what = match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        };
        TemplateError(format!("{file}{line}: {what}; fix the template (or delete it to use the built-in one), then run `rapporteur render`"))
    }

    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: &S) -> Result<String, TemplateError> {
        let template = self.env.get_template(name).map_err(|e| self.error(&e))?;
        template.render(ctx).map_err(|e| self.error(&e))
    }
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
}
