//! Diarization on the bundled sample: four generated voices whose turns are in
//! `samples/listening-session.rttm`.

use rapporteur::eval::der::{Turn, der, parse_rttm};
use serde_json::Value;

use crate::helpers::*;

const SAMPLE_RTTM: &str = "samples/listening-session.rttm";

fn reference() -> Vec<Turn> {
    parse_rttm(&std::fs::read_to_string(root().join(SAMPLE_RTTM)).unwrap())
}

/// Times at which the speaker changes from one turn to the next (turns sorted by start).
fn changes(turns: &[Turn]) -> Vec<f64> {
    let mut sorted = turns.to_vec();
    sorted.sort_by(|a, b| a.start.total_cmp(&b.start));
    sorted.windows(2).filter(|w| w[0].speaker != w[1].speaker).map(|w| w[1].start).collect()
}

fn speakers(turns: &[Turn]) -> usize {
    turns.iter().map(|t| t.speaker.as_str()).collect::<std::collections::BTreeSet<_>>().len()
}

#[test]
fn the_sample_has_its_four_speakers_and_their_turns() {
    let dir = &sample_run().0;
    let hyp = parse_rttm(&std::fs::read_to_string(dir.join("speakers.rttm")).unwrap());
    let reference = reference();
    assert_eq!(speakers(&hyp), speakers(&reference), "speakers counted automatically");

    // Every change of speaker is found within a second, and no other change is invented.
    let (want, got) = (changes(&reference), changes(&hyp));
    for t in &want {
        assert!(got.iter().any(|g| (g - t).abs() <= 1.0), "no speaker change near {t:.2} s; found {got:?}");
    }
    assert_eq!(got.len(), want.len(), "found changes {got:?}, expected {want:?}");

    let d = der(&reference, &hyp, 0.25);
    assert!(d.rate() < 0.15, "DER {:.1}%", d.rate() * 100.0);
}

#[test]
fn session_json_names_the_speaker_of_every_word_and_turn() {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(sample_run().0.join("session.json")).unwrap()).unwrap();
    let ids: Vec<&str> = v["speakers"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["SPEAKER_1", "SPEAKER_2", "SPEAKER_3", "SPEAKER_4"], "numbered in order of first speech");
    for seg in v["segments"].as_array().unwrap() {
        let speaker = seg["speaker"].as_str().expect("every segment has a speaker");
        for w in seg["words"].as_array().unwrap() {
            assert_eq!(w["speaker"].as_str(), Some(speaker), "a segment is one speaker's");
        }
    }
    // The script's turns alternate moderator, director, moderator, discussant A, moderator,
    // discussant B, moderator: seven turns, the moderator's always SPEAKER_1.
    let turns: Vec<&str> = v["turns"].as_array().unwrap().iter().map(|t| t["speaker"].as_str().unwrap()).collect();
    assert_eq!(turns, ["SPEAKER_1", "SPEAKER_2", "SPEAKER_1", "SPEAKER_3", "SPEAKER_1", "SPEAKER_4", "SPEAKER_1"]);
}

#[test]
fn a_given_number_of_speakers_is_honoured() {
    tiny_en();
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "run",
        SAMPLE,
        "--model",
        "tiny.en",
        "--language",
        "en",
        "--speakers",
        "2",
        "--out",
        out.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let hyp = parse_rttm(&std::fs::read_to_string(out.path().join("listening-session/speakers.rttm")).unwrap());
    assert_eq!(speakers(&hyp), 2);
}

#[test]
fn no_diarize_gives_a_transcript_without_speakers() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    // The first 20 s of the sample: the moderator's welcome.
    let (pcm, _) = rapporteur::audio::decode::decode(&root().join(SAMPLE)).unwrap();
    let wav = dir.path().join("welcome.wav");
    write_wav(&wav, 16_000, &pcm.f32s(0..20 * 16_000));
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        wav.to_str().unwrap(),
        "--model",
        "tiny.en",
        "--no-diarize",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("welcome/speakers.rttm").exists());
    let txt = std::fs::read_to_string(out.join("welcome/transcript.txt")).unwrap();
    assert!(txt.starts_with("[00:00:0") && !txt.contains("SPEAKER_"), "{txt}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join("welcome/session.json")).unwrap()).unwrap();
    assert_eq!(v["speakers"].as_array().unwrap().len(), 0);
    assert_eq!(v["settings"]["diarize"], false);
}

