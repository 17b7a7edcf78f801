//! CAM++ speaker embeddings (3D-Speaker's zh/en model, 192 dimensions) run with tract on
//! mean-normalised Kaldi fbank frames.

use anyhow::{Context, Result};
use tract_onnx::prelude::*;

use super::fbank::BINS;

pub const DIM: usize = 192;
/// Every embedding is computed on this many frames (3 s): tract runs a model with a fixed
/// input shape about twice as fast as one with a symbolic time axis. 3 s costs a quarter less
/// than 4 s with the same DER on the AMI excerpts, the conversation and a 10-minute session,
/// and voices told apart as well; 2.5 s and 2 s merged speakers on AMI (BENCHMARKS.md).
pub const FRAMES: usize = 300;

static MODEL: &[u8] = include_bytes!("../../models/diarization/campplus.onnx");

pub struct Embedder {
    plan: Arc<TypedRunnableModel>,
}

pub type Embedding = [f32; DIM];

impl Embedder {
    pub fn load() -> Result<Embedder> {
        Ok(Embedder { plan: plan(FRAMES)? })
    }

    /// The embedding of a stretch of fbank frames, each bin mean-normalised first as the
    /// model was trained. Shorter stretches are repeated and longer ones cut to their middle
    /// `FRAMES`; statistics pooling makes a repeated stretch look like itself.
    pub fn embed(&self, frames: &[[f32; BINS]]) -> Result<Embedding> {
        anyhow::ensure!(!frames.is_empty(), "no frames to embed");
        let skip = frames.len().saturating_sub(FRAMES) / 2;
        let frames: Vec<[f32; BINS]> = frames[skip..].iter().cycle().take(FRAMES).copied().collect();
        let mut mean = [0f32; BINS];
        for f in &frames {
            for (m, x) in mean.iter_mut().zip(f) {
                *m += x;
            }
        }
        mean.iter_mut().for_each(|m| *m /= frames.len() as f32);
        let flat: Vec<f32> = frames.iter().flat_map(|f| f.iter().zip(&mean).map(|(x, m)| x - m)).collect();
        let input = Tensor::from_shape(&[1, FRAMES, BINS], &flat)?;
        let out = self.plan.run(tvec!(input.into_tvalue()))?;
        let view = out[0].to_plain_array_view::<f32>()?;
        let flat = view.as_slice().context("embedding output is contiguous")?;
        flat.try_into().context("CAM++ gives 192 values")
    }
}

/// The model, optimised for inputs of `frames` frames.
fn plan(frames: usize) -> Result<Arc<TypedRunnableModel>> {
    tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(MODEL))?
        .with_input_fact(0, f32::fact([1, frames, BINS]).into())?
        .into_optimized()?
        .into_runnable()
        .context("preparing the speaker embedding model")
}

/// `e` scaled to length 1 (a zero vector stays zero).
pub fn unit(mut e: Embedding) -> Embedding {
    let norm = e.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    e.iter_mut().for_each(|x| *x /= norm);
    e
}

/// Cosine similarity; embeddings need not be normalised.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb).max(1e-12)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// tract must give what PyTorch gave for the exported model (reference written by
    /// models/export/export.py on a fixed pattern of 400 frames).
    #[test]
    fn tract_matches_pytorch_on_the_reference_pattern() {
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../../models/diarization/reference.json")).unwrap();
        let want: Vec<f32> = serde_json::from_value(reference["campplus_embedding"].clone()).unwrap();
        // PyTorch saw the pattern as is, so run a plan of its length directly (`embed`
        // normalises); `run`'s plan differs only in the length of its input.
        const REFERENCE_FRAMES: usize = 400;
        let frames: Vec<[f32; BINS]> = (0..REFERENCE_FRAMES)
            .map(|t| std::array::from_fn(|f| (0.05 * t as f32 * (f as f32 + 1.0) / 10.0).sin()))
            .collect();
        let flat: Vec<f32> = frames.iter().flatten().copied().collect();
        let input = Tensor::from_shape(&[1, REFERENCE_FRAMES, BINS], &flat).unwrap();
        let out = plan(REFERENCE_FRAMES).unwrap().run(tvec!(input.into_tvalue())).unwrap();
        let got = out[0].to_plain_array_view::<f32>().unwrap();
        let got = got.as_slice().unwrap();
        assert!(cosine(got, &want) > 0.9999, "cosine {}", cosine(got, &want));
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-2 * (1.0 + w.abs()), "{g} vs {w}");
        }
    }

    #[test]
    fn cosine_of_a_vector_with_itself_and_its_opposite() {
        let a = [1.0, 2.0, -3.0];
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-6);
        assert!((cosine(&a, &[-1.0, -2.0, 3.0]) + 1.0).abs() < 1e-6);
    }
}
