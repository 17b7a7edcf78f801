//! Who each voice is, for the documents. In order of precedence: the rapporteur's
//! `speakers.toml`, then an enrolled voice recognised by `run` (in session.json), then the
//! agenda in `session.toml` (see `agenda`). Unnamed voices stay `Speaker N`.

use std::collections::BTreeMap;
use std::path::Path;

use super::metadata::{self, SessionMeta};
use super::record::SessionRecord;
use super::{agenda, speakers};

/// The record with its speakers named, the session.toml it was named from, and what named each.
#[derive(Debug, Clone)]
pub struct Named {
    pub record: SessionRecord,
    pub meta: Option<SessionMeta>,
    /// Speaker id → `speakers.toml`, `voice` or `agenda`.
    pub named_by: BTreeMap<String, &'static str>,
}

impl Named {
    /// Names from the folder's files; either file being wrong is an error naming file and line.
    pub fn load(dir: &Path, record: &SessionRecord) -> Result<Named, String> {
        let meta = metadata::load(dir).map_err(|e| e.to_string())?;
        let given = speakers::load(dir, record).map_err(|e| e.to_string())?;
        Ok(Named::new(record, meta, &given))
    }

    pub fn new(record: &SessionRecord, meta: Option<SessionMeta>, given: &BTreeMap<String, String>) -> Named {
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut named_by = BTreeMap::new();
        let mut by_voice: BTreeMap<String, String> =
            record.speakers.iter().filter_map(|s| s.voice.as_ref().map(|v| (s.id.clone(), v.name.clone()))).collect();
        let mut from_agenda = meta.as_ref().map(|m| agenda::names(m, record)).unwrap_or_default();
        // A name given to another voice by a stronger source is not this one's.
        by_voice.retain(|id, name| !given.iter().any(|(other, n)| other != id && n == name));
        from_agenda
            .retain(|id, name| ![given, &by_voice].iter().any(|m| m.iter().any(|(other, n)| other != id && n == name)));
        for (source, found) in [("agenda", &from_agenda), ("voice", &by_voice), ("speakers.toml", given)] {
            for (id, name) in found {
                names.insert(id.clone(), name.clone());
                named_by.insert(id.clone(), source);
            }
        }
        Named { record: speakers::apply(record, &names), meta, named_by }
    }
}
