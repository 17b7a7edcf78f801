//! `session.json`: the one canonical record of a session. Every document is rendered from it,
//! so it holds everything they need and nothing that changes between identical runs (no
//! wall-clock dates, no thread counts), which keeps reruns byte-for-byte comparable.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Bumped whenever a field changes meaning or disappears. 3: `generator.engine` (name and
/// version of the speech engine) in place of 2's `generator.whisper_cpp`.
pub const SCHEMA_VERSION: u32 = 3;
/// The oldest version `load` still reads (upgrading it as it reads).
pub const OLDEST_READ: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionRecord {
    pub schema_version: u32,
    pub generator: Generator,
    pub source: Source,
    /// Seconds of audio after decoding.
    pub duration_s: f64,
    pub model: ModelInfo,
    pub settings: Settings,
    /// The language of most of the speech (ISO 639-1).
    pub language: String,
    /// The voices told apart, `SPEAKER_1`... in order of first speech; empty when the
    /// recording was not diarized.
    pub speakers: Vec<Speaker>,
    /// Who spoke when, as the diarizer heard it (overlaps included); `speakers.rttm`.
    pub speech: Vec<SpeakerTime>,
    pub segments: Vec<Segment>,
    /// Consecutive segments of one speaker.
    pub turns: Vec<Turn>,
    /// Things a reader of the transcript should know (no speech found, loops dropped).
    pub notes: Vec<String>,
    /// The documents written with this record, with their sizes: a folder is complete when
    /// every one is there at its size. Empty in a record from before the list was kept.
    #[serde(default)]
    pub documents: Vec<Document>,
}

