//! User text (names, titles, file names) is data: it must not carry characters that change the
//! structure of what it reaches. A line break in a name starts a new SRT cue or table row, an
//! ESC in a file name drives the terminal, and XML 1.0 forbids most controls outright. Names
//! are refused where they enter (`check`); outputs fold (`fold`) or escape (`escape`) what
//! older files may still hold.

use std::borrow::Cow;

/// The longest name (a speaker, participant, organiser, voice), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest title (a session's, series' or agenda item's), in characters.
pub const MAX_TITLE_CHARS: usize = 500;

/// C0 and C1 controls (tab and line feed included), the Unicode line and paragraph
/// separators, and the two noncharacters XML 1.0 forbids.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Characters that end a line for some reader: SRT and VTT parsers take CR as one, and
/// browsers and editors the Unicode separators and NEL.
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn describe(c: char) -> String {
    let what = if is_line_break(c) {
        "a line break"
    } else if c == '\t' {
        "a tab"
    } else {
        "a control character"
    };
    format!("{what} (U+{:04X})", c as u32)
}

/// Why `value` cannot be a one-line name or title of at most `max` characters, if it cannot:
/// "holds a line break (U+000A)", "is 612 characters long; at most 500 are allowed".
pub fn check(value: &str, max: usize) -> Result<(), String> {
    if let Some(c) = value.chars().find(|&c| is_unsafe(c)) {
        return Err(format!("holds {}; write it on one line, without control characters", describe(c)));
    }
    let n = value.chars().count();
    if n > max {
        return Err(format!("is {n} characters long; at most {max} are allowed"));
    }
    Ok(())
}

/// `value` for an error message: quoted, escaped, and cut to 60 characters, so that a 10 MB
/// name makes a short message.
pub fn preview(value: &str) -> String {
    const MAX: usize = 60;
    let cut: String = value.chars().take(MAX).collect();
    let more = if value.chars().nth(MAX).is_some() { "…" } else { "" };
    format!("\"{}{more}\"", escape(&cut))
}

/// `s` with every unsafe character replaced by a space: one line, whatever it held.
pub fn fold(s: &str) -> Cow<'_, str> {
    if s.chars().any(is_unsafe) {
        Cow::Owned(s.chars().map(|c| if is_unsafe(c) { ' ' } else { c }).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// `s` with every unsafe character written as an escape (`\n`, `\t`, `\r`, `\u{1b}`), for a
/// terminal: a file name can then neither clear the screen nor fake a line of output.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_line_of_bounded_length() {
        assert!(check("Amina Diallo (Moderator) — Ñandú 李", 200).is_ok());
        for bad in [
            "Two\nLines",
            "a\rb",
            "tab\there",
            "esc\u{1b}[2J",
            "nel\u{85}",
            "ls\u{2028}",
            "c1\u{9b}",
            "del\u{7f}",
            "x\u{FFFE}",
            "\u{0}",
        ] {
            let why = check(bad, 200).unwrap_err();
            assert!(why.contains("U+"), "{bad:?}: {why}");
        }
        assert!(check("Two\nLines", 200).unwrap_err().contains("a line break (U+000A)"));
        assert_eq!(check(&"é".repeat(201), 200).unwrap_err(), "is 201 characters long; at most 200 are allowed");
        assert!(check(&"é".repeat(200), 200).is_ok(), "characters, not bytes");
    }

    #[test]
    fn outputs_fold_or_escape() {
        assert_eq!(fold("Evil\n\n00:00 --> 00:10\r\nX\u{2028}"), "Evil  00:00 --> 00:10  X ");
        assert!(matches!(fold("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[2J\u{1b}]0;pwned\u{7}b\n.wav"), "a\\u{1b}[2J\\u{1b}]0;pwned\\u{7}b\\n.wav");
        assert_eq!(escape("c1\u{9b}31m"), "c1\\u{9b}31m");
        assert_eq!(escape("Jane Doé"), "Jane Doé");
        assert_eq!(preview(&"x".repeat(1000)).chars().count(), 63);
        assert_eq!(preview("a\nb"), "\"a\\nb\"");
    }
}
