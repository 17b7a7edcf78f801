//! `rapporteur run RECORDING... --out DIR`: each recording becomes `DIR/<name>/` with
//! `session.json` and the documents rendered from it.
//!
//! Everything that can fail fast (output folder, model, language) is checked before the first
//! recording is decoded, so a typo costs a second, not an hour of transcription.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Failure;
use crate::render::Documents;
use crate::voices::Library;
use crate::session::naming::Named;
use crate::audio::decode;
use crate::config::RunConfig;
use crate::audio::decode::Channels;
use crate::diarize::{attribute, channels, Diarizer, Params as DiarizeParams};
use crate::exit::Exit;
use crate::fsutil::write_atomic;
use crate::models::catalog::Kind;
use crate::models::store::{sha256_file, Resolved, Store};
use crate::audio::vad::Vad;
use crate::progress::Progress;
use crate::session::record::{self, Generator, ModelInfo, SessionRecord, Settings, Source};
use crate::transcribe::{self, Model};

/// `DIR/<file stem>`; two recordings with one stem would overwrite each other, so that is
/// refused up front.
fn output_dirs(cfg: &RunConfig) -> Result<Vec<PathBuf>, Failure> {
    let mut seen: HashMap<PathBuf, &Path> = HashMap::new();
    let mut dirs = Vec::new();
    for rec in &cfg.recordings {
        let stem = rec.file_stem().ok_or_else(|| Failure::new(Exit::Usage, format!("{} is not a file name", rec.display())))?;
        let dir = cfg.out.join(stem);
        if let Some(other) = seen.insert(dir.clone(), rec) {
            return Err(Failure::new(
                Exit::Usage,
                format!("{} and {} would both write to {}; rename one or run them with different --out", other.display(), rec.display(), dir.display()),
            ));
        }
        dirs.push(dir);
    }
    Ok(dirs)
}

fn check_writable(out: &Path) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(Exit::Output, format!("cannot write to output folder {}: {e}; choose another --out or fix its permissions", out.display()))
    };
    std::fs::create_dir_all(out).map_err(fail)?;
    tempfile::tempfile_in(out).map_err(fail)?;
    Ok(())
}

/// What became of one recording.
pub enum Outcome {
    Done,
    /// Its session folder was already complete, from the same audio, models and settings.
    Skipped,
    Failed(Failure),
}

pub fn run(cfg: RunConfig, store: &Store, progress: &Progress) -> Vec<Failure> {
    let jobs = match output_dirs(&cfg) {
        Ok(dirs) => cfg.recordings.iter().cloned().zip(dirs).collect::<Vec<_>>(),
        Err(f) => {
            progress.error(None, &f.message);
            return vec![f];
        }
    };
    let mut failures = Vec::new();
    if let Err(f) = run_jobs(&cfg, &jobs, false, store, progress, &mut |_, outcome| {
        if let Outcome::Failed(f) = outcome {
            failures.push(Failure::new(f.exit, f.message));
        }
    }) {
        failures.push(f);
    }
    failures
}

