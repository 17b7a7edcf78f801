//! Progress for people (indicatif bars on stderr), for scripts (JSON lines on stderr), or none.
//! File names and messages are escaped on the way out: a name holding terminal escapes must
//! not clear the screen. A closed or full stderr never stops the work.

use std::io::Write;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressState, ProgressStyle};
use serde_json::{Value, json};

use crate::safe_text::escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Human,
    Json,
    Quiet,
}

/// How a stage reports how far it has come: the fraction done, 0 to 1. Every stage
/// (decoding, transcription, diarization, translation) takes one; `Stage::tick` gives it.
pub type Tick<'a> = dyn Fn(f64) + Sync + 'a;

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
    let _ = writeln!(std::io::stderr().lock(), "{}", json_line(&event));
}

/// An event as one JSON line. serde_json escapes the C0 controls; DEL and the C1 controls
/// (U+009B is CSI to many terminals) it writes raw, so they are escaped here too. They can
/// only occur inside strings, where `\u00XX` means the same.
fn json_line(event: &Value) -> String {
    let line = event.to_string();
    if !line.chars().any(char::is_control) {
        return line;
    }
    line.chars().map(|c| if c.is_control() { format!("\\u{:04x}", c as u32) } else { c.to_string() }).collect()
}

/// Writes a command's results (`models list`, `speakers list`) to stdout. A reader that stopped
/// early (`| head -1`) is not an error: the rest is not wanted. Any other failure (a full disk)
/// is returned.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result,
    }
}

impl Progress {
    pub fn new(mode: Mode) -> Progress {
        Progress { mode, bars: MultiProgress::new() }
    }

    /// A line for people: above the bars on a terminal, plainly otherwise. One line: the
    /// controls in it (from file names, names) are escaped.
    fn line(&self, text: &str) {
        let text = escape(text);
        if self.bars.is_hidden() {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        } else {
            let _ = self.bars.println(text);
        }
    }

    /// The progress of a batch of `total` files, shown above the stages.
    pub fn overall(&self, total: usize) -> Overall {
        let bar = (self.mode == Mode::Human).then(|| {
            let bar = ProgressBar::new(total as u64).with_style(
                ProgressStyle::with_template("{prefix:.bold} [{bar:30}] {pos}/{len} recordings {elapsed} (eta {eta})")
                    .expect("valid template")
                    .progress_chars("=> "),
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
                    ProgressStyle::with_template(
                        "{prefix:.bold} {msg:12} [{bar:30}] {pos:>3}% {elapsed} (eta {steady_eta})",
                    )
                    .expect("valid template")
                    .with_key("steady_eta", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let left = remaining(state.fraction() as f64, state.elapsed().as_secs_f64());
                        let _ = w.write_str(&left.map_or_else(|| "…".to_string(), short_duration));
                    })
                    .progress_chars("=> "),
                )
            } else {
                ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{prefix:.bold} {msg:12} {spinner} {elapsed}")
                        .expect("valid template"),
                )
            };
            bar.set_prefix(escape(file).into_owned());
            bar.set_message(name);
            bar.enable_steady_tick(Duration::from_millis(200));
            self.bars.add(bar)
        });
        if self.mode == Mode::Json {
            emit(json!({"event": "stage", "file": file, "stage": name}));
        }
        Stage {
            mode: self.mode,
            file: file.to_string(),
            name,
            started: Instant::now(),
            bar,
            last_percent: Arc::new(Mutex::new(-1)),
        }
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

    /// A note that `--quiet` does not hide: something was lost (names, voices) though the work
    /// goes on. Scripts get a `note` event marked `"level": "warning"`.
    pub fn warn(&self, message: &str) {
        match self.mode {
            Mode::Json => emit(json!({"event": "note", "level": "warning", "message": message})),
            _ => self.line(&format!("warning: {message}")),
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
    /// Reports the fraction done, 0 to 1.
    pub fn tick(&self, fraction: f64) {
        self.set_percent((fraction * 100.0) as i64);
    }

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

/// The time a stage has left, from its average pace since it started: `elapsed` × (1 − f) / f.
/// indicatif's own estimate follows the last few steps, and a stage's steps come in bursts
/// (chunks finish together on parallel workers), so it swung between 17 and 79 minutes on a
/// 6-minute run. None before 2% and 3 s: too early to say.
fn remaining(fraction: f64, elapsed_s: f64) -> Option<f64> {
    (fraction >= 0.02 && elapsed_s >= 3.0).then(|| elapsed_s * (1.0 - fraction.min(1.0)) / fraction)
}

/// `1h 05m`, `17m 20s`, `45s`.
fn short_duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m {sec:02}s"),
        (h, m, _) => format!("{h}h {m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eta_follows_the_average_pace_and_waits_for_a_start() {
        assert_eq!(remaining(0.01, 30.0), None, "under 2%");
        assert_eq!(remaining(0.5, 2.0), None, "under 3 s");
        assert_eq!(remaining(0.25, 60.0), Some(180.0));
        assert_eq!(remaining(1.0, 60.0), Some(0.0));
        // A burst of progress after a slow stretch moves it by the burst, not by its speed:
        // 10% in 60 s, then 20% at 61 s, gives 9 min then 4 min, never seconds.
        assert_eq!(remaining(0.1, 60.0).map(short_duration).as_deref(), Some("9m 00s"));
        assert_eq!(remaining(0.2, 61.0).map(short_duration).as_deref(), Some("4m 04s"));
        assert_eq!(short_duration(45.4), "45s");
        assert_eq!(short_duration(3900.0), "1h 05m");
    }

    #[test]
    fn json_lines_escape_every_control() {
        let line = json_line(&json!({"file": "a\u{1b}[2J\u{9b}31m\u{7f}\nb.wav"}));
        assert!(!line.chars().any(char::is_control), "{line:?}");
        let back: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["file"], "a\u{1b}[2J\u{9b}31m\u{7f}\nb.wav", "the same string to a JSON reader");
        assert_eq!(json_line(&json!({"file": "plain é"})), r#"{"file":"plain é"}"#);
    }
}
