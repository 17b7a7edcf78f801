//! CTranslate2 Whisper (model bytes + vocabulary text) → a ggml file on disk.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::ModelError;
use super::ct2::Ct2Model;
use super::ggml::{self, HParams, Weights};
use super::vocab;

/// Converts and writes to `out` (the caller renames it into place once verified).
pub fn ct2_to_ggml(
    source_name: &str,
    model_bin: Vec<u8>,
    vocabulary: &str,
    vocabulary_is_json: bool,
    weights: Weights,
    out: &Path,
) -> Result<HParams, ModelError> {
    let convert_err = |error: ggml::ConvertError| ModelError::Convert { source_name: source_name.to_string(), error };
    let model = Ct2Model::parse(model_bin).map_err(|e| convert_err(e.into()))?;
    let bad_vocab =
        |e: vocab::VocabError| ModelError::BadFile { path: source_name.into(), detail: format!("vocabulary: {e}") };
    let tokens = vocab::parse_tokens(vocabulary, vocabulary_is_json).map_err(bad_vocab)?;
    let tokens = vocab::ordinary_token_bytes(&tokens).map_err(bad_vocab)?;
    let file = File::create(out).map_err(ModelError::io(out))?;
    let hp = ggml::write(&model, &tokens, weights, BufWriter::new(file)).map_err(convert_err)?;
    Ok(hp)
}

/// `rapporteur models import-ct2 DIR --out FILE`: a CTranslate2 folder with `model.bin` and
/// `vocabulary.txt` or `vocabulary.json`.
pub fn import_dir(dir: &Path, out: &Path, weights: Weights) -> Result<HParams, ModelError> {
    let model_path = dir.join("model.bin");
    let model_bin = std::fs::read(&model_path).map_err(ModelError::io(&model_path))?;
    let (vocab_path, json) = match dir.join("vocabulary.json") {
        p if p.exists() => (p, true),
        _ => (dir.join("vocabulary.txt"), false),
    };
    let vocabulary = std::fs::read_to_string(&vocab_path).map_err(ModelError::io(&vocab_path))?;
    let tmp = crate::fsutil::temp_beside(out).map_err(ModelError::io(out))?;
    let hp = ct2_to_ggml(&model_path.display().to_string(), model_bin, &vocabulary, json, weights, tmp.path())?;
    crate::fsutil::persist(tmp, out).map_err(ModelError::io(out))?;
    Ok(hp)
}
