//! Putting chunk results back together on the recording's clock, and catching whisper's
//! loops (the same words over and over) before they reach the record.

use crate::session::record::Segment;
use crate::text::normalize;

/// True when the text repeats one phrase (of 1 to 8 words) at least 4 times in a row over at
/// least 8 words, or, for longer texts, when under a third of its words are distinct: the
/// signature of a decoder stuck in a loop, not of speech.
pub fn is_looping(text: &str) -> bool {
    let words = normalize(text);
    for n in 1..=8 {
        let mut run = 1;
        let mut i = n;
        while i + n <= words.len() {
            if words[i..i + n] == words[i - n..i] {
                run += 1;
                if run >= 4 && run * n >= 8 {
                    return true;
                }
                i += n;
            } else {
                run = 1;
                i += 1;
            }
        }
    }
    if words.len() >= 30 {
        let mut distinct = words.clone();
        distinct.sort();
        distinct.dedup();
        return distinct.len() * 3 < words.len();
    }
    false
}

/// Chunk results in plan order → one list of segments: word times clamped to their chunk,
/// a segment repeated three or more times in a row kept once, ids renumbered.
pub fn merge(chunks: Vec<(f64, f64, Vec<Segment>)>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for (lo, hi, segments) in chunks {
        let mut repeats = 0;
        let mut last_text: Option<Vec<String>> = None;
        for mut seg in segments {
            let norm = normalize(&seg.text);
            if last_text.as_ref() == Some(&norm) {
                repeats += 1;
                if repeats >= 2 {
                    continue;
                }
            } else {
                repeats = 0;
            }
            last_text = Some(norm);
            let clamp = |t: f64| t.clamp(lo, hi);
            seg.start = clamp(seg.start);
            seg.end = clamp(seg.end).max(seg.start);
            for w in &mut seg.words {
                w.start = clamp(w.start);
                w.end = clamp(w.end).max(w.start);
            }
            for t in &mut seg.tokens {
                t.start = clamp(t.start);
                t.end = clamp(t.end).max(t.start);
            }
            out.push(seg);
        }
    }
    for (i, seg) in out.iter_mut().enumerate() {
        seg.id = i;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::Word;

    fn seg(start: f64, end: f64, text: &str) -> Segment {
        Segment {
            id: 99,
            start,
            end,
            text: text.into(),
            language: "en".into(),
            translation: None,
            translation_doubt: None,
            speaker: None,
            no_speech_prob: 0.0,
            words: vec![Word { start, end, text: text.into(), probability: 1.0, speaker: None, overlap: vec![] }],
            tokens: vec![],
        }
    }

    #[test]
    fn loops_are_recognised_and_speech_is_not() {
        assert!(is_looping("Thank you. Thank you. Thank you. Thank you. Thank you."));
        assert!(is_looping("and the and the and the and the and the"));
        assert!(!is_looping("No, no, no. I said we recommend translated information for migrants."));
        assert!(!is_looping("Governments should keep labour inspections running during any future emergency."));
        let long_real = "Borders closed and people were stranded without income or documents. Traffickers moved quickly. \
                         They recruited online, they promised jobs that did not exist, and they used debt to control people.";
        assert!(!is_looping(long_real));
    }

    #[test]
    fn merges_in_order_clamps_and_drops_repeated_segments() {
        let merged = merge(vec![
            (0.0, 10.0, vec![seg(0.5, 4.0, "Hello."), seg(4.0, 10.4, "Welcome.")]),
            (
                12.0,
                20.0,
                vec![
                    seg(12.0, 13.0, "Go on."),
                    seg(13.0, 14.0, "Go on."),
                    seg(14.0, 15.0, "Go on."),
                    seg(15.0, 16.0, "Go on."),
                ],
            ),
        ]);
        let texts: Vec<&str> = merged.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["Hello.", "Welcome.", "Go on.", "Go on."], "two repeats may be speech; more is a loop");
        assert_eq!(merged[1].end, 10.0, "clamped to its chunk");
        assert_eq!(merged[1].words[0].end, 10.0);
        assert_eq!(merged.iter().map(|s| s.id).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }
}
