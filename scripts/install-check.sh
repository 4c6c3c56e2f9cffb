#!/usr/bin/env bash
# Checks that an installed pagepipe is self-contained, as a new machine would see it:
# clones the repository, runs scripts/install.sh into a temporary prefix, deletes the
# clone (and its build folder), moves the prefix elsewhere, then runs the installed
# binary with a bare environment (env -i PATH=/usr/bin:/bin) on the clone's samples/
# and compares the outputs byte for byte with the clone's golden files. Also checks
# that ldd lists no Swift runtime, Foundation or toolchain library, that --version
# reads the models of the moved tree, and that the man page and completions exist.
#
# Usage: scripts/install-check.sh [REPOSITORY]   (default: this checkout; a clone
# takes the committed HEAD, not uncommitted changes). A static release build from
# scratch: several minutes. Exits 0 when every check passes.
set -euo pipefail

repo="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
work="$(mktemp -d "${TMPDIR:-/tmp}/pagepipe-install-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "install-check: FAIL: $*" >&2; exit 1; }

echo "install-check: cloning $repo" >&2
git clone -q "$repo" "$work/clone"
echo "install-check: commit $(git -C "$work/clone" rev-parse --short HEAD)" >&2
start=$(date +%s)
"$work/clone/scripts/install.sh" "$work/prefix" || fail "scripts/install.sh exited $?"
echo "install-check: install.sh took $(( $(date +%s) - start )) s" >&2

# What the check runs on comes from the clone, kept before the clone goes.
mkdir -p "$work/corpus"
cp -R "$work/clone/samples" "$work/clone/pipeline.json" "$work/corpus/"
cp -R "$work/clone/Tests/PagePipeTests/Fixtures/golden" "$work/golden"
rm -rf "$work/clone"
[ ! -e "$work/clone" ] || fail "the clone is still there"

mkdir -p "$work/elsewhere"
mv "$work/prefix" "$work/elsewhere/moved"
prefix="$work/elsewhere/moved"
bin="$prefix/bin/pagepipe"
ls -l "$bin" >&2

echo "install-check: ldd $bin" >&2
ldd "$bin" | sed 's/^/  /' >&2
if ldd "$bin" | grep -E "libswift|Foundation|libdispatch|BlocksRuntime|/opt/swift|/usr/lib/swift|not found"; then
  fail "the installed binary needs the libraries above"
fi

for f in share/man/man1/pagepipe.1 share/bash-completion/completions/pagepipe \
         share/zsh/site-functions/_pagepipe share/fish/vendor_completions.d/pagepipe.fish; do
  [ -s "$prefix/$f" ] || fail "$f is missing or empty"
done
grep -q '^\.Dt PAGEPIPE 1' "$prefix/share/man/man1/pagepipe.1" || fail "pagepipe.1 is not a man page"

bare=(env -i PATH=/usr/bin:/bin)
version="$(cd "$work" && "${bare[@]}" "$bin" --version)" || fail "--version exited $?"
echo "$version" | sed 's/^/  /' >&2
models=$(echo "$version" | grep -c "  $prefix/share/pagepipe/" || true)
[ "$models" -ge 1 ] || fail "--version lists no model file of $prefix/share/pagepipe"
echo "$version" | grep -v "^pagepipe " | grep -v "  $prefix/share/pagepipe/" && fail "--version lists files from outside the moved tree"

echo "install-check: env -i PATH=/usr/bin:/bin pagepipe run on samples/" >&2
status=0
(cd "$work/corpus" && "${bare[@]}" "$bin" run --pipeline pipeline.json --output out) || status=$?
[ "$status" = 0 ] || fail "pagepipe run exited $status"
compared=0
for golden in "$work/golden"/*; do
  name="$(basename "$golden")"
  cmp "$golden" "$work/corpus/out/$name" || fail "$name differs from the golden file"
  echo "  $name: identical ($(wc -c < "$golden") bytes)" >&2
  compared=$((compared + 1))
done
[ "$compared" -ge 1 ] || fail "no golden files to compare"
echo "install-check: ok ($compared files byte-identical to the golden files)" >&2
