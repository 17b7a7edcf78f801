//! The seam between the pipeline and a speech-to-text engine. The pipeline plans chunks,
//! chooses languages, guards against loops, merges and translates; an engine only turns audio
//! into text. whisper.cpp (`whisper.rs`) is the engine of every run; `scripted.rs` stands in
//! for it in tests of the pipeline's own logic.

use crate::session::record::{Engine, Segment};

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
    /// The languages detection may choose from (ISO 639-1 codes); empty allows all.
    pub among: Vec<String>,
    pub beam_size: u32,
    /// CPU threads for one engine call.
    pub threads: usize,
    /// Text whisper takes as said just before each chunk, so that it spells the session's
    /// names and terms as written (`session::vocabulary`); none without a session.toml,
    /// vocabulary file, or with `--no-vocabulary`.
    pub prompt: Option<Prompt>,
}

/// An initial prompt, and the language of the chunks it is given to: whisper takes a prompt
/// for what was just said, and one in another language than the chunk's draws the text
/// towards the prompt's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub text: String,
    /// ISO 639-1.
    pub language: String,
}

/// What a worker is for: detection workers may be set up differently (whisper.cpp primes
/// them with a shorter encoder window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Decode,
    Detect,
}

/// A loaded model, shared by the workers.
pub trait SpeechEngine: Sync {
    /// Its name and version, for the record.
    fn engine(&self) -> Engine;
    /// The model's name, for messages.
    fn model_name(&self) -> &str;
    /// Every language the engine has a code for (ISO 639-1), in the order of `language_scores`.
    fn known_languages(&self) -> &[&'static str];
    /// Whether the model speaks more than English.
    fn is_multilingual(&self) -> bool;
    /// How many tokens the engine reads `text` as, to keep a prompt within its limit; by
    /// default a conservative guess (whisper's tokens average more than three characters).
    fn count_tokens(&self, text: &str) -> usize {
        text.chars().count().div_ceil(2)
    }
    /// A worker, with its own state, for one thread of work.
    fn worker(&self, task: Task, threads: usize) -> Result<Box<dyn SpeechWorker + '_>, TranscribeError>;

    /// Checks a requested language against the model before any audio work is done.
    fn check_language(&self, language: Option<&str>) -> Result<(), TranscribeError> {
        match language {
            None => Ok(()),
            Some(code) if !self.known_languages().contains(&code) => Err(TranscribeError::Language(code.into())),
            Some(code) if code != "en" && !self.is_multilingual() => {
                Err(TranscribeError::EnglishOnly { model: self.model_name().into(), language: code.into() })
            }
            Some(_) => Ok(()),
        }
    }
}

/// One worker's calls; a worker is used by one thread at a time.
pub trait SpeechWorker {
    /// The segments (sentences, with words and tokens) of `samples`, speech in
    /// `opts.language`, sampled at `temperature` (0 is greedy); `to_recording` maps a time in
    /// `samples` (seconds) to the recording's clock.
    fn decode(
        &mut self,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
        temperature: f32,
    ) -> Result<Vec<Segment>, TranscribeError>;

    /// `decode` at temperature 0, with the probability of each of `known_languages()` for
    /// `samples` read from the encoder output the decode used: language detection for the
    /// price of one decoder step. The probabilities do not depend on `opts.language`.
    fn decode_and_detect(
        &mut self,
        samples: &[f32],
        to_recording: &dyn Fn(f64) -> f64,
        opts: &DecodeOptions,
    ) -> Result<(Vec<Segment>, Vec<f32>), TranscribeError> {
        let segments = self.decode(samples, to_recording, opts, 0.0)?;
        Ok((segments, self.language_scores(samples)?))
    }

    /// The probability of each of `known_languages()` for `samples`, which hold at most
    /// `language::WINDOW_S` of speech.
    fn language_scores(&mut self, samples: &[f32]) -> Result<Vec<f32>, TranscribeError>;

    /// The English translation of `samples` (speech in `language`), as one text.
    fn translate(
        &mut self,
        samples: &[f32],
        language: &str,
        opts: &DecodeOptions,
    ) -> Result<Translation, TranscribeError>;
}

/// An English translation and how sure the engine was of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Translation {
    pub text: String,
    /// The mean probability of its tokens (1 when the engine gives none).
    pub probability: f32,
}