/// Transcribes each (recording, session folder) in turn with one model load, reporting each
/// outcome as it comes. With `skip_done`, a folder already complete for the same audio,
/// models and settings is skipped. An error before the first recording (a model that will
/// not load, a bad template) is returned: nothing was done.
pub fn run_jobs(cfg: &RunConfig, jobs: &[(PathBuf, PathBuf)], skip_done: bool, store: &Store, progress: &Progress, report: &mut dyn FnMut(usize, Outcome)) -> Result<(), Failure> {
    type Setup = (Documents, Resolved, Model, Vad);
    let setup = || -> Result<Setup, Failure> {
        if let Some(c) = cfg.speakers
            && c.min > c.max
        {
            return Err(Failure::new(Exit::Usage, format!("--min-speakers {} is more than --max-speakers {}", c.min, c.max)));
        }
        check_writable(&cfg.out)?;
        // A session.toml (in the output folder from `rapporteur init`, or beside the recording)
        // and the templates are checked now, not after an hour of transcription.
        for (recording, dir) in jobs {
            crate::session::metadata::load(dir).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
            let beside = recording.with_extension("toml");
            if beside.is_file() {
                crate::session::metadata::load_file(&beside).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
            }
        }
        let documents = Documents::load(cfg.templates.as_deref())?;
        let resolved = store.resolve(&cfg.model, Kind::Whisper)?;
        let vad_model = store.resolve(crate::models::catalog::VAD, Kind::Vad)?;
        let stage = progress.stage(&resolved.name, "load model", false);
        let model = Model::load(&resolved.path, &resolved.name);
        stage.finish();
        let model = model?;
        model.check_language(cfg.decode.language.as_deref())?;
        for code in &cfg.decode.among {
            model.check_language(Some(code))?;
        }
        if cfg.translate && !model.is_multilingual() {
            return Err(Failure::new(Exit::Usage, format!("model {} is English-only and cannot translate; use a multilingual model such as base", resolved.name)));
        }
        // One thread: the VAD is light (0.5 s for 3 min of audio), and ggml's threads spin while
        // they wait, which under load from other processes cost minutes in the test suite.
        let vad = Vad::load(&vad_model.path, 1).map_err(|e| Failure::new(Exit::Model, e.to_string()))?;
        Ok((documents, resolved, model, vad))
    };
    let (documents, resolved, model, mut vad) = match setup() {
        Ok(x) => x,
        Err(f) => {
            progress.error(None, &f.message);
            return Err(f);
        }
    };

    // Enrolled voices, if any; a library that cannot be read costs the names, not the run.
    let voices = match Library::load(&cfg.voices) {
        Ok(lib) if !lib.voices.is_empty() && cfg.speakers.is_some() => Some(lib),
        Ok(_) => None,
        Err(e) => {
            progress.note(&format!("{e}; speakers will not be recognised by voice"));
            None
        }
    };
    // Loaded when first needed, after the first transcription, so that a single recording's
    // peak memory is whisper's or the diarizer's, not both (about 100 MB less for an hour).
    let mut diarizer = None;
    for (i, (recording, dir)) in jobs.iter().enumerate() {
        let name = recording.display().to_string();
        if skip_done && is_done(recording, dir, cfg, &resolved) {
            progress.done(&name, &dir.display().to_string(), "already done, skipped");
            report(i, Outcome::Skipped);
            continue;
        }
        match transcribe_one(recording, dir, cfg, &documents, voices.as_ref(), &resolved, &model, &mut vad, &mut diarizer, progress) {
            Ok(record) => {
                let speakers = if record.settings.diarize { format!(", {} speakers", record.speakers.len()) } else { String::new() };
                let detail = format!("{:.1} s of audio, {} segments{speakers}, language {}", record.duration_s, record.segments.len(), record.language);
                progress.done(&name, &dir.display().to_string(), &detail);
                report(i, Outcome::Done);
            }
            Err(f) => {
                progress.error(Some(&name), &f.message);
                report(i, Outcome::Failed(f));
            }
        }
    }
    Ok(())
}

/// A session folder is done when its session.json (written last) was made by this version
/// from the same audio (SHA-256), the same model and the same settings.
fn is_done(recording: &Path, dir: &Path, cfg: &RunConfig, model: &Resolved) -> bool {
    let Ok(record) = SessionRecord::load(&dir.join("session.json")) else { return false };
    let same_audio = || sha256_file(recording).is_ok_and(|(bytes, sha)| bytes == record.source.bytes && sha == record.source.sha256);
    record.generator.version == env!("CARGO_PKG_VERSION") && record.model.sha256 == model.sha256 && record.settings == settings(cfg) && same_audio()
}

/// The settings that affect the result, as the record keeps them.
fn settings(cfg: &RunConfig) -> Settings {
    let per_channel = cfg.audio.channels == Channels::Each;
    Settings {
        language: cfg.decode.language.clone().unwrap_or_else(|| "auto".into()),
        beam_size: cfg.decode.beam_size,
        full_window: !cfg.decode.fit_audio_ctx,
        diarize: cfg.speakers.is_some() || per_channel,
        channel: match cfg.audio.channels {
            Channels::One(c) => Some(c + 1),
            _ => None,
        },
        channels_as_speakers: per_channel,
        languages: cfg.decode.among.clone(),
        translate: cfg.translate,
        min_speakers: cfg.speakers.filter(|_| !per_channel).map(|c| c.min),
        max_speakers: cfg.speakers.filter(|_| !per_channel).and_then(|c| (c.max != usize::MAX).then_some(c.max)),
    }
}

