//! Writing files so that a reader never sees half of one: write a temporary file beside the
//! target, then rename it over the target (atomic on one file system). Temporary files are
//! registered so that Ctrl-C (`on_interrupt`) can delete them before the process exits.
//! Processes sharing a folder take an advisory lock on it (`FolderLock`) while they write
//! there, and only the holder removes the temporary files a killed process left.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
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

/// Ctrl-C: waits for a commit in progress, deletes every temporary file and the folders this
/// process made that hold nothing but their lock, and never returns the locks, so nothing
/// more is written before the process exits.
pub fn on_interrupt() {
    std::mem::forget(lock(&COMMIT));
    let mut in_flight = lock(&IN_FLIGHT);
    for path in in_flight.drain(..) {
        let _ = std::fs::remove_file(path);
    }
    std::mem::forget(in_flight);
    for lock_file in lock(&MADE).iter() {
        remove_if_only(lock_file);
    }
}

/// Lock files of held folders this process made, to remove with them on an interrupt.
static MADE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes `lock_file` and its folder when the folder holds nothing else.
fn remove_if_only(lock_file: &Path) {
    let Some(dir) = lock_file.parent() else { return };
    let only_lock = std::fs::read_dir(dir).is_ok_and(|entries| entries.flatten().all(|e| e.path() == lock_file));
    if only_lock && std::fs::remove_file(lock_file).is_ok() {
        let _ = std::fs::remove_dir(dir);
    }
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

/// Deletes the temporary files a killed process (`kill -9`, a power cut) left in `dir` for the
/// files named in `targets`: those `temp_beside` names `.NAME.XXXXXX.tmp`. Call it only while
/// holding the folder's lock (`FolderLock`): a live writer holds it, so every such file is dead.
/// Naming the targets keeps the catalog's cleaning out of a session's files and back.
pub fn remove_stale_temps(dir: &Path, targets: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if temp_target(&name).is_some_and(|t| targets.contains(&t)) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// `NAME` for a temporary file named `.NAME.XXXXXX.tmp`.
fn temp_target(file_name: &str) -> Option<&str> {
    let inner = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    inner.rsplit_once('.').map(|(target, _random)| target).filter(|t| !t.is_empty())
}

/// The lock file of a session folder, held while the session is written.
pub const SESSION_LOCK: &str = ".rapporteur.lock";
/// The lock file of the catalog files in an output folder. Another name than the session's,
/// so that cataloguing a folder that is also a session never waits on a transcription.
pub const CATALOG_LOCK: &str = ".rapporteur-catalog.lock";

/// An advisory lock (`flock`) on a lock file in a folder: held until dropped, and released by
/// the kernel when the process dies, so a killed process never leaves a folder locked. The
/// lock file stays (deleting it would let two processes lock two files of one name), except
/// with a folder that holds nothing else (`remove_folder_if_empty`, an interrupt), which is
/// safe because `acquire` checks that the file it locked is still the one named.
#[derive(Debug)]
pub struct FolderLock {
    /// Open for as long as the lock is held: closing it releases the lock.
    _file: File,
    path: PathBuf,
}

impl FolderLock {
    /// The lock of `dir`, or `None` when another process holds it.
    pub fn try_acquire(dir: &Path, name: &str) -> std::io::Result<Option<FolderLock>> {
        Self::acquire(dir, name, false)
    }

    /// The lock of `dir`, waiting for another process to release it.
    pub fn wait(dir: &Path, name: &str) -> std::io::Result<FolderLock> {
        Ok(Self::acquire(dir, name, true)?.expect("a blocking lock is taken"))
    }

    fn acquire(dir: &Path, name: &str, wait: bool) -> std::io::Result<Option<FolderLock>> {
        let path = dir.join(name);
        loop {
            // Never through a link: a planted lock-file link must not create a file elsewhere.
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&path)?;
            let locked = if wait { file.lock().map_err(TryLockError::Error) } else { file.try_lock() };
            match locked {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => return Err(e),
            }
            // The previous holder may have deleted the lock file (with the empty folder it
            // made): a lock on a deleted file guards nothing, so take the one now there.
            let held = file.metadata()?;
            if std::fs::symlink_metadata(&path).is_ok_and(|now| now.ino() == held.ino() && now.dev() == held.dev()) {
                return Ok(Some(FolderLock { _file: file, path }));
            }
        }
    }

    /// Marks the locked folder as made by this process: an interrupt removes it (and its lock
    /// file) when nothing else is in it, so a run stopped early leaves no empty folder.
    pub fn made_here(&self) {
        lock(&MADE).push(self.path.clone());
    }

    /// Removes the locked folder when nothing but the lock file is in it (a recording that
    /// failed before anything was written leaves no folder), then releases the lock.
    pub fn remove_folder_if_empty(self) {
        remove_if_only(&self.path);
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        lock(&MADE).retain(|p| *p != self.path);
    }
}

/// Flushes a folder's entries (renames, removals) to disk, so that those made before are
/// durable before those made after: a power cut cannot keep a later rename and lose an
/// earlier one.
pub fn sync_folder(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
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

    #[test]
    fn a_folder_lock_is_held_by_one_holder_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let first = FolderLock::try_acquire(dir.path(), SESSION_LOCK).unwrap().expect("free");
        // flock locks belong to the open file, so a second open in this process is refused
        // like another process would be.
        assert!(FolderLock::try_acquire(dir.path(), SESSION_LOCK).unwrap().is_none());
        assert!(FolderLock::try_acquire(dir.path(), CATALOG_LOCK).unwrap().is_some(), "the catalog's lock is another");
        drop(first);
        let again = FolderLock::try_acquire(dir.path(), SESSION_LOCK).unwrap().expect("released");
        again.remove_folder_if_empty();
        assert!(dir.path().exists(), "a folder holding another file is kept");
        let session = dir.path().join("session");
        std::fs::create_dir(&session).unwrap();
        FolderLock::try_acquire(&session, SESSION_LOCK).unwrap().expect("free").remove_folder_if_empty();
        assert!(!session.exists(), "a folder holding only its lock file is removed");
    }

    #[test]
    fn a_planted_lock_file_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::os::unix::fs::symlink(&victim, dir.path().join(SESSION_LOCK)).unwrap();
        assert!(FolderLock::try_acquire(dir.path(), SESSION_LOCK).is_err());
        assert!(!victim.exists());
    }

    /// A temporary file of a live writer survives another process's cleaning: the writer holds
    /// the folder's lock, and only the holder cleans.
    #[test]
    fn stale_temporaries_are_removed_only_by_the_lock_holder_and_only_for_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let writer = FolderLock::try_acquire(dir.path(), SESSION_LOCK).unwrap().expect("free");
        let live = temp_beside(&dir.path().join("transcript.txt")).unwrap();
        // A second process cleans only when it gets the lock, which it does not.
        if let Some(_lock) = FolderLock::try_acquire(dir.path(), SESSION_LOCK).unwrap() {
            remove_stale_temps(dir.path(), &["transcript.txt"]);
        }
        assert!(live.path().exists(), "a live writer's temporary file was deleted");
        drop(writer);
        // Once the writer is gone (killed, its temporary left), the next holder cleans up;
        // a catalog's temporary in the same folder is not the session's to remove.
        let left = live.into_temp_path().keep().unwrap();
        let catalog = temp_beside(&dir.path().join("catalog.json")).unwrap();
        std::fs::write(dir.path().join(".notes.tmp"), b"mine").unwrap();
        let _lock = FolderLock::try_acquire(dir.path(), SESSION_LOCK).unwrap().expect("free");
        remove_stale_temps(dir.path(), &["transcript.txt", "session.json"]);
        assert!(!left.exists() && catalog.path().exists() && dir.path().join(".notes.tmp").exists());
    }

    #[test]
    fn temporary_names_give_their_target() {
        assert_eq!(temp_target(".transcript.txt.a1B2c3.tmp"), Some("transcript.txt"));
        assert_eq!(temp_target(".session.json.x.tmp"), Some("session.json"));
        assert_eq!(temp_target(".x.tmp"), None);
        assert_eq!(temp_target("transcript.txt.a.tmp"), None);
    }
}
