//! Voice activity: Silero VAD (whisper.cpp's ggml port) gives a speech probability for every
//! 32 ms frame; `transcribe::plan` decides what to do with them.

use std::path::Path;

use whisper_rs::{WhisperVadContext, WhisperVadContextParams};

use super::Pcm;

/// Samples per VAD frame at 16 kHz (Silero's window).
pub const FRAME: usize = 512;
/// Frames per VAD block: 5 minutes. Silero's state restarts at each block, a 32 ms blind spot
/// every 5 minutes at worst.
const BLOCK_FRAMES: usize = 9_375;

#[derive(Debug, thiserror::Error)]
pub enum VadError {
    #[error("cannot load the VAD model {path}: {detail}; reinstall it with `rapporteur models install silero-vad`")]
    Load { path: String, detail: String },
    #[error("voice activity detection failed: {0}")]
    Detect(String),
}

pub struct Vad {
    ctx: WhisperVadContext,
}

impl Vad {
    pub fn load(path: &Path, threads: usize) -> Result<Vad, VadError> {
        whisper_rs::install_logging_hooks();
        let mut params = WhisperVadContextParams::default();
        params.set_n_threads(threads.max(1) as i32);
        params.set_use_gpu(false);
        let p = path.to_string_lossy().into_owned();
        let ctx = WhisperVadContext::new(&p, params).map_err(|e| VadError::Load { path: p, detail: e.to_string() })?;
        Ok(Vad { ctx })
    }

    /// One probability per `FRAME` samples (the last frame may be partial). Runs over blocks
    /// of `BLOCK_FRAMES` frames so only one block is ever held as floats.
    pub fn probabilities(&mut self, pcm: &Pcm) -> Result<Vec<f32>, VadError> {
        let block = BLOCK_FRAMES * FRAME;
        let mut probs = Vec::with_capacity(pcm.samples.len().div_ceil(FRAME));
        for start in (0..pcm.samples.len()).step_by(block) {
            let samples = pcm.f32s(start..(start + block).min(pcm.samples.len()));
            self.ctx.detect_speech(&samples).map_err(|e| VadError::Detect(e.to_string()))?;
            probs.extend_from_slice(self.ctx.probabilities());
        }
        Ok(probs)
    }
}
