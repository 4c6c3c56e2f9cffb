#!/usr/bin/env bash
# A real Slurm run of the README's array job, on a one-node cluster on localhost:
# starts munged, slurmctld and slurmd (as root, everything in a temporary folder:
# its own munge key and socket, slurm.conf, state, spool and logs; nothing under
# /etc is read or changed), submits the README's pagepipe.sbatch (a 3-task array,
# --shard auto) over a folder of pages, then the README's merge job
# (--dependency=afterany on the array), waits for both, and checks that the merged
# outputs are byte-identical to one plain `pagepipe run` over the same pages.
# The sbatch file and the merge command are taken from README.md as written, with
# /data replaced by the check's own folder, so the README shows what was run.
#
# Usage: scripts/slurm-check.sh [--pages DIR] [--keep]
#   --pages DIR  the pages (default: ../shared/data/article-bench-dev/html when
#                present, else samples/)
#   --keep       keep the temporary folder (printed) for a look at the shards
# Environment: PAGEPIPE, the binary to run (default: a release build of the checkout,
# built if missing). Skips (exit 0, with a message) without root or Slurm/munge.
set -euo pipefail

source_dir="$(cd "$(dirname "$0")/.." && pwd)"
pages=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) pages="$2"; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: scripts/slurm-check.sh [--pages DIR] [--keep]" >&2; exit 64 ;;
  esac
  shift
done
say() { echo "slurm-check: $*" >&2; }
fail() { echo "slurm-check: FAIL: $*" >&2; exit 1; }

for tool in munged munge unmunge slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$tool" >/dev/null || { say "skipped: no $tool (Debian: apt-get install slurm-wlm munge)"; exit 0; }
done
[ "$(id -u)" = 0 ] || { say "skipped: slurmd needs root"; exit 0; }

if [ -z "$pages" ]; then
  pages="$source_dir/samples"
  [ -d "$source_dir/../shared/data/article-bench-dev/html" ] && pages="$source_dir/../shared/data/article-bench-dev/html"
fi
pages="$(cd "$pages" && pwd)"
if [ -z "${PAGEPIPE:-}" ]; then
  bin_path="$(swift build --package-path "$source_dir" -c release --show-bin-path)"
  [ -x "$bin_path/pagepipe" ] || swift build --package-path "$source_dir" -c release --product pagepipe >&2
  PAGEPIPE="$bin_path/pagepipe"
fi
PAGEPIPE="$(cd "$(dirname "$PAGEPIPE")" && pwd)/$(basename "$PAGEPIPE")"
[ -x "$PAGEPIPE" ] || fail "no pagepipe binary at $PAGEPIPE"

