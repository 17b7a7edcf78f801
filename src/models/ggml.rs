//! CTranslate2 Whisper → whisper.cpp ggml.
//!
//! The ggml file is: magic, eleven `i32` hyper-parameters, the mel filterbank, the vocabulary
//! as raw bytes, then tensors (`i32` rank, name length, type; dims innermost first; name; data)
//! named as whisper.cpp's `whisper_model_load` expects. Matrices are float16 (or quantized by
//! ggml's own `ggml_quantize_chunk`); convolution weights float16; 1-D tensors, convolution
//! biases and positional embeddings float32, as in whisper.cpp's own converter and quantizer.

use std::io::{self, Write};

use half::f16;

use super::ct2::{Ct2Error, Ct2Model};
use super::mel;

pub(crate) const MAGIC: u32 = 0x6767_6d6c; // "ggml"
/// Whisper's attention heads are 64 wide in every size; used when the file lacks `num_heads`.
const HEAD_DIM: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Ct2(#[from] Ct2Error),
    #[error("not a Whisper model: spec is '{0}', expected WhisperSpec")]
    NotWhisper(String),
    #[error("variable '{name}' has shape {shape:?}, expected {expected}")]
    Shape { name: String, shape: Vec<usize>, expected: String },
    #[error("the key projection of '{0}' has a non-zero bias; this is not the CTranslate2 Whisper layout")]
    KeyBias(String),
    #[error("writing the ggml file: {0}")]
    Io(#[from] io::Error),
}

/// How the weight matrices are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Weights {
    F16,
    /// bfloat16: the size of f16, with the bf16 dot-product instructions of recent x86 CPUs
    /// (AVX-512 BF16) doing the matrix products.
    Bf16,
    /// 8-bit blocks of 32 with a float16 scale: about half the size, near-identical output.
    #[value(name = "q8_0")]
    Q8_0,
    /// 5-bit blocks with scale and minimum.
    #[value(name = "q5_1")]
    Q5_1,
}

impl Weights {
    /// ggml's tensor type id.
    fn ggml_type(self) -> whisper_rs_sys::ggml_type {
        match self {
            Weights::F16 => whisper_rs_sys::ggml_type_GGML_TYPE_F16,
            Weights::Bf16 => whisper_rs_sys::ggml_type_GGML_TYPE_BF16,
            Weights::Q8_0 => whisper_rs_sys::ggml_type_GGML_TYPE_Q8_0,
            Weights::Q5_1 => whisper_rs_sys::ggml_type_GGML_TYPE_Q5_1,
        }
    }
    /// The file-level type whisper.cpp reads from the header to pick its weight type.
    fn ftype(self) -> i32 {
        match self {
            Weights::F16 => whisper_rs_sys::ggml_ftype_GGML_FTYPE_MOSTLY_F16,
            Weights::Bf16 => whisper_rs_sys::ggml_ftype_GGML_FTYPE_MOSTLY_BF16,
            Weights::Q8_0 => whisper_rs_sys::ggml_ftype_GGML_FTYPE_MOSTLY_Q8_0,
            Weights::Q5_1 => whisper_rs_sys::ggml_ftype_GGML_FTYPE_MOSTLY_Q5_1,
        }
    }
}

/// The storage of one tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    F32,
    F16,
    Weights(Weights),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HParams {
    pub n_vocab: usize,
    pub n_audio_ctx: usize,
    pub n_audio_state: usize,
    pub n_audio_head: usize,
    pub n_audio_layer: usize,
    pub n_text_ctx: usize,
    pub n_text_state: usize,
    pub n_text_head: usize,
    pub n_text_layer: usize,
    pub n_mels: usize,
}

fn dims(m: &Ct2Model, name: &str, rank: usize) -> Result<Vec<usize>, ConvertError> {
    let shape = m.get(name)?.shape.clone();
    if shape.len() != rank {
        return Err(ConvertError::Shape { name: name.into(), shape, expected: format!("rank {rank}") });
    }
    Ok(shape)
}

fn count_layers(m: &Ct2Model, stack: &str) -> usize {
    (0..).take_while(|i| m.has(&format!("{stack}/layer_{i}/ffn/linear_0/weight"))).count()
}

fn heads(m: &Ct2Model, stack: &str, width: usize) -> Result<usize, ConvertError> {
    let name = format!("{stack}/num_heads");
    if m.has(&name) { Ok(m.scalar(&name)? as usize) } else { Ok(width / HEAD_DIM) }
}

