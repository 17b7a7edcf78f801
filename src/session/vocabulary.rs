//! Spelling from the session: the names, organisations and terms of `session.toml` (and of a
//! `--vocabulary` file) become whisper's initial prompt, so that it spells them as written.
//! whisper takes the prompt as the text said just before the audio: a name it has "just seen"
//! is far more likely than a sound-alike spelling.
//!
//! The prompt is a plain list, "Helena Marsh (UN Network on Migration Secretariat), Jonas
//! Eriksen, …. COVID-19, Central America.", with no words of its own (no "Participants:"), so
//! that it reads the same in any language. whisper reads at most 223 tokens of prompt and
//! drops what comes first beyond that; the list is kept under `MAX_PROMPT_TOKENS` by leaving
//! out the least useful terms (title terms, then vocabulary, then organisations, never a name
//! while another fits), and says which.

use std::path::Path;

use super::input;
use super::metadata::SessionMeta;
use crate::safe_text::{self, MAX_NAME_CHARS};

/// The longest prompt, in whisper tokens: under whisper's 223 (half its text context, less
/// one), with a margin.
pub const MAX_PROMPT_TOKENS: usize = 200;
/// The largest vocabulary file: a long glossary is a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 100_000;

/// whisper's initial prompt for a session, and the terms that did not fit in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub text: String,
    pub left_out: Vec<String>,
}

/// The terms of a vocabulary file: one per line; blank lines and lines starting with `#` are
/// skipped. Each term is checked as a session.toml name is (one line of at most 200
/// characters, no control characters), at most `input::MAX_ENTRIES` of them; a mistake is
/// reported with the file and line.
pub fn read_file(path: &Path) -> Result<Vec<String>, String> {
    let text = input::read_text(path, MAX_FILE_BYTES, "a vocabulary file")?
        .ok_or_else(|| format!("cannot read {}: no such file", path.display()))?;
    let mut terms = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let term = line.trim();
        if term.is_empty() || term.starts_with('#') {
            continue;
        }
        let at = |why: String| format!("{}:{}: {why}", path.display(), i + 1);
        safe_text::check(term, MAX_NAME_CHARS).map_err(|why| at(format!("term {} {why}", safe_text::preview(term))))?;
        if terms.len() == input::MAX_ENTRIES {
            return Err(at(format!("more than {} terms; keep the ones whisper gets wrong", input::MAX_ENTRIES)));
        }
        terms.push(term.to_string());
    }
    Ok(terms)
}

/// A participant in the prompt: the name, and the organisation shown with it.
type Person = (String, Option<String>);

/// One candidate for the prompt, in the order of priority.
struct Item {
    /// A participant's name (shown first, with their organisation), or a term.
    name: Option<String>,
    organisation: Option<String>,
    term: Option<String>,
}

