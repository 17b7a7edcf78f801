//! The lines `rapporteur` and `rapporteur-llm` exchange (JSON, one per line). Both programs
//! include this file: the model's program must not link the library (its ggml would meet
//! whisper.cpp's).

use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub messages: Vec<Message>,
    /// 0: only count the prompt's tokens.
    pub max_tokens: u32,
    /// The answer's start, given rather than generated.
    #[serde(default)]
    pub prefix: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reply {
    Ready { n_ctx: u32, n_ctx_train: u32 },
    Text { text: String, prompt_tokens: usize, generated: usize },
    TooLong { too_long: usize },
    Error { error: String },
}
