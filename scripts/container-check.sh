#!/usr/bin/env bash
# Builds the Containerfile's runtime stage with podman and runs the image as the
# README does: one run over samples/ (bytes compared with the golden files), then
# the README's Kubernetes Indexed Job (its command and completions read from README.md,
# one container per JOB_COMPLETION_INDEX) and its merge, compared the same way. Also checks
# the image's user (10001, not root), entrypoint, and that the binary needs no
# Swift library.
#
# The build stage (FROM the Swift toolchain image) is replaced by a tree built on
# this machine with scripts/install.sh: the Containerfile's PAGEPIPE_TREE argument
# names an image holding /opt/pagepipe, made here with `podman import`. When the
# runtime base (debian:bookworm-slim) cannot be pulled, a Debian bookworm minbase
# made with debootstrap stands in (root, debootstrap and Debian's mirror needed).
#
# Usage: scripts/container-check.sh [--tree PREFIX] [--runtime-image IMAGE] [--keep]
#   --tree PREFIX          an installed tree (scripts/install.sh PREFIX); default:
#                          install the checkout into a temporary prefix
#   --runtime-image IMAGE  the runtime base (default docker.io/library/debian:bookworm-slim)
#   --keep                 keep the image (localhost/pagepipe:check) afterwards
# Environment: PODMAN (default podman); DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

source_dir="$(cd "$(dirname "$0")/.." && pwd)"
tree=""
runtime_image="docker.io/library/debian:bookworm-slim"
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tree) tree="$2"; shift ;;
    --runtime-image) runtime_image="$2"; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: scripts/container-check.sh [--tree PREFIX] [--runtime-image IMAGE] [--keep]" >&2; exit 64 ;;
  esac
  shift
done
podman_cmd=(${PODMAN:-podman})
command -v "${podman_cmd[0]}" >/dev/null || { echo "container-check: skipped: no ${podman_cmd[0]}" >&2; exit 0; }

work="$(mktemp -d "${TMPDIR:-/tmp}/pagepipe-container-check.XXXXXX")"
image=localhost/pagepipe:check
tree_image=localhost/pagepipe-tree:check
cleanup() {
  rm -rf "$work"
  "${podman_cmd[@]}" rmi -f "$tree_image" >/dev/null 2>&1 || true
  [ "$keep" = 1 ] || "${podman_cmd[@]}" rmi -f "$image" >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() { echo "container-check: FAIL: $*" >&2; exit 1; }
say() { echo "container-check: $*" >&2; }

# 1. The installed tree, as an image the Containerfile copies /opt/pagepipe from.
if [ -z "$tree" ]; then
  tree="$work/prefix"
  "$source_dir/scripts/install.sh" "$tree" || fail "scripts/install.sh exited $?"
fi
mkdir -p "$work/tree/opt"
cp -a "$tree" "$work/tree/opt/pagepipe"
tar -C "$work/tree" -c . | "${podman_cmd[@]}" import -q - "$tree_image" >/dev/null

# 2. The runtime base: pulled, or made with debootstrap when no registry answers.
if ! "${podman_cmd[@]}" image exists "$runtime_image" && ! "${podman_cmd[@]}" pull -q "$runtime_image" >/dev/null 2>"$work/pull.err"; then
  say "cannot pull $runtime_image: $(tail -1 "$work/pull.err")"
  runtime_image=localhost/pagepipe-debootstrap:bookworm
  if ! "${podman_cmd[@]}" image exists "$runtime_image"; then
    command -v debootstrap >/dev/null || fail "no debootstrap to make a Debian base (apt-get install debootstrap)"
    say "making $runtime_image with debootstrap --variant=minbase bookworm"
    debootstrap --variant=minbase bookworm "$work/rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
      || { tail -5 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar -C "$work/rootfs" -c . | "${podman_cmd[@]}" import -q - "$runtime_image" >/dev/null
    rm -rf "$work/rootfs"
  fi
fi
say "runtime base: $runtime_image"

# 3. How containers run here. Some machines cannot run them with podman's defaults
# (seen in a sandbox VM without CAP_SYS_RESOURCE: podman's default RLIMIT_NOFILE and
# RLIMIT_NPROC cannot be set, and crun refuses its hybrid cgroup v1/v2 layout): then
# the shell's own open-file limit, 4096 processes (pagepipe starts one thread per
# core) and, if crun still fails, runc.
run_flags=()
if ! "${podman_cmd[@]}" run --rm "$runtime_image" true 2>"$work/run.err"; then
  say "podman run with its defaults failed: $(tail -1 "$work/run.err")"
  run_flags=(--ulimit "nofile=$(ulimit -n):$(ulimit -n)" --ulimit nproc=4096:4096)
  "${podman_cmd[@]}" run --rm "${run_flags[@]}" "$runtime_image" true 2>"$work/run.err" || {
    command -v runc >/dev/null || fail "podman cannot run containers here ($(tail -1 "$work/run.err")), and no runc to try"
    podman_cmd+=(--runtime runc)
    "${podman_cmd[@]}" run --rm "${run_flags[@]}" "$runtime_image" true 2>"$work/run.err" \
      || fail "podman cannot run containers here: $(tail -1 "$work/run.err")"
  }
  say "running containers with: ${podman_cmd[*]} ${run_flags[*]}"
fi

# 4. The Containerfile's runtime stage.
say "building $image"
"${podman_cmd[@]}" build -q "${run_flags[@]}" -f "$source_dir/Containerfile" -t "$image" \
  --build-arg RUNTIME_IMAGE="$runtime_image" --build-arg PAGEPIPE_TREE="$tree_image" "$source_dir" >/dev/null \
  || fail "podman build exited $?"
"${podman_cmd[@]}" image inspect "$image" --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}} size={{.Size}}' >&2
[ "$("${podman_cmd[@]}" image inspect "$image" --format '{{.Config.User}}')" = "10001:10001" ] || fail "the image does not run as user 10001"
[ "$("${podman_cmd[@]}" image inspect "$image" --format '{{json .Config.Entrypoint}}')" = '["pagepipe"]' ] || fail "the entrypoint is not pagepipe"
run=("${podman_cmd[@]}" run --rm "${run_flags[@]}")
[ "$("${run[@]}" --entrypoint id "$image" -u)" = 10001 ] || fail "the container's process is not uid 10001"
libs="$("${run[@]}" --entrypoint ldd "$image" /usr/local/bin/pagepipe)"
echo "$libs" | sed 's/^/  /' >&2
if echo "$libs" | grep -E "libswift|Foundation|not found"; then fail "the binary needs the libraries above"; fi
"${run[@]}" "$image" --version | sed 's/^/  /' >&2

