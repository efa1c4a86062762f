#!/usr/bin/env bash
# Builds a sanitizer copy of celltrial (only what the job checks) and runs its tests:
#   scripts/sanitize.sh address,undefined [BUILD_DIR]
#       ASan + UBSan: every unit and statistical test (Catch2) and the program tests
#   scripts/sanitize.sh thread [BUILD_DIR]
#       TSan: the engine and parallel tests, and `celltrial simulate` on 2 threads
# BUILD_DIR defaults to build/sanitize-address or build/sanitize-thread. Any report fails the job
# (-fno-sanitize-recover=all; halt_on_error). Suppressions: tests/sanitizers/ (each with its reason).
# Ends with "N passed, M failed".
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
KIND=${1:?usage: scripts/sanitize.sh address,undefined|thread [BUILD_DIR]}
case $KIND in
  address,undefined | address | undefined) DIR=${2:-$SRC/build/sanitize-address} ;;
  thread) DIR=${2:-$SRC/build/sanitize-thread} ;;
  *) echo "scripts/sanitize.sh: unknown sanitizer '$KIND' (address,undefined or thread)" >&2; exit 64 ;;
esac
JOBS=$(nproc)
pass=0
fail=0
step() {  # step NAME COMMAND...
  local name=$1
  shift
  echo "== $name"
  if "$@"; then echo "ok   $name"; pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); return 1; fi
}
finish() {
  echo
  echo "$pass passed, $fail failed"
  [[ $fail -eq 0 ]]
  exit
}

# -O1: quick to build, still fast enough to run the suite; debug info for the reports' stacks.
configure() {
  cmake -S "$SRC" -B "$DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
    -DCELLTRIAL_SANITIZE="$KIND" -DCELLTRIAL_BUILD_BENCH=OFF >"$DIR.configure.log" 2>&1 ||
    { tail -20 "$DIR.configure.log"; return 1; }
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
if [[ -s $SRC/tests/sanitizers/tsan.supp ]]; then TSAN_OPTIONS+=":suppressions=$SRC/tests/sanitizers/tsan.supp"; fi

step "configure $KIND" configure || finish
if [[ $KIND == thread ]]; then
  step "build (tests and program)" cmake --build "$DIR" -j"$JOBS" --target celltrial_tests celltrial || finish
  step "engine and parallel unit tests under TSan" \
    "$DIR/tests/celltrial_tests" "[engine],[batch],[reproducibility],[subgroups],[multiplicity]"
  T=$(mktemp -d)
  step "celltrial simulate --threads 2 under TSan" \
    "$DIR/celltrial" simulate "$SRC/scenarios/validation/reference_ancova.yaml" --trials 20000 --threads 2 -q --out "$T/run"
  step "a sharded, checkpointed run under TSan" \
    "$DIR/celltrial" simulate "$SRC/scenarios/default.yaml" --trials 4000 --threads 2 -q --shard 1/2 --checkpoint-every 0 --out "$T/shards"
  rm -rf "$T"
else
  step "build (tests and program)" cmake --build "$DIR" -j"$JOBS" --target celltrial_tests celltrial || finish
  step "unit and statistical tests under ASan+UBSan" "$DIR/tests/celltrial_tests"
  step "program tests under ASan+UBSan" bash "$SRC/tests/cli/program_tests.sh" "$DIR/celltrial" "$SRC"
fi
finish
