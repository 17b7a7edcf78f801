//! English for what was said in another language (`--translate`). Each stretch of one speaker
//! in one language other than English becomes one segment (a translation needs whole
//! thoughts, not the sentence pieces captions are cut into), and whisper's translate task over
//! its audio gives the English. The original text stays; the translation goes beside it.

use std::ops::Range;

use super::{DecodeOptions, SpeechEngine, Task, TranscribeError, parallel};
use crate::audio::{Pcm, SAMPLE_RATE};
use crate::progress::Tick;
use crate::session::record::Segment;

/// Audio kept on each side of a stretch, so its first and last words are whole.
const MARGIN_S: f64 = 0.2;
/// A stretch ends at a pause longer than this...
const MAX_PAUSE_S: f64 = 2.0;
/// ...or before it would grow longer than this (whisper translates up to 30 s at once).
const MAX_STRETCH_S: f64 = 24.0;

/// Runs of consecutive segments (index ranges) to translate as one.
pub fn stretches(segments: &[Segment]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        if s.language == "en" {
            continue;
        }
        let joins = out.last().is_some_and(|r| {
            let (first, last) = (&segments[r.start], &segments[r.end - 1]);
            r.end == i
                && last.language == s.language
                && last.speaker == s.speaker
                && s.start - last.end <= MAX_PAUSE_S
                && s.end - first.start <= MAX_STRETCH_S
        });
        if joins {
            out.last_mut().expect("checked").end = i + 1;
        } else {
            out.push(i..i + 1);
        }
    }
    out
}

/// Segments with every stretch not in English made one segment with its English
/// translation; ids renumbered in order.
pub fn translate(
    engine: &dyn SpeechEngine,
    pcm: &Pcm,
    segments: Vec<Segment>,
    opts: &DecodeOptions,
    jobs: usize,
    tick: &Tick<'_>,
) -> Result<Vec<Segment>, TranscribeError> {
    let runs = stretches(&segments);
    let rate = SAMPLE_RATE as f64;
    let texts = parallel(
        engine,
        Task::Decode,
        opts.threads,
        runs.len(),
        jobs,
        &|worker, k| {
            let (first, last) = (&segments[runs[k].start], &segments[runs[k].end - 1]);
            let from = ((first.start - MARGIN_S).max(0.0) * rate) as usize;
            let to = (((last.end + MARGIN_S) * rate) as usize).min(pcm.samples.len()).max(from);
            worker.translate(&pcm.f32s(from..to), &first.language, opts)
        },
        tick,
    )?;
    let mut out: Vec<Segment> = Vec::with_capacity(segments.len());
    let mut runs = runs.into_iter().zip(texts).peekable();
    for (i, seg) in segments.into_iter().enumerate() {
        let in_run = runs.peek().map(|(r, _)| r.clone()).filter(|r| r.contains(&i));
        match in_run {
            Some(r) if i > r.start => {
                let merged = out.last_mut().expect("the run's first segment");
                merged.end = merged.end.max(seg.end);
                merged.text = format!("{} {}", merged.text, seg.text);
                merged.no_speech_prob = merged.no_speech_prob.min(seg.no_speech_prob);
                merged.words.extend(seg.words);
                merged.tokens.extend(seg.tokens);
            }
            Some(_) => out.push(seg),
            None => out.push(seg),
        }
        if let Some((r, _)) = runs.peek()
            && i + 1 == r.end
        {
            let (_, text) = runs.next().expect("peeked");
            let merged = out.last_mut().expect("the run's segment");
            merged.translation = (!text.is_empty()).then_some(text);
        }
    }
    for (id, s) in out.iter_mut().enumerate() {
        s.id = id;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: f64, end: f64, language: &str, speaker: &str) -> Segment {
        Segment {
            id: 0,
            start,
            end,
            text: format!("{language}{start}"),
            language: language.into(),
            translation: None,
            speaker: Some(speaker.into()),
            no_speech_prob: 0.0,
            words: vec![],
            tokens: vec![],
        }
    }

    #[test]
    fn stretches_hold_one_speaker_one_language_and_no_long_pause() {
        let s = [
            seg(0.0, 5.0, "en", "A"),
            seg(5.5, 8.0, "fr", "B"),
            seg(8.5, 12.0, "fr", "B"),
            seg(15.0, 18.0, "fr", "B"), // after a 3 s pause
            seg(18.2, 20.0, "fr", "C"), // another speaker
            seg(20.5, 22.0, "es", "C"), // another language
            seg(22.5, 30.0, "es", "C"),
            seg(30.5, 48.0, "es", "C"), // would make the stretch 27.5 s
        ];
        assert_eq!(stretches(&s), [1..3, 3..4, 4..5, 5..7, 7..8]);
    }
}
