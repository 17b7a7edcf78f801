//! Points: what minutes are made of. A point is one claim by one speaker, a sentence or two of
//! the transcript, with its time span, its text cleaned of disfluencies and repetitions, and
//! a confidence from its words' probabilities. The meeting's procedure (greetings, "can you
//! hear me", screen sharing, giving the floor, thanks), questions about logistics and
//! fragments stay in the transcript but are not points.

use std::sync::LazyLock;

use regex::Regex;

use crate::session::SessionRecord;
use crate::text::normalize;

/// A sentence shorter than this is joined to the next one of the same speaker, if any.
const SHORT_WORDS: usize = 8;
/// A point holds at least this many words once cleaned; fewer is a fragment.
pub const MIN_WORDS: usize = 5;
/// A first sentence of at most this many words, before others, is a lead-in.
const LEAD_IN_WORDS: usize = 7;
/// A point grows by continued sentences up to about this many words.
const MAX_WORDS: usize = 60;
/// Two sentences are one point only when the pause between them is at most this.
const JOIN_PAUSE_S: f64 = 1.5;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    /// The speaker's id (`SPEAKER_2`), when the session was diarized.
    pub speaker: Option<String>,
    pub start: f64,
    pub end: f64,
    /// What was said, disfluencies and repetitions removed; no word added.
    pub text: String,
    /// The mean probability of its words.
    pub confidence: f32,
    /// The share of its words whisper was unsure of (probability under 0.5).
    pub unsure: f32,
    /// The language it was said in; its text is whisper's English translation when that is
    /// not English and the session was translated.
    pub language: String,
    pub translated: bool,
    /// Why its translation may be wrong, when it may (`transcribe::translate::doubt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation_doubt: Option<String>,
    /// The record's segments it was cut from.
    pub segments: Vec<usize>,
}

/// A word below this probability is one whisper was unsure of.
const UNSURE_WORD: f32 = 0.5;

/// Words that carry no content when said alone: hesitations.
const FILLERS: [&str; 9] = ["uh", "um", "uhm", "er", "erm", "ah", "hmm", "mm", "eh"];

/// `words` without hesitations and without a word or a pair of words said twice in a row
/// ("the the", "we need we need"). It only removes: the result is a subsequence of `words`.
pub fn clean(words: &[&str]) -> Vec<String> {
    let key = |w: &str| normalize(w).join(" ");
    let mut out: Vec<String> = Vec::new();
    for w in words {
        let k = key(w);
        if FILLERS.contains(&k.as_str()) {
            continue;
        }
        // A repeat: the previous word again. One of the two is kept as it was said: the
        // second when it ends a clause ("shelters shelters."), else the first ("The the").
        if let Some(last) = out.last_mut()
            && !k.is_empty()
            && key(last) == k
        {
            keep_closing(last, w);
            continue;
        }
        out.push(w.to_string());
        // A repeated pair: "we need we need".
        let n = out.len();
        if n >= 4 && key(&out[n - 4]) == key(&out[n - 2]) && key(&out[n - 3]) == key(&out[n - 1]) {
            let second = out.pop().expect("n >= 4");
            out.pop();
            keep_closing(out.last_mut().expect("n >= 4"), &second);
        }
    }
    out
}

/// `kept` becomes `repeat` when only the repeat ends with punctuation.
fn keep_closing(kept: &mut String, repeat: &str) {
    let closes = |w: &str| w.ends_with(|c: char| c.is_ascii_punctuation());
    if closes(repeat) && !closes(kept) {
        *kept = repeat.to_string();
    }
}

static PROCEDURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(",
        r"can (you|everyone|everybody|all of you) (all )?(hear|see) (me|us|my screen|my slide)|you('re| are) (on )?mute|unmute|",
        r"share (my |the )?screen|screen shar|next slide|",
        r"give (you )?the floor|pass the floor|the floor (is|goes) (to|now)|over to you|hand over to|",
        r"i('ll| will) now (invite|call on|turn to)|let me (now )?(invite|introduce|turn to)|",
        r"in the chat|the chat box|raise your hand|the recording (of|will)|the link|",
        // The session talking about itself: its purpose, its agenda, its report.
        r"(this|today's) (listening )?(session|conversation|discussion|meeting)|these sessions|",
        r"today we (will )?(discuss|talk about|hear)|(our )?(first|second|third|next|last) (lead )?discussant|",
        r"we (would (also )?like|want) to (hear|listen)|we heard|open the floor|circulate (a|the) (short )?(summary|report)|",
        r"would you like to (react|respond|add|comment|say)|we are (very )?interested in (hearing|the|what|how)",
        r")"
    ))
    .expect("a valid pattern")
});

static COURTESY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^((yes|ok|okay|well|so|and),?\s+)?(thank(s| you)|good (morning|afternoon|evening)|hello|hi|welcome|greetings|bonjour|buenos|gracias|merci)\b")
        .expect("a valid pattern")
});

