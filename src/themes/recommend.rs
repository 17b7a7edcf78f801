//! Recommendations, found by their form: a speaker recommending, urging or calling on
//! someone ("we recommend that…", "we call on employers to…"), or an institution told what it
//! should do ("governments should…", "states must…"). Listed verbatim with speaker and time.
//!
//! Deliberately not recommendations: questions, reports of what others recommended ("the
//! report recommended…"), the word as a noun ("these are clear recommendations"), first
//! person resolve ("we must not let that happen again", "what we should do"), counterfactuals
//! ("should have") and set phrases ("it should be noted").

use std::sync::LazyLock;

use regex::Regex;

use super::Said;
use crate::session::SessionRecord;

/// Who a session tells what to do.
const ACTORS: &str = r"governments?|states|member states|countries|authorities|ministries|parliaments|employers|businesses|companies|the private sector|recruiters|recruitment agencies|platforms|donors|the international community|civil society|unions|trade unions|the network|the united nations|the un|un agencies|partners|all partners|international organi[sz]ations|law enforcement|the police|border authorities|embassies|consulates|municipalities|local authorities|cities|service providers|social partners";

static SPEAKER_ASKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(we|i)\s+(would\s+)?(also\s+|strongly\s+|therefore\s+)*(recommend|urge|call\s+(on|upon)|appeal\s+to|encourage|invite|propose)\b").unwrap()
});
static NOUN_ASKS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(our|my|the main|a key|one)\s+recommendation\s+(is|would be)\b").unwrap());
static ACTOR_SHOULD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b({ACTORS})\s+(also\s+|urgently\s+|therefore\s+)*(should|must|need\s+to|ought\s+to|have\s+to)\s+(\w+)"
    ))
    .unwrap()
});
static WH_BEFORE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\b(what|how|whether|why|if|when)\s+$").unwrap());

/// Whether a sentence is a recommendation by its form.
pub fn is_recommendation(sentence: &str) -> bool {
    let s = sentence.trim();
    if s.is_empty() || s.ends_with('?') {
        return false;
    }
    if SPEAKER_ASKS.is_match(s) || NOUN_ASKS.is_match(s) {
        return true;
    }
    ACTOR_SHOULD.captures_iter(s).any(|c| {
        let whole = c.get(0).expect("a match");
        let verb = c[4].to_ascii_lowercase();
        let after = s[whole.end()..].trim_start().to_ascii_lowercase();
        // "what governments should do" asks; "should have", "should not have" regret.
        let asked = WH_BEFORE.is_match(&s[..whole.start()]);
        let regret = verb == "have" || (verb == "not" && after.starts_with("have"));
        !asked && !regret
    })
}

/// Every recommendation in the session, in order; segments are sentences.
pub fn recommendations(record: &SessionRecord) -> Vec<Said> {
    Said::every(record, is_recommendation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendations_by_their_form() {
        for s in [
            "We recommend that governments translate all information on labour rights into the languages that migrants speak.",
            "We also call on employers to stop charging recruitment fees to workers.",
            "Governments should keep labour inspections running during any future emergency, and they should give firewall protections.",
            "I would strongly urge donors to fund shelters for the long term.",
            "States must not detain children for migration purposes.",
            "Our recommendation is simple: regular pathways.",
            "Employers need to pay recruitment costs themselves.",
            "We call upon the international community to share data.",
        ] {
            assert!(is_recommendation(s), "missed: {s}");
        }
    }

    #[test]
    fn look_alikes_that_are_not_recommendations() {
        for s in [
            "Today we discuss how the pandemic changed trafficking in persons, and what we should do about it.",
            "We must not let that happen again.",
            "These are clear recommendations: translated information, no recruitment fees, inspections that continue, and safe reporting.",
            "Should governments keep inspections running?",
            "The report recommended more inspections last year.",
            "Governments should have acted earlier, but they did not.",
            "It should be noted that numbers fell.",
            "I recommended this hotel to a friend?",
            "Many victims were women working in private homes.",
            "We do not know how governments should respond.",
        ] {
            assert!(!is_recommendation(s), "false alarm: {s}");
        }
    }
}
