//! Checks a whisper.cpp ggml model file before whisper.cpp reads it.
//!
//! whisper.cpp trusts the file: a truncated one makes it read past the end, a damaged header
//! makes it allocate what the header claims or trip an assertion, and each of these aborts the
//! whole process (SIGSEGV, an uncaught C++ exception, GGML_ASSERT). This walk reads only the
//! headers, seeking over the data, and accepts a file only when its layout is exactly what
//! `whisper_model_load` (whisper.cpp 1.8) will read for its hyper-parameters: plausible
//! hyper-parameters, mel filters and vocabulary inside the file, then every tensor the model
//! needs, once each, with the expected shape and type, its data inside the file, and nothing
//! after the last one.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use whisper_rs_sys::ggml_type;

use super::ggml::{HParams, MAGIC};

/// whisper's 400-point FFT gives 201 frequency bins per mel frame.
const N_FFT_BINS: i32 = 201;
/// The encoder window is 30 s as 1500 positions in every Whisper model; rapporteur's own encoder
/// windows (`transcribe::whisper`) are sized against it.
const AUDIO_CTX: i32 = 1500;
/// whisper.cpp hard-codes the special tokens: 51864 is English-only, 51865 multilingual with
/// 99 languages, 51866 with 100 (large-v3). Any other count makes it index past its tables.
const VOCAB_SIZES: [i32; 3] = [51_864, 51_865, 51_866];
const MAX_LAYERS: i32 = 64;
const MAX_STATE: i32 = 8192;
const MAX_TEXT_CTX: i32 = 4096;
/// Real names are under 50 bytes ("decoder.blocks.31.cross_attn.value.weight").
const MAX_NAME: i32 = 256;
/// whisper.cpp stores `ftype + 1000 × quantization version` in the header.
const QNT_VERSION_FACTOR: i32 = 1000;

/// What a model file that passed holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub hparams: HParams,
    /// The file type (without the quantization version): 0 f32, 1 f16, 7 q8_0...
    pub ftype: i32,
    pub tensors: usize,
}

/// Checks the file at `path`; the error says what is wrong, for "model file F is damaged: …".
pub fn check_file(path: &Path) -> Result<Checked, String> {
    let file = File::open(path).map_err(|e| format!("it cannot be read ({e})"))?;
    let len = file.metadata().map_err(|e| format!("it cannot be read ({e})"))?.len();
    check(file, len)
}

