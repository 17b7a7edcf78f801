//! What the program uses: settings resolved from the command line and defaults.

use std::path::PathBuf;

use crate::cli::RunArgs;
use crate::transcribe::DecodeOptions;

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub recordings: Vec<PathBuf>,
    /// Parent of the per-recording output folders.
    pub out: PathBuf,
    /// Catalogue name or path of a ggml file.
    pub model: String,
    pub decode: DecodeOptions,
}

/// All cores by default: whisper.cpp scales well to the core count for one file.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

impl RunConfig {
    pub fn from_args(args: RunArgs) -> RunConfig {
        let language = match args.language.trim().to_ascii_lowercase() {
            l if l == "auto" || l.is_empty() => None,
            l => Some(l),
        };
        RunConfig {
            recordings: args.recordings,
            out: args.out,
            model: args.model,
            decode: DecodeOptions { language, beam_size: args.beam_size, threads: args.threads.unwrap_or_else(default_threads).max(1) },
        }
    }
}
