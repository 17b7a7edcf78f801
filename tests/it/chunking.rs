//! VAD-gated chunked transcription: true times, nothing lost or doubled at seams, and no text
//! invented where nobody speaks.

use serde_json::Value;

use crate::helpers::*;
use rapporteur::audio::vad::Vad;
use rapporteur::audio::{Pcm, SAMPLE_RATE, decode};
use rapporteur::eval::wer::wer;
use rapporteur::models::catalog::{Kind, VAD};
use rapporteur::models::store::Store;
use rapporteur::session::record::Segment;
use rapporteur::transcribe::plan::PlanParams;
use rapporteur::transcribe::whisper::Whisper;
use rapporteur::transcribe::{self, DecodeOptions, Transcription};

fn options() -> DecodeOptions {
    DecodeOptions { language: Some("en".into()), among: vec![], beam_size: 1, threads: 1, prompt: None }
}

fn load() -> (Whisper, Vad) {
    tiny_en();
    let store = Store::open(None);
    let model = store.resolve("tiny.en", Kind::Whisper).unwrap();
    let vad = store.resolve(VAD, Kind::Vad).unwrap();
    (Whisper::load(&model.path, "tiny.en", true).unwrap(), Vad::load(&vad.path, 1).unwrap())
}

fn chunked(model: &Whisper, vad: &mut Vad, pcm: &Pcm, plan: &PlanParams) -> Transcription {
    let probs = vad.probabilities(pcm).unwrap();
    transcribe::transcribe(model, &probs, pcm, &options(), plan, 2, &|_| {}).unwrap()
}

fn single_call(model: &Whisper, pcm: &Pcm) -> Vec<Segment> {
    model.decode_whole(&pcm.to_f32(), &options()).unwrap()
}

fn text(segments: &[Segment]) -> String {
    segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn chunked_and_single_call_runs_agree_on_segment_times() {
    let (model, mut vad) = load();
    let (pcm, _) = decode::decode(&root().join(SAMPLE)).unwrap();
    let chunked = chunked(&model, &mut vad, &pcm, &PlanParams::default());
    let single = single_call(&model, &pcm);
    assert!(chunked.chunks.len() >= 6, "{} chunks", chunked.chunks.len());
    // Each single-call segment start against the nearest chunked segment start.
    let gaps: Vec<f64> = single
        .iter()
        .map(|s| chunked.segments.iter().map(|c| (c.start - s.start).abs()).fold(f64::INFINITY, f64::min))
        .collect();
    let m = median(gaps);
    eprintln!("median start gap {m:.3} s over {} segments", single.len());
    assert!(m < 0.3, "median gap {m:.3} s");
    // And they say the same thing.
    let w = wer(&text(&single), &text(&chunked.segments));
    assert!(w < 0.08, "chunked and single-call transcripts differ by {:.1}% WER", 100.0 * w);
}

// Cuts inside speech (no word lost or doubled) are the pipeline's logic: tested with the
// scripted engine, `transcribe::scripted`.

fn run_on(samples: &[f32], name: &str) -> Value {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join(format!("{name}.wav"));
    write_wav(&wav, SAMPLE_RATE, samples);
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        wav.to_str().unwrap(),
        "--model",
        "tiny.en",
        "--language",
        "en",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(out.join(name).join("session.json")).unwrap()).unwrap()
}

fn word_count(v: &Value) -> usize {
    v["segments"].as_array().unwrap().iter().map(|s| s["words"].as_array().unwrap().len()).sum()
}

/// Deterministic white noise in [-amp, amp].
fn noise(n: usize, amp: f32) -> Vec<f32> {
    let mut x: u32 = 12_345;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0) * amp
        })
        .collect()
}

#[test]
fn silence_noise_and_tones_give_no_words() {
    let rate = SAMPLE_RATE as usize;
    let silence = run_on(&vec![0.0; 60 * rate], "silence");
    assert_eq!(word_count(&silence), 0);
    assert!(silence["notes"][0].as_str().unwrap().contains("no speech"), "{}", silence["notes"]);

    assert_eq!(word_count(&run_on(&noise(60 * rate, 0.3), "noise")), 0);

    // 30 s of tones: a scale of pure tones, a second each, with a soft chord under it.
    let tones: Vec<f32> = (0..30 * rate)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let f = 220.0 * 2f32.powf((i / rate % 12) as f32 / 12.0);
            0.4 * (2.0 * std::f32::consts::PI * f * t).sin() + 0.1 * (2.0 * std::f32::consts::PI * 110.0 * t).sin()
        })
        .collect();
    assert_eq!(word_count(&run_on(&tones, "tones")), 0);
}

#[test]
fn a_two_minute_silence_inside_speech_stays_empty() {
    let rate = SAMPLE_RATE as usize;
    let head = sample_head(12.0);
    let mut audio = head.clone();
    audio.extend(std::iter::repeat_n(0.0, 120 * rate));
    audio.extend(&head);
    let v = run_on(&audio, "gap");
    let starts: Vec<f64> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["words"].as_array().unwrap().iter().map(|w| w["start"].as_f64().unwrap()))
        .collect();
    assert!(
        starts.iter().any(|s| *s < 12.0) && starts.iter().any(|s| *s > 132.0),
        "speech on both sides is transcribed"
    );
    let inside: Vec<&f64> = starts.iter().filter(|s| **s > 12.5 && **s < 131.5).collect();
    assert!(inside.is_empty(), "words inside the silent gap at {inside:?}");
}
