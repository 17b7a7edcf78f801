//! Audio in: decoding and resampling to the one format every later stage uses.

pub mod decode;
pub mod resample;
pub mod vad;
pub mod wav_stream;

use std::path::PathBuf;

/// Whisper and the speaker models work at 16 kHz.
pub const SAMPLE_RATE: u32 = 16_000;

/// 16 kHz mono samples; index `i` is at `i / 16000` seconds from the start of the recording.
/// Held as 16-bit integers: half the memory of floats (an hour is 110 MB, not 220 MB) with
/// 96 dB of range, far more than speech recognition can use; stages take floats piecewise.
#[derive(Debug, Clone, Default)]
pub struct Pcm {
    pub samples: Vec<i16>,
}

pub fn to_i16(x: f32) -> i16 {
    (x.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16
}

pub fn to_f32(x: i16) -> f32 {
    x as f32 / i16::MAX as f32
}

impl Pcm {
    pub fn from_f32(samples: &[f32]) -> Pcm {
        Pcm { samples: samples.iter().map(|x| to_i16(*x)).collect() }
    }

    pub fn duration_s(&self) -> f64 {
        self.samples.len() as f64 / SAMPLE_RATE as f64
    }

    /// Samples `range` as floats in [-1, 1].
    pub fn f32s(&self, range: std::ops::Range<usize>) -> Vec<f32> {
        self.samples[range].iter().map(|x| to_f32(*x)).collect()
    }

    /// The whole recording as floats (for single-call comparisons; the pipeline never needs it).
    pub fn to_f32(&self) -> Vec<f32> {
        self.f32s(0..self.samples.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bit_round_trip_is_close() {
        for x in [-1.0f32, -0.5, 0.0, 0.123_456, 1.0] {
            assert!((to_f32(to_i16(x)) - x).abs() < 1.0 / 32_000.0);
        }
        assert_eq!(to_i16(3.0), i16::MAX, "clipped, not wrapped");
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot open {path}: {error}; check the path and its permissions")]
    Open { path: PathBuf, error: std::io::Error },
    /// `detail` says what is wrong and what to do: converting only helps a format or codec we
    /// do not read, so the decoder offers it only then.
    #[error("cannot decode {path}: {detail}")]
    Decode { path: PathBuf, detail: String },
    #[error("{path} is not a regular file (a pipe or device); save the recording to a file first")]
    NotAFile { path: PathBuf },
    #[error("cannot resample audio from {rate} Hz: {detail}")]
    Resample { rate: u32, detail: String },
}
