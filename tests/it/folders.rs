//! Session folders: always inside `--out`, never written through a link, complete (holding
//! session.json) or visibly not, after a full disk or a kill half way through, and shared
//! safely by processes (a folder another process holds is left to it).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::Value;

use crate::helpers::{files_in, rapporteur, read, sample_head, stderr, tiny_en, write_wav};

const FAST: [&str; 6] = ["--model", "tiny.en", "--language", "en", "--no-diarize", "--quiet"];

/// Four seconds of the sample from `from` s, as a WAV at `path`.
fn clip(path: &Path, from: f32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let audio = sample_head(from + 4.0);
    write_wav(path, 16_000, &audio[(from * 16_000.0) as usize..]);
}

/// `rapporteur COMMAND INPUT --out OUT` with `extra` options.
fn rap(command: &str, input: &Path, out: &Path, extra: &[&str]) -> Output {
    rapporteur().args([command, input.to_str().unwrap(), "--out", out.to_str().unwrap()]).args(extra).output().unwrap()
}

/// The batch log as (recording, status), in order.
fn log(out: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(out.join("batch-log.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["recording"].as_str().unwrap().to_string(), v["status"].as_str().unwrap().to_string()))
        .collect()
}

fn last_status(out: &Path, recording: &str) -> Option<String> {
    log(out).into_iter().rev().find(|(r, _)| r == recording).map(|(_, s)| s)
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// Every document session.json lists is in the folder at its size, and there is at least
/// the transcript and the review page among them.
fn assert_complete(dir: &Path) {
    let record = json(&dir.join("session.json"));
    let docs = record["documents"].as_array().expect("a document list");
    for d in docs {
        let name = d["name"].as_str().unwrap();
        let len = std::fs::metadata(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")).len();
        assert_eq!(len, d["bytes"].as_u64().unwrap(), "{name}");
    }
    let names: Vec<&str> = docs.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"transcript.txt") && names.contains(&"review.html") && names.contains(&"minutes.docx"),
        "{names:?}"
    );
}

/// `...wav` has the stem `..`, and `..wav` the stem `.`: as session folders they would be the
/// parent of `--out` and `--out` itself. Refused (exit 2) naming the file, in `run` and in a
/// batch list file, and nothing is written outside `--out`.
#[test]
fn recordings_whose_names_are_dots_are_refused_and_nothing_leaves_out() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    for name in ["...wav", "..wav", "good.wav"] {
        clip(&a.join(name), 2.0);
    }
    for precious in [tmp.path().join("session.json"), a.join("session.json")] {
        std::fs::write(precious, "precious").unwrap();
    }
    let out = a.join("out");
    let before = files_in(tmp.path());
    for name in ["...wav", "..wav"] {
        let o = rap("run", &a.join(name), &out, &FAST);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{name}: ")) && stderr(&o).contains("rename the recording"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(files_in(tmp.path()), before, "run wrote something");

    std::fs::write(a.join("list.txt"), "...wav\n..wav\nsub/...mp3\ngood.wav\n").unwrap();
    let o = rap("batch", &a.join("list.txt"), &out, &FAST);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let want: Vec<(String, String)> =
        [("...wav", "failed"), ("..wav", "failed"), ("sub/...mp3", "failed"), ("good.wav", "done")]
            .iter()
            .map(|(r, s)| (r.to_string(), s.to_string()))
            .collect();
    let mut got = log(&out);
    got.sort();
    let mut want = want;
    want.sort();
    assert_eq!(got, want);
    let new: Vec<PathBuf> =
        files_in(tmp.path()).into_iter().filter(|p| !before.contains(p) && !p.ends_with("list.txt")).collect();
    assert!(
        new.iter().all(|p| p.starts_with(out.join("good")) || p.parent() == Some(&out)),
        "written outside a session folder: {new:?}"
    );
    assert_complete(&out.join("good"));
    for precious in [tmp.path().join("session.json"), a.join("session.json")] {
        assert_eq!(std::fs::read_to_string(precious).unwrap(), "precious");
    }
}

/// A link to `.` in an input folder would make the walk loop; a link to a folder elsewhere
/// would take in what is not under the input. Neither is followed; a link to a recording is
/// taken. The catalog does not follow a loop in `--out` either.
#[test]
fn folder_links_are_not_followed() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    clip(&input.join("rec.wav"), 2.0);
    clip(&tmp.path().join("elsewhere/other.wav"), 20.0);
    std::os::unix::fs::symlink(".", input.join("loop")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), input.join("away")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("elsewhere/other.wav"), input.join("linked.wav")).unwrap();
    let out = tmp.path().join("out");
    let o = rap("batch", &input, &out, &FAST);
    assert!(o.status.success(), "{}", stderr(&o));
    let done = |s: &str| (s.to_string(), "done".to_string());
    assert_eq!(log(&out), [done("linked.wav"), done("rec.wav")]);
    assert!(!out.join("loop").exists() && !out.join("away").exists());

    std::os::unix::fs::symlink(".", out.join("loop")).unwrap();
    let o = rapporteur().args(["catalog", out.to_str().unwrap(), "--quiet"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let paths: Vec<String> = json(&out.join("catalog.json"))["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["linked", "rec"]);
}

/// A link planted in a session folder (session.toml, a document) is replaced, never written
/// through, and a session folder that is itself a link is refused before any audio is decoded.
#[test]
fn links_in_the_output_folder_are_never_written_through() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let rec = tmp.path().join("rec");
    clip(&rec.join("jfk.wav"), 2.0);
    std::fs::write(rec.join("jfk.toml"), "title = \"From beside the recording\"\n").unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join("jfk")).unwrap();
    let victims = [tmp.path().join("victim.conf"), tmp.path().join("victim.txt")];
    std::os::unix::fs::symlink(&victims[0], out.join("jfk/session.toml")).unwrap();
    std::os::unix::fs::symlink(&victims[1], out.join("jfk/transcript.txt")).unwrap();
    let o = rap("run", &rec.join("jfk.wav"), &out, &FAST);
    assert!(o.status.success(), "{}", stderr(&o));
    for v in &victims {
        assert!(!v.exists(), "written through a link: {}", v.display());
    }
    for f in ["session.toml", "transcript.txt"] {
        assert!(std::fs::symlink_metadata(out.join("jfk").join(f)).unwrap().is_file(), "{f} is a file now");
    }
    assert!(read(&out.join("jfk"), "session.toml").contains("From beside the recording"));
    assert!(read(&out.join("jfk"), "minutes.md").contains("From beside the recording"));

    // Random bytes: decoding them first would fail with exit 3, not 5.
    std::fs::write(
        rec.join("k.wav"),
        (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), out.join("k")).unwrap();
    let o = rap("run", &rec.join("k.wav"), &out, &FAST);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(files_in(&tmp.path().join("elsewhere")), Vec::<PathBuf>::new());
}

/// A file where a folder is expected is said to be one, before any audio is decoded.
#[test]
fn a_file_where_a_folder_belongs_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let rec = tmp.path().join("k.wav");
    std::fs::write(&rec, b"not audio, and never decoded").unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "").unwrap();
    for command in ["run", "batch"] {
        let o = rap(command, &rec, &file, &FAST);
        assert_eq!(o.status.code(), Some(5), "{command}: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("{} is not a folder", file.display())), "{command}: {}", stderr(&o));
    }
    let o = rapporteur().args(["init", file.to_str().unwrap(), "--quiet"]).output().unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("{} is not a folder", file.display())), "{}", stderr(&o));
    // The session folder OUT/k is a file.
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("k"), "").unwrap();
    let o = rap("run", &rec, &out, &FAST);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("{} is not a folder", out.join("k").display())), "{}", stderr(&o));
}

