//! Bad input: a clear message naming the file, the documented exit code, no partial output.

use crate::helpers::*;

#[test]
fn a_text_file_named_wav_is_refused_and_the_batch_goes_on() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.wav");
    std::fs::write(&bad, "minutes of the meeting, not audio\n".repeat(50)).unwrap();
    let good = dir.path().join("good.wav");
    write_wav(&good, 16_000, &sample_head(4.0));
    let out = dir.path().join("out");
    let o = run(&["run", bad.to_str().unwrap(), good.to_str().unwrap(), "--model", "tiny.en", "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let msg = stderr(&o);
    assert!(msg.contains("notes.wav") && msg.contains("cannot decode"), "{msg}");
    assert!(!out.join("notes").exists(), "nothing written for the bad file");
    assert!(out.join("good/session.json").exists(), "the good file was still transcribed");
}

#[test]
fn empty_and_missing_files_are_input_errors() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.mp3");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.wav");
    let out = dir.path().join("out");
    for (file, words) in [(&empty, "is empty"), (&missing, "cannot open")] {
        let o = run(&["run", file.to_str().unwrap(), "--model", "tiny.en", "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(stderr(&o).contains(file.file_name().unwrap().to_str().unwrap()) && stderr(&o).contains(words), "{}", stderr(&o));
    }
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
}

#[test]
fn unwritable_output_fails_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let o = run(&["run", SAMPLE, "--out", file.join("sub").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot write to output folder"), "{}", stderr(&o));
}

#[test]
fn two_recordings_with_one_name_are_refused() {
    let o = run(&["run", SAMPLE, "./samples/../samples/listening-session.wav", "--out", "/tmp"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("would both write to"), "{}", stderr(&o));
}

#[test]
fn an_unknown_language_is_a_usage_error() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["run", SAMPLE, "--model", "tiny.en", "--language", "xx", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("language 'xx'"), "{}", stderr(&o));
    let o = run(&["run", SAMPLE, "--model", "tiny.en", "--language", "fr", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("English-only"), "{}", stderr(&o));
}
