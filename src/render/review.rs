//! What `review.html` shows beside the minutes and summary: the transcript as speaker turns
//! (colours, names, times, the themes each raises, the words whisper was unsure of) and the
//! charts. The page itself, with its styles and script, is the `review.html` template.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::charts::{self, Bar, Row};
use super::context::{Context, SpeakerInfo, clock, label, language_name, turns, unnamed_label};
use crate::session::SessionRecord;

/// Words whisper gave a lower probability than this are marked for checking (on the sample,
/// about one word in forty with `base`).
pub const LOW_CONFIDENCE: f32 = 0.5;

#[derive(Debug, Serialize)]
pub struct Review<'a> {
    #[serde(flatten)]
    pub base: &'a Context,
    /// The minutes and summary as HTML (the Markdown documents rendered).
    pub minutes_html: String,
    pub summary_html: String,
    pub people: Vec<Person<'a>>,
    pub transcript: Vec<TurnView>,
    pub theme_filters: Vec<ThemeFilter>,
    pub charts: Charts,
    pub low_confidence_percent: u32,
}

/// A speaker as the documents have them (`name` is the one they use now, from speakers.toml,
/// a voice or the agenda), with their colour and what they are called unnamed.
#[derive(Debug, Serialize)]
pub struct Person<'a> {
    #[serde(flatten)]
    pub speaker: &'a SpeakerInfo,
    /// What documents call the voice with no name (`Speaker 2`).
    pub default_label: String,
    pub colour: &'static str,
}

#[derive(Debug, Serialize)]
pub struct TurnView {
    pub speaker: Option<String>,
    pub label: String,
    pub colour: &'static str,
    pub start: f64,
    pub end: f64,
    pub at: String,
    /// The language's name when not English.
    pub language: Option<String>,
    /// The themes it raises, as `taxonomy/theme`, space-separated.
    pub themes: String,
    pub segments: Vec<SegmentView>,
}

#[derive(Debug, Serialize)]
pub struct SegmentView {
    pub pieces: Vec<Piece>,
    pub translation: Option<String>,
    pub translation_doubt: Option<String>,
}

/// A run of words; `confidence` (percent) only on a word whisper was unsure of.
#[derive(Debug, Serialize, PartialEq)]
pub struct Piece {
    pub text: String,
    pub confidence: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct ThemeFilter {
    pub taxonomy: String,
    pub options: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
pub struct Charts {
    pub timeline: String,
    /// Whether two or more voices ever speak at once (the timeline then has an Overlap row).
    pub overlaps: bool,
    pub talk_time: String,
    /// One bar chart per taxonomy: (taxonomy name, SVG).
    pub themes: Vec<(String, String)>,
}

/// How the page names a theme for its filter: `taxonomy/theme`.
fn theme_key(taxonomy: &str, theme: &str) -> String {
    format!("{taxonomy}/{theme}")
}

/// A segment's words as runs, the unsure words apart.
fn pieces(segment: &crate::session::record::Segment) -> Vec<Piece> {
    if segment.words.is_empty() {
        return vec![Piece { text: segment.text.trim().to_string(), confidence: None }];
    }
    let mut out: Vec<Piece> = Vec::new();
    let mut push = |text: &str, confidence: Option<u32>| match out.last_mut() {
        Some(last) if confidence.is_none() && last.confidence.is_none() => last.text.push_str(text),
        _ if text.is_empty() => {}
        _ => out.push(Piece { text: text.to_string(), confidence }),
    };
    for (i, w) in segment.words.iter().enumerate() {
        let space = if i > 0 { " " } else { "" };
        if w.probability < LOW_CONFIDENCE {
            push(space, None);
            push(&w.text, Some((w.probability * 100.0).round() as u32));
        } else {
            push(&format!("{space}{}", w.text), None);
        }
    }
    out
}

/// Each speaker's colour by the order they first speak in (the record lists them by id).
fn colours(record: &SessionRecord) -> BTreeMap<String, &'static str> {
    let mut order: Vec<&str> = Vec::new();
    for t in &record.turns {
        if !order.contains(&t.speaker.as_str()) {
            order.push(&t.speaker);
        }
    }
    for s in &record.speakers {
        if !order.contains(&s.id.as_str()) {
            order.push(&s.id);
        }
    }
    order.into_iter().enumerate().map(|(i, id)| (id.to_string(), charts::colour(i))).collect()
}

pub fn build<'a>(ctx: &'a Context, record: &SessionRecord, minutes_html: String, summary_html: String) -> Review<'a> {
    let colour = colours(record);
    let colour_of = |id: Option<&str>| {
        id.and_then(|id| colour.get(id).copied()).unwrap_or(charts::colour(charts::PALETTE.len() - 1))
    };
    let people: Vec<Person> = ctx
        .speakers
        .iter()
        .map(|s| Person { speaker: s, default_label: unnamed_label(&s.id), colour: colour_of(Some(&s.id)) })
        .collect();

    // Which themes each segment raised, to tag the turns for the theme filter.
    let mut themes_of: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for t in &ctx.taxonomies {
        for th in &t.themes {
            for &seg in &th.segments {
                themes_of.entry(seg).or_default().insert(theme_key(&t.id, &th.id));
            }
        }
    }
    let transcript = turns(record)
        .into_iter()
        .filter_map(|(speaker, ids)| {
            let segs: Vec<_> = ids.iter().filter_map(|&i| record.segments.get(i)).collect();
            let (first, last) = (segs.first()?, segs.last()?);
            let themes: BTreeSet<&String> = segs.iter().filter_map(|s| themes_of.get(&s.id)).flatten().collect();
            Some(TurnView {
                // Without speakers a turn is a paragraph of about a minute, with no name.
                label: speaker.as_deref().map_or_else(String::new, |id| label(record, id)),
                colour: colour_of(speaker.as_deref()),
                speaker,
                start: first.start,
                end: last.end,
                at: clock(first.start),
                language: Some(&first.language).filter(|l| *l != "en" && *l != "und").map(|l| language_name(l)),
                themes: themes.into_iter().cloned().collect::<Vec<_>>().join(" "),
                segments: segs
                    .iter()
                    .map(|s| SegmentView {
                        pieces: pieces(s),
                        translation: s.translation.clone(),
                        translation_doubt: s.translation_doubt.clone(),
                    })
                    .collect(),
            })
        })
        .collect();

    let theme_filters = ctx
        .taxonomies
        .iter()
        .filter(|t| !t.themes.is_empty())
        .map(|t| ThemeFilter {
            taxonomy: t.name.clone(),
            options: t.themes.iter().map(|th| (theme_key(&t.id, &th.id), th.short.clone())).collect(),
        })
        .collect();

    let words: Vec<_> = record.segments.iter().flat_map(|s| &s.words).collect();
    let unsure = words.iter().filter(|w| w.probability < LOW_CONFIDENCE).count();
    Review {
        base: ctx,
        minutes_html,
        summary_html,
        charts: charts_of(ctx, record, &colour_of),
        people,
        transcript,
        theme_filters,
        low_confidence_percent: if words.is_empty() {
            0
        } else {
            (100.0 * unsure as f64 / words.len() as f64).round() as u32
        },
    }
}

