//! `rapporteur run RECORDING... --out DIR`: each recording becomes `DIR/<name>/` with
//! `session.json` and the documents rendered from it.
//!
//! Everything that can fail fast (output folder, model, language) is checked before the first
//! recording is decoded, so a typo costs a second, not an hour of transcription.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use super::Failure;
use crate::config::RunConfig;
use crate::exit::Exit;
use crate::fsutil::{FolderLock, write_atomic};
use crate::models::store::{Resolved, Store, sha256_file};
use crate::pipeline::{Job, Pipeline};
use crate::progress::Progress;
use crate::render::{Documents, RenderError};
use crate::session::naming::Named;
use crate::session::record::{SessionRecord, Settings};

/// Names that rapporteur writes at the top of an output folder: no session folder may take one.
const RESERVED: [&str; 6] = [
    "catalog.json",
    "catalog.csv",
    "index.html",
    crate::commands::batch::LOG,
    crate::fsutil::SESSION_LOCK,
    crate::fsutil::CATALOG_LOCK,
];

/// The last part of `path` as written (`a/.` gives `.`, where `Path::file_name` gives `a`).
fn written_file_name(path: &Path) -> &OsStr {
    let bytes = path.as_os_str().as_bytes();
    OsStr::from_bytes(bytes.rsplit(|&b| b == b'/').next().unwrap_or_default())
}

/// The session folder of `recording`, at `relative` under its input (its file name for
/// `run`): `out`, the folders of `relative`, and the file name without its extension. Every
/// part is one plain name, so the folder is always inside `out`: a recording whose name
/// without the extension is empty, `.` or `..` (`..wav`, `...wav`) is refused (exit 2) with
/// its name, as is one that would take a name rapporteur writes in `out` (`index.html.mp3`).
pub fn session_folder(out: &Path, recording: &Path, relative: &Path) -> Result<PathBuf, Failure> {
    let refuse = |why: &str| Failure::new(Exit::Usage, format!("{}: {why}; rename the recording", recording.display()));
    let parts: Vec<Component> = relative.components().filter(|c| *c != Component::CurDir).collect();
    let Some((Component::Normal(file), folders)) = parts.split_last() else {
        return Err(refuse("this is not a recording's file name"));
    };
    if *file != written_file_name(relative) {
        return Err(refuse("this is not a recording's file name"));
    }
    if folders.iter().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(refuse("its path leaves the input folder"));
    }
    let stem = Path::new(file).file_stem().unwrap_or_default();
    if stem.is_empty() || stem == "." || stem == ".." {
        return Err(refuse(&format!(
            "its name without the extension, \"{}\", cannot name a session folder",
            stem.to_string_lossy()
        )));
    }
    let mut dir = out.to_path_buf();
    dir.extend(folders);
    dir.push(stem);
    let top = dir.strip_prefix(out).ok().and_then(|r| r.components().next());
    if top.is_some_and(|c| RESERVED.iter().any(|r| c.as_os_str() == *r)) {
        return Err(refuse(&format!(
            "its session folder would take the name of a file rapporteur writes in {}",
            out.display()
        )));
    }
    Ok(dir)
}

/// `DIR/<file stem>`; two recordings with one stem would overwrite each other, so that is
/// refused up front.
fn output_dirs(cfg: &RunConfig) -> Result<Vec<PathBuf>, Failure> {
    let mut seen: HashMap<PathBuf, &Path> = HashMap::new();
    let mut dirs = Vec::new();
    for rec in &cfg.recordings {
        let dir = session_folder(&cfg.out, rec, Path::new(written_file_name(rec)))?;
        if let Some(other) = seen.insert(dir.clone(), rec) {
            return Err(Failure::new(
                Exit::Usage,
                format!(
                    "{} and {} would both write to {}; rename one or run them with different --out",
                    other.display(),
                    rec.display(),
                    dir.display()
                ),
            ));
        }
        dirs.push(dir);
    }
    Ok(dirs)
}

