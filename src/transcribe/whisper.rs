//! The whisper.cpp engine: one decoding pass over a span of audio, turned into segments,
//! words and tokens on the recording's absolute clock; language scores; translation.

use std::path::Path;
use std::sync::LazyLock;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState};

use super::engine::{DecodeOptions, SpeechEngine, SpeechWorker, Task, TranscribeError, Translation};
use crate::audio::SAMPLE_RATE;
use crate::session::record::{Engine, Segment, Token, Word, ms};
use crate::text::{ends_sentence, join_words, without_closers};

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

/// whisper's language codes, indexed by its language ids.
static LANGUAGES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    (0..=whisper_rs::get_lang_max_id()).map(|id| whisper_rs::get_lang_str(id).unwrap_or("")).collect()
});

/// A whisper.cpp model, loaded once and shared by the workers.
pub struct Whisper {
    ctx: WhisperContext,
    name: String,
    /// Shrink the encoder's window to the chunk's length (faster on short chunks); off is
    /// `--full-window`.
    fit_audio_ctx: bool,
}

impl Whisper {
    pub fn load(path: &Path, name: &str, fit_audio_ctx: bool) -> Result<Whisper, TranscribeError> {
        // Route whisper.cpp's own log lines away from the terminal; errors reach us as values.
        whisper_rs::install_logging_hooks();
        let p = path.to_string_lossy().into_owned();
        // whisper.cpp aborts the whole process on a damaged file; `Store::resolve` already
        // checked any model given by path, and this guards every other caller.
        crate::models::ggml_check::check_file(path).map_err(|detail| TranscribeError::Load {
            path: p.clone(),
            detail: format!("it is damaged or not a whisper.cpp ggml model: {detail}"),
        })?;
        let mut params = WhisperContextParameters::default();
        // Word onsets by DTW over the model's alignment heads: far closer to the audio than
        // whisper.cpp's default token-time heuristic. Only catalogue models have known heads.
        if let Some(model_preset) = crate::models::catalog::find(name).and_then(|s| s.alignment_heads.clone()) {
            params.dtw_parameters(whisper_rs::DtwParameters {
                mode: whisper_rs::DtwMode::ModelPreset { model_preset },
                ..Default::default()
            });
        }
        let ctx = WhisperContext::new_with_params(&p, params)
            .map_err(|e| TranscribeError::Load { path: p.clone(), detail: e.to_string() })?;
        Ok(Whisper { ctx, name: name.to_string(), fit_audio_ctx })
    }

    /// The whole of `samples` in one whisper.cpp call with whisper's own seeking and full
    /// window, as whisper.cpp alone would do it: what the chunked pipeline is compared with
    /// (`tests/it/chunking.rs`, `bench/agreement.rs`).
    pub fn decode_whole(&self, samples: &[f32], opts: &DecodeOptions) -> Result<Vec<Segment>, TranscribeError> {
        let mut worker =
            WhisperWorker { model: self, state: self.state()?, threads: opts.threads, fit_audio_ctx: false };
        Ok(worker.transcribe(samples, &|t| t, opts, 0.0, false, false)?.0)
    }

    /// `text` as whisper's text tokens, special tokens left out: a prompt is plain text, and
    /// a term spelt like a control token ("<|endoftext|>") is read as its characters.
    fn text_tokens(&self, text: &str) -> Vec<i32> {
        // whisper-rs reads a count over `max_tokens` as a length: there are never more tokens
        // than bytes. (A NUL cannot reach here: names and terms are refused with one.)
        let tokens = self.ctx.tokenize(text, text.len() + 8).unwrap_or_default();
        let eot = self.ctx.token_eot();
        tokens.into_iter().filter(|&t| t < eot).collect()
    }

    fn state(&self) -> Result<WhisperState, TranscribeError> {
        self.ctx.create_state().map_err(|e| TranscribeError::Whisper(e.to_string()))
    }

    /// A state for language detection only. whisper.cpp's detection encodes with the encoder
    /// window of the state's last `full()` call, so the state is primed once with one call on
    /// silence at `DETECT_AUDIO_CTX` (and never used for decoding, which would change it).
    fn detection_state(&self, threads: usize) -> Result<WhisperState, TranscribeError> {
        let mut state = self.state()?;
        let mut params = quiet_params(SamplingStrategy::Greedy { best_of: 1 }, "en", threads);
        params.set_audio_ctx(super::language::DETECT_AUDIO_CTX);
        params.set_no_timestamps(true);
        params.set_single_segment(true);
        params.set_max_tokens(1);
        let silence = vec![0.0f32; (super::language::WINDOW_S * SAMPLE_RATE as f64) as usize];
        state.full(params, &silence).map_err(|e| TranscribeError::Whisper(e.to_string()))?;
        Ok(state)
    }
}

