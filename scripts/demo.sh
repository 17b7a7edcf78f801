#!/usr/bin/env bash
# One command on a fresh machine: set up, build, install the default and sentence models and
# the minutes' language model, and transcribe the bundled sample session, speakers included,
# into ./rapporteur-out/listening-session/, with draft minutes in reported speech and a
# thematic summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet
bin=target/release/rapporteur
$bin models install          # the default Whisper model for this CPU (base or base-bf16)
$bin models install minutes-llm
$bin run samples/listening-session.wav --out rapporteur-out
echo
cat rapporteur-out/listening-session/transcript.txt
echo
cargo run --release --quiet --example wer -- samples/listening-session.ref.txt rapporteur-out/listening-session/session.json
# Who spoke when, against the sample's RTTM (diarization error rate, collar 0.25 s).
cargo run --release --quiet --example der -- samples/listening-session.rttm rapporteur-out/listening-session/speakers.rttm | tail -1
# The draft minutes' recommendations (names from samples/listening-session.toml).
echo
sed -n '/^## Recommendations/,/^## The Global Compact/p' rapporteur-out/listening-session/minutes.md | sed '$d'
echo "outputs: $(ls rapporteur-out/listening-session | tr '\n' ' ')in rapporteur-out/listening-session/"
echo "review the draft beside the recording: open rapporteur-out/listening-session/review.html in a browser"
