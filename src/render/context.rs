//! What the document templates see: the session record with its names, the session.toml, the
//! themes and the recommendations, laid out for minutes and summaries. Every claim carries its
//! time (`at`, `HH:MM:SS`) and a link (`href`) that plays the recording from there.

use std::collections::{BTreeMap, HashSet};
use std::path::{Component, Path};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::session::SessionRecord;
use crate::session::metadata::{AgendaKind, SessionMeta};
use crate::session::naming::{Named, NamedBy};
use crate::session::record::time_by_language;
use crate::themes::analysis::{Analysed, Analysis};
use crate::themes::keyphrases::key_phrases;
use crate::themes::next_steps;
use crate::themes::synopsis::summarise;
use crate::themes::taxonomy::Form;

#[derive(Debug, Serialize)]
pub struct Context {
    pub session: SessionInfo,
    pub speakers: Vec<SpeakerInfo>,
    /// The participants listed in session.toml.
    pub participants: Vec<ParticipantInfo>,
    /// Agenda items from session.toml, each with its interventions; empty without an agenda.
    pub agenda: Vec<AgendaEntry>,
    /// Interventions outside the agenda's items when the agenda has no open discussion item
    /// (when it has one, they are that item's interventions).
    pub discussion: Vec<Intervention>,
    /// Every intervention in order.
    pub interventions: Vec<Intervention>,
    /// The most central points across speakers, at most seven, in order of time.
    pub key_messages: Vec<PointInfo>,
    /// The themes of the first taxonomy whose themes exclude each other (the facets of a
    /// listening session: trends, challenges, lessons…), in its order, each with its points.
    pub facets: Vec<ThemeInfo>,
    /// The points that ask someone to act, with whom they ask (`to`).
    pub recommendations: Vec<PointInfo>,
    /// Per lead discussant on the agenda, the points they made.
    pub lead_discussants: Vec<Lines>,
    /// Questions asked, each with the next point another speaker made.
    pub questions: Vec<Exchange>,
    pub next_steps: Vec<Claim>,
    /// Every taxonomy with the themes the session touched, most time first.
    pub taxonomies: Vec<TaxonomyInfo>,
    /// Key phrases that fit no theme.
    pub emerging: Vec<Phrase>,
    pub notes: Vec<String>,
    /// Where the voices heard and the people session.toml lists disagree (see `name_checks`).
    pub name_checks: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SessionInfo {
    pub title: String,
    pub series: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
    pub timezone: Option<String>,
    pub organisers: Vec<String>,
    pub language: String,
    /// Every language spoken with its speaking time, the most spoken first (`French (2 min
    /// 10 s)`).
    pub languages: Vec<String>,
    pub duration: String,
    pub recording: String,
    pub recording_href: Href,
    pub generator: String,
    pub diarized: bool,
    /// Who wrote the minutes' sentences, when the language model did.
    pub prose: Option<ProseInfo>,
    /// Why the minutes quote what was said instead (set by `Documents`).
    pub quoting: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ProseInfo {
    pub model: String,
    /// Sentences the model wrote.
    pub written: usize,
    /// Those the checker refused (what was said is quoted instead, or the sentence left out).
    pub refused: usize,
}

/// A sentence of a facet's summary with the points it rests on.
#[derive(Debug, Clone, Serialize)]
pub struct SummarySentence {
    pub text: String,
    pub cites: Vec<Cite>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cite {
    /// The speaker's name or label.
    pub who: String,
    pub at: String,
    pub href: Href,
}

#[derive(Debug, Serialize)]
pub struct SpeakerInfo {
    pub id: String,
    pub label: String,
    pub name: Option<String>,
    pub role: Option<String>,
    pub organisation: Option<String>,
    /// What named the speaker: `speakers.toml`, `voice (score 0.87)` or `agenda`; none when
    /// unnamed.
    pub named_by: Option<String>,
    pub talk_time: String,
    pub seconds: f64,
    pub share_percent: u32,
}

#[derive(Debug, Serialize)]
pub struct ParticipantInfo {
    pub name: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
    /// How long the voice given this name spoke; none when no voice has the name.
    pub talk_time: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// In English: a translation when it was said in another language and translated.
    pub text: String,
    /// The language it was said in, when not English (`French`).
    pub language: Option<String>,
    /// `text` is whisper's English translation of what was said.
    pub translated: bool,
    /// Why that translation may be wrong, when it may.
    pub translation_doubt: Option<String>,
    pub speaker: Option<String>,
    pub at: String,
    pub seconds: f64,
    pub href: Href,
}

#[derive(Debug, Clone, Serialize)]
pub struct Intervention {
    pub speaker: Option<String>,
    pub at: String,
    pub href: Href,
    pub duration: String,
    /// The language it was delivered in, when not English (`French`).
    pub language: Option<String>,
    /// Its gist is whisper's English translation.
    pub translated: bool,
    /// The sentences that best sum it up, in order.
    pub gist: Vec<Claim>,
}

#[derive(Debug, Serialize)]
pub struct AgendaEntry {
    pub title: String,
    pub item: String,
    /// Labels of the speakers on the agenda for this item.
    pub speakers: Vec<String>,
    pub interventions: Vec<Intervention>,
}

#[derive(Debug, Serialize)]
pub struct TaxonomyInfo {
    pub id: String,
    pub name: String,
    /// Its themes exclude each other (facets).
    pub exclusive: bool,
    pub themes: Vec<ThemeInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeInfo {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub short: String,
    pub description: String,
    /// Its points' share of all transcribed speech.
    pub share_percent: f64,
    pub time: String,
    pub seconds: f64,
    pub speakers: Vec<String>,
    /// The ids of the segments of its points.
    pub segments: Vec<usize>,
    /// Its points in order of time, a repeat merged into the point it repeats.
    pub points: Vec<PointInfo>,
    /// Two or three sentences that sum its points up, by the language model.
    pub summary: Vec<SummarySentence>,
}

/// A point of the analysis as documents show it.
#[derive(Debug, Clone, Serialize)]
pub struct PointInfo {
    /// What was said, cleaned of hesitations and repeats (in English: a translation when
    /// `translated`).
    pub text: String,
    pub speaker: Option<String>,
    pub organisation: Option<String>,
    /// `Name, Organisation`, `Name`, `Speaker 3`, or `unattributed`; in the key messages and
    /// facets, `Name, Organisation` at the speaker's first point and `Name` after.
    pub by: String,
    /// Who else said the same (merged near-duplicates), as `by`.
    pub also_by: Vec<String>,
    pub at: String,
    pub seconds: f64,
    pub href: Href,
    pub language: Option<String>,
    pub translated: bool,
    /// Why its translation may be wrong, when it may.
    pub translation_doubt: Option<String>,
    /// Many of its words were unsure: check it against the recording before quoting it.
    pub unsure: bool,
    /// Whom it asks to act (recommendations).
    pub to: Option<String>,
    /// The facet it was placed in (short name), if any.
    pub facet: Option<String>,
    /// The point in reported speech after its subject ("noted that …"), by the language
    /// model, when it wrote one the checker kept.
    pub reported: Option<String>,
    /// Who `reported` is about: `Name, Organisation,` at the speaker's first point in the
    /// key messages and facets, `Name` after, `Speaker 3`, or `A participant`.
    pub subject: String,
}

#[derive(Debug, Serialize)]
pub struct Lines {
    pub speaker: String,
    pub by: String,
    pub points: Vec<PointInfo>,
    /// The same points by facet, in the order the speaker first raised each.
    pub facets: Vec<FacetLines>,
}

#[derive(Debug, Serialize)]
pub struct FacetLines {
    pub facet: String,
    pub points: Vec<PointInfo>,
}

#[derive(Debug, Serialize)]
pub struct Exchange {
    pub question: PointInfo,
    pub answer: Option<PointInfo>,
}

#[derive(Debug, Serialize)]
pub struct Phrase {
    pub phrase: String,
    pub count: usize,
    pub at: String,
    pub href: Href,
}

/// `HH:MM:SS`.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// `1 h 02 min`, `12 min 05 s`, `40 s`.
pub fn span(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s:02} s"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

/// A language's English name from its ISO 639-1 code; the code when not listed.
pub fn language_name(code: &str) -> String {
    let name = match code {
        "en" => "English",
        "fr" => "French",
        "es" => "Spanish",
        "ar" => "Arabic",
        "zh" => "Chinese",
        "ru" => "Russian",
        "pt" => "Portuguese",
        "de" => "German",
        "it" => "Italian",
        "nl" => "Dutch",
        "tr" => "Turkish",
        "sw" => "Swahili",
        "hi" => "Hindi",
        "ur" => "Urdu",
        "bn" => "Bengali",
        "fa" => "Persian",
        "uk" => "Ukrainian",
        "pl" => "Polish",
        "ja" => "Japanese",
        "ko" => "Korean",
        "id" => "Indonesian",
        "tl" => "Tagalog",
        "vi" => "Vietnamese",
        "th" => "Thai",
        "am" => "Amharic",
        "ha" => "Hausa",
        "so" => "Somali",
        _ => return code.to_string(),
    };
    name.to_string()
}

/// How documents call a speaker: the name given, else `Speaker N` for `SPEAKER_N`.
pub fn label(record: &SessionRecord, id: &str) -> String {
    match record.speakers.iter().find(|s| s.id == id).and_then(|s| s.name.clone()) {
        Some(name) => name,
        None => unnamed_label(id),
    }
}

/// What documents call a voice with no name: `Speaker N` for `SPEAKER_N`.
pub fn unnamed_label(id: &str) -> String {
    id.strip_prefix("SPEAKER_").map_or_else(|| id.to_string(), |n| format!("Speaker {n}"))
}

/// A link the code built: percent-encoded, so it holds no character that means anything to
/// Markdown or HTML. Templates insert it as is (it reaches them as a safe string), so it works
/// in a Markdown link destination and an HTML attribute alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Href(String);

impl Href {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same link at moment `seconds` of the recording (`#t=12.3`).
    pub fn at(&self, seconds: f64) -> Href {
        Href(format!("{}#t={:.1}", self.0, seconds.max(0.0)))
    }
}

impl Serialize for Href {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        minijinja::Value::from_safe_string(self.0.clone()).serialize(serializer)
    }
}

/// What a path segment keeps unencoded: letters, digits and `-._~` (RFC 3986's unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A relative `path` as a URL: each segment percent-encoded (a `#`, `?`, `%`, space or
/// parenthesis in a file name is part of the name), starting `./` unless it starts `../`, so
/// that a first segment like `javascript:x.wav` can never read as a scheme.
pub fn href(path: &Path) -> Href {
    let mut segments = vec![];
    for c in path.components() {
        match c {
            Component::ParentDir => segments.push("..".to_string()),
            Component::Normal(name) => segments.push(encode(name.as_encoded_bytes())),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    if segments.first().is_none_or(|s| s != "..") {
        segments.insert(0, ".".to_string());
    }
    Href(segments.join("/"))
}

/// One path segment, percent-encoded byte for byte (a file name need not be UTF-8).
fn encode(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, SEGMENT).to_string()
}

/// The recording as a link from the session folder: a relative path to it when it can be
/// found, else its file name (a copy beside the documents).
fn recording_href(dir: &Path, record: &SessionRecord) -> Href {
    let source = Path::new(&record.source.path);
    let found = std::fs::canonicalize(source).ok().zip(std::fs::canonicalize(dir).ok());
    match found.and_then(|(file, dir)| pathdiff::diff_paths(file, dir)) {
        Some(relative) => href(&relative),
        // The name alone, `/` and all, as one segment: it is a file beside the documents.
        None => Href(format!("./{}", encode(record.source.file_name.as_bytes()))),
    }
}

struct Builder<'a> {
    record: &'a SessionRecord,
    href: Href,
}

impl Builder<'_> {
    /// A claim about what segment `segment` said (`text`, in English when translated).
    fn claim(&self, text: &str, speaker: Option<&str>, seconds: f64, segment: usize) -> Claim {
        let seg = self.record.segments.iter().find(|s| s.id == segment);
        Claim {
            text: text.trim().to_string(),
            language: seg.filter(|s| s.language != "en").map(|s| language_name(&s.language)),
            translated: seg.is_some_and(|s| s.translation.is_some()),
            translation_doubt: seg.filter(|s| s.translation.is_some()).and_then(|s| s.translation_doubt.clone()),
            speaker: speaker.map(|s| label(self.record, s)),
            at: clock(seconds),
            seconds: (seconds * 10.0).round() / 10.0,
            href: self.href.at(seconds),
        }
    }

    /// `Name, Organisation` for a speaker id.
    fn by(&self, meta: &SessionMeta, speaker: Option<&str>) -> (Option<String>, Option<String>, String) {
        let Some(id) = speaker else { return (None, None, "unattributed".into()) };
        let name = label(self.record, id);
        let organisation = meta.participants.iter().find(|p| p.name == name).and_then(|p| p.organisation.clone());
        let by = match &organisation {
            Some(o) => format!("{name}, {o}"),
            None => name.clone(),
        };
        (Some(name), organisation, by)
    }

    fn point(&self, meta: &SessionMeta, analysis: &Analysis, i: usize) -> PointInfo {
        let a: &Analysed = &analysis.points[i];
        let (speaker, organisation, by) = self.by(meta, a.point.speaker.as_deref());
        let mut also_by: Vec<String> = Vec::new();
        for (j, r) in analysis.points.iter().enumerate() {
            let repeat = r.same_as == Some(i) && r.point.speaker != a.point.speaker;
            let other = self.by(meta, r.point.speaker.as_deref()).2;
            if j != i && repeat && other != by && !also_by.contains(&other) {
                also_by.push(other);
            }
        }
        let start = a.point.start;
        let subject = match (&speaker, &organisation) {
            (Some(name), Some(o)) => format!("{name}, {o},"),
            (Some(name), None) => name.clone(),
            (None, _) => "A participant".into(),
        };
        PointInfo {
            text: a.point.text.clone(),
            speaker,
            organisation,
            by,
            also_by,
            at: clock(start),
            seconds: (start * 10.0).round() / 10.0,
            href: self.href.at(start),
            language: Some(&a.point.language).filter(|l| *l != "en").map(|l| language_name(l)),
            translated: a.point.translated,
            translation_doubt: a.point.translation_doubt.clone(),
            unsure: a.unsure(),
            to: a.to.clone(),
            facet: a.themes.iter().find_map(|p| {
                let t = analysis.taxonomies.iter().find(|t| t.id == p.taxonomy && t.exclusive)?;
                Some(t.themes.iter().find(|th| th.id == p.theme)?.short.clone())
            }),
            reported: analysis.prose.as_ref().and_then(|p| p.points.get(i).cloned().flatten()),
            subject,
        }
    }

    /// The language model's summary of facet `id`, each sentence with its points' speakers.
    fn summary(&self, analysis: &Analysis, id: &str) -> Vec<SummarySentence> {
        let Some(synthesis) = analysis.prose.as_ref().and_then(|p| p.facets.iter().find(|f| f.facet == id)) else {
            return Vec::new();
        };
        (synthesis.sentences.iter())
            .map(|c| SummarySentence {
                text: c.text.clone(),
                cites: (c.points.iter().filter_map(|&i| analysis.points.get(i)))
                    .map(|a| Cite {
                        who: a
                            .point
                            .speaker
                            .as_deref()
                            .map_or_else(|| "unattributed".into(), |s| label(self.record, s)),
                        at: clock(a.point.start),
                        href: self.href.at(a.point.start),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Each taxonomy of the analysis with the themes its points touched, most time first.
    fn taxonomies(&self, meta: &SessionMeta, analysis: &Analysis) -> Vec<TaxonomyInfo> {
        let speech: f64 = self.record.segments.iter().map(|s| s.end - s.start).sum();
        analysis
            .taxonomies
            .iter()
            .map(|t| {
                let mut themes: Vec<ThemeInfo> = t
                    .themes
                    .iter()
                    .filter_map(|th| {
                        let mine: Vec<usize> = (0..analysis.points.len())
                            .filter(|&i| analysis.points[i].in_theme(&t.id, &th.id))
                            .collect();
                        if mine.is_empty() {
                            return None;
                        }
                        let seconds: f64 =
                            mine.iter().map(|&i| analysis.points[i].point.end - analysis.points[i].point.start).sum();
                        let mut speakers: Vec<String> = Vec::new();
                        for &i in &mine {
                            if let Some(id) = &analysis.points[i].point.speaker {
                                let l = label(self.record, id);
                                if !speakers.contains(&l) {
                                    speakers.push(l);
                                }
                            }
                        }
                        Some(ThemeInfo {
                            rank: 0,
                            id: th.id.clone(),
                            name: th.name.clone(),
                            short: th.short.clone(),
                            description: th.description.clone(),
                            share_percent: if speech > 0.0 { (1000.0 * seconds / speech).round() / 10.0 } else { 0.0 },
                            time: span(seconds),
                            seconds,
                            speakers,
                            segments: mine
                                .iter()
                                .flat_map(|&i| {
                                    analysis.points[i]
                                        .point
                                        .segments
                                        .iter()
                                        .map(|&s| self.record.segments.get(s).map_or(s, |x| x.id))
                                })
                                .collect(),
                            points: mine
                                .iter()
                                .filter(|&&i| analysis.points[i].same_as.is_none())
                                .map(|&i| self.point(meta, analysis, i))
                                .collect(),
                            summary: match analysis.facets() {
                                Some(f) if f.id == t.id => self.summary(analysis, &th.id),
                                _ => Vec::new(),
                            },
                        })
                    })
                    .collect();
                themes.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
                themes.iter_mut().enumerate().for_each(|(i, th)| th.rank = i + 1);
                TaxonomyInfo { id: t.id.clone(), name: t.name.clone(), exclusive: t.exclusive, themes }
            })
            .collect()
    }

    /// One intervention from consecutive segments of one speaker.
    fn intervention(&self, speaker: Option<&str>, segments: &[usize]) -> Intervention {
        let segs: Vec<_> = segments.iter().filter_map(|&i| self.record.segments.get(i)).collect();
        let (start, end) = (segs.first().map_or(0.0, |s| s.start), segs.last().map_or(0.0, |s| s.end));
        let texts: Vec<&str> = segs.iter().map(|s| s.english()).collect();
        // A sentence for every half minute or so of speech, at most three.
        let k = (1 + ((end - start) / 30.0) as usize).min(3);
        let gist: Vec<Claim> = summarise(&texts, &[], k)
            .into_iter()
            .map(|i| self.claim(segs[i].english(), speaker, segs[i].start, segs[i].id))
            .collect();
        // The language most of it was in (a turn holds one language; a paragraph may not).
        let language = time_by_language(segs.iter().copied())
            .into_iter()
            .next()
            .map(|(l, _)| l)
            .filter(|l| l != "en")
            .map(|l| language_name(&l));
        let translated = language.is_some() && gist.iter().all(|g| g.translated);
        Intervention {
            speaker: speaker.map(|s| label(self.record, s)),
            at: clock(start),
            href: self.href.at(start),
            duration: span(end - start),
            language,
            translated,
            gist,
        }
    }
}

/// Turns as (speaker, segment ids); without speakers, paragraphs of about a minute (a new one
/// where the language changes).
pub(crate) fn turns(record: &SessionRecord) -> Vec<(Option<String>, Vec<usize>)> {
    if !record.turns.is_empty() {
        return record.turns.iter().map(|t| (Some(t.speaker.clone()), t.segments.clone())).collect();
    }
    let mut out: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    let mut start = f64::NEG_INFINITY;
    for (i, s) in record.segments.iter().enumerate() {
        let switch = i > 0 && record.segments[i - 1].language != s.language;
        if s.start - start >= 60.0 || out.is_empty() || switch {
            out.push((None, Vec::new()));
            start = s.start;
        }
        out.last_mut().expect("pushed").1.push(i);
    }
    out
}

fn agenda_title(kind: AgendaKind) -> &'static str {
    match kind {
        AgendaKind::Welcome => "Welcome",
        AgendaKind::Moderator => "Moderation",
        AgendaKind::OpeningRemarks => "Opening remarks",
        AgendaKind::LeadDiscussants => "Lead discussants",
        AgendaKind::OpenDiscussion => "Open discussion",
        AgendaKind::Closing => "Closing",
        AgendaKind::Other => "Other business",
    }
}

fn kind_name(kind: AgendaKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Interventions placed under the agenda item of their speaker: the moderator's opening words
/// go to the welcome and final words to the closing (words in between only chair); a speaker's
/// turn goes to their item until a later item has begun, and everything else is discussion.
fn place(
    meta: &SessionMeta,
    named: &Named,
    all: Vec<(Option<String>, Intervention)>,
) -> (Vec<AgendaEntry>, Vec<Intervention>) {
    let record = &named.record;
    let name_of = |id: &Option<String>| {
        id.as_ref().and_then(|id| record.speakers.iter().find(|s| &s.id == id)).and_then(|s| s.name.clone())
    };
    let moderator = crate::session::agenda::moderator(meta);
    let mut entries: Vec<AgendaEntry> = meta
        .agenda
        .iter()
        .map(|a| AgendaEntry {
            title: a.title.clone().unwrap_or_else(|| agenda_title(a.item).to_string()),
            item: kind_name(a.item),
            speakers: a.speakers.iter().map(|n| meta_label(meta, n)).collect(),
            interventions: Vec::new(),
        })
        .collect();
    let item_of = |name: &str, skip_chair: bool| {
        meta.agenda.iter().position(|a| {
            a.speakers.iter().any(|s| s == name)
                && !(skip_chair
                    && Some(name) == moderator.as_deref()
                    && matches!(a.item, AgendaKind::Welcome | AgendaKind::Moderator | AgendaKind::Closing))
        })
    };
    let welcome = meta.agenda.iter().position(|a| matches!(a.item, AgendaKind::Welcome | AgendaKind::Moderator));
    let closing = meta.agenda.iter().position(|a| a.item == AgendaKind::Closing);
    let open = meta.agenda.iter().position(|a| a.item == AgendaKind::OpenDiscussion);
    let is_moderator = |id: &Option<String>| moderator.is_some() && name_of(id) == moderator;
    let first_other = all.iter().position(|(id, _)| !is_moderator(id));
    let last_other = all.iter().rposition(|(id, _)| !is_moderator(id));
    let mut discussion = Vec::new();
    let mut current = 0;
    for (i, (id, intervention)) in all.into_iter().enumerate() {
        let target = if is_moderator(&id) {
            if first_other.is_none_or(|f| i < f) {
                welcome
            } else if last_other.is_none_or(|l| i > l) {
                closing
            } else {
                None
            }
        } else {
            match name_of(&id).and_then(|n| item_of(&n, true)) {
                Some(item) if item >= current && open.is_none_or(|o| item < o) => {
                    current = item;
                    Some(item)
                }
                _ => {
                    current = open.unwrap_or(current);
                    discussion.push(intervention);
                    continue;
                }
            }
        };
        if let Some(t) = target {
            entries[t].interventions.push(intervention);
        }
    }
    if let Some(o) = open {
        entries[o].interventions = std::mem::take(&mut discussion);
    }
    (entries, discussion)
}

/// A participant's name with role and organisation, as the minutes introduce them.
fn meta_label(meta: &SessionMeta, name: &str) -> String {
    match meta.participants.iter().find(|p| p.name == name) {
        Some(p) => {
            let extra: Vec<&str> = [p.role.as_deref(), p.organisation.as_deref()].into_iter().flatten().collect();
            if extra.is_empty() { name.to_string() } else { format!("{name} ({})", extra.join(", ")) }
        }
        None => name.to_string(),
    }
}

pub fn build(dir: &Path, named: &Named, analysis: &Analysis) -> Context {
    let record = &named.record;
    let meta = named.meta.clone().unwrap_or_default();
    let b = Builder { record, href: recording_href(dir, record) };
    let total_talk: f64 = record.speakers.iter().map(|s| s.talk_time_s).sum();
    let speakers = record
        .speakers
        .iter()
        .map(|s| {
            let p = s.name.as_ref().and_then(|n| meta.participants.iter().find(|p| &p.name == n));
            SpeakerInfo {
                id: s.id.clone(),
                label: label(record, &s.id),
                name: s.name.clone(),
                role: p.and_then(|p| p.role.clone()),
                organisation: p.and_then(|p| p.organisation.clone()),
                named_by: named.named_by.get(&s.id).map(|n| match (n, &s.voice) {
                    (NamedBy::Voice, Some(v)) => format!("voice (score {:.2})", v.score),
                    (NamedBy::Voice, None) => "voice".into(),
                    (NamedBy::SpeakersToml, _) => "speakers.toml".into(),
                    (NamedBy::Agenda, _) => "agenda".into(),
                    (NamedBy::Moderator(n), _) => {
                        format!("the moderator in session.toml: speaks between the others ({n} times)")
                    }
                    (NamedBy::Cue(c), _) => format!("said at {}: \"{}\"", clock(c.at), c.said.trim()),
                }),
                talk_time: span(s.talk_time_s),
                seconds: s.talk_time_s,
                share_percent: if total_talk > 0.0 { (100.0 * s.talk_time_s / total_talk).round() as u32 } else { 0 },
            }
        })
        .collect();
    let all: Vec<(Option<String>, Intervention)> =
        turns(record).into_iter().map(|(id, segs)| (id.clone(), b.intervention(id.as_deref(), &segs))).collect();
    let interventions = all.iter().map(|(_, i)| i.clone()).collect();
    let (agenda, discussion) = if meta.agenda.is_empty() { (Vec::new(), Vec::new()) } else { place(&meta, named, all) };

    let next_steps = next_steps::next_steps(record)
        .iter()
        .map(|r| b.claim(&r.text, r.speaker.as_deref(), r.start, r.segment))
        .collect();
    let taxonomies = b.taxonomies(&meta, analysis);
    // The facets: the first exclusive taxonomy's themes in its own order, the empty ones too
    // (the minutes say nothing was raised under them).
    let facets: Vec<ThemeInfo> = analysis
        .facets()
        .map(|t| {
            let touched = taxonomies.iter().find(|x| x.id == t.id).map_or(&[][..], |x| &x.themes[..]);
            t.themes
                .iter()
                .map(|th| {
                    touched.iter().find(|x| x.id == th.id).cloned().unwrap_or_else(|| ThemeInfo {
                        rank: 0,
                        id: th.id.clone(),
                        name: th.name.clone(),
                        short: th.short.clone(),
                        description: th.description.clone(),
                        share_percent: 0.0,
                        time: span(0.0),
                        seconds: 0.0,
                        speakers: vec![],
                        segments: vec![],
                        points: vec![],
                        summary: vec![],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let asks = |a: &Analysed| {
        a.themes.iter().any(|p| {
            let t = analysis.taxonomies.iter().find(|t| t.id == p.taxonomy);
            t.and_then(|t| t.themes.iter().find(|th| th.id == p.theme))
                .is_some_and(|th| th.form == Some(Form::Recommendation))
        })
    };
    let recommendations = (0..analysis.points.len())
        .filter(|&i| asks(&analysis.points[i]) && analysis.points[i].same_as.is_none())
        .map(|i| b.point(&meta, analysis, i))
        .collect();
    let mut key_messages: Vec<PointInfo> = analysis.key_messages.iter().map(|&i| b.point(&meta, analysis, i)).collect();
    let mut facets = facets;
    // As minutes are written: the organisation at a speaker's first point, the name after.
    let mut introduced: HashSet<String> = HashSet::new();
    for p in key_messages.iter_mut().chain(facets.iter_mut().flat_map(|f| f.points.iter_mut())) {
        if let Some(name) = p.speaker.clone().filter(|_| !introduced.insert(p.by.clone())) {
            p.by = name.clone();
            p.subject = name;
        }
    }
    let lead_discussants = meta
        .agenda
        .iter()
        .filter(|a| a.item == AgendaKind::LeadDiscussants)
        .flat_map(|a| &a.speakers)
        .filter_map(|name| {
            let id = record.speakers.iter().find(|s| s.name.as_ref() == Some(name))?.id.clone();
            let points: Vec<PointInfo> = (0..analysis.points.len())
                .filter(|&i| {
                    let p = &analysis.points[i];
                    p.point.speaker.as_deref() == Some(&id)
                })
                .map(|i| b.point(&meta, analysis, i))
                .filter(|p| p.facet.is_some())
                .collect();
            let by = b.by(&meta, Some(&id)).2;
            let mut facets: Vec<FacetLines> = Vec::new();
            for p in &points {
                let facet = p.facet.clone().unwrap_or_default();
                match facets.iter_mut().find(|f| f.facet == facet) {
                    Some(f) => f.points.push(p.clone()),
                    None => facets.push(FacetLines { facet, points: vec![p.clone()] }),
                }
            }
            Some(Lines { speaker: name.clone(), by, points, facets })
        })
        .collect();
    let questions = (0..analysis.points.len())
        .filter(|&i| analysis.points[i].question)
        .map(|i| {
            let asker = &analysis.points[i].point.speaker;
            let answer = (i + 1..analysis.points.len())
                .find(|&j| &analysis.points[j].point.speaker != asker && !analysis.points[j].question)
                .map(|j| b.point(&meta, analysis, j));
            Exchange { question: b.point(&meta, analysis, i), answer }
        })
        .collect();

    // Emerging topics: recurring phrases in what no theme took.
    let placed: HashSet<usize> = analysis
        .points
        .iter()
        .filter(|p| !p.themes.is_empty())
        .flat_map(|p| p.point.segments.iter().copied())
        .collect();
    let sentences: Vec<(usize, &str)> = (record.segments.iter().enumerate())
        .filter(|(i, _)| !placed.contains(i))
        .map(|(_, s)| (s.id, s.english()))
        .collect();
    let starts: BTreeMap<usize, f64> = record.segments.iter().map(|s| (s.id, s.start)).collect();
    let emerging = key_phrases(&sentences, &HashSet::new(), 10)
        .into_iter()
        .map(|p| {
            let t = p.segments.first().and_then(|id| starts.get(id)).copied().unwrap_or(0.0);
            Phrase { phrase: p.phrase, count: p.count, at: clock(t), href: b.href.at(t) }
        })
        .collect();

    Context {
        session: SessionInfo {
            title: meta.title.clone().unwrap_or_else(|| record.source.file_name.clone()),
            series: meta.series.clone(),
            date: meta.date.clone(),
            time: meta.time.clone(),
            timezone: meta.timezone.clone(),
            organisers: meta.organisers.clone(),
            language: meta.language.clone().unwrap_or_else(|| record.language.clone()),
            languages: time_by_language(&record.segments)
                .into_iter()
                .map(|(code, t)| format!("{} ({})", language_name(&code), span(t)))
                .collect(),
            duration: span(record.duration_s),
            recording: record.source.file_name.clone(),
            recording_href: b.href.clone(),
            generator: format!("{} {}", record.generator.name, record.generator.version),
            diarized: !record.speakers.is_empty(),
            prose: analysis.prose.as_ref().map(|p| ProseInfo {
                model: p.model.clone(),
                written: p.written,
                refused: p.refused.len(),
            }),
            quoting: None,
        },
        participants: meta
            .participants
            .iter()
            .map(|p| ParticipantInfo {
                name: p.name.clone(),
                role: p.role.clone(),
                organisation: p.organisation.clone(),
                talk_time: record
                    .speakers
                    .iter()
                    .find(|s| s.name.as_ref() == Some(&p.name))
                    .map(|s| span(s.talk_time_s)),
            })
            .collect(),
        speakers,
        agenda,
        discussion,
        interventions,
        key_messages,
        facets,
        recommendations,
        lead_discussants,
        questions,
        next_steps,
        taxonomies,
        emerging,
        notes: record.notes.clone(),
        name_checks: name_checks(record, &meta),
    }
}

/// What the minutes must warn about when the voices and session.toml disagree: more voices
/// than people listed (a voice split in two, or someone unlisted), fewer voices than speakers
/// on the agenda (two people in one voice), agenda speakers no voice was named as.
fn name_checks(record: &SessionRecord, meta: &SessionMeta) -> Vec<String> {
    if record.speakers.is_empty() {
        return vec![];
    }
    let mut people: Vec<&String> = meta.participants.iter().map(|p| &p.name).collect();
    let mut on_agenda: Vec<&String> = Vec::new();
    for n in meta.agenda.iter().flat_map(|i| &i.speakers) {
        if !on_agenda.contains(&n) {
            on_agenda.push(n);
        }
        if !people.contains(&n) {
            people.push(n);
        }
    }
    if people.is_empty() {
        return vec![];
    }
    let voices = record.speakers.len();
    let mut checks = Vec::new();
    if voices > people.len() {
        checks.push(format!(
            "{voices} voices were heard and session.toml lists {} people: a voice may be split in two (give both the \
             same name in speakers.toml to merge them) or someone not listed spoke.",
            people.len()
        ));
    }
    if voices < on_agenda.len() {
        checks.push(format!(
            "{voices} voices were heard for {} speakers on the agenda: two people may share one voice.",
            on_agenda.len()
        ));
    }
    let named = |n: &String| record.speakers.iter().any(|s| s.name.as_ref() == Some(n));
    let unheard: Vec<&str> = on_agenda.iter().filter(|n| !named(n)).map(|n| n.as_str()).collect();
    if !unheard.is_empty() {
        checks.push(format!(
            "On the agenda but no voice was named so: {} (not heard, or not recognised: name them in speakers.toml).",
            unheard.join(", ")
        ));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_the_recording_survive_any_file_name() {
        let h = |p: &str| href(Path::new(p)).as_str().to_string();
        assert_eq!(h("javascript:x.wav"), "./javascript%3Ax.wav");
        assert_eq!(h("a b (1).wav"), "./a%20b%20%281%29.wav");
        assert_eq!(h("#1.wav"), "./%231.wav");
        assert_eq!(h("q?x.wav"), "./q%3Fx.wav");
        assert_eq!(h("50%.wav"), "./50%25.wav");
        assert_eq!(h("two\nlines\".wav"), "./two%0Alines%22.wav");
        assert_eq!(h("../../in/Réunion [b]\\c.wav"), "../../in/R%C3%A9union%20%5Bb%5D%5Cc.wav");
        assert_eq!(h("sub/x.wav"), "./sub/x.wav");
        assert_eq!(href(Path::new("a&b<c>.wav")).at(12.34).as_str(), "./a%26b%3Cc%3E.wav#t=12.3");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            assert_eq!(
                href(Path::new(std::ffi::OsStr::from_bytes(b"latin1-\xe9.wav"))).as_str(),
                "./latin1-%E9.wav",
                "the file's own bytes"
            );
        }

        // Found beside the session folder, or not found (a copy beside the documents).
        let dir = tempfile::tempdir().unwrap();
        let (recording, session) = (dir.path().join("in/#1 a (b)?.wav"), dir.path().join("out/s"));
        std::fs::create_dir_all(recording.parent().unwrap()).unwrap();
        std::fs::create_dir_all(&session).unwrap();
        std::fs::write(&recording, b"RIFF").unwrap();
        let mut record = crate::session::record::tests::sample();
        record.source.path = recording.display().to_string();
        record.source.file_name = "#1 a (b)?.wav".into();
        assert_eq!(recording_href(&session, &record).as_str(), "../../in/%231%20a%20%28b%29%3F.wav");
        std::fs::remove_file(&recording).unwrap();
        assert_eq!(recording_href(&session, &record).as_str(), "./%231%20a%20%28b%29%3F.wav");
    }

    #[test]
    fn names_and_voices_that_disagree_are_flagged() {
        use crate::session::metadata::{AgendaItem, AgendaKind, Participant};
        use crate::session::record::Speaker;
        let speaker = |id: &str, name: Option<&str>| Speaker {
            id: id.into(),
            name: name.map(String::from),
            talk_time_s: 10.0,
            voice: None,
        };
        let mut record = crate::session::record::tests::sample();
        let meta = SessionMeta {
            agenda: vec![AgendaItem {
                item: AgendaKind::LeadDiscussants,
                title: None,
                speakers: vec!["Ana Ruiz".into(), "Bo Li".into()],
            }],
            participants: vec![Participant { name: "Ana Ruiz".into(), role: None, organisation: None }],
            ..Default::default()
        };
        // Undiarized, or with nothing listed: nothing to compare.
        assert!(name_checks(&record, &meta).is_empty());
        record.speakers = vec![speaker("SPEAKER_1", Some("Ana Ruiz")), speaker("SPEAKER_2", None)];
        assert!(name_checks(&record, &SessionMeta::default()).is_empty());
        // Two voices for two people, but Bo Li named on none.
        let checks = name_checks(&record, &meta);
        assert_eq!(checks.len(), 1, "{checks:?}");
        assert!(checks[0].contains("Bo Li") && !checks[0].contains("Ana Ruiz"), "{checks:?}");
        // Three voices for two people; one voice for two speakers.
        record.speakers.push(speaker("SPEAKER_3", None));
        assert!(name_checks(&record, &meta)[0].starts_with("3 voices were heard and session.toml lists 2 people"));
        record.speakers = vec![speaker("SPEAKER_1", Some("Ana Ruiz"))];
        assert!(name_checks(&record, &meta).iter().any(|c| c.contains("two people may share one voice")));
        // Everyone named, as many voices as people: no warning.
        record.speakers = vec![speaker("SPEAKER_1", Some("Ana Ruiz")), speaker("SPEAKER_2", Some("Bo Li"))];
        assert!(name_checks(&record, &meta).is_empty());
    }
}