/// Checks a model of `len` bytes read from `source`.
pub fn check<R: Read + Seek>(source: R, len: u64) -> Result<Checked, String> {
    let mut w = Walk { r: BufReader::new(source), pos: 0, len };
    let magic = w.bytes(4, "the ggml magic number")?;
    if magic == b"GGUF" {
        return Err("it is a GGUF file (llama.cpp's format), not a whisper.cpp ggml model".into());
    }
    if magic != MAGIC.to_le_bytes() {
        return Err("it does not start with the ggml magic number".into());
    }
    let mut header = [0i32; 11];
    for v in &mut header {
        *v = w.i32("the hyper-parameters")?;
    }
    let (hparams, wtype) = hparams(header)?;

    // Mel filters: whisper.cpp allocates n_mel × n_fft floats from these two numbers.
    let n_mel = w.i32("the mel filters")?;
    let n_fft = w.i32("the mel filters")?;
    if n_mel != hparams.n_mels as i32 || n_fft != N_FFT_BINS {
        return Err(format!("its mel filters are {n_mel} × {n_fft}, expected {} × {N_FFT_BINS}", hparams.n_mels));
    }
    w.skip(hparams.n_mels as u64 * N_FFT_BINS as u64 * 4, "the mel filters")?;

    // Vocabulary: a count, then each token as a length and its bytes.
    let n_tokens = w.i32("the vocabulary")?;
    if !(0..=hparams.n_vocab as i32).contains(&n_tokens) {
        return Err(format!("its vocabulary has {n_tokens} tokens, expected 0 to {}", hparams.n_vocab));
    }
    for _ in 0..n_tokens {
        let len = w.i32("the vocabulary")? as u32;
        w.skip(len.into(), "the vocabulary")?;
    }

    // Tensors, until the end of the file.
    let mut expected = expected_tensors(&hparams, wtype);
    let total = expected.len();
    while w.pos < w.len {
        if w.len - w.pos < 12 && expected.is_empty() {
            return Err(format!("it has {} stray bytes after its last tensor", w.len - w.pos));
        }
        let n_dims = w.i32("a tensor header")?;
        let name_len = w.i32("a tensor header")?;
        let ttype = w.i32("a tensor header")?;
        if !(1..=4).contains(&n_dims) {
            return Err(format!(
                "a tensor header at byte {} gives {n_dims} dimensions (1 to 4 are possible)",
                w.pos - 12
            ));
        }
        if !(1..=MAX_NAME).contains(&name_len) {
            return Err(format!("a tensor header at byte {} gives a name of {name_len} bytes", w.pos - 12));
        }
        let mut ne = [1u64; 4];
        for d in ne.iter_mut().take(n_dims as usize) {
            let v = w.i32("a tensor header")?;
            if v <= 0 {
                return Err(format!("a tensor header at byte {} gives a dimension of {v}", w.pos - 4));
            }
            *d = v as u64;
        }
        let name = String::from_utf8_lossy(&w.bytes(name_len as u64, "a tensor name")?).into_owned();
        let Some(want) = expected.remove(&name) else {
            let why = if known_name(&name, &hparams) { "there twice" } else { "not one whisper.cpp knows" };
            return Err(format!("tensor {name:?} is {why}"));
        };
        if ne != want.ne {
            return Err(format!(
                "tensor {name:?} has shape {:?}, but its hyper-parameters need {:?}",
                shape(ne),
                shape(want.ne)
            ));
        }
        let ttype = ttype as ggml_type;
        if ttype != want.ty {
            return Err(format!(
                "tensor {name:?} is stored as {}, but whisper.cpp reads it as {} in a model of this ftype",
                type_name(ttype),
                type_name(want.ty)
            ));
        }
        let size = nbytes(want.ty, want.ne).ok_or_else(|| {
            format!(
                "tensor {name:?} has rows of {} values, not a whole number of {} blocks",
                want.ne[0],
                type_name(want.ty)
            )
        })?;
        if w.len - w.pos < size {
            return Err(format!(
                "tensor {name:?} needs {size} bytes of data, but the file ends {} bytes after its header: it is truncated",
                w.len - w.pos
            ));
        }
        w.skip(size, "tensor data")?;
    }
    if let Some(missing) = expected.keys().min() {
        return Err(format!(
            "{} of the {total} tensors a model with these hyper-parameters has are missing (first {missing:?}): it is truncated or its header is wrong",
            expected.len()
        ));
    }
    let ftype = header[10] % QNT_VERSION_FACTOR;
    Ok(Checked { hparams, ftype, tensors: total })
}

/// Reads a model's headers with the position known, so no read or skip passes the end.
struct Walk<R: Read + Seek> {
    r: BufReader<R>,
    pos: u64,
    len: u64,
}

impl<R: Read + Seek> Walk<R> {
    fn need(&self, n: u64, what: &str) -> Result<(), String> {
        if self.len.saturating_sub(self.pos) < n {
            return Err(format!("it ends inside {what} (it is {} bytes long): it is truncated", self.len));
        }
        Ok(())
    }

    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>, String> {
        self.need(n, what)?;
        let mut buf = vec![0u8; n as usize];
        self.r.read_exact(&mut buf).map_err(|e| format!("reading it failed ({e})"))?;
        self.pos += n;
        Ok(buf)
    }

    fn i32(&mut self, what: &str) -> Result<i32, String> {
        let b = self.bytes(4, what)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), String> {
        self.need(n, what)?;
        let n = i64::try_from(n).map_err(|_| format!("it ends inside {what}"))?;
        self.r.seek_relative(n).map_err(|e| format!("reading it failed ({e})"))?;
        self.pos += n as u64;
        Ok(())
    }
}

