#!/usr/bin/env python3
"""Generality check for normalize-language's mojibake repair and its safety on clean text.

usage: scripts/normalize_roundtrip.py [PAGEPIPE]   (default .build/release/pagepipe)

1. Clean text: every sentence of ../shared/data/langid/train (21 languages) must come
   back unchanged apart from the policy's own steps (quotes, spaces, ... switched off
   here; NFC applied to the reference).
2. Round trip: 60 sentences per language are broken the way scraped text is (UTF-8
   read as windows-1252, Latin-1, windows-1251, Mac OS Roman, and windows-1252 twice);
   the repair must give what the clean sentence gives. Prints the share per encoding.
Nothing here is tuned on: the sentences are training text for language identification.
"""
import collections, glob, json, random, subprocess, sys, unicodedata

PAGEPIPE = sys.argv[1] if len(sys.argv) > 1 else ".build/release/pagepipe"
TRAIN = "../shared/data/langid/train"


def run(texts, options):
    payload = "\n".join(json.dumps({"id": str(i), "text": t}, ensure_ascii=False) for i, t in enumerate(texts)) + "\n"
    r = subprocess.run([PAGEPIPE, "stage", "normalize-language", "--options", json.dumps(options)],
                       input=payload, capture_output=True, text=True, check=True)
    out = {}
    for line in r.stdout.splitlines():
        o = json.loads(line)
        out[int(o["id"])] = o["text"]
    return [out[i] for i in range(len(texts))]


def sloppy_1252(b):  # browsers: bytes windows-1252 leaves undefined become C1 controls
    return "".join(chr(x) if x in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([x]).decode("cp1252") for x in b)


def broken(kind, t):
    b = t.encode("utf-8")
    if kind == "windows-1252":
        return sloppy_1252(b)
    if kind == "latin-1":
        return b.decode("latin-1")
    if kind == "windows-1251":
        try:
            return b.decode("cp1251")
        except UnicodeDecodeError:
            return None
    if kind == "mac-roman":
        return b.decode("mac_roman")
    if kind == "windows-1252 twice":
        return sloppy_1252(sloppy_1252(b).encode("utf-8"))


def main():
    files = sorted(glob.glob(TRAIN + "/*.txt"))
    if not files:
        sys.exit("skipped: ../shared absent")
    lines = [l.strip() for f in files for l in open(f, encoding="utf-8") if l.strip()]
    off = {"quotes": "keep", "spaces": False, "removeInvisible": False, "ligatures": False,
           "decodeEntities": False, "c1Controls": False, "identifyLanguage": False}
    got = run(lines, off)
    changed = [(a, b) for a, b in zip(lines, got) if b != unicodedata.normalize("NFC", a)]
    print(f"clean text changed: {len(changed)} of {len(lines)}")
    for a, b in changed[:5]:
        print("  ", repr(a[:80]), "->", repr(b[:80]))

    rng = random.Random(7)
    sample = []
    for f in files:
        ls = [l.strip() for l in open(f, encoding="utf-8") if l.strip() and any(ord(c) > 127 for c in l)]
        rng.shuffle(ls)
        sample += ls[:60]
    cases = [(k, t, m) for t in sample for k in ("windows-1252", "latin-1", "windows-1251", "mac-roman",
                                                   "windows-1252 twice")
             if (m := broken(k, t)) is not None and m != t]
    opts = {"identifyLanguage": False}
    want = run([t for _, t, _ in cases], opts)
    have = run([m for _, _, m in cases], opts)
    ok, total = collections.Counter(), collections.Counter()
    for (k, _, _), w, h in zip(cases, want, have):
        total[k] += 1
        ok[k] += w == h
    for k in total:
        print(f"repaired {k:20} {ok[k]:5}/{total[k]} ({100 * ok[k] / total[k]:.1f}%)")


if __name__ == "__main__":
    main()