/// whisper's initial prompt from `meta` and the `extra` terms of a vocabulary file, with only
/// what `fits` (a whole prompt's text) allows, or none when there is nothing to say. Priority:
/// participants' names, their organisations, the organisers, the vocabulary (session.toml's,
/// then the file's), then the proper nouns and acronyms of the title, series and agenda titles.
/// A term already in the prompt (a series that names an organisation) is not repeated.
pub fn build(meta: Option<&SessionMeta>, extra: &[String], fits: &dyn Fn(&str) -> bool) -> Option<Built> {
    let default = SessionMeta::default();
    let meta = meta.unwrap_or(&default);
    let mut items: Vec<Item> = Vec::new();
    let clean = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for p in &meta.participants {
        let name = clean(&p.name);
        if !name.is_empty() {
            let organisation = p.organisation.as_deref().map(organisation).filter(|o| !o.is_empty());
            items.push(Item { name: Some(name), organisation, term: None });
        }
    }
    let mut terms: Vec<String> = meta.organisers.iter().map(|o| organisation(o)).collect();
    terms.extend(meta.vocabulary.iter().chain(extra).map(|t| clean(t)));
    for text in meta.title.iter().chain(&meta.series).chain(meta.agenda.iter().filter_map(|a| a.title.as_ref())) {
        terms.extend(proper_nouns(text));
    }
    items.extend(terms.into_iter().filter(|t| !t.is_empty()).map(|t| Item {
        name: None,
        organisation: None,
        term: Some(t),
    }));

    // Chosen parts: (shown name, its organisation) and terms, in the order shown.
    let mut people: Vec<Person> = Vec::new();
    let mut chosen: Vec<String> = Vec::new();
    let mut left_out = Vec::new();
    // In an English session, ordinary sentences: whisper takes the prompt for the text before
    // and follows its style, and a bare list of names in title case made it capitalise words
    // after pauses ("Reaches people…", "Her Foundation runs…"), cutting sentences in two.
    let prose = meta.language.as_deref().is_none_or(|l| l == "en");
    let render = |people: &[Person], chosen: &[String]| {
        let people: Vec<String> = people
            .iter()
            .map(|(n, o)| match (o, prose) {
                (Some(o), true) => format!("{n} of {o}"),
                (Some(o), false) => format!("{n} ({o})"),
                (None, _) => n.clone(),
            })
            .collect();
        let list = |items: &[String]| match (prose, items) {
            (true, [.., last]) if items.len() > 1 => format!("{} and {last}", items[..items.len() - 1].join(", ")),
            _ => items.join(", "),
        };
        let (people, terms) = (list(&people), list(chosen));
        let parts = match prose {
            true => [(people, "We hear from "), (terms, "We talk about ")],
            false => [(people, ""), (terms, "")],
        };
        parts
            .into_iter()
            .filter(|(s, _)| !s.is_empty())
            .map(|(s, lead)| format!("{lead}{s}."))
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Organisations go in once the names are in: a name is worth more than any organisation.
    let mut organisations: Vec<(usize, String)> = Vec::new();
    for item in items {
        if let Some(name) = item.name {
            if contains(&render(&people, &chosen), &name) {
                continue;
            }
            people.push((name.clone(), None));
            if !fits(&render(&people, &chosen)) {
                people.pop();
                left_out.push(name);
                continue;
            }
            if let Some(o) = item.organisation {
                organisations.push((people.len() - 1, o));
            }
            continue;
        }
        // The first term: every name is in, so their organisations come first.
        for (i, o) in std::mem::take(&mut organisations) {
            try_organisation(&mut people, &chosen, i, o, &render, fits, &mut left_out);
        }
        let Some(term) = item.term else { continue };
        if contains(&render(&people, &chosen), &term) || chosen.iter().any(|c| c.eq_ignore_ascii_case(&term)) {
            continue;
        }
        chosen.push(term);
        if !fits(&render(&people, &chosen)) {
            left_out.push(chosen.pop().unwrap_or_default());
        }
    }
    for (i, o) in organisations {
        try_organisation(&mut people, &chosen, i, o, &render, fits, &mut left_out);
    }
    let text = render(&people, &chosen);
    (!text.is_empty()).then_some(Built { text, left_out })
}

/// Adds organisation `o` to the `i`th person if it is not in the prompt yet and fits.
fn try_organisation(
    people: &mut [Person],
    chosen: &[String],
    i: usize,
    o: String,
    render: &dyn Fn(&[Person], &[String]) -> String,
    fits: &dyn Fn(&str) -> bool,
    left_out: &mut Vec<String>,
) {
    if contains(&render(people, chosen), &o) {
        return;
    }
    people[i].1 = Some(o);
    if !fits(&render(people, chosen)) {
        left_out.push(people[i].1.take().unwrap_or_default());
    }
}

/// An organisation as it is said: "Red Sendero Seguro (Guatemala)" is "Red Sendero Seguro,
/// Guatemala" (no parentheses within the prompt's own).
fn organisation(o: &str) -> String {
    let o = o.split_whitespace().collect::<Vec<_>>().join(" ");
    match o.strip_suffix(')').and_then(|rest| rest.rsplit_once(" (")) {
        Some((name, place)) if !place.contains(['(', ')']) => format!("{name}, {place}"),
        _ => o,
    }
}

/// Whether `term` is already in `text`, as whole words, ignoring case.
fn contains(text: &str, term: &str) -> bool {
    let (text, term) = (text.to_lowercase(), term.to_lowercase());
    text.match_indices(&term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + term.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Lower-case words that may join two capitalised ones in a name ("Ministry of Labour").
const CONNECTORS: [&str; 12] = ["of", "on", "for", "against", "the", "de", "del", "la", "las", "los", "du", "des"];

/// The proper nouns and acronyms of a title: runs of capitalised words ("Central America",
/// "UN Network on Migration") and words with two capitals or a capital and a digit
/// ("COVID-19", "GCM"), not counting a capitalised word that only starts a sentence.
pub fn proper_nouns(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    // Connectors waiting for a capitalised word to join.
    let mut pending: Vec<&str> = Vec::new();
    let mut sentence_start = true;
    let flush = |run: &mut Vec<&str>, pending: &mut Vec<&str>, out: &mut Vec<String>| {
        let term = run.join(" ");
        if !term.is_empty() && !out.contains(&term) {
            out.push(term);
        }
        run.clear();
        pending.clear();
    };
    for raw in text.split_whitespace() {
        if raw.starts_with('(') {
            flush(&mut run, &mut pending, &mut out);
        }
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let capitals = word.chars().filter(|c| c.is_uppercase()).count();
        let acronym = capitals >= 2 || (capitals == 1 && word.chars().any(|c| c.is_ascii_digit()));
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        if capitalised && (!sentence_start || acronym || !run.is_empty()) {
            run.append(&mut pending);
            run.push(word);
        } else if !run.is_empty() && pending.len() < 2 && CONNECTORS.contains(&word) {
            pending.push(word);
        } else if !word.is_empty() {
            flush(&mut run, &mut pending, &mut out);
        }
        if !word.is_empty() {
            sentence_start = false;
        }
        if raw.ends_with([',', ':', ';', '.', '!', '?', ')']) {
            flush(&mut run, &mut pending, &mut out);
            sentence_start = raw.ends_with(['.', ':', '!', '?']);
        }
    }
    flush(&mut run, &mut pending, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::metadata::{Participant, parse};

    fn person(name: &str, organisation: Option<&str>) -> Participant {
        Participant { name: name.into(), role: None, organisation: organisation.map(Into::into) }
    }

    fn chars(max: usize) -> impl Fn(&str) -> bool {
        move |s: &str| s.chars().count() <= max
    }

    #[test]
    fn names_with_their_organisation_once_then_terms() {
        let meta = SessionMeta {
            title: Some("Listening session on COVID-19: voices from Central America".into()),
            series: Some("UN Network on Migration sessions".into()),
            organisers: vec!["UN Network on Migration Secretariat".into()],
            participants: vec![
                person("Helena Marsh", Some("UN Network on Migration Secretariat")),
                person("Jonas  Eriksen", Some("UN Network on Migration Secretariat")),
                person("Rafael Ortega", Some("Red Sendero Seguro (Guatemala)")),
                person("Dara Sok", None),
            ],
            vocabulary: vec!["GCM".into(), "kafala".into()],
            ..Default::default()
        };
        let built = build(Some(&meta), &["Palermo Protocol".into(), "gcm".into()], &chars(1000)).unwrap();
        assert_eq!(
            built.text,
            "We hear from Helena Marsh of UN Network on Migration Secretariat, Jonas Eriksen, \
             Rafael Ortega of Red Sendero Seguro, Guatemala and Dara Sok. \
             We talk about GCM, kafala, Palermo Protocol, COVID-19 and Central America."
        );
        assert!(built.left_out.is_empty());
    }

    #[test]
    fn a_prompt_too_long_keeps_names_first() {
        let meta = SessionMeta {
            title: Some("Talks with UNODC".into()),
            participants: vec![person("Ana Ruiz", Some("Frontline Aid")), person("Li Wei", Some("Harbour Trust"))],
            vocabulary: vec!["kafala".into()],
            ..Default::default()
        };
        let all = build(Some(&meta), &[], &chars(1000)).unwrap().text;
        assert_eq!(
            all,
            "We hear from Ana Ruiz of Frontline Aid and Li Wei of Harbour Trust. We talk about kafala and UNODC."
        );
        // Names, then organisations, then terms: each part goes in only while the whole fits.
        let built = build(Some(&meta), &[], &chars(60)).unwrap();
        assert_eq!(built.text, "We hear from Ana Ruiz of Frontline Aid and Li Wei.");
        assert_eq!(built.left_out, ["Harbour Trust", "kafala", "UNODC"]);
        let built = build(Some(&meta), &[], &chars(33)).unwrap();
        assert_eq!(built.text, "We hear from Ana Ruiz and Li Wei.");
        assert_eq!(built.left_out, ["Frontline Aid", "Harbour Trust", "kafala", "UNODC"]);
        // Within the real token budget a long session keeps every name.
        let many = SessionMeta {
            participants: (0..60).map(|i| person(&format!("Person Number{i}"), Some("Some Organisation"))).collect(),
            ..Default::default()
        };
        let built = build(Some(&many), &[], &chars(600)).unwrap();
        assert!(
            built.text.chars().count() <= 600 && built.text.starts_with("We hear from Person Number0, Person Number1,")
        );
        assert!(built.left_out.contains(&"Person Number59".to_string()), "{:?}", built.left_out);
    }

    #[test]
    fn a_session_in_another_language_gets_a_bare_list() {
        let meta = SessionMeta {
            language: Some("fr".into()),
            participants: vec![person("Ana Ruiz", Some("Frontline Aid")), person("Li Wei", None)],
            vocabulary: vec!["kafala".into(), "UNODC".into()],
            ..Default::default()
        };
        assert_eq!(
            build(Some(&meta), &[], &chars(1000)).unwrap().text,
            "Ana Ruiz (Frontline Aid), Li Wei. kafala, UNODC."
        );
    }

    #[test]
    fn nothing_to_say_is_no_prompt() {
        assert_eq!(build(None, &[], &chars(1000)), None);
        assert_eq!(build(Some(&SessionMeta::default()), &[" ".into()], &chars(1000)), None);
        assert_eq!(build(None, &["IOM".into()], &chars(1000)).unwrap().text, "We talk about IOM.");
    }

    #[test]
    fn hostile_text_stays_plain_text() {
        let toml = "vocabulary = [\"<|endoftext|>\", \"[BLANK_AUDIO]\", \"{{ title }}\", \"<script>x</script>\"]\n\
                    [[participants]]\nname = \"Zoë \\\"Zed\\\" O'Neil\"\norganisation = \"A & B <Ltd>\"\n";
        let meta = parse(toml).unwrap();
        let built = build(Some(&meta), &[], &chars(1000)).unwrap();
        assert_eq!(
            built.text,
            "We hear from Zoë \"Zed\" O'Neil of A & B <Ltd>. \
             We talk about <|endoftext|>, [BLANK_AUDIO], {{ title }} and <script>x</script>."
        );
    }

    #[test]
    fn proper_nouns_of_titles() {
        assert_eq!(
            proper_nouns(
                "Listening session on the impact of COVID-19 on trafficking in persons: voices from Central \
                 America, Southeast Asia and Eastern Europe"
            ),
            ["COVID-19", "Central America", "Southeast Asia", "Eastern Europe"]
        );
        assert_eq!(
            proper_nouns("Briefing by the Ministry of Labour (Moldova) on the GCM review"),
            ["Ministry of Labour", "Moldova", "GCM"]
        );
        assert_eq!(proper_nouns("Welcome and opening remarks"), Vec::<String>::new());
        assert_eq!(proper_nouns("UN Network on Migration listening sessions"), ["UN Network on Migration"]);
    }

    #[test]
    fn vocabulary_files_are_one_term_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terms.txt");
        std::fs::write(&path, "# agencies\nIOM\n\n  UNODC  \nPalermo Protocol\n").unwrap();
        assert_eq!(read_file(&path).unwrap(), ["IOM", "UNODC", "Palermo Protocol"]);
        std::fs::write(&path, "IOM\nbad\u{1b}[2J\n").unwrap();
        let e = read_file(&path).unwrap_err();
        assert!(e.contains("terms.txt:2: term") && e.contains("control character"), "{e}");
        std::fs::write(&path, "x\n".repeat(501)).unwrap();
        assert!(read_file(&path).unwrap_err().contains("terms.txt:501: more than 500 terms"));
        let e = read_file(&dir.path().join("none.txt")).unwrap_err();
        assert!(e.contains("none.txt") && e.contains("no such file"), "{e}");
    }
}
