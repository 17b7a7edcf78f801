//! The session record and how it is assembled from the stages' results.

pub mod agenda;
pub mod assemble;
pub mod cues;
pub mod input;
pub mod metadata;
pub mod naming;
pub mod record;
pub mod speakers;
pub mod vocabulary;

pub use record::SessionRecord;

/// The 1-based line of a TOML error and its message, for "file:line: message" reports.
pub fn toml_error(text: &str, e: &toml::de::Error) -> (usize, String) {
    let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    (line, e.message().to_string())
}
