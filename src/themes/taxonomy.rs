//! Taxonomies: TOML files of themes, each with weighted terms and phrases. Two are built in
//! (`templates/themes/`); a templates folder given with `--templates` may add its own in its
//! `themes/` folder (one with a built-in's id replaces it).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::text::stems_in;
use crate::session::toml_error;

const BUILT_IN: [(&str, &str); 2] = [
    ("gcm.toml", include_str!("../../templates/themes/gcm.toml")),
    ("listening-session.toml", include_str!("../../templates/themes/listening-session.toml")),
];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A point belongs to at most one of its themes (the facets of a listening session); else
    /// to each theme it is close enough to (the objectives of the Global Compact).
    #[serde(default)]
    pub exclusive: bool,
    /// The weight a sentence's matched terms must reach for it to count towards a theme.
    #[serde(default = "default_min_score")]
    pub min_score: f64,
    #[serde(rename = "theme")]
    pub themes: Vec<Theme>,
}

fn default_min_score() -> f64 {
    2.0
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: String,
    pub name: String,
    /// A few words, for tables and charts; the name when absent.
    pub short: Option<String>,
    #[serde(default)]
    pub description: String,
    /// Sentences a speaker might say that belong to this theme: with the description, what a
    /// point's meaning is compared with (`themes::meaning`).
    #[serde(default)]
    pub examples: Vec<String>,
    /// A form a point must have to belong here, whatever it means: `recommendation` (someone
    /// asked to do something, not a question, a negation or a past recommendation reported).
    #[serde(default)]
    pub form: Option<Form>,
    pub terms: BTreeMap<String, f64>,
    /// Terms in other languages, by ISO 639-1 code (`[theme.terms_in.fr]`), matched in what
    /// was said in that language and not translated.
    #[serde(default)]
    pub terms_in: BTreeMap<String, BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    Recommendation,
}

impl Theme {
    pub fn short_name(&self) -> &str {
        self.short.as_deref().unwrap_or(&self.name)
    }

    /// The terms as stem sequences with their weights, longest first (a phrase is matched
    /// before the words in it).
    pub fn stemmed_terms(&self) -> Vec<(Vec<String>, f64)> {
        self.stemmed_terms_in("en")
    }

    /// The terms for text in `language`: the English terms, or that language's.
    pub fn stemmed_terms_in(&self, language: &str) -> Vec<(Vec<String>, f64)> {
        let source = if language == "en" { Some(&self.terms) } else { self.terms_in.get(language) };
        let mut terms: Vec<(Vec<String>, f64)> = source
            .into_iter()
            .flatten()
            .map(|(t, w)| (stems_in(t, language), *w))
            .filter(|(s, _)| !s.is_empty())
            .collect();
        terms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        terms
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TaxonomyError(pub String);

pub fn parse(file: &str, text: &str) -> Result<Taxonomy, TaxonomyError> {
    let fail = |line: usize, message: String| {
        TaxonomyError(format!("{file}:{line}: {message}; see the built-in taxonomies in templates/themes/"))
    };
    let t: Taxonomy = toml::from_str(text).map_err(|e| {
        let (line, message) = toml_error(text, &e);
        fail(line, message)
    })?;
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1);
    let mut ids = std::collections::HashSet::new();
    for theme in &t.themes {
        if !ids.insert(&theme.id) {
            return Err(fail(
                line_of(&format!("\"{}\"", theme.id)),
                format!("theme id \"{}\" is used twice", theme.id),
            ));
        }
        if let Some((term, w)) =
            theme.terms.iter().chain(theme.terms_in.values().flatten()).find(|(_, w)| !(w.is_finite() && **w > 0.0))
        {
            return Err(fail(
                line_of(&format!("\"{term}\"")),
                format!("the weight of \"{term}\" must be a positive number, not {w}"),
            ));
        }
    }
    if t.themes.is_empty() {
        return Err(fail(1, "a taxonomy needs at least one [[theme]]".into()));
    }
    Ok(t)
}

/// The built-in taxonomies, then those in `dir/themes/*.toml` (sorted by file name).
pub fn load(dir: Option<&Path>) -> Result<Vec<Taxonomy>, TaxonomyError> {
    let mut all: Vec<Taxonomy> =
        BUILT_IN.iter().map(|(f, t)| parse(f, t).expect("built-in taxonomies are valid")).collect();
    let Some(dir) = dir.map(|d| d.join("themes")).filter(|d| d.is_dir()) else { return Ok(all) };
    let entries = std::fs::read_dir(&dir).map_err(|e| TaxonomyError(format!("cannot read {}: {e}", dir.display())))?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| TaxonomyError(format!("cannot read {}: {e}", path.display())))?;
        let t = parse(&path.display().to_string(), &text)?;
        match all.iter_mut().find(|a| a.id == t.id) {
            Some(a) => *a = t,
            None => all.push(t),
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_load() {
        let all = load(None).unwrap();
        assert_eq!(all.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["gcm", "listening-session"]);
        assert_eq!(all[0].themes.len(), 23);
        assert_eq!(all[1].themes.len(), 6);
    }

    #[test]
    fn mistakes_name_file_and_line() {
        let e = parse(
            "mine.toml",
            "id = \"x\"\nname = \"X\"\n[[theme]]\nid = \"a\"\nname = \"A\"\nterms = { \"fee\" = -1 }\n",
        )
        .unwrap_err();
        assert!(e.0.starts_with("mine.toml:6: the weight of \"fee\""), "{e}");
        let e = parse("mine.toml", "id = \"x\"\nname = \"X\"\ncolour = 1\n").unwrap_err();
        assert!(e.0.starts_with("mine.toml:3:") && e.0.contains("colour"), "{e}");
    }

    #[test]
    fn phrases_come_before_their_words() {
        let t = Theme {
            id: "t".into(),
            name: "T".into(),
            short: None,
            description: String::new(),
            examples: vec![],
            form: None,
            terms_in: Default::default(),
            terms: [("fee".to_string(), 1.0), ("recruitment fees".to_string(), 3.0)].into(),
        };
        assert_eq!(t.stemmed_terms()[0], (vec!["recruit".to_string(), "fee".to_string()], 3.0));
    }
}
