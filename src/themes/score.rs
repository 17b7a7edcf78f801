//! A sentence scored against a theme's weighted terms: the evidence of how speakers talk that
//! the analysis weighs beside meaning (`analysis`).

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::text::stems;

    fn terms(pairs: &[(&str, f64)]) -> Vec<(Vec<String>, f64)> {
        let t = crate::themes::taxonomy::Theme {
            id: "t".into(),
            name: "T".into(),
            terms_in: Default::default(),
            short: None,
            description: String::new(),
            examples: vec![],
            form: None,
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
}
