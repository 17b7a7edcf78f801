//! English for what was said in another language (`--translate`). Each stretch of one speaker
//! in one language other than English becomes one segment (a translation needs whole
//! thoughts, not the sentence pieces captions are cut into), and whisper's translate task over
//! its audio gives the English. The original text stays; the translation goes beside it, with
//! the reason to doubt it when there is one (`doubt`): whisper can write fluent English that
//! was never said.

use std::ops::Range;

use super::engine::Translation;
use super::{DecodeOptions, SpeechEngine, Task, TranscribeError, parallel};
use crate::audio::{Pcm, SAMPLE_RATE};
use crate::progress::Tick;
use crate::session::record::Segment;
use crate::text::letters;

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
            let (_, english) = runs.next().expect("peeked");
            let merged = out.last_mut().expect("the run's segment");
            if !english.text.is_empty() {
                let heard = merged.words.iter().map(|w| w.probability).sum::<f32>() / merged.words.len().max(1) as f32;
                let said = Said { text: &merged.text, probability: if merged.words.is_empty() { 1.0 } else { heard } };
                merged.translation_doubt = doubt(&said, &english);
                merged.translation = Some(english.text);
            }
        }
    }
    for (id, s) in out.iter_mut().enumerate() {
        s.id = id;
    }
    Ok(out)
}

/// A translation whose tokens whisper was less sure of than this, on average, is doubtful...
const MIN_PROBABILITY: f32 = 0.6;
/// ...and so is one of words heard with less certainty than this: a translation is no better
/// than the hearing. Both measured on the 20 Common Voice clips and the sample's two
/// interventions (BENCHMARKS.md, "Translations that may be wrong").
const MIN_HEARD: f32 = 0.75;

/// What was said in the other language, and whisper's mean probability of its words.
pub struct Said<'a> {
    pub text: &'a str,
    pub probability: f32,
}

/// Why `english` may not be what was said, if it may not: letters of another script (whisper
/// drifting into other languages), low token probabilities in it or in what was heard, or
/// names and numbers said that it leaves out (a faithful translation keeps them).
pub fn doubt(said: &Said, english: &Translation) -> Option<String> {
    if english.text.chars().any(|c| c.is_alphabetic() && !is_latin(c)) {
        return Some("it holds letters of another script".into());
    }
    if english.probability < MIN_PROBABILITY {
        return Some(format!("whisper was {:.0}% sure of its words", english.probability * 100.0));
    }
    if said.probability < MIN_HEARD {
        return Some(format!("whisper was {:.0}% sure of the words it translates", said.probability * 100.0));
    }
    let kept = names_and_numbers(said.text);
    let english: Vec<String> = english.text.split_whitespace().map(key).collect();
    if !kept.is_empty() && !kept.iter().any(|k| english.contains(k)) {
        return Some(format!("it leaves out the names and numbers said ({})", kept.join(", ")));
    }
    None
}

/// Latin letters: ASCII, Latin-1, Latin Extended A and B, and Latin Extended Additional.
fn is_latin(c: char) -> bool {
    matches!(c as u32, 0..=0x24F | 0x1E00..=0x1EFF)
}

/// A word as names and numbers are compared: digits as they are, else its letters.
fn key(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) {
        word.chars().filter(char::is_ascii_digit).collect()
    } else {
        letters(word)
    }
}

/// The words of `said` a translation keeps as they are: numbers written in digits and names
/// (capitalised, not at a sentence's start).
fn names_and_numbers(said: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut starts_sentence = true;
    for w in said.split_whitespace() {
        let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
        let number = bare.chars().any(|c| c.is_ascii_digit());
        let name = !starts_sentence && bare.chars().next().is_some_and(char::is_uppercase);
        let k = key(bare);
        if (number || name) && !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
        starts_sentence = w.ends_with(['.', '?', '!', ':']);
    }
    out
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
            translation_doubt: None,
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

    #[test]
    fn a_translation_that_may_be_wrong_says_why() {
        let en = |text: &str, probability| Translation { text: text.into(), probability };
        let said = Said { text: "Recomendamos que los estados abran canales seguros y regulares.", probability: 0.9 };
        // Faithful and sure: no doubt.
        assert_eq!(doubt(&said, &en("We recommend that states open safe and regular channels.", 0.8)), None);
        // Another script, however sure.
        assert!(doubt(&said, &en("Let me, APIs and갓孩 for your future!", 0.9)).unwrap().contains("another script"));
        // Unsure tokens, in the English or in what was heard.
        let lost = en("We recommend that you know each other on channels.", 0.4);
        assert!(doubt(&said, &lost).unwrap().contains("40% sure of its words"));
        let misheard = Said { probability: 0.7, ..said };
        assert!(doubt(&misheard, &en("We recommend safe channels.", 0.9)).unwrap().contains("70% sure of the words"));
        // A name or a number said and lost; accents and case do not count as lost.
        let named = Said { text: "Trabajamos con la Fundación Puente Andino en Lima desde 2019.", probability: 0.9 };
        assert_eq!(names_and_numbers(named.text), ["fundacion", "puente", "andino", "lima", "2019"]);
        assert_eq!(doubt(&named, &en("We work with Fundacion Puente Andino in Lima since 2019.", 0.8)), None);
        assert!(doubt(&named, &en("It will be a good time to start my company.", 0.8)).unwrap().contains("leaves out"));
        // The first word of a sentence is no name.
        assert!(names_and_numbers("Durante la pandemia. Las fronteras se cerraron.").is_empty());
    }
}