fn check_writable(out: &Path) -> Result<(), Failure> {
    if out.exists() && !out.is_dir() {
        return Err(Failure::new(
            Exit::Output,
            format!("{} is not a folder; give a folder (new or existing) as --out", out.display()),
        ));
    }
    let fail = |e: std::io::Error| {
        Failure::new(
            Exit::Output,
            format!(
                "cannot write to output folder {}: {e}; choose another --out or fix its permissions",
                out.display()
            ),
        )
    };
    std::fs::create_dir_all(out).map_err(fail)?;
    tempfile::tempfile_in(out).map_err(fail)?;
    Ok(())
}

/// Checks, before any audio is decoded, that the session folder `dir` under `out` can be
/// written: each part of it that exists is a real folder (never a link, which would lead the
/// documents out of `out`), and the deepest that exists accepts a new file.
fn check_session_folder(out: &Path, dir: &Path) -> Result<(), Failure> {
    let fail = |message: String| Failure::new(Exit::Output, message);
    let mut path = out.to_path_buf();
    let mut deepest = None;
    for part in dir.strip_prefix(out).unwrap_or(dir).components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(fail(format!(
                    "{} is a symbolic link; session folders are written only as real folders inside --out: remove the link",
                    path.display()
                )));
            }
            Ok(m) if !m.is_dir() => {
                return Err(fail(format!("{} is not a folder; move it away or choose another --out", path.display())));
            }
            Ok(_) => deepest = Some(path.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
            Err(e) => return Err(fail(format!("cannot read {}: {e}", path.display()))),
        }
    }
    if let Some(deepest) = deepest {
        tempfile::tempfile_in(&deepest).map_err(|e| {
            fail(format!("cannot write to {}: {e}; fix its permissions or choose another --out", deepest.display()))
        })?;
    }
    Ok(())
}

/// What became of one recording.
pub enum Outcome {
    Done,
    /// Its session folder was already complete, from the same audio, models and settings.
    Skipped,
    /// Another process holds its session folder's lock (it is writing it): nothing was done.
    Busy(String),
    Failed(Failure),
}

pub fn run(cfg: RunConfig, store: &Store, progress: &Progress) -> Vec<Failure> {
    let jobs = match output_dirs(&cfg) {
        Ok(dirs) => {
            cfg.recordings.iter().zip(dirs).map(|(r, dir)| Job { recording: r.clone(), dir }).collect::<Vec<_>>()
        }
        Err(f) => {
            progress.error(None, &f.message);
            return vec![f];
        }
    };
    let mut failures = Vec::new();
    if let Err(f) = run_jobs(&cfg, &jobs, false, store, progress, &mut |i, outcome| match outcome {
        Outcome::Failed(f) => failures.push(Failure::new(f.exit, f.message)),
        // Named on the command line, so not doing it is a failure.
        Outcome::Busy(message) => {
            progress.error(Some(&jobs[i].recording.display().to_string()), &message);
            failures.push(Failure::new(Exit::Output, message));
        }
        Outcome::Done | Outcome::Skipped => {}
    }) {
        failures.push(f);
    }
    failures
}