impl SpeechEngine for Whisper {
    fn engine(&self) -> Engine {
        Engine { name: "whisper.cpp".into(), version: whisper_rs::WHISPER_CPP_VERSION.into() }
    }

    fn model_name(&self) -> &str {
        &self.name
    }

    fn known_languages(&self) -> &[&'static str] {
        &LANGUAGES
    }

    fn is_multilingual(&self) -> bool {
        self.ctx.is_multilingual()
    }

    fn count_tokens(&self, text: &str) -> usize {
        self.text_tokens(text).len()
    }

    fn worker(&self, task: Task, threads: usize) -> Result<Box<dyn SpeechWorker + '_>, TranscribeError> {
        let state = match task {
            Task::Decode => self.state()?,
            Task::Detect => self.detection_state(threads)?,
        };
        Ok(Box::new(WhisperWorker { model: self, state, threads, fit_audio_ctx: self.fit_audio_ctx }))
    }
}

/// One thread's whisper.cpp state.
pub struct WhisperWorker<'a> {
    model: &'a Whisper,
    state: WhisperState,
    threads: usize,
    fit_audio_ctx: bool,
}

impl SpeechWorker for WhisperWorker<'_> {
    fn decode(
        &mut self,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
        temperature: f32,
    ) -> Result<Vec<Segment>, TranscribeError> {
        Ok(self.transcribe(samples, to_recording, opts, temperature, true, false)?.0)
    }

    fn decode_and_detect(
        &mut self,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
    ) -> Result<(Vec<Segment>, Vec<f32>), TranscribeError> {
        let (segments, scores) = self.transcribe(samples, to_recording, opts, 0.0, true, true)?;
        Ok((segments, scores.unwrap_or_default()))
    }

    fn language_scores(&mut self, samples: &[f32]) -> Result<Vec<f32>, TranscribeError> {
        let threads = self.threads.max(1);
        self.state.pcm_to_mel(samples, threads).map_err(|e| TranscribeError::Whisper(e.to_string()))?;
        let (_, probs) = self
            .state
            .lang_detect(0, threads)
            .map_err(|e| TranscribeError::Whisper(format!("language detection: {e}")))?;
        Ok(probs)
    }

    fn translate(
        &mut self,
        samples: &[f32],
        language: &str,
        opts: &DecodeOptions,
    ) -> Result<Translation, TranscribeError> {
        let mut params = quiet_params(SamplingStrategy::Greedy { best_of: 1 }, language, opts.threads);
        params.set_translate(true);
        params.set_no_context(true);
        params.set_no_timestamps(true);
        params.set_single_segment(true);
        params.set_suppress_nst(true);
        if self.fit_audio_ctx {
            params.set_audio_ctx(audio_ctx_for(samples.len() as f64 / SAMPLE_RATE as f64));
        }
        self.state.full(params, samples).map_err(|e| TranscribeError::Whisper(e.to_string()))?;
        let eot = self.model.ctx.token_eot();
        let (mut text, mut probabilities) = (Vec::new(), Vec::new());
        for seg in self.state.as_iter() {
            let Some(t) = seg.to_str_lossy().ok().map(|t| t.trim().to_string()) else { continue };
            if t.is_empty() || is_annotation(&t) {
                continue;
            }
            text.push(t);
            let tokens = (0..seg.n_tokens()).filter_map(|i| seg.get_token(i)).map(|tok| tok.token_data());
            probabilities.extend(tokens.filter(|d| d.id < eot).map(|d| d.p));
        }
        let probability =
            if probabilities.is_empty() { 1.0 } else { probabilities.iter().sum::<f32>() / probabilities.len() as f32 };
        Ok(Translation { text: text.join(" "), probability })
    }
}

