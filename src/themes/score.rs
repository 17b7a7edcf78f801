//! Sentences scored against each theme's weighted terms, and per theme: share of speaking
//! time, who raised it, the strongest quotes and a short synopsis.

use std::collections::BTreeMap;

use super::synopsis::summarise;
use super::taxonomy::Taxonomy;
#[cfg(test)]
use super::text::stems;
use super::text::stems_in;
use crate::session::SessionRecord;

/// A sentence of the session with its place in the recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub segment: usize,
    pub text: String,
    pub speaker: Option<String>,
    pub start: f64,
}

#[derive(Debug, Clone)]
pub struct ThemeReport {
    pub id: String,
    pub name: String,
    pub short: String,
    pub description: String,
    /// The sum of the matched weights over the session: what themes are ranked by.
    pub score: f64,
    pub seconds: f64,
    /// Of all transcribed speech, 0..1.
    pub share: f64,
    /// Speaker ids with their seconds on the theme, most first.
    pub speakers: Vec<(String, f64)>,
    pub quotes: Vec<Quote>,
    pub synopsis: Vec<Quote>,
    /// The ids of the segments that raised it, in order.
    pub segments: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct TaxonomyReport {
    pub id: String,
    pub name: String,
    /// Themes raised at least once, strongest first.
    pub themes: Vec<ThemeReport>,
}

/// The weight of the terms found in a sentence (its stems): longest terms first, and the words
/// of a matched phrase are not counted again.
pub fn sentence_score(terms: &[(Vec<String>, f64)], stems: &[String]) -> f64 {
    let mut used = vec![false; stems.len()];
    let mut score = 0.0;
    for (term, weight) in terms {
        let n = term.len();
        let mut i = 0;
        while i + n <= stems.len() {
            if !used[i..i + n].iter().any(|&u| u) && stems[i..i + n] == term[..] {
                used[i..i + n].iter_mut().for_each(|u| *u = true);
                score += weight;
                i += n;
            } else {
                i += 1;
            }
        }
    }
    score
}

pub const QUOTES: usize = 3;
pub const SYNOPSIS: usize = 3;

fn quote(record: &SessionRecord, i: usize) -> Quote {
    let s = &record.segments[i];
    Quote { segment: s.id, text: s.english().trim().to_string(), speaker: s.speaker.clone(), start: s.start }
}

/// Every theme of the taxonomy raised in the session, ranked.
pub fn report(record: &SessionRecord, taxonomy: &Taxonomy) -> TaxonomyReport {
    // What was translated, or said in English, is scored in English; the rest in its own
    // language, against the taxonomy's terms in that language if it has any.
    let language = |s: &crate::session::record::Segment| {
        if s.translation.is_some() { "en".to_string() } else { s.language.clone() }
    };
    let sentence_stems: Vec<Vec<String>> =
        record.segments.iter().map(|s| stems_in(s.english(), &language(s))).collect();
    let languages: Vec<String> = record.segments.iter().map(language).collect();
    let total: f64 = record.segments.iter().map(|s| s.end - s.start).sum();
    let mut themes = Vec::new();
    for theme in &taxonomy.themes {
        let mut terms: BTreeMap<&str, Vec<(Vec<String>, f64)>> = BTreeMap::new();
        let scored: Vec<(usize, f64)> = sentence_stems
            .iter()
            .enumerate()
            .map(|(i, st)| {
                (
                    i,
                    sentence_score(
                        terms.entry(&languages[i]).or_insert_with(|| theme.stemmed_terms_in(&languages[i])),
                        st,
                    ),
                )
            })
            .filter(|&(_, s)| s >= taxonomy.min_score)
            .collect();
        if scored.is_empty() {
            continue;
        }
        let seconds: f64 = scored.iter().map(|&(i, _)| record.segments[i].end - record.segments[i].start).sum();
        let mut by_speaker: BTreeMap<String, f64> = BTreeMap::new();
        for &(i, _) in &scored {
            if let Some(sp) = &record.segments[i].speaker {
                *by_speaker.entry(sp.clone()).or_default() += record.segments[i].end - record.segments[i].start;
            }
        }
        let mut speakers: Vec<(String, f64)> = by_speaker.into_iter().collect();
        speakers.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut strongest = scored.clone();
        strongest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let quotes = strongest.iter().take(QUOTES).map(|&(i, _)| quote(record, i)).collect();
        let texts: Vec<&str> = scored.iter().map(|&(i, _)| record.segments[i].english()).collect();
        let weights: Vec<f64> = scored.iter().map(|&(_, s)| s).collect();
        let synopsis = summarise(&texts, &weights, SYNOPSIS).into_iter().map(|k| quote(record, scored[k].0)).collect();
        themes.push(ThemeReport {
            id: theme.id.clone(),
            name: theme.name.clone(),
            short: theme.short_name().to_string(),
            description: theme.description.clone(),
            score: scored.iter().map(|&(_, s)| s).sum(),
            seconds,
            share: if total > 0.0 { seconds / total } else { 0.0 },
            speakers,
            quotes,
            synopsis,
            segments: scored.iter().map(|&(i, _)| record.segments[i].id).collect(),
        });
    }
    themes.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    TaxonomyReport { id: taxonomy.id.clone(), name: taxonomy.name.clone(), themes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::{Segment, tests::sample};
    use crate::themes::taxonomy::parse;

    fn terms(pairs: &[(&str, f64)]) -> Vec<(Vec<String>, f64)> {
        let t = crate::themes::taxonomy::Theme {
            id: "t".into(),
            name: "T".into(),
            terms_in: Default::default(),
            short: None,
            description: String::new(),
            examples: vec![],
            terms: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        };
        t.stemmed_terms()
    }

    #[test]
    fn phrases_score_once_and_forms_meet() {
        let t = terms(&[("recruitment fee", 3.0), ("fee", 1.0), ("employer", 2.0)]);
        assert_eq!(sentence_score(&t, &stems("Employers charged recruitment fees.")), 5.0);
        assert_eq!(sentence_score(&t, &stems("The fee and the fees.")), 2.0);
        assert_eq!(sentence_score(&t, &stems("Nothing to see.")), 0.0);
        // A term must match whole words, not a word's prefix.
        assert_eq!(sentence_score(&terms(&[("fee", 1.0)]), &stems("Feedback.")), 0.0);
    }

    fn record(sentences: &[(&str, &str)]) -> SessionRecord {
        let mut r = sample();
        r.segments = sentences
            .iter()
            .enumerate()
            .map(|(i, (speaker, text))| Segment {
                id: i,
                start: i as f64 * 5.0,
                end: i as f64 * 5.0 + 4.0,
                text: text.to_string(),
                speaker: Some(speaker.to_string()),
                ..r.segments[0].clone()
            })
            .collect();
        r
    }

    const TAXONOMY: &str = r#"
id = "x"
name = "X"
[[theme]]
id = "fees"
name = "Recruitment fees"
terms = { "recruitment fee" = 4, "employer" = 2, "fee" = 1 }
[[theme]]
id = "shelter"
name = "Shelters"
terms = { "shelter" = 3, "hotline" = 3 }
[[theme]]
id = "weather"
name = "Weather"
terms = { "rain" = 3 }
"#;

    #[test]
    fn themes_are_ranked_by_weight_with_time_and_speakers() {
        let r = record(&[
            ("A", "Employers charged recruitment fees."),
            ("B", "Recruitment fees must go."),
            ("A", "Shelters closed."),
            ("B", "The fee was small."),
            ("B", "Good morning."),
        ]);
        let rep = report(&r, &parse("x.toml", TAXONOMY).unwrap());
        let ids: Vec<&str> = rep.themes.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["fees", "shelter"], "weather never came up; a lone weight-1 word is not enough");
        let fees = &rep.themes[0];
        assert_eq!(fees.score, 10.0);
        assert!((fees.share - 8.0 / 20.0).abs() < 1e-9);
        assert_eq!(fees.speakers, vec![("A".to_string(), 4.0), ("B".to_string(), 4.0)]);
        assert_eq!(fees.quotes[0].text, "Employers charged recruitment fees.");
        assert_eq!(fees.quotes.len(), 2);
    }

    #[test]
    fn other_languages_score_by_translation_or_by_their_own_terms() {
        let mut r = record(&[
            ("A", "Les centres d'accueil ont fermé."),
            ("B", "Los refugios cerraron."),
            ("C", "Los albergues cerraron."),
        ]);
        r.segments[0].language = "fr".into();
        r.segments[1].language = "es".into();
        r.segments[2].language = "es".into();
        r.segments[2].translation = Some("The shelters closed.".into());
        let taxonomy = TAXONOMY.replace(
            r#""hotline" = 3 }"#,
            r#""hotline" = 3 }
terms_in = { fr = { "centres d'accueil" = 3 } }"#,
        );
        let rep = report(&r, &parse("x.toml", &taxonomy).unwrap());
        let shelter = rep.themes.iter().find(|t| t.id == "shelter").unwrap();
        let quoted: Vec<&str> = shelter.quotes.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            quoted,
            ["Les centres d'accueil ont fermé.", "The shelters closed."],
            "French by its own terms, Spanish by its translation; the untranslated Spanish has no terms"
        );
    }

    #[test]
    fn the_built_in_taxonomies_know_french_and_spanish() {
        let gcm = crate::themes::taxonomy::load(None).unwrap().into_iter().find(|t| t.id == "gcm").unwrap();
        assert!(gcm.themes.iter().all(|t| t.terms_in.contains_key("fr") && t.terms_in.contains_key("es")));
        let mut r = record(&[
            ("A", "Les trafiquants recrutent en ligne et la traite des personnes augmente."),
            ("B", "La trata de personas aumentó durante la pandemia."),
        ]);
        r.segments[0].language = "fr".into();
        r.segments[1].language = "es".into();
        let rep = report(&r, &gcm);
        assert_eq!(rep.themes[0].id, "objective-10", "trafficking in persons, in both languages");
        assert_eq!(rep.themes[0].quotes.len(), 2);
    }
}
