#!/usr/bin/env bash
# Memory on a long recording: the bundled sample repeated to about an hour (or HOURS), run
# once per model; prints wall time, peak RSS and the budget it is held to
# (model file + 600 MB; the decoded 16 kHz audio is listed beside it).
#   bench/long.sh [HOURS] [MODEL...]     (defaults: 1, base base-q8_0; needs sox, GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:-1}; shift || true
models=("${@:-base}"); [ $# -eq 0 ] && models=(base base-q8_0)
bench=target/bench
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/$bench/models}
bin=target/release/rapporteur
cargo build --release --quiet
mkdir -p "$bench"
sample=samples/listening-session.wav
reps=$(python3 -c "import math; print(math.ceil($hours * 3600 / float('$(soxi -D $sample)')))")
long=$bench/long-${hours}h.wav
[ -f "$long" ] || sox $(for _ in $(seq "$reps"); do printf '%s ' "$sample"; done) "$long"
dur=$(soxi -D "$long")
audio_mb=$(python3 -c "print(round($dur * 16000 * 2 / 2**20))")
echo "| recording | model | wall | real-time factor | peak RSS | model file | decoded audio (16-bit) | budget (model + 600 MB) |"
echo "|---|---|---|---|---|---|---|---|"
for m in "${models[@]}"; do
  $bin models install "$m" --quiet
  out=$(mktemp -d)
  /usr/bin/time -f '%e %M' -o "$out/time" $bin run "$long" --model "$m" --language en --out "$out" --quiet
  read -r wall kb < "$out/time"
  model_mb=$(( $(stat -c %s "$RAPPORTEUR_MODELS/ggml-$m.bin") / 1048576 ))
  echo "| $(printf '%.0f' "$dur") s | $m | ${wall} s | $(python3 -c "print(f'{$wall/$dur:.3f}')") | $((kb / 1024)) MB | ${model_mb} MB | ${audio_mb} MB | $((model_mb + 600)) MB |"
  rm -rf "$out"
done