/// A tmpfs mounted for a test, unmounted when dropped (even when the test fails).
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts one at `at` with `options`, or says why it cannot (not root, no mount).
    fn mount(at: &Path, options: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(at).unwrap();
        let o = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs", at.to_str().unwrap()])
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(String::from_utf8_lossy(&o.stderr).trim().to_string());
        }
        Ok(Tmpfs(at.to_path_buf()))
    }

    fn remount(&self, options: &str) {
        let o = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}"), self.0.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "remount: {}", String::from_utf8_lossy(&o.stderr));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").args(["-l", self.0.to_str().unwrap()]).status();
    }
}

/// A disk that fills up while the documents are written leaves no session.json (the folder
/// reads as unfinished, not as done), and once there is room the next batch completes it, to
/// the bytes of a run that had room all along. A session folder on a read-only file system
/// fails before decoding. Needs root to mount a small tmpfs; otherwise it says so and returns.
#[test]
fn a_full_disk_leaves_no_session_json_and_the_next_batch_completes_the_folder() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    clip(&input.join("rec.wav"), 2.0);
    // This recording's documents, from a run with room: the small disk gets half their pages.
    let roomy = tmp.path().join("roomy");
    let o = rap("batch", &input, &roomy, &FAST);
    assert!(o.status.success(), "{}", stderr(&o));
    let docs = json(&roomy.join("rec/session.json"))["documents"].as_array().unwrap().clone();
    let pages: u64 = docs.iter().map(|d| d["bytes"].as_u64().unwrap().div_ceil(4096)).sum();
    let full = tmp.path().join("full");
    let disk = match Tmpfs::mount(&full, &format!("size={}", pages / 2 * 4096)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("a_full_disk...: skipped: cannot mount a tmpfs ({e}); run the tests as root");
            return;
        }
    };
    let o = rap("batch", &input, &full, &FAST);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("No space left"), "{}", stderr(&o));
    assert!(full.join("rec/transcript.txt").is_file(), "the disk filled up before the documents: make it larger");
    assert!(!full.join("rec/session.json").exists(), "a folder missing documents holds session.json");

    disk.remount("size=64m");
    let o = rap("batch", &input, &full, &FAST);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_status(&full, "rec.wav").as_deref(), Some("done"), "the unfinished folder was not redone");
    assert_complete(&full.join("rec"));
    assert_eq!(read(&full.join("rec"), "session.json"), read(&roomy.join("rec"), "session.json"));
    drop(disk);

    // OUT/ro exists on a read-only file system: found before decoding random bytes.
    let out = tmp.path().join("out");
    let ro = match Tmpfs::mount(&out.join("ro"), "ro,size=64k") {
        Ok(d) => d,
        Err(e) => panic!("a tmpfs mounted above but not now: {e}"),
    };
    std::fs::write(input.join("ro.wav"), b"not audio, and never decoded").unwrap();
    let o = rap("run", &input.join("ro.wav"), &out, &FAST);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("cannot write to {}", out.join("ro").display()))
            && stderr(&o).contains("Read-only"),
        "{}",
        stderr(&o)
    );
    drop(ro);
}

