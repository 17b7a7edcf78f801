//! Who spoke when. 10 s windows slide over the recording; in each, the segmentation model
//! says which of up to three local speakers talk in each 17 ms frame (overlap included);
//! each local speaker gets a CAM++ embedding from the frames where they talk; clustering
//! the embeddings links local speakers across windows into the session's speakers; and the
//! windows' frames, now labelled with those speakers, are averaged into one timeline.

pub mod attribute;
pub mod channels;
pub mod cluster;
pub mod embedding;
pub mod fbank;
pub mod segmentation;

use std::ops::Range;

use anyhow::Result;
use rayon::prelude::*;

use crate::audio::vad::SpeechGate;
use crate::audio::{Pcm, SAMPLE_RATE};
use cluster::{Item, SpeakerCount};
use embedding::{Embedder, Embedding};
use fbank::{FRAME_LEN, FRAME_SHIFT, Fbank};
use segmentation::{Activity, FRAME_SPAN_S, FRAME_STEP_S, FRAMES, LOCAL_SPEAKERS, Segmenter, WINDOW_SAMPLES};

/// Tuning of the pipeline; `Default` is what `rapporteur run` uses. The values were
/// chosen on the AMI excerpts and the two-person conversation in `../shared/eval`
/// (BENCHMARKS.md), preferring round values where the scores were flat.
#[derive(Debug, Clone)]
pub struct Params {
    /// Seconds between window starts; each frame is seen by 10 / step windows.
    pub step_s: f64,
    /// Every this many windows (and the last) is an anchor, embedded and clustered.
    pub anchor_every: usize,
    /// Pauses shorter than this stay inside one stretch of a local speaker's speech.
    pub bridge_s: f64,
    /// Longer stretches are cut into equal pieces no longer than this, each labelled on its
    /// own: the segmentation model sometimes gives one local speaker two voices that follow
    /// each other without a pause, and one embedding of both would give them one label.
    pub max_stretch_s: f64,
    /// A stretch is embedded from the frames where its speaker talks alone, or all its
    /// frames when those are fewer than this; with less speech still it gets no embedding
    /// of its own (too short to tell voices apart) and takes the speaker of its nearest
    /// embedded stretch.
    pub min_embed_s: f64,
    /// Clusters merge while their average cosine distance is below this.
    pub threshold: f64,
    /// With an automatic count, a cluster with less embedded speech than this, or than
    /// `min_cluster_share` of all of it, is not a speaker (a cough, laughter, a noise): it
    /// joins its nearest cluster. Short clips keep speakers of one short remark; an hour
    /// keeps those with over 15 s or so.
    pub min_cluster_speech_s: f64,
    pub min_cluster_share: f64,
    /// A cluster with less embedded speech than this joins its nearest unless their cosine is
    /// under `same_voice` (`cluster::Params::few_s`; measured in BENCHMARKS.md, "Spurious voices").
    pub few_s: f64,
    pub same_voice: f32,
    /// Speech for diarization, from the VAD: like the chunk planner's, but bridging pauses
    /// up to `gate.min_silence_s`, so that only real silences are taken from the speakers;
    /// each region padded by `pad_s`.
    pub gate: SpeechGate,
    pub pad_s: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            step_s: 5.0,
            anchor_every: 2,
            bridge_s: 0.5,
            max_stretch_s: 4.0,
            min_embed_s: 0.5,
            threshold: 0.6,
            min_cluster_speech_s: 0.5,
            min_cluster_share: 0.005,
            few_s: 4.0,
            same_voice: 0.34,
            gate: SpeechGate { threshold: 0.4, min_silence_s: 2.0, min_speech_s: 0.25 },
            pad_s: 0.2,
        }
    }
}

