#!/usr/bin/env bash
# The minutes in reported speech (issue 21), end to end from the audio with the default
# settings and the language model installed:
# 1. each listening session in EVAL/minutes/*/ (session.wav with its session.toml beside it) is
#    run; the transcription and the language model's stage are timed from the run's own stage
#    events, the run's peak memory (the model's process included) by /usr/bin/time;
# 2. its minutes are scored (score_minutes.py) and checked for invented numbers and names
#    (bench/grounded.py), then the same record rendered with `--minutes extractive` is scored
#    the same way, for comparison;
# 3. the sentences the checker refused are counted and three shown;
# 4. determinism: analysis.json removed, `render` writes the minutes again: byte-identical?
# 5. a rename (speakers.toml) is rendered with the model's program unreachable: the sentences
#    are re-used and carry the new name.
#   bench/prose.sh [EVAL_DIR]        (default ../shared/eval)
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(realpath "${1:-../shared/eval}")
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/target/bench/models}
cargo build --release --quiet
bin=$PWD/target/release/rapporteur
$bin models install base minutes-llm --quiet
out=target/bench/prose; rm -rf "$out"; mkdir -p "$out/in"

for s in "$eval_dir"/minutes/*/; do
  name=$(basename "$s"); [ -f "$s/facts.json" ] || continue
  cp "$s/session.wav" "$out/in/$name.wav"; cp "$s/session.toml" "$out/in/$name.toml"
  /usr/bin/time -v "$bin" run "$out/in/$name.wav" --out "$out/sessions" --json 2> "$out/$name.log"
  dir="$out/sessions/$name"
  echo "## $name"
  python3 - "$out/$name.log" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
stages = {}
for line in text.splitlines():
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "stage_done":
        stages[e["stage"]] = stages.get(e["stage"], 0) + e["seconds"]
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
print(f"transcribe {stages.get('transcribe', 0):.1f} s, write minutes {stages.get('write minutes', 0):.1f} s "
      f"(ratio {stages.get('write minutes', 0) / max(stages.get('transcribe', 1), 1e-9):.2f}), "
      f"run {wall.group(1) if wall else '?'}, peak memory {int(rss.group(1)) / 1024:.0f} MB" if rss else "")
PY
  echo "### with the language model"
  python3 "$eval_dir/minutes/score_minutes.py" "$dir" "$s/facts.json" | tail -1
  python3 bench/grounded.py "$dir"
  python3 - "$dir/analysis.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["prose"]
print(f"sentences written {p['written']}, refused {len(p['refused'])}; points rewritten "
      f"{sum(1 for x in p['points'] if x)}; facet summaries {len(p['facets'])}")
for r in p["refused"][:3]:
    print(f"  refused ({r['why']}): {r['text']}")
PY
  echo "### extractive (the same record)"
  # Copies sit as deep as the session folder, so that their links to the recording read alike.
  mkdir -p "$out/extractive" "$out/again" "$out/renamed"
  cp -r "$dir" "$out/extractive/"
  $bin render "$out/extractive/$name" --minutes extractive --quiet
  python3 "$eval_dir/minutes/score_minutes.py" "$out/extractive/$name" "$s/facts.json" | tail -1
  python3 bench/grounded.py "$out/extractive/$name" | tail -1

  echo "### made again from nothing"
  cp -r "$dir" "$out/again/"; rm "$out/again/$name/analysis.json"
  $bin render "$out/again/$name" --quiet
  cmp "$dir/minutes.md" "$out/again/$name/minutes.md" && echo "minutes.md identical"

  echo "### renamed, the model's program unreachable"
  voice=$(python3 -c "import json,sys; a=json.load(open('$dir/analysis.json')); print(next(x['speaker'] for x,s in zip(a['points'],a['prose']['points']) if s))")
  cp -r "$dir" "$out/renamed/"; echo "$voice = \"Rosa Ruiz\"" > "$out/renamed/$name/speakers.toml"
  asked=$(RAPPORTEUR_LLM_BIN=/nonexistent $bin render "$out/renamed/$name" --json 2>&1 | grep -c '"write minutes"' || true)
  echo "times the model was asked: $asked"
  grep -c "Rosa Ruiz [a-z]" "$out/renamed/$name/minutes.md" | sed 's/^/sentences beginning "Rosa Ruiz": /'
done
