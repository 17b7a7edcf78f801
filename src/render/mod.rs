//! Documents rendered from a session record: one exporter per format behind one trait.

pub mod rttm;
pub mod transcript;

use std::path::{Path, PathBuf};

use crate::fsutil::write_atomic;
use crate::session::SessionRecord;

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

/// Writes every document that applies into `dir`, each atomically, and removes those that
/// do not (left by an earlier run with other settings). Returns the paths written.
pub fn write_all(dir: &Path, session: &SessionRecord) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for e in exporters() {
        let path = dir.join(e.file_name());
        if e.applies(session) {
            write_atomic(&path, e.render(session).as_bytes())?;
            written.push(path);
        } else if path.exists() {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(written)
}
