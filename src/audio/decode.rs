//! Any supported recording → 16 kHz mono on an absolute sample clock.
//!
//! symphonia demuxes and decodes every container (WAV, MP3, M4A/MP4, FLAC, OGG, MKV/WebM);
//! each packet is mixed down (or one channel picked, or the channels kept apart) and streamed
//! through rubato's resampler as it arrives, so what is held is the 16 kHz result, never the
//! decoded original: a 3-hour 48 kHz stereo file would be 4 GB of floats.

use std::fs::File;
use std::io::Seek;
use std::path::Path;

use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoderOptions, well_known::*};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use super::resample;
use super::wav_stream::{self, Header};
use super::{AudioError, Pcm, SAMPLE_RATE, to_i16};

/// The fix for a file that is not in a format (or codec) we read. It is not offered for a
/// file we do recognise: converting a truncated WAV to WAV helps nobody.
const CONVERT: &str = "convert it to WAV, MP3, M4A, FLAC or OGG";

/// A container may claim any length; trust it for at most 12 hours at 16 kHz.
const MAX_RESERVE_SAMPLES: u64 = 12 * 3600 * SAMPLE_RATE as u64;

/// Sample rates recordings are made at lie between telephone audio and studio 768 kHz; a
/// header claiming more is damaged (2.8 GHz was found by the fuzzer: the resampler's tables
/// for it would take gigabytes).
const RATES: std::ops::RangeInclusive<u32> = 1_000..=768_000;

/// What the recording was, before conversion.
#[derive(Debug, Clone)]
pub struct SourceAudio {
    pub sample_rate: u32,
    pub channels: usize,
    /// The codec, for messages and the session record (`mp3`, `aac`, `pcm_s16le`...).
    pub codec: String,
    /// The file ends before its header says it should (kept only with `allow_truncated`;
    /// otherwise such a file is refused).
    pub truncated: bool,
}

/// Which channels of a multi-channel recording become the 16 kHz signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channels {
    /// The average of all channels (the default).
    #[default]
    Mix,
    /// One channel, 0-based.
    One(usize),
    /// Every channel kept apart, one signal each (a speaker per channel).
    Each,
}

/// How a recording is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub channels: Channels,
    /// Keep what a file that ends before its header says it should holds, instead of
    /// refusing it (`--allow-truncated`).
    pub allow_truncated: bool,
}

/// The whole recording, mixed down: what most callers want.
pub fn decode(path: &Path) -> Result<(Pcm, SourceAudio), AudioError> {
    let (mut signals, source) = decode_with(path, Options::default(), &|_| {})?;
    Ok((signals.remove(0), source))
}

/// The recording as one 16 kHz signal per selected channel (one for `Mix` and `One`).
/// `tick` is told the fraction decoded, when the container knows its length.
pub fn decode_with(
    path: &Path,
    options: Options,
    tick: &crate::progress::Tick<'_>,
) -> Result<(Vec<Pcm>, SourceAudio), AudioError> {
    let open_error = |error| AudioError::Open { path: path.to_path_buf(), error };
    // Checked before opening: opening a pipe with no writer would wait for one forever, and a
    // pipe or device is read as endless or empty, never as the recording.
    let meta = std::fs::metadata(path).map_err(open_error)?;
    if meta.is_dir() {
        return Err(open_error(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a folder, not a recording",
        )));
    }
    if !meta.is_file() {
        return Err(AudioError::NotAFile { path: path.to_path_buf() });
    }
    let file = File::open(path).map_err(open_error)?;
    let meta = file.metadata().map_err(open_error)?;
    if !meta.is_file() {
        return Err(AudioError::NotAFile { path: path.to_path_buf() });
    }
    if meta.len() == 0 {
        return Err(AudioError::Decode {
            path: path.to_path_buf(),
            detail: "the file is empty; copy or export it again".into(),
        });
    }
    let ext = path.extension().and_then(|e| e.to_str());
    decode_source(Box::new(file), ext, options, tick)
        .map_err(|detail| AudioError::Decode { path: path.to_path_buf(), detail })
}

