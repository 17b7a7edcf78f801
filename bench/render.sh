#!/usr/bin/env bash
# Re-render time for a one-hour session record (issue 5: under a second after an edit of
# speakers.toml). The sample is transcribed once (base), its session.json tiled to an hour
# (times shifted, ids renumbered), then `rapporteur render` is timed RUNS times, each after
# rewriting speakers.toml with new names; prints the median and every run.
#   bench/render.sh [RUNS]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
bench=target/bench/render
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/target/bench/models}
bin=target/release/rapporteur
cargo build --release --quiet
mkdir -p "$bench"
if [ ! -f "$bench/sample/listening-session/session.json" ]; then
  $bin models install base --quiet
  $bin run samples/listening-session.wav --model base --out "$bench/sample" --quiet
fi
hour=$bench/hour
mkdir -p "$hour"
cp samples/listening-session.toml "$hour/session.toml"
python3 - "$bench/sample/listening-session/session.json" "$hour/session.json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))
d = r["duration_s"]; reps = math.ceil(3600 / d)
shift = lambda x, o: round(x + o, 3)
segs, speech, turns = [], [], []
for k in range(reps):
    o = k * d; base = len(segs)
    for s in r["segments"]:
        s = json.loads(json.dumps(s)); s["id"] = base + s["id"]
        s["start"], s["end"] = shift(s["start"], o), shift(s["end"], o)
        for w in s["words"] + s["tokens"]:
            w["start"], w["end"] = shift(w["start"], o), shift(w["end"], o)
        segs.append(s)
    speech += [dict(t, start=shift(t["start"], o), end=shift(t["end"], o)) for t in r["speech"]]
    turns += [dict(t, start=shift(t["start"], o), end=shift(t["end"], o), segments=[base + i for i in t["segments"]]) for t in r["turns"]]
for sp in r["speakers"]:
    sp["talk_time_s"] = round(sp["talk_time_s"] * reps, 3)
r.update(duration_s=round(d * reps, 3), segments=segs, speech=speech, turns=turns)
json.dump(r, open(sys.argv[2], "w"))
print(f"one-hour record: {d * reps:.0f} s, {len(segs)} segments, {len(turns)} turns", file=sys.stderr)
PY
times=()
for i in $(seq "$runs"); do
  printf 'SPEAKER_1 = "Moderator %s"\nSPEAKER_3 = "Discussant %s"\n' "$i" "$i" > "$hour/speakers.toml"
  s=$(date +%s.%N)
  $bin render "$hour" --quiet
  e=$(date +%s.%N)
  grep -q "Discussant $i" "$hour/minutes.md"
  times+=("$(python3 -c "print(f'{$e - $s:.3f}')")")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "| record | runs | median render | all runs (s) |"
echo "|---|---|---|---|"
echo "| $(python3 -c "import json; r=json.load(open('$hour/session.json')); print(f\"{r['duration_s']:.0f} s, {len(r['segments'])} segments\")") | $runs | ${median} s | ${times[*]} |"
