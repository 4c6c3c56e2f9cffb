#!/bin/sh
# Quality gate for remove-boilerplate: shingle F1 on the article benchmark's
# dev half (../shared/data/article-bench-dev), the metric of
# ../shared/tools/score_articles.py. Run from the repository root after the tests.
#
# FLOOR is pinned: raise it deliberately, in its own commit, when the stage
# improves; never lower it to make a change pass.
FLOOR=0.980

set -eu
DATA=../shared/data/article-bench-dev
if [ ! -d "$DATA" ]; then
    echo "skipped: ../shared absent"
    exit 0
fi
swift build -c release --product pagepipe-dev >/dev/null
OUT=$(.build/release/pagepipe-dev eval-articles --pages "$DATA/html" --truth "$DATA/ground-truth.json" --worst 10 --repeats 1)
echo "$OUT"
F1=$(echo "$OUT" | sed -n 's/^n=[0-9]* F1=\([0-9.]*\) .*/\1/p')
if [ -z "$F1" ]; then
    echo "gate-articles: no F1 in the output" >&2
    exit 2
fi
if awk -v f="$F1" -v floor="$FLOOR" 'BEGIN { exit !(f + 0 < floor + 0) }'; then
    echo "gate-articles: FAILED, F1 $F1 is below the pinned floor $FLOOR" >&2
    exit 1
fi
echo "gate-articles: ok, F1 $F1 >= floor $FLOOR"