/// Whether a sentence runs the meeting rather than says something about its subject: giving
/// the floor, checking the line, the screen or the chat; or a courtesy (thanks, a greeting)
/// with little else in it.
pub fn is_procedure(text: &str) -> bool {
    let words = normalize(text).len();
    PROCEDURE.is_match(text) || (COURTESY.is_match(text.trim()) && words < 2 * SHORT_WORDS)
}

/// A sentence of a few words, with no number, that starts as talk about the talk and only
/// leads into the next one ("But there is also good news.", "None of this is entirely new.",
/// "Let me start with the fishing sector.").
fn is_lead_in(sentence: &[String]) -> bool {
    const OPENERS: [&str; 14] =
        ["but", "so", "well", "now", "first", "second", "third", "finally", "very", "none", "let", "yes", "okay", "ok"];
    let first = sentence.first().map(|w| normalize(w).join(" ")).unwrap_or_default();
    let closed = sentence.last().is_some_and(|w| w.ends_with('.'));
    closed
        && OPENERS.contains(&first.as_str())
        && sentence.len() <= LEAD_IN_WORDS
        && !sentence.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()))
}

/// `words` in sentences: each ends at a word that ends with `.`, `?` or `!`.
fn sentences(words: Vec<String>) -> impl Iterator<Item = Vec<String>> {
    let mut current = Vec::new();
    let mut all = Vec::new();
    for w in words {
        let stop = w.ends_with(['.', '?', '!']);
        current.push(w);
        if stop {
            all.push(std::mem::take(&mut current));
        }
    }
    all.extend(Some(current).filter(|c| !c.is_empty()));
    all.into_iter()
}

/// Whether whisper cut one sentence in two: `before` has no closing stop ("…COVID-19" /
/// "on trafficking…") or `next` starts in lower case.
fn cut(before: &str, next: &str) -> bool {
    let open = !before.trim_end().ends_with(['.', '?', '!']);
    open || next.trim_start().chars().next().is_some_and(char::is_lowercase)
}

/// Whether `next` goes on with `before`: one sentence cut in two, or a sentence that starts
/// with a word tying it to the one before ("Because…", "And…").
fn continues(before: &str, next: &str) -> bool {
    let first = next.split_whitespace().next().unwrap_or("").trim_matches(',');
    cut(before, next) || ["Because", "Which", "And"].contains(&first)
}

