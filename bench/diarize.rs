//! Diarize recordings without transcribing them, for tuning and benchmarks:
//! `cargo run --release --example diarize -- OUT_DIR WAV...` writes OUT_DIR/<stem>.rttm and
//! prints `stem, audio seconds, diarization seconds (VAD included), speakers` per recording.
//! Parameters come from the environment (RAPPORTEUR_DIAR_STEP, _ANCHOR, _BRIDGE, _MAX_STRETCH, _THRESHOLD,
//! _MIN_EMBED, _MIN_CLUSTER, _SILENCE, _VADTH, _PAD, _SPEAKERS); the defaults are `run`'s.

use std::time::Instant;

use rapporteur::diarize::{Diarizer, Params, cluster::SpeakerCount};

fn env(name: &str) -> Option<f64> {
    std::env::var(format!("RAPPORTEUR_DIAR_{name}")).ok().map(|v| v.parse().expect("a number"))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, wavs) = args.split_first().expect("usage: diarize OUT_DIR WAV...");
    std::fs::create_dir_all(out)?;
    let mut p = Params::default();
    p.step_s = env("STEP").unwrap_or(p.step_s);
    p.anchor_every = env("ANCHOR").map_or(p.anchor_every, |a| a as usize);
    p.bridge_s = env("BRIDGE").unwrap_or(p.bridge_s);
    p.max_stretch_s = env("MAX_STRETCH").unwrap_or(p.max_stretch_s);
    p.threshold = env("THRESHOLD").unwrap_or(p.threshold);
    p.min_embed_s = env("MIN_EMBED").unwrap_or(p.min_embed_s);
    p.min_cluster_speech_s = env("MIN_CLUSTER").unwrap_or(p.min_cluster_speech_s);
    p.few_s = env("FEW").unwrap_or(p.few_s);
    p.same_voice = env("SAME").map_or(p.same_voice, |x| x as f32);
    let count = env("SPEAKERS").map_or(SpeakerCount::default(), |n| SpeakerCount::exactly(n as usize));
    let diarizer = Diarizer::load()?;
    let store = rapporteur::models::store::Store::open(None);
    let vad_model = store.resolve(rapporteur::models::catalog::VAD, rapporteur::models::catalog::Kind::Vad)?;
    let mut vad = rapporteur::audio::vad::Vad::load(&vad_model.path, 1)?;
    p.gate.min_silence_s = env("SILENCE").unwrap_or(p.gate.min_silence_s);
    p.gate.threshold = env("VADTH").map_or(p.gate.threshold, |x| x as f32);
    p.pad_s = env("PAD").unwrap_or(p.pad_s);
    for wav in wavs {
        let (pcm, _) = rapporteur::audio::decode::decode(std::path::Path::new(wav))?;
        let t = Instant::now();
        let probs = vad.probabilities(&pcm)?;
        let speech = p.speech(&probs);
        let d = diarizer.diarize(&pcm, &speech, count, &p, &|_| {})?;
        let secs = t.elapsed().as_secs_f64();
        let stem = std::path::Path::new(wav).file_stem().unwrap().to_string_lossy().into_owned();
        let rttm: String = d
            .turns
            .iter()
            .map(|t| rapporteur::render::rttm::line(&stem, t.start, t.end, &rapporteur::diarize::speaker_id(t.speaker)))
            .collect();
        std::fs::write(format!("{out}/{stem}.rttm"), rttm)?;
        println!("{stem}\t{:.1}\t{secs:.2}\t{}", pcm.duration_s(), d.speakers);
        if std::env::var_os("RAPPORTEUR_DIAR_VOICES").is_some() {
            for (s, v) in d.voices.iter().enumerate() {
                let talk: f64 = d.turns.iter().filter(|t| t.speaker == s).map(|t| t.end - t.start).sum();
                let near = d
                    .voices
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| *o != s)
                    .map(|(o, w)| (o, rapporteur::diarize::embedding::cosine(v, w)))
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                println!("  voice {s}\ttalk {talk:.1} s\tnearest {near:?}");
            }
        }
    }
    Ok(())
}
