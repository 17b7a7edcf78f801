//! Progress for people (indicatif bars on stderr), for scripts (JSON lines on stderr), or none.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
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
        Progress { mode }
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
            bar
        });
        if self.mode == Mode::Json {
            emit(json!({"event": "stage", "file": file, "stage": name}));
        }
        Stage { mode: self.mode, file: file.to_string(), name, started: Instant::now(), bar, last_percent: Arc::new(Mutex::new(-1)) }
    }

    /// A finished file: a line for people, an event for scripts.
    pub fn done(&self, file: &str, out: &str, detail: &str) {
        match self.mode {
            Mode::Human => eprintln!("{file}: wrote {out} ({detail})"),
            Mode::Json => emit(json!({"event": "done", "file": file, "out": out, "detail": detail})),
            Mode::Quiet => {}
        }
    }

    /// Errors are always shown, whatever the mode.
    pub fn error(&self, file: Option<&str>, message: &str) {
        match self.mode {
            Mode::Json => emit(json!({"event": "error", "file": file, "message": message})),
            _ => eprintln!("error: {message}"),
        }
    }

    pub fn note(&self, message: &str) {
        match self.mode {
            Mode::Human => eprintln!("{message}"),
            Mode::Json => emit(json!({"event": "note", "message": message})),
            Mode::Quiet => {}
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