/// The eleven header numbers, checked: each must be one a Whisper model can have, else
/// whisper.cpp would allocate or index by it.
fn hparams(h: [i32; 11]) -> Result<(HParams, ggml_type), String> {
    let [
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_head,
        n_audio_layer,
        n_text_ctx,
        n_text_state,
        n_text_head,
        n_text_layer,
        n_mels,
        ftype,
    ] = h;
    let bad = |field: &str, value: i32, want: &str| Err(format!("its header gives {field} = {value}; {want}"));
    if !VOCAB_SIZES.contains(&n_vocab) {
        return bad("n_vocab", n_vocab, "Whisper models have 51864, 51865 or 51866 tokens");
    }
    if n_audio_ctx != AUDIO_CTX {
        return bad("n_audio_ctx", n_audio_ctx, "Whisper models have 1500");
    }
    for (field, v) in [("n_audio_state", n_audio_state), ("n_text_state", n_text_state)] {
        if !(1..=MAX_STATE).contains(&v) {
            return bad(field, v, "expected 1 to 8192");
        }
    }
    if n_text_state != n_audio_state {
        return Err(format!(
            "its header gives n_audio_state = {n_audio_state} and n_text_state = {n_text_state}; Whisper models have one width"
        ));
    }
    for (field, v, state) in [("n_audio_head", n_audio_head, n_audio_state), ("n_text_head", n_text_head, n_text_state)]
    {
        if v < 1 || state % v != 0 {
            return bad(field, v, &format!("expected a divisor of the width {state}"));
        }
    }
    for (field, v) in [("n_audio_layer", n_audio_layer), ("n_text_layer", n_text_layer)] {
        if !(1..=MAX_LAYERS).contains(&v) {
            return bad(field, v, "expected 1 to 64");
        }
    }
    if !(1..=MAX_TEXT_CTX).contains(&n_text_ctx) {
        return bad("n_text_ctx", n_text_ctx, "expected 1 to 4096");
    }
    if n_mels != 80 && n_mels != 128 {
        return bad("n_mels", n_mels, "Whisper models have 80 or 128");
    }
    let wtype = (ftype >= 0).then(|| weight_type(ftype % QNT_VERSION_FACTOR)).flatten();
    let Some(wtype) = wtype else {
        return bad(
            "ftype",
            ftype,
            "not a weight type whisper.cpp reads (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k to q6_k)",
        );
    };
    let u = |v: i32| v as usize;
    let hp = HParams {
        n_vocab: u(n_vocab),
        n_audio_ctx: u(n_audio_ctx),
        n_audio_state: u(n_audio_state),
        n_audio_head: u(n_audio_head),
        n_audio_layer: u(n_audio_layer),
        n_text_ctx: u(n_text_ctx),
        n_text_state: u(n_text_state),
        n_text_head: u(n_text_head),
        n_text_layer: u(n_text_layer),
        n_mels: u(n_mels),
    };
    Ok((hp, wtype))
}

/// The matrix type for a file type: ggml's `ggml_ftype_to_ggml_type`, which asserts (aborts)
/// on any other value, limited to the types whisper.cpp's converter and quantizer write and
/// the bf16 that rapporteur's converter does.
fn weight_type(ftype: i32) -> Option<ggml_type> {
    use whisper_rs_sys::*;
    let t = match ftype {
        x if x == ggml_ftype_GGML_FTYPE_ALL_F32 => ggml_type_GGML_TYPE_F32,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_F16 => ggml_type_GGML_TYPE_F16,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_BF16 => ggml_type_GGML_TYPE_BF16,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q4_0 => ggml_type_GGML_TYPE_Q4_0,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q4_1 => ggml_type_GGML_TYPE_Q4_1,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q5_0 => ggml_type_GGML_TYPE_Q5_0,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q5_1 => ggml_type_GGML_TYPE_Q5_1,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q8_0 => ggml_type_GGML_TYPE_Q8_0,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q2_K => ggml_type_GGML_TYPE_Q2_K,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q3_K => ggml_type_GGML_TYPE_Q3_K,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q4_K => ggml_type_GGML_TYPE_Q4_K,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q5_K => ggml_type_GGML_TYPE_Q5_K,
        x if x == ggml_ftype_GGML_FTYPE_MOSTLY_Q6_K => ggml_type_GGML_TYPE_Q6_K,
        _ => return None,
    };
    Some(t)
}

