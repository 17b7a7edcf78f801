//! `rapporteur init SESSION_DIR`: a commented `session.toml` to fill in before `run` or
//! `render`; an existing one is never overwritten.

use std::path::Path;

use super::Failure;
use crate::exit::Exit;
use crate::fsutil::write_atomic;
use crate::progress::Progress;
use crate::session::metadata::{FILE_NAME, SCAFFOLD};

pub fn init(dir: &Path, progress: &Progress) -> Vec<Failure> {
    let path = dir.join(FILE_NAME);
    let result = if path.exists() {
        Err(Failure::new(Exit::Usage, format!("{} already exists; edit it, or delete it to start again", path.display())))
    } else {
        write_atomic(&path, SCAFFOLD.as_bytes()).map_err(|e| {
            Failure::new(Exit::Output, format!("cannot write {}: {e}; choose another folder or fix its permissions", path.display()))
        })
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
