#!/usr/bin/env python3
"""The 16 read sentences of EVAL_DIR/read joined end to end into one WAV (one speaker, ~106 s),
for benchmarks that need a single-speaker recording with no listening-session content.

  bench/join-read.py EVAL_DIR OUT.wav
"""
import glob, sys, wave

files = sorted(glob.glob(sys.argv[1] + "/read/*.wav"))
with wave.open(sys.argv[2], "wb") as o:
    for i, f in enumerate(files):
        with wave.open(f) as w:
            if i == 0:
                o.setparams(w.getparams())
            o.writeframes(w.readframes(w.getnframes()))
