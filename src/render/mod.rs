//! Documents rendered from a session record. Each file a session folder gets is a [`Document`]:
//! the transcripts (`transcript`, `rttm`), made from the record alone, and the templated
//! documents (`templated`: minutes and summary as Markdown, HTML and Word, the review page and
//! its timeline). [`documents`] lists them all, once, for rendering, clean-up and the catalog.

pub mod charts;
pub mod context;
pub mod docx;
pub mod html;
pub mod review;
pub mod rttm;
pub mod templated;
pub mod templates;
pub mod transcript;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::cli::{MinutesOptions, MinutesStyle};
use crate::fsutil::write_atomic;
use crate::models::ModelError;
use crate::models::catalog::{self, Kind};
use crate::models::store::{Resolved, Store};
use crate::progress::Progress;
use crate::prose;
use crate::session::SessionRecord;
use crate::session::naming::Named;
use crate::themes::analysis::{self, Analysis};
use crate::themes::meaning::Prototypes;
use crate::themes::sentences::SentenceEncoder;
use crate::themes::taxonomy::{self, Taxonomy};
use templates::{TemplateError, Templates};

/// One file of a session folder.
pub trait Document {
    fn file_name(&self) -> &'static str;
    /// Whether the session has what this document shows (speakers.rttm needs speakers).
    fn applies(&self, _record: &SessionRecord) -> bool {
        true
    }
    /// Where the catalog links it among a session's documents, lowest first; `None` for the
    /// files made for other tools (subtitles, RTTM, the chart), which the catalog leaves out.
    fn catalog_rank(&self) -> Option<u8> {
        None
    }
    fn render(&self, session: &Rendering) -> Result<Vec<u8>, RenderError>;
}

/// Every document, in the order they are written and listed in session.json.
pub fn documents() -> &'static [&'static dyn Document] {
    use templated::*;
    &[
        &transcript::Text,
        &transcript::Srt,
        &transcript::Vtt,
        &rttm::Rttm,
        &MinutesHtml,
        &SummaryHtml,
        &MinutesDocx,
        &ReviewHtml,
        &TimelineSvg,
        &MinutesMd,
        &SummaryMd,
        &AnalysisJson,
    ]
}

/// The analysis the documents were made from (points, their themes, the key messages), for
/// the catalog and for other tools; `render` re-uses it while it is up to date.
pub struct AnalysisJson;

impl Document for AnalysisJson {
    fn file_name(&self) -> &'static str {
        analysis::FILE_NAME
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(s.analysis.to_json().into_bytes())
    }
}

/// The names of the documents `record` has, in order: those it has the data for.
pub fn expected_documents(record: &SessionRecord) -> Vec<&'static str> {
    documents().iter().filter(|d| d.applies(record)).map(|d| d.file_name()).collect()
}

/// What a session's documents are made from: its record, and what several templated
/// documents share, made once (the minutes and summary as Markdown, and the review page's
/// data, which holds the template context and the minutes and summary as HTML).
pub struct Rendering<'a> {
    pub record: &'a SessionRecord,
    pub analysis: &'a Analysis,
    templates: &'a Templates,
    minutes: String,
    summary: String,
    review: review::Review<'a>,
}

