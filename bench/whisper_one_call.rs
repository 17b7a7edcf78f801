//! Peer (b) of the transcription benchmark: whisper-rs with its default parameters, the whole
//! recording in one `full()` call, greedy, language fixed. Prints the transcript on stdout and
//! whisper.cpp's own timings (where the time goes) on stderr.
//!
//! `[FLASH_ATTN=1] cargo run --release --example whisper_one_call -- MODEL.bin AUDIO [LANG] [THREADS]`
//! (`FLASH_ATTN=1`: whisper.cpp's flash attention, which turns DTW off; issue 22 measured it.)

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: whisper_one_call MODEL AUDIO [LANG] [THREADS]");
        std::process::exit(2);
    }
    let language = args.get(3).map(String::as_str).unwrap_or("en");
    let threads: i32 = args.get(4).and_then(|t| t.parse().ok()).unwrap_or(2);
    let (pcm, _) = rapporteur::audio::decode::decode(std::path::Path::new(&args[2])).expect("decodable audio");
    let mut cparams = WhisperContextParameters::default();
    cparams.flash_attn(std::env::var("FLASH_ATTN").is_ok_and(|v| v == "1"));
    let ctx = WhisperContext::new_with_params(&args[1], cparams).expect("model loads");
    let mut state = ctx.create_state().expect("state");
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_language(Some(language));
    params.set_n_threads(threads);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_timestamps(false);
    state.full(params, &pcm.to_f32()).expect("transcription");
    for seg in state.as_iter() {
        println!("{}", seg.to_str_lossy().unwrap_or_default().trim());
    }
    ctx.print_timings();
}
