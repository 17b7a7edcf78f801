//! Recordings in every supported format and layout: made with ffmpeg from the sample's
//! speech, decoded, and transcribed alike.

use std::path::{Path, PathBuf};
use std::process::Command;

use rapporteur::audio::decode::{Channels, Options, decode, decode_with};
use rapporteur::eval::wer::wer;
use serde_json::Value;

use crate::helpers::*;

/// `ffmpeg -i input ARGS output`, quietly; panics with ffmpeg's message on failure.
fn ffmpeg(input: &Path, args: &[&str], output: &Path) {
    let o = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(input)
        .args(args)
        .arg(output)
        .output()
        .expect("ffmpeg is installed (scripts/setup.sh)");
    assert!(o.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// The sample's first `seconds` as a 16 kHz 16-bit mono WAV in `dir`.
fn reference_wav(dir: &Path, seconds: f32) -> PathBuf {
    let wav = dir.join("reference.wav");
    write_wav(&wav, 16_000, &sample_head(seconds));
    wav
}

fn transcript(session_json: &Path) -> String {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(session_json).unwrap()).unwrap();
    v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().trim().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pearson correlation of two signals over their common length.
fn correlation(a: &[i16], b: &[i16]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mean = |x: &[i16]| x.iter().map(|v| *v as f64).sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (*x as f64 - ma, *y as f64 - mb);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    ab / (aa * bb).sqrt()
}

#[test]
fn every_format_gives_the_transcript_of_the_16k_wav() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    // Up to the pause after the director's first paragraph: a sentence cut off mid-word is
    // guessed differently from one encoding to the next, which is not what this measures.
    let reference = reference_wav(dir.path(), 45.8);
    let encodings: [(&str, &[&str]); 9] = [
        ("wav24.wav", &["-c:a", "pcm_s24le"]),
        ("float.wav", &["-c:a", "pcm_f32le"]),
        ("stereo44k.wav", &["-ar", "44100", "-ac", "2"]),
        ("mp3.mp3", &["-ar", "44100", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "96k"]),
        ("m4a.m4a", &["-ar", "48000", "-c:a", "aac", "-b:a", "96k"]),
        ("flac.flac", &["-ar", "48000", "-c:a", "flac"]),
        ("ogg.ogg", &["-ar", "44100", "-ac", "2", "-c:a", "libvorbis", "-q:a", "5"]),
        // A meeting platform's video export: the audio track is taken.
        (
            "mp4video.mp4",
            &[
                "-f",
                "lavfi",
                "-i",
                "color=c=blue:s=64x64:r=5",
                "-shortest",
                "-map",
                "1:v",
                "-map",
                "0:a",
                "-c:v",
                "mpeg4",
                "-c:a",
                "aac",
            ],
        ),
        (
            "mkvvideo.mkv",
            &[
                "-f",
                "lavfi",
                "-i",
                "color=c=blue:s=64x64:r=5",
                "-shortest",
                "-map",
                "1:v",
                "-map",
                "0:a",
                "-c:v",
                "mpeg4",
                "-c:a",
                "libvorbis",
            ],
        ),
    ];
    let mut files = vec![reference.clone()];
    for (name, args) in encodings {
        let path = dir.path().join(name);
        ffmpeg(&reference, args, &path);
        files.push(path);
    }
    let out = dir.path().join("out");
    let mut args = vec![
        "run",
        "--model",
        "tiny.en",
        "--language",
        "en",
        "--no-diarize",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = transcript(&out.join("reference/session.json"));
    assert!(expected.split_whitespace().count() > 80, "the reference has speech: {expected}");
    for file in &files[1..] {
        let stem = file.file_stem().unwrap().to_str().unwrap();
        let got = transcript(&out.join(stem).join("session.json"));
        let w = wer(&expected, &got);
        eprintln!("{stem}: WER {:.2}% against the 16 kHz WAV", w * 100.0);
        assert!(w <= 0.02, "{stem}: WER {:.1}% against the 16 kHz WAV\n{expected}\n{got}", w * 100.0);
    }
}

#[test]
fn every_wav_sample_format_decodes_to_the_same_signal() {
    let dir = tempfile::tempdir().unwrap();
    let reference = reference_wav(dir.path(), 5.0);
    let (expected, _) = decode(&reference).unwrap();
    for (codec, rate, min_correlation) in [
        ("pcm_u8", "16000", 0.99),
        ("pcm_s16le", "8000", 0.95),
        ("pcm_s24le", "48000", 0.99),
        ("pcm_s32le", "22050", 0.99),
        ("pcm_f32le", "44100", 0.99),
        ("pcm_f64le", "96000", 0.99),
    ] {
        let path = dir.path().join(format!("{codec}-{rate}.wav"));
        ffmpeg(&reference, &["-c:a", codec, "-ar", rate, "-ac", "2"], &path);
        let (pcm, source) = decode(&path).unwrap();
        assert_eq!(source.sample_rate.to_string(), rate);
        assert_eq!((source.channels, source.codec.as_str()), (2, codec));
        assert!(
            (pcm.samples.len() as i64 - expected.samples.len() as i64).abs() <= 2,
            "{codec}: {} samples",
            pcm.samples.len()
        );
        // Resampling there and back loses a little near 8 kHz; 8 kHz audio keeps only the band
        // below 4 kHz, so it correlates less.
        let c = correlation(&expected.samples, &pcm.samples);
        assert!(c >= min_correlation, "{codec} at {rate} Hz: correlation {c:.4}");
    }
}

#[test]
fn a_channel_can_be_picked_or_each_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let reference = reference_wav(dir.path(), 3.0);
    // Six channels: the speech on channel 3 only (the others silent).
    let path = dir.path().join("six.wav");
    ffmpeg(&reference, &["-af", "pan=6c|c2=c0", "-ar", "48000"], &path);
    let (expected, _) = decode(&reference).unwrap();
    let pick = |channels| decode_with(&path, Options { channels, allow_truncated: false }, &|_| {});

    let (one, source) = pick(Channels::One(2)).unwrap();
    assert_eq!(source.channels, 6);
    assert!(correlation(&expected.samples, &one[0].samples) > 0.999);
    let (silent, _) = pick(Channels::One(0)).unwrap();
    assert!(silent[0].samples.iter().all(|s| s.abs() <= 1));
    let (each, _) = pick(Channels::Each).unwrap();
    assert_eq!(each.len(), 6);
    assert!(correlation(&expected.samples, &each[2].samples) > 0.999);
    let (mix, _) = pick(Channels::Mix).unwrap();
    let peak = |x: &[i16]| x.iter().map(|s| s.unsigned_abs()).max().unwrap() as f64;
    assert!(
        (peak(&mix[0].samples) / peak(&expected.samples) - 1.0 / 6.0).abs() < 0.01,
        "the mix averages the channels"
    );

    let err = pick(Channels::One(6)).unwrap_err().to_string();
    assert!(err.contains("six.wav") && err.contains("6 channels") && err.contains("--channel 1 to 6"), "{err}");
}

#[test]
fn channels_as_speakers_gives_each_channel_its_speaker() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    // The sample's first 45 s: the moderator (to 23.3 s) on the left, the director after
    // on the right, each microphone hearing the other at -20 dB.
    let head = sample_head(45.0);
    let switch = (23.8 * 16_000.0) as usize;
    let wav = dir.path().join("two-mics.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for (i, s) in head.iter().enumerate() {
        let (near, far) = ((s * 32767.0) as i16, (s * 0.1 * 32767.0) as i16);
        let (left, right) = if i < switch { (near, far) } else { (far, near) };
        w.write_sample(left).unwrap();
        w.write_sample(right).unwrap();
    }
    w.finalize().unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        wav.to_str().unwrap(),
        "--channels-as-speakers",
        "--model",
        "tiny.en",
        "--language",
        "en",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(out.join("two-mics/session.json")).unwrap()).unwrap();
    assert_eq!(v["speakers"].as_array().unwrap().len(), 2);
    assert_eq!(v["settings"]["channels_as_speakers"], true);
    let mut checked = 0;
    for seg in v["segments"].as_array().unwrap() {
        for word in seg["words"].as_array().unwrap() {
            let start = word["start"].as_f64().unwrap();
            // Away from the hand-over, each word belongs to its channel's speaker.
            if (start - 23.8).abs() > 1.0 {
                let expected = if start < 23.8 { "SPEAKER_1" } else { "SPEAKER_2" };
                assert_eq!(word["speaker"], expected, "word {word}");
                checked += 1;
            }
        }
    }
    assert!(checked > 80, "{checked} words checked");
}
