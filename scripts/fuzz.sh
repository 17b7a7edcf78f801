#!/usr/bin/env bash
# Fuzzes the decoder, the session.toml / speakers.toml parsers and the rendering of user values
# into HTML with cargo-fuzz (libFuzzer, AddressSanitizer) for SECONDS per target (default 60);
# any panic, crash, failed check or input that takes over 10 s fails. Crashing inputs are kept
# in fuzz/artifacts/TARGET/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}; shift || true
targets=("${@:-decode}"); [ $# -eq 0 ] && targets=(decode session_toml speakers_toml render_html)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
# cargo-fuzz passes -Z sanitizer flags; the stable toolchain takes them with this set.
export RUSTC_BOOTSTRAP=1

# Seed corpora: a valid file of each format (the first byte picks the extension the target
# tries, see fuzz_targets/decode.rs), and the TOML files the project ships.
corpus=fuzz/corpus
mkdir -p "$corpus"/{decode,session_toml,speakers_toml,render_html}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
i=0
for ext in none wav mp3 m4a flac ogg mp4 mkv; do
  if [ "$ext" != none ] && [ ! -f "$corpus/decode/seed-$ext" ]; then
    ffmpeg -loglevel error -y -t 0.5 -i samples/listening-session.wav -ac 2 "$tmp/seed.$ext"
    { printf "\\x$(printf %02x $i)"; cat "$tmp/seed.$ext"; } > "$corpus/decode/seed-$ext"
  fi
  i=$((i + 1))
done
cp samples/listening-session.toml "$corpus/session_toml/seed-sample"
printf 'SPEAKER_1 = "Moderator: Maria Santos"\nSPEAKER_2 = "Daniel Okoro"\n' > "$corpus/speakers_toml/seed-names"
# render_html: fields split at U+001F (title, series, timezone, organiser, agenda title and
# speaker, participant name, role, organisation, a speakers.toml name, a voice name, the file
# name, a sentence, an unsure word; see fuzz_targets/render_html.rs): ordinary and hostile.
printf '%s\037' "Listening session" "Regional Network" "Europe/Geneva" "IOM" "Opening remarks" "John Smith" \
  "Jane Doe" "Moderator" "UNHCR" "Maria Santos" "Daniel Okoro" "listening-session.wav" "Good morning." > "$corpus/render_html/seed-ordinary"
printf '%s\037' "<script>alert(1)</script>" "*x* _y_ | z" "<img src=x onerror=alert(2)>" "[a](javascript:alert(3))" \
  "<javascript:alert(4)>" "# h" "- l" "1. n" "> q" '`c` \ &amp; {{ 7*7 }}' "![i](http://example.com/x.png)" \
  "javascript:alert(5) a b (1) #1 q?x 50%.wav" "</script><svg onload=alert(6)>" '"'"'"'><iframe>' > "$corpus/render_html/seed-hostile"

cd fuzz
for t in "${targets[@]}"; do
  echo "fuzzing $t for $secs s"
  log="$tmp/$t.log"
  if ! cargo fuzz run --release "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"; echo "fuzz target $t failed; a failing input, if any, is in fuzz/artifacts/$t/"; exit 1
  fi
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log"
done
