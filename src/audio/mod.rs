//! Audio in: decoding and resampling to the one format every later stage uses.

pub mod decode;
pub mod resample;
pub mod vad;

use std::path::PathBuf;

/// Whisper and the speaker models work at 16 kHz.
pub const SAMPLE_RATE: u32 = 16_000;

/// 16 kHz mono samples; index `i` is at `i / 16000` seconds from the start of the recording.
#[derive(Debug, Clone, Default)]
pub struct Pcm {
    pub samples: Vec<f32>,
}

impl Pcm {
    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / SAMPLE_RATE as f64
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot open {path}: {error}; check the path and its permissions")]
    Open { path: PathBuf, error: std::io::Error },
    #[error("cannot decode {path}: {detail}; convert it to WAV, MP3, M4A, FLAC or OGG")]
    Decode { path: PathBuf, detail: String },
    #[error("cannot resample audio from {rate} Hz: {detail}")]
    Resample { rate: u32, detail: String },
}
