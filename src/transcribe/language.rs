//! Which language each stretch of speech is in, so that every chunk is decoded in its own.
//!
//! 1. Every chunk is scored over the languages allowed (`--languages`, else all) from the
//!    encoder output it is decoded with (`transcribe::detect_and_decode`).
//! 2. One language per stretch for the whole recording: the sequence with the least cost,
//!    where a stretch's cost is −ln p of its language (weighted by how much speech it holds)
//!    and each switch costs `SWITCH_COST`. A lone short stretch cannot flip the language on
//!    weak evidence; a clear intervention of a few seconds can.
//! 3. A stretch in doubt or next to a switch is scored again in parts (`refine`): a chunk in
//!    detection windows of at most `WINDOW_S` of speech (cut at a pause near the even split
//!    when there is one), a window in halves; and the sequence is chosen again.
//! 4. A chunk whose parts disagree is split where the language changes.

use std::ops::Range;

use super::plan::Chunk;

/// Detection windows hold at most this much speech: long enough for whisper's language
/// detection (Common Voice clips of 2–7 s are detected as well as with 30 s windows,
/// BENCHMARKS.md), short enough to place a switch within half of it.
pub const WINDOW_S: f64 = 10.0;
/// A window's cut may move this far to fall in a pause rather than in a word.
const SNAP_S: f64 = 1.5;
/// The encoder's window for detection: a window plus the snap, in whisper's 50 positions per
/// second. Four times faster than the full 30 s, and as accurate on the clips.
pub const DETECT_AUDIO_CTX: i32 = ((WINDOW_S + SNAP_S) * 50.0) as i32;
/// The cost of a language switch between two windows, in nats.
const SWITCH_COST: f32 = 1.0;
/// A window with this much speech counts fully; shorter ones count in proportion (at least
/// `MIN_WEIGHT`), since whisper's guess on a second of speech is weak.
const FULL_EVIDENCE_S: f64 = 5.0;
const MIN_WEIGHT: f64 = 0.2;
/// Probabilities are floored here before the log, so one window cannot cost without bound.
const MIN_PROB: f32 = 1e-4;

/// A stretch of one chunk (`chunk`, its index in the plan) with its scores over the
/// candidate languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub chunk: usize,
    pub window: Chunk,
    pub scores: Vec<f32>,
    level: Level,
}

/// How far a unit has been cut: whole chunk → detection windows → halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Chunk,
    Window,
    Half,
}

impl Unit {
    /// A whole chunk, scored from its decoding pass.
    pub fn chunk(chunk: usize, window: &Chunk, scores: Vec<f32>) -> Unit {
        Unit { chunk, window: window.clone(), scores, level: Level::Chunk }
    }

    /// Whether the unit is unsure of candidate `chosen`: a whole chunk when it has a rival
    /// language (`RIVAL`), a window or half when `chosen` scores under `SURE`.
    fn unsure(&self, chosen: usize) -> bool {
        match self.level {
            Level::Chunk => has_rival(&self.scores),
            Level::Window | Level::Half => unsure(&self.scores, chosen),
        }
    }

    /// The parts to score again when in doubt: a chunk's detection windows (its halves when
    /// it is one window), a window's halves; none for a half or a stretch too short to cut.
    fn parts(&self, rate: u32) -> Option<(Vec<Chunk>, Level)> {
        if self.level == Level::Chunk {
            let w = windows(&self.window, rate);
            if w.len() > 1 {
                return Some((w, Level::Window));
            }
        }
        if self.level == Level::Half {
            return None;
        }
        halves(&self.window, rate).map(|h| (h.to_vec(), Level::Half))
    }
}

