#!/usr/bin/env bash
# Language detection on ../shared/eval/languages (Common Voice clips in fr/ and es/; the
# folder is the truth): one `rapporteur run` over all clips with MODEL (default base),
# language auto, no diarization; prints a table of clip, truth, detected and the accuracy.
# The baseline for issue 7 (per-chunk language, --languages, translation).
#   bench/languages.sh [MODEL]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-base}
eval_dir=../shared/eval/languages
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/target/bench/models}
cargo build --release --quiet
bin=target/release/rapporteur
$bin models install "$model" --quiet
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
clips=("$eval_dir"/fr/*.wav "$eval_dir"/es/*.wav)
$bin run "${clips[@]}" --model "$model" --no-diarize --out "$out" --quiet
echo "| clip | truth | detected |"
echo "|---|---|---|"
right=0
for c in "${clips[@]}"; do
  truth=$(basename "$(dirname "$c")"); stem=$(basename "$c" .wav)
  got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['language'])" "$out/$stem/session.json")
  [ "$got" = "$truth" ] && right=$((right + 1))
  echo "| $stem | $truth | $got |"
done
echo
echo "$model: $right of ${#clips[@]} right ($(python3 -c "print(f'{100*$right/${#clips[@]}:.0f}')")%)"
