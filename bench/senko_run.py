"""The peer for the diarization benchmark: senko 0.2.2's CPU pipeline on each WAV.

usage: senko_run.py OUT_DIR WAV...  writes OUT_DIR/<stem>.rttm and prints
`<stem> <audio seconds> <diarization seconds> <speakers>` per file; the models are
loaded and warmed up before the clock starts, as for rapporteur.
"""

import os
import sys
import time
import wave

import senko

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
diarizer = senko.Diarizer(device="cpu", warmup=True, quiet=True)
for path in sys.argv[2:]:
    stem = os.path.splitext(os.path.basename(path))[0]
    with wave.open(path) as w:
        seconds = w.getnframes() / w.getframerate()
    start = time.perf_counter()
    result = diarizer.diarize(path)
    elapsed = time.perf_counter() - start
    segments = result["merged_segments"] if result else []
    with open(os.path.join(out, stem + ".rttm"), "w") as f:
        for s in segments:
            f.write(f"SPEAKER {stem} 1 {s['start']:.3f} {s['end'] - s['start']:.3f} <NA> <NA> {s['speaker']} <NA> <NA>\n")
    print(f"{stem}\t{seconds:.1f}\t{elapsed:.2f}\t{len({s['speaker'] for s in segments})}", flush=True)
