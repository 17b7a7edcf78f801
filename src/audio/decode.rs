//! Any supported recording → 16 kHz mono on an absolute sample clock.
//!
//! symphonia demuxes and decodes every container (WAV, MP3, M4A/MP4, FLAC, OGG, MKV/WebM);
//! each packet is mixed down (or one channel picked, or the channels kept apart) and streamed
//! through rubato's resampler as it arrives, so what is held is the 16 kHz result, never the
//! decoded original: a 3-hour 48 kHz stereo file would be 4 GB of floats.

use std::fs::File;
use std::path::Path;

use symphonia::core::codecs::audio::{well_known::*, AudioCodecId, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use super::resample;
use super::{to_i16, AudioError, Pcm, SAMPLE_RATE};

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
pub fn decode_with(path: &Path, options: Options, tick: &dyn Fn(f64)) -> Result<(Vec<Pcm>, SourceAudio), AudioError> {
    let file = File::open(path).map_err(|e| AudioError::Open { path: path.to_path_buf(), error: e })?;
    let meta = file.metadata().map_err(|e| AudioError::Open { path: path.to_path_buf(), error: e })?;
    if meta.is_dir() {
        let error = std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a folder, not a recording");
        return Err(AudioError::Open { path: path.to_path_buf(), error });
    }
    if meta.len() == 0 {
        return Err(AudioError::Decode { path: path.to_path_buf(), detail: "the file is empty".into() });
    }
    let ext = path.extension().and_then(|e| e.to_str());
    decode_source(Box::new(file), ext, options, tick).map_err(|detail| AudioError::Decode { path: path.to_path_buf(), detail })
}

/// Decodes from any byte source (a file, or memory for the fuzz target). Errors are the
/// detail of a message that the caller prefixes with the file's name.
pub fn decode_source(source: Box<dyn MediaSource>, extension: Option<&str>, options: Options, tick: &dyn Fn(f64)) -> Result<(Vec<Pcm>, SourceAudio), String> {
    let channels = options.channels;
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = extension {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe()
        .probe(&hint, mss, FormatOptions::default(), MetadataOptions::default())
        .map_err(|e| format!("not a recognised audio or video file ({e})"))?;
    let track = format.default_track(TrackType::Audio).ok_or("it has no audio track")?;
    let track_id = track.id;
    let n_frames = track.num_frames;
    let params = track.codec_params.as_ref().and_then(|p| p.audio()).ok_or("its audio track has no codec parameters")?.clone();
    let codec = codec_name(params.codec);
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|_| format!("its audio codec, {codec}, is not supported"))?;

    let rate = params.sample_rate.unwrap_or(0);
    let mut source = SourceAudio { sample_rate: rate, channels: params.channels.as_ref().map_or(0, |c| c.count()), codec, truncated: false };
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
            // A truncated file ends with an I/O error in the middle of a packet.
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                ended_early = frames_done > 0;
                break;
            }
            Err(e) => {
                let seconds = frames_done as f64 / source.sample_rate.max(1) as f64;
                return Err(format!("reading failed after {seconds:.1} s of audio ({e})"));
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(b) => b,
            // One corrupt packet should not lose a whole recording.
            Err(SymError::DecodeError(_)) => continue,
            Err(e) => return Err(format!("decoding failed ({e})")),
        };
        let n = buf.num_planes().max(1);
        let rate = buf.spec().rate();
        if !RATES.contains(&rate) {
            return Err(format!("its header gives a sample rate of {rate} Hz, which no recording has: the file is damaged"));
        }
        if outputs.is_empty() {
            source.channels = n;
            let count = match channels {
                Channels::One(c) if c >= n => {
                    return Err(format!("it has {n} channel{}, so there is no channel {}; choose --channel 1 to {n}", if n == 1 { "" } else { "s" }, c + 1));
                }
                Channels::Each => n,
                _ => 1,
            };
            outputs = (0..count).map(|_| Output::new(reserve)).collect();
        } else if channels == Channels::Each && n != outputs.len() {
            return Err(format!("its channel count changes from {} to {n} part way through; use --channel or the default mix", outputs.len()));
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
        return Err("it holds no audio (0 s); check that the recording was not stopped at once, or export it again".into());
    }
    // The header's length is a promise: a file well short of it was cut off in copying or
    // recording. Half a second or 1% of slack covers encoder padding.
    let rate = source.sample_rate as u64;
    let promised = n_frames.filter(|n| frames_done + (rate / 2).max(n / 100) < *n);
    if ended_early || promised.is_some() {
        let had = frames_done as f64 / rate as f64;
        let promised = promised.map_or(String::new(), |n| format!(" of the {:.1} s its header promises", n as f64 / rate as f64));
        if !options.allow_truncated {
            return Err(format!("it is truncated: it ends after {had:.1} s{promised}; copy or export it again, or pass --allow-truncated to transcribe what it holds"));
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
                r.push(&self.scratch, &mut |out| samples.extend(out.iter().copied().map(to_i16))).map_err(|e| e.to_string())?;
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
