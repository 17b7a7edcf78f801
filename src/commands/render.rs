//! `rapporteur render OUT_DIR...`: documents again from `session.json` (with the folder's
//! `session.toml` and `speakers.toml`), no audio needed.

use std::path::{Path, PathBuf};

use super::Failure;
use crate::exit::Exit;
use crate::progress::Progress;
use crate::render::{Documents, RenderError};
use crate::session::SessionRecord;
use crate::session::naming::Named;

impl From<RenderError> for Failure {
    fn from(e: RenderError) -> Failure {
        let exit = match e {
            RenderError::Input(_) => Exit::Input,
            RenderError::Write { .. } => Exit::Output,
        };
        Failure::new(exit, e.to_string())
    }
}

pub fn render(dirs: &[PathBuf], templates: Option<&Path>, progress: &Progress) -> Vec<Failure> {
    let documents = match Documents::load(templates) {
        Ok(d) => d,
        Err(e) => {
            let f = Failure::from(e);
            progress.error(None, &f.message);
            return vec![f];
        }
    };
    let mut failures = Vec::new();
    for dir in dirs {
        let name = dir.display().to_string();
        let result = SessionRecord::load(&dir.join("session.json"))
            .map_err(|e| Failure::new(Exit::Input, e.to_string()))
            .and_then(|record| Named::load(dir, &record).map_err(|e| Failure::new(Exit::Input, e)))
            .and_then(|named| {
                let _commit = crate::fsutil::commit();
                Ok(documents.write_all(dir, &named)?)
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
