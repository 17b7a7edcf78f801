//! Markdown auto-escape for the `.md` templates: a value set into Markdown reads back as
//! exactly that text, never as markup (a `|` that splits a table cell, `*x*` that becomes
//! italics, `[x](javascript:…)`, `<script>`, a `#` or `-` that starts a heading or a list).
//! Only characters that Markdown gives a meaning are escaped, so ordinary prose is unchanged.

/// `text` as Markdown that renders as `text`, on one line (line breaks become spaces, since a
/// value cannot know whether it sits in a table row or a list item).
pub fn escape(text: &str) -> String {
    let chars: Vec<char> =
        text.replace("\r\n", " ").chars().map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c }).collect();
    let mut out = String::with_capacity(text.len() + 8);
    // The first character after any indent could start a block if the value begins a line.
    let start = chars.iter().position(|c| !matches!(c, ' ' | '\t')).unwrap_or(chars.len());
    let list_dot = start + chars[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    let ordered = (1..=9).contains(&(list_dot - start))
        && matches!(chars.get(list_dot), Some('.' | ')'))
        && matches!(chars.get(list_dot + 1), None | Some(' ' | '\t'));
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            // Anywhere: code spans, emphasis, links and images, raw HTML and autolinks, table
            // cells, headings (and their closing `#`s), strikethrough and fences.
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '#' | '~' => true,
            // A character reference (`&lt;`) would turn into the character it names.
            '&' => is_reference(&chars[i + 1..]),
            // At the start: a block quote, a bullet, a setext underline or thematic break, and
            // the `.` or `)` of an ordered list's number.
            '>' | '-' | '+' | '=' => i == start,
            '.' | ')' => ordered && i == list_dot,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Whether `rest` (what follows a `&`) completes a character reference: `#123;`, `#x1F;` or
/// `name;`.
fn is_reference(rest: &[char]) -> bool {
    let end = rest.iter().take(33).position(|&c| c == ';');
    let Some(end) = end else { return false };
    let body = &rest[..end];
    match body {
        ['#', 'x' | 'X', hex @ ..] => (1..=6).contains(&hex.len()) && hex.iter().all(char::is_ascii_hexdigit),
        ['#', dec @ ..] => (1..=7).contains(&dec.len()) && dec.iter().all(char::is_ascii_digit),
        [first, ..] => first.is_ascii_alphabetic() && body.iter().all(char::is_ascii_alphanumeric),
        [] => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_unchanged_and_markup_is_escaped() {
        for plain in [
            "Maria Santos (Moderator, Regional Office)",
            "2026-11-20",
            "14:00",
            "12.5",
            "Q&A: 45 s, 33%",
            "Thank you!",
            "a > b",
        ] {
            assert_eq!(escape(plain), plain);
        }
        assert_eq!(escape("Jane Doe | UNHCR"), r"Jane Doe \| UNHCR");
        assert_eq!(escape("x_y_z *draft* `code` ~~gone~~"), r"x\_y\_z \*draft\* \`code\` \~\~gone\~\~");
        assert_eq!(escape("[x](javascript:alert(1))"), r"\[x\](javascript:alert(1))");
        assert_eq!(escape("<script>alert(1)</script>"), r"\<script>alert(1)\</script>");
        assert_eq!(escape(r"C:\dir &lt; &#60; &#x3C; & &;"), r"C:\\dir \&lt; \&\#60; \&\#x3C; & &;");
        assert_eq!(escape("# Heading #"), r"\# Heading \#");
        assert_eq!(escape("- item"), r"\- item");
        assert_eq!(escape("  + item"), r"  \+ item");
        assert_eq!(escape("> quoted"), r"\> quoted");
        assert_eq!(escape("==="), r"\===");
        assert_eq!(escape("1. first"), r"1\. first");
        assert_eq!(escape("2026) year"), r"2026\) year");
        assert_eq!(escape("1.5 hours - more"), "1.5 hours - more");
        assert_eq!(escape("one\ntwo\r\nthree\rfour"), "one two three four");
    }
}
