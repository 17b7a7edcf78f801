//! `rapporteur batch INPUT... --out DIR`: every recording under the inputs becomes a session
//! folder under DIR at its path under its input, once.
//!
//! - Done once: a folder whose session.json came from the same audio, models and settings is
//!   skipped (`run::is_done`); session.json is written last, so a killed run leaves at most one
//!   folder without it, which the next run redoes from the start.
//! - Every outcome is appended to `DIR/batch-log.jsonl`, one JSON line per recording and
//!   run; `--retry-failed` redoes those whose last outcome there is a failure.
//! - Processes share a DIR: each session folder is locked while a process works on it, and
//!   another process leaves a locked folder to its holder (a note, no log line), so two
//!   batches over one input split the work rather than doing it twice.
//! - `--shard I/N` keeps the recordings whose path hash falls in shard I, so N machines on a
//!   shared file system split the work with nothing to coordinate.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Failure;
use super::run::{Outcome, run_jobs};
use crate::cli::BatchArgs;
use crate::config::RunConfig;
use crate::exit::Exit;
use crate::models::store::Store;
use crate::pipeline::Job;
use crate::progress::Progress;

pub const LOG: &str = "batch-log.jsonl";

/// File name extensions taken as recordings when searching folders.
const RECORDINGS: [&str; 12] = ["wav", "mp3", "m4a", "mp4", "aac", "flac", "ogg", "oga", "mkv", "webm", "mov", "wave"];

/// One recording found: where it is, and its path under its input (the folder mirrored).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub path: PathBuf,
    pub relative: PathBuf,
}

/// One line of the batch log.
#[derive(Debug, Serialize, Deserialize)]
pub struct LogLine {
    pub recording: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn is_recording(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| RECORDINGS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Every recording under the inputs, in a stable order: folders are searched recursively
/// (hidden entries skipped), a recording given by name is itself, any other file is a list.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<Found>, Failure> {
    let mut found = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, input, &mut found)
                .map_err(|e| Failure::new(Exit::Input, format!("cannot read folder {}: {e}", input.display())))?;
        } else if is_recording(input) {
            found.push(Found { path: input.clone(), relative: PathBuf::from(input.file_name().unwrap_or_default()) });
        } else {
            let text = std::fs::read_to_string(input).map_err(|e| {
                Failure::new(
                    Exit::Input,
                    format!(
                        "cannot read {}: {e}; give folders of recordings, recordings, or list files (a path per line)",
                        input.display()
                    ),
                )
            })?;
            let base = input.parent().unwrap_or(Path::new("."));
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let entry = Path::new(line);
                let path = base.join(entry);
                // Mirrored at its path in the list when that stays below the list's folder.
                let relative = if entry.is_relative()
                    && entry
                        .components()
                        .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir))
                {
                    entry.to_path_buf()
                } else {
                    PathBuf::from(entry.file_name().unwrap_or_default())
                };
                found.push(Found { path, relative });
            }
        }
    }
    Ok(found)
}

/// Links to folders are not followed (a link to `.` would loop, one to `/` would walk the
/// whole file system); a link to a recording is taken like the recording.
fn walk(root: &Path, dir: &Path, found: &mut Vec<Found>) -> std::io::Result<()> {
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // `file_type` is the entry's own: a link is a link, not what it points to.
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            walk(root, &p, found)?;
        } else if is_recording(&p) && (kind.is_file() || (kind.is_symlink() && p.is_file())) {
            let relative = p.strip_prefix(root).unwrap_or(&p).to_path_buf();
            found.push(Found { path: p, relative });
        }
    }
    Ok(())
}

/// Shard `index` of `count` (0-based here) holds a recording when the first 8 bytes of the
/// SHA-256 of its path under the input, as a number, leave that remainder.
pub fn in_shard(relative: &Path, index: usize, count: usize) -> bool {
    let digest = Sha256::digest(relative.to_string_lossy().as_bytes());
    let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    (n % count as u64) as usize == index
}

