//! Speech to text: voice activity → chunk plan → language per chunk → parallel engine
//! workers → merge; then, when asked, an English translation of what was not in English.
//!
//! The engine (`engine::SpeechEngine`: whisper.cpp in every run) is loaded once and shared;
//! each worker owns its own state and takes the next chunk from a shared counter, so a slow
//! chunk never holds up the others. Results land in plan order whatever the finishing order,
//! which keeps the output deterministic.

pub mod engine;
pub mod language;
pub mod merge;
pub mod plan;
pub mod scripted;
pub mod translate;
pub mod whisper;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use engine::{DecodeOptions, Prompt, SpeechEngine, SpeechWorker, Task, TranscribeError};

use crate::audio::{Pcm, SAMPLE_RATE};
use crate::progress::Tick;
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
    worker: &mut dyn SpeechWorker,
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
    let first = worker.decode(&audio, &to_recording, opts, 0.0)?;
    let first_loops = loops(&first);
    if first_loops == 0 {
        return Ok((first, 0));
    }
    let retry = worker.decode(&audio, &to_recording, opts, RETRY_TEMPERATURE)?;
    let best = if loops(&retry) < first_loops { retry } else { first };
    // Segments that loop by themselves go; a loop of repeated sentences is cut by `merge`.
    let kept: Vec<Segment> = best.iter().filter(|s| !merge::is_looping(&s.text)).cloned().collect();
    let dropped = best.len() - kept.len();
    Ok((kept, dropped))
}

/// Runs `work(worker, i)` for every `i < n` on up to `jobs` engine workers for `task`, each
/// with its own state and `threads` threads; a worker takes the next index when it is free,
/// so a slow item never holds up the others. Results come back in index order, which keeps
/// the output deterministic; `tick` is called with the fraction done after each item.
pub(crate) fn parallel<T: Send>(
    engine: &dyn SpeechEngine,
    task: Task,
    threads: usize,
    n: usize,
    jobs: usize,
    work: &(dyn Fn(&mut dyn SpeechWorker, usize) -> Result<T, TranscribeError> + Sync),
    tick: &Tick<'_>,
) -> Result<Vec<T>, TranscribeError> {
    let results: Vec<Mutex<Option<Result<T, TranscribeError>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let workers = jobs.clamp(1, n.max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("speech-{i}"))
        .build()
        .map_err(|e| TranscribeError::Whisper(format!("cannot start workers: {e}")))?;
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                let mut worker = match engine.worker(task, threads) {
                    Ok(w) => w,
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
                    let r = work(worker.as_mut(), i);
                    *results[i].lock().expect("result slot") = Some(r);
                    tick((done.fetch_add(1, Ordering::SeqCst) + 1) as f64 / n.max(1) as f64);
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
    engine: &dyn SpeechEngine,
    pcm: &Pcm,
    chunks: Vec<Chunk>,
    opts: &DecodeOptions,
    jobs: usize,
    tick: &Tick<'_>,
) -> Result<Vec<(Chunk, String)>, TranscribeError> {
    let fixed = match (&opts.language, engine.is_multilingual()) {
        (Some(code), _) => Some(code.clone()),
        (None, false) => Some("en".to_string()),
        (None, true) => None,
    };
    if let Some(code) = fixed {
        return Ok(chunks.into_iter().map(|c| (c, code.clone())).collect());
    }
    let known = engine.known_languages();
    let candidates = language::candidates(known, &opts.among);
    let detect = |windows: &[(usize, Chunk)], progress: &Tick<'_>| {
        parallel(
            engine,
            Task::Detect,
            opts.threads,
            windows.len(),
            jobs,
            &|worker, i| {
                let all = worker.language_scores(&windows[i].1.audio(pcm, SAMPLE_RATE))?;
                Ok(candidates.iter().map(|&c| all.get(c).copied().unwrap_or(0.0)).collect::<Vec<f32>>())
            },
            progress,
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
            let code = known.get(candidates[c]).copied().unwrap_or("en").to_string();
            out.push((language::join(&run), code));
            run.clear();
        }
    }
    Ok(out)
}

/// Transcribes the whole recording with `jobs` workers of `opts.threads` threads each, from
/// the VAD's speech probabilities `probs`.
pub fn transcribe(
    engine: &dyn SpeechEngine,
    probs: &[f32],
    pcm: &Pcm,
    opts: &DecodeOptions,
    plan_params: &PlanParams,
    jobs: usize,
    tick: &Tick<'_>,
) -> Result<Transcription, TranscribeError> {
    let chunks = plan::plan(probs, pcm.samples.len(), plan_params);
    // Detection, when there is any, is about a fifth of the work.
    let detects = opts.language.is_none() && engine.is_multilingual();
    let detect_share = if detects { 0.2 } else { 0.0 };
    let planned = languages(engine, pcm, chunks, opts, jobs, &|f| tick(f * detect_share))?;
    let decoded = parallel(
        engine,
        Task::Decode,
        opts.threads,
        planned.len(),
        jobs,
        &|worker, i| {
            let (chunk, code) = &planned[i];
            // The prompt goes only to chunks in its language (`engine::Prompt`).
            let prompt = opts.prompt.clone().filter(|p| p.language == *code);
            let opts = DecodeOptions { language: Some(code.clone()), prompt, ..opts.clone() };
            decode_chunk(worker, pcm, chunk, &opts)
        },
        &|f| tick(detect_share + (1.0 - detect_share) * f),
    )?;
    let mut per_chunk = Vec::with_capacity(planned.len());
    let mut dropped_loops = 0;
    for ((chunk, _), (segments, dropped)) in planned.iter().zip(decoded) {
        dropped_loops += dropped;
        per_chunk.push((chunk.start_s(SAMPLE_RATE), chunk.end_s(SAMPLE_RATE), segments));
    }
    tick(1.0);
    let chunks = planned.into_iter().map(|(c, _)| c).collect();
    Ok(Transcription { segments: merge::merge(per_chunk), chunks, dropped_loops })
}
