//! Words to speakers: every word takes the speaker the diarizer heard most during it (or,
//! in a gap, the nearest one); segments are split where the speaker changes; consecutive
//! segments of one speaker make a turn. A word spoken over by someone else keeps its main
//! speaker and lists the others as overlap.

use super::{Diarization, speaker_id};
use crate::session::record::{Segment, Speaker, SpeakerTime, Token, Turn, ms};
use crate::text::{ends_sentence, join_words};

/// Seconds each diarized turn shares with [start, end].
fn overlap(t: &super::Turn, start: f64, end: f64) -> f64 {
    (t.end.min(end) - t.start.max(start)).max(0.0)
}

/// The main speaker of [start, end] and the others heard at its middle.
fn speakers_at(d: &Diarization, start: f64, end: f64) -> Option<(usize, Vec<usize>)> {
    let mut time = vec![0f64; d.speakers];
    for t in &d.turns {
        time[t.speaker] += overlap(t, start, end);
    }
    let best = (0..d.speakers).filter(|&s| time[s] > 0.0).max_by(|&a, &b| time[a].total_cmp(&time[b]));
    let main = match best {
        Some(s) => s,
        // In a gap between turns (a word the diarizer missed): the nearest turn's speaker.
        None => {
            let gap = |t: &super::Turn| (t.start - end).max(start - t.end).max(0.0);
            d.turns.iter().min_by(|a, b| gap(a).total_cmp(&gap(b)))?.speaker
        }
    };
    let middle = (start + end) / 2.0;
    let mut others: Vec<usize> = d
        .turns
        .iter()
        .filter(|t| t.speaker != main && t.start <= middle && middle < t.end)
        .map(|t| t.speaker)
        .collect();
    others.sort_unstable();
    others.dedup();
    Some((main, others))
}

/// Labels every word and splits segments at speaker changes; ids are renumbered.
///
/// A word is attributed over its whole span. Its DTW span holds the word but may also hold
/// a pause on either side of it (`transcribe::whisper::words_and_tokens`): the span's
/// silence counts for no one, so such a word still goes to the speaker heard during it.
pub fn attribute(d: &Diarization, segments: Vec<Segment>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for mut seg in segments {
        for w in &mut seg.words {
            if let Some((main, others)) = speakers_at(d, w.start, w.end) {
                w.speaker = Some(speaker_id(main));
                w.overlap = others.into_iter().map(speaker_id).collect();
            }
        }
        keep_the_last_word_in_its_sentence(&mut seg.words);
        // Runs of words with one speaker.
        let mut runs: Vec<Vec<crate::session::record::Word>> = Vec::new();
        for w in std::mem::take(&mut seg.words) {
            match runs.last_mut() {
                Some(run) if run[0].speaker == w.speaker => run.push(w),
                _ => runs.push(vec![w]),
            }
        }
        if runs.len() <= 1 {
            seg.words = runs.pop().unwrap_or_default();
            seg.speaker = seg.words.first().and_then(|w| w.speaker.clone());
            out.push(seg);
            continue;
        }
        // Tokens go with the run they start in.
        let bounds: Vec<f64> = runs.iter().skip(1).map(|r| r[0].start).collect();
        let mut tokens: Vec<Vec<Token>> = vec![Vec::new(); runs.len()];
        for t in std::mem::take(&mut seg.tokens) {
            tokens[bounds.partition_point(|&b| b <= t.start)].push(t);
        }
        let last = runs.len() - 1;
        for (i, (words, tokens)) in runs.into_iter().zip(tokens).enumerate() {
            out.push(Segment {
                start: if i == 0 { seg.start } else { words[0].start },
                end: if i == last { seg.end } else { words[words.len() - 1].end },
                text: join_words(&words),
                speaker: words[0].speaker.clone(),
                words,
                tokens,
                ..seg.clone()
            });
        }
    }
    for (i, s) in out.iter_mut().enumerate() {
        s.id = i;
    }
    out
}

/// A segment is one of whisper's sentences (or several, where a caller joined them), and
/// whisper starts a new sentence where the speaker changes. A sentence whose last word alone
/// goes to another speaker is therefore most likely one whose alignment ran late at its end,
/// where DTW is weakest (a sentence's last row takes in the pause after it, and at a turn
/// change the next speaker's first words, which may repeat the very words just said, can pull
/// it along): that word stays with the speaker of the words before it in its sentence.
fn keep_the_last_word_in_its_sentence(words: &mut [crate::session::record::Word]) {
    let n = words.len();
    if n < 2 || words[n - 1].speaker == words[n - 2].speaker || words[n - 2].speaker.is_none() {
        return;
    }
    if ends_sentence(&words[n - 2].text) {
        return;
    }
    let speaker = words[n - 2].speaker.clone();
    let last = &mut words[n - 1];
    last.overlap.retain(|o| Some(o) != speaker.as_ref());
    last.speaker = speaker;
}

/// Consecutive segments of one speaker (or of none, when not diarized).
pub fn turns(segments: &[Segment]) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::new();
    for s in segments {
        let speaker = s.speaker.clone().unwrap_or_default();
        match out.last_mut() {
            Some(t) if t.speaker == speaker && t.language == s.language => {
                t.end = t.end.max(s.end);
                t.segments.push(s.id);
            }
            _ => out.push(Turn {
                speaker,
                start: s.start,
                end: s.end,
                language: s.language.clone(),
                segments: vec![s.id],
            }),
        }
    }
    out
}

