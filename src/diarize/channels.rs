//! `--channels-as-speakers`: a microphone per person (or a recorder per side), so who spoke
//! is which channel carries the speech. Each near microphone also picks up the others,
//! more quietly; so within the VAD's speech every 20 ms frame goes to the loudest channel,
//! and also to any other channel within `OVERLAP_DB` of it (both talking at once).
//! Speaker `k` is channel `k + 1`, whether or not it spoke.

use std::ops::Range;

use super::{Diarization, Turn};
use crate::audio::{Pcm, SAMPLE_RATE};

const FRAME: usize = SAMPLE_RATE as usize / 50;
/// A second channel this close to the loudest is a second voice, not the first one's bleed.
const OVERLAP_DB: f64 = 6.0;
/// A frame this quiet on every channel is a pause inside the VAD's speech, nobody's turn.
const SILENCE_DB: f64 = -60.0;
/// Gaps in one channel's speech shorter than this are bridged, and stretches shorter than
/// `MIN_TURN_S` after that are dropped: a cough on the other side is not a turn.
const BRIDGE_S: f64 = 0.3;
const MIN_TURN_S: f64 = 0.2;

pub fn diarize(channels: &[Pcm], speech: &[Range<f64>]) -> Diarization {
    let n_frames = channels.iter().map(|c| c.samples.len()).min().unwrap_or(0) / FRAME;
    let frame_s = FRAME as f64 / SAMPLE_RATE as f64;
    let mut active = vec![vec![false; n_frames]; channels.len()];
    for region in speech {
        let from = ((region.start / frame_s).floor() as usize).min(n_frames);
        let to = ((region.end / frame_s).ceil() as usize).min(n_frames);
        #[allow(clippy::needless_range_loop)] // f indexes every channel's frames at once
        for f in from..to {
            let level: Vec<f64> = channels.iter().map(|c| level_db(&c.samples[f * FRAME..(f + 1) * FRAME])).collect();
            let loudest = level.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if loudest < SILENCE_DB {
                continue;
            }
            for (c, l) in level.iter().enumerate() {
                active[c][f] = *l >= loudest - OVERLAP_DB;
            }
        }
    }
    let mut turns: Vec<Turn> = active
        .iter()
        .enumerate()
        .flat_map(|(speaker, frames)| {
            runs(frames, frame_s).into_iter().map(move |r| Turn { start: r.start, end: r.end, speaker })
        })
        .collect();
    turns.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.speaker.cmp(&b.speaker)));
    Diarization { speakers: channels.len(), turns, voices: Vec::new() }
}

/// Mean power of a frame in dB (full scale = 0 dB).
fn level_db(frame: &[i16]) -> f64 {
    let power = frame.iter().map(|s| (*s as f64 / i16::MAX as f64).powi(2)).sum::<f64>() / frame.len().max(1) as f64;
    10.0 * (power + 1e-10).log10()
}

/// A channel's active frames as time ranges, short gaps bridged and short stretches dropped.
fn runs(frames: &[bool], frame_s: f64) -> Vec<Range<f64>> {
    let mut out: Vec<Range<f64>> = Vec::new();
    let mut start = None;
    for (f, on) in frames.iter().chain([&false]).enumerate() {
        match (on, start) {
            (true, None) => start = Some(f),
            (false, Some(s)) => {
                let r = s as f64 * frame_s..f as f64 * frame_s;
                match out.last_mut() {
                    Some(last) if r.start - last.end < BRIDGE_S => last.end = r.end,
                    _ => out.push(r),
                }
                start = None;
            }
            _ => {}
        }
    }
    out.retain(|r| r.end - r.start >= MIN_TURN_S);
    out
}

/// The channels mixed into one signal, for voice activity and transcription.
pub fn mix(channels: &[Pcm]) -> Pcm {
    let len = channels.iter().map(|c| c.samples.len()).max().unwrap_or(0);
    let n = channels.len().max(1) as i32;
    let samples = (0..len)
        .map(|i| (channels.iter().map(|c| c.samples.get(i).copied().unwrap_or(0) as i32).sum::<i32>() / n) as i16)
        .collect();
    Pcm { samples }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200 Hz tone at `amp` where `on` holds, silence elsewhere; `seconds` long.
    fn channel(seconds: f64, amp: f64, on: impl Fn(f64) -> bool) -> Pcm {
        let n = (seconds * SAMPLE_RATE as f64) as usize;
        let samples = (0..n)
            .map(|i| {
                let t = i as f64 / SAMPLE_RATE as f64;
                let x = if on(t) { amp * (2.0 * std::f64::consts::PI * 200.0 * t).sin() } else { 0.0 };
                (x * i16::MAX as f64) as i16
            })
            .collect();
        Pcm { samples }
    }

    fn add(a: &Pcm, b: &Pcm, gain: f64) -> Pcm {
        Pcm { samples: a.samples.iter().zip(&b.samples).map(|(x, y)| (*x as f64 + gain * *y as f64) as i16).collect() }
    }

    #[test]
    fn the_loudest_channel_speaks_and_bleed_is_ignored() {
        // Left talks 0–4 s, right 5–9 s; each microphone hears the other at -20 dB.
        let left = channel(10.0, 0.5, |t| t < 4.0);
        let right = channel(10.0, 0.5, |t| (5.0..9.0).contains(&t));
        let channels = [add(&left, &right, 0.1), add(&right, &left, 0.1)];
        let d = diarize(&channels, &[0.0..10.0]);
        assert_eq!(d.speakers, 2);
        assert_eq!(d.turns.len(), 2, "{:?}", d.turns);
        assert_eq!((d.turns[0].speaker, d.turns[1].speaker), (0, 1));
        assert!((d.turns[0].start - 0.0).abs() < 0.05 && (d.turns[0].end - 4.0).abs() < 0.05, "{:?}", d.turns[0]);
        assert!((d.turns[1].start - 5.0).abs() < 0.05 && (d.turns[1].end - 9.0).abs() < 0.05, "{:?}", d.turns[1]);
    }

    #[test]
    fn both_channels_loud_is_overlap_and_only_speech_counts() {
        let both = channel(4.0, 0.5, |t| t < 3.0);
        let d = diarize(&[both.clone(), both], &[1.0..2.0]);
        assert_eq!(d.turns.len(), 2);
        assert!(d.turns.iter().all(|t| (t.start - 1.0).abs() < 0.03 && (t.end - 2.0).abs() < 0.03), "{:?}", d.turns);
    }

    #[test]
    fn runs_bridge_short_gaps_and_drop_blips() {
        let f = |v: &[u8]| v.iter().map(|x| *x == 1).collect::<Vec<_>>();
        // 0.1 s frames: a 0.2 s gap is bridged, a lone 0.1 s frame is dropped.
        let r = runs(&f(&[1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]), 0.1);
        assert_eq!(r.len(), 1);
        assert!((r[0].start - 0.0).abs() < 1e-9 && (r[0].end - 0.6).abs() < 1e-9, "{r:?}");
    }

    #[test]
    fn mixing_averages() {
        let m = mix(&[Pcm { samples: vec![100, -100] }, Pcm { samples: vec![300, 100] }]);
        assert_eq!(m.samples, vec![200, 0]);
    }
}