impl WhisperWorker<'_> {
    /// Transcribes `samples` in one whisper.cpp call; `to_recording` maps a time in `samples`
    /// (seconds) to the recording's clock. Each call starts without the previous text as context (a wrong guess
    /// cannot propagate) and starts at `temperature`, falling back to higher temperatures when
    /// whisper.cpp's entropy, log-probability or no-speech thresholds reject a decode. With
    /// `detect`, also returns the language scores of the first call's encoder output.
    fn transcribe(
        &mut self,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
        temperature: f32,
        one_window: bool,
        detect: bool,
    ) -> Result<(Vec<Segment>, Option<Vec<f32>>), TranscribeError> {
        let mut segments: Vec<Segment> = Vec::new();
        let mut scores = None;
        let mut start = 0usize;
        for _ in 0..MAX_PASSES {
            let offset = start as f64 / SAMPLE_RATE as f64;
            let shifted = |t: f64| to_recording(offset + t);
            let (mut found, last_onset) =
                self.pass(&samples[start..], &shifted, opts, temperature, one_window, start > 0)?;
            if detect && scores.is_none() {
                scores = Some(self.encoded_language_scores()?);
            }
            // The word a continuation restarts on was decoded twice: keep the first reading.
            if let Some(prev) = segments.last().and_then(|s| s.words.last()).map(|w| w.start) {
                for seg in &mut found {
                    seg.words.retain(|w| w.start > prev + RESTART_SLACK_S);
                    seg.tokens.retain(|t| t.start > prev + RESTART_SLACK_S);
                    if let Some(first) = seg.words.first() {
                        seg.start = first.start;
                        seg.text = join_words(&seg.words);
                    }
                }
                found.retain(|seg| !seg.words.is_empty());
            }
            segments.extend(found);
            // One window decodes until whisper says the text has ended; if that happens well
            // before the audio does, decode the rest from the last word on.
            let Some(onset) = last_onset else { break };
            let next = start + (onset * SAMPLE_RATE as f64) as usize;
            if !one_window || (samples.len() - next) as f64 / (SAMPLE_RATE as f64) < CONTINUE_AFTER_S || next <= start {
                break;
            }
            start = next;
        }
        for (i, seg) in segments.iter_mut().enumerate() {
            seg.id = i;
        }
        Ok((segments, scores))
    }

    /// The probability of each language for the audio the state last encoded: whisper's own
    /// detection (`whisper_lang_auto_detect`: the start-of-transcript token decoded, a softmax
    /// over the language tokens' logits) without encoding again. Decoding one token from
    /// position 0 leaves the encoder output and the finished call's results as they were.
    fn encoded_language_scores(&mut self) -> Result<Vec<f32>, TranscribeError> {
        let ctx = &self.model.ctx;
        let failed = |e: whisper_rs::WhisperError| TranscribeError::Whisper(format!("language detection: {e}"));
        self.state.decode(&[ctx.token_sot()], 0, self.threads.max(1)).map_err(failed)?;
        let logits = self.state.get_logits().map_err(failed)?;
        let lang: Vec<f32> = (0..LANGUAGES.len())
            .map(|id| logits.get(ctx.token_lang(id as i32) as usize).copied().unwrap_or(f32::NEG_INFINITY))
            .collect();
        let max = lang.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = lang.iter().map(|l| (l - max).exp()).collect();
        let sum: f32 = exp.iter().sum::<f32>().max(f32::MIN_POSITIVE);
        Ok(exp.into_iter().map(|e| e / sum).collect())
    }

    /// One whisper.cpp call over `samples`; also returns the onset of the last word, in
    /// seconds into `samples`.
    fn pass(
        &mut self,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
        temperature: f32,
        one_window: bool,
        resumes: bool,
    ) -> Result<(Vec<Segment>, Option<f64>), TranscribeError> {
        self.model.check_language(opts.language.as_deref())?;
        let strategy = if opts.beam_size > 1 {
            SamplingStrategy::BeamSearch { beam_size: opts.beam_size as i32, patience: -1.0 }
        } else {
            SamplingStrategy::Greedy { best_of: 1 }
        };
        let language = match (&opts.language, self.model.is_multilingual()) {
            (Some(code), _) => code.as_str(),
            (None, true) => "auto",
            (None, false) => "en",
        };
        // The session's names and terms, as if said just before (`session::vocabulary`). With
        // `no_context` nothing else is: each call sees the prompt and its own audio only.
        // whisper.cpp drops it at its fallback temperatures (0.5 and up).
        let prompt = opts.prompt.as_ref().map(|p| self.model.text_tokens(&p.text)).unwrap_or_default();
        let mut params = quiet_params(strategy, language, opts.threads);
        if !prompt.is_empty() {
            params.set_tokens(&prompt);
        }
        params.set_token_timestamps(true);
        params.set_no_context(true);
        // A chunk fits one window: decode it as one piece of text and let the words decide
        // where sentences end. Besides giving segments that do not depend on where whisper
        // chose to seek, this keeps whisper.cpp 1.8.3's DTW from aborting on the sliver of
        // window that a seek to a degenerate timestamp can leave (its median filter asserts
        // more than 7 frames; seen on a 1-hour recording).
        params.set_single_segment(one_window);
        params.set_suppress_nst(true);
        params.set_temperature(temperature);
        if self.fit_audio_ctx {
            params.set_audio_ctx(audio_ctx_for(samples.len() as f64 / SAMPLE_RATE as f64));
        }
        let state = &mut self.state;
        state.full(params, samples).map_err(|e| TranscribeError::Whisper(e.to_string()))?;

        let eot = self.model.ctx.token_eot();
        let language = whisper_rs::get_lang_str(state.full_lang_id_from_state()).unwrap_or(language).to_string();
        let mut segments = Vec::new();
        let mut last_onset: Option<f64> = None;
        // Where the next text token starts, in this call's own time (s): with DTW, where the
        // token before it ends (see `words_and_tokens`). DTW does not place the call's first
        // token: a resumed call starts on it (the word it resumes on); else it is taken to
        // last a typical word.
        let mut next_start: Option<f64> = resumes.then_some(0.0);
        for seg in state.as_iter() {
            let text = seg.to_str_lossy().map(|t| t.trim().to_string()).unwrap_or_default();
            if text.is_empty() || is_annotation(&text) {
                continue;
            }
            let text_tokens: Vec<_> = (0..seg.n_tokens())
                .filter_map(|i| seg.get_token(i))
                .map(|tok| (tok.token_data(), tok.to_bytes().unwrap_or_default().to_vec()))
                .filter(|(data, _)| data.id < eot) // timestamps and other special tokens
                .collect();
            let mut first_start: Option<f64> = None;
            for (data, bytes) in &text_tokens {
                let end = (data.t_dtw >= 0).then(|| data.t_dtw as f64 / 100.0);
                let start = match end {
                    Some(end) => next_start.unwrap_or((end - FIRST_TOKEN_S).max(0.0)).min(end),
                    None => data.t0 as f64 / 100.0,
                };
                first_start.get_or_insert(start);
                // The last word's onset, for a continuation to start from.
                if bytes.starts_with(b" ") {
                    last_onset = Some(last_onset.map_or(start, |l: f64| l.max(start)));
                }
                next_start = end;
            }
            let raw: Vec<RawToken> = text_tokens
                .into_iter()
                .map(|(data, bytes)| RawToken {
                    id: data.id,
                    bytes,
                    p: data.p,
                    t0: to_recording(data.t0 as f64 / 100.0),
                    t1: to_recording(data.t1 as f64 / 100.0),
                    t_dtw: (data.t_dtw >= 0).then(|| to_recording(data.t_dtw as f64 / 100.0)),
                })
                .collect();
            let first_start = to_recording(first_start.unwrap_or(0.0));
            // Segment times come from their words (aligned by DTW where the model has
            // alignment heads), which stay true to the audio; whisper's segment timestamps
            // drift on long inputs.
            for (words, tokens) in sentences(words_and_tokens(&raw, first_start)) {
                let (Some(first), Some(last)) = (words.first(), words.last()) else { continue };
                segments.push(Segment {
                    id: segments.len(),
                    start: first.start,
                    end: last.end,
                    text: join_words(&words),
                    language: language.clone(),
                    translation: None,
                    translation_doubt: None,
                    speaker: None,
                    no_speech_prob: seg.no_speech_probability(),
                    words,
                    tokens,
                });
            }
        }
        Ok((segments, last_onset))
    }
}

