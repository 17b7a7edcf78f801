//! The checker: a sentence the model wrote is printed only when everything in it rests on the
//! points it cites (or on session.toml). Numbers, names and content words are compared by
//! stem; the words a reported-speech sentence needs ("noted", "participants") and the forms
//! reported speech gives a verb ("saw" for "see") are allowed. The embedding check is the
//! caller's (`super::write`): it needs the sentence model.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::themes::text::{is_stop_word, stems, tokens};

/// What a sentence may rest on.
pub struct Grounds {
    /// The stems of the cited points' words, with session.toml's.
    stems: HashSet<String>,
    /// The numbers in the cited points and session.toml.
    numbers: HashSet<String>,
    /// Whether the cited points say "not", "no", "never"…
    negated: bool,
    /// The people session.toml lists whom the cited points do not name. The model is never
    /// told who spoke (the documents add the speaker), so a sentence naming one of them puts
    /// the words in someone's mouth.
    others: Vec<String>,
}

impl Grounds {
    /// `cited`: the cited points' texts; `session`: session.toml's names, organisations,
    /// title and terms; `people`: the participants session.toml lists.
    pub fn new(cited: &[&str], session: &[String], people: &[String]) -> Grounds {
        let said = cited.join(" ");
        let mut all = said.clone();
        for s in session {
            all.push(' ');
            all.push_str(s);
        }
        let folded = said.to_lowercase();
        let others = people.iter().filter(|p| !mentions(&folded, p)).cloned().collect();
        Grounds { stems: lemma_stems(&all), numbers: numbers(&all), negated: negated(&said), others }
    }
}

/// Why a sentence is not printed.
pub fn check(sentence: &str, grounds: &Grounds) -> Result<(), String> {
    let lower = sentence.to_lowercase();
    let words: Vec<String> = tokens(&lower).into_iter().map(|t| t.word).collect();
    if let Some(w) = words.iter().find(|w| FIRST_PERSON.contains(&w.as_str())) {
        return Err(format!("speaks in the first person (\"{w}\"), not in reported speech"));
    }
    if let Some(other) = grounds.others.iter().find(|p| mentions(&lower, p)) {
        return Err(format!("names {other}, whom what was said does not name"));
    }
    let missing: Vec<String> = numbers(sentence).into_iter().filter(|n| !grounds.numbers.contains(n)).collect();
    if !missing.is_empty() {
        return Err(format!("the number {} is not in what was said", missing.join(", ")));
    }
    let mut added: Vec<String> = Vec::new();
    for t in tokens(sentence) {
        let lemma = lemma(&t.word);
        let stem = stems(lemma).pop().unwrap_or_default();
        let free = is_stop_word(&t.word) || is_stop_word(lemma) || FRAMING.contains(stem.as_str());
        let number = number_value(&t.word).is_some() || t.word.chars().all(|c| c.is_ascii_digit());
        if !free && !number && !grounds.stems.contains(&stem) && !added.contains(&t.word) {
            added.push(t.word);
        }
    }
    if !added.is_empty() {
        return Err(format!("\"{}\" is not in what was said", added.join("\", \"")));
    }
    if negated(sentence) != grounds.negated {
        return Err(if grounds.negated { "drops a \"not\" of what was said" } else { "adds a \"not\"" }.into());
    }
    Ok(())
}

const FIRST_PERSON: [&str; 9] = ["i", "me", "my", "myself", "we", "us", "our", "ours", "ourselves"];

/// `name` said in `lower` (lower-cased): the full name, or its last word as a word of its own.
fn mentions(lower: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    let words: Vec<String> = tokens(lower).into_iter().map(|t| t.word).collect();
    let last = name.split_whitespace().last().unwrap_or_default().to_string();
    lower.contains(&name) || (last.chars().count() > 2 && words.contains(&last))
}

fn lemma_stems(text: &str) -> HashSet<String> {
    tokens(text).into_iter().map(|t| stems(lemma(&t.word)).pop().unwrap_or_default()).collect()
}

