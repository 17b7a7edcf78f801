//! Writing files so that a reader never sees half of one: write a temporary file beside the
//! target, then rename it over the target (atomic on one file system). Temporary files are
//! registered so that Ctrl-C (`on_interrupt`) can delete them before the process exits.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tempfile::NamedTempFile;

/// Temporary files not yet renamed into place.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Held while a set of files that belong together (a session's documents and its
/// session.json) is written, so an interrupt waits for the set rather than splitting it.
static COMMIT: Mutex<()> = Mutex::new(());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Holds off an interrupt until the guard is dropped.
pub fn commit() -> MutexGuard<'static, ()> {
    lock(&COMMIT)
}

/// Ctrl-C: waits for a commit in progress, deletes every temporary file, and never returns
/// the locks, so nothing more is written before the process exits.
pub fn on_interrupt() {
    std::mem::forget(lock(&COMMIT));
    let mut in_flight = lock(&IN_FLIGHT);
    for path in in_flight.drain(..) {
        let _ = std::fs::remove_file(path);
    }
    std::mem::forget(in_flight);
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)?;
    persist(tmp, path)
}

/// A temporary file in `path`'s folder (created if needed), named after it.
pub fn temp_beside(path: &Path) -> std::io::Result<NamedTempFile> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(dir)?;
    lock(&IN_FLIGHT).push(tmp.path().to_path_buf());
    Ok(tmp)
}

/// Deletes the temporary files a killed process (`kill -9`, a power cut) left in `dir`:
/// those `temp_beside` names `.NAME.XXXXXX.tmp`.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(".tmp") && e.path().is_file() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Flushes `tmp` to disk and renames it to `path`, readable by others like any new file
/// (temporary files are created private).
pub fn persist(tmp: NamedTempFile, path: &Path) -> std::io::Result<()> {
    tmp.as_file().sync_all()?;
    tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    let mut in_flight = lock(&IN_FLIGHT);
    in_flight.retain(|p| p != tmp.path());
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o644);
    }
}
