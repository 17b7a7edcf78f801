#!/usr/bin/env python3
"""Peer (c) of the transcription benchmark: faster-whisper on a CTranslate2 model folder.

usage: faster_whisper_run.py MODEL_DIR AUDIO COMPUTE_TYPE [LANGUAGE] [THREADS]
Greedy decoding (beam_size=1), faster-whisper's other defaults; LANGUAGE `auto` lets it
detect the language (once, on the first 30 s). Prints the transcript on stdout.
"""
import sys

from faster_whisper import WhisperModel

model_dir, audio, compute_type = sys.argv[1:4]
language = sys.argv[4] if len(sys.argv) > 4 else "en"
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
model = WhisperModel(model_dir, device="cpu", compute_type=compute_type, cpu_threads=threads, num_workers=1)
segments, _ = model.transcribe(audio, beam_size=1, language=None if language == "auto" else language)
for s in segments:
    print(s.text.strip())
