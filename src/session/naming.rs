//! Who each voice is, for the documents. In order of precedence: the rapporteur's
//! `speakers.toml`, then an enrolled voice recognised by `run` (in session.json), then what
//! was said (the floor given by name, thanks, introductions: see `cues`), then the session's
//! structure in `session.toml`: the moderator is the voice between the others, the rest
//! follow the agenda (see `agenda`). Unnamed voices stay `Speaker N`.

use std::collections::BTreeMap;
use std::path::Path;

use super::cues::{self, Cue};
use super::metadata::{self, SessionMeta};
use super::record::SessionRecord;
use super::{agenda, speakers};

/// The record with its speakers named, the session.toml it was named from, and what named each.
#[derive(Debug, Clone)]
pub struct Named {
    pub record: SessionRecord,
    pub meta: Option<SessionMeta>,
    /// Speaker id → what named it.
    pub named_by: BTreeMap<String, NamedBy>,
}

/// What gave a voice its name: the evidence the documents show.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedBy {
    SpeakersToml,
    /// An enrolled voice recognised.
    Voice,
    /// Something said in the session.
    Cue(Cue),
    /// The voice that speaks between the others, this many times.
    Moderator(usize),
    Agenda,
}

impl Named {
    /// Names from the folder's files; either file being wrong is an error naming file and line.
    pub fn load(dir: &Path, record: &SessionRecord) -> Result<Named, String> {
        let meta = metadata::load(dir).map_err(|e| e.to_string())?;
        let (given, moves) = speakers::load(dir, record).map_err(|e| e.to_string())?;
        Ok(Named::new(&speakers::reassign(record, &moves), meta, &given))
    }

    pub fn new(record: &SessionRecord, meta: Option<SessionMeta>, given: &BTreeMap<String, String>) -> Named {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut named_by = BTreeMap::new();
        let mut by_voice: BTreeMap<String, String> =
            record.speakers.iter().filter_map(|s| s.voice.as_ref().map(|v| (s.id.clone(), v.name.clone()))).collect();
        let from_cues: BTreeMap<String, Cue> = meta.as_ref().map(|m| cues::names(m, record)).unwrap_or_default();
        let mut said: BTreeMap<String, String> = from_cues.iter().map(|(id, c)| (id.clone(), c.name.clone())).collect();
        // A name given to another voice by a stronger source is not this one's.
        let elsewhere = |stronger: &[&BTreeMap<String, String>], id: &String, name: &String| {
            stronger.iter().any(|m| m.iter().any(|(other, n)| other != id && n == name))
        };
        by_voice.retain(|id, name| !elsewhere(&[given], id, name));
        said.retain(|id, name| !elsewhere(&[given, &by_voice], id, name));
        // The moderator's voice, found by how it speaks; named when session.toml says who
        // moderates and no stronger source gave that name or that voice another.
        let between = agenda::moderator_voice(record);
        let mut moderator: BTreeMap<String, String> = BTreeMap::new();
        if let (Some(m), Some((id, _))) = (meta.as_ref().and_then(agenda::moderator), &between) {
            moderator.insert(id.clone(), m);
        }
        let stronger = [given, &by_voice, &said];
        moderator.retain(|id, name| !elsewhere(&stronger, id, name) && stronger.iter().all(|m| !m.contains_key(id)));
        let mut from_agenda = meta
            .as_ref()
            .map(|m| agenda::names(m, record, between.as_ref().map(|(id, _)| id.as_str())))
            .unwrap_or_default();
        from_agenda.retain(|id, name| !elsewhere(&[given, &by_voice, &said, &moderator], id, name));
        for (id, name) in &from_agenda {
            names.insert(id.clone(), name.clone());
            named_by.insert(id.clone(), NamedBy::Agenda);
        }
        for (id, name) in &moderator {
            names.insert(id.clone(), name.clone());
            named_by.insert(id.clone(), NamedBy::Moderator(between.as_ref().map_or(0, |b| b.1)));
        }
        for (id, name) in &said {
            names.insert(id.clone(), name.clone());
            named_by.insert(id.clone(), NamedBy::Cue(from_cues[id].clone()));
        }
        for (source, found) in [(NamedBy::Voice, &by_voice), (NamedBy::SpeakersToml, given)] {
            for (id, name) in found {
                names.insert(id.clone(), name.clone());
                named_by.insert(id.clone(), source.clone());
            }
        }
        Named { record: speakers::apply(record, &names), meta, named_by }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::metadata::{AgendaItem, AgendaKind, Participant};
    use crate::session::record::{Speaker, Turn, tests::sample};

    #[test]
    fn the_voice_between_the_others_is_the_moderator_and_the_agenda_skips_it() {
        // S2 moderates but S1 speaks first: by agenda order alone S1 would be the moderator.
        let mut r = sample();
        let mut t = 0.0;
        for (s, d) in [("S1", 20.0), ("S2", 5.0), ("S3", 30.0), ("S2", 5.0), ("S4", 30.0), ("S2", 5.0), ("S1", 5.0)] {
            r.turns.push(Turn { speaker: s.into(), start: t, end: t + d, language: "en".into(), segments: vec![] });
            t += d;
        }
        r.speakers = ["S1", "S2", "S3", "S4"]
            .map(|id| Speaker { id: id.into(), name: None, talk_time_s: 10.0, voice: None })
            .to_vec();
        let item = |item, speakers: &[&str]| AgendaItem {
            item,
            title: None,
            speakers: speakers.iter().map(|s| s.to_string()).collect(),
        };
        let meta = SessionMeta {
            agenda: vec![
                item(AgendaKind::Moderator, &["Mia"]),
                item(AgendaKind::OpeningRemarks, &["Olu"]),
                item(AgendaKind::LeadDiscussants, &["Ana", "Bo"]),
            ],
            participants: vec![Participant { name: "Mia".into(), role: None, organisation: None }],
            ..Default::default()
        };
        let named = Named::new(&r, Some(meta), &BTreeMap::new());
        let name = |id: &str| named.record.speakers.iter().find(|s| s.id == id).and_then(|s| s.name.clone());
        assert_eq!(name("S2").as_deref(), Some("Mia"));
        assert_eq!(named.named_by["S2"], NamedBy::Moderator(3));
        assert_eq!([name("S1"), name("S3"), name("S4")], [Some("Olu".into()), Some("Ana".into()), Some("Bo".into())]);
        assert_eq!(named.named_by["S3"], NamedBy::Agenda);
    }
}