impl Params {
    /// The speech regions (seconds) that diarization may attribute, from VAD probabilities.
    pub fn speech(&self, probs: &[f32]) -> Vec<Range<f64>> {
        let pad = self.pad_s;
        self.gate.seconds(probs).into_iter().map(|r| (r.start - pad).max(0.0)..r.end + pad).collect()
    }
}

pub struct Diarizer {
    segmenter: Segmenter,
    embedder: Embedder,
    fbank: Fbank,
}

/// A stretch of one speaker's speech. Stretches of different speakers may overlap.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub start: f64,
    pub end: f64,
    /// 0-based, numbered in order of first speech.
    pub speaker: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diarization {
    pub speakers: usize,
    /// Sorted by start.
    pub turns: Vec<Turn>,
    /// Each speaker's voice: the speech-weighted mean of their stretches' unit embeddings,
    /// for matching enrolled voices.
    pub voices: Vec<Embedding>,
}

/// A local speaker's stretch of speech within one window (pauses under `bridge_s`
/// bridged). Stretches are labelled one by one: the segmentation model sometimes gives two
/// voices that take turns one local label, and labelling each stretch parts them.
struct Stretch {
    local: usize,
    frames: Range<usize>,
    speaker: Option<usize>,
}

/// One window: who talks in each frame, and their stretches.
struct Window {
    start: usize,
    activity: Activity,
    stretches: Vec<Stretch>,
    /// Anchor windows (every other one, and the last) have their stretches embedded and
    /// clustered; the windows between are labelled from the anchors they overlap, which
    /// halves the embedding work at no measured cost in accuracy.
    anchor: bool,
}

/// A stretch of an anchor window waiting for its embedding.
struct Candidate {
    window: usize,
    stretch: usize,
    frames: Vec<[f32; fbank::BINS]>,
    speech_s: f64,
}

impl Diarizer {
    pub fn load() -> Result<Diarizer> {
        Ok(Diarizer { segmenter: Segmenter::load()?, embedder: Embedder::load()?, fbank: Fbank::new() })
    }

    /// `speech`: the VAD's speech regions (seconds, sorted); only there is anyone speaking.
    /// `tick` gets the fraction done.
    pub fn diarize(
        &self,
        pcm: &Pcm,
        speech: &[Range<f64>],
        count: SpeakerCount,
        params: &Params,
        tick: &crate::progress::Tick<'_>,
    ) -> Result<Diarization> {
        let n = pcm.samples.len();
        if n == 0 {
            return Ok(Diarization::default());
        }
        let starts = window_starts(n, (params.step_s * SAMPLE_RATE as f64) as usize);
        // Windows go in batches so that the fbank frames waiting for embedding stay few;
        // within a batch, windows and then stretches are spread over the cores.
        let mut windows: Vec<Window> = Vec::with_capacity(starts.len());
        let (mut items, mut owners) = (Vec::new(), Vec::new());
        for batch in starts.chunks(16) {
            let first = windows.len();
            let segmented: Vec<(Window, Vec<Candidate>)> = batch
                .par_iter()
                .enumerate()
                .map(|(k, &start)| {
                    let w = first + k;
                    self.segment(
                        pcm,
                        start,
                        w,
                        w.is_multiple_of(params.anchor_every) || w + 1 == starts.len(),
                        speech,
                        params,
                    )
                })
                .collect::<Result<_>>()?;
            let mut candidates = Vec::new();
            for (window, c) in segmented {
                windows.push(window);
                candidates.extend(c);
            }
            let embedded: Vec<(Item, (usize, usize))> = candidates
                .into_par_iter()
                .map(|c| {
                    Ok((
                        Item { embedding: self.embedder.embed(&c.frames)?, speech_s: c.speech_s },
                        (c.window, c.stretch),
                    ))
                })
                .collect::<Result<_>>()?;
            for (item, owner) in embedded {
                items.push(item);
                owners.push(owner);
            }
            tick(windows.len() as f64 / starts.len() as f64);
        }

        let cparams = cluster::Params {
            threshold: params.threshold,
            min_speech_s: params.min_cluster_speech_s,
            min_share: params.min_cluster_share,
            few_s: params.few_s,
            same_voice: params.same_voice,
        };
        let labels = cluster::cluster(&items, count, &cparams);
        let speakers = labels.iter().max().map_or(0, |m| m + 1);
        for (&(w, k), &label) in owners.iter().zip(&labels) {
            windows[w].stretches[k].speaker = Some(label);
        }
        let mut anchors = Timeline::new(n, speakers);
        for w in windows.iter().filter(|w| w.anchor) {
            anchors.add(w);
        }
        for w in windows.iter_mut().filter(|w| !w.anchor) {
            anchors.label_from(w);
        }
        let mut timeline = Timeline::new(n, speakers);
        for w in &windows {
            timeline.add(w);
        }
        let (mut diarization, order) = timeline.turns(speech);
        diarization.voices = order.iter().map(|&c| embedding::unit(cluster::centroid(&items, &labels, c))).collect();
        Ok(diarization)
    }

