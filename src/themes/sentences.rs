//! Sentence embeddings: all-MiniLM-L6-v2 (a 6-layer BERT, 384 dimensions) run with candle on
//! the CPU, mean-pooled over each sentence's own tokens and scaled to unit length, as
//! sentence-transformers does, so that the cosine of two embeddings is their dot product.
//!
//! The packaged tokenizer pads every input to 128 tokens; padding is turned off here and each
//! batch is padded to its longest sentence with an attention mask that pooling honours, so a
//! sentence's embedding does not depend on the padding or on the batch it is in.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, HiddenAct, PositionEmbeddingType};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Dimensions of an embedding.
pub const DIM: usize = 384;
/// Tokens kept of a long text (the model was trained on up to 256).
const MAX_TOKENS: usize = 256;
/// Sentences encoded at once.
const BATCH: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SentenceError {
    #[error(
        "cannot load the sentence model {path}: {detail}; reinstall it with `rapporteur models install minilm minilm-tokenizer`"
    )]
    Load { path: String, detail: String },
    #[error("sentence embedding failed: {0}")]
    Encode(String),
}

pub struct SentenceEncoder {
    model: BertModel,
    tokenizer: Tokenizer,
}

/// all-MiniLM-L6-v2's shape (its config.json).
fn config() -> Config {
    Config {
        vocab_size: 30522,
        hidden_size: DIM,
        num_hidden_layers: 6,
        num_attention_heads: 12,
        intermediate_size: 1536,
        hidden_act: HiddenAct::Gelu,
        hidden_dropout_prob: 0.0,
        max_position_embeddings: 512,
        type_vocab_size: 2,
        initializer_range: 0.02,
        layer_norm_eps: 1e-12,
        pad_token_id: 0,
        position_embedding_type: PositionEmbeddingType::Absolute,
        use_cache: false,
        classifier_dropout: None,
        model_type: Some("bert".into()),
    }
}

impl SentenceEncoder {
    pub fn load(model: &Path, tokenizer: &Path) -> Result<SentenceEncoder, SentenceError> {
        let fail = |path: &Path, detail: String| SentenceError::Load { path: path.display().to_string(), detail };
        let mut tok = Tokenizer::from_file(tokenizer).map_err(|e| fail(tokenizer, e.to_string()))?;
        tok.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, ..Default::default() }));
        tok.with_truncation(Some(TruncationParams { max_length: MAX_TOKENS, ..Default::default() }))
            .map_err(|e| fail(tokenizer, e.to_string()))?;
        // SAFETY: the file is mapped read-only; the store checked its size and SHA-256, and
        // nothing in rapporteur writes it while it is mapped.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[model], DType::F32, &Device::Cpu) }
            .map_err(|e| fail(model, e.to_string()))?;
        let bert = BertModel::load(vb, &config()).map_err(|e| fail(model, e.to_string()))?;
        Ok(SentenceEncoder { model: bert, tokenizer: tok })
    }

    /// One unit-length embedding per text, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SentenceError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            out.extend(self.embed_batch(batch).map_err(|e| SentenceError::Encode(e.to_string()))?);
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[&str]) -> anyhow::Result<Vec<Vec<f32>>> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(anyhow::Error::msg)?;
        let rows = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> anyhow::Result<Tensor> {
            let rows: Vec<Tensor> =
                encodings.iter().map(|e| Tensor::new(f(e), &Device::Cpu)).collect::<Result<_, _>>()?;
            Ok(Tensor::stack(&rows, 0)?)
        };
        let ids = rows(&|e| e.get_ids())?;
        let types = rows(&|e| e.get_type_ids())?;
        let mask = rows(&|e| e.get_attention_mask())?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?; // (batch, tokens, DIM)
        // Mean over each sentence's own tokens, then unit length.
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
        let mean = summed.broadcast_div(&counts)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        Ok(mean.broadcast_div(&norm)?.to_vec2::<f32>()?)
    }
}

/// The cosine of two unit-length embeddings.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
