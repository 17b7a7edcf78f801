//! `session.toml` in a session folder: what the recording cannot say (title, date,
//! organisers, agenda, participants). Scaffolded by `rapporteur init`; checked by `run` and
//! `render`, which report a mistake with its file, line and field.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{input, toml_error};
use crate::safe_text::{MAX_NAME_CHARS, MAX_TITLE_CHARS};

pub const FILE_NAME: &str = "session.toml";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionMeta {
    pub title: Option<String>,
    pub series: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `HH:MM`, local to `timezone`.
    pub time: Option<String>,
    /// An IANA name such as `Europe/Geneva`, or an offset such as `UTC+2`.
    pub timezone: Option<String>,
    #[serde(default)]
    pub organisers: Vec<String>,
    /// ISO 639-1 code of the session's working language.
    pub language: Option<String>,
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// Words whisper should spell as written (acronyms, place names, programme names), given
    /// to it with the participants' names and organisations (`session::vocabulary`).
    #[serde(default)]
    pub vocabulary: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    pub item: AgendaKind,
    /// Shown in the minutes; defaults to the kind's usual heading.
    pub title: Option<String>,
    /// Names of participants who speak in this item, in order.
    #[serde(default)]
    pub speakers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaKind {
    Welcome,
    Moderator,
    OpeningRemarks,
    LeadDiscussants,
    OpenDiscussion,
    Closing,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub name: String,
    pub role: Option<String>,
    pub organisation: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MetaError(pub String);

/// `dir/session.toml`, or none when the folder has none.
pub fn load(dir: &Path) -> Result<Option<SessionMeta>, MetaError> {
    load_file(&dir.join(FILE_NAME))
}

/// A session.toml by its path (one beside a recording may have any name), or none when
/// there is no such file.
pub fn load_file(path: &Path) -> Result<Option<SessionMeta>, MetaError> {
    let Some(text) = input::read_text(path, input::MAX_TOML_BYTES, "a session.toml").map_err(MetaError)? else {
        return Ok(None);
    };
    parse(&text).map(Some).map_err(|(line, message)| {
        MetaError(format!(
            "{}:{line}: {message}; see the commented example that `rapporteur init` writes",
            path.display()
        ))
    })
}

/// A session.toml's text, or the line and what is wrong with it.
pub fn parse(text: &str) -> Result<SessionMeta, (usize, String)> {
    let meta: SessionMeta = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let line_of = |key: &str| text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1);
    if let Some(d) = &meta.date
        && !is_date(d)
    {
        return Err((line_of("date"), format!("date \"{d}\" is not YYYY-MM-DD")));
    }
    if let Some(t) = &meta.time
        && !is_time(t)
    {
        return Err((line_of("time"), format!("time \"{t}\" is not HH:MM")));
    }
    for p in &meta.participants {
        if p.name.trim().is_empty() {
            return Err((line_of("name"), "a participant's name is empty".into()));
        }
    }
    // Every string reaches a document: one line each, of bounded length, in bounded lists.
    input::check_fields(
        text,
        |field| if matches!(field, "title" | "series") { MAX_TITLE_CHARS } else { MAX_NAME_CHARS },
    )?;
    Ok(meta)
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if digits(y, 4).is_some()
        && digits(m, 2).is_some_and(|m| (1..=12).contains(&m))
        && digits(d, 2).is_some_and(|d| (1..=31).contains(&d)))
}

fn is_time(s: &str) -> bool {
    matches!(s.split_once(':'), Some((h, m)) if digits(h, 2).is_some_and(|h| h < 24) && digits(m, 2).is_some_and(|m| m < 60))
}

/// The commented scaffold `rapporteur init` writes.
pub const SCAFFOLD: &str = r#"# Session metadata for rapporteur: what the recording cannot say.
# Every line below is an example, commented out: an untouched file names nobody. Remove the
# `# ` before the lines you fill in with your session's real values; delete the rest.

# title = "Listening session on the impact of COVID-19 on trafficking in persons"
# series = "Regional Network on Migration listening sessions"
# date = "2026-11-22"          # YYYY-MM-DD
# time = "14:00"               # HH:MM, local to the time zone
# timezone = "Europe/Geneva"
# organisers = ["Regional Network on Migration secretariat"]
# language = "en"              # the working language
# Terms whisper should spell as written, besides the participants' names and organisations
# (which it is given anyway): acronyms, places, programmes. Keep it short: whisper reads at
# most about 200 tokens of names and terms.
# vocabulary = ["IOM", "UNODC", "Palermo Protocol", "kafala"]

# The agenda, in order. item is one of: welcome, moderator, opening_remarks,
# lead_discussants, open_discussion, closing, other. speakers are participant names.
# [[agenda]]
# item = "welcome"
# speakers = ["Jane Doe"]
#
# [[agenda]]
# item = "opening_remarks"
# speakers = ["John Smith"]
#
# [[agenda]]
# item = "lead_discussants"
# speakers = ["Amina Diallo", "Carlos Pérez"]
#
# [[agenda]]
# item = "open_discussion"
#
# [[agenda]]
# item = "closing"
# speakers = ["Jane Doe"]

