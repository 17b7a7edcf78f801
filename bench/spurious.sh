#!/usr/bin/env bash
# Spurious voices (issue 20): how many voices the diarizer finds with the "a few seconds join
# their nearest voice unless clearly different" rule off (RAPPORTEUR_DIAR_FEW=0) and on (the
# defaults), on the dev recordings with their DER, and on made-up recordings with a short true
# second speaker: four read sentences of LJ Speech with 1, 1.5 or 2.5 s of one Common Voice
# clip (fr, es) in the middle (60 files), which should keep their second voice.
#   bench/spurious.sh [EVAL_DIR]        (default ../shared/eval)
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(realpath "${1:-../shared/eval}")
out=target/bench/spurious; rm -rf "$out"; mkdir -p "$out/made"
cargo build --release --quiet --example diarize --example der
bin=${CARGO_TARGET_DIR:-target}/release/examples
python3 - "$eval_dir" "$out/made" <<'PY'
import array, glob, sys, wave
ev, out = sys.argv[1], sys.argv[2]
def read(f):
    with wave.open(f) as w:
        return array.array("h", w.readframes(w.getnframes()))
lj = [read(f) for f in sorted(glob.glob(ev + "/read/*.wav"))]
cv = sorted(glob.glob(ev + "/languages/fr/*.wav")) + sorted(glob.glob(ev + "/languages/es/*.wav"))
pause = array.array("h", [0] * 8000)
for i, f in enumerate(cv):
    x = read(f)
    peak = max(abs(v) for v in x)
    loud = [j for j, v in enumerate(x) if abs(v) > 0.05 * peak]
    x = x[loud[0]:loud[-1]]
    for d in (1.0, 1.5, 2.5):
        n = int(d * 16000)
        mid = max(0, (len(x) - n) // 2)
        with wave.open(f"{out}/m{i:02d}_{d}.wav", "wb") as o:
            o.setnchannels(1); o.setsampwidth(2); o.setframerate(16000)
            for p in (lj[i % 12], pause, lj[i % 12 + 1], pause, x[mid:mid + n], pause, lj[i % 12 + 2], pause, lj[i % 12 + 3]):
                o.writeframes(p.tobytes())
PY
bench/join-read.py "$eval_dir" "$out/read.wav"
dev=("$eval_dir"/ami/*.wav "$eval_dir"/conversation/sample.wav "$eval_dir"/speech/jfk.wav "$eval_dir"/speech/gb0.wav
     "$out/read.wav" "$eval_dir"/minutes/*/session.wav)
ref() { case $1 in sample) echo "$eval_dir/conversation/sample.rttm";; session) echo "$eval_dir/minutes/A/ref.rttm";;
  jfk|gb0|read) echo "";; *) echo "$eval_dir/ami/$1.rttm";; esac; }
echo "| recording | reference speakers | voices, rule off | voices, rule on | DER off | DER on |"
echo "|---|---|---|---|---|---|"
RAPPORTEUR_DIAR_FEW=0 $bin/diarize "$out/off" "${dev[@]}" > "$out/off.tsv"
$bin/diarize "$out/on" "${dev[@]}" > "$out/on.tsv"
paste "$out/off.tsv" "$out/on.tsv" | while IFS=$'\t' read -r stem _ _ off _ _ _ on; do
  r=$(ref "$stem"); refs=1; der_off=""; der_on=""
  if [ -n "$r" ]; then
    refs=$(awk '{print $8}' "$r" | sort -u | wc -l)
    der_off=$($bin/der "$r" "$out/off/$stem.rttm" | awk -F'|' '/total/{gsub(/ /,"",$3); print $3; exit}')
    der_on=$($bin/der "$r" "$out/on/$stem.rttm" | awk -F'|' '/total/{gsub(/ /,"",$3); print $3; exit}')
  fi
  echo "| $stem | $refs | $off | $on | $der_off | $der_on |"
done
kept() { awk -F'\t' '$4 == 2' | wc -l; }
echo
echo "Made-up recordings with a short true second speaker (60): two voices found with the rule off" \
  "$(RAPPORTEUR_DIAR_FEW=0 $bin/diarize "$out/made-off" "$out"/made/*.wav | kept), on $($bin/diarize "$out/made-on" "$out"/made/*.wav | kept)"
