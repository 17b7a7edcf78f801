//! Every user value is data, in every document. One session is transcribed (the sample's first
//! 40 s, under a file name that holds markup, a `javascript:` prefix, spaces, parentheses, `#`,
//! `?` and `%`); then hostile strings go into every other field a user controls (session.toml,
//! speakers.toml, the voice names and the transcript in session.json) and it is rendered and
//! catalogued. `tests/e2e/hostile.mjs` opens the pages in headless Chromium (as review.rs does);
//! here the Word and SVG files are parsed as XML. Names with line breaks or control characters
//! are refused where they enter, naming the file and the field.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::helpers::{read, root, run, sample_head, stderr, tiny_en, word_xml, write_wav};

/// The recording's file name: markup, a URL scheme at the start, and every character that
/// breaks an unencoded link (space, parentheses, `#`, `?`, `%`), but nothing Linux refuses.
const FILE_NAME: &str =
    "javascript:alert('file') <img src=x onerror=alert('file')> a b (1) #1 q?x=1 50%41 \"q\" {{7*7}}.wav";

/// Script, markup, link, template, Markdown and Unicode payloads (none with a control
/// character: those are refused in names, see below). Alerts carry their number, so a dialog
/// says which payload ran.
fn payloads() -> Vec<String> {
    let mut p: Vec<String> = [
        "<script>alert('p1')</script>",
        "</script><script>alert('p2')</script>",
        "<script>alert('p3')",
        "<img src=x onerror=alert('p4')>",
        "<svg onload=alert('p5')>",
        "<iframe src=\"javascript:alert('p6')\"></iframe>",
        "<a href=\"javascript:alert('p7')\">p7</a>",
        "<div onmouseover=\"alert('p8')\" style=\"position:fixed;inset:0\">p8</div>",
        "[p9](javascript:alert('p9'))",
        "[p10](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=)",
        "[p11](vbscript:msgbox('p11'))",
        "<javascript:alert('p12')>",
        "![p13](http://example.com/p13.png)",
        "<http://example.com/p14>",
        "https://example.org/p15?a=1&b=<2>#frag",
        "&lt;b&gt;p16&lt;/b&gt; &amp; &#x3C;script&#x3E; &quot;",
        "{{ 7*7 }} {% if true %}p17{% endif %} {# p17 #}",
        "p18 | pipe || cell |",
        "*p19* _p19_ **p19** __p19__ ~~p19~~",
        "# p20 heading",
        "- p21 item",
        "1. p22 numbered",
        "> p23 quote",
        "`p24` ``p24`` ```p24```",
        "back\\slash \\\\ \\* \\[p25\\]",
        "p26 ends with a backslash\\",
        "</style><style>body{display:none}</style>p27",
        "\"'><img src=x onerror=alert('p28')>",
        "\u{202E}p29 reversed\u{202C} \u{2066}isolate\u{2069} \u{200F}rtl",
        "p30\u{200B}zero\u{200C}width\u{200D}joiner\u{2060}",
        "<!-- p31 --><![CDATA[p31]]>",
        "<form action=\"http://example.com/p32\"><input name=p32></form>",
        "<base href=\"http://example.com/p33/\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('p34')\">",
        "<object data=\"javascript:alert('p35')\"></object><embed src=\"p35\">",
        "<math><mi xlink:href=\"javascript:alert('p36')\">p36</mi></math>",
        "javascript:alert('p37')",
        "<style>@import url(http://example.com/p38.css)</style>",
        "[p39]: javascript:alert('p39')",
        "<details open ontoggle=alert('p40')>",
        "%3Cscript%3Ealert('p41')%3C/script%3E",
        "<noscript><p title=\"</noscript><img src=x onerror=alert('p42')>\">",
        "<textarea>p43",
        "<plaintext>p44",
        "[[00:00:01]](javascript:alert('p45'))",
    ]
    .map(String::from)
    .to_vec();
    // Just under the 200 characters a name may have.
    p.push(format!("p46 long {}", "very long name ".repeat(12).trim_end()));
    p
}

/// Far longer than a name: goes into the transcript only.
fn long_text() -> String {
    format!("p47 {}", "a very long transcript line <b>with markup</b> ".repeat(400).trim_end())
}

/// The hostile session: its folder under `out`, the recording, and what went into each field
/// (`expect`, for the browser test).
pub struct Hostile {
    pub out: PathBuf,
    pub dir: PathBuf,
    pub recording: PathBuf,
    pub expect: Value,
}