# Everyone who may speak, so that voices are named from what is said ("I give the floor to
# Amina Diallo") and attributed with their organisation.
# [[participants]]
# name = "Jane Doe"
# role = "Moderator"
# organisation = "IOM"
#
# [[participants]]
# name = "John Smith"
# role = "Director"
# organisation = "UNODC"
#
# [[participants]]
# name = "Amina Diallo"
# role = "Lead discussant"
# organisation = "Survivor support network"
#
# [[participants]]
# name = "Carlos Pérez"
# role = "Lead discussant"
# organisation = "National labour inspectorate"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scaffold_names_nobody_until_its_examples_are_uncommented() {
        let untouched = parse(SCAFFOLD).unwrap();
        assert!(untouched.title.is_none() && untouched.agenda.is_empty() && untouched.participants.is_empty());
        // Every example line, uncommented, is valid.
        let filled: String = SCAFFOLD
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.starts_with("[[") || rest.split(" = ").count() > 1 => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let meta = parse(&filled).unwrap();
        assert_eq!(
            meta.title.as_deref(),
            Some("Listening session on the impact of COVID-19 on trafficking in persons")
        );
        assert_eq!(meta.agenda.len(), 5);
        assert_eq!(meta.agenda[2].item, AgendaKind::LeadDiscussants);
        assert_eq!(meta.participants[0].role.as_deref(), Some("Moderator"));
        assert_eq!(meta.vocabulary, ["IOM", "UNODC", "Palermo Protocol", "kafala"]);
    }

    #[test]
    fn mistakes_name_their_line_and_field() {
        let (line, msg) = parse("title = \"x\"\ntitel = \"y\"\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(msg.contains("titel"), "{msg}");
        let (line, msg) = parse("title = \"x\"\n\ndate = \"22/11/2026\"\n").unwrap_err();
        assert_eq!((line, msg.as_str()), (3, "date \"22/11/2026\" is not YYYY-MM-DD"));
        let (line, msg) = parse("[[agenda]]\nitem = \"lunch\"\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(msg.contains("lunch") || msg.contains("variant"), "{msg}");
        assert!(parse("time = \"25:00\"").is_err());
        assert!(parse("organisers = \"IOM\"").is_err(), "a list, not a string");
        let (line, msg) = parse("title = \"x\"\nvocabulary = \"IOM\"\n").unwrap_err();
        assert_eq!(line, 2, "{msg}");
        let (line, msg) = parse("title = \"x\"\nvocabulary = [\"IOM\", 3]\n").unwrap_err();
        assert_eq!(line, 2, "{msg}");
    }

    #[test]
    fn every_text_field_is_one_line_of_bounded_length() {
        let fields = [
            "title = \"T\"",
            "series = \"T\"",
            "timezone = \"T\"",
            "organisers = [\"T\"]",
            "vocabulary = [\"T\"]",
            "[[agenda]]\nitem = \"other\"\ntitle = \"T\"",
            "[[agenda]]\nitem = \"other\"\nspeakers = [\"T\"]",
            "[[participants]]\nname = \"T\"",
            "[[participants]]\nname = \"N\"\nrole = \"T\"",
            "[[participants]]\nname = \"N\"\norganisation = \"T\"",
        ];
        for field in fields {
            let ok = format!("language = \"en\"\n{}\n", field.replace('T', "Jane Doe | UNHCR *draft*"));
            assert!(parse(&ok).is_ok(), "{ok}");
            for bad in ["Two\\nLines", "Evil\\u001b[2J", "a\\u2028b", "tab\\there"] {
                let toml = format!("language = \"en\"\n{}\n", field.replace('T', bad));
                let (line, msg) = parse(&toml).unwrap_err();
                assert_eq!(line, toml.lines().count(), "{toml}: {msg}");
                assert!(msg.contains("on one line"), "{msg}");
            }
        }
        let (_, msg) = parse("[[participants]]\nname = \"A\"\n[[participants]]\nname = \"Two\\nLines\"\n").unwrap_err();
        assert!(msg.starts_with("participants[2].name \"Two\\nLines\" holds a line break"), "{msg}");
        // Names up to 200 characters, titles up to 500; lists up to 500 entries.
        assert!(parse(&format!("title = \"{}\"", "t".repeat(500))).is_ok());
        assert!(parse(&format!("title = \"{}\"", "t".repeat(501))).unwrap_err().1.contains("title \"ttt"));
        let (_, msg) =
            parse(&format!("[[agenda]]\nitem = \"other\"\nspeakers = [\"{}\"]", "n".repeat(201))).unwrap_err();
        assert!(
            msg.starts_with("agenda[1].speakers[1] ")
                && msg.ends_with("is 201 characters long; at most 200 are allowed"),
            "{msg}"
        );
        let (_, msg) = parse(&"[[agenda]]\nitem = \"other\"\n".repeat(501)).unwrap_err();
        assert_eq!(msg, "agenda has 501 entries; at most 500 are allowed");
    }

    #[test]
    fn a_session_toml_must_be_a_small_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), format!("title = \"{}\"\n", "x".repeat(1_000_000))).unwrap();
        let e = load(dir.path()).unwrap_err().0;
        assert!(e.contains("session.toml") && e.contains("larger than 1 MB"), "{e}");
        std::fs::remove_file(dir.path().join(FILE_NAME)).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join(FILE_NAME)).unwrap();
        assert!(load(dir.path()).unwrap_err().0.contains("not a regular file"));
        let e = load_file(&dir.path().join("x.toml")).unwrap();
        assert_eq!(e, None, "no file, no metadata");
    }

    #[test]
    fn dates_and_times() {
        assert!(is_date("2020-06-30") && !is_date("2020-13-01") && !is_date("20-06-30"));
        assert!(is_time("09:05") && !is_time("9:05") && !is_time("12:60"));
    }
}
