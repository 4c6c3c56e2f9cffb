#!/usr/bin/env python3
"""Build a cross-domain development set for language identification from the
gettext catalogs installed on this machine (/usr/share/locale/LANG/LC_MESSAGES/*.mo):
software messages, a domain unlike the Universal Dependencies training text.

usage: scripts/langid_crossdomain.py OUTDIR
then:  .build/release/pagepipe-dev train-langid --evaluate OUTDIR [--show-errors]

English comes from the catalogs' source strings. Many messages keep English words,
options or untranslated text, so expect errors that no identifier can avoid; use it
to compare settings, not as a score. The output is not committed (catalog licences vary).
"""
import gettext, glob, os, random, re, sys

LANGS = ("ar cs de el en es fi fr he hi it ja ko nl pl pt ru sv tr uk zh "
         "af az be bg bn bs ca cy da eo et eu fa ga gu hr hu hy id is ka kk lg lt lv mi mk mn mr ms nb nn "
         "pa ro sk sl so sq sr sw ta te th tl ur vi xh yo zu").split()
DIRS = {l: [l] for l in LANGS}
DIRS.update(zh=["zh_CN", "zh_TW"], pt=["pt", "pt_BR"], en=["de"], nb=["nb", "nb_NO"], tl=["tl", "fil"])


def clean(s):
    s = re.sub(r"%[-+ #0-9.]*[a-zA-Z]|%\([a-z_]+\)[sd]|\{[^}]*\}|<[^>]*>|\\[nt]|_", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n")[4])
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for lang in LANGS:
        found = set()
        for d in DIRS[lang]:
            for mo in sorted(glob.glob(f"/usr/share/locale/{d}/LC_MESSAGES/*.mo")):
                try:
                    catalog = gettext.GNUTranslations(open(mo, "rb"))._catalog
                except Exception:
                    continue
                for key, value in catalog.items():
                    key = key[0] if isinstance(key, tuple) else key
                    text = key if lang == "en" else value
                    if not isinstance(text, str):
                        continue
                    for line in text.split("\n"):
                        c = clean(line)
                        if len(c) >= 30 and c.count(" ") >= 3 and (lang == "en" or c != clean(key)):
                            found.add(c)
        if len(found) < 50:  # too few messages to say anything
            continue
        found = sorted(found)
        random.Random(1).shuffle(found)
        with open(os.path.join(out_dir, lang + ".txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(found[:600]) + "\n")
        print(lang, min(600, len(found)))


if __name__ == "__main__":
    main()
