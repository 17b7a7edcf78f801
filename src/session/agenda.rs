//! Names from the agenda in `session.toml`: the voices are heard in the agenda's order (the
//! welcome, the opening remarks, the lead discussants), so the first voice with substantial
//! speech is the first name on the agenda, and so on. Only where confident: when the session
//! has a moderator, each new voice must take the floor straight after the moderator, as
//! moderated sessions go; at the first voice that does not, naming stops.

use std::collections::BTreeMap;

use super::metadata::{AgendaKind, SessionMeta};
use super::record::SessionRecord;

/// A voice enters with its first turn of at least this long (a "thank you" from the floor
/// does not).
const MIN_TURN_S: f64 = 4.0;

/// Names in speaking order, up to the open discussion (after which the order is unknown),
/// each once.
fn expected(meta: &SessionMeta) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for item in &meta.agenda {
        if item.item == AgendaKind::OpenDiscussion {
            break;
        }
        for n in &item.speakers {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// The moderator: who speaks in the welcome or moderator item, else the participant whose role
/// says so.
pub fn moderator(meta: &SessionMeta) -> Option<String> {
    meta.agenda
        .iter()
        .find(|i| matches!(i.item, AgendaKind::Welcome | AgendaKind::Moderator) && !i.speakers.is_empty())
        .map(|i| i.speakers[0].clone())
        .or_else(|| {
            meta.participants
                .iter()
                .find(|p| p.role.as_deref().is_some_and(|r| r.to_lowercase().contains("moderat")))
                .map(|p| p.name.clone())
        })
}

/// Speaker id → name, for the voices the agenda names with confidence.
pub fn names(meta: &SessionMeta, record: &SessionRecord) -> BTreeMap<String, String> {
    let expected = expected(meta);
    // The hand-over check needs the moderator's voice, so the moderator must be on the agenda.
    let moderator = moderator(meta).filter(|m| expected.contains(m));
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut previous: Option<&str> = None;
    for turn in &record.turns {
        let id = turn.speaker.as_str();
        let entering = !names.contains_key(id) && turn.end - turn.start >= MIN_TURN_S;
        if entering {
            let Some(name) = expected.get(names.len()) else { break };
            let handed_over = match (&moderator, previous) {
                (Some(m), Some(p)) if m != name => names.get(p) == Some(m),
                _ => true,
            };
            if !handed_over {
                break;
            }
            names.insert(id.to_string(), name.clone());
        }
        if names.contains_key(id) || turn.end - turn.start >= MIN_TURN_S {
            previous = Some(id);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::metadata::{AgendaItem, Participant};
    use crate::session::record::{Turn, tests::sample};

    fn meta() -> SessionMeta {
        let item = |item, speakers: &[&str]| AgendaItem {
            item,
            title: None,
            speakers: speakers.iter().map(|s| s.to_string()).collect(),
        };
        SessionMeta {
            agenda: vec![
                item(AgendaKind::Welcome, &["Jane"]),
                item(AgendaKind::OpeningRemarks, &["John"]),
                item(AgendaKind::LeadDiscussants, &["Amina", "Carlos"]),
                item(AgendaKind::OpenDiscussion, &[]),
                item(AgendaKind::Closing, &["Jane"]),
            ],
            participants: vec![Participant { name: "Jane".into(), role: Some("Moderator".into()), organisation: None }],
            ..Default::default()
        }
    }

    fn record(turns: &[(&str, f64)]) -> SessionRecord {
        let mut r = sample();
        let mut t = 0.0;
        r.turns = turns
            .iter()
            .map(|(s, d)| {
                t += d;
                Turn { speaker: s.to_string(), start: t - d, end: t, language: "en".into(), segments: vec![] }
            })
            .collect();
        r
    }

    fn named(r: &SessionRecord) -> Vec<(String, String)> {
        names(&meta(), r).into_iter().collect()
    }

    #[test]
    fn voices_take_the_agenda_in_order() {
        let r = record(&[
            ("S1", 20.0),
            ("S2", 30.0),
            ("S1", 5.0),
            ("S3", 1.0),
            ("S3", 30.0),
            ("S1", 5.0),
            ("S4", 30.0),
            ("S5", 10.0),
        ]);
        let n = named(&r);
        assert_eq!(
            n,
            [("S1", "Jane"), ("S2", "John"), ("S3", "Amina"), ("S4", "Carlos")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }

    #[test]
    fn naming_stops_where_the_order_breaks() {
        // S3 takes the floor from S2, not from the moderator: S3 and after stay unnamed.
        let r = record(&[("S1", 20.0), ("S2", 30.0), ("S3", 30.0), ("S1", 5.0), ("S4", 30.0)]);
        assert_eq!(named(&r).len(), 2);
        // Without a moderator the order alone is trusted.
        let mut m = meta();
        m.agenda.remove(0);
        m.participants.clear();
        assert_eq!(names(&m, &r).len(), 3);
    }
}
