//! The analysis stage: a session record cut into points (`points`), each placed by meaning
//! (`meaning`) and by form (`recommend`) in the themes of each taxonomy, near-duplicates
//! merged, and the key messages picked. Stored as `analysis.json` beside session.json and
//! re-made only when what it was made from changed (the record's words and speakers, the
//! taxonomies, the sentence model); documents only present it.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::meaning::Prototypes;
use super::points::{Point, points};
use super::recommend::{addressee, is_look_alike, is_recommendation};
use super::sentences::{SentenceEncoder, SentenceError, cosine};
use super::taxonomy::{Form, Taxonomy};
use super::text::stems_in;
use crate::session::SessionRecord;

pub const FILE_NAME: &str = "analysis.json";
/// Bumped when the analysis changes, so that older files are re-made.
const VERSION: u32 = 2;

/// A point belongs to a theme by meaning alone at this cosine or above…
const BY_MEANING: f32 = 0.50;
/// …or from this cosine up when the theme's terms also add up to the taxonomy's `min_score`
/// (a keyword alone never decides)…
const WITH_TERMS: f32 = 0.40;
/// …or this, for a facet: facets are told apart by how speakers talk ("the challenge for us
/// is", "what we learned"), which the terms catch and meaning alone blurs.
const FACET_WITH_TERMS: f32 = 0.33;
/// Between themes a point fits, what a full weight of terms (4) adds to the cosine.
const TERM_TIP: f32 = 0.2;
/// A point with the form of a recommendation belongs to a `form = "recommendation"` theme
/// from this cosine up: asks about the session's subject, not "we should use a yellow case".
const ASK: f32 = 0.30;
/// Two points of one theme this close say the same thing: one bullet, both attributions.
const SAME: f32 = 0.80;
/// The most key messages.
pub const KEY_MESSAGES: usize = 7;
/// A point with more than this share of unsure words is not quoted as evidence unmarked.
pub const UNSURE_SHARE: f32 = 0.25;
/// Themes of a non-exclusive taxonomy a point may belong to.
const MAX_THEMES: usize = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub version: u32,
    /// A digest of what it was made from.
    pub inputs: String,
    /// The taxonomies it was made with, as documents name their themes.
    pub taxonomies: Vec<TaxonomyNames>,
    pub points: Vec<Analysed>,
    /// The key messages, indices into `points`, in order of time.
    pub key_messages: Vec<usize>,
    /// The minutes' sentences written by the language model, when it wrote them (`prose`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prose: Option<crate::prose::Prose>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaxonomyNames {
    pub id: String,
    pub name: String,
    pub exclusive: bool,
    pub themes: Vec<ThemeNames>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeNames {
    pub id: String,
    pub name: String,
    pub short: String,
    pub description: String,
    pub form: Option<Form>,
}

impl TaxonomyNames {
    pub fn of(t: &Taxonomy) -> TaxonomyNames {
        TaxonomyNames {
            id: t.id.clone(),
            name: t.name.clone(),
            exclusive: t.exclusive,
            themes: t
                .themes
                .iter()
                .map(|th| ThemeNames {
                    id: th.id.clone(),
                    name: th.name.clone(),
                    short: th.short_name().to_string(),
                    description: th.description.clone(),
                    form: th.form,
                })
                .collect(),
        }
    }
}

