#!/usr/bin/env bash
# Memory on a long recording: the bundled sample repeated to about HOURS hours (default 1),
# run once per model; prints wall time, peak RSS and the budget it is held to (issue 6:
# the decoded 16 kHz audio + the models + 600 MB; models = the whisper file + the
# diarization ONNX files + the VAD).
#   bench/long.sh [HOURS] [MODEL...]        (defaults: 1, base base-q8_0; needs sox, GNU time)
#   FORMAT=mp3 bench/long.sh 3 base         (the recording as 44.1 kHz stereo MP3 instead of
#                                            16 kHz WAV, so decoding must resample as it goes)
set -euo pipefail
cd "$(dirname "$0")/.."
hours=${1:-1}; shift || true
models=("${@:-base}"); [ $# -eq 0 ] && models=(base base-q8_0)
format=${FORMAT:-wav}
bench=target/bench
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/$bench/models}
bin=target/release/rapporteur
cargo build --release --quiet
mkdir -p "$bench"
sample=samples/listening-session.wav
reps=$(python3 -c "import math; print(math.ceil($hours * 3600 / float('$(soxi -D $sample)')))")
wav=$bench/long-${hours}h.wav
[ -f "$wav" ] || sox $(for _ in $(seq "$reps"); do printf '%s ' "$sample"; done) "$wav"
long=$wav
if [ "$format" = mp3 ]; then
  long=$bench/long-${hours}h.mp3
  [ -f "$long" ] || ffmpeg -loglevel error -y -i "$wav" -ar 44100 -ac 2 -c:a libmp3lame -b:a 64k "$long"
fi
dur=$(soxi -D "$wav")
mb() { echo $(( $1 / 1048576 )); }
audio_mb=$(python3 -c "print(round($dur * 16000 * 2 / 2**20))")
diar_mb=$(mb "$(cat models/diarization/*.onnx | wc -c)")
echo "| recording | model | wall | real-time factor | peak RSS | decoded audio (16 kHz, 16-bit) | models | budget (audio + models + 600 MB) |"
echo "|---|---|---|---|---|---|---|---|"
for m in "${models[@]}"; do
  $bin models install "$m" --quiet
  out=$(mktemp -d)
  /usr/bin/time -f '%e %M' -o "$out/time" $bin run "$long" --model "$m" --language en --out "$out" --quiet
  read -r wall kb < "$out/time"
  models_mb=$(( $(mb "$(stat -c %s "$RAPPORTEUR_MODELS/ggml-$m.bin")") + diar_mb + $(mb "$(stat -c %s "$RAPPORTEUR_MODELS"/ggml-silero-*.bin)") ))
  echo "| $(printf '%.0f' "$dur") s, $format | $m | ${wall} s | $(python3 -c "print(f'{$wall/$dur:.3f}')") | $((kb / 1024)) MB | ${audio_mb} MB | ${models_mb} MB | $((audio_mb + models_mb + 600)) MB |"
  rm -rf "$out"
done