/// Transcribes each job in turn with one model load, reporting each outcome as it comes,
/// while still holding the session folder's lock. With `skip_done`, a folder already complete
/// for the same audio, models and settings is skipped. A folder another process is writing
/// (its lock is held) is left to it: `Outcome::Busy`. An error before the first recording (a
/// model that will not load, a bad template, a session folder that cannot be written) is
/// returned: nothing was done.
pub fn run_jobs(
    cfg: &RunConfig,
    jobs: &[Job],
    skip_done: bool,
    store: &Store,
    progress: &Progress,
    report: &mut dyn FnMut(usize, Outcome),
) -> Result<(), Failure> {
    let prepare = || -> Result<Pipeline, Failure> {
        check_writable(&cfg.out)?;
        // A session.toml (in the output folder from `rapporteur init`, or beside the recording)
        // is checked now, not after an hour of transcription.
        for job in jobs {
            // `run`: every folder now. `batch` checks each as it comes, so one bad folder
            // costs only its recording.
            if !skip_done {
                check_session_folder(&cfg.out, &job.dir)?;
            }
            crate::session::metadata::load(&job.dir).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
            let beside = job.recording.with_extension("toml");
            if beside.is_file() {
                crate::session::metadata::load_file(&beside).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
            }
        }
        Pipeline::prepare(cfg, store, progress)
    };
    let mut pipeline = prepare().inspect_err(|f| progress.error(None, &f.message))?;
    for (i, job) in jobs.iter().enumerate() {
        let name = job.recording.display().to_string();
        if let Err(f) = check_session_folder(&cfg.out, &job.dir) {
            progress.error(Some(&name), &f.message);
            report(i, Outcome::Failed(f));
            continue;
        }
        let (lock, created) = match claim(&job.dir) {
            Ok(Some(claimed)) => claimed,
            Ok(None) => {
                report(
                    i,
                    Outcome::Busy(format!(
                        "{} is being written by another rapporteur process; left to it",
                        job.dir.display()
                    )),
                );
                continue;
            }
            Err(f) => {
                progress.error(Some(&name), &f.message);
                report(i, Outcome::Failed(f));
                continue;
            }
        };
        // Only the lock holder cleans: a temporary file here now is a dead process's.
        crate::fsutil::remove_stale_temps(&job.dir, &crate::render::session_files());
        if skip_done && pipeline.settings(job).is_ok_and(|settings| is_done(job, &settings, pipeline.model())) {
            progress.done(&name, &job.dir.display().to_string(), "already done, skipped");
            report(i, Outcome::Skipped);
            continue;
        }
        let done = pipeline
            .process(job, progress)
            .map_err(Failure::from)
            .and_then(|record| write_session(job, record, pipeline.documents(), progress));
        match done {
            Ok(record) => {
                let speakers = if record.settings.diarize {
                    format!(", {} speakers", record.speakers.len())
                } else {
                    String::new()
                };
                let detail = format!(
                    "{:.1} s of audio, {} segments{speakers}, language {}",
                    record.duration_s,
                    record.segments.len(),
                    record.language
                );
                progress.done(&name, &job.dir.display().to_string(), &detail);
                report(i, Outcome::Done);
            }
            Err(f) => {
                progress.error(Some(&name), &f.message);
                report(i, Outcome::Failed(f));
                // A recording that failed before anything was written leaves no folder.
                if created {
                    lock.remove_folder_if_empty();
                }
            }
        }
    }
    Ok(())
}

/// Makes the session folder if needed and takes its lock: (the lock, whether the folder was
/// made now), or `None` when another process holds it.
fn claim(dir: &Path) -> Result<Option<(FolderLock, bool)>, Failure> {
    let fail = |e: std::io::Error| {
        Failure::new(Exit::Output, format!("cannot write to {}: {e}; check free space and permissions", dir.display()))
    };
    let created = std::fs::symlink_metadata(dir).is_err();
    std::fs::create_dir_all(dir).map_err(fail)?;
    let lock = FolderLock::try_acquire(dir, crate::fsutil::SESSION_LOCK).map_err(fail)?;
    if created && let Some(lock) = &lock {
        lock.made_here();
    }
    Ok(lock.map(|lock| (lock, created)))
}

/// A session folder is done when its session.json (written last) was made by this version
/// from the same audio (SHA-256), the same model and the same `settings` (whisper's prompt
/// from session.toml included), and every document it lists is there at its size (a disk
/// that filled up, or a file deleted since, redoes it).
fn is_done(job: &Job, settings: &Settings, model: &Resolved) -> bool {
    let dir = &job.dir;
    let Ok(record) = SessionRecord::load(&dir.join(crate::render::SESSION_JSON)) else { return false };
    let same_audio = || {
        sha256_file(&job.recording)
            .is_ok_and(|(bytes, sha)| bytes == record.source.bytes && sha == record.source.sha256)
    };
    record.generator.version == env!("CARGO_PKG_VERSION")
        && record.model.sha256 == model.sha256
        && record.settings == *settings
        && documents_present(dir, &record)
        && same_audio()
}

/// Whether every document `record` lists is in `dir` as a file of its size. A record from
/// before the list was kept (or after a template error, when none was written) needs every
/// document this session would have.
fn documents_present(dir: &Path, record: &SessionRecord) -> bool {
    let file_of_size = |name: &str, bytes: Option<u64>| {
        let plain = Path::new(name).components().collect::<Vec<_>>() == [Component::Normal(OsStr::new(name))];
        plain
            && std::fs::symlink_metadata(dir.join(name))
                .is_ok_and(|m| m.is_file() && bytes.is_none_or(|b| m.len() == b))
    };
    if record.documents.is_empty() {
        return crate::render::expected_documents(record).into_iter().all(|n| file_of_size(n, None));
    }
    record.documents.iter().all(|d| file_of_size(&d.name, Some(d.bytes)))
}

