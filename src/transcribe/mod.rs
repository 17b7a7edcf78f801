//! Speech to text: voice activity → chunk plan → parallel whisper workers → merge.
//!
//! The model is loaded once and shared; each worker owns a `WhisperState` and takes the next
//! chunk from a shared counter, so a slow chunk never holds up the others. Results land in
//! plan order whatever the finishing order, which keeps the output deterministic.

pub mod merge;
pub mod plan;
pub mod worker;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use worker::{DecodeOptions, Model, TranscribeError};

use crate::audio::vad::FRAME;
use crate::audio::{Pcm, SAMPLE_RATE};
use crate::progress::Stage;
use crate::session::record::Segment;
use plan::{Chunk, PlanParams};

/// Temperature of the second try for a chunk whose first decode loops.
const RETRY_TEMPERATURE: f32 = 0.4;

#[derive(Debug)]
pub struct Transcription {
    pub segments: Vec<Segment>,
    pub chunks: Vec<Chunk>,
    /// Segments dropped because they still looped after a re-decode.
    pub dropped_loops: usize,
}

/// A chunk's segments and how many looping segments were dropped from it.
type ChunkResult = Result<(Vec<Segment>, usize), TranscribeError>;

/// Decodes one chunk; re-decodes at a higher temperature if the text loops, and drops the
/// segments that still loop. Returns the segments and how many were dropped.
fn decode_chunk(model: &Model, state: &mut whisper_rs::WhisperState, pcm: &Pcm, chunk: &Chunk, opts: &DecodeOptions) -> ChunkResult {
    let audio = chunk.audio(pcm, SAMPLE_RATE);
    let to_recording = |t: f64| chunk.to_recording(t, SAMPLE_RATE);
    // The chunk's whole text is checked: a loop may span several sentences.
    let loops = |segs: &[Segment]| {
        let text = segs.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
        usize::from(merge::is_looping(&text)) + segs.iter().filter(|s| merge::is_looping(&s.text)).count()
    };
    let first = model.transcribe(state, &audio, &to_recording, opts, 0.0, true)?;
    let first_loops = loops(&first);
    if first_loops == 0 {
        return Ok((first, 0));
    }
    let retry = model.transcribe(state, &audio, &to_recording, opts, RETRY_TEMPERATURE, true)?;
    let best = if loops(&retry) < first_loops { retry } else { first };
    // Segments that loop by themselves go; a loop of repeated sentences is cut by `merge`.
    let kept: Vec<Segment> = best.iter().filter(|s| !merge::is_looping(&s.text)).cloned().collect();
    let dropped = best.len() - kept.len();
    Ok((kept, dropped))
}

/// Transcribes the whole recording with `jobs` workers of `opts.threads` threads each.
pub fn transcribe(
    model: &Model,
    probs: &[f32],
    pcm: &Pcm,
    opts: &DecodeOptions,
    plan_params: &PlanParams,
    jobs: usize,
    progress: &Stage,
) -> Result<Transcription, TranscribeError> {
    let chunks = plan::plan(probs, FRAME, pcm.samples.len(), SAMPLE_RATE, plan_params);
    let results: Vec<Mutex<Option<ChunkResult>>> = chunks.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let workers = jobs.clamp(1, chunks.len().max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("whisper-{i}"))
        .build()
        .map_err(|e| TranscribeError::Whisper(format!("cannot start workers: {e}")))?;
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                let mut state = match model.state() {
                    Ok(s) => s,
                    Err(e) => {
                        // Claim a chunk so the error is reported; the other workers go on.
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if let Some(slot) = results.get(i) {
                            *slot.lock().expect("result slot") = Some(Err(e));
                        }
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(chunk) = chunks.get(i) else { break };
                    let r = decode_chunk(model, &mut state, pcm, chunk, opts);
                    *results[i].lock().expect("result slot") = Some(r);
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    progress.set_percent((n * 100 / chunks.len()) as i64);
                }
            });
        }
    });

    let mut per_chunk = Vec::with_capacity(chunks.len());
    let mut dropped_loops = 0;
    for (chunk, slot) in chunks.iter().zip(results) {
        let result = slot.into_inner().expect("result slot").unwrap_or_else(|| Err(TranscribeError::Whisper("a chunk was not decoded".into())));
        let (segments, dropped) = result?;
        dropped_loops += dropped;
        per_chunk.push((chunk.start_s(SAMPLE_RATE), chunk.end_s(SAMPLE_RATE), segments));
    }
    progress.set_percent(100);
    Ok(Transcription { segments: merge::merge(per_chunk), chunks, dropped_loops })
}
