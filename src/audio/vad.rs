//! Voice activity: Silero VAD (whisper.cpp's ggml port) gives a speech probability for every
//! 32 ms frame, and a `SpeechGate` turns them into speech regions for the stages downstream
//! (the chunk planner, diarization).

use std::ops::Range;
use std::path::Path;

use whisper_rs::{WhisperVadContext, WhisperVadContextParams};

use super::Pcm;

/// Samples per VAD frame at 16 kHz (Silero's window).
pub const FRAME: usize = 512;
/// Seconds per VAD frame.
pub const FRAME_S: f64 = FRAME as f64 / super::SAMPLE_RATE as f64;

/// Speech regions from frame probabilities, with hysteresis (enter at `threshold`, leave
/// below `threshold - 0.15`) so a dip inside a word does not split it; regions shorter than
/// `min_speech_s` are noise and dropped; pauses shorter than `min_silence_s` are bridged.
#[derive(Debug, Clone, PartialEq)]
pub struct SpeechGate {
    pub threshold: f32,
    pub min_speech_s: f64,
    pub min_silence_s: f64,
}

impl SpeechGate {
    /// Speech regions as frame ranges.
    pub fn frames(&self, probs: &[f32]) -> Vec<Range<usize>> {
        let leave = self.threshold - 0.15;
        let min_silence = (self.min_silence_s / FRAME_S).ceil() as usize;
        let min_speech = (self.min_speech_s / FRAME_S).ceil() as usize;
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut start: Option<usize> = None;
        let mut last_speech = 0;
        for (i, &prob) in probs.iter().enumerate() {
            match start {
                None if prob >= self.threshold => {
                    start = Some(i);
                    last_speech = i;
                }
                Some(_) if prob >= leave => last_speech = i,
                Some(s) if i - last_speech >= min_silence => {
                    out.push(s..last_speech + 1);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push(s..last_speech + 1);
        }
        out.retain(|r| r.len() >= min_speech);
        out
    }

    /// Speech regions in seconds.
    pub fn seconds(&self, probs: &[f32]) -> Vec<Range<f64>> {
        self.frames(probs).into_iter().map(|r| r.start as f64 * FRAME_S..r.end as f64 * FRAME_S).collect()
    }
}
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