#[allow(clippy::too_many_arguments)]
fn transcribe_one(
    recording: &Path,
    dir: &Path,
    cfg: &RunConfig,
    documents: &Documents,
    voices: Option<&Library>,
    resolved: &Resolved,
    model: &Model,
    vad: &mut Vad,
    diarizer: &mut Option<Diarizer>,
    progress: &Progress,
) -> Result<SessionRecord, Failure> {
    let name = recording.display().to_string();
    let stage = progress.stage(&name, "decode", true);
    let decoded = decode::decode_with(recording, cfg.audio, &|f| stage.set_percent((f * 100.0) as i64));
    stage.finish();
    let (signals, source_audio) = decoded?;
    // With a speaker per channel the channels are kept for attribution and transcribed mixed.
    let (pcm, per_channel) = match cfg.audio.channels {
        Channels::Each => (channels::mix(&signals), Some(signals)),
        _ => (signals.into_iter().next().unwrap_or_default(), None),
    };
    let (bytes, sha256) = sha256_file(recording).map_err(|e| Failure::new(Exit::Input, format!("cannot read {name}: {e}")))?;

    let stage = progress.stage(&name, "detect speech", false);
    let probs = vad.probabilities(&pcm);
    stage.finish();
    let probs = probs.map_err(|e| Failure::new(Exit::Failed, format!("voice activity detection failed on {name}: {e}")))?;

    let stage = progress.stage(&name, "transcribe", true);
    let transcription = transcribe::transcribe(model, &probs, &pcm, &cfg.decode, &cfg.plan, cfg.jobs, &stage);
    stage.finish();
    let transcription = transcription?;
    let mut segments = transcription.segments;

    let (mut speakers, mut speech) = (Vec::new(), Vec::new());
    if let Some(signals) = &per_channel {
        let diarization = channels::diarize(signals, &DiarizeParams::default().speech(&probs));
        segments = attribute::attribute(&diarization, segments);
        (speakers, speech) = attribute::summary(&diarization);
    } else if let Some(count) = cfg.speakers {
        if diarizer.is_none() {
            let stage = progress.stage("diarization models", "load model", false);
            let loaded = Diarizer::load();
            stage.finish();
            // The models are built into the binary: a failure here is a bug, not a damaged file.
            *diarizer = Some(loaded.map_err(|e| Failure::new(Exit::Failed, format!("cannot prepare the diarization models: {e:#}")))?);
        }
        let diarizer = diarizer.as_ref().expect("loaded above");
        let stage = progress.stage(&name, "diarize", true);
        let params = DiarizeParams::default();
        let diarization = diarizer.diarize(&pcm, &params.speech(&probs), count, &params, &|f| stage.set_percent((f * 100.0) as i64));
        stage.finish();
        let diarization = diarization.map_err(|e| Failure::new(Exit::Failed, format!("diarization failed on {name}: {e:#}")))?;
        segments = attribute::attribute(&diarization, segments);
        (speakers, speech) = attribute::summary(&diarization);
        if let Some(library) = voices {
            for (speaker, found) in speakers.iter_mut().zip(library.recognise(&diarization.voices, crate::voices::THRESHOLD)) {
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
        let translated = transcribe::translate::translate(model, &pcm, segments, &cfg.decode, cfg.jobs, &|f| stage.set_percent((f * 100.0) as i64));
        stage.finish();
        segments = translated?;
    }
    let turns = attribute::turns(&segments);
    let mut notes = Vec::new();
    if source_audio.truncated {
        notes.push(format!("the recording is truncated: only its first {:.1} s were transcribed", pcm.duration_s()));
    }
    if transcription.chunks.is_empty() {
        notes.push("no speech was found in the recording".to_string());
    }
    if transcription.dropped_loops > 0 {
        notes.push(format!("{} segments were dropped because whisper repeated itself in a loop", transcription.dropped_loops));
    }

    for note in &notes {
        progress.note(&format!("{name}: {note}"));
    }
    // With no speech there is no language to tell, unless it was pinned or the model knows
    // only English: `und` (ISO 639 for undetermined) rather than a guess.
    let language = dominant_language(&segments)
        .or(cfg.decode.language.clone())
        .or_else(|| (!model.is_multilingual()).then(|| "en".to_string()))
        .unwrap_or_else(|| "und".into());
    let record = SessionRecord {
        schema_version: record::SCHEMA_VERSION,
        generator: Generator {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
            whisper_cpp: whisper_rs::WHISPER_CPP_VERSION.into(),
        },
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
        duration_s: record::ms(pcm.duration_s()),
        model: ModelInfo { name: resolved.name.clone(), sha256: resolved.sha256.clone() },
        settings: settings(cfg),
        language,
        speakers,
        speech,
        segments,
        turns,
        notes,
    };

    // Documents first, session.json last: a folder with session.json is complete. An
    // interrupt waits for the whole set.
    let _commit = crate::fsutil::commit();
    let write_fail = |e: std::io::Error| Failure::new(Exit::Output, format!("cannot write to {}: {e}; check free space and permissions", dir.display()));
    std::fs::create_dir_all(dir).map_err(write_fail)?;
    let session_toml = dir.join(crate::session::metadata::FILE_NAME);
    let beside = recording.with_extension("toml");
    if !session_toml.exists() && beside.is_file() {
        std::fs::copy(&beside, &session_toml).map_err(write_fail)?;
    }
    // A speakers.toml left from an earlier run may name speakers this run did not find:
    // the documents are then written with the agenda's names only rather than losing the
    // transcription.
    let named = Named::load(dir, &record).unwrap_or_else(|e| {
        progress.note(&format!("{name}: {e}; documents written without those names"));
        Named::new(&record, crate::session::metadata::load(dir).ok().flatten(), &Default::default())
    });
    // A template that fails on this session (a variable it lacks) must not lose the
    // transcription: session.json is written, and `rapporteur render` finishes the job.
    let rendered = documents.write_all(dir, &named);
    write_atomic(&dir.join("session.json"), record.to_json().as_bytes()).map_err(write_fail)?;
    rendered?;
    Ok(record)
}

/// The language with the most speech time.
fn dominant_language(segments: &[record::Segment]) -> Option<String> {
    record::time_by_language(segments).into_iter().next().map(|(l, _)| l)
}
