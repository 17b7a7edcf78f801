#!/usr/bin/env bash
# The review page of a one-hour session (the record bench/render.sh builds): its size, how long
# `rapporteur render` takes with it, and in headless Chromium its load time and the time to
# filter by speaker and to search. Needs `scripts/setup.sh test` (Chromium, playwright-core).
#   bench/review.sh [RUNS]     (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
hour=target/bench/render/hour
[ -f "$hour/session.json" ] || bench/render.sh 1 >/dev/null
target/release/rapporteur render "$hour" --quiet
echo "review.html $(stat -c %s "$hour/review.html") bytes, timeline.svg $(stat -c %s "$hour/timeline.svg") bytes"
echo "| page | loads | median load | speaker filter | search |"
echo "|---|---|---|---|---|"
node bench/review.mjs "$hour/review.html" "$runs"
