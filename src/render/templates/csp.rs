//! The Content-Security-Policy of every HTML page, a second wall behind escaping: no network,
//! no plugin, no form, and no script but the template's own inline scripts, each allowed by its
//! SHA-256 hash. A template's own `<script>` tags are marked in its source with a token chosen
//! at random for the process; after rendering only marked scripts are hashed, so a script that
//! user text smuggled in (should escaping ever fail) is not, and the browser refuses it.

use base64::Engine;
use sha2::{Digest, Sha256};

/// Everything else is refused (`default-src 'none'`): fetch, fonts, frames, objects. Styles
/// may be inline (the templates style elements with attributes); pictures and the recording
/// load from the page's own folder tree (`'self'`, and `file:` for a page opened from disk,
/// which Chromium treats as an opaque origin) or from the page's own blobs.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' file: data: blob:; media-src 'self' file: blob:; base-uri 'none'; form-action 'none'";

/// Marks an HTML template's own scripts before it is parsed, and seals the rendered page.
pub struct ScriptMark {
    token: String,
}

impl Default for ScriptMark {
    fn default() -> ScriptMark {
        ScriptMark::new()
    }
}

impl ScriptMark {
    pub fn new() -> ScriptMark {
        use std::hash::{BuildHasher, RandomState};
        // RandomState is seeded from the operating system: a token no input can predict.
        let (a, b) = (RandomState::new().hash_one(1u8), RandomState::new().hash_one(2u8));
        ScriptMark { token: format!(" data-own-script-{a:016x}{b:016x}") }
    }

    /// `source` (a template) with every `<script` start tag marked as the template's own.
    pub fn mark(&self, source: &str) -> String {
        let mut out = String::with_capacity(source.len() + 64);
        let mut rest = source;
        while let Some(at) = find_tag(rest, "<script") {
            let end = at + "<script".len();
            out.push_str(&rest[..end]);
            out.push_str(&self.token);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    /// The rendered `page` with the marks removed and the policy, allowing exactly the marked
    /// scripts, as a `<meta>` at the start of its `<head>`.
    pub fn seal(&self, page: &str) -> String {
        let mut hashes = Vec::new();
        let mut rest = page;
        while let Some(at) = rest.find(&self.token) {
            rest = &rest[at + self.token.len()..];
            let Some(open) = tag_end(rest) else { break };
            let body = &rest[open..];
            let close = find_ci(body, "</script").unwrap_or(body.len());
            hashes.push(hash(&body[..close].replace(&self.token, "")));
            rest = &body[close..];
        }
        let page = page.replace(&self.token, "");
        let scripts = if hashes.is_empty() { "'none'".to_string() } else { hashes.join(" ") };
        let meta =
            format!("\n<meta http-equiv=\"Content-Security-Policy\" content=\"{POLICY}; script-src {scripts}\">");
        let at = find_tag(&page, "<head")
            .and_then(|h| tag_end(&page[h..]).map(|e| h + e))
            .or_else(|| doctype_end(&page))
            .unwrap_or(0);
        format!("{}{meta}{}", &page[..at], &page[at..])
    }
}

/// `'sha256-…'` of a script's text as the browser sees it (the HTML parser reads CR LF and CR
/// as LF before a script's text is hashed).
fn hash(script: &str) -> String {
    let text = script.replace("\r\n", "\n").replace('\r', "\n");
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes())))
}

/// Where `needle` starts in `haystack`, ignoring ASCII case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Where start tag `open` (`<script`, `<head`) begins: the name must end there.
fn find_tag(html: &str, open: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find_ci(&html[from..], open) {
        let at = from + i;
        match html.as_bytes().get(at + open.len()) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>') | None => return Some(at),
            _ => from = at + open.len(),
        }
    }
    None
}

/// Just past the `>` that ends the start tag `tag` begins (quoted attribute values skipped).
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in tag.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Just past a leading `<!DOCTYPE …>`, for a page with no `<head>` tag.
fn doctype_end(page: &str) -> Option<usize> {
    let start = page.len() - page.trim_start().len();
    find_ci(&page[start..], "<!doctype")
        .filter(|&i| i == 0)
        .and_then(|_| page[start..].find('>'))
        .map(|e| start + e + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(page: &str) -> &str {
        let at = page.find("http-equiv=\"Content-Security-Policy\" content=\"").expect("a policy") + 46;
        &page[at..at + page[at..].find('"').unwrap()]
    }

    #[test]
    fn only_the_templates_own_scripts_are_allowed() {
        let m = ScriptMark::new();
        let template = m.mark("<!DOCTYPE html>\n<html><HEAD><title>t</title></HEAD><body>{{ user | safe }}<SCRIPT type=\"module\">go(\"a>b\");\r\n</script><script>\n{{ n }}\n</Script></body></html>");
        let env = minijinja::Environment::new();
        // User text that got past escaping: a script the template did not write.
        let page = env
            .render_str(
                &template,
                minijinja::context! { user => "<script>alert(1)</script><script data-own-script-0>x</script>", n => 7 },
            )
            .unwrap();
        let page = m.seal(&page);
        assert!(!page.contains(&m.token));
        assert!(
            page.starts_with("<!DOCTYPE html>\n<html><HEAD>\n<meta http-equiv=\"Content-Security-Policy\""),
            "{page}"
        );
        let p = policy(&page);
        assert!(
            p.starts_with("default-src 'none';") && p.contains("base-uri 'none'") && p.contains("form-action 'none'"),
            "{p}"
        );
        let expected = format!("script-src {} {}", hash("go(\"a>b\");\n"), hash("\n7\n"));
        assert!(p.ends_with(&expected), "{p}\n{expected}");
        assert_eq!(hash("\n7\n"), "'sha256-SmLZeIKLcA+zQHpcgWkrpcRoEyXOYOKVYU98rfo4suw='");
        assert!(!p.contains(&hash("alert(1)")) && !p.contains(&hash("x")));

        // No script of its own: none at all; no <head>: after the doctype.
        let page = m.seal(&m.mark("<!doctype html><header>x</header><p>{{ x }}</p>"));
        assert!(page.starts_with("<!doctype html>\n<meta") && policy(&page).ends_with("script-src 'none'"), "{page}");
    }
}
