#!/usr/bin/env bash
# Voice-enrolment threshold calibration (see bench/voices.rs): the AMI excerpts (two
# meetings' speakers recur across excerpts), the two-person conversation, read speech split
# into two recordings of one reader, and two single-speaker addresses.
#   bench/voices.sh        (needs sox and ../shared/eval)
set -euo pipefail
cd "$(dirname "$0")/.."
eval=../shared/eval
out=target/bench/voices
mkdir -p "$out"
one_speaker() { # WAV NAME RTTM: one reference turn over the whole file
  printf 'SPEAKER %s 1 0.000 %s <NA> <NA> %s <NA> <NA>\n' "$(basename "$1" .wav)" "$(soxi -D "$1")" "$2" > "$3"
}
sox $(ls $eval/read/LJ001-000[1-8].wav) "$out/lj-a.wav"
sox $(ls $eval/read/LJ001-0009.wav $eval/read/LJ001-001[0-6].wav) "$out/lj-b.wav"
one_speaker "$out/lj-a.wav" LJ "$out/lj-a.rttm"
one_speaker "$out/lj-b.wav" LJ "$out/lj-b.rttm"
one_speaker "$eval/speech/jfk.wav" JFK "$out/jfk.rttm"
one_speaker "$eval/speech/gb0.wav" GB "$out/gb0.rttm"
args=()
for c in dev00 dev01 trn00 trn03 trn04 trn06; do args+=("$eval/ami/$c.wav:$eval/ami/$c.rttm"); done
args+=("$eval/conversation/sample.wav:$eval/conversation/sample.rttm")
args+=("$out/lj-a.wav:$out/lj-a.rttm" "$out/lj-b.wav:$out/lj-b.rttm" "$eval/speech/jfk.wav:$out/jfk.rttm" "$eval/speech/gb0.wav:$out/gb0.rttm")
cargo run --release --quiet --example voices -- "${args[@]}"
