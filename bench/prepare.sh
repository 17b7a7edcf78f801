#!/usr/bin/env bash
# Builds the benchmark inputs from ../shared/eval into target/bench/:
#   ami.wav + ami.ref.txt    the six AMI excerpts concatenated (180 s of meeting speech)
#   read.wav + read.tsv      the LJ Speech read sentences concatenated
#   gb0.wav                  a 127 s address (speed and memory only: no reference)
# Needs sox. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=${EVAL_DIR:-../shared/eval}
out=target/bench
mkdir -p "$out"
clips=(dev00 dev01 trn00 trn03 trn04 trn06)
sox $(printf "$eval_dir/ami/%s.wav " "${clips[@]}") "$out/ami.wav"
: > "$out/ami.ref.txt"
for c in "${clips[@]}"; do sort -t- -k1.2 -g "$eval_dir/ami/$c.ref.txt" >> "$out/ami.ref.txt"; done
ids=$(cut -f1 "$eval_dir/read/transcripts.tsv")
sox $(for i in $ids; do printf "$eval_dir/read/%s.wav " "$i"; done) "$out/read.wav"
cp "$eval_dir/read/transcripts.tsv" "$out/read.tsv"
cp "$eval_dir/speech/gb0.wav" "$out/gb0.wav"
for f in ami read gb0; do printf '%s.wav: %.1f s\n' "$f" "$(soxi -D "$out/$f.wav")"; done
