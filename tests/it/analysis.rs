//! The analysis stage with the real sentence model: what becomes a point, which facet a point
//! is placed in, what is a recommendation and what only looks like one, repeats merged, and
//! `render` re-using analysis.json after a rename.

use serde_json::{Value, json};

use crate::helpers::*;

/// A record of `said` (speaker, sentence) in the golden record's shape, rendered; its analysis.
fn analyse(said: &[(&str, &str)]) -> (tempfile::TempDir, Value) {
    minilm();
    let dir = tempfile::tempdir().unwrap();
    let mut record: Value =
        serde_json::from_str(&read(&root().join("tests/golden/listening-session"), "session.json")).unwrap();
    let segments: Vec<Value> = said
        .iter()
        .enumerate()
        .map(|(i, (speaker, text))| {
            let start = 10.0 * i as f64;
            json!({ "id": i, "start": start, "end": start + 8.0, "text": text, "language": "en",
                    "speaker": speaker, "no_speech_prob": 0.01, "words": [], "tokens": [] })
        })
        .collect();
    let turns: Vec<Value> = said
        .iter()
        .enumerate()
        .map(|(i, (speaker, _))| json!({ "speaker": speaker, "start": 10.0 * i as f64, "end": 10.0 * i as f64 + 8.0, "segments": [i] }))
        .collect();
    record["segments"] = json!(segments);
    record["turns"] = json!(turns);
    std::fs::write(dir.path().join("session.json"), serde_json::to_string_pretty(&record).unwrap()).unwrap();
    let o = run(&["render", dir.path().to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let analysis: Value = serde_json::from_str(&read(dir.path(), "analysis.json")).unwrap();
    (dir, analysis)
}

/// The facet (listening-session theme) of the point that starts with `start`, or "none";
/// "not a point" when no point does.
fn facet(analysis: &Value, start: &str) -> String {
    let Some(p) =
        analysis["points"].as_array().unwrap().iter().find(|p| p["text"].as_str().unwrap().starts_with(start))
    else {
        return "not a point".into();
    };
    let themes = p["themes"].as_array().unwrap();
    themes
        .iter()
        .find(|t| t["taxonomy"] == "listening-session")
        .map_or("none".into(), |t| t["theme"].as_str().unwrap().to_string())
}

#[test]
fn points_are_placed_by_meaning_and_recommendations_by_form() {
    let (_, a) = analyse(&[
        ("SPEAKER_1", "Good morning everyone, can you all hear me?"),
        ("SPEAKER_2", "Since the pandemic began, the number of women calling our hotline has doubled."),
        ("SPEAKER_2", "The biggest problem for us is that shelters had to close and victims had nowhere to go."),
        ("SPEAKER_3", "What we learned is that online counselling reaches victims who never came to our office."),
        ("SPEAKER_3", "Together with the police and two local charities, we set up a referral network for victims."),
        ("SPEAKER_3", "We urge governments to provide free legal aid to every survivor of trafficking."),
        ("SPEAKER_4", "How are the shelters in your region coping with so many new arrivals?"),
        ("SPEAKER_4", "In 2018 a commission recommended that states should open more shelters, but nothing changed."),
        ("SPEAKER_4", "To be clear, we are not calling for new legislation at this stage."),
        ("SPEAKER_4", "Honestly, the ministry should have acted much earlier than it did."),
        ("SPEAKER_4", "I think we should make the remote control yellow and a bit rounder."),
        ("SPEAKER_1", "Calls from women to the hotline have doubled since the pandemic started."),
    ]);
    assert_eq!(facet(&a, "Good morning"), "not a point", "procedure");
    assert_eq!(facet(&a, "Since the pandemic"), "trends");
    assert_eq!(facet(&a, "The biggest problem"), "challenges");
    assert_eq!(facet(&a, "What we learned"), "lessons-learned");
    assert_eq!(facet(&a, "Together with"), "collaboration");
    assert_eq!(facet(&a, "We urge governments"), "recommendations");
    // Look-alikes of a recommendation, and talk about something else, are in no facet.
    for s in ["How are the shelters", "In 2018", "To be clear", "Honestly", "I think we should"] {
        assert_eq!(facet(&a, s), "none", "{s}");
    }
    let points = a["points"].as_array().unwrap();
    let urge = points.iter().find(|p| p["text"].as_str().unwrap().starts_with("We urge")).unwrap();
    assert_eq!(urge["to"], "governments");
    let asked = points.iter().find(|p| p["text"].as_str().unwrap().starts_with("How are")).unwrap();
    assert_eq!(asked["question"], true);
    // The same trend said again by another speaker is merged into the first.
    let first = points.iter().position(|p| p["text"].as_str().unwrap().starts_with("Since the pandemic")).unwrap();
    let again = points.iter().find(|p| p["text"].as_str().unwrap().starts_with("Calls from women")).unwrap();
    assert_eq!(again["same_as"], json!(first));
    // No key message is a look-alike.
    for k in a["key_messages"].as_array().unwrap() {
        let text = points[k.as_u64().unwrap() as usize]["text"].as_str().unwrap();
        assert!(
            !["How are", "In 2018", "To be clear", "Honestly", "I think"].iter().any(|s| text.starts_with(s)),
            "{text}"
        );
    }
}

#[test]
fn render_re_uses_the_analysis_after_a_rename_and_remakes_it_when_the_words_change() {
    let (dir, first) = analyse(&[
        ("SPEAKER_2", "Since the pandemic began, the number of women calling our hotline has doubled."),
        ("SPEAKER_3", "We urge governments to provide free legal aid to every survivor of trafficking."),
    ]);
    let dir = dir.path();
    // A made-up digest that still matches proves the file was re-used, not re-made.
    let mut marked = first.clone();
    marked["points"][0]["text"] = json!("Marked as re-used.");
    std::fs::write(dir.join("analysis.json"), serde_json::to_string(&marked).unwrap()).unwrap();
    std::fs::write(dir.join("speakers.toml"), "SPEAKER_2 = \"Rosa Ruiz\"\n").unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let minutes = read(dir, "minutes.md");
    assert!(minutes.contains("Marked as re-used. (Rosa Ruiz"), "{minutes}");

    let mut record: Value = serde_json::from_str(&read(dir, "session.json")).unwrap();
    record["segments"][0]["text"] = json!("Since the pandemic began, calls to our hotline have tripled.");
    std::fs::write(dir.join("session.json"), serde_json::to_string(&record).unwrap()).unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again: Value = serde_json::from_str(&read(dir, "analysis.json")).unwrap();
    assert_eq!(again["points"][0]["text"], "Since the pandemic began, calls to our hotline have tripled.");
    assert_ne!(again["inputs"], first["inputs"]);
}
