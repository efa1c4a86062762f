#!/usr/bin/env bash
# Slurm with the real engine: starts a single-node Slurm cluster (munged, slurmctld and slurmd on
# this machine, with a generated slurm.conf and munge key in a temporary folder), submits the job
# array and merge job that `celltrial slurm` writes, and compares the merged summary.json with one
# `celltrial simulate`. Slurm and munge come from scripts/setup.sh (this test installs nothing). Needs
# root (slurmd runs the jobs); skips only when they are not installed or the daemons cannot run here.
# Usage: slurm_test.sh path/to/celltrial source_dir
set -u
BIN=$1
SRC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

[[ $(id -u) -eq 0 ]] || skip "a single-node Slurm cluster needs root (slurmd starts the jobs)"
for prog in munged slurmctld slurmd sbatch scontrol sinfo; do
  command -v $prog >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
  command -v $prog >/dev/null 2>&1 || skip "$prog is not installed (scripts/setup.sh installs Slurm and munge)"
done

T=$(mktemp -d)
chmod 755 "$T"  # munged wants every folder above its socket to be searchable
daemon_pids=()
stop_daemons() {
  # Stop by pid file (what the daemons say they are), then whatever we started, and reap them.
  for f in "$T/slurmd.pid" "$T/slurmctld.pid" "$T/munge/munged.pid"; do
    [[ -s $f ]] && kill "$(cat "$f")" 2>/dev/null
  done
  for p in "${daemon_pids[@]}"; do kill "$p" 2>/dev/null; done
  local deadline=$((SECONDS + 10))  # cleanup only: a daemon still running then is killed; no result depends on it
  for p in "${daemon_pids[@]}"; do
    while kill -0 "$p" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
}
trap 'stop_daemons; rm -rf "$T"' EXIT
cd "$T"

# munge with its own key and socket.
mkdir -m 755 munge
dd if=/dev/urandom of=munge/munge.key bs=1024 count=1 status=none
chmod 600 munge/munge.key
munged --foreground --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/munge/munged.log" --seed-file="$T/munge/munge.seed" >"$T/munge/munged.out" 2>&1 &
daemon_pids+=($!)
# Every wait below polls for an event (a socket, an idle node, a finished job); its limit only
# stops a hang, set far above what a machine 10x slower than this one needs.
wait_for_file "$T/munge/munge.sock" 300 || { tail -5 munge/munged.log; skip "munged did not start"; }

# slurm.conf: one node (this machine, all its CPUs), free ports, everything in $T.
HOST=$(hostname -s 2>/dev/null || cut -d. -f1 /proc/sys/kernel/hostname)
read -r CTLD_PORT SLURMD_PORT < <(python3 -c "
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(('127.0.0.1', 0))
print(*[s.getsockname()[1] for s in socks])")
mkdir state spool log
cat > slurm.conf <<EOF
ClusterName=celltrialtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
CommunicationParameters=EnableIPv6
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=celltrial Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf
slurmctld -D >log/slurmctld.out 2>&1 &
daemon_pids+=($!)
slurmd -D -N "$HOST" >log/slurmd.out 2>&1 &
daemon_pids+=($!)
deadline=$((SECONDS + 600))
until [[ $(timeout 60 sinfo -h -o %t 2>/dev/null) == idle* ]]; do
  if [[ $SECONDS -ge $deadline ]]; then
    tail -5 log/slurmctld.log log/slurmd.log 2>/dev/null
    skip "the Slurm daemons did not start on this machine (logs above)"
  fi
  sleep 0.2
done
echo "single-node Slurm cluster up on $HOST (ports $CTLD_PORT, $SLURMD_PORT)"

# job_state ID: JobState of a job (empty when unknown).
job_state() { timeout 60 scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }
# wait_job ID SECONDS: waits until the job has ended; prints its final state.
wait_job() {
  local id=$1 deadline=$((SECONDS + $2)) st=""
  while [[ $SECONDS -lt $deadline ]]; do
    st=$(job_state "$id")
    case $st in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
    # A merge that can never start (a shard failed) stays pending for this reason.
    if timeout 60 scontrol show job "$id" 2>/dev/null | grep -q 'Reason=DependencyNeverSatisfied'; then
      st=DEPENDENCY_NEVER_SATISFIED
      break
    fi
    sleep 0.5
  done
  echo "$st"
}

REF=$SRC/scenarios/validation/reference_ancova.yaml
TRIALS=40000
"$BIN" simulate "$REF" --trials $TRIALS --threads 2 -q --out one

expect "celltrial slurm writes the job" 0 'submit.sh' -- "$BIN" slurm "$REF" --trials $TRIALS --shards 4 --cpus-per-task 1 \
  --partition celltrial --time 10 --out "$T/job"
out=$(timeout 60 sh "$T/job/submit.sh" 2>&1)
echo "$out"
array=$(sed -n 's/^submitted: shards as job array \([0-9]*\), merge as job \([0-9]*\).*/\1/p' <<<"$out")
merge=$(sed -n 's/^submitted: shards as job array \([0-9]*\), merge as job \([0-9]*\).*/\2/p' <<<"$out")
check "submit.sh submitted the array and the merge" test -n "$array" -a -n "$merge"
dep=$(timeout 60 scontrol show job "$merge" 2>/dev/null | grep -o 'Dependency=[^ ]*')
check "merge job depends on the array ($dep)" grep -q "afterok:${array}" <<<"$dep"
state=$(wait_job "$merge" 1800)
check "merge job completed ($state)" test "$state" = COMPLETED
for k in 1 2 3 4; do
  check "array task $k completed" test "$(job_state "${array}_$k")" = COMPLETED
done
check "4 shard files" test -s job/shards/shard-1-of-4.json -a -s job/shards/shard-4-of-4.json
same "Slurm array + merge: summary.json identical to one run" one/summary.json job/results/summary.json
same "Slurm array + merge: summary.csv identical" one/summary.csv job/results/summary.csv
if [[ $fail -gt 0 ]]; then
  for f in job/logs/*.log; do echo "== $f"; tail -5 "$f"; done
fi

# A failing shard: the merge never runs and the results folder is not created.
"$BIN" slurm "$REF" --trials $TRIALS --shards 2 --out "$T/job2" >/dev/null
mkdir -p job2/shards && echo mine > job2/shards/notes.txt  # the shards refuse a folder that is not theirs
out=$(timeout 60 sh "$T/job2/submit.sh" 2>&1)
merge2=$(sed -n 's/^submitted: .* merge as job \([0-9]*\).*/\1/p' <<<"$out")
state=$(wait_job "$merge2" 1800)
check "merge does not run after failed shards ($state)" bash -c "[[ '$state' == DEPENDENCY_NEVER_SATISFIED || '$state' == CANCELLED ]]"
check "no results from failed shards" test ! -e job2/results
check "the shard log explains the failure" grep -q 'did not write' job2/logs/shard-1.log
timeout 5 scancel "$merge2" 2>/dev/null

summary
