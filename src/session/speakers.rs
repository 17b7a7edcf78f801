//! `speakers.toml` in a session folder: the rapporteur's names for the voices the diarizer
//! told apart, `SPEAKER_2 = "Moderator: Jane Doe"` (or `"Speaker 2"`, or `2`, as the documents
//! show them). They take precedence over every other way of naming a speaker; `rapporteur
//! render` applies them to every document. One name on two voices makes them one voice
//! everywhere; a `[turns]` table gives one turn, by its start time, to another voice:
//! `"00:03:14" = "Speaker 5"`.

use std::collections::BTreeMap;
use std::path::Path;

use super::record::SessionRecord;
use super::{input, toml_error};
use crate::safe_text::MAX_NAME_CHARS;

pub const FILE_NAME: &str = "speakers.toml";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NamesError(pub String);

/// Turns given to other voices: (turn index, speaker id).
pub type Moves = Vec<(usize, String)>;

/// The names in `dir/speakers.toml`, checked against the record's speakers, and the turns it
/// gives to other voices; none when the file does not exist.
pub fn load(dir: &Path, record: &SessionRecord) -> Result<(BTreeMap<String, String>, Moves), NamesError> {
    let path = dir.join(FILE_NAME);
    let Some(text) = input::read_text(&path, input::MAX_TOML_BYTES, "a speakers.toml").map_err(NamesError)? else {
        return Ok((BTreeMap::new(), Vec::new()));
    };
    let fail = |(line, message): (usize, String)| {
        NamesError(format!(
            "{}:{line}: {message}; write one `SPEAKER_N = \"Name\"` line per speaker, and `\"HH:MM:SS\" = \"SPEAKER_N\"` under [turns]",
            path.display()
        ))
    };
    Ok((parse(&text, record).map_err(fail)?, turns(&text, record).map_err(fail)?))
}

fn line_of(text: &str, key: &str) -> usize {
    text.lines().position(|l| l.trim_start().trim_start_matches('"').starts_with(key)).map_or(1, |i| i + 1)
}

/// The voice id a key or value means: `SPEAKER_4`, `Speaker 4`, `speaker_4` or `4`.
fn voice_id(key: &str) -> Option<String> {
    let k = key.trim();
    let digits = k
        .strip_prefix("SPEAKER_")
        .or_else(|| {
            k.get(..7).filter(|p| p.eq_ignore_ascii_case("speaker")).map(|_| k[7..].trim_start_matches([' ', '_']))
        })
        .unwrap_or(k);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("SPEAKER_{}", digits.trim_start_matches('0').max("0")))
}

/// `id` when the record has that speaker, else the line's error.
fn speaker_of(record: &SessionRecord, key: &str, line: usize) -> Result<String, (usize, String)> {
    let id = voice_id(key).unwrap_or_else(|| key.to_string());
    if record.speakers.iter().any(|s| s.id == id) {
        return Ok(id);
    }
    let known: Vec<String> = record
        .speakers
        .iter()
        .map(|s| s.id.strip_prefix("SPEAKER_").map_or(s.id.clone(), |n| format!("Speaker {n}")))
        .collect();
    let known = if known.is_empty() { "none: it was not diarized".to_string() } else { known.join(", ") };
    Err((line, format!("{key} is not a speaker of this session (its speakers: {known})")))
}

/// Names by speaker id, or the line and what is wrong with it.
pub fn parse(text: &str, record: &SessionRecord) -> Result<BTreeMap<String, String>, (usize, String)> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| toml_error(text, &e))?;
    let mut names = BTreeMap::new();
    for (key, value) in table {
        let line = line_of(text, &key);
        if key == "turns" && value.is_table() {
            continue;
        }
        let id = speaker_of(record, &key, line)?;
        let name = value
            .as_str()
            .map(str::trim)
            .ok_or_else(|| (line, format!("the name of {key} must be a string in quotes")))?;
        if name.is_empty() {
            return Err((line, format!("the name of {key} is empty")));
        }
        names.insert(id, name.to_string());
    }
    // A name is one line: a line break would start a new subtitle cue or table row.
    input::check_fields(text, |_| MAX_NAME_CHARS)?;
    Ok(names)
}

/// `HH:MM:SS`, `MM:SS` or seconds.
fn seconds(at: &str) -> Option<f64> {
    at.trim().split(':').try_fold(0.0, |acc, part| Some(acc * 60.0 + part.trim().parse::<f64>().ok()?))
}

/// The `[turns]` table: each turn, found by its start time (to the second), and the voice it
/// goes to.
pub fn turns(text: &str, record: &SessionRecord) -> Result<Moves, (usize, String)> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| toml_error(text, &e))?;
    let Some(toml::Value::Table(turns)) = table.get("turns") else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (at, value) in turns {
        let line = line_of(text, at);
        let t =
            seconds(at).ok_or_else(|| (line, format!("\"{at}\" is not a time: write the turn's start as HH:MM:SS")))?;
        let to = value
            .as_str()
            .ok_or_else(|| (line, format!("the voice for {at} must be a string such as \"Speaker 2\"")))?;
        let id = speaker_of(record, to, line)?;
        let turn = (record.turns.iter().enumerate())
            .filter(|(_, turn)| (turn.start - t).abs() < 1.0)
            .min_by(|a, b| (a.1.start - t).abs().total_cmp(&(b.1.start - t).abs()))
            .map(|(i, _)| i)
            .ok_or_else(|| (line, format!("no turn starts at {at}; use a turn's time as the transcript shows it")))?;
        out.push((turn, id));
    }
    Ok(out)
}

