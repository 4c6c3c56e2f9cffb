#!/bin/sh
# Quality gate for normalize-language, run from the repository root after the tests.
# Needs ../shared (normalization cases, language dev sentences); skipped without it.
# Floors are pinned here and only raised deliberately, in a commit that says why.
#
# Language dev text: the manifest's `dev` rows (scripts/langid-training.tsv), in two
# folders: the 21 first languages (../shared/data/langid/test, except it/pl/ar/ja/hi,
# whose test files are trained on and whose old training files are scored instead)
# and the 54 of more/test. Every language counts the same in a folder's mean.
set -eu

NORMALIZE_FLOOR=62              # passes out of 62 (ftfy 6.3.1: 49)
LANGID21_SENTENCE_FLOOR=98.84   # mean accuracy, %, one sentence per text (measured 98.84)
LANGID21_PARAGRAPH_FLOOR=99.92  # 5-sentence paragraphs (measured 99.92)
LANGID54_SENTENCE_FLOOR=93.17   # more/test, measured 93.17 (st has no profile: 0 of its 390)
LANGID54_PARAGRAPH_FLOOR=96.10  # measured 96.10

SHARED=../shared
if [ ! -d "$SHARED/data" ]; then
    echo "skipped: ../shared absent"
    exit 0
fi

swift build -c release --product pagepipe >/dev/null
PAGEPIPE=.build/release/pagepipe
fail=0

passed=$(python3 "$SHARED/tools/normalize_eval.py" "$SHARED/data/normalization/cases.jsonl" \
    -- "$PAGEPIPE" stage normalize-language | sed -n 's/^passed \([0-9]*\)\/.*/\1/p')
echo "normalize: $passed/62 (floor $NORMALIZE_FLOOR)"
[ "${passed:-0}" -ge "$NORMALIZE_FLOOR" ] || { echo "FAIL: normalization below its floor"; fail=1; }

DEV=$(mktemp -d)
trap 'rm -rf "$DEV"' EXIT
mkdir "$DEV/first21" "$DEV/more54"
ROOT=$(cd "$SHARED/data/langid" && pwd)
grep -v '^#' scripts/langid-training.tsv | awk -F'\t' '$2 == "dev" { print $1, $3 }' | sort -u |
while read -r lang file; do
    case $file in more/*) dir=more54 ;; *) dir=first21 ;; esac
    ln -s "$ROOT/$file" "$DEV/$dir/$lang.txt"
done

check() {  # label folder floor args...
    label=$1; folder=$2; floor=$3; shift 3
    acc=$(python3 "$SHARED/tools/langid_eval.py" "$DEV/$folder" "$@" --json \
        -- "$PAGEPIPE" stage normalize-language \
        | python3 -c 'import json,sys; print("%.2f" % (100 * json.load(sys.stdin)["mean_accuracy"]))')
    echo "langid $folder $label: $acc% (floor $floor%)"
    if ! python3 -c "import sys; sys.exit(0 if float('$acc') >= float('$floor') else 1)"; then
        echo "FAIL: language identification ($folder, $label) below its floor"
        fail=1
    fi
}
check sentences first21 "$LANGID21_SENTENCE_FLOOR"
check paragraphs first21 "$LANGID21_PARAGRAPH_FLOOR" --paragraph 5
check sentences more54 "$LANGID54_SENTENCE_FLOOR"
check paragraphs more54 "$LANGID54_PARAGRAPH_FLOOR" --paragraph 5

exit $fail
