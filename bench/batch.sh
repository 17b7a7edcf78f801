#!/usr/bin/env bash
# A batch of N copies of the sample as 44.1 kHz stereo MP3 (each its own audio: a different
# tone is mixed in quietly, so none is skipped), `rapporteur batch` with base, once with the
# current build and once with OLD (default 782fc9c, which decoded each recording only when
# its turn came), in turn, ROUNDS times; prints the medians.
#   bench/batch.sh [N] [ROUNDS] [OLD]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3}; rounds=${2:-3}; old=${3:-782fc9c}
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/target/bench/models}
work=$(mktemp -d); tree=$(mktemp -d)
trap 'git worktree remove --force "$tree"; rm -rf "$work"' EXIT
git worktree add -q --detach "$tree" "$old"
(cd "$tree" && CARGO_TARGET_DIR="$OLDPWD/target" cargo build --release --quiet --bin rapporteur)
cp target/release/rapporteur "$work/rapporteur-old"
cargo build --release --quiet --bin rapporteur
cp target/release/rapporteur "$work/rapporteur-new"
"$work/rapporteur-new" models install base --quiet
mkdir -p "$work/in"
for i in $(seq "$n"); do
  ffmpeg -loglevel error -i samples/listening-session.wav -f lavfi -i "sine=frequency=$((50 + i)):sample_rate=16000" \
    -filter_complex "[1]volume=0.001[t];[0][t]amix=inputs=2:duration=first" -ar 44100 -ac 2 -b:a 64k "$work/in/session-$i.mp3"
done
for r in $(seq "$rounds"); do
  for v in old new; do
    rm -rf "$work/out-$v"
    s=$(date +%s.%N)
    "$work/rapporteur-$v" batch "$work/in" --out "$work/out-$v" --model base --quiet
    e=$(date +%s.%N)
    echo "$r $v $(python3 -c "print(f'{$e-$s:.2f}')")" | tee -a "$work/times"
  done
done
python3 - "$work/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    _, v, s = line.split()
    t.setdefault(v, []).append(float(s))
for v in ("old", "new"):
    print(f"{v}: median {statistics.median(t[v]):.2f} s over {len(t[v])} runs ({', '.join(f'{x:.2f}' for x in t[v])})")
PY
