//! Any strings in the fields a user controls (session.toml, speakers.toml, a voice name, the
//! recording's file name, the transcript) render into HTML holding only the elements and
//! attributes the built-in templates make with ordinary values: user values stay text. The
//! input is split into fields at U+001F; the TOML files are written by a TOML serializer, so
//! every string reaches rendering unless rapporteur's own checks refuse it (then it is
//! skipped). Word's document.xml and timeline.svg must stay well-formed XML too.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use rapporteur::cli::{MinutesOptions, MinutesStyle};
use rapporteur::models::store::Store;
use rapporteur::prose::{Cited, Prose, Synthesis};
use rapporteur::render::Documents;
use rapporteur::session::naming::Named;
use rapporteur::session::record::SessionRecord;
use rapporteur::session::{metadata, speakers};
use rapporteur::themes::analysis::{Analysed, Analysis, Placed, TaxonomyNames};
use rapporteur::themes::points::Point;
use rapporteur::themes::taxonomy;
use serde_json::{Value, json};

const HTML: [&str; 3] = ["minutes.html", "summary.html", "review.html"];

/// Elements pulldown-cmark makes from Markdown the templates may write with other data (lists,
/// tables, emphasis): allowed even if the ordinary render lacks them. Not `img`: the only image
/// is the timeline, checked by its `src`.
const MARKDOWN_ELEMENTS: [&str; 22] = [
    "p",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "blockquote",
    "br",
];
const MARKDOWN_ATTRIBUTES: [&str; 3] = ["href", "start", "style"];
/// Attributes a browser reads as a URL.
const URL_ATTRIBUTES: [&str; 10] =
    ["href", "src", "action", "formaction", "data", "poster", "srcset", "background", "cite", "ping"];
/// Elements whose number is fixed by the template: one more is an injected one.
const COUNTED: [&str; 5] = ["script", "style", "meta", "audio", "head"];

/// A document's elements, attributes and counted elements.
#[derive(Default)]
struct Shape {
    elements: BTreeSet<String>,
    attributes: BTreeSet<String>,
    counts: BTreeMap<&'static str, usize>,
}

fn shape(html: &str, fail: &mut impl FnMut(String)) -> Shape {
    let doc = scraper::Html::parse_document(html);
    let mut s = Shape::default();
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else { continue };
        let name = el.name();
        s.elements.insert(name.to_string());
        if let Some(c) = COUNTED.iter().find(|c| **c == name) {
            *s.counts.entry(*c).or_default() += 1;
        }
        for (attr, value) in el.attrs() {
            s.attributes.insert(attr.to_string());
            if attr.to_ascii_lowercase().starts_with("on") {
                fail(format!("<{name} {attr}=\"{value}\">: an event handler"));
            }
            if !URL_ATTRIBUTES.contains(&attr) {
                continue; // a name box's value or a label may well read "javascript:": it is text
            }
            // Browsers skip blanks and controls in a URL: `java\tscript:` is a script link.
            let squashed: String = value
                .chars()
                .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if squashed.starts_with("javascript:") || squashed.starts_with("vbscript:") {
                fail(format!("<{name} {attr}=\"{value}\">: a script URL"));
            }
            let scheme = squashed.split_once(':').map(|(s, _)| s).filter(|s| {
                s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            });
            match (attr, scheme) {
                ("href", Some(s)) if !["http", "https", "mailto"].contains(&s) => {
                    fail(format!("<{name} href=\"{value}\">: a {s}: link"))
                }
                ("src", _) if name == "img" && value != "timeline.svg" => {
                    fail(format!("<img src=\"{value}\">: an image other than the timeline"))
                }
                (_, Some(s)) if attr != "href" => fail(format!("<{name} {attr}=\"{value}\">: a {s}: source")),
                _ => {}
            }
        }
    }
    s
}

fn well_formed(what: &str, xml: &str, fail: &mut impl FnMut(String)) {
    if let Err(e) = roxmltree::Document::parse(xml) {
        fail(format!("{what} is not well-formed XML: {e}"));
    }
}

struct Setup {
    documents: Documents,
    record: Value,
    /// Each page's shape with ordinary values.
    allowed: BTreeMap<&'static str, Shape>,
}

/// The fields, with ordinary values: title, series, timezone, organiser, agenda title, agenda
/// speaker, participant name, role, organisation, SPEAKER_1's name (speakers.toml), SPEAKER_2's
/// voice name, the recording's file name, a transcript sentence and an unsure word.
const ORDINARY: [&str; 15] = [
    "Listening session",
    "Regional Network",
    "Europe/Geneva",
    "IOM",
    "Opening remarks",
    "John Smith",
    "Jane Doe",
    "Moderator",
    "UNHCR",
    "Maria Santos",
    "Daniel Okoro",
    "listening-session.wav",
    "Good morning.",
    "Welcome",
    "minutes-llm",
];