    /// One voice from a clip of one speaker (enrolment): the speech-weighted mean of unit
    /// embeddings of its speech, 4 s at a time.
    pub fn voice(&self, pcm: &Pcm, speech: &[Range<f64>]) -> Result<(Embedding, f64)> {
        let mut frames = Vec::new();
        for r in speech {
            let range =
                (r.start * SAMPLE_RATE as f64) as usize..((r.end * SAMPLE_RATE as f64) as usize).min(pcm.samples.len());
            if range.len() > FRAME_LEN {
                frames.extend(self.fbank.compute(&pcm.f32s(range)));
            }
        }
        let per_s = SAMPLE_RATE as f64 / FRAME_SHIFT as f64;
        let items: Vec<Item> = frames
            .chunks(embedding::FRAMES)
            .filter(|c| c.len() as f64 / per_s >= 1.0 || c.len() == frames.len())
            .map(|c| Ok(Item { embedding: self.embedder.embed(c)?, speech_s: c.len() as f64 / per_s }))
            .collect::<Result<_>>()?;
        anyhow::ensure!(!items.is_empty(), "no speech found");
        let speech_s = items.iter().map(|i| i.speech_s).sum();
        Ok((embedding::unit(cluster::centroid(&items, &vec![0; items.len()], 0)), speech_s))
    }

    /// Segments one window into stretches; for an anchor, also gathers each stretch's fbank
    /// frames (inside the VAD's speech) for embedding.
    fn segment(
        &self,
        pcm: &Pcm,
        start: usize,
        index: usize,
        anchor: bool,
        speech: &[Range<f64>],
        params: &Params,
    ) -> Result<(Window, Vec<Candidate>)> {
        let end = (start + WINDOW_SAMPLES).min(pcm.samples.len());
        let mut audio = pcm.f32s(start..end);
        audio.resize(WINDOW_SAMPLES, 0.0);
        let activity = self.segmenter.activity(&audio)?;
        let bridge = (params.bridge_s / FRAME_STEP_S).round() as usize;
        let max_frames = ((params.max_stretch_s / FRAME_STEP_S) as usize).max(1);
        let stretches: Vec<Stretch> = (0..LOCAL_SPEAKERS)
            .flat_map(|local| {
                runs(activity.iter().map(move |a| a[local]), bridge)
                    .into_iter()
                    .flat_map(move |run| pieces(run, max_frames))
                    .map(move |frames| Stretch { local, frames, speaker: None })
            })
            .collect();
        let mut candidates = Vec::new();
        if anchor {
            let feats = self.fbank.compute(&audio[..end - start]);
            let offset = start as f64 / SAMPLE_RATE as f64;
            // Each fbank frame's centre and the segmentation frame under it.
            let centre = |j: usize| (j * FRAME_SHIFT + FRAME_LEN / 2) as f64 / SAMPLE_RATE as f64;
            let seg_frame = |j: usize| {
                (((centre(j) - FRAME_SPAN_S / 2.0) / FRAME_STEP_S).round().max(0.0) as usize).min(FRAMES - 1)
            };
            for (k, stretch) in stretches.iter().enumerate() {
                // Frames where this speaker talks, alone if there is enough of that.
                let frames = |alone: bool| -> Vec<[f32; fbank::BINS]> {
                    (0..feats.len())
                        .filter(|&j| {
                            let a = activity[seg_frame(j)];
                            stretch.frames.contains(&seg_frame(j))
                                && a[stretch.local]
                                && (!alone || a.iter().filter(|x| **x).count() == 1)
                                && covers(speech, offset + centre(j))
                        })
                        .map(|j| feats[j])
                        .collect()
                };
                let seconds = |f: &Vec<_>| f.len() as f64 * FRAME_SHIFT as f64 / SAMPLE_RATE as f64;
                let mut chosen = frames(true);
                if seconds(&chosen) < params.min_embed_s {
                    chosen = frames(false);
                }
                let speech_s = seconds(&chosen);
                if speech_s >= params.min_embed_s {
                    candidates.push(Candidate { window: index, stretch: k, frames: chosen, speech_s });
                }
            }
        }
        Ok((Window { start, activity, stretches, anchor }, candidates))
    }
}

