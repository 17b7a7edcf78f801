//! One recording through the stages: decode → voice activity → speech to text → speakers →
//! translation → `session::assemble`. `Pipeline::prepare` checks and loads everything once
//! (so a typo fails in a second, not after an hour of transcription) and `process` runs the
//! stages for each job. Writing the documents is the caller's (`commands::run`).

use std::path::PathBuf;

use crate::audio::AudioError;
use crate::audio::decode::{self, Channels};
use crate::audio::vad::{Vad, VadError};
use crate::commands::Failure;
use crate::config::{RunConfig, Vocabulary};
use crate::diarize::{Diarizer, Params as DiarizeParams, attribute, channels};
use crate::exit::Exit;
use crate::models::catalog::{self, Kind};
use crate::models::store::{Resolved, Store, sha256_file};
use crate::progress::Progress;
use crate::render::Documents;
use crate::session::assemble::{Parts, assemble};
use crate::session::record::{ModelInfo, SessionRecord, Settings, Source};
use crate::session::{metadata, vocabulary};
use crate::transcribe::whisper::Whisper;
use crate::transcribe::{self, DecodeOptions, Prompt, SpeechEngine, TranscribeError};
use crate::voices::{self, Library};

/// One recording and the session folder it goes to.
#[derive(Debug, Clone)]
pub struct Job {
    pub recording: PathBuf,
    pub dir: PathBuf,
}

