#!/usr/bin/env bash
# Foundation figures: wall time (median of RUNS), peak RSS and WER of `rapporteur run`
# on jfk.wav (../shared/eval) and on the bundled sample, with tiny.en and base.
# Usage: bench/foundation.sh [RUNS]   (needs GNU time: Debian package `time`)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
eval_dir=../shared/eval
cargo build --release --quiet --example wer
bin=target/release/rapporteur
wer=target/release/examples/wer
$bin models install tiny.en base --quiet
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '%s\n' "$(printf '%s' "And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country.")" > "$tmp/jfk.txt"

echo "| input | model | audio | wall (median of $runs) | real-time factor | peak RSS | WER |"
echo "|---|---|---|---|---|---|---|"
for case in "jfk.wav|$eval_dir/speech/jfk.wav|$tmp/jfk.txt" "sample|samples/listening-session.wav|samples/listening-session.ref.txt"; do
  IFS='|' read -r label audio ref <<< "$case"
  for model in tiny.en base; do
    walls=(); rss=0
    for _ in $(seq "$runs"); do
      /usr/bin/time -f '%e %M' -o "$tmp/t" $bin run "$audio" --model "$model" --language en --no-diarize --out "$tmp/out" --quiet
      read -r wall kb < "$tmp/t"; walls+=("$wall"); (( kb > rss )) && rss=$kb
    done
    median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    stem=$(basename "$audio" .wav)
    dur=$(python3 -c "import json;print(json.load(open('$tmp/out/$stem/session.json'))['duration_s'])")
    w=$($wer "$ref" "$tmp/out/$stem/session.json" | awk '{print $2}')
    echo "| $label | $model | ${dur} s | ${median} s | $(python3 -c "print(f'{$median/$dur:.3f}')") | $((rss / 1024)) MB | $w |"
  done
done
