//! Transcript documents: plain text, SubRip and WebVTT. What was said in another language
//! than English is marked with its language code and followed by its English translation,
//! when there is one.

use std::fmt::Write;

use super::Exporter;
use crate::session::record::Segment;
use crate::session::SessionRecord;

/// `HH:MM:SS` + separator + milliseconds (SRT uses a comma, VTT a dot).
fn clock(seconds: f64, sep: char) -> String {
    let total_ms = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, m, s, ms) = (total_ms / 3_600_000, total_ms / 60_000 % 60, total_ms / 1000 % 60, total_ms % 1000);
    format!("{h:02}:{m:02}:{s:02}{sep}{ms:03}")
}

/// Caption text, after the speaker if known. It may not contain the cue arrow, and a blank
/// line would end the cue.
fn cue_text(s: &SessionRecord, seg: &Segment) -> String {
    let clean = |t: &str| t.replace("-->", "->").lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n");
    let text = format!("{}{}", language_tag(&seg.language), clean(&seg.text));
    let text = match &seg.speaker {
        Some(speaker) => format!("{}: {text}", s.speaker_label(speaker)),
        None => text,
    };
    match &seg.translation {
        Some(english) => format!("{text}\n[en] {}", clean(english)),
        None => text,
    }
}

/// `[fr] ` before what was not said in English.
fn language_tag(language: &str) -> String {
    if language == "en" || language.is_empty() { String::new() } else { format!("[{language}] ") }
}

pub struct Text;
pub struct Srt;
pub struct Vtt;

impl Exporter for Text {
    fn file_name(&self) -> &'static str {
        "transcript.txt"
    }
    /// One line per speaker turn, or per segment when the recording was not diarized.
    fn render(&self, s: &SessionRecord) -> String {
        let mut out = String::new();
        let stamp = |t: f64| clock(t, '.')[..8].to_string();
        if s.speakers.is_empty() {
            for seg in &s.segments {
                writeln!(out, "[{}] {}{}", stamp(seg.start), language_tag(&seg.language), seg.text).unwrap();
                if let Some(english) = &seg.translation {
                    writeln!(out, "           [en] {english}").unwrap();
                }
            }
            return out;
        }
        for turn in &s.turns {
            let segs: Vec<&Segment> = turn.segments.iter().filter_map(|&id| s.segments.get(id)).collect();
            let text: Vec<&str> = segs.iter().map(|seg| seg.text.as_str()).collect();
            writeln!(out, "[{}] {}: {}{}", stamp(turn.start), s.speaker_label(&turn.speaker), language_tag(&turn.language), text.join(" ")).unwrap();
            let english: Vec<&str> = segs.iter().filter_map(|seg| seg.translation.as_deref()).collect();
            if !english.is_empty() {
                writeln!(out, "           [en] {}", english.join(" ")).unwrap();
            }
        }
        out
    }
}

impl Exporter for Srt {
    fn file_name(&self) -> &'static str {
        "transcript.srt"
    }
    fn render(&self, s: &SessionRecord) -> String {
        let mut out = String::new();
        for (i, seg) in s.segments.iter().enumerate() {
            writeln!(out, "{}\n{} --> {}\n{}\n", i + 1, clock(seg.start, ','), clock(seg.end, ','), cue_text(s, seg)).unwrap();
        }
        out
    }
}

impl Exporter for Vtt {
    fn file_name(&self) -> &'static str {
        "transcript.vtt"
    }
    fn render(&self, s: &SessionRecord) -> String {
        let mut out = String::from("WEBVTT\n\n");
        for seg in &s.segments {
            writeln!(out, "{} --> {}\n{}\n", clock(seg.start, '.'), clock(seg.end, '.'), cue_text(s, seg)).unwrap();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::tests::sample;

    #[test]
    fn clock_formats_hours_and_milliseconds() {
        assert_eq!(clock(3661.004, ','), "01:01:01,004");
        assert_eq!(clock(0.0, '.'), "00:00:00.000");
        assert_eq!(clock(59.9996, '.'), "00:01:00.000");
    }

    #[test]
    fn text_has_a_timestamp_per_segment() {
        assert_eq!(Text.render(&sample()), "[00:00:00] Welcome, everyone.\n[01:01:01] We recommend --> action.\n");
    }

    #[test]
    fn with_speakers_text_has_a_line_per_turn_and_cues_a_prefix() {
        let mut s = sample();
        s.speakers = ["SPEAKER_1", "SPEAKER_2"]
            .map(|id| crate::session::record::Speaker { id: id.into(), name: None, talk_time_s: 3.0, voice: None })
            .to_vec();
        for seg in &mut s.segments {
            seg.speaker = Some("SPEAKER_1".into());
        }
        s.segments[1].speaker = Some("SPEAKER_2".into());
        s.turns = crate::diarize::attribute::turns(&s.segments);
        assert_eq!(Text.render(&s), "[00:00:00] SPEAKER_1: Welcome, everyone.\n[01:01:01] SPEAKER_2: We recommend --> action.\n");
        assert!(Srt.render(&s).contains("\nSPEAKER_1: Welcome, everyone.\n"));
        assert!(Vtt.render(&s).contains("\nSPEAKER_2: We recommend -> action.\n"));
        // Named in speakers.toml: the name everywhere.
        s.speakers[1].name = Some("Moderator: Jane Doe".into());
        assert!(Text.render(&s).ends_with("[01:01:01] Moderator: Jane Doe: We recommend --> action.\n"));
        assert!(Srt.render(&s).contains("\nModerator: Jane Doe: We recommend -> action.\n"));
        assert!(Vtt.render(&s).contains("\nModerator: Jane Doe: We recommend -> action.\n"));
    }

    #[test]
    fn srt_and_vtt_cues() {
        let srt = Srt.render(&sample());
        assert!(srt.starts_with("1\n00:00:00,500 --> 00:00:02,250\nWelcome, everyone.\n\n2\n01:01:01,000 --> 01:01:02,004\n"), "{srt}");
        assert!(srt.contains("We recommend -> action."), "the cue arrow is escaped");
        let vtt = Vtt.render(&sample());
        assert!(vtt.starts_with("WEBVTT\n\n00:00:00.500 --> 00:00:02.250\nWelcome, everyone.\n\n"), "{vtt}");
    }
}
