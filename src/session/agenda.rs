//! Names from the structure of the session in `session.toml`. The moderator is the voice that
//! speaks between the others (`moderator_voice`). The other voices are heard in the agenda's
//! order (the welcome, the opening remarks, the lead discussants), so the first of them with
//! substantial speech is the first name on the agenda, and so on. Only where confident: when
//! the session has a moderator, each new voice must take the floor straight after the
//! moderator, as moderated sessions go; at the first voice that does not, naming stops.

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

/// The fewest times a voice must speak between two others to be taken for the moderator.
const MIN_BETWEEN: usize = 2;

/// The voice that speaks between the others, with how many times it did: a turn of it
/// (any length: "thank you, over to you" counts) with substantial turns of two different
/// other voices before and after. Only when clearly so: at least `MIN_BETWEEN` times and
/// more than twice as often as any other voice.
pub fn moderator_voice(record: &SessionRecord) -> Option<(String, usize)> {
    let mut between: BTreeMap<&str, usize> = BTreeMap::new();
    for turn in &record.turns {
        let id = turn.speaker.as_str();
        let before = record.turns.iter().rev().find(|t| t.end <= turn.start && t.end - t.start >= MIN_TURN_S);
        let after = record.turns.iter().find(|t| t.start >= turn.end && t.end - t.start >= MIN_TURN_S);
        if let (Some(b), Some(a)) = (before, after)
            && b.speaker != id
            && a.speaker != id
            && a.speaker != b.speaker
        {
            *between.entry(id).or_default() += 1;
        }
    }
    let mut ranked: Vec<(&str, usize)> = between.into_iter().collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    let (&(id, n), runner_up) = (ranked.first()?, ranked.get(1).map_or(0, |r| r.1));
    (n >= MIN_BETWEEN && n > 2 * runner_up).then(|| (id.to_string(), n))
}

/// Speaker id → name, for the voices the agenda names with confidence. `moderator_voice` is
/// the moderator's voice when known (named already): the moderator is then left out of the
/// order, so a moderator who also welcomes, or speaks first, shifts no one.
pub fn names(meta: &SessionMeta, record: &SessionRecord, moderator_voice: Option<&str>) -> BTreeMap<String, String> {
    let moderator = moderator(meta);
    let mut expected = expected(meta);
    if moderator_voice.is_some() {
        expected.retain(|n| Some(n) != moderator.as_ref());
    }
    // The hand-over check needs the moderator's voice: known, or the moderator on the agenda.
    let moderator = moderator.filter(|m| moderator_voice.is_some() || expected.contains(m));
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut previous: Option<&str> = None;
    let by_moderator = |p: Option<&str>, names: &BTreeMap<String, String>| match moderator_voice {
        Some(v) => p == Some(v),
        None => p.and_then(|p| names.get(p)) == moderator.as_ref(),
    };
    for turn in &record.turns {
        let id = turn.speaker.as_str();
        let entering = !names.contains_key(id) && Some(id) != moderator_voice && turn.end - turn.start >= MIN_TURN_S;
        if entering {
            let Some(name) = expected.get(names.len()) else { break };
            let handed_over = match (&moderator, previous) {
                (Some(m), Some(_)) if m != name => by_moderator(previous, &names),
                _ => true,
            };
            if !handed_over {
                break;
            }
            names.insert(id.to_string(), name.clone());
        }
        if names.contains_key(id) || Some(id) == moderator_voice || turn.end - turn.start >= MIN_TURN_S {
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
        names(&meta(), r, None).into_iter().collect()
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
        assert_eq!(names(&m, &r, None).len(), 3);
    }

    #[test]
    fn the_moderator_is_the_voice_between_the_others() {
        // S2 welcomes and gives the floor; S1 speaks first, out of the agenda's order.
        let r =
            record(&[("S1", 20.0), ("S2", 5.0), ("S3", 30.0), ("S2", 1.0), ("S4", 30.0), ("S2", 5.0), ("S1", 10.0)]);
        assert_eq!(moderator_voice(&r), Some(("S2".to_string(), 3)));
        // Known, the moderator leaves the order: S1, first heard, is the opening.
        let mut m = meta();
        m.agenda.remove(0);
        let n: Vec<(String, String)> = names(&m, &r, Some("S2")).into_iter().collect();
        assert_eq!(n, [("S1", "John"), ("S3", "Amina"), ("S4", "Carlos")].map(|(a, b)| (a.to_string(), b.to_string())));
        // Two voices taking turns have no one between them.
        assert_eq!(moderator_voice(&record(&[("S1", 20.0), ("S2", 20.0), ("S1", 20.0), ("S2", 20.0)])), None);
    }
}