/// `kill -9` while the documents of an earlier run are replaced: the earlier session.json is
/// gone before the first new document is in place, so the folder never holds an old
/// session.json beside new documents, and the next batch redoes it.
#[test]
fn a_kill_while_documents_are_replaced_never_leaves_the_old_session_json() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    clip(&input.join("rec.wav"), 2.0);
    let out = tmp.path().join("w");
    let o = rap("run", &input.join("rec.wav"), &out, &FAST);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = out.join("rec");
    let old_transcript = read(&dir, "transcript.txt");

    // Again with diarization, which changes transcript.txt, the first document written; the
    // test hook stops the process right after it.
    let mut child = rapporteur()
        .args([
            "run",
            input.join("rec.wav").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--model",
            "tiny.en",
            "--language",
            "en",
            "--quiet",
        ])
        .env("RAPPORTEUR_TEST_PAUSE_AFTER_FIRST_DOCUMENT", "120")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = Vec::new();
    for line in std::io::BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.contains("paused after the first document") {
            break;
        }
        said.push(line);
    }
    let paused = read(&dir, "transcript.txt") != old_transcript;
    let session_json = dir.join("session.json").exists();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(paused, "the run did not reach the documents: {said:?}");
    assert!(!session_json, "the old session.json was still there beside a new document");
    assert!(!dir.join("session.json").exists());

    let o = rap("batch", &input, &out, &["--model", "tiny.en", "--language", "en", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_status(&out, "rec.wav").as_deref(), Some("done"));
    assert_complete(&dir);
    assert_eq!(json(&dir.join("session.json"))["settings"]["diarize"], true);
}