work="$(mktemp -d "${TMPDIR:-/tmp}/pagepipe-slurm.XXXXXX")"
chmod 755 "$work"
pids=()
cleanup() {
  # Only the daemons this script started, by their pids.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- munge: its own key and socket -----------------------------------------
mkdir -p "$work/munge"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --foreground --force --socket="$socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || { cat "$work/munge/munged.log" >&2 || true; fail "munged did not start"; }
munge --socket="$socket" -n | unmunge --socket="$socket" >/dev/null || fail "munge cannot encode and decode a credential"

# --- slurm.conf: one node, this machine ------------------------------------
node="$(hostname -s)"
node_line="$(slurmd -C | head -1)"   # NodeName=... CPUs=... RealMemory=...
mkdir -p "$work/state" "$work/spool" "$work/log"
# Ports away from the defaults (6817/6818), in case a real Slurm runs here.
ctld_port=$((17000 + RANDOM % 2000))
cat > "$work/slurm.conf" <<EOF
ClusterName=pagepipe-check
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
MinJobAge=3600
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=check Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -c -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids+=($!)
state=""
deadline=$((SECONDS + 60))
while [ "$SECONDS" -lt "$deadline" ]; do
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { state="a daemon exited"; break 2; }; done
  state="$(sinfo -h -n "$node" -o %T 2>/dev/null || true)"
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || { tail -20 "$work/log/slurmctld.log" "$work/log/slurmd.log" >&2 || true; fail "the node is not idle (state: ${state:-none})"; }
say "cluster up: $(sinfo -h -o '%P %a %D %T %C' | head -1) (partition avail nodes state cpus A/I/O/T)"

# --- the README's jobs ------------------------------------------------------
data="$work/data"
mkdir -p "$data/out"
cp "$source_dir/pipeline.json" "$data/pipeline.json"
ln -s "$pages" "$data/pages"
# The first ```bash block after a README line holding $1.
readme_block() {
  awk -v marker="$1" 'index($0, marker) { found = 1; next }
    found && /^```bash$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$source_dir/README.md"
}
readme_block "slurm-check: pagepipe.sbatch" | sed "s#/data/#$data/#g" > "$work/pagepipe.sbatch"
merge_cmd="$(readme_block "slurm-check: merge" | sed "s#/data/#$data/#g")"
grep -q -- "--shard auto" "$work/pagepipe.sbatch" || fail "no pagepipe.sbatch with --shard auto in README.md"
[ -n "$merge_cmd" ] || fail "no merge command in README.md"
say "pagepipe.sbatch (README.md, /data -> $data):"
sed 's/^/    /' "$work/pagepipe.sbatch" >&2

export PATH="$(dirname "$PAGEPIPE"):$PATH"
cd "$work"
ARRAY_JOB_ID="$(sbatch --parsable pagepipe.sbatch)"
ARRAY_JOB_ID="${ARRAY_JOB_ID%%;*}"
say "array job $ARRAY_JOB_ID submitted: sbatch pagepipe.sbatch"
say "merge: ${merge_cmd//$'\n'/ }"
MERGE_JOB_ID="$(eval "${merge_cmd/sbatch /sbatch --parsable }")"
MERGE_JOB_ID="${MERGE_JOB_ID%%;*}"
say "merge job $MERGE_JOB_ID submitted (afterany:$ARRAY_JOB_ID)"

# Wait for every job to leave the queue (at most 20 minutes).
deadline=$((SECONDS + 1200))
while [ "$SECONDS" -lt "$deadline" ] && [ -n "$(squeue -h -o %i)" ]; do sleep 0.5; done
[ -z "$(squeue -h -o %i)" ] || { squeue >&2; fail "jobs still queued after 20 minutes"; }
scontrol show job -o | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(JobId|ArrayJobId|ArrayTaskId|JobName|JobState|ExitCode|RunTime|NodeList)=/) printf "%s ", $i; print "" }' \
  | sed 's/^/    /' >&2
# A task that exits 1 (some pages failed, listed in its errors.jsonl) has still
# written complete outputs; anything else is a failure.
bad="$(scontrol show job -o | grep -v -E 'JobState=COMPLETED|JobState=FAILED .*ExitCode=1:0' || true)"
[ -z "$bad" ] || fail "a job did not end with exit code 0 or 1: $bad"

tasks=0
for shard in "$data"/out/shard-*; do
  tasks=$((tasks + 1))
  spec="$(head -1 "$shard/.pagepipe/results.jsonl" | grep -o '"shard":"[0-9]*/[0-9]*"' | cut -d'"' -f4)"
  say "$shard: shard $spec, $(wc -l < "$shard/documents.jsonl") documents, $(wc -l < "$shard/errors.jsonl") errors, $(wc -l < "$shard/dropped.jsonl") dropped"
done
[ "$tasks" = 3 ] || fail "expected 3 shard folders, found $tasks"

# --- one plain run, and the comparison --------------------------------------
"$PAGEPIPE" run --pipeline "$data/pipeline.json" --input "$data/pages" --output "$work/plain" --quiet \
  || [ $? = 1 ] || fail "the plain run failed"
for name in documents.jsonl entities.csv entities-total.csv errors.jsonl dropped.jsonl; do
  cmp "$work/plain/$name" "$data/out/all/$name" || fail "merged $name differs from one plain run"
  say "merged $name: byte-identical to one plain run ($(wc -c < "$work/plain/$name") bytes, sha256 $(sha256sum < "$work/plain/$name" | cut -c1-16))"
done
say "ok: array job $ARRAY_JOB_ID (3 tasks), merge job $MERGE_JOB_ID, $(wc -l < "$work/plain/documents.jsonl") documents"