/// Scores the stretches in doubt again in parts, round after round (at most a chunk's
/// windows, then their halves), with `detect` giving the scores of `(chunk, window)` pairs.
/// Returns the final stretches, in order, and the candidate chosen for each.
pub fn refine<E, F>(mut units: Vec<Unit>, rate: u32, detect: F) -> Result<(Vec<Unit>, Vec<usize>), E>
where
    F: Fn(&[(usize, Chunk)]) -> Result<Vec<Vec<f32>>, E>,
{
    loop {
        let scores: Vec<Vec<f32>> = units.iter().map(|u| u.scores.clone()).collect();
        let seconds: Vec<f64> = units.iter().map(|u| u.window.audio_s(rate)).collect();
        let chosen = choose(&scores, &seconds);
        let unsure: Vec<bool> = units.iter().zip(&chosen).map(|(u, &c)| u.unsure(c)).collect();
        let doubt = in_doubt(&unsure, &chosen);
        // A whole chunk is scored by where it starts (whisper names the language of the
        // first words), so one next to a stretch in doubt may end in another language.
        let again: Vec<bool> = (0..units.len())
            .map(|u| {
                let near = |v: Option<usize>| v.is_some_and(|v| doubt.get(v) == Some(&true));
                doubt[u] || (units[u].level == Level::Chunk && (near(u.checked_sub(1)) || near(Some(u + 1))))
            })
            .collect();
        let mut next: Vec<Unit> = Vec::with_capacity(units.len());
        let mut todo: Vec<usize> = Vec::new();
        for (unit, again) in units.into_iter().zip(again) {
            match unit.parts(rate).filter(|_| again) {
                Some((parts, level)) => {
                    for window in parts {
                        todo.push(next.len());
                        next.push(Unit { chunk: unit.chunk, window, scores: Vec::new(), level });
                    }
                }
                None => next.push(unit),
            }
        }
        if todo.is_empty() {
            return Ok((next, chosen));
        }
        let windows: Vec<(usize, Chunk)> = todo.iter().map(|&i| (next[i].chunk, next[i].window.clone())).collect();
        for (&i, scores) in todo.iter().zip(detect(&windows)?) {
            next[i].scores = scores;
        }
        units = next;
    }
}

/// A chunk's detection windows: its speech cut into equal parts of at most `WINDOW_S`.
pub fn windows(chunk: &Chunk, rate: u32) -> Vec<Chunk> {
    let total: usize = chunk.pieces.iter().map(|p| p.len()).sum();
    let max = (WINDOW_S * rate as f64) as usize;
    cut(chunk, rate, total.div_ceil(max.max(1)).max(1), SNAP_S)
}

/// A window whose language is in doubt, or next to a switch, is looked at again in halves
/// (when each half still holds `MIN_HALF_S`): this places a switch within a quarter of a
/// window, and finds a stretch that two windows each held only in part.
pub fn halves(window: &Chunk, rate: u32) -> Option<[Chunk; 2]> {
    if window.audio_s(rate) < 2.0 * MIN_HALF_S {
        return None;
    }
    let parts = cut(window, rate, 2, SNAP_S / 2.0);
    <[Chunk; 2]>::try_from(parts).ok()
}

/// The shortest half-window worth a detection of its own.
const MIN_HALF_S: f64 = 2.5;
/// A window is looked at again in halves when its language's probability is under this.
pub const SURE: f32 = 0.8;
/// A whole chunk is looked at again in windows when a second language scores at least this
/// (or it is next to a switch or to a stretch in doubt): a chunk that holds two languages has
/// two strong candidates (0.31 on a chunk half French, half English), where accented English
/// spreads its doubt thinly over many (AMI chunks: at most 0.19 for any one other language
/// over all languages), and rescoring those found nothing but cost a second encoding.
const RIVAL: f32 = 0.25;

/// The candidates' scores renormalised to sum to 1.
fn shares(scores: &[f32]) -> Vec<f32> {
    let sum: f32 = scores.iter().sum::<f32>().max(f32::MIN_POSITIVE);
    scores.iter().map(|p| p / sum).collect()
}

/// Whether a second candidate scores at least `RIVAL` (renormalised over the candidates).
fn has_rival(scores: &[f32]) -> bool {
    let mut sorted = shares(scores);
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted.get(1).is_some_and(|&p| p >= RIVAL)
}

/// Whether candidate `chosen` scores under `SURE` (renormalised over the candidates).
fn unsure(scores: &[f32], chosen: usize) -> bool {
    shares(scores).get(chosen).is_none_or(|&p| p < SURE)
}

/// Whether each stretch should be looked at again: `unsure` of its language, or next to a
/// stretch in another one.
pub fn in_doubt(unsure: &[bool], chosen: &[usize]) -> Vec<bool> {
    (0..chosen.len())
        .map(|w| {
            let switch = (w > 0 && chosen[w - 1] != chosen[w]) || chosen.get(w + 1).is_some_and(|&c| c != chosen[w]);
            unsure[w] || switch
        })
        .collect()
}

