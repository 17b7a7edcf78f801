//! The chunk plan: where to cut the recording so that whisper sees only speech, in windows of
//! at most 30 s, cut inside silences. Pure: speech probabilities in, sample ranges out.
//!
//! 1. Speech regions from the VAD's frame probabilities (`audio::vad::SpeechGate`).
//! 2. Each region is padded by `pad_s` (word onsets and tails are quiet).
//! 3. Consecutive regions are packed into one chunk while its audio stays within
//!    `max_chunk_s`. A pause under `max_gap_s` stays as it is; a longer one is cut out and
//!    the two pieces are joined by `JOIN_S` of silence, so whisper decodes speech, not
//!    silence, and sees enough of it at once. Times map back through the pieces.
//! 4. A region longer than `max_chunk_s` is cut at its least speech-like frame in the back
//!    half of the window: the deepest pause between words.

use std::ops::Range;

use crate::audio::Pcm;
use crate::audio::vad::{FRAME, FRAME_S, SpeechGate};

#[derive(Debug, Clone, PartialEq)]
pub struct PlanParams {
    pub gate: SpeechGate,
    pub pad_s: f64,
    pub max_gap_s: f64,
    pub max_chunk_s: f64,
}

impl Default for PlanParams {
    fn default() -> Self {
        // Chunks of up to 24 s with pauses over 0.5 s cut out were faster than whisper's full
        // 30 s and as accurate on meeting, read and generated speech (BENCHMARKS.md).
        PlanParams {
            gate: SpeechGate { threshold: 0.5, min_speech_s: 0.25, min_silence_s: 0.3 },
            pad_s: 0.2,
            max_gap_s: 0.5,
            max_chunk_s: 24.0,
        }
    }
}

/// The pause put between two pieces of a chunk, in place of the longer silence cut out.
pub const JOIN_S: f64 = 0.3;

/// What whisper decodes at once: pieces of the recording (sample ranges on the absolute
/// clock, in order, disjoint), played one after another with `JOIN_S` of silence between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub pieces: Vec<Range<usize>>,
}

impl Chunk {
    pub fn start_s(&self, rate: u32) -> f64 {
        self.pieces.first().map_or(0, |p| p.start) as f64 / rate as f64
    }
    pub fn end_s(&self, rate: u32) -> f64 {
        self.pieces.last().map_or(0, |p| p.end) as f64 / rate as f64
    }

    /// The audio whisper hears.
    pub fn audio(&self, pcm: &Pcm, rate: u32) -> Vec<f32> {
        let join = (JOIN_S * rate as f64).round() as usize;
        let mut out = Vec::with_capacity(self.pieces.iter().map(|p| p.len() + join).sum());
        for (i, p) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.resize(out.len() + join, 0.0);
            }
            out.extend(pcm.f32s(p.clone()));
        }
        out
    }

    /// Seconds of audio whisper hears.
    pub fn audio_s(&self, rate: u32) -> f64 {
        let speech: usize = self.pieces.iter().map(|p| p.len()).sum();
        speech as f64 / rate as f64 + JOIN_S * self.pieces.len().saturating_sub(1) as f64
    }

    /// A time in the chunk's audio → the recording's clock. A time inside a join snaps to the
    /// nearer piece edge.
    pub fn to_recording(&self, t: f64, rate: u32) -> f64 {
        let rate = rate as f64;
        let mut local = 0.0;
        for (i, p) in self.pieces.iter().enumerate() {
            let len = p.len() as f64 / rate;
            if t <= local + len || i + 1 == self.pieces.len() {
                return p.start as f64 / rate + (t - local).clamp(0.0, len);
            }
            local += len;
            if t < local + JOIN_S {
                let next = &self.pieces[i + 1];
                return if t - local < JOIN_S / 2.0 { p.end as f64 / rate } else { next.start as f64 / rate };
            }
            local += JOIN_S;
        }
        0.0
    }
}

/// Splits `r` (frames) into pieces of at most `max` frames, each cut at the lowest
/// probability in the back half of its window.
fn split_long(r: Range<usize>, probs: &[f32], max: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = r.start;
    while r.end - start > max {
        let window = start + max / 2..start + max;
        // The last minimum wins, keeping chunks as long as allowed.
        let cut = window.clone().rev().min_by(|&a, &b| probs[a].total_cmp(&probs[b])).unwrap_or(window.end);
        out.push(start..cut);
        start = cut;
    }
    out.push(start..r.end);
    out
}

