//! Reading the plain words out of the transcript and reference formats we score.

use std::path::Path;

use crate::session::SessionRecord;

/// The text of `path`, by its kind: `session.json` (segment texts), `*.ref.txt` (lines of
/// `[start-end] SPEAKER: text`), `*.tsv` (`id<TAB>text`), anything else as plain text.
pub fn text_of(path: &Path) -> Result<String, String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.ends_with(".json") {
        let record = SessionRecord::load(path).map_err(|e| e.to_string())?;
        return Ok(record.segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" "));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lines = text.lines().filter(|l| !l.trim().is_empty());
    Ok(if name.ends_with(".ref.txt") {
        lines
            .map(|l| l.split_once("]").map(|(_, rest)| rest).unwrap_or(l))
            .map(|l| l.split_once(": ").map(|(_, t)| t).unwrap_or(l))
            .collect::<Vec<_>>()
            .join(" ")
    } else if name.ends_with(".tsv") {
        lines.map(|l| l.split_once('\t').map(|(_, t)| t).unwrap_or(l)).collect::<Vec<_>>().join(" ")
    } else {
        lines.collect::<Vec<_>>().join(" ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_times_and_speakers_from_references() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.ref.txt");
        std::fs::write(&p, "[0.800-18.688] MODERATOR: Good morning: all.\n[19.1-20] DIRECTOR: Thanks.\n").unwrap();
        assert_eq!(text_of(&p).unwrap(), "Good morning: all. Thanks.");
        let p = dir.path().join("t.tsv");
        std::fs::write(&p, "LJ1\tPrinting, in the\nLJ2\tonly sense\n").unwrap();
        assert_eq!(text_of(&p).unwrap(), "Printing, in the only sense");
    }
}