#[test]
fn conflicting_speaker_bounds_are_usage_errors() {
    let o = run(&["run", SAMPLE, "--min-speakers", "3", "--max-speakers", "2", "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--min-speakers 3 is more than --max-speakers 2"), "{}", stderr(&o));
    let o = run(&["run", SAMPLE, "--speakers", "2", "--max-speakers", "3", "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_name_with_a_line_break_is_refused_where_it_enters() {
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("voices.json");
    // `speakers enroll`: refused before any audio is read (the clip does not even exist).
    let o = rapporteur()
        .env("RAPPORTEUR_VOICES", &library)
        .args(["speakers", "enroll", "Two\nLines", "missing.wav"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("the voice name NAME \"Two\\nLines\" holds a line break"), "{}", stderr(&o));
    assert!(!library.exists());
    // speakers.toml and session.toml: `render` names the file, its line and the field.
    let session = dir.path().join("s");
    std::fs::create_dir(&session).unwrap();
    std::fs::copy(root().join("tests/golden/listening-session/session.json"), session.join("session.json")).unwrap();
    std::fs::write(
        session.join("speakers.toml"),
        "SPEAKER_1 = \"Jane\"\nSPEAKER_2 = \"Evil\\n\\n00:00:00.000 --> 00:00:10.000\\nINJECTED CUE\"\n",
    )
    .unwrap();
    let o = run(&["render", session.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("speakers.toml:2: SPEAKER_2 \"Evil\\n\\n00:00"), "{}", stderr(&o));
    std::fs::remove_file(session.join("speakers.toml")).unwrap();
    std::fs::write(session.join("session.toml"), "title = \"T\"\n[[participants]]\nname = \"A\"\n[[participants]]\nname = \"B\"\norganisation = \"X\\u001b[2JY\"\n").unwrap();
    let o = run(&["render", session.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "session.toml:6: participants[2].organisation \"X\\u{1b}[2JY\" holds a control character (U+001B)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!session.join("transcript.srt").exists(), "nothing rendered");
}

#[test]
fn a_voice_library_with_a_broken_name_still_works_and_says_so_even_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("voices.json");
    let voice = |name: &str| serde_json::json!({"name": name, "embedding": vec![0.1f32; rapporteur::diarize::embedding::DIM], "speech_s": 20.0, "clips": ["a.wav"]});
    let lib =
        serde_json::json!({"model": rapporteur::voices::MODEL, "voices": [voice("Ana"), voice("Two\nLines\u{1b}[2J")]});
    std::fs::write(&library, lib.to_string()).unwrap();
    let with_library = |args: &[&str]| rapporteur().env("RAPPORTEUR_VOICES", &library).args(args).output().unwrap();
    let o = with_library(&["speakers", "list", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("Ana\t20 s of speech\ta.wav\n"), "{out}");
    assert!(out.contains("Two\\nLines\\u{1b}[2J\t20 s of speech\ta.wav\t(not used"), "{out}");
    assert!(
        stderr(&o).starts_with("warning: voice library ") && stderr(&o).contains("\"Two\\nLines\\u{1b}[2J\""),
        "-q still warns: {}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains('\u{1b}'));
    // Forgotten by the name as shown; an unknown name is an input error, not a usage one.
    assert!(with_library(&["speakers", "forget", "Two\\nLines\\u{1b}[2J", "--quiet"]).status.success());
    let o = with_library(&["speakers", "list", "--quiet"]);
    assert_eq!((String::from_utf8_lossy(&o.stdout).lines().count(), stderr(&o).as_str()), (1, ""));
    let o = with_library(&["speakers", "forget", "Nobody"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no voice named \"Nobody\"") && stderr(&o).contains("(enrolled: Ana)"),
        "{}",
        stderr(&o)
    );
}
