//! Minutes in the Secretariat's voice: a local language model (`worker`) rewrites each point
//! the minutes show as one sentence of reported speech and sums up each facet in two or three
//! sentences that cite their points; the checker (`check`, and the sentence model's cosine)
//! decides what is printed. A refused sentence is replaced by the point's own words (for a
//! point) or left out (for a facet's summary, whose points are listed below it).
//!
//! The model never sees who spoke: a point's sentence begins "The speaker", which the
//! documents replace with the name they give the voice, so renaming a speaker re-uses the
//! sentences. The result is stored in analysis.json (`Analysis::prose`) with a digest of what
//! it was made from, and made again only when that changes.

pub mod check;
pub mod prompts;
pub mod protocol;
pub mod worker;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::themes::analysis::Analysis;
use crate::themes::sentences::{SentenceEncoder, cosine};
use crate::themes::text::content_stems;
use check::Grounds;
use worker::{Answer, Llm};

/// Bumped when prompts or checks change, so that stored prose is written again.
const VERSION: u32 = 1;
/// A sentence is printed only this close in meaning (MiniLM cosine) to the points it cites.
pub const SIMILAR: f32 = 0.6;
/// A facet is summed up from this many points: two bullets need no summary above them.
const SUMMARY_POINTS: usize = 3;
/// Rounds of summing up summaries, at most.
const MAX_ROUNDS: usize = 3;
/// The words a point's sentence must begin with: the documents put the speaker there.
pub const SUBJECT: &str = "The speaker";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prose {
    /// A digest of what it was made from (`inputs`).
    pub inputs: String,
    /// The language model's name.
    pub model: String,
    /// Per point of the analysis, its sentence of reported speech after the subject ("noted
    /// that …"), when one was written and kept.
    pub points: Vec<Option<String>>,
    /// Per facet with `SUMMARY_POINTS` points or more, the sentences that sum it up.
    pub facets: Vec<Synthesis>,
    /// Sentences the model wrote, kept or not.
    pub written: usize,
    /// The sentences the checker refused, with why.
    pub refused: Vec<Refused>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synthesis {
    /// The theme's id in the facets' taxonomy.
    pub facet: String,
    pub sentences: Vec<Cited>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cited {
    pub text: String,
    /// Indices into the analysis's points.
    pub points: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refused {
    pub text: String,
    pub points: Vec<usize>,
    pub why: String,
}

/// What the prose of `analysis` depends on: the points (their words and places, not their
/// speakers' names), session.toml's words (the checker's grounds), the model and this release.
pub fn inputs(analysis: &Analysis, session: &[String], model_sha256: &str) -> String {
    let mut h = Sha256::new();
    h.update(VERSION.to_le_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(model_sha256.as_bytes());
    h.update(analysis.inputs.as_bytes());
    h.update(serde_json::to_vec(session).expect("strings serialise"));
    hex::encode(h.finalize())
}

/// The points the minutes show as text: those placed in a facet (a repeat is shown with the
/// point it repeats), and the key messages. A translation that may be wrong is quoted, never
/// rewritten.
fn shown(analysis: &Analysis) -> Vec<usize> {
    let facets = analysis.facets().map(|t| t.id.as_str());
    (0..analysis.points.len())
        .filter(|&i| {
            let a = &analysis.points[i];
            let in_facet = a.themes.iter().any(|p| Some(p.taxonomy.as_str()) == facets);
            ((in_facet && a.same_as.is_none()) || analysis.key_messages.contains(&i))
                && a.point.translation_doubt.is_none()
        })
        .collect()
}

/// The facets with their `shown` points, in order.
fn facets(analysis: &Analysis, shown: &[usize]) -> Vec<(String, String, Vec<usize>)> {
    let Some(t) = analysis.facets() else { return Vec::new() };
    t.themes
        .iter()
        .map(|th| {
            let mine = shown.iter().copied().filter(|&i| analysis.points[i].in_theme(&t.id, &th.id)).collect();
            (th.id.clone(), th.name.clone(), mine)
        })
        .collect()
}

/// What the checker needs besides the cited points.
pub struct Session {
    /// session.toml's names, organisations, title, organisers and terms.
    pub words: Vec<String>,
    /// Everyone session.toml lists.
    pub people: Vec<String>,
}

impl Session {
    pub fn of(meta: Option<&crate::session::metadata::SessionMeta>) -> Session {
        let Some(meta) = meta else { return Session { words: Vec::new(), people: Vec::new() } };
        let mut words: Vec<String> = meta.title.iter().chain(&meta.series).cloned().collect();
        words.extend(meta.organisers.iter().cloned());
        for p in &meta.participants {
            words.extend([Some(&p.name), p.organisation.as_ref()].into_iter().flatten().cloned());
        }
        words.extend(meta.vocabulary.iter().cloned());
        Session { words, people: meta.participants.iter().map(|p| p.name.clone()).collect() }
    }
}

struct Writer<'a> {
    analysis: &'a Analysis,
    session: &'a Session,
    llm: &'a mut Llm,
    encoder: &'a SentenceEncoder,
    written: usize,
    refused: Vec<Refused>,
}

/// Writes the prose of `analysis`; `tick` hears the fraction done.
pub fn write(
    analysis: &Analysis,
    session: &Session,
    model: &str,
    inputs: String,
    llm: &mut Llm,
    encoder: &SentenceEncoder,
    tick: &dyn Fn(f64),
) -> Result<Prose, String> {
    let shown = shown(analysis);
    let facets = facets(analysis, &shown);
    let steps = (shown.len() + facets.len()).max(1) as f64;
    let mut w = Writer { analysis, session, llm, encoder, written: 0, refused: Vec::new() };
    let mut points = vec![None; analysis.points.len()];
    for (k, &i) in shown.iter().enumerate() {
        points[i] = w.point(i)?;
        tick((k + 1) as f64 / steps);
    }
    let mut syntheses = Vec::new();
    for (k, (id, name, mine)) in facets.into_iter().enumerate() {
        if mine.len() >= SUMMARY_POINTS {
            let items = mine.iter().map(|&i| (analysis.points[i].point.text.clone(), vec![i])).collect();
            let sentences = w.synthesise(&name, items, 0)?;
            if !sentences.is_empty() {
                syntheses.push(Synthesis { facet: id, sentences });
            }
        }
        tick((shown.len() + k + 1) as f64 / steps);
    }
    Ok(Prose { inputs, model: model.to_string(), points, facets: syntheses, written: w.written, refused: w.refused })
}

impl Writer<'_> {
    /// Point `i` in reported speech, after its subject; `None` when refused or not written.
    fn point(&mut self, i: usize) -> Result<Option<String>, String> {
        let said = &self.analysis.points[i].point.text;
        let messages = prompts::point(said);
        let max = said.split_whitespace().count() * 2 + 24;
        let text = match self.llm.generate(&messages, SUBJECT, max)? {
            Answer::Text { text, .. } => prompts::first_line(&text),
            // A point is a sentence or two: it fits any window a model has.
            Answer::TooLong { .. } => return Ok(None),
        };
        self.written += 1;
        let Some(rest) = prompts::after_subject(&text) else {
            self.refuse(&text, vec![i], format!("does not begin \"{SUBJECT}\""));
            return Ok(None);
        };
        if !text.ends_with(['.', '!', '?']) {
            self.refuse(&text, vec![i], "unfinished: the model stopped at its limit".into());
            return Ok(None);
        }
        Ok(self.keep(&text, &[i]).then(|| rest.to_string()))
    }

    /// Two or three sentences over `items` (text, the points it rests on), each citing its
    /// items; items that do not fit one prompt are summed up in groups first, and the groups'
    /// sentences then summed up (map, then reduce). Nothing is cut to fit.
    fn synthesise(
        &mut self,
        facet: &str,
        items: Vec<(String, Vec<usize>)>,
        depth: usize,
    ) -> Result<Vec<Cited>, String> {
        let groups = self.groups(facet, &items)?;
        if groups.len() <= 1 {
            return self.sum_up(facet, &items);
        }
        let mut sentences = Vec::new();
        for group in groups {
            sentences.extend(self.sum_up(facet, &items[group])?);
        }
        // A window too small to gather even the groups' sentences keeps them all.
        if sentences.len() <= prompts::SENTENCES || depth >= MAX_ROUNDS {
            return Ok(sentences);
        }
        self.synthesise(facet, sentences.into_iter().map(|c| (c.text, c.points)).collect(), depth + 1)
    }

    /// `items` cut in runs whose prompt and answer fit the model's window.
    fn groups(&mut self, facet: &str, items: &[(String, Vec<usize>)]) -> Result<Vec<std::ops::Range<usize>>, String> {
        let budget = (self.llm.n_ctx as usize).saturating_sub(prompts::SUMMARY_TOKENS);
        let mut groups = Vec::new();
        let mut start = 0;
        while start < items.len() {
            let mut end = start + 1;
            while end < items.len() && self.llm.count(&prompts::summary(facet, &items[start..=end]))? <= budget {
                end += 1;
            }
            groups.push(start..end);
            start = end;
        }
        Ok(groups)
    }

    /// One prompt's sentences over `items`, checked.
    fn sum_up(&mut self, facet: &str, items: &[(String, Vec<usize>)]) -> Result<Vec<Cited>, String> {
        let text = match self.llm.generate(
            &prompts::summary(facet, items),
            prompts::SUMMARY_START,
            prompts::SUMMARY_TOKENS,
        )? {
            Answer::Text { text, .. } => text,
            Answer::TooLong { .. } => return Ok(Vec::new()),
        };
        let mut kept = Vec::new();
        for (sentence, cites) in prompts::cited_sentences(&text).into_iter().take(prompts::SENTENCES) {
            self.written += 1;
            // A small model often leaves its sources out: the remarks whose words the sentence
            // uses are then its sources (and the checker holds it to them).
            let cites = if cites.is_empty() { sources(&sentence, items) } else { cites };
            let valid: Vec<usize> = cites.iter().filter(|&&n| (1..=items.len()).contains(&n)).copied().collect();
            let mut points: Vec<usize> = valid.iter().flat_map(|&n| items[n - 1].1.clone()).collect();
            points.sort_unstable();
            points.dedup();
            if valid.is_empty() || valid.len() < cites.len() {
                let why = if valid.is_empty() { "rests on no remark" } else { "cites a remark that was not given" };
                self.refuse(&sentence, points, why.into());
            } else if !prompts::is_sentence(&sentence) {
                self.refuse(&sentence, points, "not a whole sentence".into());
            } else if !sentence.starts_with(prompts::SUMMARY_START) {
                self.refuse(&sentence, points, format!("does not begin \"{}\"", prompts::SUMMARY_START));
            } else if self.keep(&sentence, &points) {
                kept.push(Cited { text: sentence, points });
            }
        }
        Ok(kept)
    }

    /// The checker's verdict on `sentence` citing `points`; a refusal is recorded.
    fn keep(&mut self, sentence: &str, points: &[usize]) -> bool {
        let cited: Vec<&str> = points.iter().map(|&i| self.analysis.points[i].point.text.as_str()).collect();
        let grounds = Grounds::new(&cited, &self.session.words, &self.session.people);
        let verdict = check::check(sentence, &grounds).and_then(|()| {
            let joined = cited.join(" ");
            let e = self.encoder.embed(&[sentence, &joined]).map_err(|e| e.to_string())?;
            let similarity = cosine(&e[0], &e[1]);
            if similarity < SIMILAR {
                return Err(format!("far in meaning from what was said (cosine {similarity:.2})"));
            }
            Ok(())
        });
        match verdict {
            Ok(()) => true,
            Err(why) => {
                self.refuse(sentence, points.to_vec(), why);
                false
            }
        }
    }

    fn refuse(&mut self, text: &str, points: Vec<usize>, why: String) {
        self.refused.push(Refused { text: text.to_string(), points, why });
    }
}

/// The remarks (1-based) a sentence draws its words from: the one that has most of its
/// content words, then the one that has most of the rest, while each adds some.
fn sources(sentence: &str, items: &[(String, Vec<usize>)]) -> Vec<usize> {
    let mut left: Vec<String> = content_stems(sentence);
    let stems: Vec<Vec<String>> = items.iter().map(|(t, _)| content_stems(t)).collect();
    let mut chosen = Vec::new();
    loop {
        let gain = |k: usize| left.iter().filter(|s| stems[k].contains(s)).count();
        let Some(best) =
            (0..items.len()).filter(|k| !chosen.contains(&(k + 1))).max_by_key(|&k| (gain(k), usize::MAX - k))
        else {
            break;
        };
        if gain(best) == 0 {
            break;
        }
        left.retain(|s| !stems[best].contains(s));
        chosen.push(best + 1);
    }
    chosen.sort_unstable();
    chosen
}
