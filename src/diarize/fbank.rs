//! Kaldi-style log mel filterbank, the input CAM++ was trained on (80 bins, 25 ms frames
//! every 10 ms, Povey window, pre-emphasis 0.97, DC removed, no dither, frames only where
//! they fit whole), as torchaudio's `compliance.kaldi.fbank` computes it.

use std::sync::Arc;

use realfft::{RealFftPlanner, RealToComplex};

pub const BINS: usize = 80;
pub const FRAME_LEN: usize = 400;
pub const FRAME_SHIFT: usize = 160;
const FFT_LEN: usize = 512;
const PREEMPH: f32 = 0.97;
const LOW_HZ: f32 = 20.0;

pub struct Fbank {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    /// Per mel bin: the first FFT bin it covers and its weights from there.
    banks: Vec<(usize, Vec<f32>)>,
}

fn mel(hz: f32) -> f32 {
    1127.0 * (1.0 + hz / 700.0).ln()
}

impl Default for Fbank {
    fn default() -> Self {
        Self::new()
    }
}

impl Fbank {
    pub fn new() -> Fbank {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FFT_LEN);
        let window = (0..FRAME_LEN)
            .map(|i| {
                let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (FRAME_LEN - 1) as f64).cos();
                hann.powf(0.85) as f32
            })
            .collect();
        let nyquist = super::super::audio::SAMPLE_RATE as f32 / 2.0;
        let (lo, hi) = (mel(LOW_HZ), mel(nyquist));
        let delta = (hi - lo) / (BINS + 1) as f32;
        let fft_bins = FFT_LEN / 2;
        let hz_per_bin = super::super::audio::SAMPLE_RATE as f32 / FFT_LEN as f32;
        let banks = (0..BINS)
            .map(|b| {
                let (left, center, right) =
                    (lo + b as f32 * delta, lo + (b + 1) as f32 * delta, lo + (b + 2) as f32 * delta);
                let weights: Vec<(usize, f32)> = (0..fft_bins)
                    .filter_map(|k| {
                        let m = mel(k as f32 * hz_per_bin);
                        let w = if m > left && m <= center {
                            (m - left) / (center - left)
                        } else if m > center && m < right {
                            (right - m) / (right - center)
                        } else {
                            return None;
                        };
                        Some((k, w))
                    })
                    .collect();
                let first = weights.first().map_or(0, |w| w.0);
                (first, weights.into_iter().map(|w| w.1).collect())
            })
            .collect();
        Fbank { fft, window, banks }
    }

    pub fn frames(samples: usize) -> usize {
        if samples < FRAME_LEN { 0 } else { 1 + (samples - FRAME_LEN) / FRAME_SHIFT }
    }

    /// Log mel energies, one row of `BINS` per frame, for samples in [-1, 1].
    pub fn compute(&self, samples: &[f32]) -> Vec<[f32; BINS]> {
        let mut input = self.fft.make_input_vec();
        let mut spectrum = self.fft.make_output_vec();
        let mut scratch = self.fft.make_scratch_vec();
        let mut power = vec![0f32; FFT_LEN / 2];
        (0..Self::frames(samples.len()))
            .map(|f| {
                let frame = &samples[f * FRAME_SHIFT..f * FRAME_SHIFT + FRAME_LEN];
                let mean = frame.iter().sum::<f32>() / FRAME_LEN as f32;
                input.fill(0.0);
                for (i, &x) in frame.iter().enumerate() {
                    input[i] = x - mean;
                }
                for i in (1..FRAME_LEN).rev() {
                    input[i] -= PREEMPH * input[i - 1];
                }
                input[0] -= PREEMPH * input[0];
                for (x, w) in input.iter_mut().zip(&self.window) {
                    *x *= w;
                }
                self.fft
                    .process_with_scratch(&mut input, &mut spectrum, &mut scratch)
                    .expect("buffers sized by the plan");
                for (p, c) in power.iter_mut().zip(&spectrum) {
                    *p = c.norm_sqr();
                }
                let mut row = [0f32; BINS];
                for (r, (first, weights)) in row.iter_mut().zip(&self.banks) {
                    let energy: f32 = weights.iter().zip(&power[*first..]).map(|(w, p)| w * p).sum();
                    *r = energy.max(f32::EPSILON).ln();
                }
                row
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_follows_kaldi_snip_edges() {
        assert_eq!(Fbank::frames(399), 0);
        assert_eq!(Fbank::frames(400), 1);
        assert_eq!(Fbank::frames(16000), 98);
    }

    /// Against Kaldi's own fbank (kaldi-native-fbank, written by models/export/export.py)
    /// on the first second of the reference chirp.
    #[test]
    fn matches_kaldi_on_the_reference_chirp() {
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../../models/diarization/reference.json")).unwrap();
        let chirp: Vec<f32> = (0..16000)
            .map(|i| {
                let t = i as f32 / 16000.0;
                0.1 * (2.0 * std::f32::consts::PI * (100.0 + 40.0 * t) * t).sin()
            })
            .collect();
        let rows = Fbank::new().compute(&chirp);
        assert_eq!(rows.len() as u64, reference["fbank_frames"].as_u64().unwrap());
        let want: Vec<f32> = serde_json::from_value(reference["fbank_frame_50"].clone()).unwrap();
        for (b, (got, want)) in rows[50].iter().zip(&want).enumerate() {
            assert!((got - want).abs() < 1e-3, "bin {b}: {got} vs {want}");
        }
    }

    #[test]
    fn a_tone_lights_the_bin_that_holds_its_frequency() {
        let tone: Vec<f32> =
            (0..16000).map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16000.0).sin()).collect();
        let rows = Fbank::new().compute(&tone);
        let row = rows[50];
        let loudest = (0..BINS).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
        // 1 kHz is mel 1000; bins are spaced (mel(8000) - mel(20)) / 81 ≈ 27.6 mel from mel(20) ≈ 31.
        let expected = ((mel(1000.0) - mel(LOW_HZ)) / ((mel(8000.0) - mel(LOW_HZ)) / 81.0)).round() as usize - 1;
        assert!(loudest.abs_diff(expected) <= 1, "loudest bin {loudest}, expected about {expected}");
        assert!(row[loudest] - row[5] > 10.0, "the tone stands out of the floor");
    }
}
