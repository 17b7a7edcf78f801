//! Any supported recording → 16 kHz mono f32 on an absolute sample clock.
//!
//! symphonia demuxes and decodes every container (WAV, MP3, M4A/MP4, FLAC, OGG, MKV/WebM);
//! channels are averaged into one as packets arrive, so only the mono signal at the source
//! rate is held, then rubato resamples it to 16 kHz.

use std::fs::File;
use std::path::Path;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::resample;
use super::{to_f32, to_i16, AudioError, Pcm, SAMPLE_RATE};

/// A container may claim any length; trust it for at most 12 hours at 48 kHz.
const MAX_RESERVE_FRAMES: u64 = 12 * 3600 * 48_000;

/// What the recording was, before conversion.
#[derive(Debug, Clone)]
pub struct SourceAudio {
    pub sample_rate: u32,
    pub channels: usize,
}

pub fn decode(path: &Path) -> Result<(Pcm, SourceAudio), AudioError> {
    let err = |detail: String| AudioError::Decode { path: path.to_path_buf(), detail };
    let file = File::open(path).map_err(|e| AudioError::Open { path: path.to_path_buf(), error: e })?;
    if file.metadata().map(|m| m.len() == 0).unwrap_or(false) {
        return Err(err("the file is empty".into()));
    }
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe()
        .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| err(format!("not a recognised audio or video file ({e})")))?;
    let track = format.default_track(TrackType::Audio).ok_or_else(|| err("it has no audio track".into()))?;
    let track_id = track.id;
    let n_frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| err("its audio track has no codec parameters".into()))?
        .clone();
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| err(format!("its audio codec is not supported ({e})")))?;

    // Reserve the whole mono signal up front when the container knows its length: growing
    // by doubling would briefly hold up to twice the audio.
    // Audio already at 16 kHz goes straight into 16-bit storage; other rates are collected as
    // floats for the resampler.
    let native = params.sample_rate == Some(SAMPLE_RATE);
    let reserve = n_frames.unwrap_or(0).min(MAX_RESERVE_FRAMES) as usize;
    let mut pcm16: Vec<i16> = Vec::with_capacity(if native { reserve } else { 0 });
    let mut mono: Vec<f32> = Vec::with_capacity(if native { 0 } else { reserve });
    let mut interleaved: Vec<f32> = Vec::new();
    let mut source = SourceAudio { sample_rate: params.sample_rate.unwrap_or(0), channels: 0 };
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            // A truncated file ends with an I/O error: keep what was decoded before it.
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => {
                let seconds = (mono.len() + pcm16.len()) as f64 / source.sample_rate.max(1) as f64;
                return Err(err(format!("reading failed after {seconds:.1} s of audio ({e})")));
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(b) => b,
            // One corrupt packet should not lose a whole recording.
            Err(SymError::DecodeError(_)) => continue,
            Err(e) => return Err(err(format!("decoding failed ({e})"))),
        };
        let channels = buf.num_planes().max(1);
        source.channels = channels;
        source.sample_rate = buf.spec().rate();
        buf.copy_to_vec_interleaved(&mut interleaved);
        let frames = interleaved.chunks_exact(channels).map(|frame| frame.iter().sum::<f32>() / channels as f32);
        if native && source.sample_rate == SAMPLE_RATE {
            pcm16.extend(frames.map(to_i16));
        } else {
            mono.extend(frames);
        }
    }
    if source.sample_rate == 0 {
        return Err(err("it holds no decodable audio".into()));
    }
    if !mono.is_empty() {
        // Anything not at 16 kHz (or whose rate changed mid-stream) is resampled.
        if !pcm16.is_empty() {
            mono.splice(0..0, pcm16.drain(..).map(to_f32));
        }
        let resampled = if source.sample_rate == SAMPLE_RATE { mono } else { resample::to_16k(&mono, source.sample_rate)? };
        pcm16 = resampled.into_iter().map(to_i16).collect();
    }
    Ok((Pcm { samples: pcm16 }, source))
}
