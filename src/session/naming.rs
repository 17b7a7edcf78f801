//! Who each voice is, for the documents. In order of precedence: the rapporteur's
//! `speakers.toml`, then an enrolled voice recognised by `run` (in session.json), then what
//! was said (the floor given by name, thanks, introductions: see `cues`), then the agenda in
//! `session.toml` (see `agenda`). Unnamed voices stay `Speaker N`.

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
        let mut from_agenda = meta.as_ref().map(|m| agenda::names(m, record)).unwrap_or_default();
        // A name given to another voice by a stronger source is not this one's.
        let elsewhere = |stronger: &[&BTreeMap<String, String>], id: &String, name: &String| {
            stronger.iter().any(|m| m.iter().any(|(other, n)| other != id && n == name))
        };
        by_voice.retain(|id, name| !elsewhere(&[given], id, name));
        said.retain(|id, name| !elsewhere(&[given, &by_voice], id, name));
        from_agenda.retain(|id, name| !elsewhere(&[given, &by_voice, &said], id, name));
        for (id, name) in &from_agenda {
            names.insert(id.clone(), name.clone());
            named_by.insert(id.clone(), NamedBy::Agenda);
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
