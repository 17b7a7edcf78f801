//! The minutes' language model, in a process of its own: llama.cpp (`llama-cpp-2`) links a
//! newer ggml than whisper.cpp's, and two ggml builds in one binary clash (the same C symbols,
//! different layouts). `rapporteur` starts this program when the minutes are written and talks
//! to it in JSON lines (`src/prose/worker.rs` is the other side):
//!
//! `rapporteur-llm MODEL.gguf --ctx N --threads T` prints `{"n_ctx":N,"n_ctx_train":M}` once
//! the model is loaded, then answers each request line `{"messages":[{"role","content"}…],
//! "max_tokens":K}` with `{"text":…,"prompt_tokens":P,"generated":G}`, or, when the prompt
//! and K tokens would not fit the window, `{"too_long":P}`: a prompt is never cut. With
//! `"max_tokens":0` it only counts the prompt's tokens. An optional `"prefix"` is the start of
//! the answer, given rather than generated (the reply's text follows it).
//!
//! Decoding is greedy. The tokens of the previous request that a new one starts with (the
//! instructions and examples) are not evaluated again. (Proposing the prompt's own tokens as a
//! draft, since reported speech copies most of a remark, was measured: 4% faster on 2 cores,
//! where checking a draft costs as much as evaluating a prompt; not kept.)

use std::io::{BufRead, Write};
use std::num::NonZeroU32;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaChatTemplate, LlamaModel};
use llama_cpp_2::token::LlamaToken;

#[path = "../prose/protocol.rs"]
mod protocol;
use protocol::{Reply, Request};

/// Tokens evaluated per call of llama_decode.
const BATCH: usize = 512;

struct Args {
    model: String,
    ctx: u32,
    threads: i32,
}

fn args() -> Result<Args, String> {
    let usage = "usage: rapporteur-llm MODEL.gguf [--ctx N] [--threads T]";
    let mut it = std::env::args().skip(1);
    let mut a = Args { model: it.next().ok_or(usage)?, ctx: 4096, threads: 2 };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(usage)?;
        match flag.as_str() {
            "--ctx" => a.ctx = value.parse().map_err(|_| usage)?,
            "--threads" => a.threads = value.parse().map_err(|_| usage)?,
            _ => return Err(usage.into()),
        }
    }
    Ok(a)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("rapporteur-llm: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args = args()?;
    llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(false));
    let backend = LlamaBackend::init().map_err(|e| e.to_string())?;
    let model = LlamaModel::load_from_file(&backend, &args.model, &LlamaModelParams::default())
        .map_err(|e| format!("cannot load {}: {e}", args.model))?;
    let template = model.chat_template(None).map_err(|e| format!("{}: no chat template ({e})", args.model))?;
    // The window asked for, never more than the model was trained with.
    let n_ctx = args.ctx.min(model.n_ctx_train()).max(256);
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(n_ctx))
        .with_n_batch(BATCH as u32)
        .with_n_threads(args.threads)
        .with_n_threads_batch(args.threads);
    let ctx = model.new_context(&backend, params).map_err(|e| e.to_string())?;
    let mut session = Session { model: &model, template, ctx, evaluated: Vec::new(), last_logits: 0 };
    let n_ctx = session.ctx.n_ctx();

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut say = |reply: &Reply| -> Result<(), String> {
        let line = serde_json::to_string(reply).expect("replies serialise");
        writeln!(out, "{line}").and_then(|()| out.flush()).map_err(|e| e.to_string())
    };
    say(&Reply::Ready { n_ctx, n_ctx_train: model.n_ctx_train() })?;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Request>(&line) {
            Ok(request) => session.answer(&request).unwrap_or_else(|error| Reply::Error { error }),
            Err(e) => Reply::Error { error: format!("not a request: {e}") },
        };
        say(&reply)?;
    }
    Ok(())
}

/// The most likely token: greedy decoding.
fn argmax(logits: &[f32]) -> LlamaToken {
    let best = (0..logits.len()).max_by(|&a, &b| logits[a].total_cmp(&logits[b]).then(b.cmp(&a))).unwrap_or(0);
    LlamaToken(best as i32)
}

struct Session<'m> {
    model: &'m LlamaModel,
    template: LlamaChatTemplate,
    ctx: LlamaContext<'m>,
    /// The tokens in the context's cache, in order.
    evaluated: Vec<LlamaToken>,
    /// Where in the last batch evaluated the logits of its last token are.
    last_logits: i32,
}

impl Session<'_> {
    fn answer(&mut self, request: &Request) -> Result<Reply, String> {
        let chat = (request.messages.iter())
            .map(|m| LlamaChatMessage::new(m.role.clone(), m.content.clone()).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut prompt = self.model.apply_chat_template(&self.template, &chat, true).map_err(|e| e.to_string())?;
        prompt.push_str(&request.prefix);
        let vocab = self.model.vocab();
        let tokens = vocab.tokenize(prompt.as_bytes(), false, true);
        if request.max_tokens == 0 {
            return Ok(Reply::Text { text: String::new(), prompt_tokens: tokens.len(), generated: 0 });
        }
        if tokens.len() + request.max_tokens as usize > self.ctx.n_ctx() as usize {
            return Ok(Reply::TooLong { too_long: tokens.len() });
        }
        self.evaluate(&tokens)?;
        let max = request.max_tokens as usize;
        let mut out: Vec<LlamaToken> = Vec::new();
        let mut next = argmax(self.ctx.get_logits_ith(self.last_logits));
        let mut batch = LlamaBatch::new(1, 1);
        while !vocab.is_eog(next) && out.len() < max {
            out.push(next);
            batch.clear();
            batch.add(next, self.evaluated.len() as i32, &[0], true).map_err(|e| e.to_string())?;
            self.ctx.decode(&mut batch).map_err(|e| e.to_string())?;
            self.evaluated.push(next);
            next = argmax(self.ctx.get_logits_ith(0));
        }
        let mut text = Vec::new();
        for &t in &out {
            text.extend(vocab.token_to_piece(t, false, None));
        }
        Ok(Reply::Text {
            text: String::from_utf8_lossy(&text).into_owned(),
            prompt_tokens: tokens.len(),
            generated: out.len(),
        })
    }

    /// Puts `tokens` in the cache, keeping what it already holds of them.
    fn evaluate(&mut self, tokens: &[LlamaToken]) -> Result<(), String> {
        // At least the last token is evaluated again: its logits give the first new token.
        let kept = (self.evaluated.iter().zip(tokens)).take_while(|(a, b)| a == b).count().min(tokens.len() - 1);
        self.ctx.clear_kv_cache_seq(Some(0), Some(kept as u32), None).map_err(|e| e.to_string())?;
        self.evaluated.truncate(kept);
        let mut batch = LlamaBatch::new(BATCH, 1);
        for chunk in tokens[kept..].chunks(BATCH) {
            batch.clear();
            for (i, &t) in chunk.iter().enumerate() {
                let pos = (self.evaluated.len() + i) as i32;
                batch.add(t, pos, &[0], i == chunk.len() - 1).map_err(|e| e.to_string())?;
            }
            self.ctx.decode(&mut batch).map_err(|e| e.to_string())?;
            self.evaluated.extend_from_slice(chunk);
            self.last_logits = batch.n_tokens() - 1;
        }
        Ok(())
    }
}