/// One tensor whisper.cpp creates: its dimensions (innermost first) and storage type.
struct Want {
    ne: [u64; 4],
    ty: ggml_type,
}

/// Every tensor `whisper_model_load` creates for these hyper-parameters, by name. Its loader
/// reads exactly these, and the data size of each follows from its shape and type.
fn expected_tensors(hp: &HParams, wtype: ggml_type) -> HashMap<String, Want> {
    use whisper_rs_sys::{ggml_type_GGML_TYPE_F16 as F16, ggml_type_GGML_TYPE_F32 as F32};
    // Convolution weights are f16 unless the whole model is f32.
    let vtype = if wtype == F32 { F32 } else { F16 };
    let (s, ts) = (hp.n_audio_state as u64, hp.n_text_state as u64);
    let mut out = HashMap::new();
    let mut add = |name: String, dims: &[u64], ty: ggml_type| {
        let mut ne = [1u64; 4];
        ne[..dims.len()].copy_from_slice(dims);
        out.insert(name, Want { ne, ty });
    };
    add("encoder.positional_embedding".into(), &[s, hp.n_audio_ctx as u64], F32);
    add("encoder.conv1.weight".into(), &[3, hp.n_mels as u64, s], vtype);
    add("encoder.conv1.bias".into(), &[1, s], F32);
    add("encoder.conv2.weight".into(), &[3, s, s], vtype);
    add("encoder.conv2.bias".into(), &[1, s], F32);
    add("encoder.ln_post.weight".into(), &[s], F32);
    add("encoder.ln_post.bias".into(), &[s], F32);
    // The parts of one residual block (self-attention and MLP), as whisper.cpp names them.
    let block = |add: &mut dyn FnMut(String, &[u64], ggml_type), p: &str, s: u64, cross: bool| {
        let mut attn = |part: &str| {
            add(format!("{p}.{part}_ln.weight"), &[s], F32);
            add(format!("{p}.{part}_ln.bias"), &[s], F32);
            add(format!("{p}.{part}.query.weight"), &[s, s], wtype);
            add(format!("{p}.{part}.query.bias"), &[s], F32);
            add(format!("{p}.{part}.key.weight"), &[s, s], wtype);
            add(format!("{p}.{part}.value.weight"), &[s, s], wtype);
            add(format!("{p}.{part}.value.bias"), &[s], F32);
            add(format!("{p}.{part}.out.weight"), &[s, s], wtype);
            add(format!("{p}.{part}.out.bias"), &[s], F32);
        };
        attn("attn");
        if cross {
            attn("cross_attn");
        }
        add(format!("{p}.mlp_ln.weight"), &[s], F32);
        add(format!("{p}.mlp_ln.bias"), &[s], F32);
        add(format!("{p}.mlp.0.weight"), &[s, 4 * s], wtype);
        add(format!("{p}.mlp.0.bias"), &[4 * s], F32);
        add(format!("{p}.mlp.2.weight"), &[4 * s, s], wtype);
        add(format!("{p}.mlp.2.bias"), &[s], F32);
    };
    for i in 0..hp.n_audio_layer {
        block(&mut add, &format!("encoder.blocks.{i}"), s, false);
    }
    add("decoder.positional_embedding".into(), &[ts, hp.n_text_ctx as u64], F32);
    add("decoder.token_embedding.weight".into(), &[ts, hp.n_vocab as u64], wtype);
    add("decoder.ln.weight".into(), &[ts], F32);
    add("decoder.ln.bias".into(), &[ts], F32);
    for i in 0..hp.n_text_layer {
        block(&mut add, &format!("decoder.blocks.{i}"), ts, true);
    }
    out
}

/// Whether whisper.cpp would create a tensor of this name for these hyper-parameters (to tell
/// a repeated tensor from a foreign one).
fn known_name(name: &str, hp: &HParams) -> bool {
    expected_tensors(hp, whisper_rs_sys::ggml_type_GGML_TYPE_F32).contains_key(name)
}

