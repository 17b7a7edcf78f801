//! Progress for people (indicatif bars on stderr), for scripts (JSON lines on stderr), or none.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Human,
    Json,
    Quiet,
}

#[derive(Clone)]
pub struct Progress {
    mode: Mode,
    /// People see the bars of a batch's total, the file and its stage one above the other.
    bars: MultiProgress,
}

/// A batch's progress over its files: a bar above the file's stages, or `batch` events.
pub struct Overall {
    mode: Mode,
    total: usize,
    done: Mutex<usize>,
    bar: Option<ProgressBar>,
}

/// One stage of work on one file. Cheap to clone into callbacks.
#[derive(Clone)]
pub struct Stage {
    mode: Mode,
    file: String,
    name: &'static str,
    started: Instant,
    bar: Option<ProgressBar>,
    last_percent: Arc<Mutex<i64>>,
}

fn emit(event: Value) {
    eprintln!("{event}");
}

impl Progress {
    pub fn new(mode: Mode) -> Progress {
        Progress { mode, bars: MultiProgress::new() }
    }

    /// A line for people: above the bars on a terminal, plainly otherwise.
    fn line(&self, text: &str) {
        if self.bars.is_hidden() {
            eprintln!("{text}");
        } else {
            let _ = self.bars.println(text);
        }
    }

    /// The progress of a batch of `total` files, shown above the stages.
    pub fn overall(&self, total: usize) -> Overall {
        let bar = (self.mode == Mode::Human).then(|| {
            let bar = ProgressBar::new(total as u64).with_style(
                ProgressStyle::with_template("{prefix:.bold} [{bar:30}] {pos}/{len} recordings {elapsed} (eta {eta})").expect("valid template").progress_chars("=> "),
            );
            bar.set_prefix("batch");
            self.bars.insert(0, bar)
        });
        Overall { mode: self.mode, total, done: Mutex::new(0), bar }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Starts a stage. With `bounded`, the stage reports percentages; otherwise it spins.
    pub fn stage(&self, file: &str, name: &'static str, bounded: bool) -> Stage {
        let bar = (self.mode == Mode::Human).then(|| {
            let bar = if bounded {
                ProgressBar::new(100).with_style(
                    ProgressStyle::with_template("{prefix:.bold} {msg:12} [{bar:30}] {pos:>3}% {elapsed} (eta {eta})")
                        .expect("valid template")
                        .progress_chars("=> "),
                )
            } else {
                ProgressBar::new_spinner().with_style(ProgressStyle::with_template("{prefix:.bold} {msg:12} {spinner} {elapsed}").expect("valid template"))
            };
            bar.set_prefix(file.to_string());
            bar.set_message(name);
            bar.enable_steady_tick(Duration::from_millis(200));
            self.bars.add(bar)
        });
        if self.mode == Mode::Json {
            emit(json!({"event": "stage", "file": file, "stage": name}));
        }
        Stage { mode: self.mode, file: file.to_string(), name, started: Instant::now(), bar, last_percent: Arc::new(Mutex::new(-1)) }
    }

    /// A finished file: a line for people, an event for scripts.
    pub fn done(&self, file: &str, out: &str, detail: &str) {
        match self.mode {
            Mode::Human => self.line(&format!("{file}: wrote {out} ({detail})")),
            Mode::Json => emit(json!({"event": "done", "file": file, "out": out, "detail": detail})),
            Mode::Quiet => {}
        }
    }

    /// Errors are always shown, whatever the mode.
    pub fn error(&self, file: Option<&str>, message: &str) {
        match self.mode {
            Mode::Json => emit(json!({"event": "error", "file": file, "message": message})),
            _ => self.line(&format!("error: {message}")),
        }
    }

    pub fn note(&self, message: &str) {
        match self.mode {
            Mode::Human => self.line(message),
            Mode::Json => emit(json!({"event": "note", "message": message})),
            Mode::Quiet => {}
        }
    }
}

impl Overall {
    /// One more file finished (done, skipped or failed).
    pub fn tick(&self) {
        let mut done = self.done.lock().expect("progress lock");
        *done += 1;
        if let Some(bar) = &self.bar {
            bar.set_position(*done as u64);
        }
        if self.mode == Mode::Json {
            emit(json!({"event": "batch", "done": *done, "total": self.total}));
        }
    }

    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Stage {
    pub fn set_percent(&self, percent: i64) {
        let percent = percent.clamp(0, 100);
        if let Some(bar) = &self.bar {
            bar.set_position(percent as u64);
        }
        if self.mode == Mode::Json {
            let mut last = self.last_percent.lock().expect("progress lock");
            if percent > *last {
                *last = percent;
                emit(json!({"event": "progress", "file": self.file, "stage": self.name, "percent": percent}));
            }
        }
    }

    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.mode == Mode::Json {
            let seconds = (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
            emit(json!({"event": "stage_done", "file": self.file, "stage": self.name, "seconds": seconds}));
        }
    }
}
