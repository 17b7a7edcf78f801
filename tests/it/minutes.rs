//! Minutes and thematic summary: on the sample run (names from the session.toml beside the
//! recording, the script's recommendations, its themes), golden renders of fixed records,
//! re-rendering with new names, and template mistakes.

use crate::helpers::*;

/// The recommendations the sample's script makes (samples/script.tsv), and nothing else in it
/// is one.
const SCRIPT_RECOMMENDATIONS: [&str; 3] = [
    "We recommend that governments translate all information on labour rights and on hotlines into the languages that migrants speak.",
    "We also call on employers to stop charging recruitment fees to workers.",
    "Governments should keep labour inspections running during any future emergency, and they should give firewall protections so that migrants can report abuse without fear of deportation.",
];

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Share of `expected`'s words found in `found`.
fn overlap(expected: &str, found: &str) -> f64 {
    let f = words(found);
    let e = words(expected);
    e.iter().filter(|w| f.contains(w)).count() as f64 / e.len() as f64
}

fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc.find(heading).unwrap_or_else(|| panic!("no {heading} in {doc}"));
    let rest = &doc[start + heading.len()..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

#[test]
fn sample_minutes_name_the_speakers_and_list_every_recommendation() {
    let (dir, _) = sample_run();
    let minutes = read(dir, "minutes.md");
    // Names from samples/listening-session.toml, which run copied in as session.toml.
    assert!(dir.join("session.toml").exists());
    // Each voice named, with its organisation, in the participants table.
    for (name, organisation) in [
        ("Maria Santos", "Regional Network on Migration secretariat"),
        ("Daniel Okoro", "Regional Office"),
        ("Amina Diallo", "Survivor support network"),
        ("Lena Fischer", "National labour inspectorate"),
    ] {
        assert!(minutes.contains(&format!("| {name} | {organisation} | ")), "{name} in {minutes}");
    }
    let listed: Vec<&str> =
        section(&minutes, "## Recommendations and calls to action").lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(listed.len(), SCRIPT_RECOMMENDATIONS.len(), "{listed:#?}");
    for r in SCRIPT_RECOMMENDATIONS {
        let best = listed.iter().map(|l| overlap(r, l)).fold(0.0, f64::max);
        // Nearly: tiny.en writes "labor", "hot lines", "government".
        assert!(best >= 0.7, "{r} not listed nearly verbatim ({best:.2}): {listed:#?}");
    }
    // Attributed (the organisation is given at a speaker's first point in the minutes).
    assert!(
        listed[0].contains("(Amina Diallo") && listed[0].contains("[00:01:") && listed[2].contains("(Lena Fischer"),
        "{listed:#?}"
    );
    assert!(minutes.contains("(Amina Diallo, Survivor support network, [00:"), "{minutes}");
    assert!(listed[1].contains("*Asks: employers.*"), "{listed:#?}");
    // Each lead discussant's lines, by facet.
    let lines = section(&minutes, "## Lead discussants' lines of reflection");
    assert!(lines.contains("- **Amina Diallo, Survivor support network:** challenges [00:01:"), "{lines}");
    assert!(lines.contains("- **Lena Fischer, National labour inspectorate:** "), "{lines}");

    // The script is about trafficking and the exploitation of migrant workers: those themes are
    // touched, the recommendations take the most time among the facets.
    let summary = read(dir, "summary.md");
    let table = section(&summary, "## Global Compact for Migration objectives");
    assert!(
        table.contains("| Trafficking in persons |") && table.contains("| Fair recruitment and decent work |"),
        "{table}"
    );
    let facets = section(&summary, "## Listening session facets");
    assert!(facets.contains("| 1 | Recommendations |"), "{facets}");

    // Every document is there, the Word one a real Word file.
    assert!(read(dir, "minutes.html").contains("<h2>Recommendations and calls to action</h2>"));
    assert!(read(dir, "summary.html").contains("Trafficking in persons"));
    let xml = word_xml(&dir.join("minutes.docx"));
    assert!(xml.contains("Maria Santos") && xml.contains("We also call on employers"), "docx text");
}

/// Fixed records rendered through the default templates must give the committed documents
/// (`UPDATE_GOLDEN=1 cargo test` rewrites them after an intended change; review the diff).
#[test]
fn golden_documents() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for name in ["listening-session", "undiarized"] {
        let dir = fixture(name);
        let o = run(&["render", dir.path().to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "{}", stderr(&o));
        for doc in ["minutes.md", "summary.md", "minutes.html", "transcript.txt", "timeline.svg"] {
            let got = read(dir.path(), doc);
            let expected = root().join("tests/golden").join(name).join("expected").join(doc);
            if update {
                std::fs::create_dir_all(expected.parent().unwrap()).unwrap();
                std::fs::write(&expected, &got).unwrap();
            }
            let want = std::fs::read_to_string(&expected)
                .unwrap_or_else(|_| panic!("{} missing: run UPDATE_GOLDEN=1 cargo test", expected.display()));
            assert!(got == want, "{name}/{doc} differs from {}:\n{got}", expected.display());
        }
    }
}

#[test]
fn renaming_a_speaker_renames_them_in_every_document() {
    let dir = fixture("listening-session");
    let dir = dir.path();
    let record: serde_json::Value = serde_json::from_str(&read(dir, "session.json")).unwrap();
    // The voice the agenda names Amina Diallo: the first lead discussant, fourth turn.
    let amina = record["turns"][3]["speaker"].as_str().unwrap().to_string();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(dir, "minutes.md").contains("| Amina Diallo | "));

    std::fs::write(dir.join("speakers.toml"), format!("{amina} = \"Rosa Ruiz\"\n")).unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for doc in [
        "minutes.md",
        "summary.md",
        "minutes.html",
        "summary.html",
        "transcript.txt",
        "transcript.srt",
        "transcript.vtt",
    ] {
        let text = read(dir, doc);
        assert!(text.contains("Rosa Ruiz"), "{doc} has the new name");
    }
    assert!(word_xml(&dir.join("minutes.docx")).contains("Rosa Ruiz"));
    let minutes = read(dir, "minutes.md");
    // Amina Diallo stays a listed participant, but no voice is hers any more.
    assert!(
        !section(&minutes, "## Recommendations").contains("Amina Diallo")
            && section(&minutes, "## Recommendations").contains("Rosa Ruiz")
    );
    assert!(minutes.contains("| Rosa Ruiz |  | 29 s (21%) | speakers.toml |"), "{minutes}");
    // Amina Diallo is listed, and said to have no voice.
    assert!(minutes.contains("| Amina Diallo | Survivor support network | no voice named so |"), "{minutes}");
}