# 5. The README's podman example: one run over samples/.
compare() {
  local n=0
  for golden in "$source_dir/Tests/PagePipeTests/Fixtures/golden"/*; do
    cmp "$golden" "$1/$(basename "$golden")" || fail "$1/$(basename "$golden") differs from the golden file"
    n=$((n + 1))
  done
  say "$2: $n files byte-identical to the golden files"
}
mkdir -p "$work/one"
cp -R "$source_dir/samples" "$source_dir/pipeline.json" "$work/one/"
chown -R 10001:10001 "$work/one"
say "podman run -v ...:/data $image run --pipeline /data/pipeline.json --output /data/out"
"${run[@]}" -v "$work/one:/data" "$image" run --pipeline /data/pipeline.json --output /data/out || fail "the run exited $?"
compare "$work/one/out" "one run"

# 6. The README's Kubernetes Indexed Job, its command taken from README.md as
# written: each index in its own container, then the merge.
readme_after() {  # the first fenced block after a README line holding $1
  awk -v marker="$1" 'index($0, marker) { found = 1; next }
    found && /^```/ && !inside { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$source_dir/README.md"
}
job="$(readme_after "container-check: job")"
command="$(echo "$job" | awk '/^ *args:/ { on = 1; next } on && /^ *[a-z]+:/ { exit } on { sub(/^ *(- )?/, ""); printf "%s%s", sep, $0; sep = " " }')"
completions="$(echo "$job" | awk '/^ *completions:/ { print $2 }')"
merge="$(readme_after "container-check: merge")"
[[ "$command" == "pagepipe run "*"--shard auto"* ]] && [ -n "$completions" ] && [[ "$merge" == "pagepipe merge "* ]] \
  || fail "no Indexed Job (args, completions) and merge command found in README.md"
mkdir -p "$work/data"
cp -R "$source_dir/samples" "$work/data/pages"
cp "$source_dir/pipeline.json" "$work/data/"
chown -R 10001:10001 "$work/data"
say "Indexed Job, $completions completions: sh -c '$command'"
for index in $(seq 0 $((completions - 1))); do
  "${run[@]}" -v "$work/data:/data" -e JOB_COMPLETION_INDEX=$index --entrypoint sh "$image" -c "$command" \
    || fail "index $index exited $?"
  say "index $index: shard-$index, $(grep -c . "$work/data/out/shard-$index/documents.jsonl" || true) documents"
done
say "merge: sh -c '$merge'"
"${run[@]}" -v "$work/data:/data" --entrypoint sh "$image" -c "$merge" || fail "the merge exited $?"
compare "$work/data/out/all" "Indexed Job ($completions shards) merged"
say "ok"
