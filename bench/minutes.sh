#!/usr/bin/env bash
# The minutes benchmark (issue 19), end to end from the audio with the default settings:
# 1. each listening session in EVAL/minutes/*/ (session.wav, with its session.toml beside it as
#    the user would put it) is run, its minutes.md and summary.md scored with
#    score_minutes.py (planted items found and placed per facet, attribution, recommendation
#    precision), and its minutes.docx converted to PDF to count the Word pages
#    (bench/docx-pages.sh; needs libreoffice-writer-nogui and poppler-utils);
# 2. material with no listening-session content (the AMI clips, the conversation, the read
#    speech joined into one file, a radio address) is run: it must get no recommendation and
#    no facet with more than 5% of the speech;
# 3. the analysis alone is timed: `render` without analysis.json (made again, the sentence
#    model loaded) against `render` with it, 3 times each in turn, on each session and on a
#    one-hour record made by repeating the first session's record six times end to end.
#   bench/minutes.sh [EVAL_DIR]        (default ../shared/eval)
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(realpath "${1:-../shared/eval}")
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/target/bench/models}
cargo build --release --quiet --bin rapporteur
bin=$PWD/target/release/rapporteur
$bin models install base --quiet
out=target/bench/minutes; rm -rf "$out"; mkdir -p "$out/in" "$out/plain"
now() { date +%s.%N; }

echo "## Listening sessions"
for s in "$eval_dir"/minutes/*/; do
  name=$(basename "$s"); [ -f "$s/facts.json" ] || continue
  cp "$s/session.wav" "$out/in/$name.wav"; cp "$s/session.toml" "$out/in/$name.toml"
  t0=$(now); $bin run "$out/in/$name.wav" --out "$out/sessions" --quiet; t1=$(now)
  echo "### $name: run $(python3 -c "print(f'{$t1-$t0:.1f}')") s"
  python3 "$eval_dir/minutes/score_minutes.py" "$out/sessions/$name" "$s/facts.json" --json "$out/$name.score.json"
  bench/docx-pages.sh "$out/sessions/$name" | grep Pages
done

echo "## No listening-session content"
bench/join-read.py "$eval_dir" "$out/in/read.wav"
for f in "$eval_dir"/ami/*.wav "$eval_dir/conversation/sample.wav" "$eval_dir/speech/gb0.wav" "$out/in/read.wav"; do
  $bin run "$f" --out "$out/plain" --quiet
done
python3 - "$out/plain" <<'PY'
import json, pathlib, sys
worst = 0.0
for d in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    a = json.loads((d / "analysis.json").read_text())
    r = json.loads((d / "session.json").read_text())
    speech = sum(s["end"] - s["start"] for s in r["segments"]) or 1.0
    share = {}
    for p in a["points"]:
        for t in p["themes"]:
            if t["taxonomy"] == "listening-session":
                share[t["theme"]] = share.get(t["theme"], 0) + (p["end"] - p["start"]) / speech
    recs = share.get("recommendations", 0)
    top = max(share.values(), default=0.0)
    worst = max(worst, top)
    print(f"{d.name:10} {len(a['points']):3} points, {sum(1 for p in a['points'] if p['themes']):2} placed, "
          f"recommendations {recs:.1%}, largest facet {top:.1%}")
print(f"largest facet share on any: {worst:.1%}")
PY

echo "## Analysis time (render without / with analysis.json, medians of 3)"
python3 - "$out/sessions" "$out/hour" <<'PY'
import json, pathlib, shutil, sys
src = next(p for p in sorted(pathlib.Path(sys.argv[1]).iterdir()) if (p / "session.json").exists())
r = json.loads((src / "session.json").read_text())
segs, turns, d = [], [], r["duration_s"]
for k in range(6):
    for s in r["segments"]:
        t = dict(s, id=len(segs), start=s["start"] + k * d, end=s["end"] + k * d,
                 words=[dict(w, start=w["start"] + k * d, end=w["end"] + k * d) for w in s["words"]])
        segs.append(t)
    for t in r["turns"]:
        turns.append(dict(t, start=t["start"] + k * d, end=t["end"] + k * d,
                          segments=[i + k * len(r["segments"]) for i in t["segments"]]))
r.update(segments=segs, turns=turns, duration_s=6 * d)
hour = pathlib.Path(sys.argv[2]); hour.mkdir(parents=True, exist_ok=True)
(hour / "session.json").write_text(json.dumps(r))
shutil.copy(src / "session.toml", hour / "session.toml")
PY
for dir in "$out"/sessions/* "$out/hour"; do
  : > "$out/times"
  for r in 1 2 3; do
    rm -f "$dir/analysis.json"
    t0=$(now); $bin render "$dir" --quiet; t1=$(now); $bin render "$dir" --quiet; t2=$(now)
    echo "$t0 $t1 $t2" >> "$out/times"
  done
  python3 - "$dir" "$out/times" <<'PY'
import json, statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[2])]
without = statistics.median(b - a for a, b, _ in rows)
with_ = statistics.median(c - b for _, b, c in rows)
a = json.load(open(sys.argv[1] + "/analysis.json"))
r = json.load(open(sys.argv[1] + "/session.json"))
print(f"{sys.argv[1].split('/')[-1]:10} {r['duration_s'] / 60:5.1f} min, {len(a['points'])} points: "
      f"render {without:.2f} s making the analysis, {with_:.2f} s re-using it; analysis {without - with_:.2f} s")
PY
done