/// `I/N` (1-based) or `auto` → (0-based index, count).
pub fn parse_shard(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<(usize, usize), String> {
    let number = |name: &str| env(name).and_then(|v| v.trim().parse::<usize>().ok());
    let (index, count) = if spec == "auto" {
        if let (Some(id), Some(count)) = (number("SLURM_ARRAY_TASK_ID"), number("SLURM_ARRAY_TASK_COUNT")) {
            // Slurm numbers tasks from SLURM_ARRAY_TASK_MIN (`--array=0-3` or `1-4`).
            (id - number("SLURM_ARRAY_TASK_MIN").unwrap_or(0).min(id), count)
        } else if let (Some(id), Some(count)) = (number("JOB_COMPLETION_INDEX"), number("RAPPORTEUR_SHARDS")) {
            (id, count)
        } else {
            return Err("--shard auto found no job array: it reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm), or JOB_COMPLETION_INDEX and RAPPORTEUR_SHARDS (Kubernetes indexed job); give --shard I/N otherwise".into());
        }
    } else {
        let bad = || format!("--shard {spec}: give I/N with 1 ≤ I ≤ N (such as 2/4), or auto");
        let (i, n) = spec.split_once('/').ok_or_else(bad)?;
        let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if i == 0 || i > n {
            return Err(bad());
        }
        (i - 1, n)
    };
    if count == 0 || index >= count {
        return Err(format!("--shard auto: task {index} of {count} is not a shard; check the job array's size"));
    }
    Ok((index, count))
}

/// The last outcome of each recording in the batch log (a torn last line is ignored).
fn last_outcomes(out: &Path) -> HashMap<String, String> {
    let text = std::fs::read_to_string(out.join(LOG)).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str::<LogLine>(l).ok()).map(|l| (l.recording, l.status)).collect()
}

/// Appends one line with one write, so lines from a killed run are whole or torn at the end.
fn append(out: &Path, line: &LogLine) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(out.join(LOG))?;
    f.write_all(format!("{}\n", serde_json::to_string(line).expect("serialisable")).as_bytes())
}

