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

/// Decoding choices; everything here but `threads` affects the result.
#[derive(Debug, Clone)]
pub struct DecodeOptions {
    /// `None` detects the language.
    pub language: Option<String>,
    pub beam_size: u32,
    /// CPU threads for one whisper.cpp call.
    pub threads: usize,
    /// Shrink the encoder's window to the chunk's length (faster on short chunks).
    pub fit_audio_ctx: bool,
}

/// whisper's encoder sees 30 s as 1500 positions.
const POSITIONS_PER_SECOND: f64 = 50.0;
const WINDOW_POSITIONS: i32 = 1500;
/// Extra encoder positions beyond the chunk, so its last word is not clipped.
const AUDIO_CTX_MARGIN_S: f64 = 1.0;
/// The shortest window: with a 1.5 s window tiny.en turned "I am the moderator" into a page
/// of invented words; 5 s was already enough, 10 s leaves a margin.
const MIN_AUDIO_CTX_S: f64 = 10.0;

/// The encoder window for `seconds` of audio: 0 means whisper's full 30 s.
pub fn audio_ctx_for(seconds: f64) -> i32 {
    let positions = ((seconds + AUDIO_CTX_MARGIN_S).max(MIN_AUDIO_CTX_S) * POSITIONS_PER_SECOND).ceil() as i32;
    if positions >= WINDOW_POSITIONS { 0 } else { positions }
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
        let mut params = WhisperContextParameters::default();
        // Word onsets by DTW over the model's alignment heads: far closer to the audio than
        // whisper.cpp's default token-time heuristic. Only catalogue models have known heads.
        if let Some(model_preset) = crate::models::catalog::find(name).and_then(|s| s.alignment_heads.clone()) {
            params.dtw_parameters(whisper_rs::DtwParameters { mode: whisper_rs::DtwMode::ModelPreset { model_preset }, ..Default::default() });
        }
        let ctx = WhisperContext::new_with_params(&p, params)
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

    /// Transcribes `samples` in one whisper.cpp call; `to_recording` maps a time in `samples`
    /// (seconds) to the recording's clock. Each call starts without the previous text as context (a wrong guess
    /// cannot propagate) and starts at `temperature`, falling back to higher temperatures when
    /// whisper.cpp's entropy, log-probability or no-speech thresholds reject a decode.
    pub fn transcribe(
        &self,
        state: &mut WhisperState,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
        temperature: f32,
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
        params.set_no_context(true);
        params.set_suppress_nst(true);
        params.set_temperature(temperature);
        if opts.fit_audio_ctx {
            params.set_audio_ctx(audio_ctx_for(samples.len() as f64 / crate::audio::SAMPLE_RATE as f64));
        }
        state.full(params, samples).map_err(|e| TranscribeError::Whisper(e.to_string()))?;

        let eot = self.ctx.token_eot();
        let language = whisper_rs::get_lang_str(state.full_lang_id_from_state()).unwrap_or(language).to_string();
        let mut segments = Vec::new();
        for seg in state.as_iter() {
            let text = seg.to_str_lossy().map(|t| t.trim().to_string()).unwrap_or_default();
            if text.is_empty() || is_annotation(&text) {
                continue;
            }
            let raw: Vec<RawToken> = (0..seg.n_tokens())
                .filter_map(|i| seg.get_token(i))
                .map(|tok| (tok.token_data(), tok.to_bytes().unwrap_or_default().to_vec()))
                .filter(|(data, _)| data.id < eot) // timestamps and other special tokens
                .map(|(data, bytes)| RawToken {
                    id: data.id,
                    bytes,
                    p: data.p,
                    t0: to_recording(data.t0 as f64 / 100.0),
                    t1: to_recording(data.t1 as f64 / 100.0),
                    t_dtw: (data.t_dtw >= 0).then(|| to_recording(data.t_dtw as f64 / 100.0)),
                })
                .collect();
            let seg_start = to_recording(seg.start_timestamp() as f64 / 100.0);
            let seg_end = to_recording(seg.end_timestamp() as f64 / 100.0);
            let (words, tokens) = words_and_tokens(&raw, seg_end);
            // Word times (aligned by DTW where the model has alignment heads) are more precise
            // than whisper's segment timestamps, which drift on long inputs.
            let (start, end) = match (words.first(), words.last()) {
                (Some(f), Some(l)) => (f.start, l.end),
                _ => (ms(seg_start), ms(seg_end)),
            };
            segments.push(Segment {
                id: segments.len(),
                start,
                end,
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

/// A text token as whisper.cpp reports it, times already on the recording's clock.
#[derive(Debug, Clone)]
pub struct RawToken {
    pub id: i32,
    pub bytes: Vec<u8>,
    pub p: f32,
    /// whisper.cpp's heuristic token span.
    pub t0: f64,
    pub t1: f64,
    /// The token's onset from DTW over the alignment heads, when enabled.
    pub t_dtw: Option<f64>,
}

/// Groups a segment's tokens into words. A token starting with a space starts a word, others
/// continue it (which also keeps multi-byte characters split across tokens together).
/// A word starts at its first token's onset (DTW when available) and ends where the next word
/// starts; the last word ends at the segment's end. A word's probability is the mean of its
/// tokens'.
pub fn words_and_tokens(raw: &[RawToken], seg_end: f64) -> (Vec<Word>, Vec<Token>) {
    let onset = |t: &RawToken| t.t_dtw.unwrap_or(t.t0);
    let tokens = raw
        .iter()
        .map(|t| Token { id: t.id, text: String::from_utf8_lossy(&t.bytes).into_owned(), probability: t.p, start: ms(onset(t)), end: ms(t.t1.max(onset(t))) })
        .collect();
    // (bytes, start, heuristic end, probabilities)
    let mut groups: Vec<(Vec<u8>, f64, f64, Vec<f32>)> = Vec::new();
    for t in raw {
        match groups.last_mut() {
            Some(g) if !t.bytes.starts_with(b" ") => {
                g.0.extend_from_slice(&t.bytes);
                g.2 = t.t1;
                g.3.push(t.p);
            }
            _ => groups.push((t.bytes.clone(), onset(t), t.t1, vec![t.p])),
        }
    }
    let starts: Vec<f64> = groups.iter().map(|g| g.1).collect();
    let dtw = raw.iter().all(|t| t.t_dtw.is_some());
    let words = groups
        .into_iter()
        .enumerate()
        .map(|(i, (bytes, start, t1, ps))| {
            let end = match (dtw, starts.get(i + 1)) {
                (true, Some(next)) => *next,
                (true, None) => seg_end,
                (false, _) => t1,
            };
            Word {
                text: String::from_utf8_lossy(&bytes).trim().to_string(),
                start: ms(start),
                end: ms(end.max(start)),
                probability: ps.iter().sum::<f32>() / ps.len() as f32,
            }
        })
        .filter(|w| !w.text.is_empty())
        .collect();
    (words, tokens)
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

    fn tok(text: &str, t0: f64, t1: f64, dtw: Option<f64>) -> RawToken {
        RawToken { id: 1, bytes: text.as_bytes().to_vec(), p: 0.5, t0, t1, t_dtw: dtw }
    }

    #[test]
    fn tokens_become_words_with_dtw_onsets() {
        let raw = [tok(" Good", 0.0, 0.3, Some(0.8)), tok(" morn", 0.3, 0.5, Some(1.1)), tok("ing,", 0.5, 0.7, Some(1.3)), tok(" all", 0.7, 0.9, Some(1.6))];
        let (words, tokens) = words_and_tokens(&raw, 2.0);
        let w: Vec<(&str, f64, f64)> = words.iter().map(|w| (w.text.as_str(), w.start, w.end)).collect();
        assert_eq!(w, [("Good", 0.8, 1.1), ("morning,", 1.1, 1.6), ("all", 1.6, 2.0)]);
        assert_eq!(tokens.len(), 4);
        assert_eq!(tokens[1].start, 1.1);
    }

    #[test]
    fn without_dtw_words_use_the_heuristic_spans() {
        let raw = [tok(" Good", 0.0, 0.3, None), tok(" morn", 0.3, 0.5, None), tok("ing", 0.5, 0.7, None)];
        let (words, _) = words_and_tokens(&raw, 2.0);
        let w: Vec<(&str, f64, f64)> = words.iter().map(|w| (w.text.as_str(), w.start, w.end)).collect();
        assert_eq!(w, [("Good", 0.0, 0.3), ("morning", 0.3, 0.7)]);
    }

    #[test]
    fn a_character_split_across_tokens_is_rebuilt() {
        let e_acute = "é".as_bytes();
        let raw = [tok(" caf", 0.0, 0.1, None), RawToken { bytes: vec![e_acute[0]], ..tok("", 0.1, 0.2, None) }, RawToken { bytes: vec![e_acute[1]], ..tok("", 0.2, 0.3, None) }];
        assert_eq!(words_and_tokens(&raw, 1.0).0[0].text, "café");
    }

    #[test]
    fn audio_ctx_fits_the_chunk_plus_margin() {
        assert_eq!(audio_ctx_for(10.0), 550);
        assert_eq!(audio_ctx_for(0.5), 500, "never under 10 s");
        assert_eq!(audio_ctx_for(29.0), 0, "a full window uses whisper's default");
    }

    #[test]
    fn bracketed_tags_are_annotations_not_speech() {
        assert!(is_annotation("[BLANK_AUDIO]"));
        assert!(is_annotation(" (music playing) "));
        assert!(!is_annotation("[Applause] Thank you. [Laughter]"));
        assert!(!is_annotation("We (the network) agree."));
    }
}