/// Decodes from any byte source (a file, or memory for the fuzz target). Errors are the
/// detail of a message that the caller prefixes with the file's name.
pub fn decode_source(
    mut source: Box<dyn MediaSource>,
    extension: Option<&str>,
    options: Options,
    tick: &crate::progress::Tick<'_>,
) -> Result<(Vec<Pcm>, SourceAudio), String> {
    let channels = options.channels;
    // A WAV streamed through a pipe has placeholder sizes: they are read as "to the end".
    let header = wav_stream::scan(&mut *source).unwrap_or_else(|_| {
        let _ = source.seek(std::io::SeekFrom::Start(0));
        Header::default()
    });
    let source: Box<dyn MediaSource> =
        if header.streamed { Box::new(wav_stream::Patched::new(source, &header)) } else { source };
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = extension {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe().probe(&hint, mss, FormatOptions::default(), MetadataOptions::default()).map_err(|e| {
        if header.is_wav {
            format!("it is a WAV file, but its header is damaged or in an order we cannot read ({e}); export or copy it again")
        } else {
            format!("not a recognised audio or video file ({e}); {CONVERT}")
        }
    })?;
    let track =
        format.default_track(TrackType::Audio).ok_or("it has no audio track: there is no sound in it to transcribe")?;
    let track_id = track.id;
    let n_frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| format!("its audio track has no codec parameters; {CONVERT}"))?
        .clone();
    let codec = codec_name(params.codec);
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|_| format!("its audio codec, {codec}, is not supported; {CONVERT}"))?;

    let rate = params.sample_rate.unwrap_or(0);
    let mut source = SourceAudio {
        sample_rate: rate,
        channels: params.channels.as_ref().map_or(0, |c| c.count()),
        codec,
        truncated: false,
    };
    // Reserve the 16 kHz result up front when the container knows its length: growing by
    // doubling would briefly hold up to twice the audio.
    let reserve = match n_frames {
        Some(n) if rate > 0 => (n * SAMPLE_RATE as u64 / rate as u64).min(MAX_RESERVE_SAMPLES) as usize,
        _ => 0,
    };
    let mut outputs: Vec<Output> = Vec::new();
    let mut interleaved: Vec<f32> = Vec::new();
    let mut frames_done = 0u64;
    let mut last_tick = 0.0;
    let mut ended_early = false;
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            // A truncated file ends with an I/O error in the middle of a packet; a streamed
            // WAV beyond 4 GB (no size fits its header) ends that way too, and is whole.
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                ended_early = frames_done > 0 && !header.streamed;
                break;
            }
            Err(e) => {
                let seconds = frames_done as f64 / source.sample_rate.max(1) as f64;
                return Err(format!(
                    "reading failed after {seconds:.1} s of audio ({e}): the file is damaged there; copy or export it again"
                ));
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(b) => b,
            // One corrupt packet should not lose a whole recording.
            Err(SymError::DecodeError(_)) => continue,
            Err(e) => return Err(format!("decoding failed ({e}); {CONVERT}")),
        };
        let n = buf.num_planes().max(1);
        let rate = buf.spec().rate();
        if !RATES.contains(&rate) {
            return Err(format!(
                "its header gives a sample rate of {rate} Hz, which no recording has: the file is damaged; copy or export it again"
            ));
        }
        if outputs.is_empty() {
            source.channels = n;
            let count = match channels {
                Channels::One(c) if c >= n => {
                    let choose = if n == 1 {
                        "choose --channel 1, or leave --channel out".to_string()
                    } else {
                        format!("choose --channel 1 to {n}")
                    };
                    return Err(format!(
                        "it has {n} channel{}, so there is no channel {}; {choose}",
                        if n == 1 { "" } else { "s" },
                        c + 1
                    ));
                }
                Channels::Each => n,
                _ => 1,
            };
            outputs = (0..count).map(|_| Output::new(reserve)).collect();
        } else if channels == Channels::Each && n != outputs.len() {
            return Err(format!(
                "its channel count changes from {} to {n} part way through; use --channel or the default mix",
                outputs.len()
            ));
        }
        source.sample_rate = rate;
        buf.copy_to_vec_interleaved(&mut interleaved);
        let frames = interleaved.chunks_exact(n);
        frames_done += frames.len() as u64;
        match channels {
            Channels::Mix => outputs[0].push(rate, frames.map(|f| f.iter().sum::<f32>() / n as f32))?,
            Channels::One(c) => outputs[0].push(rate, frames.map(|f| f.get(c).copied().unwrap_or(0.0)))?,
            Channels::Each => {
                for (c, out) in outputs.iter_mut().enumerate() {
                    out.push(rate, interleaved.chunks_exact(n).map(|f| f[c]))?;
                }
            }
        }
        if let Some(total) = n_frames.filter(|t| *t > 0) {
            let done = frames_done as f64 / total as f64;
            if done - last_tick >= 0.01 {
                last_tick = done;
                tick(done.min(1.0));
            }
        }
    }
    if frames_done == 0 {
        return Err(
            "it holds no audio (0 s); check that the recording was not stopped at once, or export it again".into()
        );
    }
    // The header's length is a promise: a file well short of it was cut off in copying or
    // recording. Half a second or 1% of slack covers encoder padding.
    let rate = source.sample_rate as u64;
    let promised = n_frames.filter(|n| frames_done + (rate / 2).max(n / 100) < *n);
    if ended_early || promised.is_some() {
        let had = frames_done as f64 / rate as f64;
        let promised =
            promised.map_or(String::new(), |n| format!(" of the {:.1} s its header promises", n as f64 / rate as f64));
        if !options.allow_truncated {
            return Err(format!(
                "it is truncated: it ends after {had:.1} s{promised}; copy or export it again, or pass --allow-truncated to transcribe what it holds"
            ));
        }
        source.truncated = true;
    }
    let signals = outputs.into_iter().map(Output::finish).collect::<Result<_, _>>()?;
    Ok((signals, source))
}

