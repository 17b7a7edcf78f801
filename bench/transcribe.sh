#!/usr/bin/env bash
# Transcription benchmark (issue 3): rapporteur against its peers on ../shared/eval, in the
# same run, in turn, RUNS rounds; prints a Markdown table of medians.
#
#   bench/transcribe.sh [RUNS]        (default 3)
#
# Systems, all with 2 threads, greedy decoding, language fixed to English:
#   rapporteur        `rapporteur run --no-diarize` (transcription only: VAD chunks, 2 workers × 1 thread)
#   whisper-rs 1 call whisper-rs defaults, the whole file in one full() call (bench/whisper_one_call.rs)
#   faster-whisper    int8 and float32 on the same CTranslate2 folders the models come from
# Inputs (bench/prepare.sh): ami.wav (six AMI excerpts, 180 s), gb0.wav (127 s, speed only),
# read.wav (16 LJ Speech sentences, 106 s). Needs sox, GNU time and python3-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
threads=2
bench=target/bench
bin=target/release/rapporteur
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/$bench/models}

bench/prepare.sh >&2
cargo build --release --quiet --examples
cargo build --release --quiet
bench/peers.sh >&2
fw_version=$("$bench/venv/bin/python" -c 'import faster_whisper, ctranslate2; print(faster_whisper.__version__, ctranslate2.__version__)')

# system|model label|command (AUDIO and OUT are substituted)
systems=()
for m in tiny.en base; do
  systems+=("rapporteur|$m|$bin run AUDIO --model $m --language en --no-diarize --out OUT --quiet")
  systems+=("rapporteur|$m-q8_0|$bin run AUDIO --model $m-q8_0 --language en --no-diarize --out OUT --quiet")
  systems+=("whisper-rs 1 call|$m|target/release/examples/whisper_one_call $RAPPORTEUR_MODELS/ggml-$m.bin AUDIO en $threads")
  systems+=("faster-whisper int8|$m|$bench/venv/bin/python bench/faster_whisper_run.py $bench/ct2/$m AUDIO int8 en $threads")
  systems+=("faster-whisper float32|$m|$bench/venv/bin/python bench/faster_whisper_run.py $bench/ct2/$m AUDIO float32 en $threads")
done
inputs=("ami|$bench/ami.ref.txt" "gb0|" "read|$bench/read.tsv")

results=$bench/results.tsv
: > "$results"; : > "$results.wer"
for round in $(seq "$runs"); do
  for input in "${inputs[@]}"; do
    name=${input%%|*}
    for sys in "${systems[@]}"; do
      IFS='|' read -r system model cmd <<< "$sys"
      out=$(mktemp -d)
      cmd=${cmd//AUDIO/$bench/$name.wav}; cmd=${cmd//OUT/$out}
      /usr/bin/time -f '%e %M' -o "$out/time" $cmd > "$out/stdout.txt"
      read -r wall kb < "$out/time"
      hyp=$out/stdout.txt; [ -f "$out/$name/session.json" ] && hyp=$out/$name/session.json
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$system" "$model" "$round" "$wall" "$kb" "$hyp" >> "$results"
      if [ "$round" = "$runs" ]; then
        ref=${input#*|}
        w=-; [ -n "$ref" ] && w=$(target/release/examples/wer "$ref" "$hyp" | awk '{print $2}')
        printf '%s\t%s\t%s\twer\t%s\n' "$name" "$system" "$model" "$w" >> "$results.wer"
      else
        rm -rf "$out"
      fi
      echo "round $round $name $system $model: ${wall}s" >&2
    done
  done
done

python3 - "$results" "$results.wer" "$runs" "$fw_version" <<'EOF'
import statistics, subprocess, sys
from collections import defaultdict
results, wers, runs, fw = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
durations = {n: float(subprocess.run(["soxi", "-D", f"target/bench/{n}.wav"], capture_output=True, text=True).stdout) for n in ["ami", "gb0", "read"]}
walls, rss = defaultdict(list), defaultdict(int)
for line in open(results):
    name, system, model, _, wall, kb, _ = line.rstrip("\n").split("\t")
    walls[(name, system, model)].append(float(wall))
    rss[(name, system, model)] = max(rss[(name, system, model)], int(kb))
wer = {}
for line in open(wers):
    name, system, model, _, w = line.rstrip("\n").split("\t")
    wer[(name, system, model)] = w
print(f"faster-whisper / CTranslate2: {fw}\n")
print(f"| input | model | system | wall (median of {runs}) | real-time factor | peak RSS | WER |")
print("|---|---|---|---|---|---|---|")
for key in walls:
    name, system, model = key
    med = statistics.median(walls[key])
    print(f"| {name} ({durations[name]:.0f} s) | {model} | {system} | {med:.2f} s | {med / durations[name]:.3f} | {rss[key] // 1024} MB | {wer.get(key, '-')} |")
EOF
rm -f "$results.wer"