fn hostile() -> &'static Hostile {
    static SESSION: OnceLock<Hostile> = OnceLock::new();
    SESSION.get_or_init(|| {
        tiny_en();
        let tmp = tempfile::Builder::new().prefix("rapporteur-safety-").tempdir().unwrap().keep();
        let (input, out) = (tmp.join("in"), tmp.join("out"));
        std::fs::create_dir_all(&input).unwrap();
        let recording = input.join(FILE_NAME);
        write_wav(&recording, 16_000, &sample_head(40.0));
        let o = run(&[
            "run",
            recording.to_str().unwrap(),
            "--model",
            "tiny.en",
            "--language",
            "en",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "run on a recording named {FILE_NAME:?}: {}", stderr(&o));
        let dirs: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("session.json").is_file())
            .collect();
        assert_eq!(dirs.len(), 1, "one session folder under {}", out.display());
        let dir = dirs[0].clone();
        let expect = poison(&dir);
        let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "render of the hostile session: {}", stderr(&o));
        // Payloads mean nothing, so the sentence model places no point of theirs: place every
        // point in a facet, an objective and the key messages (the analysis stays up to date,
        // so the next render uses it), so that every hostile text reaches every section.
        let mut analysis: Value = serde_json::from_str(&read(&dir, "analysis.json")).unwrap();
        let points = analysis["points"].as_array_mut().unwrap();
        assert!(!points.is_empty(), "the hostile session has points");
        let facets = ["trends", "challenges", "recommendations", "gcm-advocacy"];
        for (i, point) in points.iter_mut().enumerate() {
            point["themes"] = json!([
                { "taxonomy": "listening-session", "theme": facets[i % facets.len()], "similarity": 0.6 },
                { "taxonomy": "gcm", "theme": "objective-10", "similarity": 0.6 },
            ]);
            point["to"] = json!(point["text"].as_str().unwrap().chars().take(40).collect::<String>());
        }
        analysis["key_messages"] = json!((0..points.len()).take(7).collect::<Vec<_>>());
        std::fs::write(dir.join("analysis.json"), serde_json::to_string(&analysis).unwrap()).unwrap();
        let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "render of the hostile session: {}", stderr(&o));
        assert!(read(&dir, "minutes.md").contains("## Trends\n\n- "), "the hostile points reach the minutes");
        let o = run(&["catalog", out.to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "catalog of the hostile session: {}", stderr(&o));
        Hostile { out, dir, recording, expect }
    })
}

