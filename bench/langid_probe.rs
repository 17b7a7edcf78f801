//! Probe: whisper's language detection on whole clips, with the encoder window at its full
//! 30 s or fitted to 10 s, on the raw audio and on peak-normalised audio.
//! `cargo run --release --example langid_probe -- MODEL.bin CLIP...`
use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ctx = WhisperContext::new_with_params(&args[1], WhisperContextParameters::default()).expect("model");
    let mut full = ctx.create_state().unwrap();
    let mut short = ctx.create_state().unwrap();
    // prime `short` so lang_detect encodes 10 s (500 positions)
    let mut p = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    p.set_language(Some("en"));
    p.set_audio_ctx(500);
    p.set_max_len(1);
    p.set_single_segment(true);
    short.full(p, &vec![0.0f32; 16000]).unwrap();
    for clip in &args[2..] {
        let (pcm, _) = rapporteur::audio::decode::decode(std::path::Path::new(clip)).unwrap();
        let raw = pcm.to_f32();
        let peak = raw.iter().fold(0f32, |m, x| m.max(x.abs()));
        let norm: Vec<f32> = raw.iter().map(|x| x / peak * 0.5).collect();
        let mut line =
            format!("{} peak {:.4}", std::path::Path::new(clip).file_stem().unwrap().to_string_lossy(), peak);
        for (name, st) in [("full", &mut full), ("10s", &mut short)] {
            for (kind, a) in [("raw", &raw), ("norm", &norm)] {
                let t = std::time::Instant::now();
                st.pcm_to_mel(a, 2).unwrap();
                let (_, probs) = st.lang_detect(0, 2).unwrap();
                let mut idx: Vec<usize> = (0..probs.len()).collect();
                idx.sort_by(|a, b| probs[*b].total_cmp(&probs[*a]));
                let top: Vec<String> = idx[..2]
                    .iter()
                    .map(|&i| format!("{}{:.2}", whisper_rs::get_lang_str(i as i32).unwrap(), probs[i]))
                    .collect();
                line += &format!(" | {name}/{kind} {} {:.2}s", top.join(","), t.elapsed().as_secs_f64());
            }
        }
        println!("{line}");
    }
}
