#!/usr/bin/env bash
# Builds a sanitizer copy of celltrial (only what the job checks) and runs its tests:
#   scripts/sanitize.sh address,undefined [BUILD_DIR]
#       ASan + UBSan: every unit and statistical test (Catch2) and the program tests
#   scripts/sanitize.sh thread [BUILD_DIR]
#       TSan: the engine and parallel tests, and `celltrial simulate` on 2 threads, linked with the
#       TSan build of libtbb that scripts/setup.sh makes (scripts/build_tbb.sh)
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

# TSan: link the instrumented libtbb that scripts/setup.sh builds (scripts/build_tbb.sh); Debian's
# libtbb hides its scheduler's synchronisation from TSan. CELLTRIAL_TBB_THREAD overrides the place.
EXTRA=()
if [[ $KIND == thread ]]; then
  TBB_PREFIX=${CELLTRIAL_TBB_THREAD:-$("$SRC/scripts/build_tbb.sh" --prefix thread)}
  if [[ ! -f $TBB_PREFIX/lib/cmake/TBB/TBBConfig.cmake ]]; then
    echo "scripts/sanitize.sh: no ThreadSanitizer build of libtbb in $TBB_PREFIX; run scripts/setup.sh (it builds one)" >&2
    exit 1
  fi
  EXTRA+=("-DTBB_DIR=$TBB_PREFIX/lib/cmake/TBB")
fi

# -O1: quick to build, still fast enough to run the suite; debug info for the reports' stacks.
configure() {
  cmake -S "$SRC" -B "$DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
    -DCELLTRIAL_SANITIZE="$KIND" -DCELLTRIAL_BUILD_BENCH=OFF "${EXTRA[@]}" >"$DIR.configure.log" 2>&1 ||
    { tail -20 "$DIR.configure.log"; return 1; }
  if [[ $KIND == thread ]] && ! grep -q "^TBB_DIR:.*=$TBB_PREFIX/lib/cmake/TBB\$" "$DIR/CMakeCache.txt"; then
    echo "scripts/sanitize.sh: $DIR is not configured with the TSan libtbb in $TBB_PREFIX" >&2
    return 1
  fi
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
if [[ -s $SRC/tests/sanitizers/tsan.supp ]]; then TSAN_OPTIONS+=":suppressions=$SRC/tests/sanitizers/tsan.supp"; fi

step "configure $KIND" configure || finish
if [[ $KIND == thread ]]; then
  step "build (tests and program)" cmake --build "$DIR" -j"$JOBS" --target celltrial_tests celltrial || finish
  # grep without -q reads all of ldd's output (with pipefail, -q could end ldd with SIGPIPE)
  links_tsan_tbb() { ldd "$1" | grep "=> $TBB_PREFIX/lib/libtbb.so" >/dev/null; }
  step "the tests and the program load the TSan libtbb" links_tsan_tbb "$DIR/tests/celltrial_tests" || finish
  links_tsan_tbb "$DIR/celltrial" || { echo "FAIL $DIR/celltrial does not load $TBB_PREFIX/lib/libtbb.so"; fail=$((fail + 1)); finish; }
  step "engine and parallel unit tests under TSan" \
    "$DIR/tests/celltrial_tests" "[engine],[batch],[reproducibility],[subgroups],[design]"
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