pub fn hparams(m: &Ct2Model) -> Result<HParams, ConvertError> {
    if m.spec != "WhisperSpec" {
        return Err(ConvertError::NotWhisper(m.spec.clone()));
    }
    let enc_pos = dims(m, "encoder/position_encodings/encodings", 2)?;
    let dec_pos = dims(m, "decoder/position_encodings/encodings", 2)?;
    let emb = dims(m, "decoder/embeddings/weight", 2)?;
    let conv1 = dims(m, "encoder/conv1/weight", 3)?;
    Ok(HParams {
        n_vocab: emb[0],
        n_audio_ctx: enc_pos[0],
        n_audio_state: enc_pos[1],
        n_audio_head: heads(m, "encoder", enc_pos[1])?,
        n_audio_layer: count_layers(m, "encoder"),
        n_text_ctx: dec_pos[0],
        n_text_state: dec_pos[1],
        n_text_head: heads(m, "decoder", dec_pos[1])?,
        n_text_layer: count_layers(m, "decoder"),
        n_mels: conv1[1],
    })
}

struct Writer<W: Write> {
    out: W,
    weights: Weights,
}

impl<W: Write> Writer<W> {
    fn i32(&mut self, v: i32) -> io::Result<()> {
        self.out.write_all(&v.to_le_bytes())
    }

    /// `shape` is in PyTorch order (outermost first); ggml stores it innermost first.
    fn tensor(&mut self, name: &str, shape: &[usize], data: &[f32], store: Store) -> io::Result<()> {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len(), "{name}");
        let ggml_type = match store {
            Store::F32 => whisper_rs_sys::ggml_type_GGML_TYPE_F32,
            Store::F16 => whisper_rs_sys::ggml_type_GGML_TYPE_F16,
            Store::Weights(w) => w.ggml_type(),
        };
        self.i32(shape.len() as i32)?;
        self.i32(name.len() as i32)?;
        self.i32(ggml_type as i32)?;
        for d in shape.iter().rev() {
            self.i32(*d as i32)?;
        }
        self.out.write_all(name.as_bytes())?;
        let buf: Vec<u8> = match store {
            Store::F32 => data.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Store::F16 | Store::Weights(Weights::F16) => {
                data.iter().flat_map(|x| f16::from_f32(*x).to_le_bytes()).collect()
            }
            Store::Weights(w) => quantize(w, shape, data),
        };
        self.out.write_all(&buf)
    }
}

/// Quantizes a row-major matrix with ggml's own quantizer (rows are the innermost dimension).
fn quantize(w: Weights, shape: &[usize], data: &[f32]) -> Vec<u8> {
    let n_per_row = *shape.last().expect("a matrix") as i64;
    let rows = data.len() as i64 / n_per_row;
    // SAFETY: ggml_row_size and ggml_quantize_chunk read `rows * n_per_row` floats from `data`
    // and write at most `rows * row_size` bytes into `out`, which is sized for exactly that.
    unsafe {
        let row_size = whisper_rs_sys::ggml_row_size(w.ggml_type(), n_per_row);
        let mut out = vec![0u8; row_size * rows as usize];
        let written = whisper_rs_sys::ggml_quantize_chunk(
            w.ggml_type(),
            data.as_ptr(),
            out.as_mut_ptr().cast(),
            0,
            rows,
            n_per_row,
            std::ptr::null(),
        );
        out.truncate(written);
        out
    }
}

/// Copies a linear layer (`weight` in the model's weight type, `bias` as float32 when present).
fn linear<W: Write>(w: &mut Writer<W>, m: &Ct2Model, src: &str, dst: &str) -> Result<(), ConvertError> {
    let shape = dims(m, &format!("{src}/weight"), 2)?;
    let weights = Store::Weights(w.weights);
    w.tensor(&format!("{dst}.weight"), &shape, &m.f32s(&format!("{src}/weight"))?, weights)?;
    let bias = format!("{src}/bias");
    if m.has(&bias) {
        w.tensor(&format!("{dst}.bias"), &shape[..1], &m.f32s(&bias)?, Store::F32)?;
    }
    Ok(())
}

fn layer_norm<W: Write>(w: &mut Writer<W>, m: &Ct2Model, src: &str, dst: &str) -> Result<(), ConvertError> {
    for (from, to) in [("gamma", "weight"), ("beta", "bias")] {
        let data = m.f32s(&format!("{src}/{from}"))?;
        w.tensor(&format!("{dst}.{to}"), &[data.len()], &data, Store::F32)?;
    }
    Ok(())
}

