//! `rapporteur render OUT_DIR...`: documents again from `session.json`, no audio needed.

use std::path::PathBuf;

use super::Failure;
use crate::exit::Exit;
use crate::progress::Progress;
use crate::session::SessionRecord;

pub fn render(dirs: &[PathBuf], progress: &Progress) -> Vec<Failure> {
    let mut failures = Vec::new();
    for dir in dirs {
        let name = dir.display().to_string();
        let result = SessionRecord::load(&dir.join("session.json"))
            .map_err(|e| Failure::new(Exit::Input, e.to_string()))
            .and_then(|record| {
                crate::render::write_all(dir, &record)
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
