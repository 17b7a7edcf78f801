#!/usr/bin/env bash
# Language detection on ../shared/eval/languages (Common Voice clips in fr/ and es/; the
# folder is the truth): one `rapporteur run` over all clips with MODEL (default base), no
# diarization, once with any language and once with --languages en,fr,es (a session's
# expected languages). Prints a table of clip, truth, detected in each mode, and the accuracy
# over all clips and over the clips with speech (a clip where the VAD finds none is recorded
# as `und`, undetermined). Then the language switches (bench/switches.py).
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
$bin run "${clips[@]}" --model "$model" --no-diarize --out "$out/any" --quiet
$bin run "${clips[@]}" --model "$model" --no-diarize --languages en,fr,es --out "$out/enfres" --quiet
python3 - "$out" "$model" "${clips[@]}" <<'PY'
import json, os, sys
out, model, clips = sys.argv[1], sys.argv[2], sys.argv[3:]
print("| clip | truth | any language | --languages en,fr,es |")
print("|---|---|---|---|")
right = {"any": 0, "enfres": 0}
speech = {"any": 0, "enfres": 0}
with_speech = 0
for c in clips:
    truth, stem = os.path.basename(os.path.dirname(c)), os.path.basename(c)[:-4]
    got = {m: json.load(open(f"{out}/{m}/{stem}/session.json"))["language"] for m in right}
    has_speech = got["any"] != "und"
    with_speech += has_speech
    for m in right:
        right[m] += got[m] == truth
        speech[m] += has_speech and got[m] == truth
    print(f"| {stem} | {truth} | {got['any']} | {got['enfres']} |")
print()
for m, name in [("any", "any language"), ("enfres", "--languages en,fr,es")]:
    print(f"{model}, {name}: {right[m]} of {len(clips)} right ({100*right[m]/len(clips):.0f}%); "
          f"{speech[m]} of the {with_speech} clips with speech ({100*speech[m]/max(with_speech,1):.0f}%)")
PY
echo
python3 bench/switches.py 8 -- --model "$model" --languages en,fr,es