/// The record's points, in order of time.
pub fn points(record: &SessionRecord) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::new();
    let mut pending: Option<Point> = None;
    // The speaker and text of a sentence left out as procedure: its continuation goes too.
    let mut dropped: Option<(&Option<String>, &str)> = None;
    for (i, seg) in record.segments.iter().enumerate() {
        // What was said, or its English translation (which has no words of its own).
        // A record without word times (an older or hand-made one) has only the text.
        let said: Vec<&str> = match &seg.translation {
            Some(t) => t.split_whitespace().collect(),
            None if seg.words.is_empty() => seg.text.split_whitespace().collect(),
            None => seg.words.iter().map(|w| w.text.as_str()).collect(),
        };
        // Its sentences that run the meeting ("Yes, thank you, Jonas.") are left out, and a
        // short lead-in before the claim ("But there is also good news.").
        let mut kept: Vec<Vec<String>> = sentences(clean(&said)).filter(|s| !is_procedure(&s.join(" "))).collect();
        if kept.len() > 1 && is_lead_in(&kept[0]) {
            kept.remove(0);
        }
        let cleaned: Vec<String> = kept.concat();
        let rest_of_procedure =
            dropped.take().is_some_and(|(speaker, text)| speaker == &seg.speaker && cut(text, seg.english()));
        if cleaned.is_empty() || rest_of_procedure {
            dropped = Some((&seg.speaker, seg.english()));
            out.extend(pending.take().filter(|p| normalize(&p.text).len() >= MIN_WORDS));
            continue;
        }
        let n = seg.words.len().max(1) as f32;
        // Without words there is no probability to doubt: taken as sure.
        let confidence =
            if seg.words.is_empty() { 1.0 } else { seg.words.iter().map(|w| w.probability).sum::<f32>() / n };
        let unsure = seg.words.iter().filter(|w| w.probability < UNSURE_WORD).count() as f32 / n;
        let point = Point {
            speaker: seg.speaker.clone(),
            start: seg.start,
            end: seg.end,
            text: cleaned.join(" "),
            confidence,
            unsure,
            language: seg.language.clone(),
            translated: seg.translation.is_some(),
            translation_doubt: seg.translation.as_ref().and(seg.translation_doubt.clone()),
            segments: vec![i],
        };
        pending = Some(match pending.take() {
            // A short sentence and the next of the same speaker, close behind, are one point.
            Some(p)
                if p.speaker == point.speaker
                    && p.language == point.language
                    && point.start - p.end <= JOIN_PAUSE_S
                    && ((p.segments.len() == 1 && normalize(&p.text).len() < SHORT_WORDS)
                        || (continues(&p.text, &point.text) && normalize(&p.text).len() < MAX_WORDS)) =>
            {
                let (a, b) = (normalize(&p.text).len() as f32, normalize(&point.text).len() as f32);
                Point {
                    end: point.end,
                    text: format!("{} {}", p.text, point.text),
                    confidence: (p.confidence * a + point.confidence * b) / (a + b).max(1.0),
                    unsure: (p.unsure * a + point.unsure * b) / (a + b).max(1.0),
                    segments: p.segments.iter().copied().chain([i]).collect(),
                    translation_doubt: p.translation_doubt.clone().or(point.translation_doubt),
                    ..p
                }
            }
            Some(p) => {
                out.extend(Some(p).filter(|p| normalize(&p.text).len() >= MIN_WORDS));
                point
            }
            None => point,
        });
    }
    out.extend(pending.filter(|p| normalize(&p.text).len() >= MIN_WORDS));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::tests::sample;
    use crate::session::record::{Segment, Word};

    #[test]
    fn cleaning_removes_hesitations_and_repeats_and_adds_nothing() {
        let said = "Um, we we need, uh, we need more shelters shelters. The the hotline doubled.";
        let words: Vec<&str> = said.split_whitespace().collect();
        let cleaned = clean(&words);
        assert_eq!(cleaned.join(" "), "we need, more shelters. The hotline doubled.");
        // A subsequence of what was said.
        let mut rest = words.iter();
        assert!(cleaned.iter().all(|c| rest.any(|w| w == c)));
    }

    #[test]
    fn a_lead_in_is_told_from_a_short_claim() {
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        for l in
            ["But there is also good news.", "None of this is entirely new.", "Let me start with the fishing sector."]
        {
            assert!(is_lead_in(&words(l)), "{l}");
        }
        for c in [
            "Migrants lost jobs.",
            "So 40 shelters closed.",
            "The problem is implementation.",
            "But calls to the hotline doubled in May and June.",
        ] {
            assert!(!is_lead_in(&words(c)), "{c}");
        }
    }

    #[test]
    fn procedure_is_told_from_content() {
        for p in [
            "Can you all hear me?",
            "I will now give the floor to Ms. Ruiz.",
            "Let me share my screen.",
            "Thank you very much, Jonas.",
            "Good morning everyone and welcome.",
            "Please put your questions in the chat.",
            "Over to you, Dara.",
        ] {
            assert!(is_procedure(p), "{p}");
        }
        for c in [
            "Calls to the hotline doubled during the lockdown.",
            "Thank you. Shelters were full for most of the year, and many survivors had nowhere to go until the border reopened.",
            "We recommend that governments fund legal aid for survivors.",
            "Can the Compact help us hold governments to their commitments?",
        ] {
            assert!(!is_procedure(c), "{c}");
        }
    }

    fn seg(speaker: &str, start: f64, text: &str) -> Segment {
        let words: Vec<Word> = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.into(),
                start: start + i as f64 * 0.3,
                end: start + i as f64 * 0.3 + 0.25,
                probability: 0.8,
                speaker: Some(speaker.into()),
                overlap: vec![],
            })
            .collect();
        let end = words.last().map_or(start, |w| w.end);
        Segment {
            id: 0,
            start,
            end,
            text: text.into(),
            language: "en".into(),
            translation: None,
            translation_doubt: None,
            speaker: Some(speaker.into()),
            no_speech_prob: 0.0,
            words,
            tokens: vec![],
        }
    }

    #[test]
    fn a_record_is_cut_into_points_without_procedure_or_fragments() {
        let mut record = sample();
        record.segments = vec![
            seg("SPEAKER_1", 0.0, "Good morning everyone."),
            seg("SPEAKER_1", 2.0, "I give the floor to Dara."),
            seg("SPEAKER_2", 5.0, "Thank you. Can everyone hear me?"),
            seg("SPEAKER_2", 6.0, "Migrants lost jobs."),
            seg("SPEAKER_2", 7.5, "Many then took loans from recruiters at high interest."),
            seg("SPEAKER_2", 12.0, "Beach."),
            seg(
                "SPEAKER_3",
                20.0,
                "Yes, thank you, Jonas. We recommend that ministries of labour inspect recruitment agencies.",
            ),
        ];
        let p = points(&record);
        let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Migrants lost jobs. Many then took loans from recruiters at high interest.",
                "We recommend that ministries of labour inspect recruitment agencies."
            ]
        );
        assert_eq!(p[0].segments, [3, 4]);
        assert_eq!((p[0].start, p[0].speaker.as_deref()), (6.0, Some("SPEAKER_2")));
        assert!((p[0].confidence - 0.8).abs() < 1e-6);
    }
}