/// Why a stage failed on a recording; `Failure` gives each its exit class.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("cannot read {recording}: {error}")]
    Read { recording: String, error: std::io::Error },
    #[error(transparent)]
    Decode(#[from] AudioError),
    #[error("voice activity detection failed on {recording}: {error}")]
    Vad { recording: String, error: VadError },
    #[error(transparent)]
    Transcribe(#[from] TranscribeError),
    /// The diarization models are built into the binary: a failure here is a bug, not a
    /// damaged file.
    #[error("cannot prepare the diarization models: {0:#}")]
    DiarizerLoad(anyhow::Error),
    #[error("diarization failed on {recording}: {error:#}")]
    Diarize { recording: String, error: anyhow::Error },
    /// A session.toml that cannot be read (checked before the run; changed since).
    #[error("{0}")]
    Session(String),
}

impl From<StageError> for Failure {
    fn from(e: StageError) -> Failure {
        match e {
            StageError::Decode(e) => e.into(),
            StageError::Transcribe(e) => e.into(),
            StageError::Read { .. } | StageError::Session(_) => Failure::new(Exit::Input, e.to_string()),
            StageError::Vad { .. } | StageError::DiarizerLoad(_) | StageError::Diarize { .. } => {
                Failure::new(Exit::Failed, e.to_string())
            }
        }
    }
}

/// What every recording of a run shares: settings, documents, models.
pub struct Pipeline {
    cfg: RunConfig,
    documents: Documents,
    model: Resolved,
    engine: Box<dyn SpeechEngine>,
    vad: Vad,
    /// Loaded when first needed, after the first transcription, so that a single recording's
    /// peak memory is the engine's or the diarizer's, not both (about 100 MB less for an hour).
    diarizer: Option<Diarizer>,
    /// Enrolled voices, when there are any and speakers are told apart.
    voices: Option<Library>,
    /// The terms of the `--vocabulary` file, for every recording's prompt.
    vocabulary: Vec<String>,
}

impl Pipeline {
    /// Checks the settings, the templates and the models, and loads them.
    pub fn prepare(cfg: &RunConfig, store: &Store, progress: &Progress) -> Result<Pipeline, Failure> {
        if let Some(c) = cfg.speakers
            && c.min > c.max
        {
            return Err(Failure::new(
                Exit::Usage,
                format!("--min-speakers {} is more than --max-speakers {}", c.min, c.max),
            ));
        }
        let documents = Documents::load(cfg.templates.as_deref(), &cfg.minutes, store)?;
        let vocabulary = match &cfg.vocabulary {
            Vocabulary::Session { file: Some(path) } => {
                vocabulary::read_file(path).map_err(|e| Failure::new(Exit::Input, e))?
            }
            _ => Vec::new(),
        };
        let model = store.resolve(&cfg.model, Kind::Whisper)?;
        let vad_model = store.resolve(catalog::VAD, Kind::Vad)?;
        let stage = progress.stage(&model.name, "load model", false);
        let engine = Whisper::load(&model.path, &model.name, !cfg.full_window);
        stage.finish();
        let engine = engine?;
        engine.check_language(cfg.decode.language.as_deref())?;
        for code in &cfg.decode.among {
            engine.check_language(Some(code))?;
        }
        if cfg.translate && !engine.is_multilingual() {
            return Err(Failure::new(
                Exit::Usage,
                format!(
                    "model {} is English-only and cannot translate; use a multilingual model such as base",
                    model.name
                ),
            ));
        }
        // One thread: the VAD is light (0.5 s for 3 min of audio), and ggml's threads spin while
        // they wait, which under load from other processes cost minutes in the test suite.
        let vad = Vad::load(&vad_model.path, 1).map_err(|e| Failure::new(Exit::Model, e.to_string()))?;
        // The minutes' sentence model, checked before any audio is decoded.
        documents.check_model()?;
        // A library that cannot be read costs the names, not the run.
        let voices = match Library::load(&cfg.voices) {
            Ok(lib) if !lib.voices.is_empty() && cfg.speakers.is_some() => Some(lib),
            Ok(_) => None,
            Err(e) => {
                progress.warn(&format!("{e}; speakers will not be recognised by voice"));
                None
            }
        };
        Ok(Pipeline {
            cfg: cfg.clone(),
            documents,
            model,
            engine: Box::new(engine),
            vad,
            diarizer: None,
            voices,
            vocabulary,
        })
    }

    /// whisper's prompt for `job`: the names and terms of its session.toml (the session
    /// folder's, else the one beside the recording, as `run` copies it) and of the
    /// `--vocabulary` file, within `vocabulary::MAX_PROMPT_TOKENS`; with the terms left out.
    /// Given to the chunks in the session's language (session.toml's `language`, else
    /// `--language`, else English).
    pub fn prompt(&self, job: &Job) -> Result<Option<(Prompt, Vec<String>)>, StageError> {
        if self.cfg.vocabulary == Vocabulary::Off {
            return Ok(None);
        }
        let fail = |e: metadata::MetaError| StageError::Session(e.0);
        let meta = match metadata::load(&job.dir).map_err(fail)? {
            Some(meta) => Some(meta),
            None => metadata::load_file(&job.recording.with_extension("toml")).map_err(fail)?,
        };
        let engine = self.engine.as_ref();
        let fits = |text: &str| engine.count_tokens(text) <= vocabulary::MAX_PROMPT_TOKENS;
        let Some(built) = vocabulary::build(meta.as_ref(), &self.vocabulary, &fits) else { return Ok(None) };
        let language = meta
            .as_ref()
            .and_then(|m| m.language.as_deref())
            .or(self.cfg.decode.language.as_deref())
            .unwrap_or("en")
            .trim()
            .to_ascii_lowercase();
        Ok(Some((Prompt { text: built.text, language }, built.left_out)))
    }

    /// The settings `job` is (or was) transcribed with, as its record keeps them.
    pub fn settings(&self, job: &Job) -> Result<Settings, StageError> {
        Ok(self.cfg.settings(self.prompt(job)?.map(|(p, _)| p).as_ref()))
    }

    pub fn documents(&self) -> &Documents {
        &self.documents
    }

    /// The model the text is made with.
    pub fn model(&self) -> &Resolved {
        &self.model
    }

    /// Runs every stage on `job`'s recording and assembles its record.
    pub fn process(&mut self, job: &Job, progress: &Progress) -> Result<SessionRecord, StageError> {
        let cfg = &self.cfg;
        let recording = &job.recording;
        let name = recording.display().to_string();
        let stage = progress.stage(&name, "decode", true);
        let decoded = decode::decode_with(recording, cfg.audio, &|f| stage.tick(f));
        stage.finish();
        let (signals, source_audio) = decoded?;
        // With a speaker per channel the channels are kept for attribution and transcribed mixed.
        let (pcm, per_channel) = match cfg.audio.channels {
            Channels::Each => (channels::mix(&signals), Some(signals)),
            _ => (signals.into_iter().next().unwrap_or_default(), None),
        };
        let (bytes, sha256) =
            sha256_file(recording).map_err(|error| StageError::Read { recording: name.clone(), error })?;

        let stage = progress.stage(&name, "detect speech", false);
        let probs = self.vad.probabilities(&pcm);
        stage.finish();
        let probs = probs.map_err(|error| StageError::Vad { recording: name.clone(), error })?;

        let prompt = self.prompt(job)?.map(|(prompt, left_out)| {
            if !left_out.is_empty() {
                progress.note(&format!(
                    "{name}: whisper reads at most {} tokens of names and terms; left out: {}",
                    vocabulary::MAX_PROMPT_TOKENS,
                    left_out.join(", ")
                ));
            }
            prompt
        });
        let decode = DecodeOptions { prompt: prompt.clone(), ..cfg.decode.clone() };
        let stage = progress.stage(&name, "transcribe", true);
        let transcription =
            transcribe::transcribe(self.engine.as_ref(), &probs, &pcm, &decode, &cfg.plan, cfg.jobs, &|f| {
                stage.tick(f)
            });
        stage.finish();
        let transcription = transcription?;
        let mut segments = transcription.segments;

        let (mut speakers, mut speech) = (Vec::new(), Vec::new());
        if let Some(signals) = &per_channel {
            let diarization = channels::diarize(signals, &DiarizeParams::default().speech(&probs));
            segments = attribute::attribute(&diarization, segments);
            (speakers, speech) = attribute::summary(&diarization);
        } else if let Some(count) = cfg.speakers.filter(|_| !transcription.chunks.is_empty()) {
            // With no speech found there is no one to tell apart: diarizing hours of silence
            // would find nothing, slowly.
            if self.diarizer.is_none() {
                let stage = progress.stage("diarization models", "load model", false);
                // Preparing the speaker embedding model keeps one core busy for about half a
                // second; the documents' sentence model is readied on the other.
                let (loaded, ()) = rayon::join(Diarizer::load, || self.documents.prepare_analysis());
                stage.finish();
                self.diarizer = Some(loaded.map_err(StageError::DiarizerLoad)?);
            }
            let diarizer = self.diarizer.as_ref().expect("loaded above");
            let stage = progress.stage(&name, "diarize", true);
            let params = DiarizeParams::default();
            let diarization = diarizer.diarize(&pcm, &params.speech(&probs), count, &params, &|f| stage.tick(f));
            stage.finish();
            let diarization = diarization.map_err(|error| StageError::Diarize { recording: name.clone(), error })?;
            segments = attribute::attribute(&diarization, segments);
            (speakers, speech) = attribute::summary(&diarization);
            if let Some(library) = &self.voices {
                for (speaker, found) in
                    speakers.iter_mut().zip(library.recognise(&diarization.voices, voices::THRESHOLD))
                {
                    if let Some(m) = &found {
                        progress.note(&format!("{name}: {} is {} by voice (score {:.2})", speaker.id, m.name, m.score));
                    }
                    speaker.voice = found;
                }
            }
        }
        // After attribution: a stretch translated as one is one speaker's.
        if cfg.translate && segments.iter().any(|s| s.language != "en") {
            let stage = progress.stage(&name, "translate", true);
            let translated =
                transcribe::translate::translate(self.engine.as_ref(), &pcm, segments, &cfg.decode, cfg.jobs, &|f| {
                    stage.tick(f)
                });
            stage.finish();
            segments = translated?;
        }
        let record = assemble(Parts {
            source: Source {
                // Absolute, so documents link to it from wherever `render` is run.
                path: std::fs::canonicalize(recording).map_or_else(|_| name.clone(), |p| p.display().to_string()),
                file_name: recording.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                bytes,
                sha256,
                sample_rate: source_audio.sample_rate,
                channels: source_audio.channels,
                codec: source_audio.codec,
            },
            duration_s: pcm.duration_s(),
            engine: self.engine.engine(),
            model: ModelInfo { name: self.model.name.clone(), sha256: self.model.sha256.clone() },
            settings: cfg.settings(prompt.as_ref()),
            pinned_language: cfg.decode.language.clone(),
            multilingual: self.engine.is_multilingual(),
            speakers,
            speech,
            segments,
            truncated: source_audio.truncated,
            no_speech: transcription.chunks.is_empty(),
            dropped_loops: transcription.dropped_loops,
        });
        for note in &record.notes {
            progress.note(&format!("{name}: {note}"));
        }
        Ok(record)
    }
}
