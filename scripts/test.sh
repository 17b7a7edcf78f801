#!/usr/bin/env bash
# One command on a fresh machine: set up and run the whole test suite (unit and integration
# tests; the integration tests install the real tiny.en model on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --release "$@"
