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
/// A recommendation reported, not made: "a review recommended that governments should…".
static REPORTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(recommended|urged|called\s+(on|upon|for)|proposed|suggested|advised|demanded)\b").unwrap()
});
/// "My recommendation is for donors.": a lead-in that names who, not what.
static LEAD_IN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\brecommendations?\s+(is|are|would be)\s+(for|to|about)\b").unwrap());
static ACTOR: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"(?i)\b({ACTORS})\b")).unwrap());
static WH_BEFORE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\b(what|how|whether|why|if|when)\s+$").unwrap());

/// Whether a sentence is a recommendation by its form.
pub fn is_recommendation(sentence: &str) -> bool {
    let s = sentence.trim();
    if s.is_empty() || s.ends_with('?') || LEAD_IN.is_match(s) {
        return false;
    }
    if SPEAKER_ASKS.is_match(s) || NOUN_ASKS.is_match(s) {
        return true;
    }
    // Someone else's recommendation, reported before the ask.
    let reported = |at: usize| REPORTED.find(s).is_some_and(|r| r.start() < at);
    ACTOR_SHOULD.captures_iter(s).any(|c| {
        let whole = c.get(0).expect("a match");
        let verb = c[4].to_ascii_lowercase();
        let after = s[whole.end()..].trim_start().to_ascii_lowercase();
        // "what governments should do" asks; "should have", "should not have" regret.
        let asked = WH_BEFORE.is_match(&s[..whole.start()]);
        let regret = verb == "have" || (verb == "not" && after.starts_with("have"));
        !asked && !regret && !reported(whole.start())
    })
}

static NEGATED_ASK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(not|never)\s+(asking|calling|recommending|proposing|requesting|demanding|suggesting)\b")
        .unwrap()
});
static REGRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(should|could|would|might|must)\s+(not\s+)?have\s+\w+(ed|en|wn|ne|seen)\b").unwrap()
});

/// A sentence that has the look of a recommendation and is not one: someone else's reported
/// ("a review recommended…"), an ask denied ("we are not asking for new laws"), a regret
/// ("the authorities should have seen this coming"). Such a sentence is no finding of any
/// facet either: it is what was not asked.
pub fn is_look_alike(sentence: &str) -> bool {
    let s = sentence.trim();
    !is_recommendation(s) && (REPORTED.is_match(s) || NEGATED_ASK.is_match(s) || REGRET.is_match(s))
}

/// Whom a recommendation asks: the first institution it names (`governments`, `donors`), as
/// said.
pub fn addressee(sentence: &str) -> Option<String> {
    ACTOR.find(sentence).map(|m| m.as_str().to_string())
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
            "Back in 2019, a regional review recommended that governments should license every agency.",
            "My recommendation is for donors.",
        ] {
            assert!(!is_recommendation(s), "false alarm: {s}");
        }
    }

    #[test]
    fn look_alikes_are_told_apart() {
        for s in [
            "Back in 2019, a regional review recommended that governments should license every agency.",
            "To be clear, we are not asking for new laws.",
            "And honestly, the authorities should have seen all of this coming.",
        ] {
            assert!(is_look_alike(s), "{s}");
        }
        for s in [
            "We urge donors to keep funding flexible.",
            "Calls to the hotline doubled.",
            "We have seen a rise in debt.",
        ] {
            assert!(!is_look_alike(s), "{s}");
        }
    }

    #[test]
    fn the_addressee_is_the_first_institution_named() {
        let to = |s| addressee(s);
        assert_eq!(to("So we call on employers and the industry to repay debts.").as_deref(), Some("employers"));
        assert_eq!(
            to("Our recommendation is that the governments of the region fund shelters.").as_deref(),
            Some("governments")
        );
        assert_eq!(to("We recommend more shelters."), None);
    }
}
