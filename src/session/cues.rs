//! Names from what is said, as a rapporteur names speakers: the moderator gives the floor by
//! name ("I now give the floor to Ana Ruiz", "over to you, Ana", "I see a hand from Ana"),
//! thanks who just spoke ("Thank you, Ana."), and speakers introduce themselves ("my name is
//! Ana Ruiz"). Each cue names a voice (the next other voice to speak, the one that just spoke,
//! or the one saying it) with one of session.toml's participants, matched tolerantly because
//! speech recognition misspells names ("Darisak" is Dara Sok). A voice takes the name most of
//! its cues give; a name goes to the voice most cues give it to.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::metadata::SessionMeta;
use super::record::SessionRecord;
use crate::text::letters;

/// A turn shorter than this is not who a cue points at (a "thank you" from the floor).
const MIN_TURN_S: f64 = 2.0;
/// Characters of the cue kept as evidence.
const EXCERPT: usize = 48;
/// How alike (Jaro-Winkler, letters only) what was said and a name must be.
const ALIKE: f64 = 0.86;

/// The cue a voice was named by.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub name: String,
    /// What was said, and when.
    pub said: String,
    pub at: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum Points {
    /// The next other voice: the floor is given.
    Next,
    /// The voice that just spoke: thanked.
    Previous,
    /// The voice saying it: an introduction.
    Speaker,
}

static CUES: LazyLock<Vec<(Regex, Points)>> = LazyLock::new(|| {
    let r = |p: &str| Regex::new(p).expect("a valid pattern");
    vec![
        (
            r(
                r"(?i)\b(?:give|giving|pass|passing|hand|handing|turn)\s+(?:the floor\s+|it\s+|over\s+)*(?:back\s+)?(?:over\s+)?to\s+(.{3,80})",
            ),
            Points::Next,
        ),
        (
            r(
                r"(?i)\b(?:over to you|the floor is yours|you have the floor|please go ahead|you are welcome to speak|would you like to (?:react|respond|add|speak))\b,?\s*(.{3,40})?",
            ),
            Points::Next,
        ),
        (
            r(
                r"(?i)\b(?:i see a hand from|i (?:will )?now (?:invite|call on)|let me (?:now )?(?:invite|call on)|we (?:will )?now hear from)\s+(.{3,80})",
            ),
            Points::Next,
        ),
        (
            r(
                r"(?i)^\W*(?:(?:yes|ok|okay|well|and),?\s+)?(?:thank you|thanks|gracias|merci)(?: very much| so much)?(?: for that)?,?\s+(.{3,40})",
            ),
            Points::Previous,
        ),
        (r(r"(?i)\b(?:my name is|i am|i'm|this is)\s+(.{3,60})"), Points::Speaker),
    ]
});

/// What a cue may say right before "over to you" and the like: the name said first ("Ana,
/// over to you").
static NAME_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[.!?]\s+)([^.!?,]{3,40}),\s+(?:over to you|the floor is yours|you have the floor|please go ahead|you are welcome to speak|would you like to|i see your hand)")
        .expect("a valid pattern")
});

/// The participant `said` names, if one clearly does: the best match of the words at its
/// start (one to three of them, letters only) against each participant's full name, first
/// name and last name, alike enough and ahead of the next participant's.
pub fn match_name<'a>(said: &str, participants: &'a [String]) -> Option<&'a String> {
    let words: Vec<String> = said.split_whitespace().take(8).map(letters).filter(|w| !w.is_empty()).collect();
    let mut best: Vec<(f64, usize)> = participants
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let parts: Vec<String> = name.split_whitespace().map(letters).collect();
            let mut forms = vec![parts.concat()];
            forms.extend(parts.iter().filter(|p| p.len() >= 3).cloned());
            let mut score: f64 = 0.0;
            for start in 0..words.len() {
                for len in 1..=3.min(words.len() - start) {
                    let window = words[start..start + len].concat();
                    if window.len() < 3 {
                        continue;
                    }
                    for form in &forms {
                        // A short word must be nearly exact; names far into the phrase count less.
                        let s = strsim::jaro_winkler(&window, form) - 0.01 * start as f64;
                        let s = if form.len().min(window.len()) <= 4 && s < 0.95 { 0.0 } else { s };
                        score = score.max(s);
                    }
                }
            }
            (score, i)
        })
        .collect();
    best.sort_by(|a, b| b.0.total_cmp(&a.0));
    match best.as_slice() {
        [(s, i), rest @ ..] if *s >= ALIKE && rest.first().is_none_or(|(t, _)| s - t >= 0.04) => {
            Some(&participants[*i])
        }
        _ => None,
    }
}