/// Writes payloads into session.toml, speakers.toml and session.json (voice names, segment
/// texts and words) in `dir`; returns where each went.
fn poison(dir: &Path) -> Value {
    let p = payloads();
    let n = p.len();
    let pick = |i: usize| p[i % n].clone();
    let title = "<script>alert('title')</script> {{ 7*7 }} *t* | [t](javascript:alert('t')) &amp; \"'><img src=x onerror=alert('t')>";
    let participants: Vec<Value> =
        (0..n).map(|i| json!({ "name": pick(i), "role": pick(i + 1), "organisation": pick(i + 2) })).collect();
    let mut agenda: Vec<Value> =
        (0..n).map(|i| json!({ "item": "other", "title": pick(i + 3), "speakers": [pick(i)] })).collect();
    agenda.push(json!({ "item": "open_discussion", "title": pick(4) }));
    let meta = json!({
        "title": title,
        "series": pick(0),
        "date": "2026-11-22",
        "time": "14:00",
        "timezone": pick(27),
        "organisers": [pick(1), pick(8), pick(16)],
        "agenda": agenda,
        "participants": participants,
    });
    std::fs::write(dir.join("session.toml"), toml::to_string(&meta).unwrap()).unwrap();

    let mut record: Value = serde_json::from_str(&read(dir, "session.json")).unwrap();
    let speakers: Vec<String> =
        record["speakers"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
    assert!(!speakers.is_empty(), "the clip was diarized");
    // speakers.toml names the first voice; the library's match names the last (the only one
    // when diarization found one voice: then speakers.toml's name wins over it).
    let spoken = "<img src=x onerror=alert('spk')> | *spk* [s](javascript:alert('spk')) {{ 7*7 }}";
    let voice = "<svg onload=alert('voice')> _voice_ | [v](javascript:alert('voice')) &lt;";
    std::fs::write(dir.join("speakers.toml"), toml::to_string(&json!({ speakers[0].clone(): spoken })).unwrap())
        .unwrap();
    let last = speakers.len() - 1;
    record["speakers"][last]["voice"] = json!({ "name": voice, "score": 0.91 });
    // The segments say every payload and the long text between them, each as one more word
    // at a segment's end (sure and unsure words in turn, so the review page's marks carry them
    // too).
    let segments = record["segments"].as_array_mut().unwrap();
    let count = segments.len();
    assert!(count >= 2, "the clip has segments");
    let mut said: Vec<String> = p.clone();
    said.push(long_text());
    for (i, s) in segments.iter_mut().enumerate() {
        let extra: Vec<&str> = said.iter().skip(i).step_by(count).map(String::as_str).collect();
        s["text"] = json!(format!("{} {}", s["text"].as_str().unwrap().trim(), extra.join(" ")));
        let end = s["end"].as_f64().unwrap();
        if let Some(words) = s["words"].as_array_mut() {
            let start = words.last().and_then(|w| w["end"].as_f64()).unwrap_or(end);
            for (k, t) in extra.iter().enumerate() {
                words.push(
                    json!({ "start": start, "end": end, "text": t, "probability": if k % 2 == 0 { 0.9 } else { 0.2 } }),
                );
            }
        }
    }
    std::fs::write(dir.join("session.json"), serde_json::to_string_pretty(&record).unwrap()).unwrap();

    let voice_names = if last > 0 { json!({ speakers[last].clone(): voice }) } else { json!({}) };
    json!({
        "title": title,
        "series": pick(0),
        "timezone": pick(27),
        "organisers": [pick(1), pick(8), pick(16)],
        "participants": meta["participants"],
        "agenda": (0..n).map(|i| json!({ "title": pick(i + 3), "speaker": pick(i) })).collect::<Vec<_>>(),
        "speaker_names": { speakers[0].clone(): spoken },
        "voice_names": voice_names,
        "file_name": FILE_NAME,
        "said": said,
        "payloads": p,
    })
}

/// The browser test: no dialog, no script error, no request off the machine, no script link,
/// every value shown as text, and the page's controls (and the recording's links) still work.
#[test]
fn hostile_values_are_inert_text_in_every_page() {
    let h = hostile();
    let playwright = root().join("tests/e2e/node_modules/playwright-core");
    assert!(
        playwright.is_dir(),
        "{} is missing: run `scripts/setup.sh test` (npm ci in tests/e2e)",
        playwright.display()
    );
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some(),
        "no Chromium: run `scripts/setup.sh test`"
    );
    let spec = json!({
        "pages": [
            { "kind": "review", "path": h.dir.join("review.html") },
            { "kind": "minutes", "path": h.dir.join("minutes.html") },
            { "kind": "summary", "path": h.dir.join("summary.html") },
            { "kind": "catalog", "path": h.out.join("index.html") },
        ],
        "recording": h.recording,
        "session_json": h.dir.join("session.json"),
        "expect": h.expect,
    });
    let spec_path = h.out.parent().unwrap().join("hostile.json");
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    let o = Command::new("node")
        .arg(root().join("tests/e2e/hostile.mjs"))
        .arg(&spec_path)
        .output()
        .expect("node runs (scripts/setup.sh test installs it)");
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(
        o.status.success(),
        "hostile values in the browser (rerun: node tests/e2e/hostile.mjs {}):\n{said}",
        spec_path.display()
    );
    println!("{said}");
}

/// Parses `xml`, or panics naming `what` and the error.
fn well_formed(what: &str, xml: &str) {
    if let Err(e) = roxmltree::Document::parse(xml) {
        panic!("{what} is not well-formed XML: {e}");
    }
}

/// A Word file's part as text.
fn docx_part(path: &Path, part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).expect("a Word file is a zip");
    let mut xml = String::new();
    zip.by_name(part).unwrap_or_else(|e| panic!("{part} in {}: {e}", path.display())).read_to_string(&mut xml).unwrap();
    xml
}

/// Word's hyperlinks point only at the web, mail or a relative file: never a script.
fn safe_targets(docx: &Path) {
    let rels = docx_part(docx, "word/_rels/document.xml.rels");
    well_formed("minutes.docx word/_rels/document.xml.rels", &rels);
    let doc = roxmltree::Document::parse(&rels).unwrap();
    let url_scheme = regex::Regex::new("^([a-z][a-z0-9+.-]*):").unwrap();
    for r in
        doc.descendants().filter(|n| n.has_tag_name("Relationship") && n.attribute("TargetMode") == Some("External"))
    {
        let target = r.attribute("Target").unwrap_or_default();
        // Browsers and Word skip blanks and controls in a URL, so `java\tscript:` is a scheme too.
        let squashed: String =
            target.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_lowercase();
        let scheme = url_scheme.captures(&squashed).map(|c| c[1].to_string());
        assert!(
            scheme.is_none_or(|s| ["http", "https", "mailto"].contains(&s.as_str())),
            "minutes.docx links to {target:?}: only http, https, mailto and relative targets may be links"
        );
    }
}