/// Splits a fused projection (rows stacked: q|k|v or k|v) and writes each part under its
/// whisper name. Whisper's key projection has no bias; CTranslate2 pads it with zeros.
fn fused<W: Write>(w: &mut Writer<W>, m: &Ct2Model, src: &str, parts: &[&str]) -> Result<(), ConvertError> {
    let shape = dims(m, &format!("{src}/weight"), 2)?;
    let (rows, cols) = (shape[0] / parts.len(), shape[1]);
    if rows * parts.len() != shape[0] {
        return Err(ConvertError::Shape {
            name: src.into(),
            shape,
            expected: format!("rows divisible by {}", parts.len()),
        });
    }
    let weight = m.f32s(&format!("{src}/weight"))?;
    let bias = m.f32s(&format!("{src}/bias"))?;
    for (i, dst) in parts.iter().enumerate() {
        let weights = Store::Weights(w.weights);
        w.tensor(&format!("{dst}.weight"), &[rows, cols], &weight[i * rows * cols..(i + 1) * rows * cols], weights)?;
        let b = &bias[i * rows..(i + 1) * rows];
        if dst.ends_with(".key") {
            if b.iter().any(|x| x.abs() > 1e-6) {
                return Err(ConvertError::KeyBias(src.into()));
            }
        } else {
            w.tensor(&format!("{dst}.bias"), &[rows], b, Store::F32)?;
        }
    }
    Ok(())
}

fn block<W: Write>(w: &mut Writer<W>, m: &Ct2Model, src: &str, dst: &str, cross: bool) -> Result<(), ConvertError> {
    layer_norm(w, m, &format!("{src}/self_attention/layer_norm"), &format!("{dst}.attn_ln"))?;
    let attn = [format!("{dst}.attn.query"), format!("{dst}.attn.key"), format!("{dst}.attn.value")];
    fused(w, m, &format!("{src}/self_attention/linear_0"), &attn.each_ref().map(String::as_str))?;
    linear(w, m, &format!("{src}/self_attention/linear_1"), &format!("{dst}.attn.out"))?;
    if cross {
        layer_norm(w, m, &format!("{src}/attention/layer_norm"), &format!("{dst}.cross_attn_ln"))?;
        linear(w, m, &format!("{src}/attention/linear_0"), &format!("{dst}.cross_attn.query"))?;
        let kv = [format!("{dst}.cross_attn.key"), format!("{dst}.cross_attn.value")];
        fused(w, m, &format!("{src}/attention/linear_1"), &kv.each_ref().map(String::as_str))?;
        linear(w, m, &format!("{src}/attention/linear_2"), &format!("{dst}.cross_attn.out"))?;
    }
    layer_norm(w, m, &format!("{src}/ffn/layer_norm"), &format!("{dst}.mlp_ln"))?;
    linear(w, m, &format!("{src}/ffn/linear_0"), &format!("{dst}.mlp.0"))?;
    linear(w, m, &format!("{src}/ffn/linear_1"), &format!("{dst}.mlp.2"))?;
    Ok(())
}

