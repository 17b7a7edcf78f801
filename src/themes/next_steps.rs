//! Next steps, found by their form: what the organisers say will happen after the session
//! ("the report will be circulated", "we will share the minutes", "the next session…").

use std::sync::LazyLock;

use regex::Regex;

use super::Said;
use crate::session::SessionRecord;

static NEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(next steps?|follow[- ]up (on|to|with)|the next (session|meeting)|we will (circulate|share|send|publish|compile|prepare|report|convene|organi[sz]e|hold|follow)|will be (circulated|shared|sent|published|compiled|made available))\b").unwrap()
});

pub fn is_next_step(sentence: &str) -> bool {
    let s = sentence.trim();
    !s.ends_with('?') && NEXT.is_match(s)
}

/// Every next step in the session, in order.
pub fn next_steps(record: &SessionRecord) -> Vec<Said> {
    Said::every(record, is_next_step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_steps_by_their_form() {
        assert!(is_next_step("The summary will be circulated to all participants next week."));
        assert!(is_next_step("We will share the recommendations with the Network's working group."));
        assert!(is_next_step("The next session will look at return and reintegration."));
        assert!(!is_next_step("We will hear opening remarks, then two lead discussants."));
        assert!(!is_next_step("What are the next steps?"));
    }
}
