//! Spelling from the session: session.toml's names and terms (and a `--vocabulary` file) reach
//! whisper as its prompt, are recorded, are checked before any audio is decoded, and are not
//! read back into silence or short speech.

use serde_json::Value;

use crate::helpers::*;
use rapporteur::models::catalog::Kind;
use rapporteur::models::store::Store;
use rapporteur::transcribe::whisper::Whisper;
use rapporteur::transcribe::{DecodeOptions, Prompt, SpeechEngine, Task};

const NAMES: [&str; 6] = ["Helena", "Marsh", "Eriksen", "Sendero", "Lungu", "Andaman"];

fn prompt() -> Prompt {
    Prompt {
        text: "We hear from Helena Marsh of UN Network on Migration Secretariat, Jonas Eriksen, Rafael Ortega of \
               Red Sendero Seguro, Guatemala, Dara Sok of Andaman Workers Solidarity Centre, Thailand and Viktor \
               Lungu. We talk about GCM."
            .into(),
        language: "en".into(),
    }
}

#[test]
fn the_prompt_is_not_read_back_into_silence_or_short_speech() {
    tiny_en();
    let store = Store::open(None);
    let model = store.resolve("tiny.en", Kind::Whisper).unwrap();
    let whisper = Whisper::load(&model.path, "tiny.en", true).unwrap();
    let opts =
        DecodeOptions { language: Some("en".into()), among: vec![], beam_size: 1, threads: 1, prompt: Some(prompt()) };
    let rate = 16_000usize;
    // A chunk of near silence (a quiet hiss), of a few words, and of one word with silence after.
    let hiss: Vec<f32> = (0..10 * rate).map(|i| 0.001 * ((i * 7919 % 200) as f32 / 100.0 - 1.0)).collect();
    let few_words = sample_head(2.5);
    let mut short = sample_head(1.4);
    short.extend(std::iter::repeat_n(0.0, 6 * rate));
    let without = DecodeOptions { prompt: None, ..opts.clone() };
    for (what, audio) in [("silence", &hiss), ("a few words", &few_words), ("one word then silence", &short)] {
        for temperature in [0.0, 0.4] {
            // A fresh worker each time: whisper.cpp's fallback temperatures draw from the
            // state's random generator, which a fresh state starts alike.
            let decode = |opts: &DecodeOptions| {
                let mut worker = whisper.worker(Task::Decode, 1).unwrap();
                worker
                    .decode(audio, &|t| t, opts, temperature)
                    .unwrap()
                    .iter()
                    .map(|s| s.text.clone())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (text, plain) = (decode(&opts), decode(&without));
            eprintln!("{what} at {temperature}: {text:?}, without the prompt {plain:?}");
            for name in NAMES {
                assert!(!text.contains(name), "{what} at {temperature}: {name} read back into {text:?}");
            }
            // No more text than without the prompt: nothing of it is read into the chunk.
            let count = |t: &str| t.split_whitespace().count();
            assert!(count(&text) <= count(&plain) + 2, "{what} at {temperature}: {text:?} against {plain:?}");
        }
    }
}

#[test]
fn a_vocabulary_list_is_accepted_and_recorded_and_a_bad_one_refused_with_its_line() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("short.wav");
    write_wav(&wav, 16_000, &sample_head(8.0));
    let toml = dir.path().join("short.toml");
    let out = dir.path().join("out");
    let args = |extra: &[&str]| {
        let mut a = vec!["run", wav.to_str().unwrap(), "--model", "tiny.en", "--no-diarize", "--quiet"];
        a.extend(["--out", out.to_str().unwrap()]);
        a.extend(extra.iter().copied());
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run_with = |extra: &[&str]| {
        let a = args(extra);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // A bad type is refused before any audio is decoded, with the file and line.
    std::fs::write(&toml, "title = \"Regional Network on Migration\"\nvocabulary = \"IOM\"\n").unwrap();
    let o = run_with(&[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("short.toml:2:"), "{}", stderr(&o));
    assert!(!out.join("short/session.json").exists());

    // A missing or bad vocabulary file, likewise.
    std::fs::write(&toml, "vocabulary = [\"IOM\"]\n").unwrap();
    let terms = dir.path().join("terms.txt");
    let o = run_with(&["--vocabulary", terms.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("terms.txt") && stderr(&o).contains("no such file"), "{}", stderr(&o));
    std::fs::write(&terms, "# glossary\nPalermo Protocol\nkafala\u{7}\n").unwrap();
    let o = run_with(&["--vocabulary", terms.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("terms.txt:3: term"), "{}", stderr(&o));

    // Accepted: the prompt is recorded in the settings.
    std::fs::write(
        &toml,
        "title = \"Listening session of the Regional Network on Migration\"\nvocabulary = [\"IOM\", \"UNODC\"]\n\
         [[participants]]\nname = \"Maria Santos\"\norganisation = \"Regional Network on Migration secretariat\"\n",
    )
    .unwrap();
    std::fs::write(&terms, "# glossary\nPalermo Protocol\n").unwrap();
    let o = run_with(&["--vocabulary", terms.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let record: Value = serde_json::from_str(&read(&out.join("short"), "session.json")).unwrap();
    assert_eq!(
        record["settings"]["prompt"],
        "We hear from Maria Santos of Regional Network on Migration secretariat. We talk about IOM, UNODC and \
         Palermo Protocol."
    );
    let text = record["segments"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect::<String>();
    assert!(!text.contains("Maria Santos") && !text.contains("UNODC"), "{text}");

    // --no-vocabulary: no prompt, none recorded.
    let off = dir.path().join("off");
    let o = run(&[
        "run",
        wav.to_str().unwrap(),
        "--model",
        "tiny.en",
        "--no-diarize",
        "--quiet",
        "--no-vocabulary",
        "--out",
        off.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let record: Value = serde_json::from_str(&read(&off.join("short"), "session.json")).unwrap();
    assert!(record["settings"].get("prompt").is_none(), "{}", record["settings"]);
}