/// Speaker id → the name its cues give, with the first cue as evidence.
pub fn names(meta: &SessionMeta, record: &SessionRecord) -> BTreeMap<String, Cue> {
    let participants: Vec<String> = meta.participants.iter().map(|p| p.name.clone()).collect();
    if participants.is_empty() {
        return BTreeMap::new();
    }
    let turns = &record.turns;
    let long = |j: usize| turns[j].end - turns[j].start >= MIN_TURN_S;
    // (voice, name) → the cues that say so.
    let mut votes: BTreeMap<(String, String), Vec<Cue>> = BTreeMap::new();
    for (i, turn) in turns.iter().enumerate() {
        for (k, &s) in turn.segments.iter().enumerate() {
            let Some(seg) = record.segments.get(s) else { continue };
            let text = seg.english();
            let mut found: Vec<(Points, &str)> = Vec::new();
            for (re, points) in CUES.iter() {
                // Thanks open a turn; the rest may come anywhere.
                if *points == Points::Previous && k > 0 {
                    continue;
                }
                found.extend(re.captures_iter(text).filter_map(|c| c.get(1)).map(|m| (*points, m.as_str())));
            }
            found.extend(NAME_FIRST.captures_iter(text).filter_map(|c| c.get(1)).map(|m| (Points::Next, m.as_str())));
            for (points, said) in found {
                let Some(name) = match_name(said, &participants) else { continue };
                let voice = match points {
                    Points::Next => (i + 1..turns.len()).find(|&j| turns[j].speaker != turn.speaker && long(j)),
                    Points::Previous => (0..i).rev().find(|&j| turns[j].speaker != turn.speaker && long(j)),
                    Points::Speaker => Some(i),
                };
                let Some(j) = voice else { continue };
                let excerpt: String = match text.char_indices().nth(EXCERPT) {
                    Some((at, _)) => format!("{}…", &text[..at]),
                    None => text.to_string(),
                };
                let cue = Cue { name: name.clone(), said: excerpt, at: seg.start };
                votes.entry((turns[j].speaker.clone(), name.clone())).or_default().push(cue);
            }
        }
    }
    // Most votes first; a voice takes its best name, a name its best voice.
    let mut ranked: Vec<((String, String), Vec<Cue>)> = votes.into_iter().collect();
    ranked.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.1[0].at.total_cmp(&b.1[0].at)));
    let mut out: BTreeMap<String, Cue> = BTreeMap::new();
    for ((voice, name), cues) in ranked {
        if out.contains_key(&voice) || out.values().any(|c| c.name == name) {
            continue;
        }
        out.insert(voice, cues.into_iter().next().expect("a vote has a cue"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::metadata::Participant;
    use crate::session::record::{Segment, Turn, tests::sample};

    /// A record of turns (voice, what was said), 10 s each.
    fn record(said: &[(&str, &str)]) -> SessionRecord {
        let mut r = sample();
        let seg = r.segments[0].clone();
        r.segments = (said.iter().enumerate())
            .map(|(i, (voice, text))| Segment {
                id: i,
                start: 10.0 * i as f64,
                end: 10.0 * i as f64 + 9.0,
                text: text.to_string(),
                speaker: Some(voice.to_string()),
                ..seg.clone()
            })
            .collect();
        r.turns = (said.iter().enumerate())
            .map(|(i, (voice, _))| Turn {
                speaker: voice.to_string(),
                start: 10.0 * i as f64,
                end: 10.0 * i as f64 + 9.0,
                language: "en".into(),
                segments: vec![i],
            })
            .collect();
        r
    }

    #[test]
    fn the_floor_given_thanks_and_introductions_name_the_right_voices() {
        let meta = listed();
        let r = record(&[
            ("S1", "Good morning. My name is Helena Marsh and I welcome you."),
            ("S1", "I hand over to our moderator, Jonas Erickson."),
            ("S2", "Thank you, Helena. I now give the floor to Darisak of the workers' centre."),
            ("S3", "Thank you, Jonas. Since May debts have risen."),
            ("S2", "Thank you, Dara. Over to you, Victor."),
            ("S4", "Thank you. Funding is our main problem."),
        ]);
        let named: Vec<(String, String)> = names(&meta, &r).into_iter().map(|(v, c)| (v, c.name)).collect();
        let want = [("S1", "Helena Marsh"), ("S2", "Jonas Eriksen"), ("S3", "Dara Sok"), ("S4", "Viktor Lungu")];
        assert_eq!(named, want.map(|(v, n)| (v.to_string(), n.to_string())));
        // Without participants, nobody is named from what is said.
        assert!(names(&SessionMeta::default(), &r).is_empty());
    }

    #[test]
    fn look_alikes_name_no_one() {
        let meta = listed();
        let r = record(&[
            ("S1", "Thank you all for making the time."),
            ("S2", "The floor is open, so please use the raise hand function."),
            ("S3", "Thank you, everyone. I give the floor back to all of you."),
            ("S1", "Thank you. Over to you, colleagues in the region."),
            ("S4", "I am sure many of you have seen this. I am speaking from Guatemala City."),
            ("S2", "Thank you very much for these important points."),
        ]);
        assert!(names(&meta, &r).is_empty(), "{:?}", names(&meta, &r));
    }

    /// A session.toml listing `people()`.
    fn listed() -> SessionMeta {
        SessionMeta {
            participants: people()
                .into_iter()
                .map(|name| Participant { name, role: None, organisation: None })
                .collect(),
            ..Default::default()
        }
    }

    fn people() -> Vec<String> {
        ["Helena Marsh", "Jonas Eriksen", "Priya Raman", "Rafael Ortega", "Dara Sok", "Viktor Lungu", "Lucía Paredes"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn names_are_matched_through_speech_recognition_misspellings() {
        let p = people();
        for (said, name) in [
            ("Priya, would you like", "Priya Raman"),
            ("Raphael Ortegaard's a narrow-siguro in Guatemala.", "Rafael Ortega"),
            ("Darisak of the Anaman Workers' Solidarity Center.", "Dara Sok"),
            ("our third lead discussant, Victor Lungu of the Luminant", "Viktor Lungu"),
            ("Lucia Pairdes of Fundacion Puente", "Lucía Paredes"),
            ("our moderator, Jonas Erickson.", "Jonas Eriksen"),
            ("Helena, and hello to everyone.", "Helena Marsh"),
        ] {
            assert_eq!(match_name(said, &p).map(String::as_str), Some(name), "{said}");
        }
        for said in ["everyone for joining us today", "the platform's next meeting", "all of you"] {
            assert_eq!(match_name(said, &p), None, "{said}");
        }
    }
}
