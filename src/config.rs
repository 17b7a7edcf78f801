//! What the program uses: settings resolved from the command line and defaults.

use std::path::PathBuf;

use crate::audio::decode::Channels;
use crate::cli::RunOptions;
use crate::diarize::cluster::SpeakerCount;
use crate::session::record::Settings;
use crate::transcribe::DecodeOptions;

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub recordings: Vec<PathBuf>,
    /// Parent of the per-recording output folders.
    pub out: PathBuf,
    /// Catalogue name or path of a ggml file.
    pub model: String,
    pub decode: DecodeOptions,
    /// Give whisper.cpp's encoder the full 30 s window for every chunk (`--full-window`)
    /// instead of fitting it to the chunk.
    pub full_window: bool,
    /// Add English translations of segments in other languages.
    pub translate: bool,
    /// Whisper workers decoding chunks at once.
    pub jobs: usize,
    pub plan: crate::transcribe::plan::PlanParams,
    /// Bounds on the number of speakers; None skips diarization.
    pub speakers: Option<SpeakerCount>,
    /// The user's templates folder, if any.
    pub templates: Option<PathBuf>,
    /// The voice library.
    pub voices: PathBuf,
    /// Which channels are used (each one a speaker with `Channels::Each`), and whether a
    /// truncated file is accepted.
    pub audio: crate::audio::decode::Options,
    /// Where whisper's prompt comes from (`session::vocabulary`).
    pub vocabulary: Vocabulary,
    /// How the minutes are written (`prose`).
    pub minutes: crate::cli::MinutesOptions,
}

/// The source of the names and terms given to whisper as its prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vocabulary {
    /// None at all (`--no-vocabulary`).
    Off,
    /// Each recording's session.toml, and the terms of a `--vocabulary` file if one is given.
    Session { file: Option<PathBuf> },
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Splits the cores between workers and threads per worker. On 2 cores two single-thread
/// workers beat one two-thread worker (BENCHMARKS.md): whisper.cpp's threads synchronise per
/// layer, separate workers never wait for each other. Each worker costs memory (its own
/// state), so larger machines get wider workers: 2 threads up to 8 cores, then 4.
pub fn split_cores(cores: usize, jobs: Option<usize>, threads: Option<usize>) -> (usize, usize) {
    let cores = cores.max(1);
    match (jobs, threads) {
        (Some(j), Some(t)) => (j, t),
        (Some(j), None) => (j, (cores / j).max(1)),
        (None, Some(t)) => ((cores / t).max(1), t),
        (None, None) => {
            let t = match cores {
                0..=4 => 1,
                5..=8 => 2,
                _ => 4,
            };
            (cores / t, t)
        }
    }
}

impl RunConfig {
    pub fn from_args(recordings: Vec<PathBuf>, out: PathBuf, args: RunOptions, voices: PathBuf) -> RunConfig {
        let language = match args.language.trim().to_ascii_lowercase() {
            l if l == "auto" || l.is_empty() => None,
            l => Some(l),
        };
        let (jobs, threads) = split_cores(cores(), args.jobs.map(|j| j as usize), args.threads.map(|t| t as usize));
        RunConfig {
            recordings,
            out,
            model: args.model,
            decode: DecodeOptions {
                language,
                among: args.languages.iter().map(|l| l.trim().to_ascii_lowercase()).filter(|l| !l.is_empty()).collect(),
                beam_size: args.beam_size,
                threads,
                // Per recording, from its session.toml (`Pipeline::prompt`).
                prompt: None,
            },
            full_window: args.full_window,
            translate: args.translate,
            jobs,
            plan: crate::transcribe::plan::PlanParams::default(),
            speakers: (!args.no_diarize).then(|| {
                let exact = args.speakers.map(|n| n as usize);
                SpeakerCount {
                    min: exact.or(args.min_speakers.map(|n| n as usize)).unwrap_or(1),
                    max: exact.or(args.max_speakers.map(|n| n as usize)).unwrap_or(usize::MAX),
                }
            }),
            templates: args.templates,
            minutes: args.minutes,
            voices,
            audio: crate::audio::decode::Options {
                channels: match (args.channel, args.channels_as_speakers) {
                    (_, true) => crate::audio::decode::Channels::Each,
                    (Some(n), false) => crate::audio::decode::Channels::One(n as usize - 1),
                    (None, false) => crate::audio::decode::Channels::Mix,
                },
                allow_truncated: args.allow_truncated,
            },
            vocabulary: if args.no_vocabulary {
                Vocabulary::Off
            } else {
                Vocabulary::Session { file: args.vocabulary }
            },
        }
    }
}

impl RunConfig {
    /// The settings that affect the result, as the record keeps them, for a recording
    /// transcribed with `prompt`.
    pub fn settings(&self, prompt: Option<&crate::transcribe::Prompt>) -> Settings {
        let per_channel = self.audio.channels == Channels::Each;
        Settings {
            language: self.decode.language.clone().unwrap_or_else(|| "auto".into()),
            beam_size: self.decode.beam_size,
            full_window: self.full_window,
            diarize: self.speakers.is_some() || per_channel,
            channel: match self.audio.channels {
                Channels::One(c) => Some(c + 1),
                _ => None,
            },
            channels_as_speakers: per_channel,
            languages: self.decode.among.clone(),
            translate: self.translate,
            min_speakers: self.speakers.filter(|_| !per_channel).map(|c| c.min),
            max_speakers: self.speakers.filter(|_| !per_channel).and_then(|c| (c.max != usize::MAX).then_some(c.max)),
            prompt: prompt.map(|p| p.text.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores_are_split_between_workers_and_threads() {
        assert_eq!(split_cores(1, None, None), (1, 1));
        assert_eq!(split_cores(2, None, None), (2, 1));
        assert_eq!(split_cores(8, None, None), (4, 2));
        assert_eq!(split_cores(16, None, None), (4, 4));
        assert_eq!(split_cores(8, Some(8), None), (8, 1));
        assert_eq!(split_cores(8, None, Some(8)), (1, 8));
        assert_eq!(split_cores(2, Some(3), Some(5)), (3, 5), "explicit choices are kept");
    }
}
