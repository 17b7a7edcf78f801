//! Speech to text: voice activity → chunk plan → language per chunk → parallel whisper
//! workers → merge; then, when asked, an English translation of what was not in English.
//!
//! The model is loaded once and shared; each worker owns a `WhisperState` and takes the next
//! chunk from a shared counter, so a slow chunk never holds up the others. Results land in
//! plan order whatever the finishing order, which keeps the output deterministic.

pub mod language;
pub mod merge;
pub mod plan;
pub mod translate;
pub mod worker;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Decodes one chunk; re-decodes at a higher temperature if the text loops, and drops the
/// segments that still loop. Returns the segments and how many were dropped.
fn decode_chunk(
    model: &Model,
    state: &mut whisper_rs::WhisperState,
    pcm: &Pcm,
    chunk: &Chunk,
    opts: &DecodeOptions,
) -> Result<(Vec<Segment>, usize), TranscribeError> {
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

/// Runs `work(state, i)` for every `i < n` on up to `jobs` workers, each with its own whisper
/// state from `new_state`; a worker takes the next index when it is free, so a slow item never
/// holds up the others. Results come back in index order, which keeps the output
/// deterministic; `tick` is called after each item.
pub(crate) fn parallel<T: Send>(
    n: usize,
    jobs: usize,
    new_state: &(dyn Fn() -> Result<whisper_rs::WhisperState, TranscribeError> + Sync),
    work: &(dyn Fn(&mut whisper_rs::WhisperState, usize) -> Result<T, TranscribeError> + Sync),
    tick: &(dyn Fn(usize) + Sync),
) -> Result<Vec<T>, TranscribeError> {
    let results: Vec<Mutex<Option<Result<T, TranscribeError>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let workers = jobs.clamp(1, n.max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("whisper-{i}"))
        .build()
        .map_err(|e| TranscribeError::Whisper(format!("cannot start workers: {e}")))?;
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                let mut state = match new_state() {
                    Ok(s) => s,
                    Err(e) => {
                        // Claim an item so the error is reported; the other workers go on.
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if let Some(slot) = results.get(i) {
                            *slot.lock().expect("result slot") = Some(Err(e));
                        }
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    let r = work(&mut state, i);
                    *results[i].lock().expect("result slot") = Some(r);
                    tick(done.fetch_add(1, Ordering::SeqCst) + 1);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("result slot")
                .unwrap_or_else(|| Err(TranscribeError::Whisper("an item was not processed".into())))
        })
        .collect()
}

/// Each chunk with the language it is decoded in: the pinned one, English for an
/// English-only model, else detected per window and split where it changes (`language.rs`).
fn languages(
    model: &Model,
    pcm: &Pcm,
    chunks: Vec<Chunk>,
    opts: &DecodeOptions,
    jobs: usize,
    tick: &(dyn Fn(f64) + Sync),
) -> Result<Vec<(Chunk, String)>, TranscribeError> {
    let fixed = match (&opts.language, model.is_multilingual()) {
        (Some(code), _) => Some(code.clone()),
        (None, false) => Some("en".to_string()),
        (None, true) => None,
    };
    if let Some(code) = fixed {
        return Ok(chunks.into_iter().map(|c| (c, code.clone())).collect());
    }
    let candidates = language::candidates(&opts.among);
    let detect = |windows: &[(usize, Chunk)], progress: &(dyn Fn(f64) + Sync)| {
        parallel(
            windows.len(),
            jobs,
            &|| model.detection_state(opts.threads),
            &|state, i| {
                let all = model.detect(state, &windows[i].1.audio(pcm, SAMPLE_RATE), opts.threads)?;
                Ok(candidates.iter().map(|&id| all.get(id as usize).copied().unwrap_or(0.0)).collect::<Vec<f32>>())
            },
            &|n| progress(n as f64 / windows.len().max(1) as f64),
        )
    };
    let seconds =
        |windows: &[(usize, Chunk)]| windows.iter().map(|(_, w)| w.audio_s(SAMPLE_RATE)).collect::<Vec<f64>>();
    let coarse: Vec<(usize, Chunk)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(i, c)| language::windows(c, SAMPLE_RATE).into_iter().map(move |w| (i, w)))
        .collect();
    let coarse_probs = detect(&coarse, &|f| tick(0.8 * f))?;
    let doubt = language::in_doubt(&coarse_probs, &language::choose(&coarse_probs, &seconds(&coarse)));
    // The windows in doubt are replaced by their halves, scored anew.
    let mut windows: Vec<(usize, Chunk)> = Vec::new();
    let mut probs: Vec<Option<Vec<f32>>> = Vec::new();
    for (((chunk, window), p), &again) in coarse.into_iter().zip(coarse_probs).zip(&doubt) {
        match language::halves(&window, SAMPLE_RATE).filter(|_| again) {
            Some(parts) => {
                for part in parts {
                    windows.push((chunk, part));
                    probs.push(None);
                }
            }
            None => {
                windows.push((chunk, window));
                probs.push(Some(p));
            }
        }
    }
    let redo: Vec<(usize, Chunk)> =
        windows.iter().zip(&probs).filter(|(_, p)| p.is_none()).map(|(w, _)| w.clone()).collect();
    let mut fine = detect(&redo, &|f| tick(0.8 + 0.2 * f))?.into_iter();
    let probs: Vec<Vec<f32>> = probs.into_iter().map(|p| p.or_else(|| fine.next()).unwrap_or_default()).collect();
    let chosen = language::choose(&probs, &seconds(&windows));
    // A tuning aid (README, Development): each window's scores over the allowed languages.
    if std::env::var_os("RAPPORTEUR_DEBUG_LANG").is_some() {
        for (((_, w), p), c) in windows.iter().zip(&probs).zip(&chosen) {
            eprintln!(
                "{:7.2}-{:7.2} {:?} -> {}",
                w.start_s(SAMPLE_RATE),
                w.end_s(SAMPLE_RATE),
                p.iter().map(|x| (x * 100.0).round() / 100.0).collect::<Vec<_>>(),
                c
            );
        }
    }
    // Runs of windows of one chunk in one language become the chunks decoded.
    let mut out: Vec<(Chunk, String)> = Vec::new();
    let mut run: Vec<Chunk> = Vec::new();
    for (w, ((chunk, window), &c)) in windows.iter().zip(&chosen).enumerate() {
        run.push(window.clone());
        let ends = windows.get(w + 1).is_none_or(|(next, _)| next != chunk) || chosen[w + 1] != c;
        if ends {
            let code = whisper_rs::get_lang_str(candidates[c]).unwrap_or("en").to_string();
            out.push((language::join(&run), code));
            run.clear();
        }
    }
    Ok(out)
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
    // Detection, when there is any, is about a fifth of the work.
    let detects = opts.language.is_none() && model.is_multilingual();
    let (detect_share, decode_from) = if detects { (20.0, 20.0) } else { (0.0, 0.0) };
    let planned = languages(model, pcm, chunks, opts, jobs, &|f| progress.set_percent((f * detect_share) as i64))?;
    let decoded = parallel(
        planned.len(),
        jobs,
        &|| model.state(),
        &|state, i| {
            let (chunk, code) = &planned[i];
            let opts = DecodeOptions { language: Some(code.clone()), ..opts.clone() };
            decode_chunk(model, state, pcm, chunk, &opts)
        },
        &|n| {
            progress.set_percent((decode_from + (100.0 - decode_from) * n as f64 / planned.len().max(1) as f64) as i64)
        },
    )?;
    let mut per_chunk = Vec::with_capacity(planned.len());
    let mut dropped_loops = 0;
    for ((chunk, _), (segments, dropped)) in planned.iter().zip(decoded) {
        dropped_loops += dropped;
        per_chunk.push((chunk.start_s(SAMPLE_RATE), chunk.end_s(SAMPLE_RATE), segments));
    }
    progress.set_percent(100);
    let chunks = planned.into_iter().map(|(c, _)| c).collect();
    Ok(Transcription { segments: merge::merge(per_chunk), chunks, dropped_loops })
}
