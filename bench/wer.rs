//! `cargo run --release --example wer -- REFERENCE HYPOTHESIS`: word error rate after
//! lower-casing and removing punctuation. Files: session.json, *.ref.txt, *.tsv or plain text.

use std::path::PathBuf;
use std::process::ExitCode;

use rapporteur::eval::{reference::text_of, wer::counts};

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [reference, hypothesis] = args.as_slice() else {
        eprintln!("usage: wer REFERENCE HYPOTHESIS");
        return ExitCode::from(2);
    };
    let (r, h) = match (text_of(reference), text_of(hypothesis)) {
        (Ok(r), Ok(h)) => (r, h),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(3);
        }
    };
    let c = counts(&r, &h);
    println!(
        "WER {:.2}% ({} substitutions, {} deletions, {} insertions, {} reference words)",
        100.0 * c.wer(),
        c.substitutions,
        c.deletions,
        c.insertions,
        c.reference_words
    );
    ExitCode::SUCCESS
}
