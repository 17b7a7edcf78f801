//! What the language model is asked, and how its answers are read. The instructions come first
//! and are the same for every point, so the model's process evaluates them once.

use std::sync::LazyLock;

use regex::Regex;

use super::SUBJECT;
use super::worker::Message;

/// The most sentences a facet's summary has.
pub const SENTENCES: usize = 3;
/// How each sentence of a facet's summary begins: reported speech, no one named.
pub const SUMMARY_START: &str = "Participants";
/// The most tokens a facet's summary may take.
pub const SUMMARY_TOKENS: usize = 130;

const SYSTEM: &str = "You write the minutes of a meeting as a United Nations secretariat does: formal \
reported speech, in the past tense and the third person. Use only what you are given: never add a fact, \
a name, a place, a number, a date or an opinion. Leave out hesitations, greetings and thanks.";

/// One point as one sentence beginning "The speaker", shown how by two examples.
pub fn point(said: &str) -> Vec<Message> {
    vec![
        Message::system(SYSTEM),
        Message::user(ask(
            "So we have seen, uh, calls to our hotline double since March, mostly from women in the garment factories.",
        )),
        Message::assistant(format!(
            "{SUBJECT} noted that calls to their hotline had doubled since March, mostly from women in the garment factories."
        )),
        Message::user(ask("I think governments should really make sure that labour inspectors can visit the farms.")),
        Message::assistant(format!(
            "{SUBJECT} recommended that governments make sure that labour inspectors could visit the farms."
        )),
        Message::user(ask(said)),
    ]
}

fn ask(said: &str) -> String {
    format!(
        "Write this remark as one sentence of reported speech beginning \"{SUBJECT}\", keeping its facts, names and numbers.\n\nRemark: \"{said}\""
    )
}

/// A facet's remarks, numbered, to be summed up in sentences that cite them.
pub fn summary(facet: &str, items: &[(String, Vec<usize>)]) -> Vec<Message> {
    let mut remarks = String::new();
    for (k, (text, _)) in items.iter().enumerate() {
        remarks.push_str(&format!("[{}] {}\n", k + 1, text));
    }
    vec![
        Message::system(SYSTEM),
        Message::user(format!(
            "Remarks made at the meeting on {facet}:\n{remarks}\nSum up what these remarks have in common in two \
             or three sentences of reported speech, each beginning \"{SUMMARY_START}\". Name no one. End each \
             sentence with the numbers of the remarks it rests on, in brackets, like [1][3]."
        )),
    ]
}

/// A summary's sentence must be one: a few words, not a clause cut from another.
pub fn is_sentence(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or_default().trim_matches(|c: char| !c.is_alphabetic());
    s.split_whitespace().count() >= 6
        && first.chars().next().is_some_and(char::is_uppercase)
        && !["And", "But", "Because", "So", "Or", "Which", "That"].contains(&first)
}

/// The answer's first line, without quotes around it.
pub fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default().trim();
    line.trim_matches(|c| c == '"' || c == '“' || c == '”').trim().to_string()
}

/// What follows "The speaker" at the start of `sentence`.
pub fn after_subject(sentence: &str) -> Option<&str> {
    let head = sentence.get(..SUBJECT.len())?;
    head.eq_ignore_ascii_case(SUBJECT).then(|| sentence[SUBJECT.len()..].trim_start()).filter(|r| !r.is_empty())
}

static CITES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]").expect("valid"));
static TRAILING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\s,;:]+([.!?])$").expect("valid"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d+").expect("valid"));

/// The sentences of an answer with the remark numbers each cites, citations removed: "A [1].
/// B. [2][3]" is ("A.", [1]) and ("B.", [2, 3]); citations before or after the full stop both
/// count.
pub fn cited_sentences(text: &str) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    let mut sentence = String::new();
    let mut cites: Vec<usize> = Vec::new();
    let mut last = 0;
    let flush = |sentence: &mut String, cites: &mut Vec<usize>, out: &mut Vec<(String, Vec<usize>)>| {
        let s = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
        // What a removed citation leaves: "since March, ." is "since March."
        let s = TRAILING.replace(&s, "$1").into_owned();
        if s.chars().any(char::is_alphabetic) {
            out.push((s, std::mem::take(cites)));
        } else if let Some(prev) = out.last_mut() {
            prev.1.append(cites);
        }
        sentence.clear();
    };
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    for m in CITES.find_iter(text) {
        pieces.push((false, &text[last..m.start()]));
        pieces.push((true, m.as_str()));
        last = m.end();
    }
    pieces.push((false, &text[last..]));
    for (is_cite, piece) in pieces {
        if is_cite {
            let numbers = NUMBER.find_iter(piece).filter_map(|n| n.as_str().parse::<usize>().ok());
            if sentence.trim().is_empty() {
                // After the full stop: the sentence before.
                if let Some(prev) = out.last_mut() {
                    prev.1.extend(numbers);
                    continue;
                }
            }
            cites.extend(numbers);
            continue;
        }
        for ch in piece.chars() {
            sentence.push(ch);
            if matches!(ch, '.' | '!' | '?') {
                flush(&mut sentence, &mut cites, &mut out);
            }
        }
    }
    flush(&mut sentence, &mut cites, &mut out);
    out.iter_mut().for_each(|(_, c)| {
        c.sort_unstable();
        c.dedup();
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_belong_to_their_sentence_before_or_after_its_stop() {
        let got = cited_sentences("Participants noted A [1]. They stressed B. [2][3]\nC, said some, [4, 2].  Uncited.");
        let want = vec![
            ("Participants noted A.".to_string(), vec![1]),
            ("They stressed B.".to_string(), vec![2, 3]),
            ("C, said some.".to_string(), vec![2, 4]),
            ("Uncited.".to_string(), vec![]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn the_subject_is_read_off_and_quotes_are_dropped() {
        assert_eq!(first_line("\"The speaker noted X.\"\nMore."), "The speaker noted X.");
        assert_eq!(after_subject("the speaker noted X."), Some("noted X."));
        assert_eq!(after_subject("Ms. Ruiz noted X."), None);
        assert_eq!(after_subject("The speaker"), None);
    }
}
