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
use crate::session::record::Document;
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
        docs.push((
            "minutes.html",
            html::page(&self.templates, &format!("Minutes: {title}"), &minutes_html).map_err(input)?.into_bytes(),
        ));
        docs.push((
            "summary.html",
            html::page(&self.templates, &format!("Thematic summary: {title}"), &summary_html)
                .map_err(input)?
                .into_bytes(),
        ));
        docs.push(("minutes.docx", docx::from_markdown(&minutes)));
        let review = review::build(&ctx, record, minutes_html, summary_html);
        docs.push(("review.html", self.templates.render("review.html", &review).map_err(input)?.into_bytes()));
        docs.push(("timeline.svg", review.charts.timeline.clone().into_bytes()));
        docs.push(("minutes.md", minutes.into_bytes()));
        docs.push(("summary.md", summary.into_bytes()));
        Ok(docs)
    }

    /// Renders every document and puts them in place of the folder's earlier ones (`save`).
    /// A template error is returned before anything in `dir` changes.
    pub fn write_all(
        &self,
        dir: &Path,
        named: &Named,
        record: &mut SessionRecord,
    ) -> Result<Vec<PathBuf>, RenderError> {
        let docs = self.render(dir, named)?;
        save(dir, record, docs)
    }
}

/// The documents made from templates, besides the transcripts of `exporters()`.
const TEMPLATED: [&str; 7] =
    ["minutes.html", "summary.html", "minutes.docx", "review.html", "timeline.svg", "minutes.md", "summary.md"];

/// Every document rapporteur writes into a session folder, whether or not a session has it.
pub fn document_names() -> Vec<&'static str> {
    exporters().iter().map(|e| e.file_name()).chain(TEMPLATED).collect()
}

/// Every file rapporteur writes into a session folder: its documents, session.json, and the
/// session.toml copied from beside the recording.
pub fn session_files() -> Vec<&'static str> {
    let mut names = document_names();
    names.extend([SESSION_JSON, crate::session::metadata::FILE_NAME]);
    names
}

pub const SESSION_JSON: &str = "session.json";

/// Removes the folder's session.json, so that from here on the folder reads as unfinished:
/// done before any file of an earlier run is replaced, so that a process killed half way
/// never leaves an old session.json beside new documents.
pub fn unmark(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(SESSION_JSON)) {
        Ok(()) => crate::fsutil::sync_folder(dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Puts `docs` in place of the folder's earlier documents, then `record` as session.json,
/// listing them with their sizes. The order makes a folder holding session.json complete:
/// session.json goes first (`unmark`), then documents this session lacks (left by a run with
/// other settings), then each document, and session.json is written last. Any failure (a full
/// disk, a permission) stops before session.json, so the folder reads as unfinished and the
/// next run redoes it.
pub fn save(
    dir: &Path,
    record: &mut SessionRecord,
    docs: Vec<(&'static str, Vec<u8>)>,
) -> Result<Vec<PathBuf>, RenderError> {
    let fail = |error| RenderError::Write { dir: dir.display().to_string(), error };
    unmark(dir).map_err(fail)?;
    for name in document_names() {
        let path = dir.join(name);
        if !docs.iter().any(|(n, _)| *n == name) && std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path).map_err(fail)?;
        }
    }
    let mut written = Vec::new();
    record.documents.clear();
    for (name, bytes) in docs {
        let path = dir.join(name);
        write_atomic(&path, &bytes).map_err(fail)?;
        record.documents.push(Document { name: name.to_string(), bytes: bytes.len() as u64 });
        written.push(path);
        if written.len() == 1 {
            test_pause();
        }
    }
    // The documents' renames reach the disk before session.json's.
    crate::fsutil::sync_folder(dir).map_err(fail)?;
    write_atomic(&dir.join(SESSION_JSON), record.to_json().as_bytes()).map_err(fail)?;
    Ok(written)
}

/// For the integration test that a process killed while it replaces documents leaves no
/// old session.json beside new ones: `RAPPORTEUR_TEST_PAUSE_AFTER_FIRST_DOCUMENT=SECONDS`
/// stops here, after the first document is written, long enough to be killed.
fn test_pause() {
    let Some(seconds) =
        std::env::var("RAPPORTEUR_TEST_PAUSE_AFTER_FIRST_DOCUMENT").ok().and_then(|s| s.parse::<u64>().ok())
    else {
        return;
    };
    eprintln!("paused after the first document");
    std::thread::sleep(std::time::Duration::from_secs(seconds));
}
