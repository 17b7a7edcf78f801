//! The local voice library: speakers enrolled once from clips of their voice
//! (`rapporteur speakers enroll NAME CLIP...`), recognised in later sessions when a diarized
//! speaker's voice is close enough. One JSON file; nothing leaves the machine.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diarize::embedding::{DIM, Embedding, cosine};
use crate::fsutil::write_atomic;
use crate::safe_text::{self, MAX_NAME_CHARS};
use crate::session::record::VoiceMatch;

/// Which embedding model made the voices: a library made by another cannot be compared.
pub const MODEL: &str = "campplus_cn_en_common";

/// The cosine score from which a session's speaker is taken for an enrolled voice. Calibrated
/// with `bench/voices.sh` on real recordings (BENCHMARKS.md, "Voice enrolment"): between the
/// highest score of two different people (0.33) and the lowest of one person in two
/// recordings (0.59).
pub const THRESHOLD: f32 = 0.45;

/// The largest library read: a voice takes about 4 KB, so this is thousands of voices, and a
/// link to /dev/zero cannot fill memory.
const MAX_BYTES: u64 = 64_000_000;

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
    /// Voices whose names would break the documents (a line break, a control character): from
    /// libraries written before names were checked. Kept in the file until forgotten, never
    /// recognised.
    #[serde(skip)]
    pub unusable: Vec<Voice>,
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
        let text = match crate::session::input::read_text(path, MAX_BYTES, "a voice library") {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(Library { model: MODEL.into(), voices: Vec::new(), unusable: Vec::new() }),
            Err(e) => return Err(LibraryError(format!("voice library: {e}"))),
        };
        let mut lib: Library = serde_json::from_str(&text).map_err(|e| {
            LibraryError(format!(
                "voice library {} is damaged ({e}); delete it and enrol the voices again",
                path.display()
            ))
        })?;
        if lib.model != MODEL || lib.voices.iter().any(|v| v.embedding.len() != DIM) {
            return Err(LibraryError(format!(
                "voice library {} was made with another speaker model ({}); delete it and enrol the voices again",
                path.display(),
                lib.model
            )));
        }
        (lib.voices, lib.unusable) =
            lib.voices.into_iter().partition(|v| safe_text::check(&v.name, MAX_NAME_CHARS).is_ok());
        Ok(lib)
    }

    /// What to tell the user about voices that are not used, if any.
    pub fn unusable_note(&self, path: &Path) -> Option<String> {
        if self.unusable.is_empty() {
            return None;
        }
        let names: Vec<String> = self.unusable.iter().map(|v| safe_text::preview(&v.name)).collect();
        Some(format!(
            "voice library {}: not used, as a name must be one line of at most {MAX_NAME_CHARS} characters: {}; forget each (`rapporteur speakers forget NAME`, NAME as `rapporteur speakers list` shows it) and enrol it again",
            path.display(),
            names.join(", ")
        ))
    }

    pub fn save(&self, path: &Path) -> Result<(), LibraryError> {
        /// The file holds the unusable voices too: only `forget` removes a voice.
        #[derive(Serialize)]
        struct File<'a> {
            model: &'a str,
            voices: Vec<&'a Voice>,
        }
        let mut voices: Vec<&Voice> = self.voices.iter().chain(&self.unusable).collect();
        voices.sort_by(|a, b| a.name.cmp(&b.name));
        // write_atomic creates the folder when needed.
        let fail = |e: std::io::Error| LibraryError(format!("cannot write voice library {}: {e}", path.display()));
        write_atomic(
            path,
            serde_json::to_string_pretty(&File { model: &self.model, voices }).expect("serialisable").as_bytes(),
        )
        .map_err(fail)
    }

    /// Adds a voice, replacing one of the same name.
    pub fn enroll(&mut self, voice: Voice) {
        self.voices.retain(|v| v.name != voice.name);
        self.voices.push(voice);
        self.voices.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Removes a voice; whether it was there. An unusable voice may also be named as it is
    /// shown, escaped (`Two\nLines`).
    pub fn forget(&mut self, name: &str) -> bool {
        let before = self.voices.len() + self.unusable.len();
        self.voices.retain(|v| v.name != name);
        self.unusable.retain(|v| v.name != name && safe_text::escape(&v.name) != name);
        self.voices.len() + self.unusable.len() < before
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
                out[s] =
                    Some(VoiceMatch { name: self.voices[v].name.clone(), score: (score * 1000.0).round() / 1000.0 });
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
        let mut lib = Library { model: MODEL.into(), voices: vec![], unusable: vec![] };
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
        lib.enroll(Voice {
            name: "Ana".into(),
            embedding: unit(0, 0, 0.0).to_vec(),
            speech_s: 1.0,
            clips: vec!["a.wav".into()],
        });
        lib.save(&path).unwrap();
        assert_eq!(Library::load(&path).unwrap(), lib);
        std::fs::write(&path, "{").unwrap();
        assert!(Library::load(&path).unwrap_err().0.contains("damaged"));
        let zero = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(Library::load(&zero).unwrap_err().0.contains("not a regular file"));
    }

    #[test]
    fn a_voice_whose_name_breaks_lines_is_kept_but_never_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("voices.json");
        let voice =
            |name: &str| Voice { name: name.into(), embedding: unit(0, 0, 0.0).to_vec(), speech_s: 1.0, clips: vec![] };
        // As an older rapporteur wrote it, without checking the name.
        let old = serde_json::json!({"model": MODEL, "voices": [voice("Ana"), voice("Two\nLines\u{1b}[2J")]});
        std::fs::write(&path, old.to_string()).unwrap();
        let mut lib = Library::load(&path).unwrap();
        assert_eq!(lib.voices.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["Ana"]);
        let got = lib.recognise(&[unit(0, 0, 0.0)], 0.4);
        assert_eq!(got[0].as_ref().map(|m| m.name.as_str()), Some("Ana"), "only usable voices are recognised");
        let note = lib.unusable_note(&path).unwrap();
        assert!(note.contains("\"Two\\nLines\\u{1b}[2J\"") && !note.contains('\u{1b}'), "{note}");
        lib.save(&path).unwrap();
        assert_eq!(Library::load(&path).unwrap().unusable.len(), 1, "saving keeps it");
        assert!(lib.forget("Two\\nLines\\u{1b}[2J"), "forgotten by its escaped name");
        assert_eq!(lib.unusable_note(&path), None);
    }
}