/// Parameters for one whisper.cpp call in `language` on `threads` threads, printing nothing.
fn quiet_params(strategy: SamplingStrategy, language: &str, threads: usize) -> FullParams<'_, '_> {
    let mut params = FullParams::new(strategy);
    params.set_language(Some(language));
    params.set_n_threads(threads.max(1) as i32);
    params.set_print_special(false);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    params
}

/// Most whisper calls per chunk: the first, then continuations after an early end.
const MAX_PASSES: usize = 4;
/// Audio left after the last word's onset that calls for a continuation.
const CONTINUE_AFTER_S: f64 = 2.5;
/// How long the first token of a whisper call is taken to last, DTW placing only its end: a
/// typical word (forced-aligned AMI words last a median 0.22 s).
const FIRST_TOKEN_S: f64 = 0.25;
/// A continuation's words starting this close to the previous pass's last word repeat it.
const RESTART_SLACK_S: f64 = 0.15;

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

/// Groups a segment's tokens into words, each with its tokens. A token starting with a space
/// starts a word, others continue it (which also keeps multi-byte characters split across
/// tokens together). A word's probability is the mean of its tokens'.
///
/// With DTW, `t_dtw` is where a token *ends*: whisper.cpp stamps token k with the frame where
/// the alignment path enters row k + 1 of the cross-attention matrix, while row k (fed the
/// token before) is where token k is emitted; OpenAI's `timing.py` reads the same path as
/// token k spanning [jump k, jump k + 1]. Against forced-aligned AMI words, the `t_dtw` of a
/// word's first token fell a median 0.17 s after the word's start (0.03 s before its end),
/// the previous token's `t_dtw` 0.02 s before it. So a token runs from the previous token's
/// `t_dtw` (from `first_start` for the first one) to its own, and a word from its first
/// token's start to the end of its last token with a letter or digit: closing punctuation
/// can be emitted well after the word, over the pause that follows. A word's span may still
/// take in a pause before or after it. Without DTW, words use whisper's heuristic spans.
pub fn words_and_tokens(raw: &[RawToken], first_start: f64) -> Vec<(Word, Vec<Token>)> {
    let dtw: Option<Vec<f64>> = raw.iter().map(|t| t.t_dtw).collect();
    // Each token's (start, end).
    let spans: Vec<(f64, f64)> = match &dtw {
        Some(ends) => ends
            .iter()
            .enumerate()
            .map(|(k, &end)| {
                let start = match k {
                    0 => first_start,
                    _ => ends[k - 1],
                };
                (start.min(end), end)
            })
            .collect(),
        None => raw.iter().map(|t| (t.t0, t.t1.max(t.t0))).collect(),
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (k, t) in raw.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if !t.bytes.starts_with(b" ") => g.push(k),
            _ => groups.push(vec![k]),
        }
    }
    groups
        .into_iter()
        .filter_map(|g| {
            let bytes: Vec<u8> = g.iter().flat_map(|&k| raw[k].bytes.iter().copied()).collect();
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if text.is_empty() {
                return None;
            }
            let start = spans[g[0]].0;
            // The end of the last token with a letter or digit (of the last token if none).
            let last = if dtw.is_some() {
                g.iter().rev().find(|&&k| String::from_utf8_lossy(&raw[k].bytes).chars().any(char::is_alphanumeric))
            } else {
                None
            };
            let end = spans[*last.unwrap_or(&g[g.len() - 1])].1;
            let probability = g.iter().map(|&k| raw[k].p).sum::<f32>() / g.len() as f32;
            let word =
                Word { text, start: ms(start), end: ms(end.max(start)), probability, speaker: None, overlap: vec![] };
            let tokens = g
                .iter()
                .map(|&k| Token {
                    id: raw[k].id,
                    text: String::from_utf8_lossy(&raw[k].bytes).into_owned(),
                    probability: raw[k].p,
                    start: ms(spans[k].0),
                    end: ms(spans[k].1),
                })
                .collect();
            Some((word, tokens))
        })
        .collect()
}

