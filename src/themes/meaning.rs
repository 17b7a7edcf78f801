//! What a point is about, by meaning: each theme of a taxonomy is described by its
//! description and example sentences (its name when it has neither) (editable in the taxonomy's TOML); a point's score for
//! the theme is the highest cosine between the point's embedding and theirs. No keyword
//! decides a theme: a point that only shares a word with a theme's terms scores low unless it
//! also means what the theme's sentences mean.

use super::sentences::{SentenceEncoder, SentenceError, cosine};
use super::taxonomy::Taxonomy;

/// The embeddings a taxonomy's themes are compared with, computed once per taxonomy.
pub struct Prototypes {
    /// Per theme, the embeddings of its description and examples.
    themes: Vec<Vec<Vec<f32>>>,
}

impl Prototypes {
    pub fn new(taxonomy: &Taxonomy, encoder: &SentenceEncoder) -> Result<Prototypes, SentenceError> {
        let per_theme: Vec<Vec<&str>> = taxonomy
            .themes
            .iter()
            .map(|theme| {
                let texts: Vec<&str> = std::iter::once(theme.description.as_str())
                    .chain(theme.examples.iter().map(String::as_str))
                    .filter(|t| !t.trim().is_empty())
                    .collect();
                // A theme of only terms is known by its name.
                if texts.is_empty() { vec![theme.name.as_str()] } else { texts }
            })
            .collect();
        // All at once: batches of many sentences are faster than one per theme.
        let mut all = encoder.embed(&per_theme.concat())?.into_iter();
        let themes = per_theme.iter().map(|texts| all.by_ref().take(texts.len()).collect()).collect();
        Ok(Prototypes { themes })
    }

    /// The score of `point` (an embedding) for each theme, in the taxonomy's order: its
    /// highest cosine with the theme's sentences, 0 for a theme with none.
    pub fn scores(&self, point: &[f32]) -> Vec<f32> {
        self.themes.iter().map(|p| p.iter().map(|e| cosine(point, e)).fold(0.0, f32::max)).collect()
    }
}
