#!/usr/bin/env bash
# Translations that may be wrong (issue 20): runs `rapporteur run --languages en,fr,es
# --translate` on the 20 Common Voice clips (fr, es) and the bundled mixed-languages sample
# and prints, for every translated segment, what was heard, its English and the doubt
# rapporteur stored (`translation_doubt`), then how many translations were doubted.
#   bench/translations.sh [EVAL_DIR]        (default ../shared/eval)
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(realpath "${1:-../shared/eval}")
cargo build --release --quiet --bin rapporteur
bin=${CARGO_TARGET_DIR:-target}/release/rapporteur
$bin models install base --quiet
out=${CARGO_TARGET_DIR:-target}/bench/translations; rm -rf "$out"; mkdir -p "$out"
for f in "$eval_dir"/languages/fr/*.wav "$eval_dir"/languages/es/*.wav samples/mixed-languages.wav; do
  $bin run "$f" --languages en,fr,es --translate --out "$out" --quiet
done
python3 - "$out" <<'PY'
import glob, json, sys
rows = []
for f in sorted(glob.glob(sys.argv[1] + "/*/session.json")):
    for s in json.load(open(f, encoding="utf-8"))["segments"]:
        if s.get("translation"):
            rows.append((s["language"], s["text"], s["translation"], s.get("translation_doubt") or ""))
print("| language | heard | English | doubt |\n|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
print(f"\n{sum(1 for r in rows if r[3])} of {len(rows)} translations doubted")
PY
