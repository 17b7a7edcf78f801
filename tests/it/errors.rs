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
    let o = run(&[
        "run",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
        "--model",
        "tiny.en",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
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
        assert!(
            stderr(&o).contains(file.file_name().unwrap().to_str().unwrap()) && stderr(&o).contains(words),
            "{}",
            stderr(&o)
        );
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

/// Runs `rapporteur run FILE` into a fresh `out` folder and checks the refusal: exit code 3,
/// one line naming the file with `words` in it, and nothing written.
fn refused(file: &std::path::Path, words: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", file.to_str().unwrap(), "--model", "tiny.en", "--out", out.to_str().unwrap(), "--quiet"]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{msg}");
    assert_eq!(msg.lines().count(), 1, "one line: {msg}");
    assert!(msg.contains(file.to_str().unwrap()) && msg.contains(words), "{msg}");
    assert!(!msg.contains("panicked"), "{msg}");
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
}

#[test]
fn broken_recordings_are_refused_with_what_to_do() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("whole.wav");
    write_wav(&wav, 16_000, &sample_head(6.0));
    let bytes = std::fs::read(&wav).unwrap();

    let truncated = dir.path().join("truncated.wav");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    refused(
        &truncated,
        "it is truncated: it ends after 3.0 s of the 6.0 s its header promises; copy or export it again, or pass --allow-truncated",
    );

    // A header claiming a 2.87 GHz sample rate (found by the fuzzer: it made the resampler hang).
    let mut header = bytes.clone();
    header[24..28].copy_from_slice(&2_869_247_616u32.to_le_bytes());
    let bad_rate = dir.path().join("bad-rate.wav");
    std::fs::write(&bad_rate, header).unwrap();
    refused(&bad_rate, "its header gives a sample rate of 2869247616 Hz, which no recording has: the file is damaged");

    let random = dir.path().join("random.mp3");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..20_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(&random, noise).unwrap();
    refused(&random, "not a recognised audio or video file");

    // A valid WAV header with no samples after it.
    let zero = dir.path().join("zero-length.wav");
    write_wav(&zero, 16_000, &[]);
    refused(&zero, "it holds no audio (0 s)");

    let folder = dir.path().join("a-folder.wav");
    std::fs::create_dir(&folder).unwrap();
    refused(&folder, "it is a folder, not a recording");

    let opus = dir.path().join("opus.ogg");
    let o = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i", wav.to_str().unwrap(), "-c:a", "libopus", opus.to_str().unwrap()])
        .output()
        .expect("ffmpeg is installed (scripts/setup.sh)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    refused(&opus, "its audio codec, opus, is not supported; convert it to WAV, MP3, M4A, FLAC or OGG");
}

#[test]
fn a_truncated_recording_is_transcribed_when_allowed_with_a_note() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("whole.wav");
    write_wav(&wav, 16_000, &sample_head(8.0));
    let bytes = std::fs::read(&wav).unwrap();
    let truncated = dir.path().join("cut.wav");
    std::fs::write(&truncated, &bytes[..bytes.len() * 3 / 4]).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        truncated.to_str().unwrap(),
        "--allow-truncated",
        "--no-diarize",
        "--model",
        "tiny.en",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cut.wav: the recording is truncated: only its first 6.0 s were transcribed"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cut/session.json")).unwrap()).unwrap();
    assert_eq!(v["duration_s"], 6.0);
    assert!(v["notes"][0].as_str().unwrap().contains("truncated"), "{}", v["notes"]);
}

#[test]
fn ctrl_c_stops_the_run_and_leaves_nothing_half_written() {
    use std::io::BufRead;
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = rapporteur()
        .args(["run", SAMPLE, "--model", "tiny.en", "--json", "--out", out.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once transcription has begun, as a person pressing Ctrl-C would.
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let transcribing = line.contains(r#""stage":"transcribe""#) && line.contains("progress");
        seen.push(line);
        if transcribing {
            break;
        }
    }
    assert!(seen.iter().any(|l| l.contains("transcribe")), "{seen:?}");
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("interrupted")), "{rest:?}");
    assert!(files_in(&out).is_empty(), "nothing written: {:?}", files_in(&out));
}