pub fn batch(args: BatchArgs, voices: PathBuf, store: &Store, progress: &Progress) -> Vec<Failure> {
    let fail = |f: Failure| {
        progress.error(None, &f.message);
        vec![f]
    };
    let found = match discover(&args.inputs) {
        Ok(f) if f.is_empty() => {
            let inputs: Vec<String> = args.inputs.iter().map(|p| p.display().to_string()).collect();
            return fail(Failure::new(
                Exit::Input,
                format!(
                    "found no recordings in {} (looked for {}); check the path",
                    inputs.join(", "),
                    RECORDINGS.join(", ")
                ),
            ));
        }
        Ok(f) => f,
        Err(f) => return fail(f),
    };
    let shard = match args.shard.as_deref().map(|s| parse_shard(s, &|k| std::env::var(k).ok())) {
        Some(Err(m)) => return fail(Failure::new(Exit::Usage, m)),
        Some(Ok(s)) => Some(s),
        None => None,
    };
    let out = args.out.clone();
    if out.exists() && !out.is_dir() {
        return fail(Failure::new(
            Exit::Output,
            format!("{} is not a folder; give a folder (new or existing) as --out", out.display()),
        ));
    }
    if let Err(e) = std::fs::create_dir_all(&out) {
        return fail(Failure::new(Exit::Output, format!("cannot create {}: {e}; choose another --out", out.display())));
    }
    let earlier = if args.retry_failed { Some(last_outcomes(&out)) } else { None };
    let key = |f: &Found| f.relative.to_string_lossy().into_owned();
    let chosen: Vec<Found> = found
        .into_iter()
        .filter(|f| shard.is_none_or(|(i, n)| in_shard(&f.relative, i, n)))
        .filter(|f| earlier.as_ref().is_none_or(|e| e.get(&key(f)).is_some_and(|s| s == "failed")))
        .collect();
    let mut failures = Vec::new();
    let mut refuse = |f: &Found, failure: Failure| {
        progress.error(Some(&f.path.display().to_string()), &failure.message);
        let _ = append(
            &out,
            &LogLine { recording: key(f), status: "failed".into(), message: Some(failure.message.clone()) },
        );
        failures.push(failure);
    };
    // Each recording's session folder, or why it cannot have one (a name such as `...wav`).
    let mut by_dir: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    let mut dirs = Vec::new();
    for (i, f) in chosen.iter().enumerate() {
        match super::run::session_folder(&out, &f.path, &f.relative) {
            Ok(dir) => {
                by_dir.entry(dir.clone()).or_default().push(i);
                dirs.push(Some(dir));
            }
            Err(failure) => {
                refuse(f, failure);
                dirs.push(None);
            }
        }
    }
    // Two recordings with one path but for the extension would share a folder: both fail.
    for &i in by_dir.values().filter(|v| v.len() > 1).flatten() {
        let message = format!(
            "{} shares its session folder with another recording of the same name; rename one",
            chosen[i].path.display()
        );
        refuse(&chosen[i], Failure::new(Exit::Usage, message));
        dirs[i] = None;
    }
    let (chosen, jobs): (Vec<Found>, Vec<Job>) = chosen
        .into_iter()
        .zip(dirs)
        .filter_map(|(f, dir)| dir.map(|dir| (f.clone(), Job { recording: f.path, dir })))
        .unzip();
    let cfg =
        RunConfig::from_args(jobs.iter().map(|j| j.recording.clone()).collect(), out.clone(), args.options, voices);
    let overall = progress.overall(jobs.len());
    let result = run_jobs(&cfg, &jobs, true, store, progress, &mut |i, outcome| {
        overall.tick();
        let (status, message) = match &outcome {
            Outcome::Done => ("done", None),
            Outcome::Skipped => ("skipped", None),
            Outcome::Failed(f) => ("failed", Some(f.message.clone())),
            // Another process is doing it and logs its outcome: a line here could come after
            // and hide a failure from --retry-failed.
            Outcome::Busy(message) => {
                progress.note(&format!("{}: skipped: {message}", chosen[i].path.display()));
                return;
            }
        };
        if let Err(e) = append(&out, &LogLine { recording: key(&chosen[i]), status: status.into(), message }) {
            progress.note(&format!("cannot append to {}: {e}", out.join(LOG).display()));
        }
        if let Outcome::Failed(f) = outcome {
            failures.push(f);
        }
    });
    overall.finish();
    if let Err(f) = result {
        failures.push(f);
        return failures;
    }
    if let Err(f) = super::catalog::write_catalog(&out, progress) {
        progress.error(None, &f.message);
        failures.push(f);
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_every_path_exactly_once() {
        let paths: Vec<PathBuf> = (0..200).map(|i| PathBuf::from(format!("2021/session-{i}.mp3"))).collect();
        let mut sizes = [0; 4];
        for p in &paths {
            let owners: Vec<usize> = (0..4).filter(|&i| in_shard(p, i, 4)).collect();
            assert_eq!(owners.len(), 1, "{p:?}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| s > 30), "roughly even: {sizes:?}");
    }

    #[test]
    fn shard_specs_from_the_command_line_and_job_arrays() {
        let none = |_: &str| None;
        assert_eq!(parse_shard("2/4", &none), Ok((1, 4)));
        assert!(
            parse_shard("0/4", &none).is_err()
                && parse_shard("5/4", &none).is_err()
                && parse_shard("x", &none).is_err()
        );
        assert!(parse_shard("auto", &none).unwrap_err().contains("SLURM_ARRAY_TASK_ID"));
        let slurm = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("4".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            _ => None,
        };
        assert_eq!(parse_shard("auto", &slurm), Ok((2, 4)));
        let k8s = |k: &str| match k {
            "JOB_COMPLETION_INDEX" => Some("0".to_string()),
            "RAPPORTEUR_SHARDS" => Some("4".to_string()),
            _ => None,
        };
        assert_eq!(parse_shard("auto", &k8s), Ok((0, 4)));
    }

    #[test]
    fn folders_are_searched_in_order_and_lists_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        for p in ["2021/b.wav", "2021/a.MP3", "2020/x.flac", "notes.txt", ".hidden/y.wav"] {
            std::fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
            std::fs::write(root.join(p), b"").unwrap();
        }
        let list = dir.path().join("list.txt");
        std::fs::write(&list, "# past sessions\nin/2020/x.flac\n\n/elsewhere/z.wav\n").unwrap();
        let found = discover(&[root.clone(), list]).unwrap();
        let rel: Vec<String> = found.iter().map(|f| f.relative.display().to_string()).collect();
        assert_eq!(rel, ["2020/x.flac", "2021/a.MP3", "2021/b.wav", "in/2020/x.flac", "z.wav"]);
        assert_eq!(found[3].path, dir.path().join("in/2020/x.flac"));
    }
}