/// Writes the whole ggml model. `tokens` are the raw bytes of the ordinary tokens.
pub fn write<W: Write>(m: &Ct2Model, tokens: &[Vec<u8>], weights: Weights, out: W) -> Result<HParams, ConvertError> {
    let hp = hparams(m)?;
    let mut w = Writer { out, weights };
    w.out.write_all(&MAGIC.to_le_bytes())?;
    for v in [
        hp.n_vocab,
        hp.n_audio_ctx,
        hp.n_audio_state,
        hp.n_audio_head,
        hp.n_audio_layer,
        hp.n_text_ctx,
        hp.n_text_state,
        hp.n_text_head,
        hp.n_text_layer,
        hp.n_mels,
    ] {
        w.i32(v as i32)?;
    }
    w.i32(weights.ftype())?;

    w.i32(hp.n_mels as i32)?;
    w.i32(mel::N_BINS as i32)?;
    for x in mel::filterbank(hp.n_mels) {
        w.out.write_all(&x.to_le_bytes())?;
    }

    w.i32(tokens.len() as i32)?;
    for t in tokens {
        w.i32(t.len() as i32)?;
        w.out.write_all(t)?;
    }

    // Encoder.
    let pos = m.f32s("encoder/position_encodings/encodings")?;
    w.tensor("encoder.positional_embedding", &[hp.n_audio_ctx, hp.n_audio_state], &pos, Store::F32)?;
    for conv in ["conv1", "conv2"] {
        let shape = dims(m, &format!("encoder/{conv}/weight"), 3)?;
        w.tensor(&format!("encoder.{conv}.weight"), &shape, &m.f32s(&format!("encoder/{conv}/weight"))?, Store::F16)?;
        // whisper.cpp keeps convolution biases as [n, 1] float32.
        w.tensor(
            &format!("encoder.{conv}.bias"),
            &[shape[0], 1],
            &m.f32s(&format!("encoder/{conv}/bias"))?,
            Store::F32,
        )?;
    }
    for i in 0..hp.n_audio_layer {
        block(&mut w, m, &format!("encoder/layer_{i}"), &format!("encoder.blocks.{i}"), false)?;
    }
    layer_norm(&mut w, m, "encoder/layer_norm", "encoder.ln_post")?;

    // Decoder.
    let pos = m.f32s("decoder/position_encodings/encodings")?;
    w.tensor("decoder.positional_embedding", &[hp.n_text_ctx, hp.n_text_state], &pos, Store::F32)?;
    let emb = m.f32s("decoder/embeddings/weight")?;
    w.tensor("decoder.token_embedding.weight", &[hp.n_vocab, hp.n_text_state], &emb, Store::Weights(weights))?;
    for i in 0..hp.n_text_layer {
        block(&mut w, m, &format!("decoder/layer_{i}"), &format!("decoder.blocks.{i}"), true)?;
    }
    layer_norm(&mut w, m, "decoder/layer_norm", "decoder.ln")?;
    w.out.flush()?;
    Ok(hp)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::ct2::tests::build;
    use super::*;

    fn f16s(n: usize, value: f32) -> Vec<u8> {
        (0..n).flat_map(|_| f16::from_f32(value).to_le_bytes()).collect()
    }

    /// A one-layer Whisper with width 64 (one head), 2 mels, context 3/2, vocabulary 5.
    fn tiny_model() -> Ct2Model {
        model(5, 3, 2)
    }

    /// A one-layer Whisper with width 64 (one head) and text context 2: with `model(51864,
    /// 1500, 80)` a file whisper.cpp would load (the checker's tests use it).
    pub(crate) fn model(vocab: u32, audio_ctx: u32, mels: u32) -> Ct2Model {
        let d = 64u32;
        let mut vars: Vec<(String, Vec<u32>, u8, Vec<u8>)> = vec![
            ("encoder/conv1/weight".into(), vec![d, mels, 3], 4, f16s((d * mels * 3) as usize, 0.5)),
            ("encoder/conv1/bias".into(), vec![d], 4, f16s(d as usize, 0.0)),
            ("encoder/conv2/weight".into(), vec![d, d, 3], 4, f16s((d * d * 3) as usize, 0.5)),
            ("encoder/conv2/bias".into(), vec![d], 4, f16s(d as usize, 0.0)),
            ("encoder/position_encodings/encodings".into(), vec![audio_ctx, d], 4, f16s((audio_ctx * d) as usize, 1.0)),
            ("decoder/position_encodings/encodings".into(), vec![2, d], 4, f16s((2 * d) as usize, 1.0)),
            ("decoder/embeddings/weight".into(), vec![vocab, d], 4, f16s((vocab * d) as usize, 1.0)),
        ];
        let mut lin = |name: String, rows: u32, cols: u32| {
            vars.push((format!("{name}/weight"), vec![rows, cols], 4, f16s((rows * cols) as usize, 0.25)));
            vars.push((format!("{name}/bias"), vec![rows], 4, f16s(rows as usize, 0.0)));
        };
        for stack in ["encoder", "decoder"] {
            let l = format!("{stack}/layer_0");
            lin(format!("{l}/self_attention/linear_0"), 3 * d, d);
            lin(format!("{l}/self_attention/linear_1"), d, d);
            lin(format!("{l}/ffn/linear_0"), 4 * d, d);
            lin(format!("{l}/ffn/linear_1"), d, 4 * d);
            if stack == "decoder" {
                lin(format!("{l}/attention/linear_0"), d, d);
                lin(format!("{l}/attention/linear_1"), 2 * d, d);
                lin(format!("{l}/attention/linear_2"), d, d);
            }
        }
        let mut norms = vec!["encoder/layer_norm".to_string(), "decoder/layer_norm".to_string()];
        for part in ["self_attention", "ffn"] {
            norms.push(format!("encoder/layer_0/{part}/layer_norm"));
            norms.push(format!("decoder/layer_0/{part}/layer_norm"));
        }
        norms.push("decoder/layer_0/attention/layer_norm".into());
        for n in norms {
            vars.push((format!("{n}/gamma"), vec![d], 4, f16s(d as usize, 1.0)));
            vars.push((format!("{n}/beta"), vec![d], 4, f16s(d as usize, 0.0)));
        }
        let refs: Vec<(&str, Vec<u32>, u8, Vec<u8>)> =
            vars.iter().map(|(n, s, t, b)| (n.as_str(), s.clone(), *t, b.clone())).collect();
        Ct2Model::parse(build(&refs, &[])).unwrap()
    }

    #[test]
    fn converts_a_small_model_with_the_expected_layout() {
        let m = tiny_model();
        let mut out = Vec::new();
        let hp = write(&m, &[b"a".to_vec(), b" b".to_vec()], Weights::F16, &mut out).unwrap();
        assert_eq!(
            hp,
            HParams {
                n_vocab: 5,
                n_audio_ctx: 3,
                n_audio_state: 64,
                n_audio_head: 1,
                n_audio_layer: 1,
                n_text_ctx: 2,
                n_text_state: 64,
                n_text_head: 1,
                n_text_layer: 1,
                n_mels: 2
            }
        );
        assert_eq!(&out[..4], &MAGIC.to_le_bytes());
        // Header (4 + 11 × 4), mel filters (8 + 2 × 201 × 4), vocabulary (4 + 5 + 6).
        let tensors_at = 48 + 8 + 2 * 201 * 4 + 4 + 5 + 6;
        let first = &out[tensors_at..];
        let rank = i32::from_le_bytes(first[0..4].try_into().unwrap());
        let name_len = i32::from_le_bytes(first[4..8].try_into().unwrap()) as usize;
        assert_eq!(rank, 2);
        assert_eq!(&first[20..20 + name_len], b"encoder.positional_embedding");
        // Key projections lose their bias, so no "attn.key.bias" appears anywhere.
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("decoder.blocks.0.cross_attn.value.bias"));
        assert!(text.contains("encoder.blocks.0.attn.key.weight"));
        assert!(!text.contains("attn.key.bias"));
    }

    /// The tiny model as the converter writes it with `weights`.
    fn written(weights: Weights) -> Vec<u8> {
        let mut out = Vec::new();
        write(&tiny_model(), &[], weights, &mut out).unwrap();
        out
    }

    #[test]
    fn q8_0_halves_the_weights_and_keeps_small_tensors_exact() {
        let (f16_out, q8_out) = (written(Weights::F16), written(Weights::Q8_0));
        // Q8_0 stores 32 weights in 34 bytes instead of 64.
        assert!(q8_out.len() < f16_out.len() * 3 / 4, "{} vs {}", q8_out.len(), f16_out.len());
        assert_eq!(i32::from_le_bytes(q8_out[44..48].try_into().unwrap()), 7, "header ftype is MOSTLY_Q8_0");
        // A row of 64 × 0.25 quantizes to scale 0.25/127 and 64 values of 127.
        let q = quantize(Weights::Q8_0, &[1, 64], &[0.25; 64]);
        assert_eq!(q.len(), 2 * 34);
        assert_eq!(f16::from_le_bytes([q[0], q[1]]).to_f32(), f16::from_f32(0.25 / 127.0).to_f32());
        assert!(q[2..34].iter().all(|b| *b as i8 == 127));
    }

    #[test]
    fn bf16_keeps_the_size_of_f16_and_rounds_halfway_to_even() {
        let (f16_out, bf16_out) = (written(Weights::F16), written(Weights::Bf16));
        assert_eq!(bf16_out.len(), f16_out.len());
        assert_eq!(i32::from_le_bytes(bf16_out[44..48].try_into().unwrap()), 24, "header ftype is MOSTLY_BF16");
        // 1 + 1/256 and 1 + 3/256 lie halfway between two bfloat16 values (7 fraction bits).
        let q = quantize(Weights::Bf16, &[1, 3], &[0.25, 1.0 + 1.0 / 256.0, 1.0 + 3.0 / 256.0]);
        assert_eq!(q, [0x80, 0x3e, 0x80, 0x3f, 0x82, 0x3f]);
    }

    #[test]
    fn non_zero_key_bias_is_refused() {
        // Rebuild with a non-zero fused bias: the middle third is the key.
        let m = tiny_model();
        let mut out = Vec::new();
        assert!(write(&m, &[], Weights::F16, &mut out).is_ok());
        let d = 64u32;
        let bad = build(
            &[
                ("x/weight", vec![3 * d, d], 4, f16s((3 * d * d) as usize, 0.1)),
                ("x/bias", vec![3 * d], 4, f16s((3 * d) as usize, 0.3)),
            ],
            &[],
        );
        let bad = Ct2Model::parse(bad).unwrap();
        let mut w = Writer { out: Vec::new(), weights: Weights::F16 };
        assert!(matches!(fused(&mut w, &bad, "x", &["q.query", "q.key", "q.value"]), Err(ConvertError::KeyBias(_))));
    }
}
