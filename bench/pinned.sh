#!/usr/bin/env bash
# Is `--language en` on English audio as fast as before per-stretch language detection?
# Builds the commit before issue 7 (OLD, default 467e979) beside the current tree, then times
# both on the bundled sample with base and --language LANGUAGE (default en; `auto` measures
# what detection costs), in turn, ROUNDS times (default 5); prints each run and the medians.
#   [LANGUAGE=auto] bench/pinned.sh [ROUNDS] [OLD]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; old=${2:-467e979}
export RAPPORTEUR_MODELS=${RAPPORTEUR_MODELS:-$PWD/target/bench/models}
tree=$(mktemp -d); out=$(mktemp -d); trap 'git worktree remove --force "$tree"; rm -rf "$out"' EXIT
git worktree add -q --detach "$tree" "$old"
# The same target folder: only the rapporteur crate is rebuilt.
(cd "$tree" && CARGO_TARGET_DIR="$OLDPWD/target" cargo build --release --quiet --bin rapporteur)
cp target/release/rapporteur "$out/rapporteur-old"
cargo build --release --quiet --bin rapporteur
cp target/release/rapporteur "$out/rapporteur-new"
"$out/rapporteur-new" models install base --quiet
for r in $(seq "$rounds"); do
  for v in old new; do
    s=$(date +%s.%N)
    "$out/rapporteur-$v" run samples/listening-session.wav --model base --language "${LANGUAGE:-en}" --out "$out/$v" --quiet
    e=$(date +%s.%N)
    echo "$r $v $(python3 -c "print(f'{$e-$s:.2f}')")" | tee -a "$out/times"
  done
done
python3 - "$out/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    _, v, s = line.split()
    t.setdefault(v, []).append(float(s))
for v in ("old", "new"):
    print(f"{v}: median {statistics.median(t[v]):.2f} s over {len(t[v])} runs ({', '.join(f'{x:.2f}' for x in t[v])})")
PY
