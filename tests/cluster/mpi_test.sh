#!/usr/bin/env bash
# MPI with the real engine: `mpirun -np 1, 2 and 4 celltrial simulate` give byte-identical results
# to one process of the default (non-MPI) build, also for a shard and for a run resumed from a
# checkpoint another layout wrote. OpenMPI comes from scripts/setup.sh (this test installs nothing).
# The MPI program is the build's celltrial_mpi (tests/CMakeLists.txt: the same library objects with
# the MPI variant of src/engine/mpi_run.cpp), or celltrial itself in a -DCELLTRIAL_MPI=ON build.
# Usage: mpi_test.sh path/to/celltrial source_dir path/to/mpi/program [ON if path/to/celltrial is an MPI build]
set -u
BIN=$1
SRC=$2
MPIBIN=$3
BIN_HAS_MPI=${4:-OFF}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

command -v mpirun >/dev/null 2>&1 || skip "mpirun is not installed (scripts/setup.sh installs OpenMPI)"
[[ -n $MPIBIN ]] || skip "CMake found no MPI development files when this build was configured (scripts/setup.sh installs libopenmpi-dev; configure again)"
[[ -x $MPIBIN ]] || { echo "FAIL no MPI program at $MPIBIN (build the target celltrial_mpi)"; exit 1; }

T=$(mktemp -d)
trap 'for p in "${held_pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
cd "$T"
REF=$SRC/scenarios/validation/reference_ancova.yaml
TRIALS=60000

# OpenMPI refuses root without these, refuses more ranks than cores without oversubscription,
# and binds each rank to one core unless told not to (which would starve its threads).
MPIRUN=(mpirun)
if mpirun --version 2>&1 | grep -q "Open MPI"; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  MPIRUN+=(--bind-to none)
fi
mpi() {  # mpi NP ARGS...: mpirun with a time limit
  local np=$1
  shift
  timeout 300 "${MPIRUN[@]}" -np "$np" "$@"
}

# References: one process of the default (non-MPI) program, and of the MPI program without mpirun
# (runs can be mixed across the two: checkpoints and shard files name the build that simulated them).
"$BIN" simulate "$REF" --trials $TRIALS --threads 2 -q --out one
"$MPIBIN" simulate "$REF" --trials $TRIALS --threads 2 -q --out one-mpibuild
check "the MPI program reports the same version and commit" test "$("$BIN" --version)" == "$("$MPIBIN" --version)"
same "the MPI program without mpirun: identical to the default program" one/summary.json one-mpibuild/summary.json
"$MPIBIN" simulate --trials 3000 -q --out done
for np in 1 2 4; do
  expect "mpirun -np $np" 0 "x $np MPI ranks" -- mpi $np "$MPIBIN" simulate "$REF" --trials $TRIALS --out "np$np"
  same "mpirun -np $np: summary.json identical to one process" one/summary.json "np$np/summary.json"
  same "mpirun -np $np: summary.csv identical" one/summary.csv "np$np/summary.csv"
  check "mpirun -np $np: run.json records the ranks" grep -q "\"mpi_ranks\": $np" "np$np/run.json"
done
mpi 3 "$MPIBIN" simulate --trials 3000 -q --out dnp3
same "default scenario, mpirun -np 3: identical" done/summary.json dnp3/summary.json
expect "mpirun -np 2 --threads 1" 0 '' -- mpi 2 "$MPIBIN" simulate "$REF" --trials $TRIALS --threads 1 -q --out np2t1
same "mpirun -np 2 --threads 1: identical" one/summary.json np2t1/summary.json

# An MPI shard merges with a shard run by one process.
mpi 2 "$MPIBIN" simulate "$REF" --trials $TRIALS --shard 2/2 -q --out mixed
"$MPIBIN" simulate "$REF" --trials $TRIALS --shard 1/2 -q --out mixed
expect "merge an MPI shard with a single-process shard" 0 '' -- "$BIN" merge mixed -q --out mixedm
same "MPI shard + single-process shard: identical" one/summary.json mixedm/summary.json

# A checkpoint written by one process is continued by 4 ranks.
BIG=300000
"$MPIBIN" simulate "$REF" --trials $BIG --threads 2 -q --out big
hold_and_signal KILL hold.err "$MPIBIN" simulate "$REF" --trials $BIG --threads 2 -q --checkpoint-every 0 --out res
check "killed single-process run left a checkpoint" test -s res/checkpoint.json -a ! -e res/summary.json
expect "mpirun -np 4 continues it" 0 'continuing from' -- mpi 4 "$MPIBIN" simulate "$REF" --trials $BIG --checkpoint-every 0 --out res
same "resumed across layouts: identical" big/summary.json res/summary.json

# Errors are reported once, by rank 0, with the right exit code from mpirun.
expect "bad scenario under mpirun" 66 'nope.yaml' -- mpi 2 "$MPIBIN" simulate nope.yaml --out e1
mkdir -p mine && echo precious > mine/notes.txt
expect "foreign output folder under mpirun" 74 'did not write' -- mpi 2 "$MPIBIN" simulate "$REF" --trials 100 --out mine
check "user's file untouched" grep -qx precious mine/notes.txt
if [[ $BIN_HAS_MPI != ON ]]; then
  expect "a build without MPI refuses mpirun -np 2" 64 'built without MPI' -- mpi 2 "$BIN" simulate "$REF" --trials 100 --out e2
  check "and writes nothing" test ! -e e2
fi

summary
