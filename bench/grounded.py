#!/usr/bin/env python3
"""Is anything in the minutes invented? Every number and every capitalised word (names of
people, organisations, places, months) of minutes.md and summary.md must occur in what was
said (transcript.txt) or in session.toml; the words of the templates and theme taxonomies
(headings, theme names) are the documents' own.

  bench/grounded.py SESSION_DIR [--verbose]

Prints the counts checked and every word or number found nowhere ("invented"); exit 0.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean(md: str) -> str:
    md = re.sub(r"\]\([^)]*\)", "]", md)  # link targets
    md = re.sub(r"\b\d{1,2}:\d{2}(:\d{2})?\b", " ", md)  # times
    md = re.sub(r"\b\d+ min( \d+ s)?\b|\b\d+ s\b|\b\d+ h( \d+ min)?\b", " ", md)  # durations
    md = re.sub(r"\d+(\.\d+)?\s*%", " ", md)  # shares of speaking time
    md = re.sub(r"^\s*(#+\s*)?\d+\.\s", " ", md, flags=re.M)  # numbered items and headings
    md = re.sub(r"\|\s*\d+\s*\|", "| |", md)  # table ranks
    md = re.sub(r"\brapporteur \d+\.\d+\.\d+", " ", md)
    md = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", " ", md)  # the session's date, from session.toml
    md = re.sub(r"\b(SPEAKER_|Speaker )\d+\b", " ", md)
    md = re.sub(r"^\*\*Written by:\*\*.*$", " ", md, flags=re.M)  # the documents' own counts
    md = re.sub(r"\(\d+ times, first at", "(", md)  # emerging topics' counts
    md = re.sub(r"[\w'’-]+…", "…", md)  # a word cut short in a quoted cue
    return md


def numbers(text: str) -> set:
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return set(re.findall(r"\d+(?:\.\d+)?", text))


def words(text: str) -> set:
    return {w.lower() for w in re.findall(r"[^\W\d_]+", text)}


def capitalised(text: str) -> list:
    """Capitalised words that do not start a sentence, a bullet, a cell or a heading."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\s*([-*#>|]+|\d+\.)\s*", "", line)
        for piece in re.split(r"(?<=[.!?:;|(])\s+|\*\*|\|", line):
            tokens = re.findall(r"[^\W\d_][\w'’-]*", piece)
            for i, t in enumerate(tokens):
                if i > 0 and t[0].isupper() and t not in ("I", "Q", "A"):
                    out.append(t)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    verbose = "--verbose" in sys.argv
    d = Path(args[0])
    said = (d / "transcript.txt").read_text(encoding="utf-8")
    toml = (d / "session.toml").read_text(encoding="utf-8") if (d / "session.toml").exists() else ""
    own = " ".join(p.read_text(encoding="utf-8") for p in list((ROOT / "templates").glob("*.md"))
                   + list((ROOT / "templates" / "themes").glob("*.toml")))
    known_words = words(said) | words(toml) | words(own)
    themes = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "templates" / "themes").glob("*.toml"))
    known_numbers = numbers(said) | numbers(toml) | numbers(themes)  # "Objective 9"
    invented = 0
    for name in ["minutes.md", "summary.md"]:
        text = clean((d / name).read_text(encoding="utf-8"))
        nums = numbers(text)
        caps = capitalised(text)
        bad_nums = sorted(n for n in nums if n not in known_numbers)
        bad_words = sorted({c for c in caps if not all(w in known_words for w in words(c))})
        invented += len(bad_nums) + len(bad_words)
        print(f"{name}: {len(nums)} numbers, {len(set(caps))} capitalised words checked; "
              f"not in the transcript or session.toml: {len(bad_nums)} numbers {bad_nums}, "
              f"{len(bad_words)} words {bad_words}")
        if verbose:
            print("  numbers:", sorted(nums))
            print("  words:", sorted(set(caps)))
    print(f"invented: {invented}")


if __name__ == "__main__":
    main()
