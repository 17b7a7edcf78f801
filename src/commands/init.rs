//! `rapporteur init SESSION_DIR`: a commented `session.toml` to fill in before `run` or
//! `render`; an existing one is never overwritten.

use std::path::Path;

use super::Failure;
use crate::exit::Exit;
use crate::fsutil::{FolderLock, SESSION_LOCK, write_atomic};
use crate::progress::Progress;
use crate::session::metadata::{FILE_NAME, SCAFFOLD};

pub fn init(dir: &Path, progress: &Progress) -> Vec<Failure> {
    let path = dir.join(FILE_NAME);
    let result = if dir.exists() && !dir.is_dir() {
        Err(Failure::new(
            Exit::Output,
            format!(
                "{} is not a folder; give the session folder (new or existing) to write session.toml into",
                dir.display()
            ),
        ))
    } else {
        write_scaffold(dir, &path)
    };
    match result {
        Ok(()) => {
            progress.done(&dir.display().to_string(), &path.display().to_string(), "session.toml to fill in");
            vec![]
        }
        Err(f) => {
            progress.error(None, &f.message);
            vec![f]
        }
    }
}

/// Under the folder's lock, as every writer of a session folder, so that a `batch` cleaning
/// up there never takes the scaffold's temporary file for a dead one.
fn write_scaffold(dir: &Path, path: &Path) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(
            Exit::Output,
            format!("cannot write {}: {e}; choose another folder or fix its permissions", path.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let Some(_lock) = FolderLock::try_acquire(dir, SESSION_LOCK).map_err(fail)? else {
        return Err(Failure::new(
            Exit::Output,
            format!("{} is being written by another rapporteur process; try again once that is done", dir.display()),
        ));
    };
    if path.exists() {
        return Err(Failure::new(
            Exit::Usage,
            format!("{} already exists; edit it, or delete it to start again", path.display()),
        ));
    }
    write_atomic(path, SCAFFOLD.as_bytes()).map_err(fail)
}