/// Bytes of a tensor of type `ty` and dimensions `ne`, as ggml computes them; `None` when a
/// row is not a whole number of the type's blocks.
fn nbytes(ty: ggml_type, ne: [u64; 4]) -> Option<u64> {
    // SAFETY: both read ggml's constant type table; `ty` is one of the types listed in this
    // module (all below GGML_TYPE_COUNT), never a value from the file.
    let (size, block) =
        unsafe { (whisper_rs_sys::ggml_type_size(ty) as u64, whisper_rs_sys::ggml_blck_size(ty) as u64) };
    if block == 0 || !ne[0].is_multiple_of(block) {
        return None;
    }
    Some(ne[0] / block * size * ne[1] * ne[2] * ne[3])
}

fn type_name(ty: ggml_type) -> String {
    use whisper_rs_sys::*;
    let names = [
        (ggml_type_GGML_TYPE_F32, "f32"),
        (ggml_type_GGML_TYPE_F16, "f16"),
        (ggml_type_GGML_TYPE_BF16, "bf16"),
        (ggml_type_GGML_TYPE_Q4_0, "q4_0"),
        (ggml_type_GGML_TYPE_Q4_1, "q4_1"),
        (ggml_type_GGML_TYPE_Q5_0, "q5_0"),
        (ggml_type_GGML_TYPE_Q5_1, "q5_1"),
        (ggml_type_GGML_TYPE_Q8_0, "q8_0"),
        (ggml_type_GGML_TYPE_Q2_K, "q2_k"),
        (ggml_type_GGML_TYPE_Q3_K, "q3_k"),
        (ggml_type_GGML_TYPE_Q4_K, "q4_k"),
        (ggml_type_GGML_TYPE_Q5_K, "q5_k"),
        (ggml_type_GGML_TYPE_Q6_K, "q6_k"),
    ];
    names.iter().find(|(t, _)| *t == ty).map_or_else(|| format!("type {}", ty as i32), |(_, n)| n.to_string())
}

