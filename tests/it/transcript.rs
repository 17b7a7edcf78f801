//! The sample, transcribed end to end with the real binary and the real tiny.en model.

use regex::Regex;
use serde_json::Value;

use crate::helpers::*;
use rapporteur::eval::reference::text_of;
use rapporteur::eval::wer::wer;

fn read(name: &str) -> String {
    std::fs::read_to_string(sample_run().0.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn transcript_is_close_to_the_reference() {
    let reference = text_of(&root().join(SAMPLE_REF)).unwrap();
    let hypothesis = text_of(&sample_run().0.join("session.json")).unwrap();
    let w = wer(&reference, &hypothesis);
    eprintln!("tiny.en WER on the sample: {:.2}%", 100.0 * w);
    // Measured 6.4% (BENCHMARKS.md); the bound leaves room for other CPUs, not for regressions.
    assert!(w < 0.12, "WER {:.1}% is too high", 100.0 * w);
}

#[test]
fn session_json_has_the_canonical_fields() {
    let v: Value = serde_json::from_str(&read("session.json")).unwrap();
    assert_eq!(v["schema_version"], 3);
    assert_eq!(v["generator"]["engine"]["name"], "whisper.cpp");
    assert!(v["generator"]["engine"]["version"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(v["source"]["file_name"], "listening-session.wav");
    let expected_sha = rapporteur::models::store::sha256_file(&root().join(SAMPLE)).unwrap().1;
    assert_eq!(v["source"]["sha256"], expected_sha.as_str());
    assert_eq!(v["model"]["name"], "tiny.en");
    assert_eq!(v["settings"]["language"], "en");
    assert_eq!(v["language"], "en");
    let duration = v["duration_s"].as_f64().unwrap();
    assert!((duration - 159.0).abs() < 0.2, "duration {duration}");

    let segments = v["segments"].as_array().unwrap();
    assert!(segments.len() >= 10, "{} segments", segments.len());
    let mut last_start = 0.0;
    for s in segments {
        let (start, end) = (s["start"].as_f64().unwrap(), s["end"].as_f64().unwrap());
        assert!(start >= last_start && end >= start && end <= duration + 0.5, "segment times {start}..{end}");
        last_start = start;
        assert!(!s["text"].as_str().unwrap().is_empty());
        let words = s["words"].as_array().unwrap();
        assert!(!words.is_empty());
        for w in words {
            let (ws, we) = (w["start"].as_f64().unwrap(), w["end"].as_f64().unwrap());
            assert!(we >= ws && ws >= start - 0.5 && we <= end + 0.5, "word {w} outside its segment {start}..{end}");
            let p = w["probability"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&p));
        }
        for t in s["tokens"].as_array().unwrap() {
            let p = t["probability"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&p) && t["id"].as_i64().is_some());
        }
    }
}

#[test]
fn srt_vtt_and_text_are_well_formed() {
    let v: Value = serde_json::from_str(&read("session.json")).unwrap();
    let n = v["segments"].as_array().unwrap().len();

    let srt = read("transcript.srt");
    let cue = Regex::new(
        r"^(\d+)\n(\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d)\n(SPEAKER_\d+|[A-Z]\w+ [A-Z]\w+): (.+)$",
    )
    .unwrap();
    let blocks: Vec<&str> = srt.trim_end().split("\n\n").collect();
    assert_eq!(blocks.len(), n);
    for (i, b) in blocks.iter().enumerate() {
        let c = cue.captures(b).unwrap_or_else(|| panic!("bad SRT cue: {b:?}"));
        assert_eq!(c[1].parse::<usize>().unwrap(), i + 1);
        assert!(c[2] <= c[3], "cue {} ends before it starts", i + 1);
    }

    let vtt = read("transcript.vtt");
    assert!(vtt.starts_with("WEBVTT\n\n"));
    let timing = Regex::new(r"(?m)^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d$").unwrap();
    assert_eq!(timing.find_iter(&vtt).count(), n);

    let txt = read("transcript.txt");
    // Voices are named from the session.toml beside the sample where the agenda is sure.
    let line = Regex::new(r"^\[\d\d:\d\d:\d\d\] (SPEAKER_\d+|[A-Z]\w+ [A-Z]\w+): \S").unwrap();
    assert_eq!(txt.lines().count(), v["turns"].as_array().unwrap().len(), "a line per speaker turn");
    assert!(txt.lines().all(|l| line.is_match(l)), "{txt}");
}

#[test]
fn json_progress_is_one_event_per_line() {
    let events: Vec<Value> = sample_run()
        .1
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let stages: Vec<&str> =
        events.iter().filter(|e| e["event"] == "stage").map(|e| e["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["load model", "decode", "detect speech", "transcribe", "load model", "diarize"]);
    assert!(events.iter().any(|e| e["event"] == "progress" && e["percent"].as_i64() == Some(100)));
    assert!(events.last().unwrap()["event"] == "done");
}

#[test]
fn render_rewrites_the_documents_identically_from_session_json() {
    let tmp = tempfile::tempdir().unwrap();
    // At the same depth as the original, so the relative links to the recording are equal.
    let copy = tmp.path().join("listening-session");
    std::fs::create_dir(&copy).unwrap();
    let original = &sample_run().0;
    for f in ["session.json", "session.toml"] {
        std::fs::copy(original.join(f), copy.join(f)).unwrap();
    }
    let o = run(&["render", copy.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let docs = [
        "transcript.txt",
        "transcript.srt",
        "transcript.vtt",
        "speakers.rttm",
        "minutes.md",
        "summary.md",
        "minutes.html",
        "summary.html",
        "minutes.docx",
    ];
    for doc in docs {
        // A Word file's parts are deterministic; the order docx-rs lists its links in is not.
        let content = |p: std::path::PathBuf| {
            if doc.ends_with(".docx") { word_xml(&p) } else { std::fs::read_to_string(p).unwrap() }
        };
        assert!(content(copy.join(doc)) == content(original.join(doc)), "{doc} differs");
    }
}

#[test]
fn quiet_prints_nothing_and_silence_gives_an_empty_transcript() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("silence.wav");
    write_wav(&wav, 16_000, &vec![0.0; 16_000 * 3]);
    let out = dir.path().join("out");
    let o = run(&["run", wav.to_str().unwrap(), "--model", "tiny.en", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(std::fs::read_to_string(out.join("silence/transcript.txt")).unwrap(), "");
    assert_eq!(std::fs::read_to_string(out.join("silence/speakers.rttm")).unwrap(), "", "nobody speaks");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join("silence/session.json")).unwrap()).unwrap();
    assert_eq!(v["notes"][0], "no speech was found in the recording", "all silence is a valid result, with a note");
}

#[test]
fn resampled_stereo_input_is_transcribed() {
    // The sample's first sentence at 44.1 kHz in two channels goes through decode + resample.
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let head = sample_head(6.5);
    let wav = dir.path().join("stereo44k.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    // Linear interpolation is enough to make a 44.1 kHz test signal of the same speech.
    let n = (head.len() as f64 * 44_100.0 / 16_000.0) as usize;
    for i in 0..n {
        let x = i as f64 * 16_000.0 / 44_100.0;
        let (j, f) = (x as usize, (x - x.floor()) as f32);
        let s = head[j] * (1.0 - f) + head.get(j + 1).copied().unwrap_or(0.0) * f;
        let s = (s * 32767.0) as i16;
        w.write_sample(s).unwrap();
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
    let out = dir.path().join("out");
    let o = run(&["run", wav.to_str().unwrap(), "--model", "tiny.en", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join("stereo44k/session.json")).unwrap()).unwrap();
    assert_eq!(v["source"]["sample_rate"], 44_100);
    assert_eq!(v["source"]["channels"], 2);
    let text = text_of(&out.join("stereo44k/session.json")).unwrap();
    let w = wer("Good morning, and welcome to this listening session of the Regional Network on Migration.", &text);
    assert!(w < 0.2, "WER {w} on: {text}");
}
