//! Band-limited resampling to 16 kHz with rubato's FFT resampler (anti-aliased, delay
//! trimmed), streamed so a long recording is never held at its original rate.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use super::{AudioError, SAMPLE_RATE};

/// A whole signal at once (tests and short clips); the same streaming resampler underneath.
pub fn to_16k(mono: &[f32], rate: u32) -> Result<Vec<f32>, AudioError> {
    let mut out = Vec::with_capacity((mono.len() as u64 * SAMPLE_RATE as u64 / rate.max(1) as u64) as usize + 1);
    let mut stream = Stream::new(rate)?;
    stream.push(mono, &mut |x| out.extend_from_slice(x))?;
    stream.finish(&mut |x| out.extend_from_slice(x))?;
    Ok(out)
}

/// Resampling to 16 kHz as the samples arrive: input is processed in the resampler's fixed
/// chunks, its start-up delay is dropped, and the end is padded so the output has exactly
/// `ceil(input × 16000 / rate)` samples, aligned with the input.
pub struct Stream {
    resampler: Fft<f32>,
    rate: u32,
    pending: Vec<f32>,
    out: Vec<f32>,
    to_trim: usize,
    consumed: u64,
    produced: u64,
}

impl Stream {
    pub fn new(rate: u32) -> Result<Stream, AudioError> {
        let resampler = Fft::<f32>::new(rate as usize, SAMPLE_RATE as usize, 1024, 1, FixedSync::Input)
            .map_err(|e| AudioError::Resample { rate, detail: e.to_string() })?;
        let to_trim = resampler.output_delay();
        let out = vec![0.0; resampler.output_frames_max()];
        Ok(Stream { resampler, rate, pending: Vec::new(), out, to_trim, consumed: 0, produced: 0 })
    }

    pub fn push(&mut self, samples: &[f32], sink: &mut dyn FnMut(&[f32])) -> Result<(), AudioError> {
        self.consumed += samples.len() as u64;
        self.pending.extend_from_slice(samples);
        let mut used = 0;
        while self.pending.len() - used >= self.resampler.input_frames_next() {
            used += self.process(used, None, sink)?;
        }
        self.pending.drain(..used);
        Ok(())
    }

    pub fn finish(mut self, sink: &mut dyn FnMut(&[f32])) -> Result<(), AudioError> {
        let expected = (self.consumed * SAMPLE_RATE as u64).div_ceil(self.rate as u64);
        let mut partial = self.pending.len();
        // Zeros are pumped through until the delayed end of the signal has come out; what
        // comes after it is cut off.
        self.pending.resize(self.resampler.input_frames_max(), 0.0);
        while self.produced < expected {
            let room = (expected - self.produced) as usize;
            self.process(0, Some(partial), &mut |x| sink(&x[..room.min(x.len())]))?;
            partial = 0;
        }
        Ok(())
    }

    /// One chunk from `pending[offset..]`; returns the input frames used.
    fn process(
        &mut self,
        offset: usize,
        partial: Option<usize>,
        sink: &mut dyn FnMut(&[f32]),
    ) -> Result<usize, AudioError> {
        let fail = |e: String| AudioError::Resample { rate: self.rate, detail: e };
        let input = InterleavedSlice::new(&self.pending[offset..], 1, self.pending.len() - offset)
            .map_err(|e| fail(e.to_string()))?;
        let len = self.out.len();
        let mut output = InterleavedSlice::new_mut(&mut self.out, 1, len).map_err(|e| fail(e.to_string()))?;
        let indexing = Indexing { input_offset: 0, output_offset: 0, active_channels_mask: None, partial_len: partial };
        let (used, made) = self
            .resampler
            .process_into_buffer(&input, &mut output, Some(&indexing))
            .map_err(|e| fail(e.to_string()))?;
        let skip = self.to_trim.min(made);
        self.to_trim -= skip;
        sink(&self.out[skip..made]);
        self.produced += (made - skip) as u64;
        Ok(used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f32, rate: u32, secs: f32) -> Vec<f32> {
        (0..(rate as f32 * secs) as usize)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
            .collect()
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
    fn streaming_in_odd_pieces_equals_rubatos_whole_clip_call() {
        let x = tone(300.0, 44_100, 3.0);
        let mut r = Fft::<f32>::new(44_100, 16_000, 1024, 1, FixedSync::Input).unwrap();
        let input = InterleavedSlice::new(&x, 1, x.len()).unwrap();
        let mut whole = vec![0.0f32; r.process_all_needed_output_len(x.len())];
        let n = whole.len();
        let mut output = InterleavedSlice::new_mut(&mut whole, 1, n).unwrap();
        let (_, made) = r.process_all_into_buffer(&input, &mut output, x.len(), None).unwrap();
        whole.truncate(made);
        let mut pieces = Vec::new();
        let mut stream = Stream::new(44_100).unwrap();
        for part in x.chunks(1153) {
            stream.push(part, &mut |y| pieces.extend_from_slice(y)).unwrap();
        }
        stream.finish(&mut |y| pieces.extend_from_slice(y)).unwrap();
        assert_eq!(pieces.len(), whole.len());
        assert_eq!(whole.len(), (x.len() as u64 * 16_000).div_ceil(44_100) as usize);
        assert!(pieces.iter().zip(&whole).all(|(a, b)| (a - b).abs() < 1e-5));
    }

    #[test]
    fn the_output_is_aligned_with_the_input() {
        // A click at 1.0 s stays at 1.0 s: the resampler's delay is trimmed.
        let mut x = vec![0.0f32; 48_000 * 2];
        x[48_000] = 1.0;
        let y = to_16k(&x, 48_000).unwrap();
        let peak = y.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap().0;
        assert!((peak as i64 - 16_000).abs() <= 1, "peak at {peak}");
    }

    #[test]
    fn removes_content_above_nyquist() {
        // 12 kHz is above the 8 kHz Nyquist limit of 16 kHz audio: it must not alias back in.
        let out = to_16k(&tone(12_000.0, 48_000, 1.0), 48_000).unwrap();
        assert!(rms(&out[1000..15_000]) < 0.01, "aliasing: rms {}", rms(&out[1000..15_000]));
    }
}