fn negated(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.contains("n't")
        || tokens(&lower)
            .iter()
            .any(|t| ["not", "no", "never", "nor", "cannot", "neither", "nobody"].contains(&t.word.as_str()))
}

/// Every number in `text`, as digits: "2,000", "2000" and "two thousand" are "2000", "40%"
/// is "40".
pub fn numbers(text: &str) -> HashSet<String> {
    let joined = THOUSANDS.replace_all(text, "$1$2");
    let mut out: HashSet<String> = DIGITS.find_iter(&joined).map(|m| m.as_str().to_string()).collect();
    // Number words in a row make one number: "three hundred thousand".
    let (mut total, mut current, mut any) = (0u64, 0u64, false);
    for t in tokens(text).into_iter().map(Some).chain([None]) {
        match t.as_ref().and_then(|t| number_value(&t.word)) {
            Some(100) => current = current.max(1) * 100,
            Some(m @ (1000 | 1_000_000 | 1_000_000_000)) => {
                total += current.max(1) * m;
                current = 0;
            }
            Some(v) => current += v,
            None if any => {
                out.insert((total + current).to_string());
                (total, current) = (0, 0);
            }
            None => {}
        }
        any = t.as_ref().is_some_and(|t| number_value(&t.word).is_some());
    }
    out
}

static THOUSANDS: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"(\d),(\d{3})\b").expect("valid"));
static DIGITS: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"\d+(\.\d+)?").expect("valid"));

fn number_value(word: &str) -> Option<u64> {
    const SMALL: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    const TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    if let Some(i) = SMALL.iter().position(|w| *w == word) {
        return Some(i as u64);
    }
    if let Some(i) = TENS.iter().position(|w| *w == word) {
        return Some(20 + 10 * i as u64);
    }
    match word {
        "hundred" => Some(100),
        "thousand" => Some(1000),
        "million" => Some(1_000_000),
        "billion" => Some(1_000_000_000),
        _ => None,
    }
}

/// Reported speech puts verbs in the past ("we see" → "they saw"): irregular forms are read as
/// their base form on both sides.
fn lemma(word: &str) -> &str {
    IRREGULAR.iter().find(|(forms, _)| forms.split(' ').any(|f| f == word)).map_or(word, |(_, base)| base)
}

const IRREGULAR: [(&str, &str); 62] = [
    ("saw seen sees", "see"),
    ("went gone goes", "go"),
    ("made", "make"),
    ("said says", "say"),
    ("took taken", "take"),
    ("gave given", "give"),
    ("got gotten", "get"),
    ("came", "come"),
    ("knew known", "know"),
    ("found", "find"),
    ("thought", "think"),
    ("told", "tell"),
    ("became", "become"),
    ("shown showed", "show"),
    ("left", "leave"),
    ("felt", "feel"),
    ("brought", "bring"),
    ("began begun", "begin"),
    ("kept", "keep"),
    ("held", "hold"),
    ("wrote written", "write"),
    ("stood", "stand"),
    ("heard", "hear"),
    ("meant", "mean"),
    ("met", "meet"),
    ("ran", "run"),
    ("paid", "pay"),
    ("lost", "lose"),
    ("grew grown", "grow"),
    ("fell fallen", "fall"),
    ("sent", "send"),
    ("built", "build"),
    ("spent", "spend"),
    ("rose risen", "rise"),
    ("drove driven", "drive"),
    ("bought", "buy"),
    ("led", "lead"),
    ("understood", "understand"),
    ("spoke spoken", "speak"),
    ("taught", "teach"),
    ("sought", "seek"),
    ("caught", "catch"),
    ("fought", "fight"),
    ("chose chosen", "choose"),
    ("broke broken", "break"),
    ("forgot forgotten", "forget"),
    ("drew drawn", "draw"),
    ("won", "win"),
    ("sold", "sell"),
    ("fed", "feed"),
    ("hid hidden", "hide"),
    ("wore worn", "wear"),
    ("threw thrown", "throw"),
    ("flew flown", "fly"),
    ("sat", "sit"),
    ("struck", "strike"),
    ("children", "child"),
    ("women", "woman"),
    ("men", "man"),
    ("people", "person"),
    ("could", "can"),
    ("would", "will"),
];