#[test]
fn a_closed_pipe_ends_a_listing_quietly_and_a_full_disk_is_an_output_error() {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    for args in [&["models", "list"][..], &["speakers", "list"][..]] {
        // `| head -1` that has already gone: the read end is closed before the first write.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = rapporteur().args(args).arg("--models-dir").arg(&models).stdout(writer).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).is_empty(), "{args:?}: quietly: {}", stderr(&o));
        // `> /dev/full`: a write that fails for another reason is reported, exit 5.
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let o = rapporteur().args(args).arg("--models-dir").arg(&models).stdout(full).output().unwrap();
        assert_eq!(o.status.code(), Some(5), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("cannot write the list")
                && stderr(&o).contains("standard output")
                && !stderr(&o).contains("panicked"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn control_characters_in_paths_are_escaped_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // Clears the screen, sets the window title, rings the bell, and fakes a line.
    let evil = dir.path().join("a\u{1b}[2J\u{1b}]0;pwned\u{7}b\u{9b}31m\nerror: all good");
    for mode in ["--quiet", "--json"] {
        let o = run(&["render", evil.to_str().unwrap(), mode]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(!err.contains(['\u{1b}', '\u{7}', '\u{9b}']), "{mode}: {err:?}");
        assert_eq!(err.lines().count(), 1, "{mode}: one line: {err:?}");
        if mode == "--quiet" {
            assert!(err.contains("a\\u{1b}[2J\\u{1b}]0;pwned\\u{7}b\\u{9b}31m\\nerror: all good"), "{err:?}");
        } else {
            let event: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
            assert!(
                event["file"].as_str().unwrap().ends_with("a\u{1b}[2J\u{1b}]0;pwned\u{7}b\u{9b}31m\nerror: all good"),
                "scripts get the name as it is"
            );
        }
    }
}

#[test]
fn pipes_and_devices_are_refused_as_not_regular_files_without_waiting() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("live.wav");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let out = dir.path().join("out");
    // A pipe with no writer would block whoever opens it: the run must not open it at all.
    for input in [fifo.to_str().unwrap(), "/dev/zero", "/dev/null"] {
        let mut child = rapporteur()
            .args(["run", input, "--model", "tiny.en", "--out", out.to_str().unwrap()])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("{input}: still waiting after 60 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let o = child.wait_with_output().unwrap();
        let msg = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{input}: {msg}");
        assert!(
            msg.contains(&format!(
                "{input} is not a regular file (a pipe or device); save the recording to a file first"
            )),
            "{msg}"
        );
    }
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
}

#[test]
fn a_wav_streamed_through_a_pipe_is_read_to_its_end() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let piped = dir.path().join("piped.wav");
    // As `ffmpeg -f wav - | cat > piped.wav`: ffmpeg cannot seek back to write the sizes.
    let sh = format!("ffmpeg -loglevel error -i {SAMPLE} -t 3 -f wav - | cat > '{}'", piped.display());
    let o = std::process::Command::new("sh").args(["-c", &sh]).current_dir(root()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&piped).unwrap();
    assert_eq!(&bytes[4..8], &[0xff; 4], "RIFF size is the streaming placeholder");
    let data = bytes.windows(4).position(|w| w == b"data").unwrap();
    assert_eq!(&bytes[data + 4..data + 8], &[0xff; 4], "data size is the streaming placeholder");

    let out = dir.path().join("out");
    let o =
        run(&["run", piped.to_str().unwrap(), "--no-diarize", "--model", "tiny.en", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("truncated"), "{}", stderr(&o));
    let record = std::fs::read_to_string(out.join("piped/session.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert!((v["duration_s"].as_f64().unwrap() - 3.0).abs() < 0.05, "{}", v["duration_s"]);
    assert!(!record.contains("truncated"), "{}", v["notes"]);
}

#[test]
fn a_recognised_recording_is_told_the_real_fix_not_to_convert() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("mono.wav");
    write_wav(&wav, 16_000, &sample_head(4.0));
    let bytes = std::fs::read(&wav).unwrap();
    let out = dir.path().join("out");

    let o =
        run(&["run", wav.to_str().unwrap(), "--channel", "3", "--model", "tiny.en", "--out", out.to_str().unwrap()]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{msg}");
    assert!(
        msg.contains("it has 1 channel, so there is no channel 3; choose --channel 1") && !msg.contains("convert it"),
        "{msg}"
    );

    // The data chunk before the format chunk: a WAV, in an order we cannot read.
    let swapped = dir.path().join("swapped.wav");
    std::fs::write(&swapped, [&bytes[..12], &bytes[36..], &bytes[12..36]].concat()).unwrap();
    let truncated = dir.path().join("cut.wav");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    for (file, words) in [(&swapped, "it is a WAV file, but its header is damaged"), (&truncated, "it is truncated")] {
        let o = run(&["run", file.to_str().unwrap(), "--model", "tiny.en", "--out", out.to_str().unwrap()]);
        let msg = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{msg}");
        assert!(msg.contains(words), "{msg}");
        assert!(!msg.contains("convert it"), "{msg}");
    }
}
