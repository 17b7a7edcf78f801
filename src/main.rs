//! Thin: parse the command line, dispatch, turn the outcome into an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use rapporteur::cli::Cli;
use rapporteur::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C (or SIGTERM) stops at once: nothing half-written is left behind, and a session
    // folder without session.json was not finished.
    let _ = ctrlc::set_handler(|| {
        rapporteur::fsutil::on_interrupt();
        // Not eprintln!: a closed or full stderr must not turn the exit into a panic.
        let _ = writeln!(std::io::stderr(), "interrupted: stopped; no partial output was kept");
        std::process::exit(rapporteur::exit::Exit::Interrupted as i32);
    });
    commands::dispatch(cli).into()
}
