//! Diarization on the bundled sample: four generated voices whose turns are in
//! `samples/listening-session.rttm`.

use rapporteur::eval::der::{der, parse_rttm, Turn};
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
    let v: Value = serde_json::from_str(&std::fs::read_to_string(sample_run().0.join("session.json")).unwrap()).unwrap();
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
    let o = run(&["run", SAMPLE, "--model", "tiny.en", "--language", "en", "--speakers", "2", "--out", out.path().to_str().unwrap(), "--quiet"]);
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
    let o = run(&["run", wav.to_str().unwrap(), "--model", "tiny.en", "--no-diarize", "--out", out.to_str().unwrap(), "--quiet"]);
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
