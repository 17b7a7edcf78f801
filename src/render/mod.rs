//! Documents rendered from a session record: the transcripts (one exporter per format behind
//! one trait) and the templated documents (minutes and summary as Markdown, HTML and Word, and
//! the review page with its charts).

pub mod charts;
pub mod context;
pub mod docx;
pub mod html;
pub mod review;
pub mod rttm;
pub mod templates;
pub mod transcript;

use std::path::{Path, PathBuf};

use crate::fsutil::write_atomic;
use crate::session::SessionRecord;
use crate::session::naming::Named;
use crate::themes::taxonomy::{self, Taxonomy};
use templates::Templates;

pub trait Exporter {
    fn file_name(&self) -> &'static str;
    /// Whether the session has what this document shows (speakers.rttm needs speakers).
    fn applies(&self, _session: &SessionRecord) -> bool {
        true
    }
    fn render(&self, session: &SessionRecord) -> String;
}

pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![Box::new(transcript::Text), Box::new(transcript::Srt), Box::new(transcript::Vtt), Box::new(rttm::Rttm)]
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template or taxonomy is wrong: the message names its file and line.
    #[error("{0}")]
    Input(String),
    #[error("cannot write to {dir}: {error}; check free space and permissions")]
    Write { dir: String, error: std::io::Error },
}

/// The templates and theme taxonomies documents are made with: built in, or from a folder
/// given with `--templates`. Loaded (and checked) once for any number of sessions.
pub struct Documents {
    templates: Templates,
    taxonomies: Vec<Taxonomy>,
}

impl Documents {
    pub fn load(dir: Option<&Path>) -> Result<Documents, RenderError> {
        let templates = Templates::load(dir).map_err(|e| RenderError::Input(e.0))?;
        let taxonomies = taxonomy::load(dir).map_err(|e| RenderError::Input(e.0))?;
        Ok(Documents { templates, taxonomies })
    }

    /// Every document of the session, as (file name, content), or the first template error.
    pub fn render(&self, dir: &Path, named: &Named) -> Result<Vec<(&'static str, Vec<u8>)>, RenderError> {
        let record = &named.record;
        let mut docs: Vec<(&'static str, Vec<u8>)> = Vec::new();
        for e in exporters().iter().filter(|e| e.applies(record)) {
            docs.push((e.file_name(), e.render(record).into_bytes()));
        }
        let ctx = context::build(dir, named, &self.taxonomies);
        let input = |e: templates::TemplateError| RenderError::Input(e.0);
        let minutes = self.templates.render("minutes.md", &ctx).map_err(input)?;
        let summary = self.templates.render("summary.md", &ctx).map_err(input)?;
        let title = &ctx.session.title;
        // As HTML once, for minutes.html and summary.html and for the review page.
        let (minutes_html, summary_html) = (html::body(&minutes), html::body(&summary));
        docs.push(("minutes.html", html::page(&self.templates, &format!("Minutes: {title}"), &minutes_html).map_err(input)?.into_bytes()));
        docs.push(("summary.html", html::page(&self.templates, &format!("Thematic summary: {title}"), &summary_html).map_err(input)?.into_bytes()));
        docs.push(("minutes.docx", docx::from_markdown(&minutes)));
        let review = review::build(&ctx, record, minutes_html, summary_html);
        docs.push(("review.html", self.templates.render("review.html", &review).map_err(input)?.into_bytes()));
        docs.push(("timeline.svg", review.charts.timeline.clone().into_bytes()));
        docs.push(("minutes.md", minutes.into_bytes()));
        docs.push(("summary.md", summary.into_bytes()));
        Ok(docs)
    }

    /// Writes every document that applies into `dir`, each atomically (all are made before
    /// any is written), and removes those that do not apply (left by an earlier run with other
    /// settings). Returns the paths written.
    pub fn write_all(&self, dir: &Path, named: &Named) -> Result<Vec<PathBuf>, RenderError> {
        let docs = self.render(dir, named)?;
        let fail = |error| RenderError::Write { dir: dir.display().to_string(), error };
        for e in exporters() {
            let path = dir.join(e.file_name());
            if !docs.iter().any(|(n, _)| *n == e.file_name()) && path.exists() {
                std::fs::remove_file(&path).map_err(fail)?;
            }
        }
        let mut written = Vec::new();
        for (name, bytes) in docs {
            let path = dir.join(name);
            write_atomic(&path, &bytes).map_err(fail)?;
            written.push(path);
        }
        Ok(written)
    }
}