fn shape(ne: [u64; 4]) -> Vec<u64> {
    let rank = ne.iter().rposition(|d| *d != 1).map_or(1, |i| i + 1);
    ne[..rank].to_vec()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::sync::OnceLock;

    use super::super::ggml::{self, Weights};
    use super::*;

    const TOKENS: [&[u8]; 2] = [b"a", b" b"];
    /// Where the first tensor starts: header, 80 × 201 mel filters, the two tokens.
    const TENSORS_AT: usize = 48 + 8 + 80 * 201 * 4 + 4 + (4 + 1) + (4 + 2);
    const FIELDS: [&str; 11] = [
        "n_vocab",
        "n_audio_ctx",
        "n_audio_state",
        "n_audio_head",
        "n_audio_layer",
        "n_text_ctx",
        "n_text_state",
        "n_text_head",
        "n_text_layer",
        "n_mels",
        "ftype",
    ];

    /// A one-layer model that whisper.cpp would load, written by the converter.
    fn file(weights: Weights) -> &'static [u8] {
        static F16: OnceLock<Vec<u8>> = OnceLock::new();
        static BF16: OnceLock<Vec<u8>> = OnceLock::new();
        static Q8: OnceLock<Vec<u8>> = OnceLock::new();
        let cell = match weights {
            Weights::F16 => &F16,
            Weights::Bf16 => &BF16,
            _ => &Q8,
        };
        cell.get_or_init(|| {
            let mut out = Vec::new();
            let tokens: Vec<Vec<u8>> = TOKENS.iter().map(|t| t.to_vec()).collect();
            ggml::write(&ggml::tests::model(51_864, 1500, 80), &tokens, weights, &mut out).unwrap();
            out
        })
    }

    fn run(bytes: &[u8]) -> Result<Checked, String> {
        check(Cursor::new(bytes), bytes.len() as u64)
    }

    fn with_i32(bytes: &[u8], at: usize, v: i32) -> Vec<u8> {
        let mut b = bytes.to_vec();
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        b
    }

    #[test]
    fn accepts_what_the_converter_writes() {
        for (weights, ftype) in [(Weights::F16, 1), (Weights::Bf16, 24), (Weights::Q8_0, 7)] {
            let c = run(file(weights)).unwrap();
            assert_eq!(c.ftype, ftype);
            assert_eq!(c.tensors, 11 + 15 + 24, "one encoder and one decoder layer");
            assert_eq!(
                (c.hparams.n_vocab, c.hparams.n_audio_state, c.hparams.n_text_layer, c.hparams.n_mels),
                (51_864, 64, 1, 80)
            );
        }
    }

    #[test]
    fn every_truncation_is_refused_as_truncated() {
        let bytes = file(Weights::F16);
        let cuts =
            (0..2_000).chain((2_000..bytes.len()).step_by(997)).chain([TENSORS_AT, TENSORS_AT + 13, bytes.len() - 1]);
        for n in cuts {
            let e = run(&bytes[..n]).expect_err(&format!("cut at {n}"));
            assert!(e.contains("truncated"), "cut at {n}: {e}");
        }
    }

    #[test]
    fn impossible_hyper_parameters_are_refused_by_name() {
        let bytes = file(Weights::F16);
        for (i, field) in FIELDS.iter().enumerate() {
            for v in [0, -1, -7, 1_000_000, 1 << 30, i32::MAX, i32::MIN] {
                let e = run(&with_i32(bytes, 4 + 4 * i, v)).expect_err(&format!("{field} = {v}"));
                // An ftype of 1000 × version + a known type passes the header; the tensors' types then differ.
                if !(i == 10 && v >= 0) {
                    assert!(e.contains(&format!("{field} = {v}")), "{field} = {v}: {e}");
                }
            }
        }
        // Plausible values that do not match the tensors: the layout gives them away.
        for (i, v) in [(8, 2), (4, 4), (2, 128), (6, 128), (9, 128), (10, 0)] {
            assert!(run(&with_i32(bytes, 4 + 4 * i, v)).is_err(), "{} = {v}", FIELDS[i]);
        }
    }

    #[test]
    fn damaged_tensor_headers_are_refused() {
        let bytes = file(Weights::F16);
        let t = TENSORS_AT;
        let cases = [
            (with_i32(bytes, t, 0), "0 dimensions"),
            (with_i32(bytes, t, 5), "5 dimensions"),
            (with_i32(bytes, t, -1), "-1 dimensions"),
            (with_i32(bytes, t + 4, 0), "a name of 0 bytes"),
            (with_i32(bytes, t + 4, 1 << 30), "a name of 1073741824 bytes"),
            (with_i32(bytes, t + 8, 99), "stored as type 99"),
            (with_i32(bytes, t + 8, 1), "stored as f16, but whisper.cpp reads it as f32"),
            (with_i32(bytes, t + 12, -64), "a dimension of -64"),
            (with_i32(bytes, t + 12, 65), "has shape [65, 1500]"),
        ];
        for (b, words) in cases {
            let e = run(&b).unwrap_err();
            assert!(e.contains(words), "{words}: {e}");
        }
        let mut renamed = bytes.to_vec();
        renamed[t + 20] = b'E';
        assert!(run(&renamed).unwrap_err().contains("\"Encoder.positional_embedding\" is not one whisper.cpp knows"));
        // The last tensor again, and a few stray bytes: neither is what whisper.cpp reads.
        let last = "decoder.ln.bias";
        let at = bytes.windows(last.len()).rposition(|w| w == last.as_bytes()).unwrap() - 16;
        let twice = [bytes, &bytes[at..]].concat();
        assert!(run(&twice).unwrap_err().contains("there twice"), "{:?}", run(&twice));
        assert!(run(&[bytes, &[0u8; 5]].concat()).unwrap_err().contains("5 stray bytes"));
        assert!(run(&[bytes, &[0u8; 40]].concat()).is_err());
    }

    #[test]
    fn other_files_are_named() {
        assert!(run(b"GGUF\x03\0\0\0 and more").unwrap_err().contains("GGUF"));
        assert!(run(b"RIFF....WAVEfmt ").unwrap_err().contains("magic"));
    }

    #[test]
    fn random_damage_never_panics() {
        let bytes = file(Weights::Q8_0);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300 {
            let mut b = bytes.to_vec();
            for _ in 0..1 + next() % 4 {
                // Mostly the header and tensor headers, where a change alters the layout.
                let at = if next() % 2 == 0 { (next() % 64) as usize } else { (next() as usize) % b.len() };
                b[at] ^= 1 << (next() % 8);
            }
            let _ = run(&b);
        }
    }
}
