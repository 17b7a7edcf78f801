//! `rapporteur batch` and `rapporteur catalog` on folders of recordings cut from the sample,
//! with the real tiny.en model: done once, failures isolated, resumable after `kill -9`,
//! shardable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::helpers::{files_in, rapporteur, run, sample_head, stderr, tiny_en, write_wav};

const FAST: [&str; 5] = ["--model", "tiny.en", "--language", "en", "--no-diarize"];

/// Recordings cut from the sample at different places (so each has its own audio), in two
/// year folders, and with `broken`, a file of random bytes named .wav.
fn inputs(root: &Path, broken: bool) -> PathBuf {
    let input = root.join("in");
    let audio = sample_head(60.0);
    for (name, from) in [("2021/a.wav", 0.0), ("2021/b.wav", 18.0), ("2022/c.wav", 38.0)] {
        let p = input.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let start = (from * 16_000.0) as usize;
        write_wav(&p, 16_000, &audio[start..start + 9 * 16_000]);
    }
    if broken {
        let bytes: Vec<u8> = (0..40_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(input.join("2022/broken.wav"), bytes).unwrap();
    }
    input
}

fn batch(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["batch", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"];
    args.extend(FAST);
    args.extend(extra);
    run(&args)
}

/// The batch log's lines from line `from` on, as (recording, status), sorted.
fn log_since(out: &Path, from: usize) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(out.join("batch-log.jsonl")).unwrap_or_default();
    let mut lines: Vec<(String, String)> = text
        .lines()
        .skip(from)
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["recording"].as_str().unwrap().to_string(), v["status"].as_str().unwrap().to_string()))
        .collect();
    lines.sort();
    lines
}

fn log_len(out: &Path) -> usize {
    std::fs::read_to_string(out.join("batch-log.jsonl")).unwrap_or_default().lines().count()
}

fn pairs(spec: &[(&str, &str)]) -> Vec<(String, String)> {
    spec.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn batches_do_each_recording_once_isolate_failures_and_redo_what_changed() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path(), true);
    let out = tmp.path().join("out");

    let o = batch(&input, &out, &[]);
    assert_ne!(o.status.code(), Some(0), "a broken file makes the batch fail: {}", stderr(&o));
    assert!(stderr(&o).contains("broken.wav"), "{}", stderr(&o));
    for s in ["2021/a", "2021/b", "2022/c"] {
        assert!(out.join(s).join("session.json").is_file(), "{s} was not done: {}", stderr(&o));
    }
    assert!(!out.join("2022/broken/session.json").exists());
    let all_done =
        pairs(&[("2021/a.wav", "done"), ("2021/b.wav", "done"), ("2022/broken.wav", "failed"), ("2022/c.wav", "done")]);
    assert_eq!(log_since(&out, 0), all_done);
    let catalog: Value = serde_json::from_str(&std::fs::read_to_string(out.join("catalog.json")).unwrap()).unwrap();
    assert_eq!(catalog["sessions"].as_array().unwrap().len(), 3);
    assert!(out.join("catalog.csv").is_file() && out.join("index.html").is_file());

    // A folder without recordings is a mistake, said as such.
    std::fs::create_dir_all(tmp.path().join("empty")).unwrap();
    let o = batch(&tmp.path().join("empty"), &out, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("found no recordings"), "{}", stderr(&o));

    // Again: nothing is transcribed.
    let seen = log_len(&out);
    batch(&input, &out, &[]);
    assert_eq!(
        log_since(&out, seen),
        pairs(&[
            ("2021/a.wav", "skipped"),
            ("2021/b.wav", "skipped"),
            ("2022/broken.wav", "failed"),
            ("2022/c.wav", "skipped")
        ])
    );

    // New audio in one file redoes that file only.
    let audio = sample_head(80.0);
    write_wav(&input.join("2022/c.wav"), 16_000, &audio[60 * 16_000..70 * 16_000]);
    let seen = log_len(&out);
    batch(&input, &out, &[]);
    assert_eq!(
        log_since(&out, seen),
        pairs(&[
            ("2021/a.wav", "skipped"),
            ("2021/b.wav", "skipped"),
            ("2022/broken.wav", "failed"),
            ("2022/c.wav", "done")
        ])
    );

    // The broken file mended: --retry-failed does it and nothing else.
    write_wav(&input.join("2022/broken.wav"), 16_000, &audio[20 * 16_000..28 * 16_000]);
    let seen = log_len(&out);
    let o = batch(&input, &out, &["--retry-failed"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(log_since(&out, seen), pairs(&[("2022/broken.wav", "done")]));

    // A setting that changes results redoes everything.
    let seen = log_len(&out);
    batch(&input, &out, &["--beam-size", "2"]);
    assert_eq!(log_since(&out, seen).iter().filter(|(_, s)| s == "done").count(), 4);
}

/// Every file under `dir` but the batch log, with its bytes.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_in(dir)
        .into_iter()
        .filter(|p| !p.ends_with("batch-log.jsonl"))
        .map(|p| (p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap()))
        .collect()
}

fn assert_same(a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>, what: &str) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: other files");
    for (path, bytes) in a {
        assert!(bytes == &b[path], "{what}: {} differs", path.display());
    }
}

