#!/usr/bin/env bash
# MPI with the real engine: `mpirun -np 1, 2 and 4 celltrial simulate` give byte-identical results
# to one process of the default (non-MPI) build, also for a shard and for a run resumed from a
# checkpoint another layout wrote. OpenMPI comes from scripts/setup.sh (this test installs nothing);
# the test builds celltrial with -DCELLTRIAL_MPI=ON in its own folder (incremental after the first time).
# Usage: mpi_test.sh path/to/celltrial source_dir mpi_build_dir [ON if path/to/celltrial is an MPI build]
set -u
BIN=$1
SRC=$2
MPI_BUILD=$3
BIN_HAS_MPI=${4:-OFF}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

command -v mpirun >/dev/null 2>&1 || skip "mpirun is not installed (scripts/setup.sh installs OpenMPI)"

if [[ $BIN_HAS_MPI == ON ]]; then
  MPIBIN=$BIN
else
  echo "building celltrial with -DCELLTRIAL_MPI=ON in $MPI_BUILD"
  if ! cmake -S "$SRC" -B "$MPI_BUILD" -DCMAKE_BUILD_TYPE=Release -DCELLTRIAL_MPI=ON -DCELLTRIAL_BUILD_TESTS=OFF \
      -DCELLTRIAL_BUILD_BENCH=OFF >"$MPI_BUILD.log" 2>&1 ||
    ! cmake --build "$MPI_BUILD" --target celltrial -j"$(nproc)" >>"$MPI_BUILD.log" 2>&1; then
    tail -30 "$MPI_BUILD.log"
    echo "FAIL the MPI build (log: $MPI_BUILD.log)"
    fail=$((fail + 1))
    summary
    exit 1
  fi
  MPIBIN=$MPI_BUILD/celltrial
fi

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

# References: one process of the default build, and of the MPI build without mpirun (the same
# build as the ranks, so that runs can also be mixed across builds: checkpoints and shard files
# name the build that simulated them).
"$BIN" simulate "$REF" --trials $TRIALS --threads 2 -q --out one
"$MPIBIN" simulate "$REF" --trials $TRIALS --threads 2 -q --out one-mpibuild
if [[ $("$BIN" --version) == "$("$MPIBIN" --version)" ]]; then
  same "the MPI build without mpirun: identical to the default build" one/summary.json one-mpibuild/summary.json
else
  # Only when the sources changed between the two builds (e.g. while editing): compare within the MPI build.
  echo "note: $BIN and $MPIBIN are builds of different sources; comparing with the MPI build's own single process"
  cp one-mpibuild/summary.json one/summary.json
  cp one-mpibuild/summary.csv one/summary.csv
fi
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
