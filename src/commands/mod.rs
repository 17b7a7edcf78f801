//! The subcommands. Each returns the failures it met; `dispatch` reports none itself: every
//! failure was already printed where it happened, so one bad file never hides the others.

pub mod batch;
pub mod catalog;
pub mod init;
pub mod models;
pub mod render;
pub mod run;
pub mod speakers;

use crate::audio::AudioError;
use crate::cli::{Cli, Command};
use crate::exit::Exit;
use crate::models::ModelError;
use crate::progress::{Mode, Progress};
use crate::transcribe::TranscribeError;

/// An error with its exit class and a message that names the file and the fix.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure { exit, message: message.into() }
    }
}

impl From<AudioError> for Failure {
    fn from(e: AudioError) -> Failure {
        Failure::new(Exit::Input, e.to_string())
    }
}

impl From<ModelError> for Failure {
    fn from(e: ModelError) -> Failure {
        Failure::new(Exit::Model, e.to_string())
    }
}

impl From<TranscribeError> for Failure {
    fn from(e: TranscribeError) -> Failure {
        let exit = match e {
            TranscribeError::Load { .. } => Exit::Model,
            TranscribeError::Language(_) | TranscribeError::EnglishOnly { .. } => Exit::Usage,
            TranscribeError::Whisper(_) => Exit::Failed,
        };
        Failure::new(exit, e.to_string())
    }
}

pub fn dispatch(cli: Cli) -> Exit {
    let mode = match (cli.quiet, cli.json) {
        (true, _) => Mode::Quiet,
        (_, true) => Mode::Json,
        _ => Mode::Human,
    };
    let progress = Progress::new(mode);
    let store = crate::models::store::Store::open(cli.models_dir);
    let voices = cli.voices.unwrap_or_else(crate::voices::default_path);
    let failures = match cli.command {
        Command::Run(args) => run::run(
            crate::config::RunConfig::from_args(args.recordings, args.out, args.options, voices),
            &store,
            &progress,
        ),
        Command::Batch(args) => batch::batch(args, voices, &store, &progress),
        Command::Catalog { dir } => catalog::catalog(&dir, &progress),
        Command::Speakers(cmd) => speakers::speakers(cmd, &voices, &store, &progress),
        Command::Models(cmd) => models::models(cmd, &store, &progress),
        Command::Init { dir } => init::init(&dir, &progress),
        Command::Render { dirs, templates, minutes } => {
            render::render(&dirs, templates.as_deref(), &minutes, &store, &progress)
        }
    };
    Exit::combine(&failures.iter().map(|f| f.exit).collect::<Vec<_>>())
}
