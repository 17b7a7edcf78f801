//! Plain text helpers every stage may use, depending only on the record's types: words for
//! comparing texts, and a segment's text from its words.

use crate::session::record::Word;

/// Lower-cased words with punctuation removed, for comparing texts (repeats in `merge`, word
/// error rate). Apostrophes inside words are kept ("don't"), hyphens split words
/// ("follow-up" → "follow up").
pub fn normalize(text: &str) -> Vec<String> {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '\'' { c.to_lowercase().next().unwrap_or(c) } else { ' ' })
        .collect();
    cleaned.split_whitespace().map(|w| w.trim_matches('\'').to_string()).filter(|w| !w.is_empty()).collect()
}

/// Lower-case letters only, accents dropped: how names are compared ("Ortega's" is
/// "ortegas", "Lucía" is "lucia").
pub fn letters(s: &str) -> String {
    s.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).map(fold).collect()
}

/// A letter without its accent, for the accents speech recognition drops (Lucía, Lucia).
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        c => c,
    }
}

/// A word without the quotes and brackets that close after it (`go."` is `go.`).
pub fn without_closers(word: &str) -> &str {
    word.trim_end_matches(['"', '\'', ')', ']', '»', '”', '’'])
}

/// Whether a word closes a sentence.
pub fn ends_sentence(word: &str) -> bool {
    without_closers(word).ends_with(['.', '?', '!', '…'])
}

/// A segment's text: its words as spoken, one space apart.
pub fn join_words(words: &[Word]) -> String {
    words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_case_and_punctuation() {
        assert_eq!(
            normalize("And so, my fellow Americans: ask NOT!"),
            vec!["and", "so", "my", "fellow", "americans", "ask", "not"]
        );
        assert_eq!(normalize("don't 'quote' follow-up"), vec!["don't", "quote", "follow", "up"]);
    }
}
