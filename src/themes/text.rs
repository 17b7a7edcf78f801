//! Words as the theme scorer sees them: lower-cased, split on anything that is not a letter,
//! digit or apostrophe, and stemmed (Snowball English), so "inspections" meets "inspection".
//! Text in another language is stemmed by that language's Snowball stemmer (`stems_in`).

use std::collections::HashSet;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

static STOP_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut words: HashSet<String> =
        stop_words::get(stop_words::Language::English).iter().map(|w| w.to_string()).collect();
    // Talk that carries no topic in a meeting, and the meeting's own procedure.
    for w in [
        "thank",
        "thanks",
        "also",
        "would",
        "could",
        "like",
        "please",
        "much",
        "well",
        "yes",
        "okay",
        "really",
        "today",
        "us",
        "floor",
        "moderator",
        "chair",
        "director",
        "discuss",
        "discussion",
        "discussant",
        "discussants",
        "session",
        "colleagues",
        "morning",
        "afternoon",
        "welcome",
        "remarks",
        "question",
        "questions",
        "speaker",
        "speakers",
        "minutes",
        "ahead",
        "go",
    ] {
        words.insert(w.into());
    }
    words
});

/// One word of a sentence: as spoken (lower-cased) and stemmed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Token {
    pub word: String,
    pub stem: String,
}

pub fn tokens(text: &str) -> Vec<Token> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’').to_lowercase())
        .filter(|w| !w.is_empty())
        .map(|word| Token { stem: STEMMER.stem(&word).into_owned(), word })
        .collect()
}

pub fn stems(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.stem).collect()
}

/// Stems of text in `language` (ISO 639-1); a language without a Snowball stemmer keeps its
/// lower-cased words.
pub fn stems_in(text: &str, language: &str) -> Vec<String> {
    let algorithm = match language {
        "en" => return stems(text),
        "fr" => Algorithm::French,
        "es" => Algorithm::Spanish,
        "pt" => Algorithm::Portuguese,
        "it" => Algorithm::Italian,
        "de" => Algorithm::German,
        "nl" => Algorithm::Dutch,
        "ar" => Algorithm::Arabic,
        "ru" => Algorithm::Russian,
        "tr" => Algorithm::Turkish,
        _ => return tokens(text).into_iter().map(|t| t.word).collect(),
    };
    let stemmer = Stemmer::create(algorithm);
    tokens(text).into_iter().map(|t| stemmer.stem(&t.word).into_owned()).collect()
}

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(word)
}

/// The stems of a sentence's content words (stop words and numbers left out).
pub fn content_stems(text: &str) -> Vec<String> {
    tokens(text)
        .into_iter()
        .filter(|t| !is_stop_word(&t.word) && t.word.chars().any(char::is_alphabetic))
        .map(|t| t.stem)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_languages_use_their_own_stemmer() {
        assert_eq!(stems_in("les travailleuses migrantes", "fr")[1..], stems_in("travailleuse migrante", "fr"));
        assert_eq!(stems_in("Trata de personas", "es"), stems_in("trata de persona", "es"));
        assert_eq!(stems_in("Recruitment fees", "en"), stems("recruitment fee"));
    }

    #[test]
    fn stems_meet_across_forms() {
        assert_eq!(stems("Labour inspections"), stems("labour inspection"));
        assert_eq!(stems("traffickers' debts"), vec!["traffick", "debt"]);
        assert_eq!(content_stems("We found that the shelters closed in 2020."), vec!["found", "shelter", "close"]);
    }
}
