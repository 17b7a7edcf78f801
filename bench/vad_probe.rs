//! Shows what the chunk planner makes of a recording: VAD time, speech share, chunks.
//! `cargo run --release --example vad_probe -- VAD_MODEL AUDIO`

use rapporteur::audio::{SAMPLE_RATE, vad};
use rapporteur::transcribe::plan::{PlanParams, plan};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: vad_probe VAD_MODEL AUDIO");
        std::process::exit(2);
    }
    let (pcm, _) = rapporteur::audio::decode::decode(std::path::Path::new(&a[2])).expect("decodable audio");
    let mut v = vad::Vad::load(std::path::Path::new(&a[1]), 1).expect("VAD model");
    let t = std::time::Instant::now();
    let probs = v.probabilities(&pcm).expect("VAD runs");
    let vad_time = t.elapsed();
    let chunks = plan(&probs, pcm.samples.len(), &PlanParams::default());
    let total: f64 = chunks.iter().map(|c| c.audio_s(SAMPLE_RATE)).sum();
    println!(
        "{:.1} s of audio, VAD {:.2?}, {} chunks, {:.1} s to decode",
        pcm.duration_s(),
        vad_time,
        chunks.len(),
        total
    );
    for c in &chunks {
        println!(
            "  {:8.2} – {:8.2}  ({:5.2} s in {} pieces)",
            c.start_s(SAMPLE_RATE),
            c.end_s(SAMPLE_RATE),
            c.audio_s(SAMPLE_RATE),
            c.pieces.len()
        );
    }
}
