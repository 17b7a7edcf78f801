//! Thin: parse the command line, dispatch, turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;
use rapporteur::cli::Cli;
use rapporteur::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::dispatch(cli).into()
}
