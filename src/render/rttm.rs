//! `speakers.rttm`: who spoke when in the standard Rich Transcription Time Marked format,
//! one `SPEAKER` line per stretch of speech, as scoring tools (pyannote.metrics, dscore) read it.

use super::{Document, RenderError, Rendering};
use crate::session::SessionRecord;

/// One RTTM line; `file_id` must not contain spaces.
pub fn line(file_id: &str, start: f64, end: f64, speaker: &str) -> String {
    format!("SPEAKER {file_id} 1 {start:.3} {:.3} <NA> <NA> {speaker} <NA> <NA>\n", end - start)
}

/// The recording's file stem with spaces replaced, as RTTM fields are space-separated.
pub fn file_id(s: &SessionRecord) -> String {
    let stem = std::path::Path::new(&s.source.file_name).file_stem().map(|f| f.to_string_lossy().into_owned());
    stem.unwrap_or_default().replace(char::is_whitespace, "_")
}

pub struct Rttm;

impl Document for Rttm {
    fn file_name(&self) -> &'static str {
        "speakers.rttm"
    }
    fn applies(&self, s: &SessionRecord) -> bool {
        s.settings.diarize
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(rttm(s.record).into_bytes())
    }
}

fn rttm(s: &SessionRecord) -> String {
    let id = file_id(s);
    s.speech.iter().map(|t| line(&id, t.start, t.end, &t.speaker)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::{SpeakerTime, tests::sample};

    #[test]
    fn a_line_per_stretch_of_speech() {
        let mut s = sample();
        s.source.file_name = "my session.wav".into();
        s.settings.diarize = true;
        s.speech = vec![SpeakerTime { speaker: "SPEAKER_1".into(), start: 1.5, end: 3.25 }];
        assert_eq!(rttm(&s), "SPEAKER my_session 1 1.500 1.750 <NA> <NA> SPEAKER_1 <NA> <NA>\n");
        assert!(Rttm.applies(&s));
        s.settings.diarize = false;
        assert!(!Rttm.applies(&s));
    }
}
