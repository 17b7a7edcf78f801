//! `rapporteur render OUT_DIR...`: documents again from `session.json` (with the folder's
//! `session.toml` and `speakers.toml`), no audio needed.

use std::path::{Path, PathBuf};

use super::Failure;
use crate::cli::MinutesOptions;
use crate::exit::Exit;
use crate::fsutil::FolderLock;
use crate::models::store::Store;
use crate::progress::Progress;
use crate::render::{Documents, RenderError};
use crate::session::SessionRecord;
use crate::session::naming::Named;

impl From<RenderError> for Failure {
    fn from(e: RenderError) -> Failure {
        let exit = match e {
            RenderError::Input(_) => Exit::Input,
            RenderError::Model(_) => Exit::Model,
            RenderError::Write { .. } => Exit::Output,
        };
        Failure::new(exit, e.to_string())
    }
}

pub fn render(
    dirs: &[PathBuf],
    templates: Option<&Path>,
    minutes: &MinutesOptions,
    store: &Store,
    progress: &Progress,
) -> Vec<Failure> {
    let documents = match Documents::load(templates, minutes, store) {
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
        match render_one(dir, &documents, progress) {
            Ok(paths) => progress.done(&name, &name, &format!("{} documents", paths.len())),
            Err(f) => {
                progress.error(Some(&name), &f.message);
                failures.push(f);
            }
        }
    }
    failures
}

/// One folder, under its lock: the documents are made in memory (a template error changes
/// nothing), then replace the old ones and session.json is rewritten last with their list.
fn render_one(dir: &Path, documents: &Documents, progress: &Progress) -> Result<Vec<PathBuf>, Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(Exit::Output, format!("cannot write to {}: {e}; check free space and permissions", dir.display()))
    };
    // Not a folder: reading session.json says so, with advice.
    let _lock = match dir.is_dir() {
        true => match FolderLock::try_acquire(dir, crate::fsutil::SESSION_LOCK).map_err(fail)? {
            Some(lock) => Some(lock),
            None => {
                return Err(Failure::new(
                    Exit::Output,
                    format!(
                        "{} is being written by another rapporteur process; render it once that is done",
                        dir.display()
                    ),
                ));
            }
        },
        false => None,
    };
    let mut record = SessionRecord::load(&dir.join(crate::render::SESSION_JSON))
        .map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
    crate::fsutil::remove_stale_temps(dir, &crate::render::session_files());
    let named = Named::load(dir, &record).map_err(|e| Failure::new(Exit::Input, e))?;
    let _commit = crate::fsutil::commit();
    Ok(documents.write_all(dir, &named, &mut record, progress)?)
}