/// `run` cut into the fewest equal pieces of at most `max` frames.
fn pieces(run: Range<usize>, max: usize) -> impl Iterator<Item = Range<usize>> {
    let n = run.len().div_ceil(max).max(1);
    let len = run.len().div_ceil(n);
    (0..n).map(move |i| run.start + i * len..(run.start + (i + 1) * len).min(run.end)).filter(|p| !p.is_empty())
}

/// Whether `t` lies in one of the sorted, disjoint `regions`.
fn covers(regions: &[Range<f64>], t: f64) -> bool {
    let i = regions.partition_point(|r| r.end <= t);
    regions.get(i).is_some_and(|r| r.start <= t)
}

/// Window starts every `step` samples; the last window ends with the audio.
fn window_starts(n: usize, step: usize) -> Vec<usize> {
    if n <= WINDOW_SAMPLES {
        return vec![0];
    }
    let last = n - WINDOW_SAMPLES;
    // A start within half a step of the last window would only repeat it.
    let mut starts: Vec<usize> = (0..).map(|i| i * step).take_while(|&s| s + step / 2 < last).collect();
    starts.push(last);
    starts
}

/// Runs of `true`, with gaps of up to `bridge` falses inside a run.
fn runs(flags: impl Iterator<Item = bool>, bridge: usize) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, on) in flags.enumerate() {
        if !on {
            continue;
        }
        match out.last_mut() {
            Some(r) if i - r.end <= bridge => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// The global speakers talking in each frame of a window: each active local speaker takes
/// the speaker of its stretch there, or of its nearest labelled stretch in the window.
fn speakers_per_frame(w: &Window) -> Vec<Vec<usize>> {
    let distance =
        |r: &Range<usize>, i: usize| if r.contains(&i) { 0 } else { r.start.abs_diff(i).min(r.end.abs_diff(i + 1)) };
    w.activity
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let mut speakers: Vec<usize> = (0..LOCAL_SPEAKERS)
                .filter(|&l| frame[l])
                .filter_map(|l| {
                    w.stretches
                        .iter()
                        .filter(|s| s.local == l && s.speaker.is_some())
                        .min_by_key(|s| distance(&s.frames, i))
                        .and_then(|s| s.speaker)
                })
                .collect();
            speakers.sort_unstable();
            speakers.dedup();
            speakers
        })
        .collect()
}