/// Writes `record` and its documents into the job's session folder.
fn write_session(
    job: &Job,
    mut record: SessionRecord,
    documents: &Documents,
    progress: &Progress,
) -> Result<SessionRecord, Failure> {
    let (recording, dir) = (&job.recording, &job.dir);
    let name = recording.display().to_string();
    // Documents first, session.json last: a folder with session.json is complete. An
    // interrupt waits for the whole set.
    let _commit = crate::fsutil::commit();
    let write_fail = |e: std::io::Error| {
        Failure::new(Exit::Output, format!("cannot write to {}: {e}; check free space and permissions", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(write_fail)?;
    // The earlier run's session.json goes before anything in the folder changes.
    crate::render::unmark(dir).map_err(write_fail)?;
    let session_toml = dir.join(crate::session::metadata::FILE_NAME);
    let beside = recording.with_extension("toml");
    // A dangling link counts as no session.toml (as for reading it), and is replaced by the
    // copy rather than written through.
    if std::fs::metadata(&session_toml).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) && beside.is_file() {
        let text = std::fs::read(&beside)
            .map_err(|e| Failure::new(Exit::Input, format!("cannot read {}: {e}", beside.display())))?;
        write_atomic(&session_toml, &text).map_err(write_fail)?;
    }
    // A speakers.toml left from an earlier run may name speakers this run did not find:
    // the documents are then written with the agenda's names only rather than losing the
    // transcription.
    let named = Named::load(dir, &record).unwrap_or_else(|e| {
        progress.note(&format!("{name}: {e}; documents written without those names"));
        Named::new(&record, crate::session::metadata::load(dir).ok().flatten(), &Default::default())
    });
    match documents.render(dir, &named, progress) {
        Ok(docs) => {
            crate::render::save(dir, &mut record, docs)?;
        }
        // A template that fails on this session (a variable it lacks) must not lose the
        // transcription: session.json is written, with no documents, and `rapporteur render`
        // finishes the job. Any other failure (a full disk) leaves no session.json.
        Err(RenderError::Input(message)) => {
            crate::render::save(dir, &mut record, Vec::new())?;
            return Err(Failure::new(Exit::Input, message));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_folder_is_plain_names_inside_out_or_refused() {
        let out = Path::new("/srv/out");
        let folder =
            |relative: &str| session_folder(out, Path::new("in").join(relative).as_path(), Path::new(relative));
        for (relative, want) in [
            ("a.wav", "a"),
            ("2021/03/a.b.mp3", "2021/03/a.b"),
            ("./x/a.wav", "x/a"),
            (".hidden.wav", ".hidden"),
            (". .wav", ". "),
            ("a b (1)#?%.wav", "a b (1)#?%"),
            ("noext", "noext"),
        ] {
            let dir = folder(relative).unwrap_or_else(|f| panic!("{relative}: {}", f.message));
            assert_eq!(dir, out.join(want), "{relative}");
            let under = dir.strip_prefix(out).unwrap();
            assert!(under.components().all(|c| matches!(c, Component::Normal(_))), "{relative}");
        }
        for relative in [
            "..wav",
            "...wav",
            "x/..wav",
            "x/...wav",
            "",
            ".",
            "..",
            "x/..",
            "x/.",
            "a.wav/",
            "../a.wav",
            "x/../a.wav",
            "/abs/a.wav",
            "index.html.wav",
            "catalog.json/a.wav",
            "batch-log.jsonl.mp3",
        ] {
            let f = folder(relative).expect_err(relative);
            let recording = Path::new("in").join(relative).display().to_string();
            assert_eq!(f.exit, Exit::Usage, "{relative}");
            assert!(
                f.message.starts_with(&format!("{recording}: ")) && f.message.contains("rename the recording"),
                "{relative}: {}",
                f.message
            );
        }
    }
}