/// The record with turns given to other voices: the turn's segments and words too.
pub fn reassign(record: &SessionRecord, moves: &[(usize, String)]) -> SessionRecord {
    let mut r = record.clone();
    for (turn, id) in moves {
        let Some(t) = r.turns.get_mut(*turn) else { continue };
        t.speaker = id.clone();
        for &s in &t.segments {
            if let Some(seg) = r.segments.get_mut(s) {
                seg.speaker = Some(id.clone());
                seg.words.iter_mut().for_each(|w| w.speaker = Some(id.clone()));
            }
        }
    }
    merge_turns(&mut r);
    r
}

/// Consecutive turns of one voice in one language become one.
fn merge_turns(r: &mut SessionRecord) {
    let mut merged: Vec<crate::session::record::Turn> = Vec::new();
    for t in std::mem::take(&mut r.turns) {
        match merged.last_mut() {
            Some(last) if last.speaker == t.speaker && last.language == t.language => {
                last.end = last.end.max(t.end);
                last.segments.extend(t.segments);
            }
            _ => merged.push(t),
        }
    }
    r.turns = merged;
}

/// The record with each named speaker's `name` set, for rendering; voices given one name are
/// one voice (the first of them), their talk time, turns and timeline joined.
pub fn apply(record: &SessionRecord, names: &BTreeMap<String, String>) -> SessionRecord {
    let mut named = record.clone();
    for s in &mut named.speakers {
        s.name = names.get(&s.id).cloned();
    }
    // Each voice that shares its name with an earlier one, and that earlier one.
    let mut into: BTreeMap<String, String> = BTreeMap::new();
    for (i, s) in named.speakers.iter().enumerate() {
        if let Some(first) = named.speakers[..i].iter().find(|f| f.name.is_some() && f.name == s.name) {
            into.insert(s.id.clone(), into.get(&first.id).cloned().unwrap_or_else(|| first.id.clone()));
        }
    }
    if into.is_empty() {
        return named;
    }
    let to = |id: &mut String| {
        if let Some(t) = into.get(id.as_str()) {
            *id = t.clone();
        }
    };
    for seg in &mut named.segments {
        seg.speaker.as_mut().map(to);
        seg.words.iter_mut().for_each(|w| {
            w.speaker.as_mut().map(to);
        });
    }
    named.turns.iter_mut().for_each(|t| to(&mut t.speaker));
    named.speech.iter_mut().for_each(|s| to(&mut s.speaker));
    let moved: Vec<(String, f64)> = named
        .speakers
        .iter()
        .filter(|s| into.contains_key(&s.id))
        .map(|s| (into[&s.id].clone(), s.talk_time_s))
        .collect();
    named.speakers.retain(|s| !into.contains_key(&s.id));
    for (id, t) in moved {
        if let Some(s) = named.speakers.iter_mut().find(|s| s.id == id) {
            s.talk_time_s += t;
        }
    }
    merge_turns(&mut named);
    named
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::{Segment, Speaker, tests::sample};

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
    fn a_voice_is_written_as_the_documents_show_it() {
        let names = parse("\"Speaker 1\" = \"A\"\n2 = \"B\"\n", &record()).unwrap();
        assert_eq!(names.get("SPEAKER_1").map(String::as_str), Some("A"));
        assert_eq!(names.get("SPEAKER_2").map(String::as_str), Some("B"));
        assert_eq!(voice_id("speaker_02").as_deref(), Some("SPEAKER_2"));
        assert_eq!(voice_id("Maria"), None);
    }

    #[test]
    fn one_name_on_two_voices_is_one_voice_and_a_turn_can_move() {
        use crate::session::record::Turn;
        let mut r = record();
        let turn = |speaker: &str, start: f64, segment: usize| Turn {
            speaker: speaker.into(),
            start,
            end: start + 5.0,
            language: "en".into(),
            segments: vec![segment],
        };
        let seg = r.segments[0].clone();
        r.segments = (0..3)
            .map(|i| Segment { id: i, start: 5.0 * i as f64, speaker: Some("SPEAKER_1".into()), ..seg.clone() })
            .collect();
        r.segments[1].speaker = Some("SPEAKER_2".into());
        r.turns = vec![turn("SPEAKER_1", 0.0, 0), turn("SPEAKER_2", 5.0, 1), turn("SPEAKER_1", 10.0, 2)];
        // The same name: one voice, its time added, its turns one.
        let names = parse("SPEAKER_1 = \"Ana\"\n\"Speaker 2\" = \"Ana\"\n", &r).unwrap();
        let one = apply(&r, &names);
        assert_eq!(one.speakers.len(), 1);
        assert_eq!(one.speakers[0].talk_time_s, 2.0);
        assert_eq!(one.turns.len(), 1);
        assert_eq!(one.turns[0].segments, [0, 1, 2]);
        assert!(one.segments.iter().all(|s| s.speaker.as_deref() == Some("SPEAKER_1")));
        // The middle turn, by its time, given to Speaker 1.
        let moves = turns("[turns]\n\"00:00:05\" = \"Speaker 1\"\n", &r).unwrap();
        assert_eq!(moves, [(1, "SPEAKER_1".to_string())]);
        let moved = reassign(&r, &moves);
        assert_eq!(moved.turns.len(), 1);
        assert_eq!(moved.segments[1].speaker.as_deref(), Some("SPEAKER_1"));
        let (line, msg) = turns("[turns]\n\"00:01:00\" = \"2\"\n", &r).unwrap_err();
        assert_eq!(line, 2);
        assert!(msg.contains("no turn starts at 00:01:00"), "{msg}");
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let r = record();
        assert_eq!(parse("SPEAKER_1 = \"A\"\nSPEAKER_9 = \"B\"\n", &r).unwrap_err().0, 2);
        assert!(parse("SPEAKER_9 = \"B\"\n", &r).unwrap_err().1.contains("Speaker 1, Speaker 2"));
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
