//! The local voice library: speakers enrolled once from clips of their voice
//! (`rapporteur speakers enroll NAME CLIP...`), recognised in later sessions when a diarized
//! speaker's voice is close enough. One JSON file; nothing leaves the machine.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diarize::embedding::{cosine, Embedding, DIM};
use crate::fsutil::write_atomic;

/// Which embedding model made the voices: a library made by another cannot be compared.
pub const MODEL: &str = "campplus_cn_en_common";

/// The cosine score from which a session's speaker is taken for an enrolled voice. Calibrated
/// with `bench/voices.sh` on real recordings (BENCHMARKS.md, "Voice enrolment"): between the
/// highest score of two different people (0.33) and the lowest of one person in two
/// recordings (0.59).
pub const THRESHOLD: f32 = 0.45;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Voice {
    pub name: String,
    pub embedding: Vec<f32>,
    /// Seconds of speech it was made from.
    pub speech_s: f64,
    /// The clips' file names.
    pub clips: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Library {
    pub model: String,
    pub voices: Vec<Voice>,
}

/// A session speaker recognised as an enrolled voice.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VoiceMatch {
    pub name: String,
    /// Cosine similarity between the speaker's voice and the enrolled one.
    pub score: f32,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LibraryError(pub String);

/// `$RAPPORTEUR_VOICES`, else `voices.json` beside the model store's default place.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("RAPPORTEUR_VOICES") {
        return PathBuf::from(p);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("rapporteur").join("voices.json")
}

impl Library {
    /// The library at `path`; an empty one when there is no file yet.
    pub fn load(path: &Path) -> Result<Library, LibraryError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Library { model: MODEL.into(), voices: Vec::new() }),
            Err(e) => return Err(LibraryError(format!("cannot read voice library {}: {e}", path.display()))),
        };
        let lib: Library = serde_json::from_str(&text)
            .map_err(|e| LibraryError(format!("voice library {} is damaged ({e}); delete it and enrol the voices again", path.display())))?;
        if lib.model != MODEL || lib.voices.iter().any(|v| v.embedding.len() != DIM) {
            return Err(LibraryError(format!("voice library {} was made with another speaker model ({}); delete it and enrol the voices again", path.display(), lib.model)));
        }
        Ok(lib)
    }

    pub fn save(&self, path: &Path) -> Result<(), LibraryError> {
        // write_atomic creates the folder when needed.
        let fail = |e: std::io::Error| LibraryError(format!("cannot write voice library {}: {e}", path.display()));
        write_atomic(path, serde_json::to_string_pretty(self).expect("serialisable").as_bytes()).map_err(fail)
    }

    /// Adds a voice, replacing one of the same name.
    pub fn enroll(&mut self, voice: Voice) {
        self.voices.retain(|v| v.name != voice.name);
        self.voices.push(voice);
        self.voices.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Removes a voice; whether it was there.
    pub fn forget(&mut self, name: &str) -> bool {
        let before = self.voices.len();
        self.voices.retain(|v| v.name != name);
        self.voices.len() < before
    }

    /// For each session speaker, the enrolled voice it is taken for: best pairs first, each
    /// voice and each speaker at most once, only above `threshold`.
    pub fn recognise(&self, speakers: &[Embedding], threshold: f32) -> Vec<Option<VoiceMatch>> {
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (s, e) in speakers.iter().enumerate() {
            for (v, voice) in self.voices.iter().enumerate() {
                let score = cosine(e, &voice.embedding);
                if score >= threshold {
                    pairs.push((score, s, v));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut out = vec![None; speakers.len()];
        let mut used = vec![false; self.voices.len()];
        for (score, s, v) in pairs {
            if out[s].is_none() && !used[v] {
                used[v] = true;
                out[s] = Some(VoiceMatch { name: self.voices[v].name.clone(), score: (score * 1000.0).round() / 1000.0 });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(i: usize, j: usize, mix: f32) -> Embedding {
        let mut e = [0f32; DIM];
        e[i] = 1.0;
        e[j] += mix;
        e
    }

    #[test]
    fn each_voice_goes_to_its_closest_speaker_once() {
        let mut lib = Library { model: MODEL.into(), voices: vec![] };
        for (name, i) in [("Ana", 0), ("Ben", 1)] {
            lib.enroll(Voice { name: name.into(), embedding: unit(i, i, 0.0).to_vec(), speech_s: 10.0, clips: vec![] });
        }
        lib.enroll(Voice { name: "Ana".into(), embedding: unit(0, 0, 0.0).to_vec(), speech_s: 20.0, clips: vec![] });
        assert_eq!(lib.voices.len(), 2, "enrolling again replaces");
        // Speaker 0 is close to Ana, speaker 1 closer to Ana still but Ana is taken by the
        // better pair; speaker 2 is nobody.
        let speakers = [unit(0, 1, 0.2), unit(0, 1, 0.5), unit(5, 5, 0.0)];
        let got = lib.recognise(&speakers, 0.4);
        assert_eq!(got[0].as_ref().map(|m| m.name.as_str()), Some("Ana"));
        assert!(got[0].as_ref().unwrap().score > 0.9);
        assert_eq!(got[1].as_ref().map(|m| m.name.as_str()), Some("Ben"), "0.45 to Ben... {got:?}");
        assert_eq!(got[2], None);
        assert!(lib.forget("Ben") && !lib.forget("Ben"));
    }

    #[test]
    fn a_library_round_trips_and_a_damaged_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v/voices.json");
        assert!(Library::load(&path).unwrap().voices.is_empty());
        let mut lib = Library::load(&path).unwrap();
        lib.enroll(Voice { name: "Ana".into(), embedding: unit(0, 0, 0.0).to_vec(), speech_s: 1.0, clips: vec!["a.wav".into()] });
        lib.save(&path).unwrap();
        assert_eq!(Library::load(&path).unwrap(), lib);
        std::fs::write(&path, "{").unwrap();
        assert!(Library::load(&path).unwrap_err().0.contains("damaged"));
    }
}
