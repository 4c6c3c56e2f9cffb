#!/usr/bin/env bash
# Quality gate for count-entities: micro F1 (PER/LOC/ORG) on the dev sets,
# scored by the reference tool ../shared/tools/ner_eval.py through
# `pagepipe stage count-entities`. Run from the repository root after the tests.
# Floors are literals, raised deliberately when the model improves; never
# lowered to let a worse model through.
set -euo pipefail

# set and floor (measured with the shipped model in brackets)
FLOORS=(
    "conll2003-dev 93.0"   # measured 93.1 (session 3: modern mix; 93.4 before, CoNLL + wikigold only)
    "uner-ewt-dev 71.5"    # measured 71.8 (web genres)
    "wnut17-dev 45.0"      # measured 45.4 (social media)
    "btc-dev 18.5"         # measured 18.8 (tweets; user handles, a third of its gold, are not names here)
)

SHARED=../shared
if [ ! -d "$SHARED/data" ]; then
    echo "gate-ner: skipped: ../shared absent"
    exit 0
fi

swift build -c release --product pagepipe >/dev/null
failed=0
for entry in "${FLOORS[@]}"; do
    set -- $entry
    name=$1 floor=$2
    result=$(python3 "$SHARED/tools/ner_eval.py" "$SHARED/data/ner/$name.txt" --json -- \
        .build/release/pagepipe stage count-entities)
    RESULT="$result" FLOOR="$floor" NAME="$name" python3 - <<'PY' || failed=1
import json, os, sys
r = json.loads(os.environ["RESULT"])
name = os.environ["NAME"]
per = ", ".join(f"{t} {100 * r[t]['f1']:.2f}" for t in ("PER", "LOC", "ORG"))
micro = 100 * r["micro"]["f1"]
floor = float(os.environ["FLOOR"])
print(f"gate-ner: {name} micro F1 {micro:.2f} (floor {floor}; {per})")
if micro < floor:
    print(f"gate-ner: FAILED: {name} micro F1 {micro:.2f} is below the floor {floor}", file=sys.stderr)
    sys.exit(1)
PY
done
if [ "$failed" -ne 0 ]; then exit 1; fi
echo "gate-ner: passed"