#[test]
fn killed_and_sharded_batches_end_as_one_uninterrupted_run() {
    tiny_en();
    let tmp = tempfile::tempdir().unwrap();
    let input = inputs(tmp.path(), false);
    // Every output folder at the same depth, so links to the recordings read the same.
    let out = |name: &str| tmp.path().join(name).join("out");

    let started = std::time::Instant::now();
    let o = batch(&input, &out("whole"), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let whole_s = started.elapsed().as_secs_f64();
    let reference = contents(&out("whole"));

    // kill -9 at points spread over a whole run (seeded), then run again to the end.
    for seed in 1..=3u64 {
        let dir = out(&format!("killed-{seed}"));
        let fraction = (seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as f64 / (1u64 << 24) as f64;
        let mut child: std::process::Child = rapporteur()
            .args(["batch", input.to_str().unwrap(), "--out", dir.to_str().unwrap(), "--quiet"])
            .args(FAST)
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_secs_f64(0.2 + fraction * whole_s));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let o = batch(&input, &dir, &[]);
        assert!(o.status.success(), "seed {seed}: {}", stderr(&o));
        assert_same(
            &reference,
            &contents(&dir),
            &format!("killed at {:.0}% (seed {seed}) and resumed", fraction * 100.0),
        );
    }

    // Four shards into one folder do every recording exactly once; the merged catalog is
    // the single run's. Shards 1 and 2 are given, 3 comes from a Slurm array task and 4 from
    // a Kubernetes indexed job.
    let sharded = out("sharded");
    let job_arrays: [&[(&str, &str)]; 4] = [
        &[],
        &[],
        &[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")],
        &[("JOB_COMPLETION_INDEX", "3"), ("RAPPORTEUR_SHARDS", "4")],
    ];
    for (i, env) in job_arrays.iter().enumerate() {
        let shard = if env.is_empty() { format!("{}/4", i + 1) } else { "auto".to_string() };
        let o = rapporteur()
            .args(["batch", input.to_str().unwrap(), "--out", sharded.to_str().unwrap(), "--quiet", "--shard", &shard])
            .args(FAST)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(o.status.success(), "shard {}: {}", i + 1, stderr(&o));
    }
    let done: Vec<String> = log_since(&sharded, 0).into_iter().filter(|(_, s)| s == "done").map(|(r, _)| r).collect();
    assert_eq!(done, ["2021/a.wav", "2021/b.wav", "2022/c.wav"]);
    let o = run(&["catalog", sharded.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same(&reference, &contents(&sharded), "4 shards and a catalog");
}

/// The Kubernetes indexed Job (no cluster runs here): its manifest parses, has the fields an
/// indexed Job needs, runs `batch --shard auto`, and gives RAPPORTEUR_SHARDS equal to its
/// completions, so that the indexes Kubernetes hands out split the archive exactly.
#[test]
fn the_kubernetes_job_manifest_shards_the_archive() {
    use rapporteur::commands::batch::{in_shard, parse_shard};
    use yaml_rust2::YamlLoader;
    let text = std::fs::read_to_string(crate::helpers::root().join("deploy/batch-job.yaml")).unwrap();
    let docs = YamlLoader::load_from_str(&text).expect("deploy/batch-job.yaml is YAML");
    let job = &docs[0];
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"));
    assert_eq!(job["kind"].as_str(), Some("Job"));
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let completions = spec["completions"].as_i64().expect("completions") as usize;
    assert!(spec["parallelism"].as_i64().is_some_and(|p| p >= 1));
    let pod = &spec["template"]["spec"];
    assert!(matches!(pod["restartPolicy"].as_str(), Some("OnFailure" | "Never")));
    let container = &pod["containers"][0];
    let command: Vec<&str> =
        container["command"].as_vec().expect("command").iter().filter_map(|c| c.as_str()).collect();
    assert_eq!(&command[..2], ["rapporteur", "batch"]);
    assert!(command.windows(2).any(|w| w == ["--shard", "auto"]), "{command:?}");
    assert!(command.contains(&"--out"));
    let env: Vec<(&str, &str)> = container["env"]
        .as_vec()
        .expect("env")
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), e["value"].as_str().unwrap_or("")))
        .collect();
    let shards = env.iter().find(|(n, _)| *n == "RAPPORTEUR_SHARDS").expect("RAPPORTEUR_SHARDS").1;
    assert_eq!(shards.parse::<usize>().ok(), Some(completions), "RAPPORTEUR_SHARDS must equal completions");
    let mounts = container["volumeMounts"].as_vec().expect("volumeMounts");
    let volumes: Vec<&str> =
        pod["volumes"].as_vec().expect("volumes").iter().filter_map(|v| v["name"].as_str()).collect();
    assert!(mounts.iter().all(|m| volumes.contains(&m["name"].as_str().unwrap())));

    // What each pod reads (Kubernetes sets JOB_COMPLETION_INDEX 0..completions-1): every
    // recording falls in exactly one pod's shard.
    let shard_of_pod = |index: usize| {
        let env = |name: &str| match name {
            "JOB_COMPLETION_INDEX" => Some(index.to_string()),
            "RAPPORTEUR_SHARDS" => Some(shards.to_string()),
            _ => None,
        };
        parse_shard("auto", &env).unwrap()
    };
    for i in 0..200 {
        let path = std::path::PathBuf::from(format!("2021/{i:03}/session.mp3"));
        let owners = (0..completions).filter(|&pod| {
            let (index, count) = shard_of_pod(pod);
            in_shard(&path, index, count)
        });
        assert_eq!(owners.count(), 1, "{}", path.display());
    }
}