/// The speakers with their talk time, and the timeline, for the session record.
pub fn summary(d: &Diarization) -> (Vec<Speaker>, Vec<SpeakerTime>) {
    let speakers = (0..d.speakers)
        .map(|s| Speaker {
            id: speaker_id(s),
            name: None,
            talk_time_s: ms(d.turns.iter().filter(|t| t.speaker == s).map(|t| t.end - t.start).sum()),
            voice: None,
        })
        .collect();
    let speech = d
        .turns
        .iter()
        .map(|t| SpeakerTime { speaker: speaker_id(t.speaker), start: ms(t.start), end: ms(t.end) })
        .collect();
    (speakers, speech)
}

#[cfg(test)]
mod tests {
    use super::super::Turn as DTurn;
    use super::*;
    use crate::session::record::Word;

    fn word(start: f64, end: f64, text: &str) -> Word {
        Word { start, end, text: text.into(), probability: 0.9, speaker: None, overlap: vec![] }
    }

    fn segment(words: Vec<Word>) -> Segment {
        Segment {
            id: 7,
            start: words[0].start,
            end: words[words.len() - 1].end,
            text: join_words(&words),
            language: "en".into(),
            translation: None,
            translation_doubt: None,
            speaker: None,
            no_speech_prob: 0.1,
            tokens: words
                .iter()
                .map(|w| Token { id: 1, text: format!(" {}", w.text), probability: 0.9, start: w.start, end: w.end })
                .collect(),
            words,
        }
    }

    fn diarization() -> Diarization {
        Diarization {
            speakers: 2,
            turns: vec![
                DTurn { start: 0.0, end: 2.0, speaker: 0 },
                DTurn { start: 1.8, end: 4.0, speaker: 1 },
                DTurn { start: 5.0, end: 6.0, speaker: 0 },
            ],
            voices: vec![],
        }
    }

    #[test]
    fn a_segment_is_split_where_the_speaker_changes() {
        let seg = segment(vec![
            word(0.2, 0.8, "Over"),
            word(0.9, 1.6, "to"),
            word(1.7, 2.0, "you."),
            word(2.5, 3.0, "Thanks."),
        ]);
        let out = attribute(&diarization(), vec![seg]);
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].id, out[0].text.as_str(), out[0].speaker.as_deref()),
            (0, "Over to you.", Some("SPEAKER_1"))
        );
        assert_eq!((out[1].id, out[1].text.as_str(), out[1].speaker.as_deref()), (1, "Thanks.", Some("SPEAKER_2")));
        assert_eq!(out[1].start, 2.5);
        assert_eq!(out[0].tokens.len(), 3);
        assert_eq!(out[1].tokens.len(), 1);
        // "you." (1.7–2.0) is mostly SPEAKER_1's, said over SPEAKER_2's first words.
        assert_eq!(out[0].words[2].overlap, vec!["SPEAKER_2".to_string()]);
        assert!(out[0].words[0].overlap.is_empty());
    }

    #[test]
    fn a_word_whose_span_takes_in_the_pause_before_it_goes_to_the_speaker_heard_in_it() {
        // "Thank" begins a turn at 5.0, but its DTW span also holds the pause before it.
        let out = attribute(&diarization(), vec![segment(vec![word(4.2, 5.3, "Thank"), word(5.3, 5.6, "you.")])]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].speaker.as_deref(), Some("SPEAKER_1"));
    }

    #[test]
    fn a_sentence_keeps_its_last_word_when_only_that_word_changes_speaker() {
        // "you." ran late, past the end of SPEAKER_2's turn (4.0) into SPEAKER_1's (5.0).
        let seg = segment(vec![word(3.0, 3.4, "Thank"), word(4.9, 5.4, "you.")]);
        let out = attribute(&diarization(), vec![seg]);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].text.as_str(), out[0].speaker.as_deref()), ("Thank you.", Some("SPEAKER_2")));
        assert!(out[0].words[1].overlap.is_empty());
        // A turn of two words or more in the sentence is still split off.
        let seg = segment(vec![word(3.0, 3.4, "Thank"), word(5.1, 5.4, "you"), word(5.4, 5.8, "too.")]);
        let out = attribute(&diarization(), vec![seg]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].text, "you too.");
    }

    #[test]
    fn a_word_in_a_gap_takes_the_nearest_speaker() {
        let out = attribute(&diarization(), vec![segment(vec![word(4.6, 4.9, "Yes.")])]);
        assert_eq!(out[0].speaker.as_deref(), Some("SPEAKER_1"));
    }

    #[test]
    fn without_diarization_words_have_no_speaker() {
        let out = attribute(&Diarization::default(), vec![segment(vec![word(0.0, 1.0, "Hello.")])]);
        assert_eq!(out[0].speaker, None);
        assert_eq!(turns(&out).len(), 1);
    }

    #[test]
    fn turns_gather_consecutive_segments_of_a_speaker() {
        let segs = attribute(
            &diarization(),
            vec![
                segment(vec![word(0.2, 0.8, "One.")]),
                segment(vec![word(1.0, 1.5, "Two.")]),
                segment(vec![word(3.0, 3.5, "Three.")]),
            ],
        );
        let t = turns(&segs);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].speaker.as_str(), t[0].segments.clone(), t[0].end), ("SPEAKER_1", vec![0, 1], 1.5));
        assert_eq!(t[1].speaker, "SPEAKER_2");
    }

    #[test]
    fn talk_time_per_speaker() {
        let (speakers, speech) = summary(&diarization());
        assert_eq!(speakers[0].talk_time_s, 3.0);
        assert_eq!(speakers[1].talk_time_s, 2.2);
        assert_eq!(speech.len(), 3);
    }
}