/// A chunk's speech cut into `n` equal parts, each cut moved to the nearest pause between
/// pieces within `snap_s`.
fn cut(chunk: &Chunk, rate: u32, n: usize, snap_s: f64) -> Vec<Chunk> {
    let total: usize = chunk.pieces.iter().map(|p| p.len()).sum();
    let snap = (snap_s * rate as f64) as usize;
    // Pause positions, in samples of speech from the chunk's start.
    let pauses: Vec<usize> = chunk
        .pieces
        .iter()
        .scan(0, |at, p| {
            *at += p.len();
            Some(*at)
        })
        .take(chunk.pieces.len().saturating_sub(1))
        .collect();
    let mut cuts = Vec::new();
    for k in 1..n {
        let even = k * total / n;
        let cut = pauses
            .iter()
            .copied()
            .filter(|p| p.abs_diff(even) <= snap)
            .min_by_key(|p| p.abs_diff(even))
            .unwrap_or(even);
        if cut > cuts.last().copied().unwrap_or(0) && cut < total {
            cuts.push(cut);
        }
    }
    split(chunk, &cuts)
}

/// Cuts a chunk at positions counted in samples of speech from its start.
fn split(chunk: &Chunk, cuts: &[usize]) -> Vec<Chunk> {
    let mut out = vec![Chunk { pieces: Vec::new() }];
    let mut at = 0; // speech samples before the current piece
    let mut next = cuts.iter().copied().peekable();
    for piece in &chunk.pieces {
        let mut start = piece.start;
        while let Some(&c) = next.peek() {
            if c >= at + piece.len() {
                break;
            }
            let cut = piece.start + (c - at);
            if cut > start {
                out.last_mut().expect("one at least").pieces.push(start..cut);
            }
            out.push(Chunk { pieces: Vec::new() });
            start = cut;
            next.next();
        }
        if piece.end > start {
            out.last_mut().expect("one at least").pieces.push(start..piece.end);
        }
        at += piece.len();
        // A cut exactly at a pause starts the next window with the next piece.
        if next.peek() == Some(&at) {
            out.push(Chunk { pieces: Vec::new() });
            next.next();
        }
    }
    out.retain(|c| !c.pieces.is_empty());
    out
}

/// Windows back into one chunk; ranges that touch (a cut inside a piece) become one again.
pub fn join(windows: &[Chunk]) -> Chunk {
    let mut pieces: Vec<Range<usize>> = Vec::new();
    for p in windows.iter().flat_map(|w| &w.pieces) {
        match pieces.last_mut() {
            Some(last) if last.end == p.start => last.end = p.end,
            _ => pieces.push(p.clone()),
        }
    }
    Chunk { pieces }
}

/// The languages a window may be in, as indices into the engine's `known` languages: `among`
/// (ISO codes), or all.
pub fn candidates(known: &[&str], among: &[String]) -> Vec<usize> {
    if among.is_empty() {
        (0..known.len()).collect()
    } else {
        among.iter().filter_map(|code| known.iter().position(|k| k == code)).collect()
    }
}

/// One language per window: `probs[w][c]` is the engine's probability of candidate `c` for
/// window `w` (renormalised over the candidates here), `seconds[w]` the speech it holds.
/// Returns the index of the chosen candidate per window (Viterbi over the window sequence).
pub fn choose(probs: &[Vec<f32>], seconds: &[f64]) -> Vec<usize> {
    let Some(first) = probs.first() else { return Vec::new() };
    let k = first.len();
    let cost = |w: usize, c: usize| {
        let sum: f32 = probs[w].iter().sum::<f32>().max(f32::MIN_POSITIVE);
        let p = (probs[w][c] / sum).max(MIN_PROB);
        -p.ln() * (seconds[w] / FULL_EVIDENCE_S).clamp(MIN_WEIGHT, 1.0) as f32
    };
    let mut total: Vec<f32> = (0..k).map(|c| cost(0, c)).collect();
    let mut from: Vec<Vec<usize>> = Vec::with_capacity(probs.len());
    for w in 1..probs.len() {
        let (best, best_cost) = total.iter().copied().enumerate().min_by(|a, b| a.1.total_cmp(&b.1)).expect("k > 0");
        let mut back = Vec::with_capacity(k);
        let mut next = Vec::with_capacity(k);
        for (c, &stay) in total.iter().enumerate() {
            let (prev, base) = if best_cost + SWITCH_COST < stay { (best, best_cost + SWITCH_COST) } else { (c, stay) };
            back.push(prev);
            next.push(base + cost(w, c));
        }
        from.push(back);
        total = next;
    }
    let mut c = total.iter().copied().enumerate().min_by(|a, b| a.1.total_cmp(&b.1)).map_or(0, |(c, _)| c);
    let mut out = vec![c];
    for back in from.iter().rev() {
        c = back[c];
        out.push(c);
    }
    out.reverse();
    out
}