fn charts_of(ctx: &Context, record: &SessionRecord, colour_of: &dyn Fn(Option<&str>) -> &'static str) -> Charts {
    // Who spoke when: the diarizer's speech per speaker (overlaps included); without
    // speakers, the transcribed segments on one row.
    let mut rows: Vec<Row> = ctx
        .speakers
        .iter()
        .map(|s| Row {
            label: s.label.clone(),
            colour: colour_of(Some(&s.id)),
            spans: record.speech.iter().filter(|t| t.speaker == s.id).map(|t| (t.start, t.end)).collect(),
        })
        .collect();
    rows.sort_by(|a, b| {
        a.spans.first().map_or(f64::MAX, |s| s.0).total_cmp(&b.spans.first().map_or(f64::MAX, |s| s.0))
    });
    if rows.is_empty() {
        rows.push(Row {
            label: "Speech".into(),
            colour: colour_of(None),
            spans: record.segments.iter().map(|s| (s.start, s.end)).collect(),
        });
    }
    let mut by_talk: Vec<&SpeakerInfo> = ctx.speakers.iter().collect();
    by_talk.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    let talk: Vec<Bar> = by_talk
        .iter()
        .map(|s| Bar {
            label: s.label.clone(),
            seconds: s.seconds,
            text: format!("{} ({}%)", s.talk_time, s.share_percent),
            colour: colour_of(Some(&s.id)),
        })
        .collect();
    let themes = ctx
        .taxonomies
        .iter()
        .filter(|t| !t.themes.is_empty())
        .map(|t| {
            let mut top: Vec<_> = t.themes.iter().collect();
            top.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
            let bars: Vec<Bar> = top
                .iter()
                .take(10)
                .map(|th| Bar {
                    label: th.short.clone(),
                    seconds: th.seconds,
                    text: format!("{} ({}%)", th.time, th.share_percent),
                    colour: "#2f5496",
                })
                .collect();
            (t.name.clone(), charts::bars(&format!("Time per theme: {}", t.name), &bars))
        })
        .collect();
    Charts {
        overlaps: !charts::overlaps(&rows).is_empty(),
        timeline: charts::timeline(&rows, record.duration_s),
        talk_time: if talk.is_empty() { String::new() } else { charts::bars("Talk time per speaker", &talk) },
        themes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::Word;

    fn word(text: &str, p: f32) -> Word {
        Word { start: 0.0, end: 0.0, text: text.into(), probability: p, speaker: None, overlap: Vec::new() }
    }

    #[test]
    fn unsure_words_are_set_apart() {
        let mut s = crate::session::record::tests::sample().segments[0].clone();
        s.words = vec![
            word("Good", 0.9),
            word("morning", 0.95),
            word("Ms", 0.31),
            word("Santos.", 0.8),
            word("Welcome", 0.2),
        ];
        let p = |t: &str, c: Option<u32>| Piece { text: t.into(), confidence: c };
        assert_eq!(
            pieces(&s),
            vec![p("Good morning ", None), p("Ms", Some(31)), p(" Santos. ", None), p("Welcome", Some(20))]
        );
        s.words.clear();
        s.text = " No words. ".into();
        assert_eq!(pieces(&s), vec![p("No words.", None)]);
    }
}
