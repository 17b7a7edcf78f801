//! The mel filterbank whisper.cpp reads from the model file: Slaney mel scale with Slaney
//! area normalisation, as `librosa.filters.mel(sr=16000, n_fft=400, n_mels=N)` computes it
//! (whisper's own `mel_filters.npz` was made that way). Computed in f64, stored as f32.

pub const SAMPLE_RATE: f64 = 16_000.0;
pub const N_FFT: usize = 400;
/// Frequency bins of a real FFT of `N_FFT` points.
pub const N_BINS: usize = N_FFT / 2 + 1;

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

fn logstep() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ { MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / logstep() } else { hz / F_SP }
}

fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL { MIN_LOG_HZ * (logstep() * (mel - MIN_LOG_MEL)).exp() } else { F_SP * mel }
}

/// `n_mels × N_BINS` weights, row-major.
pub fn filterbank(n_mels: usize) -> Vec<f32> {
    let fmax = SAMPLE_RATE / 2.0;
    let fft_freqs: Vec<f64> = (0..N_BINS).map(|i| fmax * i as f64 / (N_BINS - 1) as f64).collect();
    let (mel_lo, mel_hi) = (hz_to_mel(0.0), hz_to_mel(fmax));
    let mel_f: Vec<f64> =
        (0..n_mels + 2).map(|i| mel_to_hz(mel_lo + (mel_hi - mel_lo) * i as f64 / (n_mels + 1) as f64)).collect();
    let mut weights = Vec::with_capacity(n_mels * N_BINS);
    for m in 0..n_mels {
        let enorm = 2.0 / (mel_f[m + 2] - mel_f[m]);
        for &f in &fft_freqs {
            let lower = (f - mel_f[m]) / (mel_f[m + 1] - mel_f[m]);
            let upper = (mel_f[m + 2] - f) / (mel_f[m + 2] - mel_f[m + 1]);
            weights.push((lower.min(upper).max(0.0) * enorm) as f32);
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_known_values() {
        let w = filterbank(80);
        assert_eq!(w.len(), 80 * 201);
        // Reference values read from openai-whisper's assets/mel_filters.npz (`mel_80`).
        let close = |i: usize, want: f32| assert!((w[i] - want).abs() < 1e-8, "w[{i}] = {}", w[i]);
        close(1, 0.024_862_595);
        close(79 * 201 + 195, 0.002_243_795_2);
        close(79 * 201 + 199, 0.000_448_759);
        assert_eq!(w[0], 0.0);
        let sum: f64 = w.iter().map(|x| *x as f64).sum();
        assert!((sum - 1.999_024_092).abs() < 1e-6, "sum {sum}");
        // Every filter is a triangle: non-negative with a single peak region.
        for m in 0..80 {
            let row = &w[m * 201..(m + 1) * 201];
            assert!(row.iter().all(|x| *x >= 0.0));
            assert!(row.iter().any(|x| *x > 0.0), "filter {m} is empty");
        }
    }

    #[test]
    fn scale_round_trips() {
        for hz in [0.0, 300.0, 999.0, 1000.0, 4321.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
    }
}