#[cfg(test)]
// A chunk of one piece is a `vec![a..b]` on purpose: `pieces` is a list of ranges.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    const RATE: u32 = 100; // one sample per 10 ms keeps the numbers readable

    fn secs(c: &Chunk) -> Vec<(f64, f64)> {
        c.pieces.iter().map(|p| (p.start as f64 / RATE as f64, p.end as f64 / RATE as f64)).collect()
    }

    #[test]
    fn short_chunks_are_one_window() {
        let c = Chunk { pieces: vec![0..500, 600..900] };
        assert_eq!(windows(&c, RATE), vec![c]);
    }

    #[test]
    fn long_speech_is_cut_evenly_and_joins_back() {
        let c = Chunk { pieces: vec![100..2500] }; // 24 s without a pause: 3 windows of 8 s
        let w = windows(&c, RATE);
        assert_eq!(w.iter().map(secs).collect::<Vec<_>>(), [vec![(1.0, 9.0)], vec![(9.0, 17.0)], vec![(17.0, 25.0)]]);
        assert_eq!(join(&w), c);
    }

    #[test]
    fn cuts_move_to_a_nearby_pause() {
        // 18 s of speech, a pause after 8 s: the even cut at 9 s moves to the pause.
        let c = Chunk { pieces: vec![0..800, 1000..2000] };
        let w = windows(&c, RATE);
        assert_eq!(w.iter().map(secs).collect::<Vec<_>>(), [vec![(0.0, 8.0)], vec![(10.0, 20.0)]]);
        assert_eq!(join(&w), c);
    }

    #[test]
    fn windows_never_hold_more_than_the_window_and_snap() {
        let c = Chunk { pieces: vec![0..700, 800..1900, 2000..2300, 2400..5000] };
        for w in windows(&c, RATE) {
            let speech: usize = w.pieces.iter().map(|p| p.len()).sum();
            assert!(speech as f64 / RATE as f64 <= WINDOW_S + SNAP_S, "{:?}", secs(&w));
        }
        assert_eq!(join(&windows(&c, RATE)), c);
    }

    #[test]
    fn halves_split_at_the_middle_or_a_pause_near_it() {
        let w = Chunk { pieces: vec![0..800] };
        let [a, b] = halves(&w, RATE).unwrap();
        assert_eq!((secs(&a), secs(&b)), (vec![(0.0, 4.0)], vec![(4.0, 8.0)]));
        let w = Chunk { pieces: vec![0..350, 400..800] };
        let [a, _] = halves(&w, RATE).unwrap();
        assert_eq!(secs(&a), [(0.0, 3.5)], "the pause 0.5 s from the middle");
        assert!(halves(&Chunk { pieces: vec![0..400] }, RATE).is_none(), "4 s is too short to halve");
    }

    #[test]
    fn doubt_and_switches_are_looked_at_again() {
        let p = |en: f32| vec![en, 1.0 - en];
        let probs = [p(0.99), p(0.7), p(0.99), p(0.99), p(0.01), p(0.01)];
        let chosen = [0, 0, 0, 0, 1, 1];
        let unsure: Vec<bool> = probs.iter().zip(&chosen).map(|(p, &c)| unsure(p, c)).collect();
        assert_eq!(in_doubt(&unsure, &chosen), [false, true, false, true, true, false]);
    }

    #[test]
    fn a_clear_switch_is_kept_and_a_weak_blip_is_not() {
        // candidates [en, fr]; windows of 10 s
        let p = |en: f32| vec![en, 1.0 - en];
        let probs = vec![p(0.9), p(0.95), p(0.4), p(0.9), p(0.1), p(0.05), p(0.1)];
        let seconds = vec![10.0; probs.len()];
        assert_eq!(choose(&probs, &seconds), [0, 0, 0, 0, 1, 1, 1], "the 0.6 fr window alone is not a switch");
    }

    #[test]
    fn a_confident_single_window_intervention_is_found() {
        let p = |en: f32| vec![en, 1.0 - en];
        let probs = vec![p(0.9), p(0.9), p(0.02), p(0.9)];
        assert_eq!(choose(&probs, &[10.0; 4]), [0, 0, 1, 0]);
    }

    #[test]
    fn a_short_window_weighs_less() {
        let p = |en: f32| vec![en, 1.0 - en];
        // a 1 s window that says fr at 0.9 between English windows stays English
        let probs = vec![p(0.9), p(0.1), p(0.9)];
        assert_eq!(choose(&probs, &[10.0, 1.0, 10.0]), [0, 0, 0]);
        assert_eq!(choose(&probs, &[10.0, 10.0, 10.0]), [0, 1, 0]);
    }

    /// Scores by where a stretch is: French from 15 s on, English before (candidates [en, fr]).
    fn french_from_15s(windows: &[(usize, Chunk)]) -> Result<Vec<Vec<f32>>, ()> {
        let asked = windows.iter().map(|(_, w)| {
            let fr = (w.pieces.iter().map(|p| p.end.min(3000).saturating_sub(p.start.max(1500))).sum::<usize>() as f32
                / w.pieces.iter().map(|p| p.len()).sum::<usize>() as f32)
                .clamp(0.02, 0.98);
            vec![1.0 - fr, fr]
        });
        Ok(asked.collect())
    }

    #[test]
    fn sure_chunks_are_not_scored_again() {
        let units: Vec<Unit> = (0..3)
            .map(|i| Unit::chunk(i, &Chunk { pieces: vec![i * 2000..i * 2000 + 1500] }, vec![0.97, 0.03]))
            .collect();
        let calls = std::cell::Cell::new(0);
        let detect = |w: &[(usize, Chunk)]| -> Result<Vec<Vec<f32>>, ()> {
            calls.set(calls.get() + w.len());
            french_from_15s(w)
        };
        let (out, chosen) = refine(units.clone(), RATE, detect).unwrap();
        assert_eq!((out, chosen, calls.get()), (units, vec![0, 0, 0], 0));
    }

    #[test]
    fn a_switch_inside_a_sure_chunk_next_to_a_doubtful_one_is_found() {
        // French from 15 s to 30 s. Chunk 0 (0–20 s) starts in English, so its decoding pass
        // says English for sure; chunk 1 (21–29 s) is French but whisper is unsure of it
        // (as of a stretch it heard badly); chunk 2 (30–44 s) is English.
        let units = vec![
            Unit::chunk(0, &Chunk { pieces: vec![0..2000] }, vec![0.95, 0.05]),
            Unit::chunk(1, &Chunk { pieces: vec![2100..2900] }, vec![0.5, 0.5]),
            Unit::chunk(2, &Chunk { pieces: vec![3000..4400] }, vec![0.97, 0.03]),
        ];
        let detect = |windows: &[(usize, Chunk)]| -> Result<Vec<Vec<f32>>, ()> {
            let by_place = french_from_15s(windows)?;
            Ok(windows
                .iter()
                .zip(by_place)
                .map(|((chunk, w), p)| match (chunk, w.start_s(RATE) < 25.0) {
                    (1, true) => vec![0.5, 0.5],
                    (1, false) => vec![0.14, 0.86],
                    _ => p,
                })
                .collect())
        };
        let (out, chosen) = refine(units, RATE, detect).unwrap();
        let french: Vec<(f64, f64)> = out
            .iter()
            .zip(&chosen)
            .filter(|(_, c)| **c == 1)
            .map(|(u, _)| (u.window.start_s(RATE), u.window.end_s(RATE)))
            .collect();
        let first = french.first().map(|f| f.0);
        assert!(first.is_some_and(|s| (s - 15.0).abs() <= 2.5), "French at {french:?}");
    }

    #[test]
    fn candidates_follow_the_allowed_list() {
        let known = ["de", "en", "es", "fr"];
        assert_eq!(candidates(&known, &["en".into(), "fr".into(), "es".into(), "xx".into()]), [1, 3, 2]);
        assert_eq!(candidates(&known, &[]), [0, 1, 2, 3]);
    }
}
