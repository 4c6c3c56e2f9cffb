#!/usr/bin/env bash
# Builds pagepipe as a binary that runs on any Linux x86-64 machine with libxml2
# and installs it under PREFIX:
#
#   PREFIX/bin/pagepipe                      Swift standard library and Foundation linked in
#                                            (--static-swift-stdlib); needs only libc, libstdc++,
#                                            libxml2 and zlib from the system
#   PREFIX/share/pagepipe/                   the model files and their README (sources, licences);
#                                            the binary finds them as ../share/pagepipe
#   PREFIX/share/man/man1/pagepipe.1         from swift-argument-parser's generate-manual
#   PREFIX/share/bash-completion/completions/pagepipe
#   PREFIX/share/zsh/site-functions/_pagepipe
#   PREFIX/share/fish/vendor_completions.d/pagepipe.fish
#                                            from `pagepipe --generate-completion-script`
#
# Nothing installed names PREFIX, so the tree can be moved or copied elsewhere as a
# whole (`mv /opt/pagepipe /srv/tools/pagepipe`, a container layer, a tarball).
#
# Usage: scripts/install.sh [--no-strip] [--build-dir DIR] PREFIX
#   --no-strip       keep the symbol table (the binary is about 20 MB larger)
#   --build-dir DIR  SwiftPM's scratch folder (default: .build-install in the checkout;
#                    kept apart from .build because static and dynamic builds of one
#                    folder rebuild everything each time they alternate)
# Environment: SWIFT (default: swift).
set -euo pipefail

usage() { echo "usage: scripts/install.sh [--no-strip] [--build-dir DIR] PREFIX" >&2; exit 64; }

strip_binary=1
build_dir=""
prefix=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-strip) strip_binary=0 ;;
    --build-dir) [ $# -ge 2 ] || usage; build_dir="$2"; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$prefix" ] || usage; prefix="$1" ;;
  esac
  shift
done
[ -n "$prefix" ] || usage

source_dir="$(cd "$(dirname "$0")/.." && pwd)"
swift="${SWIFT:-swift}"
build_dir="${build_dir:-$source_dir/.build-install}"
mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd)"

echo "install.sh: building a static release binary in $build_dir" >&2
build=("$swift" build --package-path "$source_dir" --scratch-path "$build_dir" -c release --static-swift-stdlib)
"${build[@]}" --product pagepipe >&2
# The man page generator ships in swift-argument-parser (the tool its
# generate-manual plugin runs); building it alone avoids the plugin's build of
# every product of the package.
"${build[@]}" --product generate-manual >&2
bin_dir="$("${build[@]}" --show-bin-path)"
built="$bin_dir/pagepipe"
bundle="$bin_dir/pagepipe_PagePipe.resources/Resources"
[ -x "$built" ] || { echo "install.sh: no binary at $built" >&2; exit 1; }
[ -d "$bundle" ] || { echo "install.sh: no resource bundle at $bundle" >&2; exit 1; }

# A binary that still needs the toolchain would work here and fail on the
# machine it is copied to: refuse it.
toolchain_lib="$(dirname "$(dirname "$(readlink -f "$(command -v "$swift")")")")/lib"
if ldd "$built" | grep -E "libswift|Foundation|libdispatch|BlocksRuntime|$toolchain_lib" >&2; then
  echo "install.sh: $built still links the Swift runtime dynamically (above)" >&2
  exit 1
fi

install -d "$prefix/bin" "$prefix/share/pagepipe" "$prefix/share/man/man1" \
  "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" \
  "$prefix/share/fish/vendor_completions.d"
install -m 755 "$built" "$prefix/bin/pagepipe.tmp"
if [ "$strip_binary" = 1 ]; then strip "$prefix/bin/pagepipe.tmp"; fi
mv -f "$prefix/bin/pagepipe.tmp" "$prefix/bin/pagepipe"

# Every file of the bundle: the models and the README naming their sources
# and licences. Files of an earlier version that no longer ship are removed.
for old in "$prefix/share/pagepipe"/*; do
  [ -e "$old" ] || continue
  [ -e "$bundle/$(basename "$old")" ] || rm -rf "$old"
done
for file in "$bundle"/*; do
  install -m 644 "$file" "$prefix/share/pagepipe/$(basename "$file")"
done

installed="$prefix/bin/pagepipe"
"$installed" --generate-completion-script bash > "$prefix/share/bash-completion/completions/pagepipe"
"$installed" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_pagepipe"
"$installed" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/pagepipe.fish"

# The page's date is the commit's, so the same checkout gives the same bytes.
date_arg=()
if commit_date="$(git -C "$source_dir" log -1 --format=%cs 2>/dev/null)" && [ -n "$commit_date" ]; then
  date_arg=(--date "$commit_date")
fi
"$bin_dir/generate-manual" "$installed" "${date_arg[@]}" --output-directory "$prefix/share/man/man1" >&2

# The installed binary must find its own files, not the build folder's.
if ! env -u PAGEPIPE_DATA "$installed" --version | grep -q "  $prefix/share/pagepipe/"; then
  echo "install.sh: $installed does not find its files in $prefix/share/pagepipe:" >&2
  env -u PAGEPIPE_DATA "$installed" --version >&2
  exit 1
fi
echo "install.sh: installed $("$installed" --version | head -1) in $prefix" >&2
