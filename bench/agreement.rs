//! Chunked against single-call transcription of one recording: how far apart their segment
//! starts are (median over single-call segments of the gap to the nearest chunked segment
//! start) and how much their words differ.
//! `cargo run --release --example agreement -- MODEL_NAME AUDIO` (models from the store)

use rapporteur::audio::{decode, vad::Vad};
use rapporteur::eval::wer::wer;
use rapporteur::models::catalog::{Kind, VAD};
use rapporteur::models::store::Store;
use rapporteur::transcribe::whisper::Whisper;
use rapporteur::transcribe::{self, DecodeOptions, plan::PlanParams};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 {
        eprintln!("usage: agreement MODEL_NAME AUDIO");
        std::process::exit(2);
    }
    let store = Store::open(None);
    let m = store.resolve(&a[1], Kind::Whisper).expect("installed model");
    let v = store.resolve(VAD, Kind::Vad).expect("installed VAD");
    let model = Whisper::load(&m.path, &m.name, true).expect("model loads");
    let mut vad = Vad::load(&v.path, 1).expect("VAD loads");
    let (pcm, _) = decode::decode(std::path::Path::new(&a[2])).expect("decodable audio");
    let opts = DecodeOptions { language: Some("en".into()), among: vec![], beam_size: 1, threads: 1, prompt: None };
    let probs = vad.probabilities(&pcm).expect("VAD runs");
    let chunked =
        transcribe::transcribe(&model, &probs, &pcm, &opts, &PlanParams::default(), 2, &|_| {}).expect("chunked run");
    let single_opts = DecodeOptions { threads: 2, ..opts };
    let single = model.decode_whole(&pcm.to_f32(), &single_opts).expect("single run");
    // Segment starts: each chunked segment against the nearest single-call segment start, and
    // the other way round (the runs may cut sentences differently).
    let nearest = |from: &[rapporteur::session::record::Segment], to: &[rapporteur::session::record::Segment]| -> f64 {
        let mut gaps: Vec<f64> =
            from.iter().map(|s| to.iter().map(|c| (c.start - s.start).abs()).fold(f64::INFINITY, f64::min)).collect();
        gaps.sort_by(f64::total_cmp);
        gaps.get(gaps.len() / 2).copied().unwrap_or(0.0)
    };
    let (chunked_to_single, single_to_chunked) =
        (nearest(&chunked.segments, &single), nearest(&single, &chunked.segments));
    // Words matched by a longest-common-subsequence alignment: the gap between their starts.
    let words = |segs: &[rapporteur::session::record::Segment]| -> Vec<(f64, Vec<String>)> {
        segs.iter().flat_map(|s| s.words.iter().map(|w| (w.start, rapporteur::eval::wer::normalize(&w.text)))).collect()
    };
    let (ws, wc) = (words(&single), words(&chunked.segments));
    let mut lcs = vec![vec![0u32; wc.len() + 1]; ws.len() + 1];
    for i in (0..ws.len()).rev() {
        for j in (0..wc.len()).rev() {
            lcs[i][j] = if ws[i].1 == wc[j].1 { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut word_gaps) = (0, 0, Vec::new());
    while i < ws.len() && j < wc.len() {
        if ws[i].1 == wc[j].1 {
            word_gaps.push((ws[i].0 - wc[j].0).abs());
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    word_gaps.sort_by(f64::total_cmp);
    let text = |segs: &[rapporteur::session::record::Segment]| {
        segs.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ")
    };
    println!(
        "{}: {} single-call segments, {} chunked in {} chunks; median segment start gap {:.3} s (chunked to nearest single), {:.3} s (single to nearest chunked); {} words matched, median word start gap {:.3} s; words differ by {:.1}% (WER of chunked against single)",
        a[2],
        single.len(),
        chunked.segments.len(),
        chunked.chunks.len(),
        chunked_to_single,
        single_to_chunked,
        word_gaps.len(),
        word_gaps.get(word_gaps.len() / 2).copied().unwrap_or(0.0),
        100.0 * wer(&text(&single), &text(&chunked.segments))
    );
}
