//! `speakers.toml` in a session folder: the rapporteur's names for the voices the diarizer
//! told apart, `SPEAKER_2 = "Moderator: Jane Doe"`. They take precedence over every other
//! way of naming a speaker; `rapporteur render` applies them to every document.

use std::collections::BTreeMap;
use std::path::Path;

use super::record::SessionRecord;
use super::{input, toml_error};
use crate::safe_text::MAX_NAME_CHARS;

pub const FILE_NAME: &str = "speakers.toml";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NamesError(pub String);

/// The names in `dir/speakers.toml`, checked against the record's speakers; none when the
/// file does not exist.
pub fn load(dir: &Path, record: &SessionRecord) -> Result<BTreeMap<String, String>, NamesError> {
    let path = dir.join(FILE_NAME);
    let Some(text) = input::read_text(&path, input::MAX_TOML_BYTES, "a speakers.toml").map_err(NamesError)? else {
        return Ok(BTreeMap::new());
    };
    parse(&text, record).map_err(|(line, message)| {
        NamesError(format!("{}:{line}: {message}; write one `SPEAKER_N = \"Name\"` line per speaker", path.display()))
    })
}

fn line_of(text: &str, key: &str) -> usize {
    text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1)
}

/// Names by speaker id, or the line and what is wrong with it.
pub fn parse(text: &str, record: &SessionRecord) -> Result<BTreeMap<String, String>, (usize, String)> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| toml_error(text, &e))?;
    let mut names = BTreeMap::new();
    for (id, value) in table {
        let line = line_of(text, &id);
        if !record.speakers.iter().any(|s| s.id == id) {
            let known: Vec<&str> = record.speakers.iter().map(|s| s.id.as_str()).collect();
            let known = if known.is_empty() { "none: it was not diarized".to_string() } else { known.join(", ") };
            return Err((line, format!("{id} is not a speaker of this session (its speakers: {known})")));
        }
        let name = value
            .as_str()
            .map(str::trim)
            .ok_or_else(|| (line, format!("the name of {id} must be a string in quotes")))?;
        if name.is_empty() {
            return Err((line, format!("the name of {id} is empty")));
        }
        names.insert(id, name.to_string());
    }
    // A name is one line: a line break would start a new subtitle cue or table row.
    input::check_fields(text, |_| MAX_NAME_CHARS)?;
    Ok(names)
}

/// The record with each named speaker's `name` set, for rendering.
pub fn apply(record: &SessionRecord, names: &BTreeMap<String, String>) -> SessionRecord {
    let mut named = record.clone();
    for s in &mut named.speakers {
        s.name = names.get(&s.id).cloned();
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::{Speaker, tests::sample};

    fn record() -> SessionRecord {
        let mut r = sample();
        r.speakers = ["SPEAKER_1", "SPEAKER_2"]
            .map(|id| Speaker { id: id.into(), name: None, talk_time_s: 1.0, voice: None })
            .to_vec();
        r
    }

    #[test]
    fn names_speakers_of_the_session() {
        let names = parse("SPEAKER_2 = \"Moderator: Jane Doe\"\n", &record()).unwrap();
        let named = apply(&record(), &names);
        assert_eq!(named.speakers[1].name.as_deref(), Some("Moderator: Jane Doe"));
        assert_eq!(named.speakers[0].name, None);
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let r = record();
        assert_eq!(parse("SPEAKER_1 = \"A\"\nSPEAKER_9 = \"B\"\n", &r).unwrap_err().0, 2);
        assert!(parse("SPEAKER_9 = \"B\"\n", &r).unwrap_err().1.contains("SPEAKER_1, SPEAKER_2"));
        let (line, msg) = parse("\nSPEAKER_1 = 3\n", &r).unwrap_err();
        assert_eq!(line, 2);
        assert!(msg.contains("string"), "{msg}");
        assert_eq!(parse("SPEAKER_1 = \"  \"\n", &r).unwrap_err().1, "the name of SPEAKER_1 is empty");
        let (line, _) = parse("SPEAKER_1 = \"A\"\nSPEAKER_2 = \"B\n", &r).unwrap_err();
        assert_eq!(line, 2, "a syntax error names its line");
    }

    #[test]
    fn names_are_one_line_of_at_most_200_characters() {
        let r = record();
        assert!(parse("SPEAKER_1 = \"Jane Doe | UNHCR *x* <b>\"\n", &r).is_ok());
        for bad in [
            "Evil\\n\\n00:00:00.000 --> 00:00:10.000\\nINJECTED",
            "a\\rb",
            "\\u001b]0;pwned\\u0007",
            "x\\u2029y",
            "x\\u0085y",
        ] {
            let (line, msg) = parse(&format!("SPEAKER_1 = \"A\"\nSPEAKER_2 = \"{bad}\"\n"), &r).unwrap_err();
            assert_eq!(line, 2, "{msg}");
            assert!(msg.starts_with("SPEAKER_2 \"") && msg.contains("on one line"), "{msg}");
        }
        let (_, msg) = parse(&format!("SPEAKER_1 = \"{}\"\n", "n".repeat(201)), &r).unwrap_err();
        assert!(msg.ends_with("at most 200 are allowed"), "{msg}");
    }

    #[test]
    fn the_file_is_named_and_must_be_small_and_regular() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "SPEAKER_1 = \"Two\\nLines\"\n").unwrap();
        let e = load(dir.path(), &record()).unwrap_err().0;
        assert!(e.contains("speakers.toml:1: SPEAKER_1 ") && e.contains("line break"), "{e}");
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let e = load(dir.path(), &record()).unwrap_err().0;
        assert!(e.contains("speakers.toml") && e.contains("not a regular file"), "{e}");
    }
}
