//! Emerging topics: key phrases that fit no theme. Candidates are phrases of up to three
//! content words between stop words and punctuation (as RAKE finds them); a phrase counts when
//! it comes up in at least two sentences, and is left out when it shares a stem with any
//! theme's terms.

use std::collections::{HashMap, HashSet};

use super::text::{is_stop_word, tokens};

#[derive(Debug, Clone, PartialEq)]
pub struct KeyPhrase {
    /// The most frequent spoken form.
    pub phrase: String,
    pub count: usize,
    /// Segment ids where it was said.
    pub segments: Vec<usize>,
}

const MAX_WORDS: usize = 3;
pub const MIN_COUNT: usize = 2;

/// Runs of content words (spoken form, stem) between stop words and punctuation.
fn runs(sentence: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for clause in sentence.split(|c: char| ",.;:!?()\"–—".contains(c)) {
        let mut run: Vec<(String, String)> = Vec::new();
        for t in tokens(clause) {
            if !is_stop_word(&t.word) && t.word.chars().count() > 2 && t.word.chars().all(char::is_alphabetic) {
                run.push((t.word, t.stem));
            } else if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            out.push(run);
        }
    }
    out
}

/// Up to `k` phrases from `sentences` (segment id, text), most frequent (then longest) first.
/// Every phrase of one to three words inside a run is a candidate, counted once per sentence;
/// a phrase is dropped when a longer one holding it was said as often.
pub fn key_phrases(sentences: &[(usize, &str)], theme_stems: &HashSet<String>, k: usize) -> Vec<KeyPhrase> {
    #[derive(Default)]
    struct Seen {
        forms: HashMap<String, usize>,
        segments: Vec<usize>,
    }
    let mut seen: HashMap<Vec<String>, Seen> = HashMap::new();
    for &(id, text) in sentences {
        for run in runs(text) {
            for n in 1..=MAX_WORDS.min(run.len()) {
                for gram in run.windows(n) {
                    let stems: Vec<String> = gram.iter().map(|(_, s)| s.clone()).collect();
                    if stems.iter().any(|s| theme_stems.contains(s)) {
                        continue;
                    }
                    let form = gram.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>().join(" ");
                    let e = seen.entry(stems).or_default();
                    *e.forms.entry(form).or_default() += 1;
                    if e.segments.last() != Some(&id) {
                        e.segments.push(id);
                    }
                }
            }
        }
    }
    let frequent: Vec<(&Vec<String>, &Seen)> = seen.iter().filter(|(_, s)| s.segments.len() >= MIN_COUNT).collect();
    let holds =
        |long: &[String], short: &[String]| long.len() > short.len() && long.windows(short.len()).any(|w| w == short);
    let mut phrases: Vec<(KeyPhrase, usize)> = frequent
        .iter()
        .filter(|(stems, s)| {
            !frequent.iter().any(|(other, o)| o.segments.len() == s.segments.len() && holds(other, stems))
        })
        .map(|(stems, s)| {
            let phrase = s
                .forms
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(f, _)| f.clone())
                .unwrap_or_default();
            (KeyPhrase { phrase, count: s.segments.len(), segments: s.segments.clone() }, stems.len())
        })
        .collect();
    phrases.sort_by(|a, b| b.0.count.cmp(&a.0.count).then(b.1.cmp(&a.1)).then_with(|| a.0.phrase.cmp(&b.0.phrase)));
    phrases.into_iter().map(|(p, _)| p).take(k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_phrases_outside_the_themes() {
        let sentences = [
            (0, "Digital platforms recruited workers, and the platforms kept their wages."),
            (1, "We need rules for digital platforms."),
            (2, "Recruitment fees rose. Recruitment fees fell."),
            (3, "The weather was nice."),
        ];
        let themes: HashSet<String> = ["recruit".to_string(), "fee".to_string()].into();
        let found = key_phrases(&sentences, &themes, 5);
        let phrases: Vec<(&str, usize)> = found.iter().map(|p| (p.phrase.as_str(), p.count)).collect();
        assert_eq!(phrases, [("digital platforms", 2)], "recruitment fees fit a theme; once is not a topic");
        assert_eq!(found[0].segments, [0, 1]);
    }
}
