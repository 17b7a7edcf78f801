//! pyannote segmentation-3.0 run with tract: 10 s of audio in, 589 frames out, each a
//! powerset over three local speakers with at most two at once. Decoded here into which
//! of the three speak in each frame, overlap included.

use anyhow::{Context, Result};
use tract_onnx::prelude::*;

use crate::audio::SAMPLE_RATE;

pub const WINDOW_SAMPLES: usize = 10 * SAMPLE_RATE as usize;
pub const FRAMES: usize = 589;
/// Frames advance by the product of SincNet's strides (10·3·3·3 samples) and span its
/// receptive field (991 samples).
pub const FRAME_STEP_S: f64 = 270.0 / SAMPLE_RATE as f64;
pub const FRAME_SPAN_S: f64 = 991.0 / SAMPLE_RATE as f64;
pub const LOCAL_SPEAKERS: usize = 3;

/// The powerset classes in the order the model was trained with: nobody, each speaker
/// alone, then each pair.
const POWERSET: [[bool; LOCAL_SPEAKERS]; 7] = [
    [false, false, false],
    [true, false, false],
    [false, true, false],
    [false, false, true],
    [true, true, false],
    [true, false, true],
    [false, true, true],
];

static MODEL: &[u8] = include_bytes!("../../models/diarization/segmentation-3.0.onnx");

/// Who speaks in each frame of one window.
pub type Activity = Vec<[bool; LOCAL_SPEAKERS]>;

pub struct Segmenter {
    plan: Arc<TypedRunnableModel>,
}

impl Segmenter {
    pub fn load() -> Result<Segmenter> {
        let plan = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(MODEL))?
            .with_input_fact(0, f32::fact([1, 1, WINDOW_SAMPLES]).into())?
            .into_optimized()?
            .into_runnable()
            .context("preparing the segmentation model")?;
        Ok(Segmenter { plan })
    }

    /// Powerset log-probabilities for one window of exactly `WINDOW_SAMPLES` samples.
    pub fn logprobs(&self, window: &[f32]) -> Result<Vec<[f32; 7]>> {
        anyhow::ensure!(window.len() == WINDOW_SAMPLES, "a window is 10 s of audio");
        let input = Tensor::from_shape(&[1, 1, WINDOW_SAMPLES], window)?;
        let out = self.plan.run(tvec!(input.into_tvalue()))?;
        let view = out[0].to_plain_array_view::<f32>()?;
        let flat = view.as_slice().context("segmentation output is contiguous")?;
        Ok(flat.chunks_exact(7).map(|c| c.try_into().expect("7 classes")).collect())
    }

    /// The most likely powerset class of each frame, as local speakers.
    pub fn activity(&self, window: &[f32]) -> Result<Activity> {
        Ok(self.logprobs(window)?.iter().map(decode).collect())
    }
}

pub fn decode(logprobs: &[f32; 7]) -> [bool; LOCAL_SPEAKERS] {
    let best = (0..7).max_by(|&a, &b| logprobs[a].total_cmp(&logprobs[b])).unwrap_or(0);
    POWERSET[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powerset_decoding_keeps_overlap() {
        let mut lp = [-9.0; 7];
        lp[5] = -0.1;
        assert_eq!(decode(&lp), [true, false, true]);
        lp[0] = 0.0;
        assert_eq!(decode(&lp), [false, false, false]);
    }

    /// tract must give what PyTorch gave for the exported model (reference written by
    /// models/export/export.py on a 10 s chirp).
    #[test]
    fn tract_matches_pytorch_on_the_reference_chirp() {
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../../models/diarization/reference.json")).unwrap();
        let chirp: Vec<f32> = (0..WINDOW_SAMPLES)
            .map(|i| {
                let t = i as f32 / SAMPLE_RATE as f32;
                0.1 * (2.0 * std::f32::consts::PI * (100.0 + 40.0 * t) * t).sin()
            })
            .collect();
        let out = Segmenter::load().unwrap().logprobs(&chirp).unwrap();
        assert_eq!(out.len() as u64, reference["segmentation_frames"].as_u64().unwrap());
        let first: Vec<f64> = serde_json::from_value(reference["segmentation_first_frames"].clone()).unwrap();
        for (got, want) in out.iter().flatten().zip(&first) {
            assert!((*got as f64 - want).abs() < 2e-3, "{got} vs {want}");
        }
        let mean: Vec<f64> = serde_json::from_value(reference["segmentation_mean"].clone()).unwrap();
        for (k, want) in mean.iter().enumerate() {
            let got = out.iter().map(|f| f[k] as f64).sum::<f64>() / out.len() as f64;
            assert!((got - want).abs() < 2e-3, "class {k}: {got} vs {want}");
        }
    }
}