/// One 16 kHz signal being built: samples at 16 kHz go straight in, others through a
/// streaming resampler (restarted if the rate changes mid-stream).
struct Output {
    rate: u32,
    resampler: Option<resample::Stream>,
    samples: Vec<i16>,
    scratch: Vec<f32>,
}

impl Output {
    fn new(reserve: usize) -> Output {
        // A damaged header may claim hours it does not hold: the reservation is only a hint,
        // and untouched pages cost no memory; if the system refuses it, the vector grows.
        let mut samples = Vec::new();
        let _ = samples.try_reserve_exact(reserve);
        Output { rate: 0, resampler: None, samples, scratch: Vec::new() }
    }

    fn push(&mut self, rate: u32, frames: impl Iterator<Item = f32>) -> Result<(), String> {
        if rate != self.rate {
            self.flush()?;
            self.rate = rate;
            if rate != SAMPLE_RATE {
                self.resampler = Some(resample::Stream::new(rate).map_err(|e| e.to_string())?);
            }
        }
        match &mut self.resampler {
            None => self.samples.extend(frames.map(to_i16)),
            Some(r) => {
                self.scratch.clear();
                self.scratch.extend(frames);
                let samples = &mut self.samples;
                r.push(&self.scratch, &mut |out| samples.extend(out.iter().copied().map(to_i16)))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        if let Some(r) = self.resampler.take() {
            let samples = &mut self.samples;
            r.finish(&mut |out| samples.extend(out.iter().copied().map(to_i16))).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Pcm, String> {
        self.flush()?;
        Ok(Pcm { samples: self.samples })
    }
}

/// A short name for a codec, so an unsupported one can be named in the message.
fn codec_name(id: AudioCodecId) -> String {
    let known = [
        (CODEC_ID_MP3, "mp3"),
        (CODEC_ID_AAC, "aac"),
        (CODEC_ID_FLAC, "flac"),
        (CODEC_ID_VORBIS, "vorbis"),
        (CODEC_ID_ALAC, "alac"),
        (CODEC_ID_OPUS, "opus"),
        (CODEC_ID_SPEEX, "speex"),
        (CODEC_ID_AC3, "ac3"),
        (CODEC_ID_EAC3, "eac3"),
        (CODEC_ID_AC4, "ac4"),
        (CODEC_ID_DCA, "dts"),
        (CODEC_ID_WMA, "wma"),
        (CODEC_ID_MP1, "mp1"),
        (CODEC_ID_MP2, "mp2"),
        (CODEC_ID_WAVPACK, "wavpack"),
        (CODEC_ID_MONKEYS_AUDIO, "ape"),
        (CODEC_ID_TTA, "tta"),
        (CODEC_ID_TRUEHD, "truehd"),
        (CODEC_ID_ATRAC3, "atrac3"),
        (CODEC_ID_ATRAC3PLUS, "atrac3plus"),
        (CODEC_ID_COOK, "cook"),
        (CODEC_ID_PCM_ALAW, "pcm_alaw"),
        (CODEC_ID_PCM_MULAW, "pcm_mulaw"),
        (CODEC_ID_ADPCM_MS, "adpcm_ms"),
        (CODEC_ID_ADPCM_IMA_WAV, "adpcm_ima_wav"),
        (CODEC_ID_ADPCM_G722, "g722"),
        (CODEC_ID_ADPCM_G726, "g726"),
        (CODEC_ID_PCM_S8, "pcm_s8"),
        (CODEC_ID_PCM_U8, "pcm_u8"),
        (CODEC_ID_PCM_S16LE, "pcm_s16le"),
        (CODEC_ID_PCM_S24LE, "pcm_s24le"),
        (CODEC_ID_PCM_S32LE, "pcm_s32le"),
        (CODEC_ID_PCM_F32LE, "pcm_f32le"),
        (CODEC_ID_PCM_F64LE, "pcm_f64le"),
    ];
    known.iter().find(|(k, _)| *k == id).map_or_else(|| format!("codec {id}"), |(_, name)| name.to_string())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    /// 16-bit mono WAV of `n` samples at 16 kHz, as hound writes it (a 44-byte header: the
    /// RIFF size at 4, the data size at 40).
    fn wav(n: usize) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut out = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for i in 0..n {
            w.write_sample(((i as f32 * 0.05).sin() * 8000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
        let bytes = out.into_inner();
        assert_eq!(&bytes[36..40], b"data", "hound's plain header");
        bytes
    }

    fn with_sizes(bytes: &[u8], riff: u32, data: u32) -> Vec<u8> {
        let mut b = bytes.to_vec();
        b[4..8].copy_from_slice(&riff.to_le_bytes());
        b[40..44].copy_from_slice(&data.to_le_bytes());
        b
    }

    fn decode_bytes(bytes: Vec<u8>, options: Options) -> Result<(Vec<Pcm>, SourceAudio), String> {
        decode_source(Box::new(Cursor::new(bytes)), Some("wav"), options, &|_| {})
    }

    #[test]
    fn streamed_wav_sizes_read_to_the_end_of_the_file() {
        let n = 40_000;
        let whole = wav(n);
        // ffmpeg to a pipe; arecord (RIFF = data + 36, wrapped); both placeholders; a stray odd byte at the end.
        let cases = [
            with_sizes(&whole, u32::MAX, u32::MAX),
            with_sizes(&whole, 0x7FFF_FFFFu32.wrapping_add(36), 0x7FFF_FFFF),
            with_sizes(&whole, 0x7FFF_FFFF, 0x7FFF_FFFF),
            with_sizes(&whole, (whole.len() - 8) as u32, u32::MAX),
            [with_sizes(&whole, u32::MAX, u32::MAX), vec![7u8]].concat(),
        ];
        let (reference, _) = decode_bytes(whole.clone(), Options::default()).unwrap();
        for (i, bytes) in cases.into_iter().enumerate() {
            let (pcm, source) = decode_bytes(bytes, Options::default()).unwrap_or_else(|e| panic!("case {i}: {e}"));
            assert!(!source.truncated, "case {i}");
            assert_eq!(pcm[0].samples, reference[0].samples, "case {i}: every sample, no more");
        }
    }

    #[test]
    fn a_real_size_the_file_falls_short_of_is_still_truncation() {
        let whole = wav(40_000);
        let cut = whole[..whole.len() / 2].to_vec();
        let e = decode_bytes(cut.clone(), Options::default()).unwrap_err();
        assert!(e.contains("it is truncated") && !e.contains("convert it"), "{e}");
        // Kept when allowed, and marked as truncated.
        let (_, source) = decode_bytes(cut, Options { allow_truncated: true, ..Default::default() }).unwrap();
        assert!(source.truncated);
    }

    #[test]
    fn a_recognised_file_is_not_told_to_convert() {
        let whole = wav(16_000);
        // The data chunk before the format chunk.
        let mut swapped = whole[..12].to_vec();
        swapped.extend_from_slice(&whole[36..]);
        swapped.extend_from_slice(&whole[12..36]);
        let e = decode_bytes(swapped, Options::default()).unwrap_err();
        assert!(e.contains("it is a WAV file") && !e.contains("convert it"), "{e}");

        let e = decode_bytes(whole, Options { channels: Channels::One(2), ..Default::default() }).unwrap_err();
        assert_eq!(e, "it has 1 channel, so there is no channel 3; choose --channel 1, or leave --channel out");

        let e = decode_bytes(b"minutes of the meeting".repeat(40), Options::default()).unwrap_err();
        assert!(e.contains("not a recognised audio or video file") && e.ends_with(CONVERT), "{e}");
    }
}