impl<'a> Rendering<'a> {
    fn new(
        templates: &'a Templates,
        ctx: &'a context::Context,
        record: &'a SessionRecord,
        analysis: &'a Analysis,
    ) -> Result<Self, RenderError> {
        let minutes = templates.render("minutes.md", ctx)?;
        let summary = templates.render("summary.md", ctx)?;
        // As HTML once, for minutes.html and summary.html and for the review page.
        let review = review::build(ctx, record, html::body(&minutes), html::body(&summary));
        Ok(Rendering { record, analysis, templates, minutes, summary, review })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template or taxonomy is wrong: the message names its file and line.
    #[error("{0}")]
    Input(String),
    /// The sentence model is missing or cannot be used.
    #[error("{0}")]
    Model(String),
    #[error("cannot write to {dir}: {error}; check free space and permissions")]
    Write { dir: String, error: std::io::Error },
}

impl From<TemplateError> for RenderError {
    fn from(e: TemplateError) -> RenderError {
        RenderError::Input(e.0)
    }
}

/// The templates and theme taxonomies documents are made with (built in, or from a folder
/// given with `--templates`), and the sentence model of the analysis. Loaded (and checked)
/// once for any number of sessions; the model is read only when an analysis is made (or, in
/// `run`, is about to be: `prepare_analysis`).
pub struct Documents {
    templates: Templates,
    taxonomies: Vec<Taxonomy>,
    /// The sentence model and its tokenizer, or why they cannot be used: needed only when an
    /// analysis is made.
    model: Result<(Resolved, Resolved), String>,
    encoder: OnceLock<Result<SentenceEncoder, String>>,
    /// The taxonomies' theme sentences, embedded once for every session.
    prototypes: OnceLock<Result<Vec<Prototypes>, String>>,
    /// The language model that writes the minutes, or why the minutes quote what was said.
    writer: Result<Resolved, String>,
}

impl Documents {
    pub fn load(dir: Option<&Path>, minutes: &MinutesOptions, store: &Store) -> Result<Documents, RenderError> {
        let templates = Templates::load(dir)?;
        let taxonomies = taxonomy::load(dir).map_err(|e| RenderError::Input(e.0))?;
        let resolve = |name| store.resolve(name, Kind::Sentences);
        let model = resolve(catalog::MINILM)
            .and_then(|m| Ok((m, resolve(catalog::MINILM_TOKENIZER)?)))
            .map_err(|e| format!("{e}; the minutes need it: `rapporteur models install minilm minilm-tokenizer`"));
        let writer = match minutes.minutes {
            MinutesStyle::Extractive => Err("asked for with --minutes extractive".to_string()),
            MinutesStyle::Llm => match store.resolve(&minutes.minutes_model, Kind::Minutes) {
                Ok(m) => Ok(m),
                // A named model that is missing is a mistake to report; the default one is
                // an addition the user may not have made.
                Err(ModelError::NotInstalled { name }) if name == catalog::MINUTES_LLM => Err(format!(
                    "the language model is not installed; for minutes in reported speech, run: rapporteur models install {name}"
                )),
                Err(e) => return Err(RenderError::Model(e.to_string())),
            },
        };
        Ok(Documents { templates, taxonomies, model, encoder: OnceLock::new(), prototypes: OnceLock::new(), writer })
    }

    fn encoder(&self) -> Result<&SentenceEncoder, RenderError> {
        let (model, tokenizer) = self.model.as_ref().map_err(|e| RenderError::Model(e.clone()))?;
        self.encoder
            .get_or_init(|| SentenceEncoder::load(&model.path, &tokenizer.path).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| RenderError::Model(e.clone()))
    }

    fn prototypes(&self) -> Result<&[Prototypes], RenderError> {
        let encoder = self.encoder()?;
        self.prototypes
            .get_or_init(|| {
                self.taxonomies
                    .iter()
                    .map(|t| Prototypes::new(t, encoder))
                    .collect::<Result<_, _>>()
                    .map_err(|e| e.to_string())
            })
            .as_deref()
            .map_err(|e| RenderError::Model(e.clone()))
    }

    /// Loads the sentence model and embeds the taxonomies' sentences now rather than when the
    /// first analysis is made: `run` calls it while a single thread prepares the diarization
    /// models, so that the other core does this work. A failure is reported when an analysis
    /// needs what failed.
    pub fn prepare_analysis(&self) {
        let _ = self.prototypes();
    }

    /// Whether an analysis can be made: `run` checks before it transcribes.
    pub fn check_model(&self) -> Result<(), RenderError> {
        self.model.as_ref().map(|_| ()).map_err(|e| RenderError::Model(e.clone()))
    }

    /// The folder's analysis when it was made from this record, these taxonomies and this
    /// model; else a new one (`render` after a rename re-uses it, and needs no model).
    pub fn analysis(&self, dir: &Path, record: &SessionRecord) -> Result<Analysis, RenderError> {
        let inputs = analysis::inputs(record, &self.taxonomies, catalog::minilm_sha256());
        if let Some(stored) = analysis::stored(dir, &inputs) {
            return Ok(stored);
        }
        analysis::analyse(record, &self.taxonomies, self.prototypes()?, self.encoder()?, inputs)
            .map_err(|e| RenderError::Model(e.to_string()))
    }

