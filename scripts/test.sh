#!/usr/bin/env bash
# One command on a fresh machine: set up, check formatting (rustfmt.toml) and lints (clippy,
# warnings are errors), and run the whole test suite (unit and integration
# tests; the integration tests install the real tiny.en model on first use, and the review
# page is checked in headless Chromium; the Slurm job array runs on a single-node cluster,
# scripts/test-slurm.sh), then fuzz the decoder, the TOML parsers and the
# rendered HTML for a bounded time (FUZZ_SECONDS per target, default 30; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# Formatting and lints first: a minute, and they fail before the long tests do.
cargo fmt --check
(cd fuzz && cargo fmt --check)
cargo clippy --release --all-targets -- -D warnings
cargo test --release "$@"
scripts/test-slurm.sh
secs=${FUZZ_SECONDS:-30}
if [ "$secs" -gt 0 ]; then scripts/fuzz.sh "$secs"; fi
