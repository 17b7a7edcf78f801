//! Mixed-language sessions: the generated sample (English, then a French and a Spanish
//! intervention) with the real multilingual `base` model.

use serde_json::Value;

use crate::helpers::{default_model, run, stderr, tiny_en};

const MIXED: &str = "samples/mixed-languages.wav";
const MIXED_REF: &str = "samples/mixed-languages.ref.txt";

/// The script's turns: (start, end, language) from the reference.
fn reference() -> Vec<(f64, f64, &'static str)> {
    let text = std::fs::read_to_string(crate::helpers::root().join(MIXED_REF)).unwrap();
    text.lines()
        .map(|l| {
            let (span, rest) = l.trim_start_matches('[').split_once("] ").unwrap();
            let (a, b) = span.split_once('-').unwrap();
            let language = if rest.starts_with("DISCUSSANT_FR") {
                "fr"
            } else if rest.starts_with("DISCUSSANT_ES") {
                "es"
            } else {
                "en"
            };
            (a.parse().unwrap(), b.parse().unwrap(), language)
        })
        .collect()
}

#[test]
fn french_and_spanish_interventions_are_found_marked_and_translated() {
    default_model();
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "run",
        MIXED,
        "--languages",
        "en,fr,es",
        "--translate",
        "--out",
        out.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    let dir = out.path().join("mixed-languages");
    let record: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("session.json")).unwrap()).unwrap();
    assert_eq!(record["language"], "en");
    assert_eq!(record["settings"]["languages"], serde_json::json!(["en", "fr", "es"]));

    // Every segment is in the language of the script's turn it falls in.
    let turns = reference();
    let segments = record["segments"].as_array().unwrap();
    for s in segments {
        let mid = (s["start"].as_f64().unwrap() + s["end"].as_f64().unwrap()) / 2.0;
        let truth = turns.iter().find(|t| t.0 - 1.0 <= mid && mid <= t.1 + 1.0).map(|t| t.2);
        assert_eq!(Some(s["language"].as_str().unwrap()), truth, "segment at {mid:.1} s: {}", s["text"]);
    }
    // Each intervention is one turn in its language, translated into English.
    for (language, english_words) in [("fr", &[][..]), ("es", &["pandemic", "recommend"][..])] {
        let turn = record["turns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["language"] == language)
            .unwrap_or_else(|| panic!("no {language} turn"));
        let truth = turns.iter().find(|t| t.2 == language).unwrap();
        assert!(
            (turn["start"].as_f64().unwrap() - truth.0).abs() <= 5.0,
            "{language} turn starts at {}, the script at {}",
            turn["start"],
            truth.0
        );
        let segs: Vec<&Value> = segments.iter().filter(|s| s["language"] == language).collect();
        let english: String =
            segs.iter().map(|s| s["translation"].as_str().unwrap_or_default()).collect::<Vec<_>>().join(" ");
        let original: String = segs.iter().map(|s| s["text"].as_str().unwrap()).collect::<Vec<_>>().join(" ");
        assert!(!english.trim().is_empty() && english != original, "{language}: no English rendering of {original}");
        for w in english_words {
            assert!(english.to_lowercase().contains(w), "{language}: '{w}' not in the translation: {english}");
        }
    }

    // The analysis reads the English translation; a translation placed in the minutes says so.
    let analysis: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("analysis.json")).unwrap()).unwrap();
    for language in ["fr", "es"] {
        let point = analysis["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["language"] == language)
            .unwrap_or_else(|| panic!("no {language} point in {analysis}"));
        assert_eq!(point["translated"], true, "{point}");
        let text = point["text"].as_str().unwrap();
        assert!(!text.contains("Muchas gracias") && !text.contains("Merci beaucoup"), "the English: {text}");
    }
    let minutes = std::fs::read_to_string(dir.join("minutes.md")).unwrap();
    assert!(minutes.contains("**Languages:** English"), "{minutes}");
    for line in minutes.lines().filter(|l| l.contains(", in French") || l.contains(", in Spanish")) {
        assert!(line.contains(", translated)"), "{line}");
    }

    // The transcript keeps both: the original, tagged, and the English under it.
    let transcript = std::fs::read_to_string(dir.join("transcript.txt")).unwrap();
    assert!(transcript.contains("[fr] Merci beaucoup") && transcript.contains("[es] Muchas gracias"), "{transcript}");
    assert_eq!(
        transcript.matches("[en] ").count() + transcript.matches("[en, may be wrong] ").count(),
        2,
        "{transcript}"
    );

    // The espeak French is misheard and its English invented ("Thank you, Boku, for your
    // support…"): marked in every document, and no recommendation or key message comes of it.
    let french = segments.iter().find(|s| s["language"] == "fr").unwrap();
    assert!(french["translation_doubt"].is_string(), "{french}");
    assert!(transcript.contains("[en, may be wrong] "), "{transcript}");
    let review = std::fs::read_to_string(dir.join("review.html")).unwrap();
    assert!(review.contains("(may be wrong: "), "the review page marks it");
    for (i, p) in analysis["points"].as_array().unwrap().iter().enumerate() {
        if p["translation_doubt"].is_string() {
            assert!(!analysis["key_messages"].as_array().unwrap().contains(&serde_json::json!(i)), "{p}");
            assert!(!p["themes"].as_array().unwrap().iter().any(|t| t["theme"] == "recommendations"), "{p}");
            let quoted = p["text"].as_str().unwrap();
            let line = minutes.lines().find(|l| l.contains(quoted));
            assert!(line.is_none_or(|l| l.contains("the translation may be wrong")), "{line:?}");
        }
    }
}

#[test]
fn languages_outside_an_english_only_model_are_refused() {
    tiny_en();
    let out = tempfile::tempdir().unwrap();
    for args in [&["--languages", "en,fr"][..], &["--translate"][..]] {
        let o =
            run(&[&["run", MIXED, "--model", "tiny.en", "--out", out.path().to_str().unwrap(), "--quiet"][..], args]
                .concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("English-only") && stderr(&o).contains("base"), "{}", stderr(&o));
    }
    let o = run(&["run", MIXED, "--languages", "en,xx", "--out", out.path().to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("'xx'"), "{}", stderr(&o));
}