#[test]
fn hostile_values_keep_word_and_svg_well_formed() {
    let h = hostile();
    well_formed("minutes.docx word/document.xml", &word_xml(&h.dir.join("minutes.docx")));
    safe_targets(&h.dir.join("minutes.docx"));
    well_formed("timeline.svg", &read(&h.dir, "timeline.svg"));
}

/// A copy of the golden record in a fresh folder, with `edit` applied to its JSON.
fn golden(edit: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut record: Value =
        serde_json::from_str(&read(&root().join("tests/golden/listening-session"), "session.json")).unwrap();
    edit(&mut record);
    std::fs::write(dir.path().join("session.json"), serde_json::to_string_pretty(&record).unwrap()).unwrap();
    dir
}

/// Characters XML 1.0 forbids (C0 controls but tab and line breaks, U+FFFE) in a title, or in
/// a recording's file name, a voice name and the transcript (session.json), either are refused
/// with the file and field named, or never reach the Word and SVG files.
#[test]
fn characters_xml_forbids_never_reach_word_or_svg() {
    for bad in ["\u{1}", "\u{0}", "\u{b}", "\u{7}", "\u{fffe}", "\u{1b}[31m"] {
        let in_toml = golden(|_| {});
        std::fs::write(
            in_toml.path().join("session.toml"),
            toml::to_string(&json!({ "title": format!("T{bad}X") })).unwrap(),
        )
        .unwrap();
        let in_json = golden(|r| {
            r["segments"][0]["text"] = json!(format!("Said{bad}this."));
            r["source"]["file_name"] = json!(format!("file{bad}name.wav"));
            r["speakers"][0]["voice"] = json!({ "name": format!("Voice{bad}Name"), "score": 0.9 });
        });
        for (dir, file, fields) in
            [(&in_toml, "session.toml", &["title"][..]), (&in_json, "session.json", &["text", "file_name", "name"][..])]
        {
            let d = dir.path();
            let o = run(&["render", d.to_str().unwrap(), "--quiet"]);
            let e = stderr(&o);
            if o.status.success() {
                well_formed(&format!("word/document.xml with {bad:?} in {file}"), &word_xml(&d.join("minutes.docx")));
                well_formed(&format!("timeline.svg with {bad:?} in {file}"), &read(d, "timeline.svg"));
            } else {
                assert_eq!(
                    o.status.code(),
                    Some(3),
                    "{bad:?} in {file}: refused as bad input (exit 3), not {:?}: {e}",
                    o.status.code()
                );
                assert!(
                    e.contains(file) && fields.iter().any(|f| e.contains(f)),
                    "{bad:?} in {file}: the refusal names the file and the field: {e}"
                );
            }
        }
    }
}

/// A line break or control character in a name is refused where it enters: speakers.toml and
/// session.toml (participants, agenda speakers), with exit 3 naming the file and the field.
#[test]
fn names_with_line_breaks_or_controls_are_refused() {
    let cases: [(&str, String, &str); 5] = [
        ("speakers.toml", "SPEAKER_1 = \"Jane\\nSPEAKER_2 = Fake\"\n".into(), "SPEAKER_1"),
        ("speakers.toml", "SPEAKER_2 = \"Bell\\u0007Name\"\n".into(), "SPEAKER_2"),
        ("speakers.toml", "SPEAKER_3 = \"\"\"Two\nlines\"\"\"\n".into(), "SPEAKER_3"),
        ("session.toml", "[[participants]]\nname = \"Jane\\r\\nDoe\"\n".into(), "name"),
        ("session.toml", "[[agenda]]\nitem = \"welcome\"\nspeakers = [\"Jane\\u001bDoe\"]\n".into(), "speaker"),
    ];
    for (file, text, field) in cases {
        let dir = golden(|_| {});
        std::fs::write(dir.path().join(file), &text).unwrap();
        let o = run(&["render", dir.path().to_str().unwrap(), "--quiet"]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{file} {text:?}: refused with exit 3, got {:?}: {e}", o.status.code());
        assert!(e.contains(file) && e.contains(field), "{file} {text:?}: the message names {file} and {field}: {e}");
        assert!(!dir.path().join("minutes.md").exists(), "{file} {text:?}: nothing rendered");
    }
}
