#!/usr/bin/env bash
# Opens a session's minutes.docx in LibreOffice (headless): converts it to PDF and the pages
# to PNG for a person to look at (issue 5's check that the Word file is real).
#   bench/docx-pages.sh SESSION_DIR     (needs libreoffice-writer-nogui and poppler-utils)
set -euo pipefail
dir=${1:?usage: bench/docx-pages.sh SESSION_DIR}
out=target/bench/docx
mkdir -p "$out"
soffice --headless --convert-to pdf --outdir "$out" "$dir/minutes.docx" >/dev/null
pdftoppm -r 80 -png "$out/minutes.pdf" "$out/page"
pdfinfo "$out/minutes.pdf" | grep Pages
ls "$out"/page*.png
