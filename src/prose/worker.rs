//! The language model's process (`src/bin/rapporteur-llm.rs`): started once per set of
//! minutes, fed one request per line, read one reply per line. A separate process because
//! llama.cpp's ggml and whisper.cpp's cannot share one binary.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The window asked of the model: Qwen2.5 is trained on 32,768 tokens, but a prompt of one
/// facet's points fits in far less, and the cache of a larger window costs memory (28 layers
/// × 512 values × 2 × 2 bytes per token: 115 MB at 4,096). `RAPPORTEUR_LLM_CONTEXT` changes
/// it (`context()`); the model's process never goes beyond what the model was trained on.
pub const CONTEXT: u32 = 4096;

/// `RAPPORTEUR_LLM_CONTEXT`, else `CONTEXT`.
pub fn context() -> u32 {
    std::env::var("RAPPORTEUR_LLM_CONTEXT").ok().and_then(|v| v.parse().ok()).unwrap_or(CONTEXT)
}

pub use super::protocol::Message;
use super::protocol::{Reply, Request};

impl Message {
    pub fn system(content: impl Into<String>) -> Message {
        Message { role: "system".into(), content: content.into() }
    }
    pub fn user(content: impl Into<String>) -> Message {
        Message { role: "user".into(), content: content.into() }
    }
    pub fn assistant(content: impl Into<String>) -> Message {
        Message { role: "assistant".into(), content: content.into() }
    }
}

/// What the model said, or that the prompt does not fit the window.
#[derive(Debug, PartialEq)]
pub enum Answer {
    Text { text: String, generated: usize },
    TooLong { prompt_tokens: usize },
}

pub struct Llm {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    /// The window the model runs with (tokens of prompt and answer together).
    pub n_ctx: u32,
    pub n_ctx_train: u32,
    /// Tokens generated so far.
    pub generated: usize,
}

/// `rapporteur-llm` beside this program (`cargo install` and `target/release` put it there;
/// test programs run from `target/release/deps`), or `$RAPPORTEUR_LLM_BIN`.
pub fn program() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RAPPORTEUR_LLM_BIN") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [Some(dir), dir.parent()].into_iter().flatten().map(|d| d.join("rapporteur-llm")).find(|p| p.is_file())
}

impl Llm {
    /// Starts the model's process on `model` with a window of `ctx` tokens and waits until
    /// the model is loaded.
    pub fn start(model: &Path, ctx: u32) -> Result<Llm, String> {
        let program = program().ok_or(
            "the program rapporteur-llm is not beside rapporteur; build or install both (`cargo install --path .`)",
        )?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut child = Command::new(&program)
            .arg(model)
            .args(["--ctx", &ctx.to_string(), "--threads", &threads.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let input = child.stdin.take().expect("piped");
        let output = BufReader::new(child.stdout.take().expect("piped"));
        let mut llm = Llm { child, input, output, n_ctx: 0, n_ctx_train: 0, generated: 0 };
        match llm.read()? {
            Reply::Ready { n_ctx, n_ctx_train } => {
                llm.n_ctx = n_ctx;
                llm.n_ctx_train = n_ctx_train;
                Ok(llm)
            }
            other => Err(format!("rapporteur-llm did not start: {other:?}")),
        }
    }

    fn read(&mut self) -> Result<Reply, String> {
        let mut line = String::new();
        let n = self.output.read_line(&mut line).map_err(|e| format!("rapporteur-llm: {e}"))?;
        if n == 0 {
            let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
            return Err(format!("rapporteur-llm stopped ({status})"));
        }
        serde_json::from_str(&line).map_err(|e| format!("rapporteur-llm said {line:?}: {e}"))
    }

    fn ask(&mut self, messages: &[Message], prefix: &str, max_tokens: usize) -> Result<Reply, String> {
        let request = Request { messages: messages.to_vec(), max_tokens: max_tokens as u32, prefix: prefix.into() };
        let request = serde_json::to_string(&request).expect("a request serialises");
        writeln!(self.input, "{request}")
            .and_then(|()| self.input.flush())
            .map_err(|e| format!("rapporteur-llm: {e}"))?;
        match self.read()? {
            Reply::Error { error } => Err(format!("rapporteur-llm: {error}")),
            reply => Ok(reply),
        }
    }

    /// The model's greedy answer of at most `max_tokens` tokens, after `prefix` (the answer's
    /// start, given: the text returned begins with it).
    pub fn generate(&mut self, messages: &[Message], prefix: &str, max_tokens: usize) -> Result<Answer, String> {
        match self.ask(messages, prefix, max_tokens.max(1))? {
            Reply::Text { text, generated, .. } => {
                self.generated += generated;
                Ok(Answer::Text { text: format!("{prefix}{text}"), generated })
            }
            Reply::TooLong { too_long } => Ok(Answer::TooLong { prompt_tokens: too_long }),
            other => Err(format!("rapporteur-llm answered {other:?}")),
        }
    }

    /// How many tokens `messages` take, chat template included.
    pub fn count(&mut self, messages: &[Message]) -> Result<usize, String> {
        match self.ask(messages, "", 0)? {
            Reply::Text { prompt_tokens, .. } => Ok(prompt_tokens),
            other => Err(format!("rapporteur-llm answered {other:?}")),
        }
    }
}

impl Drop for Llm {
    fn drop(&mut self) {
        // Closing its input ends it; a process stuck in a long answer is stopped.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
