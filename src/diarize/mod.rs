//! Who spoke when. 10 s windows slide over the recording; in each, the segmentation model
//! says which of up to three local speakers talk in each 17 ms frame (overlap included);
//! each local speaker gets a CAM++ embedding from the frames where they talk; clustering
//! the embeddings links local speakers across windows into the session's speakers; and the
//! windows' frames, now labelled with those speakers, are averaged into one timeline.

pub mod attribute;
pub mod cluster;
pub mod embedding;
pub mod fbank;
pub mod segmentation;

use anyhow::Result;
use rayon::prelude::*;

use crate::audio::{Pcm, SAMPLE_RATE};
use cluster::{Item, SpeakerCount};
use embedding::{Embedder, Embedding};
use fbank::{Fbank, FRAME_LEN, FRAME_SHIFT};
use segmentation::{Activity, Segmenter, FRAMES, FRAME_SPAN_S, FRAME_STEP_S, LOCAL_SPEAKERS, WINDOW_SAMPLES};

/// Tuning of the pipeline; `Default` is what `rapporteur run` uses.
#[derive(Debug, Clone)]
pub struct Params {
    /// Seconds between window starts; each frame is seen by 10 / step windows.
    pub step_s: f64,
    /// Local speakers with less clean speech than this in a window get no embedding of
    /// their own (too short to tell voices apart).
    pub min_embed_s: f64,
    pub threshold: f64,
    pub min_cluster_speech_s: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { step_s: 5.0, min_embed_s: 0.5, threshold: 0.6, min_cluster_speech_s: 6.0 }
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
}

/// One window's result: who talks in each frame, and an embedding per local speaker that
/// had enough clean speech.
struct Window {
    start: usize,
    activity: Activity,
    embeddings: Vec<(usize, Embedding, f64)>,
}

impl Diarizer {
    pub fn load() -> Result<Diarizer> {
        Ok(Diarizer { segmenter: Segmenter::load()?, embedder: Embedder::load()?, fbank: Fbank::new() })
    }

    /// `speech`: the VAD's speech regions (seconds, sorted); only there is anyone speaking.
    pub fn diarize(&self, pcm: &Pcm, speech: &[std::ops::Range<f64>], count: SpeakerCount, params: &Params, tick: &(dyn Fn(f64) + Sync)) -> Result<Diarization> {
        let n = pcm.samples.len();
        if n == 0 {
            return Ok(Diarization::default());
        }
        let starts = window_starts(n, (params.step_s * SAMPLE_RATE as f64) as usize);
        let done = std::sync::atomic::AtomicUsize::new(0);
        let windows: Vec<Window> = starts
            .par_iter()
            .map(|&start| {
                let w = self.window(pcm, start, params);
                let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                tick(k as f64 / starts.len() as f64);
                w
            })
            .collect::<Result<_>>()?;

        let mut items = Vec::new();
        let mut owners = Vec::new();
        for (w, window) in windows.iter().enumerate() {
            for &(local, embedding, speech_s) in &window.embeddings {
                items.push(Item { embedding, speech_s });
                owners.push((w, local));
            }
        }
        if std::env::var("RAPPORTEUR_DIAR_DEBUG").is_ok() {
            for (i, (a, o)) in items.iter().zip(&owners).enumerate() {
                let sims: Vec<String> = items.iter().map(|b| format!("{:.2}", embedding::cosine(&a.embedding, &b.embedding))).collect();
                eprintln!("{i:2} w{} l{} {:.1}s  {}", o.0, o.1, a.speech_s, sims.join(" "));
            }
        }
        let cparams = cluster::Params { threshold: params.threshold, min_speech_s: params.min_cluster_speech_s };
        let labels = cluster::cluster(&items, count, &cparams);
        let groups: Vec<usize> = owners.iter().map(|o| o.0).collect();
        let labels = cluster::assign_within_groups(&items, &labels, &groups);
        let mut mapping = vec![[None; LOCAL_SPEAKERS]; windows.len()];
        for (&(w, local), &label) in owners.iter().zip(&labels) {
            mapping[w][local] = Some(label);
        }
        let speakers = labels.iter().max().map_or(0, |m| m + 1);
        Ok(reconstruct(&windows, &mapping, speakers, n, speech))
    }

    fn window(&self, pcm: &Pcm, start: usize, params: &Params) -> Result<Window> {
        let end = (start + WINDOW_SAMPLES).min(pcm.samples.len());
        let mut audio = pcm.f32s(start..end);
        audio.resize(WINDOW_SAMPLES, 0.0);
        let activity = self.segmenter.activity(&audio)?;
        let feats = self.fbank.compute(&audio[..end - start]);
        // The segmentation frame under each fbank frame's centre.
        let seg_frame = |j: usize| {
            let centre = (j * FRAME_SHIFT + FRAME_LEN / 2) as f64 / SAMPLE_RATE as f64;
            (((centre - FRAME_SPAN_S / 2.0) / FRAME_STEP_S).round().max(0.0) as usize).min(FRAMES - 1)
        };
        let mut embeddings = Vec::new();
        for local in 0..LOCAL_SPEAKERS {
            let clean: Vec<[f32; fbank::BINS]> = (0..feats.len())
                .filter(|&j| {
                    let a = activity[seg_frame(j)];
                    a[local] && a.iter().filter(|x| **x).count() == 1
                })
                .map(|j| feats[j])
                .collect();
            let speech_s = clean.len() as f64 * FRAME_SHIFT as f64 / SAMPLE_RATE as f64;
            if speech_s >= params.min_embed_s {
                embeddings.push((local, self.embedder.embed(&clean)?, speech_s));
            }
        }
        Ok(Window { start, activity, embeddings })
    }
}