/// Windows' frames, with global speakers, summed on the recording's frame grid.
struct Timeline {
    samples: usize,
    speakers: usize,
    /// Per frame and speaker: the weight of windows hearing that speaker there.
    score: Vec<f32>,
    /// Per frame: the weighted number of local speakers heard, labelled or not.
    count: Vec<f32>,
    /// Per frame: the weight of windows covering it.
    seen: Vec<f32>,
}

impl Timeline {
    fn new(samples: usize, speakers: usize) -> Timeline {
        let total = ((samples as f64 / SAMPLE_RATE as f64) / FRAME_STEP_S).ceil() as usize + 1;
        Timeline {
            samples,
            speakers,
            score: vec![0.0; total * speakers],
            count: vec![0.0; total],
            seen: vec![0.0; total],
        }
    }

    fn offset(w: &Window) -> usize {
        (w.start as f64 / SAMPLE_RATE as f64 / FRAME_STEP_S).round() as usize
    }

    fn add(&mut self, w: &Window) {
        let offset = Self::offset(w);
        let valid = ((self.samples - w.start) as f64 / SAMPLE_RATE as f64 / FRAME_STEP_S).ceil() as usize;
        for (i, (speakers, heard)) in speakers_per_frame(w).iter().zip(&w.activity).enumerate().take(valid) {
            let g = offset + i;
            if g >= self.seen.len() {
                break;
            }
            // The model is least sure near a window's edges, where it hears half a word;
            // a Hamming taper lets the windows that see a frame in the middle decide.
            let weight = 0.54 - 0.46 * (2.0 * std::f32::consts::PI * i as f32 / (FRAMES - 1) as f32).cos();
            self.seen[g] += weight;
            self.count[g] += weight * heard.iter().filter(|x| **x).count() as f32;
            for &s in speakers {
                self.score[g * self.speakers + s] += weight;
            }
        }
    }

    /// Labels each stretch of `w` with the speaker the timeline hears most during it.
    fn label_from(&self, w: &mut Window) {
        let offset = Self::offset(w);
        for stretch in &mut w.stretches {
            let mut votes = vec![0f32; self.speakers];
            for i in stretch.frames.clone().filter(|&i| w.activity[i][stretch.local]) {
                let g = offset + i;
                if g < self.seen.len() && self.seen[g] > 0.0 {
                    for (s, v) in votes.iter_mut().enumerate() {
                        *v += self.score[g * self.speakers + s] / self.seen[g];
                    }
                }
            }
            stretch.speaker =
                (0..self.speakers).filter(|&s| votes[s] > 0.0).max_by(|&a, &b| votes[a].total_cmp(&votes[b]));
        }
    }

    /// In each frame inside the VAD's speech, as many speakers as the windows heard on
    /// average, the most heard first; then runs of frames become turns.
    /// The turns, and for each speaker (numbered by first speech) the timeline's speaker.
    fn turns(&self, speech: &[Range<f64>]) -> (Diarization, Vec<usize>) {
        let total = self.seen.len();
        let time = |g: usize| g as f64 * FRAME_STEP_S + FRAME_SPAN_S / 2.0;
        let mut active = vec![vec![false; total]; self.speakers];
        for (g, (&seen, &count)) in self.seen.iter().zip(&self.count).enumerate() {
            if seen == 0.0 || !covers(speech, time(g)) {
                continue;
            }
            let k = (count / seen).round() as usize;
            let score = &self.score[g * self.speakers..(g + 1) * self.speakers];
            let mut order: Vec<usize> = (0..self.speakers).filter(|&s| score[s] > 0.0).collect();
            order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
            for &s in order.iter().take(k) {
                active[s][g] = true;
            }
        }
        let mut turns = Vec::new();
        for (s, frames) in active.iter().enumerate() {
            for run in runs(frames.iter().copied(), 0) {
                turns.push(Turn { start: time(run.start), end: time(run.end), speaker: s });
            }
        }
        turns.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.speaker.cmp(&b.speaker)));
        // Number speakers by first speech, so SPEAKER_1 is whoever spoke first.
        let mut order: Vec<usize> = Vec::new();
        for t in &turns {
            if !order.contains(&t.speaker) {
                order.push(t.speaker);
            }
        }
        for t in &mut turns {
            t.speaker = order.iter().position(|&s| s == t.speaker).expect("seen above");
        }
        (Diarization { speakers: order.len(), turns, voices: Vec::new() }, order)
    }
}