    /// The analysis with the language model's sentences: the stored ones while the points,
    /// session.toml and the model are unchanged, else new ones. Without the model, or when it
    /// fails (the failure is a warning and the minutes quote), none.
    fn with_prose(&self, mut analysis: Analysis, named: &Named, progress: &Progress) -> Analysis {
        let Ok(model) = &self.writer else {
            analysis.prose = None;
            return analysis;
        };
        let session = prose::Session::of(named.meta.as_ref());
        let inputs = prose::inputs(&analysis, &session.words, &model.sha256);
        if analysis.prose.as_ref().is_some_and(|p| p.inputs == inputs) {
            return analysis;
        }
        let file = named.record.source.file_name.clone();
        let stage = progress.stage(&file, "write minutes", true);
        let written = self.encoder().map_err(|e| e.to_string()).and_then(|encoder| {
            let mut llm = prose::worker::Llm::start(&model.path, prose::worker::context())?;
            prose::write(&analysis, &session, &model.name, inputs, &mut llm, encoder, &|f| stage.tick(f))
        });
        stage.finish();
        analysis.prose = match written {
            Ok(p) => Some(p),
            Err(e) => {
                progress.warn(&format!("{file}: the minutes quote what was said: the language model failed: {e}"));
                None
            }
        };
        analysis
    }

    /// Why the minutes quote what was said instead of the language model's sentences.
    fn quoting(&self, analysis: &Analysis) -> Option<String> {
        match &self.writer {
            Err(why) => Some(why.clone()),
            Ok(_) if analysis.prose.is_none() => Some("the language model failed (see the run's warning)".into()),
            Ok(_) => None,
        }
    }

    /// Every document of the session, as (file name, content), or the first template error.
    pub fn render(
        &self,
        dir: &Path,
        named: &Named,
        progress: &Progress,
    ) -> Result<Vec<(&'static str, Vec<u8>)>, RenderError> {
        let analysis = self.with_prose(self.analysis(dir, &named.record)?, named, progress);
        self.render_with(dir, named, &analysis)
    }

    /// Every document of the session made from `analysis`.
    pub fn render_with(
        &self,
        dir: &Path,
        named: &Named,
        analysis: &Analysis,
    ) -> Result<Vec<(&'static str, Vec<u8>)>, RenderError> {
        let record = &named.record;
        let mut ctx = context::build(dir, named, analysis);
        ctx.session.quoting = self.quoting(analysis);
        let session = Rendering::new(&self.templates, &ctx, record, analysis)?;
        let applying = documents().iter().filter(|d| d.applies(record));
        applying.map(|d| Ok((d.file_name(), d.render(&session)?))).collect()
    }

    /// Renders every document and puts them in place of the folder's earlier ones (`save`).
    /// A template error is returned before anything in `dir` changes.
    pub fn write_all(
        &self,
        dir: &Path,
        named: &Named,
        record: &mut SessionRecord,
        progress: &Progress,
    ) -> Result<Vec<PathBuf>, RenderError> {
        let docs = self.render(dir, named, progress)?;
        save(dir, record, docs)
    }
}

/// Every document rapporteur writes into a session folder, whether or not a session has it.
pub fn document_names() -> Vec<&'static str> {
    documents().iter().map(|d| d.file_name()).collect()
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
        record.documents.push(crate::session::record::Document { name: name.to_string(), bytes: bytes.len() as u64 });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::tests::sample;

    /// session.json lists the documents in this order, so it must not change.
    #[test]
    fn documents_come_in_their_fixed_order_and_only_when_they_apply() {
        let all = [
            "transcript.txt",
            "transcript.srt",
            "transcript.vtt",
            "speakers.rttm",
            "minutes.html",
            "summary.html",
            "minutes.docx",
            "review.html",
            "timeline.svg",
            "minutes.md",
            "summary.md",
            "analysis.json",
        ];
        assert_eq!(document_names(), all);
        let mut record = sample();
        record.settings.diarize = false;
        let without_speakers: Vec<&str> = all.into_iter().filter(|n| *n != "speakers.rttm").collect();
        assert_eq!(expected_documents(&record), without_speakers);
        record.settings.diarize = true;
        assert_eq!(expected_documents(&record), all);

        let dir = tempfile::tempdir().unwrap();
        let named = Named::new(&record, None, &Default::default());
        let templates = Templates::load(None).unwrap();
        let analysis = Analysis::empty();
        let ctx = context::build(dir.path(), &named, &analysis);
        let session = Rendering::new(&templates, &ctx, &record, &analysis).unwrap();
        let docs: Vec<&str> = documents().iter().filter(|d| d.applies(&record)).map(|d| d.file_name()).collect();
        assert_eq!(docs, all);
        for d in documents().iter().filter(|d| d.applies(&record)) {
            d.render(&session).unwrap_or_else(|e| panic!("{}: {e}", d.file_name()));
        }
    }
}