/// Window starts every `step` samples; the last window ends with the audio.
fn window_starts(n: usize, step: usize) -> Vec<usize> {
    if n <= WINDOW_SAMPLES {
        return vec![0];
    }
    let last = n - WINDOW_SAMPLES;
    let mut starts: Vec<usize> = (0..).map(|i| i * step).take_while(|&s| s < last).collect();
    starts.push(last);
    starts
}

/// Averages the windows' labelled frames into one timeline: in each frame, as many
/// speakers as the windows say talk on average, the most active ones first.
fn reconstruct(windows: &[Window], mapping: &[[Option<usize>; LOCAL_SPEAKERS]], speakers: usize, samples: usize, speech: &[std::ops::Range<f64>]) -> Diarization {
    let total = ((samples as f64 / SAMPLE_RATE as f64) / FRAME_STEP_S).ceil() as usize + 1;
    let mut score = vec![0f32; total * speakers.max(1)];
    let mut count = vec![0f32; total];
    let mut seen = vec![0f32; total];
    for (window, map) in windows.iter().zip(mapping) {
        let offset = (window.start as f64 / SAMPLE_RATE as f64 / FRAME_STEP_S).round() as usize;
        let valid = ((samples - window.start) as f64 / SAMPLE_RATE as f64 / FRAME_STEP_S).ceil() as usize;
        for (i, frame) in window.activity.iter().enumerate().take(valid) {
            let g = offset + i;
            if g >= total {
                break;
            }
            // The model is least sure near a window's edges, where it hears half a word;
            // a Hamming taper lets the windows that see a frame in the middle decide.
            let w = 0.54 - 0.46 * (2.0 * std::f32::consts::PI * i as f32 / (FRAMES - 1) as f32).cos();
            seen[g] += w;
            count[g] += w * frame.iter().filter(|x| **x).count() as f32;
            for (local, &on) in frame.iter().enumerate() {
                if let (true, Some(s)) = (on, map[local]) {
                    score[g * speakers + s] += w;
                }
            }
        }
    }
    let time = |g: usize| g as f64 * FRAME_STEP_S + FRAME_SPAN_S / 2.0;
    let mut active = vec![vec![false; total]; speakers];
    let mut region = 0;
    for g in 0..total {
        while region < speech.len() && speech[region].end <= time(g) {
            region += 1;
        }
        let in_speech = speech.get(region).is_some_and(|r| r.start <= time(g));
        if seen[g] == 0.0 || !in_speech {
            continue;
        }
        let k = (count[g] / seen[g] + std::env::var("RAPPORTEUR_DIAR_BIAS").ok().map_or(0.0, |v| v.parse::<f32>().unwrap())).round() as usize;
        let mut order: Vec<usize> = (0..speakers).filter(|&s| score[g * speakers + s] > 0.0).collect();
        order.sort_by(|&a, &b| score[g * speakers + b].total_cmp(&score[g * speakers + a]));
        for &s in order.iter().take(k) {
            active[s][g] = true;
        }
    }
    let mut turns = Vec::new();
    for (s, frames) in active.iter().enumerate() {
        let mut g = 0;
        while g < total {
            if frames[g] {
                let first = g;
                while g < total && frames[g] {
                    g += 1;
                }
                turns.push(Turn { start: time(first), end: time(g), speaker: s });
            } else {
                g += 1;
            }
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
    Diarization { speakers: order.len(), turns }
}

impl Diarization {
    /// Standard RTTM, one SPEAKER line per turn, speakers named `SPEAKER_1`...
    pub fn rttm(&self, file_id: &str) -> String {
        self.turns
            .iter()
            .map(|t| {
                format!(
                    "SPEAKER {file_id} 1 {:.3} {:.3} <NA> <NA> {} <NA> <NA>\n",
                    t.start,
                    t.end - t.start,
                    speaker_id(t.speaker)
                )
            })
            .collect()
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
        assert_eq!(s.last().unwrap() + WINDOW_SAMPLES, n);
    }

    #[test]
    fn reconstruction_links_local_speakers_through_the_mapping() {
        // Two windows overlapping by half; speaker A (global 0) is local 0 in the first and
        // local 1 in the second, and talks throughout; B talks only in the second half.
        let half = FRAMES / 2;
        let w1 = Window { start: 0, activity: (0..FRAMES).map(|i| [true, false, i >= half]).collect(), embeddings: vec![] };
        let w2 = Window { start: 5 * SAMPLE_RATE as usize, activity: (0..FRAMES).map(|_| [true, true, false]).collect(), embeddings: vec![] };
        let mapping = [[Some(0), None, Some(1)], [Some(1), Some(0), None]];
        let d = reconstruct(&[w1, w2], &mapping, 2, 15 * SAMPLE_RATE as usize, &[0.0..20.0]);
        assert_eq!(d.speakers, 2);
        let a: Vec<_> = d.turns.iter().filter(|t| t.speaker == 0).collect();
        assert_eq!(a.len(), 1);
        assert!(a[0].start < 0.1 && a[0].end > 14.5, "{a:?}");
        let b: Vec<_> = d.turns.iter().filter(|t| t.speaker == 1).collect();
        assert!(b[0].start > 4.5 && b[0].start < 5.5, "{b:?}");
    }

    #[test]
    fn rttm_lines_are_standard() {
        let d = Diarization { speakers: 1, turns: vec![Turn { start: 1.5, end: 3.25, speaker: 0 }] };
        assert_eq!(d.rttm("s"), "SPEAKER s 1 1.500 1.750 <NA> <NA> SPEAKER_1 <NA> <NA>\n");
    }
}
