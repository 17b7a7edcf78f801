//! Chunked against single-call transcription of one recording: how far apart their segment
//! starts are (median over single-call segments of the gap to the nearest chunked segment
//! start) and how much their words differ.
//! `cargo run --release --example agreement -- MODEL_NAME AUDIO` (models from the store)

use rapporteur::audio::{decode, vad::Vad};
use rapporteur::eval::wer::wer;
use rapporteur::models::catalog::{Kind, VAD};
use rapporteur::models::store::Store;
use rapporteur::progress::{Mode, Progress};
use rapporteur::transcribe::{self, plan::PlanParams, DecodeOptions, Model};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: agreement MODEL_NAME AUDIO");
        std::process::exit(2);
    }
    let store = Store::open(None);
    let m = store.resolve(&a[1], Kind::Whisper).expect("installed model");
    let v = store.resolve(VAD, Kind::Vad).expect("installed VAD");
    let model = Model::load(&m.path, &m.name).expect("model loads");
    let mut vad = Vad::load(&v.path, 1).expect("VAD loads");
    let (pcm, _) = decode::decode(std::path::Path::new(&a[2])).expect("decodable audio");
    let opts = DecodeOptions { language: Some("en".into()), beam_size: 1, threads: 1, fit_audio_ctx: true };
    let stage = Progress::new(Mode::Quiet).stage("", "transcribe", true);
    let chunked = transcribe::transcribe(&model, &mut vad, &pcm, &opts, &PlanParams::default(), 2, &stage).expect("chunked run");
    let single_opts = DecodeOptions { threads: 2, fit_audio_ctx: false, ..opts };
    let single = model.transcribe(&mut model.state().unwrap(), &pcm.to_f32(), &|t| t, &single_opts, 0.0, false).expect("single run");
    let mut gaps: Vec<f64> = single
        .iter()
        .map(|s| chunked.segments.iter().map(|c| (c.start - s.start).abs()).fold(f64::INFINITY, f64::min))
        .collect();
    gaps.sort_by(f64::total_cmp);
    let text = |segs: &[rapporteur::session::record::Segment]| segs.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    println!(
        "{}: {} single-call segments, {} chunked in {} chunks; median start gap {:.3} s; words differ by {:.1}% (WER of chunked against single)",
        a[2],
        single.len(),
        chunked.segments.len(),
        chunked.chunks.len(),
        gaps.get(gaps.len() / 2).copied().unwrap_or(0.0),
        100.0 * wer(&text(&single), &text(&chunked.segments))
    );
}
