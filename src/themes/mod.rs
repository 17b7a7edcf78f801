//! What a session was about: the analysis stage (`analysis`) cuts the record into points and
//! places them in the themes of each taxonomy by meaning (`sentences`, `meaning`) and by form
//! (`recommend`); emerging key phrases and next steps; the interventions' gists (`synopsis`).

pub mod analysis;
pub mod keyphrases;
pub mod meaning;
pub mod next_steps;
pub mod points;
pub mod recommend;
pub mod score;
pub mod sentences;
pub mod synopsis;
pub mod taxonomy;
pub mod text;

/// A sentence of the session picked out by its form, with who said it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Said {
    pub text: String,
    /// The speaker's id, when the session was diarized.
    pub speaker: Option<String>,
    pub start: f64,
    pub segment: usize,
}

impl Said {
    /// Every sentence (segment) of the session that `is` picks, in order.
    pub fn every(record: &crate::session::SessionRecord, is: fn(&str) -> bool) -> Vec<Said> {
        record
            .segments
            .iter()
            .filter(|s| is(s.english()))
            .map(|s| Said {
                text: s.english().trim().to_string(),
                speaker: s.speaker.clone(),
                start: s.start,
                segment: s.id,
            })
            .collect()
    }
}