/// The documents for the fields `f` (the ordinary value for each one missing); none when
/// rapporteur's checks refuse one.
fn render(documents: &Documents, record: &Value, f: &[&str]) -> Option<Vec<(&'static str, Vec<u8>)>> {
    let field = |i: usize| f.get(i).copied().unwrap_or(ORDINARY[i]);
    let mut meta = toml::Table::new();
    for (key, i) in [("title", 0), ("series", 1), ("timezone", 2)] {
        if !field(i).is_empty() {
            meta.insert(key.into(), field(i).into());
        }
    }
    meta.insert("date".into(), "2026-11-22".into());
    meta.insert("time".into(), "14:00".into());
    if !field(3).is_empty() {
        meta.insert("organisers".into(), toml::Value::Array(vec![field(3).into()]));
    }
    let participant = json!({ "name": field(6), "role": field(7), "organisation": field(8) });
    let agenda = json!([
        { "item": "welcome", "speakers": [field(6)] },
        { "item": "other", "title": field(4), "speakers": [field(5)] },
        { "item": "open_discussion" },
    ]);
    meta.insert("participants".into(), toml::Value::try_from(json!([participant])).ok()?);
    meta.insert("agenda".into(), toml::Value::try_from(agenda).ok()?);
    let session_toml = toml::to_string(&meta).expect("any strings serialize as TOML");
    let mut names = toml::Table::new();
    names.insert("SPEAKER_1".into(), field(9).into());
    let names = toml::to_string(&names).expect("any string serializes as TOML");

    let mut record = record.clone();
    record["speakers"][1]["voice"] = json!({ "name": field(10), "score": 0.9 });
    record["source"]["file_name"] = json!(field(11));
    let segment = &mut record["segments"][0];
    segment["text"] = json!(format!("{} {}", field(12), field(13)));
    segment["words"] = json!([
        { "start": 0.9, "end": 3.0, "text": field(12), "probability": 0.9 },
        { "start": 3.0, "end": 6.7, "text": field(13), "probability": 0.2 },
    ]);
    let record: SessionRecord = serde_json::from_value(record).expect("the edited record is a record");

    let meta = metadata::parse(&session_toml).ok()?;
    let given = speakers::parse(&names, &record).ok()?;
    let named = Named::new(&record, Some(meta), &given);
    // An analysis that puts the sentence in a facet, an objective and the key messages, as
    // the sentence model would (without it: the fuzzer tries values, not meanings).
    let mut analysis = Analysis::empty();
    analysis.taxonomies = taxonomy::load(None).expect("built-in taxonomies").iter().map(TaxonomyNames::of).collect();
    let placed =
        |taxonomy: &str, theme: &str| Placed { taxonomy: taxonomy.into(), theme: theme.into(), similarity: 0.6 };
    analysis.points = vec![Analysed {
        point: Point {
            speaker: Some("SPEAKER_1".into()),
            start: 0.9,
            end: 6.7,
            text: format!("{} {}", field(12), field(13)),
            confidence: 0.5,
            unsure: 0.5,
            language: "en".into(),
            translated: false,
            translation_doubt: None,
            segments: vec![0],
        },
        question: false,
        themes: vec![placed("listening-session", "recommendations"), placed("gcm", "objective-10")],
        to: Some(field(13).into()),
        same_as: None,
    }];
    analysis.key_messages = vec![0];
    // And the language model's sentences about it: what it writes is data too.
    analysis.prose = Some(Prose {
        inputs: String::new(),
        model: field(14).into(),
        points: vec![Some(field(12).into())],
        facets: vec![Synthesis {
            facet: "recommendations".into(),
            sentences: vec![Cited { text: field(13).into(), points: vec![0] }],
        }],
        written: 2,
        refused: vec![],
    });
    Some(
        documents
            .render_with(Path::new("/nonexistent/session"), &named, &analysis)
            .expect("the built-in templates render any values"),
    )
}

fn setup() -> Setup {
    let quoting = MinutesOptions { minutes: MinutesStyle::Extractive, minutes_model: String::new() };
    let documents = Documents::load(None, &quoting, &Store::open(None)).expect("the built-in templates load");
    // Through the record's reader, which upgrades the golden record's older schema version.
    let record = SessionRecord::parse(include_str!("../../tests/golden/listening-session/session.json"), "golden")
        .expect("the golden record parses");
    let record: Value = serde_json::to_value(record).expect("a record serialises");
    let docs = render(&documents, &record, &[]).expect("ordinary values pass rapporteur's checks");
    let mut allowed = BTreeMap::new();
    for (name, bytes) in docs.iter().filter(|(n, _)| HTML.contains(n)) {
        let mut s = shape(std::str::from_utf8(bytes).unwrap(), &mut |e| panic!("the ordinary render of {name}: {e}"));
        s.elements.extend(MARKDOWN_ELEMENTS.map(String::from));
        s.attributes.extend(MARKDOWN_ATTRIBUTES.map(String::from));
        allowed.insert(*name, s);
    }
    Setup { documents, record, allowed }
}

fuzz_target!(|text: &str| {
    thread_local! {
        static SETUP: Setup = setup();
    }
    let fields: Vec<&str> = text.split('\u{1f}').collect();
    SETUP.with(|setup| {
        let Some(docs) = render(&setup.documents, &setup.record, &fields) else { return };
        let mut failures = Vec::new();
        let mut fail = |e: String| failures.push(e);
        for (name, bytes) in &docs {
            match *name {
                "timeline.svg" => well_formed(name, std::str::from_utf8(bytes).unwrap(), &mut fail),
                "minutes.docx" => {
                    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("minutes.docx is a zip");
                    let mut xml = String::new();
                    zip.by_name("word/document.xml").expect("a Word document").read_to_string(&mut xml).unwrap();
                    well_formed("minutes.docx word/document.xml", &xml, &mut fail);
                }
                n if HTML.contains(&n) => {
                    let allowed = &setup.allowed[n];
                    let s = shape(std::str::from_utf8(bytes).unwrap(), &mut |e| fail(format!("{n}: {e}")));
                    for e in s.elements.difference(&allowed.elements) {
                        fail(format!("{n}: <{e}> is not an element the templates make"));
                    }
                    for a in s.attributes.difference(&allowed.attributes) {
                        fail(format!("{n}: attribute {a} is not one the templates make"));
                    }
                    if s.counts != allowed.counts {
                        fail(format!("{n}: {:?} where the templates make {:?}", s.counts, allowed.counts));
                    }
                }
                _ => {}
            }
        }
        assert!(failures.is_empty(), "fields {fields:?}:\n{}", failures.join("\n"));
    });
});
