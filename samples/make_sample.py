#!/usr/bin/env python3
"""Generate a bundled sample session from its script with Debian's TTS voices:
  make_sample.py                    listening-session from script.tsv
  make_sample.py mixed-languages    mixed-languages from script-mixed-languages.tsv (English
                                    with one French and one Spanish intervention, issue 7)

Each turn is spoken by festival (text2wave) or espeak-ng, trimmed of its leading and trailing
silence with sox, resampled to 16 kHz mono, and joined with short pauses. Writes:
  NAME.wav      the recording (16 kHz mono 16-bit)
  NAME.ref.txt  `[start-end] SPEAKER: text` per turn
  NAME.rttm     who spoke when (standard RTTM)

Needs: festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts espeak-ng sox (Debian packages).
The outputs are committed, so running the demo or the tests needs no TTS.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = sys.argv[1] if len(sys.argv) > 1 else "listening-session"
SCRIPT = "script.tsv" if NAME == "listening-session" else f"script-{NAME}.tsv"
RATE = 16000
LEAD_IN = 0.8      # seconds of silence before the first turn
GAP_SAME = 0.6     # pause between two turns of one speaker
GAP_CHANGE = 1.0   # pause when the speaker changes
# espeak-ng words per minute: slower for the French and Spanish, which whisper base hears
# more clearly that way.
ESPEAK_SPEED = {"mixed-languages": "125"}


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def speak(voice: str, text: str, out: Path) -> None:
    engine, name = voice.split(":", 1)
    raw = out.with_suffix(".raw.wav")
    if engine == "festival":
        run(["text2wave", "-eval", f"(voice_{name})", "-o", str(raw)], input=text.encode())
    elif engine == "espeak":
        run(["espeak-ng", "-v", name, "-s", ESPEAK_SPEED.get(NAME, "150"), "-w", str(raw), text])
    else:
        sys.exit(f"unknown TTS engine in voice '{voice}'")
    # Trim silence at both ends so the RTTM marks speech, not padding; normalise level.
    run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out),
         "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
         "norm", "-3"])


def duration(path: Path) -> float:
    return float(subprocess.run(["soxi", "-D", str(path)], check=True, capture_output=True, text=True).stdout)


def main() -> None:
    turns = []
    for line in (HERE / SCRIPT).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            speaker, voice, text = line.split("\t")
            turns.append((speaker, voice, text))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pieces, ref, rttm = [], [], []
        t = 0.0
        prev = None
        for i, (speaker, voice, text) in enumerate(turns):
            gap = LEAD_IN if prev is None else (GAP_SAME if speaker == prev else GAP_CHANGE)
            silence = tmp / f"gap{i}.wav"
            run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(silence), "trim", "0", f"{gap:.3f}"])
            pieces.append(silence)
            t += gap
            speech = tmp / f"turn{i}.wav"
            speak(voice, text, speech)
            d = duration(speech)
            pieces.append(speech)
            ref.append(f"[{t:.3f}-{t + d:.3f}] {speaker}: {text}")
            rttm.append(f"SPEAKER {NAME} 1 {t:.3f} {d:.3f} <NA> <NA> {speaker} <NA> <NA>")
            t += d
            prev = speaker
        tail = tmp / "tail.wav"
        run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(tail), "trim", "0", f"{LEAD_IN:.3f}"])
        pieces.append(tail)
        run(["sox", *map(str, pieces), str(HERE / f"{NAME}.wav")])

    (HERE / f"{NAME}.ref.txt").write_text("\n".join(ref) + "\n")
    (HERE / f"{NAME}.rttm").write_text("\n".join(rttm) + "\n")
    print(f"{NAME}.wav: {t + LEAD_IN:.1f} s, {len(turns)} turns, {len(set(s for s, _, _ in turns))} speakers")


if __name__ == "__main__":
    main()
