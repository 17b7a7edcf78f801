#!/usr/bin/env python3
"""Spelling from the session (issue 20): how many mentions of the session.toml's names and
organisations the transcript spells right, and the WER.

  bench/vocabulary.py SESSION_JSON REF_TXT SESSION_TOML [--json] [--verbose]

--verbose prints each mention spelt wrong with the transcript words aligned to it (stderr).

REF_TXT lines are `[start-end] SPEAKER: text`. Terms: each participant's full name, first name
and last name (a first or last name counts only where it is said alone, not as part of the full
name), and each organisation as said (a trailing "(Country)" dropped). Every mention in the
reference is found by its words; the transcript and the reference are aligned on their words
(difflib, as /work/shared/eval/word_speakers.py does) and a mention is right when the transcript
words aligned to its span hold the term's words, spelt as in session.toml (case and punctuation
aside; accents count: "Lucia" is not "Lucía"). `extra` counts the term's occurrences in the
transcript beyond its mentions in the reference: names whisper wrote that nobody said (a prompt
read back into the text would show there).

WER: lower-cased, punctuation removed, as src/text.rs::normalize does.
"""
import difflib
import json
import re
import sys
import tomllib


def words(text):
    """src/text.rs::normalize: letters, digits and apostrophes, lower-cased."""
    cleaned = "".join(c.lower() if (c.isalnum() or c == "'") else " " for c in text)
    return [w.strip("'") for w in cleaned.split() if w.strip("'")]


def fold(w):
    """For the alignment only: without accents, so that a misspelt accent still aligns."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", w) if unicodedata.category(c) != "Mn")


def wer(ref, hyp):
    prev = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        cur = [i] + [0] * len(hyp)
        for j in range(1, len(hyp) + 1):
            cur[j] = min(prev[j - 1] + (ref[i - 1] != hyp[j - 1]), prev[j] + 1, cur[j - 1] + 1)
        prev = cur
    return prev[len(hyp)] / max(len(ref), 1)


def find(seq, term):
    n = len(term)
    return [i for i in range(len(seq) - n + 1) if seq[i : i + n] == term]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv
    session_json, ref_txt, session_toml = args
    ref_text = []
    for line in open(ref_txt, encoding="utf-8"):
        m = re.match(r"\[[\d.]+-[\d.]+\]\s*[^:]+:\s*(.*)", line)
        if m:
            ref_text.append(m[1])
    ref = words(" ".join(ref_text))
    record = json.load(open(session_json, encoding="utf-8"))
    hyp = words(" ".join(s["text"] for s in record["segments"]))
    meta = tomllib.load(open(session_toml, "rb"))

    # (kind, label, words); names first, so that a full name's words are not counted again alone.
    terms = []
    for p in meta.get("participants", []):
        name = words(p["name"])
        terms.append(("name", p["name"], name))
        if len(name) > 1:
            terms.append(("first name", name[0], name[:1]))
            terms.append(("last name", name[-1], name[-1:]))
    orgs = []
    for o in [p.get("organisation") for p in meta.get("participants", [])] + meta.get("organisers", []):
        if o:
            o = re.sub(r"\s*\([^()]*\)\s*$", "", o)
            if o not in orgs:
                orgs.append(o)
    terms += [("organisation", o, words(o)) for o in orgs]

    # Reference positions already taken by a longer term (a full name's first name).
    taken = set()
    mentions = []  # (term index, start, end)
    for k in sorted(range(len(terms)), key=lambda k: -len(terms[k][2])):
        for i in find(ref, terms[k][2]):
            span = range(i, i + len(terms[k][2]))
            if terms[k][0] in ("first name", "last name") and any(j in taken for j in span):
                continue
            if terms[k][0] == "name" or terms[k][0] == "organisation":
                taken.update(span)
            mentions.append((k, i, i + len(terms[k][2])))

    sm = difflib.SequenceMatcher(None, [fold(w) for w in ref], [fold(w) for w in hyp], autojunk=False)
    ops = sm.get_opcodes()

    def aligned(i, j):
        """The transcript words aligned to reference words i..j."""
        lo, hi = None, None
        for tag, a0, a1, b0, b1 in ops:
            if a1 <= i or a0 >= j:
                if not (tag == "insert" and i < a0 < j):
                    continue
            if tag == "equal":
                s, e = b0 + max(i, a0) - a0, b0 + min(j, a1) - a0
            else:
                s, e = b0, b1
            lo = s if lo is None else min(lo, s)
            hi = e if hi is None else max(hi, e)
        return hyp[lo:hi] if lo is not None else []

    rows = {}
    for k, i, j in mentions:
        kind, label, term = terms[k]
        row = rows.setdefault(k, {"kind": kind, "term": label, "mentions": 0, "right": 0})
        row["mentions"] += 1
        got = aligned(i, j)
        if find(got, term):
            row["right"] += 1
        elif "--verbose" in sys.argv:
            print(f"  {label!r}: {' '.join(got)!r}", file=sys.stderr)
    for k, row in rows.items():
        in_hyp = len(find(hyp, terms[k][2]))
        in_ref = len(find(ref, terms[k][2]))
        row["extra"] = max(0, in_hyp - in_ref)
    table = [rows[k] for k in sorted(rows)]
    names = [r for r in table if r["kind"] != "organisation"]
    orgs = [r for r in table if r["kind"] == "organisation"]
    summary = {
        "names": [sum(r["right"] for r in names), sum(r["mentions"] for r in names)],
        "organisations": [sum(r["right"] for r in orgs), sum(r["mentions"] for r in orgs)],
        "extra": sum(r["extra"] for r in table),
        "wer": round(100 * wer(ref, hyp), 2),
        "prompt": record["settings"].get("prompt"),
    }
    if as_json:
        print(json.dumps({"terms": table, **summary}, ensure_ascii=False, indent=1))
        return
    for r in table:
        print(f"{r['kind']:13} {r['term']:45} {r['right']:3}/{r['mentions']:<3} extra {r['extra']}")
    right = summary["names"][0] + summary["organisations"][0]
    total = summary["names"][1] + summary["organisations"][1]
    print(
        f"names {summary['names'][0]}/{summary['names'][1]}, organisations "
        f"{summary['organisations'][0]}/{summary['organisations'][1]}, all {right}/{total} "
        f"({100 * right / max(total, 1):.1f}%), extra {summary['extra']}, WER {summary['wer']:.2f}%"
    )
    print(f"prompt: {summary['prompt']}")


if __name__ == "__main__":
    main()