impl Analysis {
    /// An analysis of nothing: what a folder without analysis.json shows in the catalog.
    pub fn empty() -> Analysis {
        Analysis {
            version: VERSION,
            inputs: String::new(),
            taxonomies: vec![],
            points: vec![],
            key_messages: vec![],
            prose: None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an analysis serialises") + "\n"
    }

    /// The facets: the first taxonomy whose themes exclude each other (a listening session's
    /// trends, challenges, lessons…).
    pub fn facets(&self) -> Option<&TaxonomyNames> {
        self.taxonomies.iter().find(|t| t.exclusive)
    }

    /// The analysis in `dir`, whatever it was made from (the catalog shows what is there).
    pub fn read(dir: &Path) -> Option<Analysis> {
        let text = std::fs::read_to_string(dir.join(FILE_NAME)).ok()?;
        serde_json::from_str::<Analysis>(&text).ok().filter(|a| a.version == VERSION)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysed {
    #[serde(flatten)]
    pub point: Point,
    /// A question: listed with its answer, never as a finding.
    pub question: bool,
    /// The themes it belongs to, strongest first.
    pub themes: Vec<Placed>,
    /// Whom it asks to act, when it is a recommendation that names them.
    pub to: Option<String>,
    /// The earlier point of the same theme it repeats (its bullet names both speakers).
    pub same_as: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placed {
    pub taxonomy: String,
    pub theme: String,
    /// Its cosine with the theme's description and examples.
    pub similarity: f32,
}

impl Analysed {
    /// Too many unsure words, or a translation that may be wrong: never a key message or a
    /// recommendation, and marked wherever it is quoted.
    pub fn unsure(&self) -> bool {
        self.point.unsure > UNSURE_SHARE || self.point.translation_doubt.is_some()
    }

    pub fn in_theme(&self, taxonomy: &str, theme: &str) -> bool {
        self.themes.iter().any(|p| p.taxonomy == taxonomy && p.theme == theme)
    }
}

/// What the analysis of `record` with `taxonomies` depends on, as a hex digest: every word
/// with its probability, speaker and time, the translations, the taxonomies, the model and
/// this release of rapporteur.
/// Names given to voices are not in it: renaming a speaker re-uses the analysis.
pub fn inputs(record: &SessionRecord, taxonomies: &[Taxonomy], model_sha256: &str) -> String {
    let mut h = Sha256::new();
    // A new release may cut or place points differently.
    h.update(VERSION.to_le_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(model_sha256.as_bytes());
    h.update(serde_json::to_vec(taxonomies).expect("taxonomies serialise"));
    for s in &record.segments {
        let words: Vec<_> = s.words.iter().map(|w| (&w.text, w.probability, w.start, w.end)).collect();
        let seg = (s.start, s.end, &s.text, &s.translation, &s.translation_doubt, &s.language, &s.speaker, words);
        h.update(serde_json::to_vec(&seg).expect("segments serialise"));
    }
    hex::encode(h.finalize())
}

/// The analysis stored in `dir` when it was made from these inputs.
pub fn stored(dir: &Path, inputs: &str) -> Option<Analysis> {
    Analysis::read(dir).filter(|a| a.inputs == inputs)
}

/// `prototypes` are those of `taxonomies`, in the same order (`Prototypes::new`).
pub fn analyse(
    record: &SessionRecord,
    taxonomies: &[Taxonomy],
    prototypes: &[Prototypes],
    encoder: &SentenceEncoder,
    inputs: String,
) -> Result<Analysis, SentenceError> {
    let found = points(record);
    let texts: Vec<&str> = found.iter().map(|p| p.text.as_str()).collect();
    let embeddings = encoder.embed(&texts)?;
    let mut analysed: Vec<Analysed> = found
        .into_iter()
        .map(|point| Analysed {
            question: point.text.trim_end().ends_with('?'),
            to: None,
            themes: Vec::new(),
            same_as: None,
            point,
        })
        .collect();
    debug_assert_eq!(taxonomies.len(), prototypes.len(), "one set of prototypes per taxonomy");
    for (taxonomy, prototypes) in taxonomies.iter().zip(prototypes) {
        let terms: Vec<_> = taxonomy.themes.iter().map(|t| t.stemmed_terms()).collect();
        for (a, e) in analysed.iter_mut().zip(&embeddings) {
            // Meaning is compared in English: what was said in another language and not
            // translated, and questions, are placed nowhere.
            // Nor is what only looks like an ask (reported, denied, regretted), unless the point
            // also asks for something.
            let look_alike = || {
                sentences_of(&a.point.text).any(is_look_alike) && !sentences_of(&a.point.text).any(is_recommendation)
            };
            if a.question || (a.point.language != "en" && !a.point.translated) || look_alike() {
                continue;
            }
            let stems = stems_in(&a.point.text, "en");
            let asks = sentences_of(&a.point.text).any(is_recommendation);
            let scored: Vec<(usize, f32, f64)> = (taxonomy.themes.iter().zip(prototypes.scores(e)).zip(&terms))
                .enumerate()
                .map(|(k, ((_, sim), terms))| (k, sim, super::score::sentence_score(terms, &stems)))
                .collect();
            let fits = |&(k, sim, weight): &(usize, f32, f64)| match taxonomy.themes[k].form {
                // An ask heard through a translation that may be wrong is not put in anyone's mouth.
                Some(Form::Recommendation) => asks && sim >= ASK && a.point.translation_doubt.is_none(),
                None if taxonomy.exclusive => {
                    sim >= BY_MEANING || (sim >= FACET_WITH_TERMS && weight >= taxonomy.min_score)
                }
                None => sim >= BY_MEANING || (sim >= WITH_TERMS && weight >= taxonomy.min_score),
            };
            let place = |&(k, sim, _): &(usize, f32, f64)| Placed {
                taxonomy: taxonomy.id.clone(),
                theme: taxonomy.themes[k].id.clone(),
                similarity: sim,
            };
            let mut fitting: Vec<&(usize, f32, f64)> = scored.iter().filter(|x| fits(x)).collect();
            // A recommendation is one first: its form says what it is. Otherwise the closest in
            // meaning, the theme's terms tipping a near tie.
            let form_first = |&&(k, _, _): &&(usize, f32, f64)| taxonomy.themes[k].form.is_some();
            let strength = |&&(_, sim, weight): &&(usize, f32, f64)| sim + TERM_TIP * weight.min(4.0) as f32 / 4.0;
            fitting.sort_by(|x, y| form_first(y).cmp(&form_first(x)).then(strength(y).total_cmp(&strength(x))));
            fitting.truncate(if taxonomy.exclusive { 1 } else { MAX_THEMES });
            let asked = fitting.iter().any(form_first);
            let fits: Vec<Placed> = fitting.into_iter().map(place).collect();
            if asked {
                a.to = addressee(&a.point.text);
            }
            a.themes.extend(fits);
        }
    }
    merge_repeats(&mut analysed, &embeddings);
    let key_messages = key_messages(&analysed, &embeddings);
    let taxonomies = taxonomies.iter().map(TaxonomyNames::of).collect();
    Ok(Analysis { version: VERSION, inputs, taxonomies, points: analysed, key_messages, prose: None })
}

/// The sentences of a point's text.
fn sentences_of(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['.', '?', '!']).map(str::trim).filter(|s| !s.is_empty())
}

/// Marks a point that says again what an earlier point of the same theme said.
fn merge_repeats(points: &mut [Analysed], embeddings: &[Vec<f32>]) {
    for j in 0..points.len() {
        let first = (0..j).find(|&i| {
            points[i].same_as.is_none()
                && points[j].themes.first().is_some_and(|t| points[i].in_theme(&t.taxonomy, &t.theme))
                && cosine(&embeddings[i], &embeddings[j]) >= SAME
        });
        points[j].same_as = first;
    }
}

/// The points most central to the session: placed in a theme, sure, not a repeat, closest on
/// average to all others; one per speaker first, so that the key messages span the speakers.
fn key_messages(points: &[Analysed], embeddings: &[Vec<f32>]) -> Vec<usize> {
    let candidates: Vec<usize> = (0..points.len())
        .filter(|&i| !points[i].themes.is_empty() && !points[i].unsure() && points[i].same_as.is_none())
        .collect();
    let centrality = |i: usize| {
        let others = candidates.iter().filter(|&&j| j != i);
        others.clone().map(|&j| cosine(&embeddings[i], &embeddings[j])).sum::<f32>() / others.count().max(1) as f32
    };
    // Central, and clearly of its theme.
    let strength = |i: usize| centrality(i) + points[i].themes.first().map_or(0.0, |t| t.similarity);
    let mut ranked: Vec<(usize, f32)> = candidates.iter().map(|&i| (i, strength(i))).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // One in ten of the placed points at most: a short session has few key messages.
    let most = KEY_MESSAGES.min(candidates.len().div_ceil(10));
    let mut chosen: Vec<usize> = Vec::new();
    for one_per_speaker in [true, false] {
        for &(i, _) in &ranked {
            let spoke = chosen.iter().any(|&c| points[c].point.speaker == points[i].point.speaker);
            if chosen.len() < most && !chosen.contains(&i) && !(one_per_speaker && spoke) {
                chosen.push(i);
            }
        }
    }
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::tests::sample;

    #[test]
    fn renaming_a_speaker_keeps_the_inputs_and_a_changed_word_does_not() {
        let taxonomies = super::super::taxonomy::load(None).unwrap();
        let mut record = sample();
        let before = inputs(&record, &taxonomies, "m");
        record.speakers.iter_mut().for_each(|s| s.name = Some("Ana Ruiz".into()));
        assert_eq!(inputs(&record, &taxonomies, "m"), before);
        record.segments[0].words[0].text.push('x');
        assert_ne!(inputs(&record, &taxonomies, "m"), before);
        assert_ne!(inputs(&sample(), &taxonomies, "other model"), before);
    }

    fn analysed(speaker: &str, themes: &[&str], unsure: f32) -> Analysed {
        Analysed {
            point: Point {
                speaker: Some(speaker.into()),
                start: 0.0,
                end: 1.0,
                text: "A point of five words.".into(),
                confidence: 0.9,
                unsure,
                language: "en".into(),
                translated: false,
                translation_doubt: None,
                segments: vec![0],
            },
            question: false,
            themes: themes
                .iter()
                .map(|t| Placed { taxonomy: "x".into(), theme: t.to_string(), similarity: 0.6 })
                .collect(),
            to: None,
            same_as: None,
        }
    }

    #[test]
    fn repeats_merge_only_within_a_theme() {
        let mut points =
            vec![analysed("A", &["trends"], 0.0), analysed("B", &["trends"], 0.0), analysed("C", &["challenges"], 0.0)];
        let same = vec![vec![1.0, 0.0], vec![0.9, 0.436], vec![1.0, 0.0]];
        merge_repeats(&mut points, &same);
        assert_eq!(points.iter().map(|p| p.same_as).collect::<Vec<_>>(), [None, Some(0), None]);
    }

    #[test]
    fn key_messages_span_speakers_and_leave_out_the_unsure_and_the_unplaced() {
        let points = vec![
            analysed("A", &["trends"], 0.0),
            analysed("A", &["trends"], 0.0),
            analysed("B", &["challenges"], 0.0),
            analysed("C", &["trends"], 0.6),
            analysed("D", &[], 0.0),
            analysed("E", &["lessons"], 0.0),
        ];
        let e = vec![vec![1.0, 0.0], vec![1.0, 0.0], vec![0.8, 0.6], vec![1.0, 0.0], vec![1.0, 0.0], vec![0.6, 0.8]];
        // Four candidates (0, 1, 2, 5): one key message.
        let keys = key_messages(&points, &e);
        assert_eq!(keys.len(), 1);
        assert!(!keys.contains(&3) && !keys.contains(&4));
        // Twenty: two, of two speakers.
        let (points, e) = ([&points[..]; 5].concat(), [&e[..]; 5].concat());
        let keys = key_messages(&points, &e);
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|&k| k % 6 != 3 && k % 6 != 4));
        assert_ne!(points[keys[0]].point.speaker, points[keys[1]].point.speaker);
    }
}