/// Plans chunks over `n_samples` samples given one VAD probability per `vad::FRAME` samples.
pub fn plan(probs: &[f32], n_samples: usize, p: &PlanParams) -> Vec<Chunk> {
    let frame = FRAME;
    let to_frames = |s: f64| (s / FRAME_S).round() as usize;
    let (pad, max_gap, max_chunk) = (to_frames(p.pad_s), to_frames(p.max_gap_s), to_frames(p.max_chunk_s));
    let n_frames = n_samples.div_ceil(frame);

    // Regions, split to fit, then padded without overlapping their neighbours.
    let pieces: Vec<Range<usize>> = p
        .gate
        .frames(probs)
        .into_iter()
        .flat_map(|r| split_long(r, probs, max_chunk.saturating_sub(2 * pad).max(1)))
        .collect();
    let mut padded: Vec<Range<usize>> = Vec::with_capacity(pieces.len());
    for (i, r) in pieces.iter().enumerate() {
        let lo = if i > 0 && pieces[i - 1].end == r.start { r.start } else { r.start.saturating_sub(pad) };
        let hi = if pieces.get(i + 1).is_some_and(|n| n.start == r.end) { r.end } else { (r.end + pad).min(n_frames) };
        let lo = padded.last().map_or(lo, |prev| lo.max(prev.end));
        padded.push(lo..hi);
    }

    let join = to_frames(JOIN_S);
    let mut chunks: Vec<Vec<Range<usize>>> = Vec::new();
    let mut length = 0; // frames whisper hears in the last chunk
    for r in padded {
        let Some(pieces) = chunks.last_mut() else {
            length = r.len();
            chunks.push(vec![r]);
            continue;
        };
        let last = pieces.last_mut().expect("chunks are never empty");
        let gap = r.start - last.end;
        if gap <= max_gap && length + gap + r.len() <= max_chunk {
            length += gap + r.len();
            last.end = r.end;
        } else if gap > max_gap && length + join + r.len() <= max_chunk {
            length += join + r.len();
            pieces.push(r);
        } else {
            length = r.len();
            chunks.push(vec![r]);
        }
    }
    let to_samples = |r: &Range<usize>| (r.start * frame).min(n_samples)..(r.end * frame).min(n_samples);
    chunks
        .into_iter()
        .map(|pieces| Chunk { pieces: pieces.iter().map(to_samples).filter(|p| !p.is_empty()).collect() })
        .filter(|c| !c.pieces.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 16_000;
    const FRAME: usize = 512; // 32 ms

    /// Probabilities from (seconds, speech?) runs.
    fn probs(runs: &[(f64, bool)]) -> Vec<f32> {
        runs.iter()
            .flat_map(|&(s, speech)| std::iter::repeat_n(if speech { 0.9 } else { 0.05 }, (s / 0.032).round() as usize))
            .collect()
    }

    fn round(x: f64) -> f64 {
        (x * 100.0).round() / 100.0
    }

    /// Every piece of every chunk, in seconds.
    fn secs(chunks: &[Chunk]) -> Vec<(f64, f64)> {
        chunks
            .iter()
            .flat_map(|c| {
                c.pieces.iter().map(|p| (round(p.start as f64 / RATE as f64), round(p.end as f64 / RATE as f64)))
            })
            .collect()
    }

    fn run(runs: &[(f64, bool)], p: &PlanParams) -> Vec<Chunk> {
        let pr = probs(runs);
        plan(&pr, pr.len() * FRAME, p)
    }

    #[test]
    fn silence_and_noise_give_no_chunks() {
        assert!(run(&[(60.0, false)], &PlanParams::default()).is_empty());
        // A 0.1 s blip is below the minimum speech length.
        assert!(run(&[(5.0, false), (0.1, true), (5.0, false)], &PlanParams::default()).is_empty());
    }

    #[test]
    fn speech_is_padded_and_long_silence_is_cut_out() {
        let c = run(&[(10.0, false), (5.0, true), (120.0, false), (4.0, true), (3.0, false)], &PlanParams::default());
        assert_eq!(c.len(), 1, "both pieces fit one window once the silence is cut out");
        let s = secs(&c);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!((s[0].0 - 9.8).abs() < 0.05 && (s[0].1 - 15.2).abs() < 0.05, "{s:?}");
        assert!((s[1].0 - 134.8).abs() < 0.05 && (s[1].1 - 139.2).abs() < 0.05, "{s:?}");
        assert!((c[0].audio_s(RATE) - (5.4 + JOIN_S + 4.4)).abs() < 0.05);
    }

    #[test]
    fn times_map_back_through_the_pieces() {
        let c = Chunk { pieces: vec![16_000..48_000, 160_000..176_000] }; // 1–3 s and 10–11 s
        let audio = c.audio(&Pcm { samples: vec![i16::MAX; 200_000] }, RATE);
        assert_eq!(audio.len(), 32_000 + 4_800 + 16_000);
        assert!(audio[32_000..36_800].iter().all(|x| *x == 0.0), "silence in the join");
        assert!(audio[..32_000].iter().all(|x| *x == 1.0));
        assert_eq!(c.to_recording(0.0, RATE), 1.0);
        assert_eq!(c.to_recording(1.5, RATE), 2.5);
        assert_eq!(c.to_recording(2.05, RATE), 3.0, "early in the join: end of the first piece");
        assert_eq!(c.to_recording(2.25, RATE), 10.0, "late in the join: start of the next");
        assert!((c.to_recording(2.8, RATE) - 10.5).abs() < 1e-9);
        assert_eq!(c.to_recording(9.0, RATE), 11.0, "past the end: clamped");
    }

    #[test]
    fn short_pauses_are_bridged_and_islands_merged_up_to_the_window() {
        // Ten 4 s sentences separated by 0.5 s pauses: 44.5 s of talk → two chunks ≤ 29 s,
        // each cut inside a pause.
        let mut runs = vec![];
        for _ in 0..10 {
            runs.push((4.0, true));
            runs.push((0.5, false));
        }
        let c = run(&runs, &PlanParams { max_chunk_s: 29.0, ..PlanParams::default() });
        for ch in &c {
            assert!(ch.audio_s(RATE) <= 29.0 + 1e-9, "{ch:?}");
            assert_eq!(ch.pieces.len(), 1, "0.5 s pauses are kept, not cut out");
        }
        // The cut falls in a pause: the second chunk starts in a silent run.
        let pr = probs(&runs);
        assert_eq!(c.len(), 2);
        assert!(pr[c[1].pieces[0].start / FRAME] < 0.5, "cut at {:?} is inside speech", c[1]);
    }

    #[test]
    fn a_pause_shorter_than_min_silence_does_not_split() {
        let c = run(
            &[(1.0, false), (3.0, true), (0.15, false), (3.0, true), (1.0, false)],
            &PlanParams { max_gap_s: 0.0, ..PlanParams::default() },
        );
        assert_eq!(c.len(), 1, "{:?}", secs(&c));
    }

    #[test]
    fn unbroken_speech_is_cut_at_its_deepest_dip() {
        // 70 s of speech whose only dips (p = 0.4, still "speech" by hysteresis) are at 20 s and 47 s.
        let mut pr = probs(&[(70.0, true)]);
        let dip = |pr: &mut Vec<f32>, s: f64| pr[(s / 0.032) as usize] = 0.4;
        dip(&mut pr, 20.0);
        dip(&mut pr, 47.0);
        let c = plan(&pr, pr.len() * FRAME, &PlanParams { max_chunk_s: 29.0, ..PlanParams::default() });
        let s = secs(&c);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!((s[0].1 - 20.0).abs() < 0.05 && (s[1].1 - 47.0).abs() < 0.05, "cuts at the dips: {s:?}");
        for (a, b) in s.windows(2).map(|w| (w[0], w[1])) {
            assert_eq!(a.1, b.0, "no audio lost or repeated between chunks");
        }
    }

    #[test]
    fn chunks_are_ordered_disjoint_and_within_the_recording() {
        // A pseudo-random speech pattern.
        let mut runs = vec![];
        let mut x: u32 = 7;
        for _ in 0..200 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            runs.push(((x >> 16) as f64 % 700.0 / 100.0 + 0.05, !(x >> 8).is_multiple_of(3)));
        }
        let pr = probs(&runs);
        let n = pr.len() * FRAME - 100;
        let c = plan(&pr, n, &PlanParams::default());
        assert!(!c.is_empty());
        let pieces: Vec<&Range<usize>> = c.iter().flat_map(|ch| ch.pieces.iter()).collect();
        for w in pieces.windows(2) {
            assert!(w[0].end <= w[1].start);
        }
        for ch in &c {
            assert!(ch.pieces.last().unwrap().end <= n && ch.audio_s(RATE) <= 24.0 + 0.05, "{:.2} s", ch.audio_s(RATE));
        }
    }
}
