//! `rapporteur render OUT_DIR...`: documents again from `session.json` (with the folder's
//! `session.toml` and `speakers.toml`), no audio needed.

use std::path::{Path, PathBuf};

use super::Failure;
use crate::exit::Exit;
use crate::progress::Progress;
use crate::session::SessionRecord;

/// The record as documents show it: checked against the folder's session.toml and with the
/// names of its speakers.toml. Mistakes in either file are input errors naming file and line.
pub fn session_inputs(dir: &Path, record: &SessionRecord) -> Result<SessionRecord, Failure> {
    crate::session::metadata::load(dir).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
    let names = crate::session::speakers::load(dir, record).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
    Ok(crate::session::speakers::apply(record, &names))
}

pub fn render(dirs: &[PathBuf], progress: &Progress) -> Vec<Failure> {
    let mut failures = Vec::new();
    for dir in dirs {
        let name = dir.display().to_string();
        let result = SessionRecord::load(&dir.join("session.json"))
            .map_err(|e| Failure::new(Exit::Input, e.to_string()))
            .and_then(|record| {
                let named = session_inputs(dir, &record)?;
                crate::render::write_all(dir, &named)
                    .map_err(|e| Failure::new(Exit::Output, format!("cannot write documents in {name}: {e}; check the folder's permissions")))
            });
        match result {
            Ok(paths) => progress.done(&name, &name, &format!("{} documents", paths.len())),
            Err(f) => {
                progress.error(Some(&name), &f.message);
                failures.push(f);
            }
        }
    }
    failures
}
