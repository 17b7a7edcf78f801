//! session.toml and speakers.toml: `init` scaffolds, `render` applies names, and mistakes
//! are reported with their file and line.

use crate::helpers::*;

/// A session folder holding only the sample run's session.json.
fn session_copy() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(sample_run().0.join("session.json"), copy.path().join("session.json")).unwrap();
    copy
}

#[test]
fn init_writes_a_session_toml_once() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("my-session");
    let o = run(&["init", session.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(session.join("session.toml")).unwrap();
    assert!(text.contains("# [[agenda]]") && text.contains("# [[participants]]"));
    let o = run(&["init", session.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    // The scaffold is accepted by render, and names nobody: its people are examples.
    std::fs::copy(sample_run().0.join("session.json"), session.join("session.json")).unwrap();
    let o = run(&["render", session.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let minutes = std::fs::read_to_string(session.join("minutes.md")).unwrap();
    for example in ["Jane Doe", "John Smith", "UNODC", "Amina Diallo"] {
        assert!(!minutes.contains(example), "{example} in {minutes}");
    }
}

#[test]
fn speakers_toml_takes_voices_as_the_documents_show_them_and_merges_one_name() {
    let copy = session_copy();
    let dir = copy.path();
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("session.json")).unwrap()).unwrap();
    let voices = record["speakers"].as_array().unwrap().len();
    assert!(voices >= 3, "the sample has its voices");
    std::fs::write(
        dir.join("speakers.toml"),
        "\"Speaker 1\" = \"Ana Ruiz\"\n2 = \"Ana Ruiz\"\nSPEAKER_3 = \"Bo Li\"\n",
    )
    .unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let minutes = std::fs::read_to_string(dir.join("minutes.md")).unwrap();
    // One row for the two voices named alike, their talk time together.
    assert_eq!(minutes.matches("| Ana Ruiz |").count(), 1, "{minutes}");
    assert!(minutes.contains("| Bo Li |"), "{minutes}");
    assert_eq!(
        minutes.lines().filter(|l| l.starts_with("| ") && l.contains(" (") && l.contains("%) |")).count(),
        voices - 1,
        "{minutes}"
    );
    let rttm = std::fs::read_to_string(dir.join("speakers.rttm")).unwrap();
    assert!(!rttm.contains(" SPEAKER_2 "), "the merged voice is gone from the timeline: {rttm}");

    // A turn given to another voice by its start time.
    let third = &record["turns"][2];
    let at = third["start"].as_f64().unwrap() as u64;
    let time = format!("{:02}:{:02}:{:02}", at / 3600, at / 60 % 60, at % 60);
    std::fs::write(dir.join("speakers.toml"), format!("SPEAKER_3 = \"Bo Li\"\n[turns]\n\"{time}\" = \"Speaker 3\"\n"))
        .unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let txt = std::fs::read_to_string(dir.join("transcript.txt")).unwrap();
    let line = txt.lines().find(|l| l.starts_with(&format!("[{time}]"))).unwrap_or_else(|| panic!("{time} in {txt}"));
    assert!(line.contains("] Bo Li: "), "{line}");
    // A time no turn starts at is an error with its line.
    std::fs::write(dir.join("speakers.toml"), "[turns]\n\"09:59:59\" = \"Speaker 3\"\n").unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("speakers.toml:2: no turn starts at 09:59:59"), "{}", stderr(&o));
}

#[test]
fn render_applies_the_names_in_speakers_toml_everywhere() {
    let copy = session_copy();
    let dir = copy.path();
    std::fs::write(dir.join("speakers.toml"), "SPEAKER_1 = \"Moderator: Jane Doe\"\nSPEAKER_3 = \"Amina Diallo\"\n")
        .unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let txt = std::fs::read_to_string(dir.join("transcript.txt")).unwrap();
    assert!(
        txt.starts_with("[00:00:0")
            && txt.lines().next().unwrap()[11..].starts_with("Moderator: Jane Doe: Good morning"),
        "{txt}"
    );
    assert!(txt.contains("] Amina Diallo: ") && txt.contains("] SPEAKER_2: ") && !txt.contains("SPEAKER_1"), "{txt}");
    for doc in ["transcript.srt", "transcript.vtt"] {
        let cues = std::fs::read_to_string(dir.join(doc)).unwrap();
        assert!(cues.contains("\nModerator: Jane Doe: ") && !cues.contains("SPEAKER_1:"), "{doc}");
    }
    // The record keeps the ids; names live in speakers.toml.
    assert!(!std::fs::read_to_string(dir.join("session.json")).unwrap().contains("Jane Doe"));
}

#[test]
fn mistakes_in_speakers_or_session_toml_name_file_and_line() {
    let copy = session_copy();
    let dir = copy.path();
    std::fs::write(dir.join("speakers.toml"), "SPEAKER_1 = \"A\"\nSPEAKER_9 = \"B\"\n").unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("speakers.toml:2: SPEAKER_9 is not a speaker of this session"), "{}", stderr(&o));

    std::fs::remove_file(dir.join("speakers.toml")).unwrap();
    std::fs::write(dir.join("session.toml"), "title = \"x\"\ndate = \"22/11/2026\"\n").unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("session.toml:2: date \"22/11/2026\" is not YYYY-MM-DD"), "{}", stderr(&o));
}

