//! Documents rendered from a session record: one exporter per format behind one trait.

pub mod transcript;

use std::path::{Path, PathBuf};

use crate::fsutil::write_atomic;
use crate::session::SessionRecord;

pub trait Exporter {
    fn file_name(&self) -> &'static str;
    fn render(&self, session: &SessionRecord) -> String;
}

pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![Box::new(transcript::Text), Box::new(transcript::Srt), Box::new(transcript::Vtt)]
}

/// Writes every document into `dir`, each atomically. Returns the paths written.
pub fn write_all(dir: &Path, session: &SessionRecord) -> std::io::Result<Vec<PathBuf>> {
    exporters()
        .iter()
        .map(|e| {
            let path = dir.join(e.file_name());
            write_atomic(&path, e.render(session).as_bytes())?;
            Ok(path)
        })
        .collect()
}