/// A pause longer than this between two words ends a segment even without punctuation.
const SEGMENT_PAUSE_S: f64 = 1.0;
/// A segment this many words long ends at the next comma or semicolon.
const LONG_SEGMENT_WORDS: usize = 30;

/// Splits words into segments (sentences): after a word ending a sentence, at a pause, and
/// in long sentences at a clause boundary, so captions stay readable.
pub fn sentences(words: Vec<(Word, Vec<Token>)>) -> Vec<(Vec<Word>, Vec<Token>)> {
    let mut out: Vec<(Vec<Word>, Vec<Token>)> = Vec::new();
    let mut current: (Vec<Word>, Vec<Token>) = (Vec::new(), Vec::new());
    let mut iter = words.into_iter().peekable();
    while let Some((word, tokens)) = iter.next() {
        let sentence_end = ends_sentence(&word.text);
        let clause_end =
            current.0.len() + 1 >= LONG_SEGMENT_WORDS && without_closers(&word.text).ends_with([',', ';', ':']);
        let pause = iter.peek().is_some_and(|(next, _)| next.start - word.end > SEGMENT_PAUSE_S);
        current.0.push(word);
        current.1.extend(tokens);
        if sentence_end || clause_end || pause {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.0.is_empty() {
        out.push(current);
    }
    out
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
    fn a_token_runs_from_the_dtw_time_of_the_token_before_to_its_own() {
        // whisper.cpp's t_dtw is where each token ends.
        let raw = [
            tok(" Good", 0.0, 0.3, Some(0.8)),
            tok(" morn", 0.3, 0.5, Some(1.1)),
            tok("ing,", 0.5, 0.7, Some(1.3)),
            tok(" all", 0.7, 0.9, Some(1.6)),
        ];
        let words = words_and_tokens(&raw, 0.5);
        let w: Vec<(&str, f64, f64)> = words.iter().map(|(w, _)| (w.text.as_str(), w.start, w.end)).collect();
        assert_eq!(w, [("Good", 0.5, 0.8), ("morning,", 0.8, 1.3), ("all", 1.3, 1.6)]);
        assert_eq!(words[1].1.len(), 2, "morning, is two tokens");
        assert_eq!((words[1].1[0].start, words[1].1[0].end), (0.8, 1.1));
        assert_eq!((words[1].1[1].start, words[1].1[1].end), (1.1, 1.3));
    }

    #[test]
    fn a_closing_mark_emitted_late_is_in_no_word() {
        // "you" ends at 1.0; the full stop is emitted over the pause, at 2.2, just before the
        // next speaker's "Thanks" (2.2 to 2.6).
        let raw = [
            tok(" Thank", 0.0, 0.3, Some(0.7)),
            tok(" you", 0.3, 0.5, Some(1.0)),
            tok(".", 0.5, 0.6, Some(2.2)),
            tok(" Thanks", 0.6, 0.9, Some(2.6)),
        ];
        let words = words_and_tokens(&raw, 0.4);
        let w: Vec<(&str, f64, f64)> = words.iter().map(|(w, _)| (w.text.as_str(), w.start, w.end)).collect();
        assert_eq!(w, [("Thank", 0.4, 0.7), ("you.", 0.7, 1.0), ("Thanks", 2.2, 2.6)]);
    }

    #[test]
    fn without_dtw_words_use_the_heuristic_spans() {
        let raw = [tok(" Good", 0.0, 0.3, None), tok(" morn", 0.3, 0.5, None), tok("ing", 0.5, 0.7, None)];
        let words = words_and_tokens(&raw, 2.0);
        let w: Vec<(&str, f64, f64)> = words.iter().map(|(w, _)| (w.text.as_str(), w.start, w.end)).collect();
        assert_eq!(w, [("Good", 0.0, 0.3), ("morning", 0.3, 0.7)], "first_start is for DTW only");
    }

    #[test]
    fn a_character_split_across_tokens_is_rebuilt() {
        let e_acute = "é".as_bytes();
        let raw = [
            tok(" caf", 0.0, 0.1, None),
            RawToken { bytes: vec![e_acute[0]], ..tok("", 0.1, 0.2, None) },
            RawToken { bytes: vec![e_acute[1]], ..tok("", 0.2, 0.3, None) },
        ];
        assert_eq!(words_and_tokens(&raw, 1.0)[0].0.text, "café");
    }

    fn words(spec: &[(&str, f64)]) -> Vec<(Word, Vec<Token>)> {
        spec.iter()
            .map(|(t, s)| {
                (
                    Word {
                        text: t.to_string(),
                        start: *s,
                        end: s + 0.3,
                        probability: 1.0,
                        speaker: None,
                        overlap: vec![],
                    },
                    vec![],
                )
            })
            .collect()
    }

    #[test]
    fn sentences_end_at_punctuation_and_pauses() {
        let segs = sentences(words(&[
            ("Good", 0.0),
            ("morning.", 0.4),
            ("Welcome", 0.8),
            ("all", 1.2),
            ("then", 4.0),
            ("\"Go!\"", 4.4),
            ("Dr.", 5.0),
        ]));
        let texts: Vec<String> =
            segs.iter().map(|(w, _)| w.iter().map(|x| x.text.as_str()).collect::<Vec<_>>().join(" ")).collect();
        assert_eq!(texts, ["Good morning.", "Welcome all", "then \"Go!\"", "Dr."]);
    }

    #[test]
    fn long_sentences_split_at_a_clause() {
        let spec: Vec<(String, f64)> =
            (0..40).map(|i| (if i == 31 { "word,".to_string() } else { "word".to_string() }, i as f64 * 0.3)).collect();
        let spec: Vec<(&str, f64)> = spec.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        let segs = sentences(words(&spec));
        assert_eq!(segs.iter().map(|(w, _)| w.len()).collect::<Vec<_>>(), [32, 8]);
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
