#!/usr/bin/env bash
# The default run against the fastest peer (issue 22): `rapporteur run` with its defaults
# (language detected, diarization; minutes without the language model) against faster-whisper
# int8 with its defaults (language detected, greedy), on the same inputs, in turn, RUNS rounds
# (default 3); prints medians of wall time, peak memory, WER and the languages rapporteur
# tagged. `rapporteur run --no-diarize` runs too: the peer's work (plus word times and the
# documents) without telling speakers apart. With OLD (a commit), that commit's build runs in
# the same rounds as "before"; with OLD_BIN (a rapporteur binary), that binary does: use it
# when what changed is a build option (.cargo/config.toml), which OLD's build in this target
# folder would not see.
#   [OLD=07fb520 | OLD_BIN=/tmp/rapporteur-before] bench/default.sh [RUNS]
# Inputs (bench/prepare.sh): ami.wav (six AMI excerpts, 180 s), read.wav (LJ Speech, 106 s).
# Each system uses 2 threads. rapporteur runs its default model (base-bf16 or base, by CPU),
# then base and base-q8_0 by name. Needs sox, GNU time and python3-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bench=target/bench
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/$bench/models}
export RAPPORTEUR_MINUTES=extractive
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

bench/prepare.sh >&2
cargo build --release --quiet --bin rapporteur --example wer
bin=$work/rapporteur
cp target/release/rapporteur "$bin"
bench/peers.sh >&2
systems=()
if [ -n "${OLD:-}" ]; then
  tree=$work/old-tree
  git worktree add -q --detach "$tree" "$OLD"
  # The same target folder: only the rapporteur crate is rebuilt.
  (cd "$tree" && CARGO_TARGET_DIR="$OLDPWD/target" cargo build --release --quiet --bin rapporteur)
  cp target/release/rapporteur "$work/rapporteur-old"
  git worktree remove --force "$tree"
  cargo build --release --quiet --bin rapporteur
  systems+=("rapporteur $OLD (before)|base|$work/rapporteur-old run AUDIO --out OUT --quiet")
elif [ -n "${OLD_BIN:-}" ]; then
  cp "$OLD_BIN" "$work/rapporteur-old"
  systems+=("rapporteur $(basename "$OLD_BIN") (before)|base|$work/rapporteur-old run AUDIO --out OUT --quiet")
fi
# The default model depends on the CPU (base-bf16 where whisper.cpp multiplies bfloat16
# itself, else base): the "default" rows name the one it was in the model column.
systems+=("rapporteur (defaults)|default|$bin run AUDIO --out OUT --quiet")
systems+=("rapporteur|base|$bin run AUDIO --model base --out OUT --quiet")
systems+=("rapporteur|base-q8_0|$bin run AUDIO --model base-q8_0 --out OUT --quiet")
# The same work as the peer (no speakers told apart): where the time beyond it goes.
systems+=("rapporteur --no-diarize|default|$bin run AUDIO --no-diarize --out OUT --quiet")
systems+=("faster-whisper int8|base|$bench/venv/bin/python bench/faster_whisper_run.py $bench/ct2/base AUDIO int8 auto 2")
inputs=("ami|$bench/ami.ref.txt" "read|$bench/read.tsv")
fw_version=$("$bench/venv/bin/python" -c 'import faster_whisper, ctranslate2; print(faster_whisper.__version__, ctranslate2.__version__)')

results=$work/results.tsv
: > "$results"
for round in $(seq "$runs"); do
  for input in "${inputs[@]}"; do
    name=${input%%|*}; ref=${input#*|}
    for sys in "${systems[@]}"; do
      IFS='|' read -r system model cmd <<< "$sys"
      out=$(mktemp -d -p "$work")
      cmd=${cmd//AUDIO/$bench/$name.wav}; cmd=${cmd//OUT/$out}
      /usr/bin/time -f '%e %M' -o "$out/time" $cmd > "$out/stdout.txt"
      read -r wall kb < "$out/time"
      hyp=$out/stdout.txt; langs=-
      if [ -f "$out/$name/session.json" ]; then
        hyp=$out/$name/session.json
        [ "$model" = default ] && model="default: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["name"])' "$hyp")"
        langs=$(python3 -c 'import json,sys,collections; c=collections.Counter(s["language"] for s in json.load(open(sys.argv[1]))["segments"]); print(" ".join(f"{k}:{v}" for k,v in sorted(c.items())))' "$hyp")
      fi
      wer=$(target/release/examples/wer "$ref" "$hyp" | awk '{print $2}')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$system" "$model" "$round" "$wall" "$kb" "$wer" "$langs" >> "$results"
      echo "round $round $name $system $model: ${wall}s, WER $wer, segments $langs" >&2
      rm -rf "$out"
    done
  done
done

python3 - "$results" "$runs" "$fw_version" <<'PY'
import statistics, subprocess, sys
from collections import defaultdict
results, runs, fw = sys.argv[1], sys.argv[2], sys.argv[3]
rows = defaultdict(list)
for line in open(results):
    name, system, model, _, wall, kb, wer, langs = line.rstrip("\n").split("\t")
    rows[(name, system, model)].append((float(wall), int(kb), wer, langs))
peer = {name: statistics.median(w for w, *_ in r) for (name, system, _), r in rows.items() if system.startswith("faster-whisper")}
dur = {n: float(subprocess.run(["soxi", "-D", f"target/bench/{n}.wav"], capture_output=True, text=True).stdout) for n in peer}
print(f"faster-whisper / CTranslate2: {fw}\n")
print(f"| input | system | model | wall (median of {runs}) | runs | ratio to faster-whisper | peak RSS | WER | segments by language |")
print("|---|---|---|---|---|---|---|---|---|")
for (name, system, model), r in rows.items():
    med = statistics.median(w for w, *_ in r)
    walls = ", ".join(f"{w:.1f}" for w, *_ in r)
    wers = sorted(set(x[2] for x in r))
    print(f"| {name} ({dur[name]:.0f} s) | {system} | {model} | {med:.2f} s | {walls} | {med / peer[name]:.2f} | "
          f"{max(k for _, k, *_ in r) // 1024} MB | {' / '.join(wers)} | {r[-1][3]} |")
PY
