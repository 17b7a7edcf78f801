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
use crate::render::context;
use crate::session::naming::Named;
use crate::session::SessionRecord;

/// Themes per taxonomy listed for each session.
const TOP_THEMES: usize = 3;
const DOCUMENTS: [&str; 8] = ["review.html", "minutes.md", "minutes.html", "minutes.docx", "summary.md", "summary.html", "transcript.txt", "session.json"];

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
    pub href: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Trend {
    pub taxonomy: String,
    pub theme: String,
    pub sessions: usize,
    /// (`YYYY-MM` or `undated`, sessions).
    pub by_month: Vec<(String, usize)>,
}

/// Session folders (holding session.json) under `dir`, in path order.
fn sessions(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    entries.sort();
    for p in entries {
        if p.join("session.json").is_file() {
            found.push(p.clone());
        }
        sessions(&p, found)?;
    }
    Ok(())
}

pub fn build(dir: &Path) -> Result<Catalog, Failure> {
    let mut folders = Vec::new();
    sessions(dir, &mut folders).map_err(|e| Failure::new(Exit::Input, format!("cannot read {}: {e}", dir.display())))?;
    let taxonomies = crate::themes::taxonomy::load(None).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
    let mut entries = Vec::new();
    for folder in folders {
        let record = SessionRecord::load(&folder.join("session.json")).map_err(|e| Failure::new(Exit::Input, e.to_string()))?;
        // Names from speakers.toml and session.toml as the documents have them; a folder whose
        // files do not parse is catalogued without them.
        let named = Named::load(&folder, &record).unwrap_or_else(|_| Named::new(&record, None, &Default::default()));
        let ctx = context::build(&folder, &named, &taxonomies);
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
                .flat_map(|t| t.themes.iter().take(TOP_THEMES).map(move |th| ThemeShare { taxonomy: t.name.clone(), theme: th.short.clone(), share_percent: th.share_percent }))
                .collect(),
            documents: DOCUMENTS.iter().filter(|d| folder.join(d).is_file()).map(|d| Link { name: d.to_string(), href: format!("{path}/{d}") }).collect(),
            path,
        });
    }
    let mut trends: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
    for e in &entries {
        let month = e.date.as_deref().filter(|d| d.len() >= 7).map_or_else(|| "undated".to_string(), |d| d[..7].to_string());
        for t in &e.themes {
            *trends.entry((t.taxonomy.clone(), t.theme.clone())).or_default().entry(month.clone()).or_default() += 1;
        }
    }
    let mut trends: Vec<Trend> = trends
        .into_iter()
        .map(|((taxonomy, theme), months)| Trend { taxonomy, theme, sessions: months.values().sum(), by_month: months.into_iter().collect() })
        .collect();
    trends.sort_by(|a, b| a.taxonomy.cmp(&b.taxonomy).then(b.sessions.cmp(&a.sessions)).then_with(|| a.theme.cmp(&b.theme)));
    Ok(Catalog { sessions: entries, trends })
}

/// A CSV field, quoted when it must be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn csv(c: &Catalog) -> String {
    let mut out = String::from("path,title,date,duration_s,speakers,languages,themes,minutes\n");
    for e in &c.sessions {
        let themes: Vec<String> = e.themes.iter().map(|t| format!("{} ({}%)", t.theme, t.share_percent)).collect();
        let minutes = e.documents.iter().find(|d| d.name == "minutes.md").map_or("", |d| d.href.as_str());
        let row = [e.path.as_str(), &e.title, e.date.as_deref().unwrap_or(""), &e.duration_s.to_string(), &e.speakers.join("; "), &e.languages.join("; "), &themes.join("; "), minutes];
        out += &row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
        out.push('\n');
    }
    out
}

fn html(c: &Catalog) -> Result<String, Failure> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("catalog.html", include_str!("../../templates/catalog.html")).map_err(|e| Failure::new(Exit::Failed, format!("catalog template: {e}")))?;
    let months: Vec<String> = c.trends.iter().flat_map(|t| t.by_month.iter().map(|(m, _)| m.clone())).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    env.get_template("catalog.html")
        .and_then(|t| t.render(minijinja::context! { catalog => c, months => months }))
        .map_err(|e| Failure::new(Exit::Failed, format!("catalog template: {e}")))
}

/// Writes the three catalog files into `dir`.
pub fn write_catalog(dir: &Path) -> Result<Catalog, Failure> {
    let c = build(dir)?;
    let write_fail = |e: std::io::Error| Failure::new(Exit::Output, format!("cannot write the catalog in {}: {e}", dir.display()));
    let json = serde_json::to_string_pretty(&c).expect("serialisable") + "\n";
    let page = html(&c)?;
    let _commit = crate::fsutil::commit();
    write_atomic(&dir.join("catalog.json"), json.as_bytes()).map_err(write_fail)?;
    write_atomic(&dir.join("catalog.csv"), csv(&c).as_bytes()).map_err(write_fail)?;
    write_atomic(&dir.join("index.html"), page.as_bytes()).map_err(write_fail)?;
    Ok(c)
}

pub fn catalog(dir: &Path, progress: &Progress) -> Vec<Failure> {
    if !dir.is_dir() {
        let f = Failure::new(Exit::Input, format!("{} is not a folder; give the --out folder of `rapporteur batch` or `run`", dir.display()));
        progress.error(None, &f.message);
        return vec![f];
    }
    crate::fsutil::remove_stale_temps(dir);
    match write_catalog(dir) {
        Ok(c) => {
            progress.done(&dir.display().to_string(), &dir.join("index.html").display().to_string(), &format!("{} sessions", c.sessions.len()));
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

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
