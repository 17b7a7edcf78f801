#!/usr/bin/env python3
"""faster-whisper's transcription alone, the model loaded first: what a CTranslate2 engine
behind rapporteur's engine seam could take at most (issue 22).

usage: faster_whisper_stage.py MODEL_DIR AUDIO WORD_TIMES(0|1)
int8, 2 threads, greedy; prints the load and transcription times on one line. Run it with the
venv of bench/peers.sh, beside `rapporteur run AUDIO --json` (its `stage_done` times).
"""
import sys
import time

from faster_whisper import WhisperModel

model_dir, audio, words = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
t0 = time.perf_counter()
model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=2, num_workers=1)
t1 = time.perf_counter()
segments, _ = model.transcribe(audio, beam_size=1, word_timestamps=words)
n = sum(1 for _ in segments)  # the segments are decoded as they are read
t2 = time.perf_counter()
print(f"words={int(words)} load={t1 - t0:.2f}s transcribe={t2 - t1:.2f}s segments={n}")
