//! Transcript documents: plain text, SubRip and WebVTT. What was said in another language
//! than English is marked with its language code and followed by its English translation,
//! when there is one.

use std::fmt::Write;

use super::{Document, RenderError, Rendering};
use crate::safe_text::{fold, is_line_break};
use crate::session::SessionRecord;
use crate::session::record::Segment;

/// `HH:MM:SS` + separator + milliseconds (SRT uses a comma, VTT a dot).
fn clock(seconds: f64, sep: char) -> String {
    let total_ms = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, m, s, ms) = (total_ms / 3_600_000, total_ms / 60_000 % 60, total_ms / 1000 % 60, total_ms % 1000);
    format!("{h:02}:{m:02}:{s:02}{sep}{ms:03}")
}

/// `t` without the cue arrow: every run of two or more dashes before `>` becomes `->` (a
/// single pass of `replace("-->", "->")` would turn `--->` into `-->`).
fn no_arrow(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut dashes = 0;
    for c in t.chars() {
        match c {
            '-' => dashes += 1,
            '>' if dashes >= 2 => {
                out.push_str("->");
                dashes = 0;
            }
            c => {
                out.extend(std::iter::repeat_n('-', dashes));
                out.push(c);
                dashes = 0;
            }
        }
    }
    out.extend(std::iter::repeat_n('-', dashes));
    out
}

/// Caption lines: no blank line (it would end the cue), no cue arrow, and no control
/// character; CR and the Unicode separators break lines for some readers, so they count as
/// line breaks.
fn clean(t: &str) -> String {
    let lines: Vec<String> =
        t.split(is_line_break).map(|l| fold(l).into_owned()).filter(|l| !l.trim().is_empty()).collect();
    no_arrow(&lines.join("\n"))
}

/// A speaker's name on one line. Names are checked where they enter, but a session.json from
/// before that may still hold a line break, which would start a new cue or line.
fn label<'a>(s: &'a SessionRecord, id: &'a str) -> String {
    no_arrow(&fold(s.speaker_label(id)))
}

/// Caption text, after the speaker if known.
fn cue_text(s: &SessionRecord, seg: &Segment) -> String {
    let text = format!("{}{}", language_tag(&seg.language), clean(&seg.text));
    let text = match &seg.speaker {
        Some(speaker) => format!("{}: {text}", label(s, speaker)),
        None => text,
    };
    match &seg.translation {
        Some(english) => format!("{text}\n{}{}", english_tag(seg), clean(english)),
        None => text,
    }
}

/// `[en] ` before a translation, `[en, may be wrong] ` before one that may be wrong.
fn english_tag(seg: &Segment) -> &'static str {
    if seg.translation_doubt.is_some() { "[en, may be wrong] " } else { "[en] " }
}

/// `[fr] ` before what was not said in English.
fn language_tag(language: &str) -> String {
    if language == "en" || language.is_empty() { String::new() } else { format!("[{language}] ") }
}

pub struct Text;
pub struct Srt;
pub struct Vtt;

impl Document for Text {
    fn file_name(&self) -> &'static str {
        "transcript.txt"
    }
    fn catalog_rank(&self) -> Option<u8> {
        Some(7)
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(text(s.record).into_bytes())
    }
}

impl Document for Srt {
    fn file_name(&self) -> &'static str {
        "transcript.srt"
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(srt(s.record).into_bytes())
    }
}

impl Document for Vtt {
    fn file_name(&self) -> &'static str {
        "transcript.vtt"
    }
    fn render(&self, s: &Rendering) -> Result<Vec<u8>, RenderError> {
        Ok(vtt(s.record).into_bytes())
    }
}

/// One line per speaker turn, or per segment when the recording was not diarized.
fn text(s: &SessionRecord) -> String {
    let mut out = String::new();
    let stamp = |t: f64| clock(t, '.')[..8].to_string();
    if s.speakers.is_empty() {
        for seg in &s.segments {
            writeln!(out, "[{}] {}{}", stamp(seg.start), language_tag(&seg.language), fold(&seg.text)).unwrap();
            if let Some(english) = &seg.translation {
                writeln!(out, "           {}{}", english_tag(seg), fold(english)).unwrap();
            }
        }
        return out;
    }
    for turn in &s.turns {
        let segs: Vec<&Segment> = turn.segments.iter().filter_map(|&id| s.segments.get(id)).collect();
        // One line per turn, whatever the label and text hold.
        let text: Vec<&str> = segs.iter().map(|seg| seg.text.as_str()).collect();
        writeln!(
            out,
            "[{}] {}: {}{}",
            stamp(turn.start),
            fold(s.speaker_label(&turn.speaker)),
            language_tag(&turn.language),
            fold(&text.join(" "))
        )
        .unwrap();
        let english: Vec<&str> = segs.iter().filter_map(|seg| seg.translation.as_deref()).collect();
        if !english.is_empty() {
            let doubtful = segs.iter().find(|seg| seg.translation.is_some() && seg.translation_doubt.is_some());
            let tag = doubtful.map_or("[en] ", |seg| english_tag(seg));
            writeln!(out, "           {tag}{}", fold(&english.join(" "))).unwrap();
        }
    }
    out
}