pub fn speaker_id(speaker: usize) -> String {
    format!("SPEAKER_{}", speaker + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_audio_and_the_last_ends_with_it() {
        assert_eq!(window_starts(1000, 80_000), vec![0]);
        let n = 25 * SAMPLE_RATE as usize;
        let s = window_starts(n, 80_000);
        assert_eq!(s, vec![0, 80_000, 160_000, 240_000]);
        assert_eq!(window_starts(n + 100, 80_000), vec![0, 80_000, 160_000, 240_100]);
        assert_eq!(s.last().unwrap() + WINDOW_SAMPLES, n);
    }

    #[test]
    fn windows_are_averaged_and_labelled_from_their_anchors() {
        // Two windows overlapping by half. Speaker A talks throughout (local 0 in both); B
        // talks from 7.5 s (local 2 in the first window, local 1 in the second). The first
        // window is an anchor, labelled by clustering; the second is labelled from it.
        let half = FRAMES * 3 / 4;
        let stretch = |local, frames, speaker| Stretch { local, frames, speaker };
        let first = Window {
            start: 0,
            activity: (0..FRAMES).map(|i| [true, false, i >= half]).collect(),
            stretches: vec![stretch(0, 0..FRAMES, Some(0)), stretch(2, half..FRAMES, Some(1))],
            anchor: true,
        };
        let mut second = Window {
            start: 5 * SAMPLE_RATE as usize,
            activity: (0..FRAMES).map(|i| [true, i + FRAMES / 2 >= half, false]).collect(),
            stretches: vec![stretch(0, 0..FRAMES, None), stretch(1, half - FRAMES / 2..FRAMES, None)],
            anchor: false,
        };
        let n = 15 * SAMPLE_RATE as usize;
        let mut anchors = Timeline::new(n, 2);
        anchors.add(&first);
        anchors.label_from(&mut second);
        assert_eq!(second.stretches.iter().map(|s| s.speaker).collect::<Vec<_>>(), vec![Some(0), Some(1)]);
        let mut timeline = Timeline::new(n, 2);
        timeline.add(&first);
        timeline.add(&second);
        let (d, order) = timeline.turns(&[0.0..20.0]);
        assert_eq!(order, vec![0, 1]);
        assert_eq!(d.speakers, 2);
        let a: Vec<_> = d.turns.iter().filter(|t| t.speaker == 0).collect();
        assert_eq!(a.len(), 1);
        assert!(a[0].start < 0.1 && a[0].end > 14.5, "{a:?}");
        let b: Vec<_> = d.turns.iter().filter(|t| t.speaker == 1).collect();
        assert_eq!(b.len(), 1);
        assert!((b[0].start - 7.5).abs() < 0.2 && b[0].end > 14.5, "{b:?}");
    }

    #[test]
    fn long_runs_are_cut_into_equal_pieces() {
        assert_eq!(pieces(10..20, 4).collect::<Vec<_>>(), vec![10..14, 14..18, 18..20]);
        assert_eq!(pieces(10..18, 4).collect::<Vec<_>>(), vec![10..14, 14..18]);
        assert_eq!(pieces(10..13, 4).collect::<Vec<_>>(), vec![10..13]);
    }

    #[test]
    fn runs_bridge_short_gaps() {
        let flags = [true, true, false, true, false, false, false, true];
        assert_eq!(runs(flags.into_iter(), 1), vec![0..4, 7..8]);
        assert_eq!(runs(flags.into_iter(), 3), vec![0..8]);
    }
}
