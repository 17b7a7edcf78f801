//! One whisper.cpp decoding pass over a span of audio, turned into segments, words and tokens
//! on the recording's absolute clock.

use std::path::Path;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState};

use crate::session::record::{ms, Segment, Token, Word};

#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error("whisper.cpp could not load model {path}: {detail}; reinstall it with `rapporteur models install`")]
    Load { path: String, detail: String },
    #[error("language '{0}' is not one whisper knows; use an ISO 639-1 code such as en, fr, es, or auto")]
    Language(String),
    #[error("model {model} is English-only but --language {language} was asked; use a multilingual model such as base")]
    EnglishOnly { model: String, language: String },
    #[error("whisper.cpp failed: {0}")]
    Whisper(String),
}

/// Decoding choices; everything here affects the result.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// `None` detects the language.
    pub language: Option<String>,
    pub beam_size: u32,
    pub threads: usize,
}

pub struct Model {
    ctx: WhisperContext,
    name: String,
}

impl Model {
    pub fn load(path: &Path, name: &str) -> Result<Model, TranscribeError> {
        // Route whisper.cpp's own log lines away from the terminal; errors reach us as values.
        whisper_rs::install_logging_hooks();
        let p = path.to_string_lossy().into_owned();
        let ctx = WhisperContext::new_with_params(&p, WhisperContextParameters::default())
            .map_err(|e| TranscribeError::Load { path: p.clone(), detail: e.to_string() })?;
        Ok(Model { ctx, name: name.to_string() })
    }

    pub fn is_multilingual(&self) -> bool {
        self.ctx.is_multilingual()
    }

    /// Checks a requested language against the model before any audio work is done.
    pub fn check_language(&self, language: Option<&str>) -> Result<(), TranscribeError> {
        match language {
            None => Ok(()),
            Some(code) if whisper_rs::get_lang_id(code).is_none() => Err(TranscribeError::Language(code.into())),
            Some(code) if code != "en" && !self.is_multilingual() => {
                Err(TranscribeError::EnglishOnly { model: self.name.clone(), language: code.into() })
            }
            Some(_) => Ok(()),
        }
    }

    pub fn state(&self) -> Result<WhisperState, TranscribeError> {
        self.ctx.create_state().map_err(|e| TranscribeError::Whisper(e.to_string()))
    }

    /// Transcribes `samples`, which start `offset_s` seconds into the recording.
    /// `progress` receives whisper's percentage.
    pub fn transcribe(
        &self,
        state: &mut WhisperState,
        samples: &[f32],
        offset_s: f64,
        opts: &DecodeOptions,
        progress: impl FnMut(i32) + 'static,
    ) -> Result<Vec<Segment>, TranscribeError> {
        self.check_language(opts.language.as_deref())?;
        let strategy = if opts.beam_size > 1 {
            SamplingStrategy::BeamSearch { beam_size: opts.beam_size as i32, patience: -1.0 }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let mut params = FullParams::new(strategy);
        let language = match (&opts.language, self.is_multilingual()) {
            (Some(code), _) => code.as_str(),
            (None, true) => "auto",
            (None, false) => "en",
        };
        params.set_language(Some(language));
        params.set_n_threads(opts.threads.max(1) as i32);
        params.set_token_timestamps(true);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_progress_callback_safe(progress);
        state.full(params, samples).map_err(|e| TranscribeError::Whisper(e.to_string()))?;

        let eot = self.ctx.token_eot();
        let language = whisper_rs::get_lang_str(state.full_lang_id_from_state()).unwrap_or(language).to_string();
        let mut segments = Vec::new();
        for seg in state.as_iter() {
            let mut tokens = Vec::new();
            let mut words: Vec<(Vec<u8>, f64, f64, Vec<f32>)> = Vec::new();
            for i in 0..seg.n_tokens() {
                let Some(tok) = seg.get_token(i) else { continue };
                let data = tok.token_data();
                if data.id >= eot {
                    continue; // timestamps and other special tokens
                }
                let bytes = tok.to_bytes().unwrap_or_default().to_vec();
                let (start, end) = (offset_s + data.t0 as f64 / 100.0, offset_s + data.t1 as f64 / 100.0);
                tokens.push(Token {
                    id: data.id,
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    probability: data.p,
                    start: ms(start),
                    end: ms(end),
                });
                // A token that starts with a space starts a word; others continue it (this
                // also keeps multi-byte characters split across tokens together).
                match words.last_mut() {
                    Some(w) if !bytes.starts_with(b" ") => {
                        w.0.extend_from_slice(&bytes);
                        w.2 = end;
                        w.3.push(data.p);
                    }
                    _ => words.push((bytes, start, end, vec![data.p])),
                }
            }
            let words = words
                .into_iter()
                .map(|(bytes, start, end, ps)| Word {
                    text: String::from_utf8_lossy(&bytes).trim().to_string(),
                    start: ms(start),
                    end: ms(end),
                    probability: ps.iter().sum::<f32>() / ps.len() as f32,
                })
                .filter(|w| !w.text.is_empty())
                .collect::<Vec<_>>();
            let text = seg.to_str_lossy().map(|t| t.trim().to_string()).unwrap_or_default();
            if text.is_empty() || is_annotation(&text) {
                continue;
            }
            segments.push(Segment {
                id: segments.len(),
                start: ms(offset_s + seg.start_timestamp() as f64 / 100.0),
                end: ms(offset_s + seg.end_timestamp() as f64 / 100.0),
                text,
                language: language.clone(),
                no_speech_prob: seg.no_speech_probability(),
                words,
                tokens,
            });
        }
        Ok(segments)
    }
}

/// whisper marks non-speech with a bracketed tag such as `[BLANK_AUDIO]` or `(music)`;
/// those are not words anyone said.
fn is_annotation(text: &str) -> bool {
    let t = text.trim();
    [('[', ']'), ('(', ')')].iter().any(|&(open, close)| {
        t.starts_with(open) && t.ends_with(close) && t[1..t.len() - 1].chars().all(|c| c != open && c != close)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_tags_are_annotations_not_speech() {
        assert!(is_annotation("[BLANK_AUDIO]"));
        assert!(is_annotation(" (music playing) "));
        assert!(!is_annotation("[Applause] Thank you. [Laughter]"));
        assert!(!is_annotation("We (the network) agree."));
    }
}