/// SubRip: a numbered cue per segment.
fn srt(s: &SessionRecord) -> String {
    let mut out = String::new();
    for (i, seg) in s.segments.iter().enumerate() {
        writeln!(out, "{}\n{} --> {}\n{}\n", i + 1, clock(seg.start, ','), clock(seg.end, ','), cue_text(s, seg))
            .unwrap();
    }
    out
}

/// WebVTT: a cue per segment.
fn vtt(s: &SessionRecord) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for seg in &s.segments {
        // In WebVTT `&` and `<` start entities and tags (`<v Name>`); the text is plain.
        let text = cue_text(s, seg).replace('&', "&amp;").replace('<', "&lt;");
        writeln!(out, "{} --> {}\n{}\n", clock(seg.start, '.'), clock(seg.end, '.'), text).unwrap();
    }
    out
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
        assert_eq!(text(&sample()), "[00:00:00] Welcome, everyone.\n[01:01:01] We recommend --> action.\n");
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
        assert_eq!(
            text(&s),
            "[00:00:00] SPEAKER_1: Welcome, everyone.\n[01:01:01] SPEAKER_2: We recommend --> action.\n"
        );
        assert!(srt(&s).contains("\nSPEAKER_1: Welcome, everyone.\n"));
        assert!(vtt(&s).contains("\nSPEAKER_2: We recommend -> action.\n"));
        // Named in speakers.toml: the name everywhere.
        s.speakers[1].name = Some("Moderator: Jane Doe".into());
        assert!(text(&s).ends_with("[01:01:01] Moderator: Jane Doe: We recommend --> action.\n"));
        assert!(srt(&s).contains("\nModerator: Jane Doe: We recommend -> action.\n"));
        assert!(vtt(&s).contains("\nModerator: Jane Doe: We recommend -> action.\n"));
    }

    #[test]
    fn a_name_or_text_cannot_start_a_cue_or_a_line() {
        let mut s = sample();
        s.speakers =
            vec![crate::session::record::Speaker { id: "SPEAKER_1".into(), name: None, talk_time_s: 3.0, voice: None }];
        for seg in &mut s.segments {
            seg.speaker = Some("SPEAKER_1".into());
        }
        s.turns = crate::diarize::attribute::turns(&s.segments);
        // As a session.json written before names were checked may hold them.
        for evil in [
            "Evil\n\n00:00:00.000 --> 00:00:10.000\nINJECTED CUE\n",
            "Evil\r\r99\r00:00:00,000 --->\rINJECTED CUE",
            "Evil\u{2028}\u{2028}INJECTED CUE\u{85}",
        ] {
            s.speakers[0].name = Some(evil.into());
            s.segments[0].text = format!("Hello\r\r{evil}");
            for (name, doc) in [("srt", srt(&s)), ("vtt", vtt(&s))] {
                // Every cue is a timing line followed by text, and nothing else holds an arrow.
                let cues: Vec<&str> =
                    doc.trim_start_matches("WEBVTT\n\n").split("\n\n").filter(|c| !c.is_empty()).collect();
                assert_eq!(cues.len(), s.segments.len(), "{name}: {doc:?}");
                assert_eq!(doc.matches("-->").count(), s.segments.len(), "{name}: {doc:?}");
                assert!(!doc.contains(['\r', '\u{2028}', '\u{85}']), "{name}: {doc:?}");
            }
            let txt = text(&s);
            assert_eq!(txt.lines().count(), s.turns.len(), "{txt:?}");
            assert!(txt.lines().all(|l| l.starts_with('[')) && !txt.contains(['\r', '\u{2028}', '\u{85}']), "{txt:?}");
        }
    }

    #[test]
    fn vtt_text_is_not_markup() {
        let mut s = sample();
        s.segments[0].text = "<v Mallory>Tom & Jerry</v>".into();
        assert!(vtt(&s).contains("\n&lt;v Mallory>Tom &amp; Jerry&lt;/v>\n"));
        assert!(srt(&s).contains("\n<v Mallory>Tom & Jerry</v>\n"), "SRT has no escapes");
    }

    #[test]
    fn srt_and_vtt_cues() {
        let srt = srt(&sample());
        assert!(
            srt.starts_with(
                "1\n00:00:00,500 --> 00:00:02,250\nWelcome, everyone.\n\n2\n01:01:01,000 --> 01:01:02,004\n"
            ),
            "{srt}"
        );
        assert!(srt.contains("We recommend -> action."), "the cue arrow is escaped");
        assert_eq!(no_arrow("a ---> b --> c -- d -> e >--"), "a -> b -> c -- d -> e >--");
        let vtt = vtt(&sample());
        assert!(vtt.starts_with("WEBVTT\n\n00:00:00.500 --> 00:00:02.250\nWelcome, everyone.\n\n"), "{vtt}");
    }
}
