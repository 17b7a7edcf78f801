//! Band-limited resampling to 16 kHz with rubato's FFT resampler (anti-aliased, delay trimmed).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use super::{AudioError, SAMPLE_RATE};

pub fn to_16k(mono: &[f32], rate: u32) -> Result<Vec<f32>, AudioError> {
    if mono.is_empty() {
        return Ok(Vec::new());
    }
    let fail = |e: String| AudioError::Resample { rate, detail: e };
    let mut resampler = Fft::<f32>::new(rate as usize, SAMPLE_RATE as usize, 1024, 1, FixedSync::Input).map_err(|e| fail(e.to_string()))?;
    let input = InterleavedSlice::new(mono, 1, mono.len()).map_err(|e| fail(e.to_string()))?;
    let needed = resampler.process_all_needed_output_len(mono.len());
    let mut out = vec![0.0f32; needed];
    let mut output = InterleavedSlice::new_mut(&mut out, 1, needed).map_err(|e| fail(e.to_string()))?;
    let (_, produced) = resampler.process_all_into_buffer(&input, &mut output, mono.len(), None).map_err(|e| fail(e.to_string()))?;
    out.truncate(produced);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize).map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin()).collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn keeps_length_and_in_band_tone() {
        let out = to_16k(&tone(440.0, 44_100, 2.0), 44_100).unwrap();
        assert!((out.len() as i64 - 32_000).abs() <= 2, "{} samples", out.len());
        // A 440 Hz tone keeps its level (RMS of a unit sine is 0.707).
        assert!((rms(&out[1000..31_000]) - 0.707).abs() < 0.02);
    }

    #[test]
    fn removes_content_above_nyquist() {
        // 12 kHz is above the 8 kHz Nyquist limit of 16 kHz audio: it must not alias back in.
        let out = to_16k(&tone(12_000.0, 48_000, 1.0), 48_000).unwrap();
        assert!(rms(&out[1000..15_000]) < 0.01, "aliasing: rms {}", rms(&out[1000..15_000]));
    }
}
