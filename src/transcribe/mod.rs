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

/// A chunk's decode: its segments, how many looping ones were dropped, and the language scores
/// of its encoder output when asked for.
struct Decoded {
    segments: Vec<Segment>,
    dropped: usize,
    scores: Option<Vec<f32>>,
}

/// Decodes one chunk (and, with `detect`, scores its languages from the same encoder output);
/// re-decodes at a higher temperature if the text loops, and drops the segments that still loop.
fn decode_chunk(
    worker: &mut dyn SpeechWorker,
    pcm: &Pcm,
    chunk: &Chunk,
    opts: &DecodeOptions,
    detect: bool,
) -> Result<Decoded, TranscribeError> {
    let audio = chunk.audio(pcm, SAMPLE_RATE);
    let to_recording = |t: f64| chunk.to_recording(t, SAMPLE_RATE);
    // The chunk's whole text is checked: a loop may span several sentences.
    let loops = |segs: &[Segment]| {
        let text = segs.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
        usize::from(merge::is_looping(&text)) + segs.iter().filter(|s| merge::is_looping(&s.text)).count()
    };
    let (first, scores) = if detect {
        let (segments, scores) = worker.decode_and_detect(&audio, &to_recording, opts)?;
        (segments, Some(scores))
    } else {
        (worker.decode(&audio, &to_recording, opts, 0.0)?, None)
    };
    let first_loops = loops(&first);
    if first_loops == 0 {
        return Ok(Decoded { segments: first, dropped: 0, scores });
    }
    let retry = worker.decode(&audio, &to_recording, opts, RETRY_TEMPERATURE)?;
    let best = if loops(&retry) < first_loops { retry } else { first };
    // Segments that loop by themselves go; a loop of repeated sentences is cut by `merge`.
    let kept: Vec<Segment> = best.iter().filter(|s| !merge::is_looping(&s.text)).cloned().collect();
    let dropped = best.len() - kept.len();
    Ok(Decoded { segments: kept, dropped, scores })
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

/// Decodes every chunk in its language; returns each piece decoded, in recording order, with
/// its decode. The language is the pinned one, English for an English-only model, else
/// detected (`detect_and_decode`).
fn decode_all(
    engine: &dyn SpeechEngine,
    pcm: &Pcm,
    chunks: Vec<Chunk>,
    opts: &DecodeOptions,
    jobs: usize,
    tick: &Tick<'_>,
) -> Result<Vec<(Chunk, Decoded)>, TranscribeError> {
    let fixed = match (&opts.language, engine.is_multilingual()) {
        (Some(code), _) => Some(code.clone()),
        (None, false) => Some("en".to_string()),
        (None, true) => None,
    };
    match fixed {
        Some(code) => {
            let planned: Vec<(Chunk, String)> = chunks.into_iter().map(|c| (c, code.clone())).collect();
            let decoded = decode_in(engine, pcm, &planned, opts, jobs, tick)?;
            Ok(planned.into_iter().map(|(c, _)| c).zip(decoded).collect())
        }
        None => detect_and_decode(engine, pcm, chunks, opts, jobs, tick),
    }
}

/// Decodes each chunk in its given language.
fn decode_in(
    engine: &dyn SpeechEngine,
    pcm: &Pcm,
    planned: &[(Chunk, String)],
    opts: &DecodeOptions,
    jobs: usize,
    tick: &Tick<'_>,
) -> Result<Vec<Decoded>, TranscribeError> {
    parallel(
        engine,
        Task::Decode,
        opts.threads,
        planned.len(),
        jobs,
        &|worker, i| {
            let (chunk, code) = &planned[i];
            decode_chunk(worker, pcm, chunk, &in_language(opts, code), false)
        },
        tick,
    )
}

/// `opts` for a chunk in `code`. The prompt goes only to chunks in its language (`engine::Prompt`).
fn in_language(opts: &DecodeOptions, code: &str) -> DecodeOptions {
    let prompt = opts.prompt.clone().filter(|p| p.language == code);
    DecodeOptions { language: Some(code.to_string()), prompt, ..opts.clone() }
}

/// Language detection from the decoding pass (`language.rs`):
/// 1. Every chunk is decoded in the language most recently detected (at first the session's
///    first expected language, else English) and scored from the same encoder output.
/// 2. The stretches whose language is in doubt, or next to a switch, are scored again in
///    smaller windows (`language::refine`); the others keep their chunk's scores.
/// 3. A chunk whose language is the one it was decoded in keeps its decode; the others, and
///    the parts of a chunk split where the language changes, are decoded again.
///
/// The guess in 1 only saves work: the scores do not depend on the language decoded in, and
/// every piece ends up decoded in its chosen language, so the result does not depend on
/// which worker finished first.
fn detect_and_decode(
    engine: &dyn SpeechEngine,
    pcm: &Pcm,
    chunks: Vec<Chunk>,
    opts: &DecodeOptions,
    jobs: usize,
    tick: &Tick<'_>,
) -> Result<Vec<(Chunk, Decoded)>, TranscribeError> {
    let known = engine.known_languages();
    let candidates = language::candidates(known, &opts.among);
    let code_of = |c: usize| known.get(candidates[c]).copied().unwrap_or("en").to_string();
    let of_candidates = |all: &[f32]| candidates.iter().map(|&c| all.get(c).copied().unwrap_or(0.0)).collect();
    let first_guess =
        opts.among.iter().find(|code| known.contains(&code.as_str())).cloned().unwrap_or_else(|| "en".into());
    let guess = Mutex::new(first_guess);
    // Decoding is nearly all of the work when the guesses are right.
    let share = 0.85;
    let first: Vec<(String, Decoded)> = parallel(
        engine,
        Task::Decode,
        opts.threads,
        chunks.len(),
        jobs,
        &|worker, i| {
            let code = guess.lock().expect("guess").clone();
            let decoded = decode_chunk(worker, pcm, &chunks[i], &in_language(opts, &code), true)?;
            let scores: Vec<f32> = of_candidates(decoded.scores.as_deref().unwrap_or_default());
            if let Some(best) = (0..scores.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b])) {
                *guess.lock().expect("guess") = code_of(best);
            }
            Ok((code, decoded))
        },
        &|f| tick(share * f),
    )?;
    let units: Vec<language::Unit> = chunks
        .iter()
        .zip(&first)
        .enumerate()
        .map(|(i, (chunk, (_, d)))| {
            language::Unit::chunk(i, chunk, of_candidates(d.scores.as_deref().unwrap_or_default()))
        })
        .collect();
    let detect = |windows: &[(usize, Chunk)]| -> Result<Vec<Vec<f32>>, TranscribeError> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        parallel(
            engine,
            Task::Detect,
            opts.threads,
            windows.len(),
            jobs,
            &|worker, i| Ok(of_candidates(&worker.language_scores(&windows[i].1.audio(pcm, SAMPLE_RATE))?)),
            &|_| {},
        )
    };
    // A tuning aid (README, Development): each chunk's two best languages from its decoding
    // pass, then each final stretch's scores over the allowed languages.
    let debug = std::env::var_os("RAPPORTEUR_DEBUG_LANG").is_some();
    if debug {
        for u in &units {
            let mut top: Vec<(usize, f32)> = u.scores.iter().copied().enumerate().collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1));
            eprintln!(
                "chunk {:7.2}-{:7.2} {:?}",
                u.window.start_s(SAMPLE_RATE),
                u.window.end_s(SAMPLE_RATE),
                top.iter().take(2).map(|(c, p)| (code_of(*c), (p * 100.0).round() / 100.0)).collect::<Vec<_>>()
            );
        }
    }
    let (units, chosen) = language::refine(units, SAMPLE_RATE, detect)?;
    tick(share + 0.05);
    if debug {
        for (u, c) in units.iter().zip(&chosen) {
            eprintln!(
                "{:7.2}-{:7.2} {:?} -> {}",
                u.window.start_s(SAMPLE_RATE),
                u.window.end_s(SAMPLE_RATE),
                u.scores.iter().map(|x| (x * 100.0).round() / 100.0).collect::<Vec<_>>(),
                code_of(*c)
            );
        }
    }
    // Runs of units of one chunk in one language are the pieces decoded.
    let mut pieces: Vec<(usize, Chunk, String)> = Vec::new();
    let mut run: Vec<Chunk> = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        run.push(unit.window.clone());
        let ends = units.get(u + 1).is_none_or(|next| next.chunk != unit.chunk) || chosen[u + 1] != chosen[u];
        if ends {
            pieces.push((unit.chunk, language::join(&run), code_of(chosen[u])));
            run.clear();
        }
    }
    // A chunk kept whole in the language it was decoded in keeps its decode.
    let keep: Vec<bool> = pieces.iter().map(|(c, piece, code)| *piece == chunks[*c] && first[*c].0 == *code).collect();
    let redo: Vec<(Chunk, String)> = pieces
        .iter()
        .zip(&keep)
        .filter(|(_, k)| !**k)
        .map(|((_, chunk, code), _)| (chunk.clone(), code.clone()))
        .collect();
    let mut again =
        decode_in(engine, pcm, &redo, opts, jobs, &|f| tick(share + 0.05 + (0.95 - share) * f))?.into_iter();
    let mut first: Vec<Option<Decoded>> = first.into_iter().map(|(_, d)| Some(d)).collect();
    let mut out = Vec::with_capacity(pieces.len());
    for p in 0..pieces.len() {
        let decoded = if keep[p] { first[pieces[p].0].take() } else { again.next() };
        let decoded = decoded.ok_or_else(|| TranscribeError::Whisper("a chunk was not decoded".into()))?;
        let (_, chunk, code) = &pieces[p];
        debug_assert!(decoded.segments.iter().all(|s| s.language == *code));
        out.push((chunk.clone(), decoded));
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
    let decoded = decode_all(engine, pcm, chunks, opts, jobs, tick)?;
    let mut per_chunk = Vec::with_capacity(decoded.len());
    let mut dropped_loops = 0;
    let mut chunks = Vec::with_capacity(decoded.len());
    for (chunk, d) in decoded {
        dropped_loops += d.dropped;
        per_chunk.push((chunk.start_s(SAMPLE_RATE), chunk.end_s(SAMPLE_RATE), d.segments));
        chunks.push(chunk);
    }
    tick(1.0);
    Ok(Transcription { segments: merge::merge(per_chunk), chunks, dropped_loops })
}