/// A folder whose documents are not all there at the sizes session.json lists is redone by
/// the next batch, not skipped as done.
#[test]
fn a_folder_missing_a_document_or_holding_a_cut_one_is_redone() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    clip(&input.join("rec.wav"), 2.0);
    let out = tmp.path().join("out");
    let batch = || {
        let o = rap("batch", &input, &out, &FAST);
        assert!(o.status.success(), "{}", stderr(&o));
        last_status(&out, "rec.wav").unwrap()
    };
    assert_eq!(batch(), "done");
    assert_eq!(batch(), "skipped");
    std::fs::write(out.join("rec/minutes.md"), "cut").unwrap();
    assert_eq!(batch(), "done");
    std::fs::remove_file(out.join("rec/review.html")).unwrap();
    assert_eq!(batch(), "done");
    assert_eq!(batch(), "skipped");
    assert_complete(&out.join("rec"));
}

/// A session folder whose lock another process holds is being written by it: a batch leaves
/// it (and its temporary files) alone and logs nothing for it, `run` fails for it, and once
/// the lock is released the next batch does it and cleans up.
#[test]
fn a_folder_locked_by_another_process_is_left_to_it() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    clip(&input.join("rec.wav"), 2.0);
    let out = tmp.path().join("out");
    let dir = out.join("rec");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".rapporteur.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let live_temp = dir.join(".transcript.txt.AbC123.tmp");
    std::fs::write(&live_temp, "being written").unwrap();

    let o = rap("batch", &input, &out, &["--model", "tiny.en", "--language", "en", "--no-diarize"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("being written by another rapporteur process"), "{}", stderr(&o));
    assert_eq!(log(&out), []);
    assert!(live_temp.exists(), "a live writer's temporary file was removed");
    assert!(!dir.join("session.json").exists());
    let o = rap("run", &input.join("rec.wav"), &out, &FAST);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("being written by another rapporteur process"), "{}", stderr(&o));

    drop(lock);
    let o = rap("batch", &input, &out, &FAST);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(last_status(&out, "rec.wav").as_deref(), Some("done"));
    assert!(!live_temp.exists(), "a dead writer's temporary file was left");
    assert_complete(&dir);
}

/// With no speech found there is nothing to diarize: the stage is skipped.
#[test]
fn silence_is_not_diarized() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let silence = tmp.path().join("silence.wav");
    write_wav(&silence, 16_000, &vec![0.0; 16_000 * 20]);
    let out = tmp.path().join("out");
    let o = rap("run", &silence, &out, &["--model", "tiny.en", "--language", "en", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stages: Vec<String> = stderr(&o)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["event"] == "stage")
        .map(|v| v["stage"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(stages.contains(&"transcribe".to_string()) && !stages.contains(&"diarize".to_string()), "{stages:?}");
    let record = json(&out.join("silence/session.json"));
    assert_eq!(record["segments"].as_array().unwrap().len(), 0);
    assert_complete(&out.join("silence"));
}