/// A document of the session folder, as written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// Its file name in the session folder.
    pub name: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Generator {
    pub name: String,
    pub version: String,
    /// The speech-to-text engine that made the text.
    pub engine: Engine,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Engine {
    /// `whisper.cpp`.
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Source {
    /// The recording's absolute path when the run began.
    pub path: String,
    pub file_name: String,
    pub bytes: u64,
    pub sha256: String,
    pub sample_rate: u32,
    pub channels: usize,
    /// The audio codec (`pcm_s16le`, `mp3`, `aac`...).
    #[serde(default)]
    pub codec: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelInfo {
    pub name: String,
    pub sha256: String,
}

/// The settings that affect the result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// As requested: a language code or `auto`.
    pub language: String,
    pub beam_size: u32,
    /// Every chunk decoded with whisper's full 30 s encoder window (`--full-window`).
    pub full_window: bool,
    pub diarize: bool,
    /// Bounds on the number of speakers (`--speakers`, `--min-speakers`, `--max-speakers`).
    pub min_speakers: Option<usize>,
    pub max_speakers: Option<usize>,
    /// The one channel used (`--channel`, 1-based); absent when the channels were mixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<usize>,
    /// Each channel taken as one speaker (`--channels-as-speakers`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub channels_as_speakers: bool,
    /// The languages detection chose from (`--languages`); empty when any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    /// Segments not in English were translated (`--translate`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub translate: bool,
    /// The names and terms whisper was given as its prompt for the chunks in the session's
    /// language (from session.toml and `--vocabulary`); absent when there were none or with
    /// `--no-vocabulary`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Speaker {
    pub id: String,
    /// The rapporteur's name for the speaker (from speakers.toml), set for rendering only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Seconds of speech the diarizer gave this speaker.
    pub talk_time_s: f64,
    /// The enrolled voice this speaker was recognised as, with its score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<VoiceMatch>,
}

/// A session speaker recognised as an enrolled voice.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VoiceMatch {
    pub name: String,
    /// Cosine similarity between the speaker's voice and the enrolled one.
    pub score: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SpeakerTime {
    pub speaker: String,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Turn {
    pub speaker: String,
    pub start: f64,
    pub end: f64,
    /// The language of the turn's segments: a speaker changing language starts a new turn.
    #[serde(default)]
    pub language: String,
    /// Ids of the turn's segments.
    pub segments: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Segment {
    pub id: usize,
    /// Seconds from the start of the recording.
    pub start: f64,
    pub end: f64,
    pub text: String,
    pub language: String,
    /// The English translation of a segment in another language (`--translate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<String>,
    /// Why the translation may be wrong (`transcribe::translate::doubt`); absent when sure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_doubt: Option<String>,
    /// Who said it; absent when the recording was not diarized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Whisper's probability that the window held no speech.
    pub no_speech_prob: f32,
    pub words: Vec<Word>,
    pub tokens: Vec<Token>,
}

/// Speaking time per language over `segments`, the most spoken first (ties by code).
pub fn time_by_language<'a>(segments: impl IntoIterator<Item = &'a Segment>) -> Vec<(String, f64)> {
    let mut time: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
    for s in segments {
        *time.entry(&s.language).or_default() += s.end - s.start;
    }
    let mut out: Vec<(String, f64)> = time.into_iter().map(|(l, t)| (l.to_string(), t)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

impl Segment {
    /// What was said, in English: the translation when there is one, else the text.
    pub fn english(&self) -> &str {
        self.translation.as_deref().unwrap_or(&self.text)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Word {
    pub start: f64,
    pub end: f64,
    /// The word as spoken, with attached punctuation, without the leading space.
    pub text: String,
    /// Mean probability of the word's tokens.
    pub probability: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Other speakers talking at the same moment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overlap: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Token {
    pub id: i32,
    pub text: String,
    pub probability: f32,
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("cannot read {path}: {error}; is this a folder written by `rapporteur run`?")]
    Read { path: String, error: std::io::Error },
    #[error("{path} is not a valid session record: {error}")]
    Parse { path: String, error: serde_json::Error },
    #[error(
        "{path} has schema version {found}; this rapporteur reads versions {OLDEST_READ} to {SCHEMA_VERSION}: re-run `rapporteur run` on the recording"
    )]
    Version { path: String, found: u32 },
    #[error(
        "{path} has schema version {found}, newer than the version {SCHEMA_VERSION} this rapporteur reads: upgrade rapporteur, or re-run `rapporteur run` on the recording"
    )]
    Newer { path: String, found: u32 },
}

/// Version 2 named whisper.cpp's version in `generator.whisper_cpp`; 3 names the engine.
fn upgrade_from_2(value: &mut serde_json::Value) {
    value["schema_version"] = SCHEMA_VERSION.into();
    if let Some(generator) = value.get_mut("generator").and_then(|g| g.as_object_mut())
        && let Some(version) = generator.remove("whisper_cpp")
    {
        generator.insert("engine".into(), serde_json::json!({ "name": "whisper.cpp", "version": version }));
    }
}

/// Times are kept to the millisecond: finer digits are noise and make diffs unreadable.
pub fn ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

impl SessionRecord {
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a session record serialises");
        s.push('\n');
        s
    }

    pub fn load(path: &Path) -> Result<SessionRecord, RecordError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| RecordError::Read { path: p.clone(), error })?;
        SessionRecord::parse(&text, &p)
    }

    /// A record from the text of a session.json (`path` names it in errors), upgraded from an
    /// older schema version that is still read.
    pub fn parse(text: &str, path: &str) -> Result<SessionRecord, RecordError> {
        let p = path.to_string();
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let v: Version = serde_json::from_str(text).map_err(|error| RecordError::Parse { path: p.clone(), error })?;
        if v.schema_version > SCHEMA_VERSION {
            return Err(RecordError::Newer { path: p, found: v.schema_version });
        }
        if v.schema_version < OLDEST_READ {
            return Err(RecordError::Version { path: p, found: v.schema_version });
        }
        let parse = |error| RecordError::Parse { path: p.clone(), error };
        let mut value: serde_json::Value = serde_json::from_str(text).map_err(parse)?;
        if v.schema_version == 2 {
            upgrade_from_2(&mut value);
        }
        serde_json::from_value(value).map_err(parse)
    }

    /// How documents call a speaker: the rapporteur's name if given, else the id.
    pub fn speaker_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.speakers.iter().find(|s| s.id == id).and_then(|s| s.name.as_deref()).unwrap_or(id)
    }

    /// All words in order, for renderers and scorers.
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.segments.iter().flat_map(|s| s.words.iter())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> SessionRecord {
        let word = |start: f64, end: f64, text: &str| Word {
            start,
            end,
            text: text.into(),
            probability: 0.9,
            speaker: None,
            overlap: vec![],
        };
        SessionRecord {
            schema_version: SCHEMA_VERSION,
            generator: Generator {
                name: "rapporteur".into(),
                version: "0".into(),
                engine: Engine { name: "whisper.cpp".into(), version: "x".into() },
            },
            source: Source {
                path: "a.wav".into(),
                file_name: "a.wav".into(),
                bytes: 1,
                sha256: "00".into(),
                sample_rate: 16000,
                channels: 1,
                codec: "pcm_s16le".into(),
            },
            duration_s: 3725.5,
            model: ModelInfo { name: "tiny.en".into(), sha256: "11".into() },
            settings: Settings {
                language: "auto".into(),
                beam_size: 1,
                full_window: false,
                diarize: false,
                min_speakers: None,
                max_speakers: None,
                channel: None,
                channels_as_speakers: false,
                languages: vec![],
                translate: false,
                prompt: None,
            },
            speakers: vec![],
            speech: vec![],
            turns: vec![],
            language: "en".into(),
            segments: vec![
                Segment {
                    id: 0,
                    start: 0.5,
                    end: 2.25,
                    text: "Welcome, everyone.".into(),
                    language: "en".into(),
                    translation: None,
                    translation_doubt: None,
                    speaker: None,
                    no_speech_prob: 0.01,
                    words: vec![word(0.5, 1.0, "Welcome,"), word(1.1, 2.25, "everyone.")],
                    tokens: vec![],
                },
                Segment {
                    id: 1,
                    start: 3661.0,
                    end: 3662.004,
                    text: "We recommend --> action.".into(),
                    language: "en".into(),
                    translation: None,
                    translation_doubt: None,
                    speaker: None,
                    no_speech_prob: 0.02,
                    words: vec![word(3661.0, 3661.5, "We"), word(3661.5, 3662.004, "recommend")],
                    tokens: vec![],
                },
            ],
            notes: vec![],
            documents: vec![],
        }
    }

    #[test]
    fn round_trips_through_json() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("session.json");
        std::fs::write(&p, sample().to_json()).unwrap();
        assert_eq!(SessionRecord::load(&p).unwrap(), sample());
        assert_eq!(sample().words().count(), 4);
    }

    #[test]
    fn other_schema_versions_are_refused_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("session.json");
        let current = format!("\"schema_version\": {SCHEMA_VERSION}");
        for found in [99, 1] {
            std::fs::write(&p, sample().to_json().replace(&current, &format!("\"schema_version\": {found}"))).unwrap();
            let err = SessionRecord::load(&p).unwrap_err().to_string();
            assert!(err.contains(&format!("schema version {found}")) && err.contains("rapporteur run"), "{err}");
        }
    }

    /// A version 2 record (whisper.cpp's version in `generator.whisper_cpp`) reads as today's.
    #[test]
    fn version_2_records_are_read_with_their_engine() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("session.json");
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["schema_version"] = 2.into();
        v["generator"].as_object_mut().unwrap().remove("engine");
        v["generator"]["whisper_cpp"] = "x".into();
        std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(SessionRecord::load(&p).unwrap(), sample());
    }

    /// session.json files from before the document list still load, with an empty list.
    #[test]
    fn records_without_a_document_list_load() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("session.json");
        let mut record = sample();
        record.documents = vec![Document { name: "minutes.md".into(), bytes: 12 }];
        let json = record.to_json();
        assert!(json.contains("\"documents\""));
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v.as_object_mut().unwrap().remove("documents");
        std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(SessionRecord::load(&p).unwrap(), sample());
    }

    #[test]
    fn rounds_to_milliseconds() {
        assert_eq!(ms(1.23456), 1.235);
        assert_eq!(ms(0.0004), 0.0);
    }
}
