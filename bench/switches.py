#!/usr/bin/env python3
"""Language switches: mixed recordings built from ../shared/eval (English read speech from
read/, French and Spanish Common Voice clips from languages/, only clips with speech), each
EN → FR → EN → ES → EN with 0.3 s between clips, so a switch has no longer pause than any
other. Runs `rapporteur run` on them and checks that every switch between stretches longer
than 10 s is found within 5 s (a found switch is the midpoint between the last segment in one
language and the first in the next).
  bench/switches.py [RECORDINGS] [-- extra run arguments, e.g. --languages en,fr,es]
"""
import json, os, random, subprocess, sys, tempfile, wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
GAP = 0.3
RATE = 16000
# The Spanish clips with speech (the others are near-silent, see BENCHMARKS.md).
ES = ["34925862", "34925863", "34925864", "34925865", "34925866"]


def read(path):
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def stretch(pool, rng, at_least):
    clips, total = [], 0.0
    for path in rng.sample(pool, len(pool)):
        clips.append(read(path))
        total += len(clips[-1]) / RATE + GAP
        if total >= at_least:
            break
    return clips


def main():
    args = sys.argv[1:]
    extra = args[args.index("--") + 1:] if "--" in args else []
    n = int(args[0]) if args and args[0] != "--" else 4
    en = sorted((EVAL / "read").glob("*.wav"))
    fr = sorted((EVAL / "languages" / "fr").glob("*.wav"))
    es = [EVAL / "languages" / "es" / f"common_voice_es_{i}.wav" for i in ES]
    bin_ = ROOT / "target" / "release" / "rapporteur"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(os.environ.get("KEEP", tmp))
        truths = {}
        for k in range(n):
            rng = random.Random(k)
            plan = [("en", en, 12), ("fr", fr, 12), ("en", en, 12), ("es", es, 12), ("en", en, 12)]
            audio, runs, t = [], [], 0.0
            for lang, pool, least in plan:
                start = t
                for clip in stretch(pool, rng, least):
                    audio += [clip, np.zeros(int(GAP * RATE), np.int16)]
                    t += len(clip) / RATE + GAP
                runs.append((lang, start, t))
            path = tmp / f"mixed-{k}.wav"
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
                w.writeframes(np.concatenate(audio).tobytes())
            truths[path.stem] = runs
        out = tmp / "out"
        subprocess.run([str(bin_), "run", *map(str, sorted(tmp.glob("*.wav"))), "--no-diarize", "--out", str(out), "--quiet", *extra], check=True)
        print("| recording | true switches (s) | found (s) | within 5 s | extra switches |")
        print("|---|---|---|---|---|")
        hit = total = extra_found = 0
        for name, runs in truths.items():
            segs = json.load(open(out / name / "session.json"))["segments"]
            found = [((a["end"] + b["start"]) / 2, a["language"], b["language"]) for a, b in zip(segs, segs[1:]) if a["language"] != b["language"]]
            true = [(runs[i][2], runs[i][0], runs[i + 1][0]) for i in range(len(runs) - 1)
                    if runs[i][2] - runs[i][1] > 10 and runs[i + 1][2] - runs[i + 1][1] > 10]
            ok = sum(1 for (t, a, b) in true if any(abs(f - t) <= 5 and fa == a and fb == b for f, fa, fb in found))
            spurious = sum(1 for (f, _, _) in found if not any(abs(f - t) <= 5 for t, _, _ in true))
            hit, total, extra_found = hit + ok, total + len(true), extra_found + spurious
            fmt = lambda xs: ", ".join(f"{t:.1f} {a}→{b}" for t, a, b in xs)
            print(f"| {name} | {fmt(true)} | {fmt(found)} | {ok}/{len(true)} | {spurious} |")
        print(f"\n{hit} of {total} switches found within 5 s; {extra_found} extra switches")


if __name__ == "__main__":
    main()
