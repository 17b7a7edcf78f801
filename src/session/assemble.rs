//! The session record, assembled from what the stages found: the recording, the speech
//! engine's segments (attributed to speakers when diarized), the speakers, and the facts a
//! reader should be told.

use super::record::{self, Engine, Generator, ModelInfo, SessionRecord, Settings, Source};
use crate::diarize::attribute;

/// The stages' results for one recording.
pub struct Parts {
    pub source: Source,
    /// Seconds of audio decoded.
    pub duration_s: f64,
    pub engine: Engine,
    pub model: ModelInfo,
    pub settings: Settings,
    /// The language asked for, if pinned.
    pub pinned_language: Option<String>,
    /// Whether the model speaks more than English.
    pub multilingual: bool,
    pub speakers: Vec<record::Speaker>,
    pub speech: Vec<record::SpeakerTime>,
    pub segments: Vec<record::Segment>,
    /// The recording ended before its header said, and only what it held was transcribed.
    pub truncated: bool,
    /// The voice activity detector found no speech.
    pub no_speech: bool,
    /// Segments dropped because the engine repeated itself in a loop.
    pub dropped_loops: usize,
}

/// The record of a session, with its turns, its notes and its main language. Documents are
/// not listed yet: `render::save` lists them as it writes them.
pub fn assemble(parts: Parts) -> SessionRecord {
    let mut notes = Vec::new();
    if parts.truncated {
        notes.push(format!("the recording is truncated: only its first {:.1} s were transcribed", parts.duration_s));
    }
    if parts.no_speech {
        notes.push("no speech was found in the recording".to_string());
    }
    if parts.dropped_loops > 0 {
        notes.push(format!("{} segments were dropped because whisper repeated itself in a loop", parts.dropped_loops));
    }
    // With no speech there is no language to tell, unless it was pinned or the model knows
    // only English: `und` (ISO 639 for undetermined) rather than a guess.
    let language = record::time_by_language(&parts.segments)
        .into_iter()
        .next()
        .map(|(l, _)| l)
        .or(parts.pinned_language)
        .or_else(|| (!parts.multilingual).then(|| "en".to_string()))
        .unwrap_or_else(|| "und".into());
    SessionRecord {
        schema_version: record::SCHEMA_VERSION,
        generator: Generator {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
            engine: parts.engine,
        },
        source: parts.source,
        duration_s: record::ms(parts.duration_s),
        model: parts.model,
        settings: parts.settings,
        language,
        speakers: parts.speakers,
        speech: parts.speech,
        turns: attribute::turns(&parts.segments),
        segments: parts.segments,
        notes,
        documents: Vec::new(),
    }
}
