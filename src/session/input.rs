//! Reading the TOML files people write (session.toml, speakers.toml): only regular files, at
//! most `MAX_TOML_BYTES` (a FIFO or a link to /dev/zero must neither block nor fill memory),
//! and every string checked to be one line of bounded length before it reaches a document.

use std::io::Read;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::safe_text;

/// The largest session.toml or speakers.toml: a long agenda is a few kilobytes.
pub const MAX_TOML_BYTES: u64 = 1_000_000;
/// The most entries in one list (agenda items, participants, organisers, an item's speakers).
pub const MAX_ENTRIES: usize = 500;

/// The text of `path`, or none when there is no such file. Anything but a regular file of at
/// most `limit` bytes is refused with a message naming it; `what` names the kind of file in
/// that message ("a .toml file").
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<Option<String>, String> {
    let cannot = |why: String| format!("cannot read {}: {why}", path.display());
    // Checked before opening: opening a FIFO blocks until something writes to it.
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot(e.to_string())),
        Ok(m) if !m.is_file() => return Err(cannot("not a regular file".into())),
        Ok(_) => {}
    }
    let file = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(cannot("not a regular file".into()));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| cannot(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(cannot(format!("it is larger than {}, the limit for {what}", size(limit))));
    }
    String::from_utf8(bytes).map(Some).map_err(|_| cannot("it is not UTF-8 text".into()))
}

fn size(bytes: u64) -> String {
    match bytes {
        1_000_000.. => format!("{} MB", bytes / 1_000_000),
        1000.. => format!("{} KB", bytes / 1000),
        _ => format!("{bytes} bytes"),
    }
}

/// Every string of a TOML document is one line of at most `max_chars(field)` characters and
/// every list has at most `MAX_ENTRIES` entries; otherwise the line of the first that is not
/// and what is wrong, naming the field (`participants[2].name`, 1-based). A syntax error is
/// left to the deserializer, which reports it better.
pub fn check_fields(text: &str, max_chars: impl Fn(&str) -> usize) -> Result<(), (usize, String)> {
    let Ok(doc) = DeTable::parse(text) else { return Ok(()) };
    let mut first: Option<(usize, String)> = None;
    let mut report = |at: usize, message: String| {
        if first.as_ref().is_none_or(|(f, _)| at < *f) {
            first = Some((at, message));
        }
    };
    for (key, value) in doc.get_ref() {
        walk(value, key.get_ref(), key.get_ref(), &max_chars, &mut report);
    }
    match first {
        Some((at, message)) => Err((text[..at.min(text.len())].matches('\n').count() + 1, message)),
        None => Ok(()),
    }
}

/// `field` is the path shown in messages, `key` the last key, which sets the length limit.
fn walk(
    value: &Spanned<DeValue>,
    field: &str,
    key: &str,
    max_chars: &dyn Fn(&str) -> usize,
    report: &mut dyn FnMut(usize, String),
) {
    let at = value.span().start;
    match value.get_ref() {
        DeValue::String(s) => {
            if let Err(why) = safe_text::check(s, max_chars(key)) {
                report(at, format!("{field} {} {why}", safe_text::preview(s)));
            }
        }
        DeValue::Array(items) => {
            if items.len() > MAX_ENTRIES {
                report(at, format!("{field} has {} entries; at most {MAX_ENTRIES} are allowed", items.len()));
            }
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{field}[{}]", i + 1), key, max_chars, report);
            }
        }
        DeValue::Table(table) => {
            for (k, v) in table {
                walk(v, &format!("{field}.{}", k.get_ref()), k.get_ref(), max_chars, report);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(_: &str) -> usize {
        10
    }

    #[test]
    fn strings_and_lists_are_checked_with_their_field_and_line() {
        assert_eq!(check_fields("a = \"short\"\n[[p]]\nname = \"x\"\n", names), Ok(()));
        let (line, msg) =
            check_fields("a = \"ok\"\n[[p]]\nname = \"x\"\n[[p]]\nname = \"Two\\nLines\"\n", names).unwrap_err();
        assert_eq!(line, 5);
        assert_eq!(
            msg,
            "p[2].name \"Two\\nLines\" holds a line break (U+000A); write it on one line, without control characters"
        );
        let (line, msg) = check_fields("a = [\"ok\",\n \"far too long a name\"]\n", names).unwrap_err();
        assert_eq!(
            (line, msg.as_str()),
            (2, "a[2] \"far too long a name\" is 19 characters long; at most 10 are allowed")
        );
        // The first in the file, whatever the keys' order.
        let (line, _) = check_fields("z = \"\\u001b\"\na = \"\\t\"\n", names).unwrap_err();
        assert_eq!(line, 1);
        let many = format!("a = [{}]\n", vec!["\"x\""; MAX_ENTRIES + 1].join(","));
        assert!(check_fields(&many, names).unwrap_err().1.contains("a has 501 entries; at most 500"));
        assert_eq!(check_fields("a = \"unterminated\n", names), Ok(()), "syntax is the deserializer's to report");
    }

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        assert_eq!(read_text(&path, 10, "a .toml file"), Ok(None));
        std::fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_text(&path, 10, "a .toml file").unwrap().as_deref(), Some("0123456789"));
        std::fs::write(&path, "0123456789+").unwrap();
        let e = read_text(&path, 10, "a .toml file").unwrap_err();
        assert!(e.contains("s.toml") && e.contains("larger than 10 bytes, the limit for a .toml file"), "{e}");
        let zero = dir.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = read_text(&zero, MAX_TOML_BYTES, "a .toml file").unwrap_err();
        assert!(e.contains("zero.toml") && e.contains("not a regular file"), "{e}");
        assert!(read_text(dir.path(), 10, "a .toml file").unwrap_err().contains("not a regular file"));
    }
}
