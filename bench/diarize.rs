//! Diarize recordings without transcribing them, for tuning and benchmarks:
//! `cargo run --release --example diarize -- OUT_DIR WAV...` writes OUT_DIR/<stem>.rttm and
//! prints seconds per recording. Parameters come from the environment
//! (RAPPORTEUR_DIAR_STEP, _THRESHOLD, _MIN_EMBED, _MIN_CLUSTER, _SPEAKERS).

use std::time::Instant;

use rapporteur::diarize::{cluster::SpeakerCount, Diarizer, Params};

fn env(name: &str) -> Option<f64> {
    std::env::var(format!("RAPPORTEUR_DIAR_{name}")).ok().map(|v| v.parse().expect("a number"))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, wavs) = args.split_first().expect("usage: diarize OUT_DIR WAV...");
    std::fs::create_dir_all(out)?;
    let mut p = Params::default();
    p.step_s = env("STEP").unwrap_or(p.step_s);
    p.threshold = env("THRESHOLD").unwrap_or(p.threshold);
    p.min_embed_s = env("MIN_EMBED").unwrap_or(p.min_embed_s);
    p.min_cluster_speech_s = env("MIN_CLUSTER").unwrap_or(p.min_cluster_speech_s);
    let count = env("SPEAKERS").map_or(SpeakerCount::default(), |n| SpeakerCount::exactly(n as usize));
    let diarizer = Diarizer::load()?;
    let store = rapporteur::models::store::Store::open(None);
    let vad_model = store.resolve(rapporteur::models::catalog::VAD, rapporteur::models::catalog::Kind::Vad)?;
    let mut vad = rapporteur::audio::vad::Vad::load(&vad_model.path, 1)?;
    let mut plan = rapporteur::transcribe::plan::PlanParams::default();
    plan.min_silence_s = env("SILENCE").unwrap_or(plan.min_silence_s);
    plan.threshold = env("VADTH").map_or(plan.threshold, |x| x as f32);
    let pad = env("PAD").unwrap_or(0.0);
    for wav in wavs {
        let (pcm, _) = rapporteur::audio::decode::decode(std::path::Path::new(wav))?;
        let t = Instant::now();
        let probs = vad.probabilities(&pcm)?;
        let speech = if std::env::var("RAPPORTEUR_DIAR_NOVAD").is_ok() {
            vec![0.0..f64::MAX]
        } else {
            rapporteur::transcribe::plan::speech_regions(&probs, rapporteur::audio::vad::FRAME, 16000, &plan)
                .into_iter().map(|r| (r.start - pad).max(0.0)..r.end + pad).collect()
        };
        let d = diarizer.diarize(&pcm, &speech, count, &p, &|_| {})?;
        let secs = t.elapsed().as_secs_f64();
        let stem = std::path::Path::new(wav).file_stem().unwrap().to_string_lossy().into_owned();
        std::fs::write(format!("{out}/{stem}.rttm"), d.rttm(&stem))?;
        println!("{stem}\t{:.1}\t{secs:.2}\t{}", pcm.duration_s(), d.speakers);
    }
    Ok(())
}
