//! The review page in real headless Chromium: `tests/e2e/review.mjs` (playwright-core driving
//! Debian's /usr/bin/chromium; `scripts/setup.sh test` installs both) opens the sample's
//! review.html, clicks, filters, searches, renames a speaker and downloads speakers.toml.
//! Here that file is then applied by `rapporteur render`. Screenshots and a PDF print are kept
//! in target/e2e/ for a person to look at.

use std::path::Path;
use std::process::Command;

use crate::helpers::{read, root, run, sample_run, stderr};

#[test]
fn review_page_in_headless_chromium() {
    let (session, _) = sample_run();
    // A copy of the session folder, since `render` below rewrites it and other tests read it.
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    for e in std::fs::read_dir(session).unwrap().flatten().filter(|e| e.path().is_file()) {
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    // Rendered again where it now is, so that the page's relative link finds the recording.
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
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

    let out = root().join("target/e2e");
    let _ = std::fs::remove_dir_all(&out);
    let o = Command::new("node")
        .arg(root().join("tests/e2e/review.mjs"))
        .arg(dir.join("review.html"))
        .arg(&out)
        .output()
        .expect("node runs (scripts/setup.sh test installs it)");
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(o.status.success(), "the browser test failed:\n{said}");
    println!("{said}");
    for f in ["review.png", "review-200.png", "review.pdf"] {
        assert!(out.join(f).metadata().is_ok_and(|m| m.len() > 10_000), "{f} was saved");
    }

    // The page's speakers.toml is what `rapporteur render` applies to every document.
    let record: serde_json::Value = serde_json::from_str(&read(dir, "session.json")).unwrap();
    let renamed = record["turns"][2]["speaker"].as_str().unwrap();
    let names = read(&out, "speakers.toml");
    assert!(names.contains(&format!("{renamed} = \"Rosa \\\"Chair\\\" Ruiz\"\n")), "{names}");
    std::fs::copy(out.join("speakers.toml"), dir.join("speakers.toml")).unwrap();
    let o = run(&["render", dir.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "render with the page's speakers.toml: {}", stderr(&o));
    assert!(read(dir, "minutes.md").contains("Rosa \"Chair\" Ruiz"));
    assert!(read(dir, "transcript.txt").contains("Rosa \"Chair\" Ruiz"));
    // The turn the page moved is the renamed voice's now.
    assert!(names.contains("[turns]\n"), "{names}");
    let moved = record["turns"].as_array().unwrap().iter().position(|t| t["speaker"] != renamed).unwrap();
    let first = record["turns"][moved]["segments"][0].as_u64().unwrap() as usize;
    let text = record["segments"][first]["text"].as_str().unwrap();
    let transcript = read(dir, "transcript.txt");
    let line =
        transcript.lines().find(|l| l.contains(text)).unwrap_or_else(|| panic!("{text:?} not in:\n{transcript}"));
    assert!(line.contains("Rosa \"Chair\" Ruiz"), "{line}");
    assert!(read(dir, "review.html").contains("value=\"Rosa &quot;Chair&quot; Ruiz\""));
}

/// The page stands alone: no address outside the session but the recording's relative link,
/// and the timeline is also written on its own for the minutes.
#[test]
fn review_page_is_self_contained() {
    let (session, _) = sample_run();
    let page = read(session, "review.html");
    for external in ["http://", "https://", "//cdn", "<link ", "@import", "<iframe"] {
        let allowed = |i: usize| page[i..].starts_with("http://www.w3.org/2000/svg");
        assert!(page.match_indices(external).all(|(i, _)| allowed(i)), "review.html refers to {external}");
    }
    let svg = read(session, "timeline.svg");
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && page.contains(&svg),
        "timeline.svg is the page's timeline"
    );
}

/// Without speakers the page has paragraphs, one timeline row and no speaker filter.
#[test]
fn an_undiarized_review_page_has_paragraphs_and_no_speaker_controls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("tests/golden/undiarized/session.json"), dir.path().join("session.json")).unwrap();
    let o = run(&["render", dir.path().to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = read(dir.path(), "review.html");
    assert_eq!(page.matches("<li class=\"turn\"").count(), 3, "a paragraph a minute");
    assert!(!page.contains("id=\"speaker-filter\"") && !page.contains("Download speakers.toml"));
    assert!(page.contains(">Speech</text>") && !page.contains(">Overlap</text>"));
}