/// Words a sentence of minutes may use that the speaker need not have said: who speaks, how
/// they put it, and the shifts of reported speech (stemmed).
static FRAMING: LazyLock<HashSet<String>> = LazyLock::new(|| {
    "speaker speakers participant participants organisation organization they their them themselves \
     noted said stressed highlighted emphasised emphasized explained observed pointed out recalled added \
     called urged recommended proposed suggested asked warned welcomed acknowledged shared described \
     reported argued underlined underscored mentioned expressed concluded stated remarked indicated \
     added invited encouraged reminded cautioned affirmed confirmed believed hoped felt considered \
     began announced advised outlined informed illustrated cited referred quoted \
     agreed discussed recognised recognized acknowledged identified raised \
     that which whose whom while whereas also further furthermore however moreover therefore \
     would could should might must may shall will can had has have been being was were \
     respective respectively particular particularly"
        .split_whitespace()
        .flat_map(|w| stems(lemma(w)))
        .collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    fn grounds(said: &str) -> Grounds {
        Grounds::new(
            &[said],
            &["Ana Ruiz".into(), "Frontline Aid".into(), "COVID-19 and trafficking in persons".into()],
            &["Ana Ruiz".into(), "Dara Sok".into()],
        )
    }

    const SAID: &str = "We saw the calls to our hotline double since March, two thousand calls, mostly from women in the garment factories.";

    #[test]
    fn a_faithful_rewrite_passes() {
        let g = grounds(SAID);
        for ok in [
            "The speaker noted that calls to their hotline had doubled since March, mostly from women in garment factories.",
            "The speaker said they had seen 2,000 calls to the hotline.",
            "The speaker stressed that there were two thousand calls to the hotline since March, mostly from women.",
            "The speaker noted that Frontline Aid's calls had doubled during COVID-19.",
        ] {
            assert_eq!(check(ok, &g), Ok(()), "{ok}");
        }
    }

    #[test]
    fn an_invented_number_a_wrong_speaker_an_unknown_name_and_new_words_are_refused() {
        let g = grounds(SAID);
        let refused = |s: &str| check(s, &g).expect_err(s);
        assert!(refused("The speaker noted that 3,000 calls came in.").contains("3000"));
        assert!(refused("The speaker noted that calls rose by 40%.").contains("40"));
        // The model is never told who spoke: a name it writes is not the speaker's to give.
        assert!(refused("Dara Sok noted that calls to the hotline had doubled.").contains("Dara Sok"));
        assert!(refused("Ana Ruiz noted that calls to the hotline had doubled.").contains("Ana Ruiz"));
        assert!(refused("The speaker noted that Sok saw calls double.").contains("Dara Sok"));
        assert!(refused("The speaker noted that Geneva saw calls double.").contains("geneva"));
        assert!(refused("The speaker noted an unprecedented surge in calls.").contains("unprecedented"));
        assert!(refused("The speaker noted that calls did not double.").contains("not"));
        assert!(refused("We saw the calls to our hotline double.").contains("first person"));
        // A name the speaker said is theirs to say.
        let g = grounds("Thank you, Dara Sok, we saw the calls double.");
        assert_eq!(check("The speaker said they had seen calls double, thanking Dara Sok.", &g), Ok(()));
    }

    #[test]
    fn numbers_read_alike_in_digits_and_words() {
        let set = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        assert_eq!(numbers("2,000 people, forty percent, 3.5 and COVID-19"), set(&["2000", "40", "3.5", "19"]));
        assert_eq!(numbers("two thousand calls, forty five shelters"), set(&["2000", "45"]));
        assert_eq!(numbers("three hundred thousand"), set(&["300000"]));
    }
}