#[test]
fn run_checks_session_toml_before_transcribing() {
    tiny_en();
    let out = tempfile::tempdir().unwrap();
    let session = out.path().join("listening-session");
    std::fs::create_dir_all(&session).unwrap();
    std::fs::write(session.join("session.toml"), "[[agenda]]\nitem = \"lunch\"\n").unwrap();
    let o = run(&["run", SAMPLE, "--model", "tiny.en", "--out", out.path().to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("session.toml:2:"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("\"transcribe\""), "failed before transcribing");
    assert!(!session.join("session.json").exists());
}

#[test]
fn an_enrolled_voice_names_its_speaker_in_a_later_run() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("voices.json");
    // The first lead discussant alone (68.3 s to 86.4 s of the sample, by its RTTM).
    let all = sample_head(87.0);
    let clip = dir.path().join("amina.wav");
    write_wav(&clip, 16000, &all[(68.4 * 16000.0) as usize..(86.4 * 16000.0) as usize]);
    let with_library = |args: &[&str]| rapporteur().env("RAPPORTEUR_VOICES", &library).args(args).output().unwrap();
    let o = with_library(&["speakers", "enroll", "Rosa Voice", clip.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = with_library(&["speakers", "list"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("Rosa Voice\t18 s of speech\tamina.wav"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    let out = dir.path().join("out");
    let o = with_library(&[
        "run",
        SAMPLE,
        "--model",
        "tiny.en",
        "--language",
        "en",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let session = out.join("listening-session");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(session.join("session.json")).unwrap()).unwrap();
    let recognised: Vec<(&str, f64)> = record["speakers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| Some((s["id"].as_str()?, s["voice"]["score"].as_f64()?)))
        .collect();
    // Only the enrolled speaker, the one who speaks fourth (the agenda's first discussant).
    assert_eq!(recognised.len(), 1, "{recognised:?}");
    assert_eq!(recognised[0].0, record["turns"][3]["speaker"].as_str().unwrap());
    assert!(recognised[0].1 >= rapporteur::voices::THRESHOLD as f64);
    let minutes = std::fs::read_to_string(session.join("minutes.md")).unwrap();
    assert!(minutes.contains("| Rosa Voice |  | 29 s (21%) | voice (score "), "{minutes}");
    assert!(
        minutes.contains("| Maria Santos | Regional Network on Migration secretariat | 45 s (33%) | "),
        "the session still names the others"
    );
    // A name in speakers.toml wins over the voice.
    std::fs::write(session.join("speakers.toml"), format!("{} = \"Amina Diallo\"\n", recognised[0].0)).unwrap();
    let o = run(&["render", session.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(session.join("minutes.md"))
            .unwrap()
            .contains("| Amina Diallo | Survivor support network | 29 s (21%) | speakers.toml |")
    );

    // Silence has no voice to enrol; forgetting works once.
    let quiet = dir.path().join("quiet.wav");
    write_wav(&quiet, 16000, &vec![0.0; 16000 * 3]);
    let o = with_library(&["speakers", "enroll", "Nobody", quiet.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("quiet.wav has no speech to enrol"), "{}", stderr(&o));
    assert!(with_library(&["speakers", "forget", "Rosa Voice", "--quiet"]).status.success());
    assert_eq!(
        with_library(&["speakers", "forget", "Rosa Voice", "--quiet"]).status.code(),
        Some(3),
        "an unknown voice is an input error"
    );
}