#[test]
fn template_mistakes_name_file_and_line() {
    let dir = fixture("listening-session");
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(templates.path().join("minutes.md"), "# {{ session.title }}\n\n{{ session.venue }}\n").unwrap();
    let o =
        run(&["render", dir.path().to_str().unwrap(), "--templates", templates.path().to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3));
    let minutes = templates.path().join("minutes.md").display().to_string();
    assert!(stderr(&o).contains(&format!("{minutes}:3: undefined value")), "{}", stderr(&o));
    assert!(!dir.path().join("minutes.md").exists(), "no document from a failed render");

    // A user's template replaces the built-in one; what the folder lacks stays built in.
    std::fs::write(
        templates.path().join("minutes.md"),
        "# Minutes of {{ session.date }}\n{% for r in recommendations %}* {{ r.speaker }}\n{% endfor %}",
    )
    .unwrap();
    let o =
        run(&["render", dir.path().to_str().unwrap(), "--templates", templates.path().to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        read(dir.path(), "minutes.md"),
        "# Minutes of 2026-11-20\n* Amina Diallo\n* Amina Diallo\n* Lena Fischer\n"
    );
    assert!(read(dir.path(), "summary.md").starts_with("# Thematic summary"));

    // Taxonomies of one's own sit in the templates folder's themes/.
    std::fs::create_dir(templates.path().join("themes")).unwrap();
    let mine = templates.path().join("themes/inspections.toml");
    std::fs::write(&mine, "id = \"mine\"\nname = \"Our own themes\"\n[[theme]]\nid = \"inspection\"\nname = \"Labour inspection\"\nterms = { \"inspection\" = 2, \"inspector\" = 2 }\n").unwrap();
    let o =
        run(&["render", dir.path().to_str().unwrap(), "--templates", templates.path().to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = read(dir.path(), "summary.md");
    assert!(summary.contains("## Our own themes") && summary.contains("| 1 | Labour inspection |"), "{summary}");
    std::fs::write(&mine, "id = \"mine\"\nname = \"Our own themes\"\n[[theme]]\nid = \"inspection\"\nname = \"Labour inspection\"\nterms = { \"inspection\" = \"high\" }\n").unwrap();
    let o =
        run(&["render", dir.path().to_str().unwrap(), "--templates", templates.path().to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains(&format!("{}:6:", mine.display())), "{}", stderr(&o));
    std::fs::remove_file(&mine).unwrap();

    // A syntax error stops `run` before any audio is decoded.
    std::fs::write(templates.path().join("summary.md"), "{% for t in taxonomies %}\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = run(&[
        "run",
        SAMPLE,
        "--model",
        "tiny.en",
        "--out",
        out.path().to_str().unwrap(),
        "--templates",
        templates.path().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("summary.md:") && stderr(&o).contains("syntax error"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("\"decode\""), "failed before decoding");
}
