#!/usr/bin/env bash
# Builds a sanitizer copy of celltrial (only what the job checks) and runs its tests:
#   scripts/sanitize.sh address,undefined [BUILD_DIR]
#       ASan + UBSan: every unit test (Catch2; the statistical ones too with CELLTRIAL_FULL=1) and
#       the program tests
#   scripts/sanitize.sh thread [BUILD_DIR]
#       TSan: the engine and parallel tests, and `celltrial simulate` on 2 threads, linked with the
#       TSan build of libtbb that scripts/setup.sh makes (scripts/build_tbb.sh)
# BUILD_DIR defaults to build/asan (the copy scripts/fuzz.sh uses too; scripts/asan_copy.sh) or
# build/sanitize-thread. Any report fails the job
# (-fno-sanitize-recover=all; halt_on_error). Suppressions: tests/sanitizers/ (each with its reason).
# Ends with "N passed, M failed".
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
KIND=${1:?usage: scripts/sanitize.sh address,undefined|thread [BUILD_DIR]}
case $KIND in
  address,undefined | address | undefined) KIND=address,undefined; DIR=${2:-$SRC/build/asan} ;;
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
# The tests TSan runs: their tags (the TSan copy compiles only the test files that hold them).
TSAN_TAGS=(engine batch reproducibility subgroups design)
if [[ $KIND == thread ]]; then
  TBB_PREFIX=${CELLTRIAL_TBB_THREAD:-$("$SRC/scripts/build_tbb.sh" --prefix thread)}
  if [[ ! -f $TBB_PREFIX/lib/cmake/TBB/TBBConfig.cmake ]]; then
    echo "scripts/sanitize.sh: no ThreadSanitizer build of libtbb in $TBB_PREFIX; run scripts/setup.sh (it builds one)" >&2
    exit 1
  fi
  EXTRA+=("-DTBB_DIR=$TBB_PREFIX/lib/cmake/TBB" "-DCELLTRIAL_TEST_TAGS=$(IFS=';'; echo "${TSAN_TAGS[*]}")")
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

if [[ $KIND == thread ]]; then
  step "configure $KIND" configure || finish
  step "build (tests and program)" cmake --build "$DIR" -j"$JOBS" --target celltrial_tests celltrial || finish
  # grep without -q reads all of ldd's output (with pipefail, -q could end ldd with SIGPIPE)
  links_tsan_tbb() { ldd "$1" | grep "=> $TBB_PREFIX/lib/libtbb.so" >/dev/null; }
  step "the tests and the program load the TSan libtbb" links_tsan_tbb "$DIR/tests/celltrial_tests" || finish
  links_tsan_tbb "$DIR/celltrial" || { echo "FAIL $DIR/celltrial does not load $TBB_PREFIX/lib/libtbb.so"; fail=$((fail + 1)); finish; }
  step "engine and parallel unit tests under TSan" \
    "$DIR/tests/celltrial_tests" "$(printf '[%s],' "${TSAN_TAGS[@]}" | sed 's/,$//')"
  T=$(mktemp -d)
  step "celltrial simulate --threads 2 under TSan" \
    "$DIR/celltrial" simulate "$SRC/scenarios/validation/reference_ancova.yaml" --trials 20000 --threads 2 -q --out "$T/run"
  step "a sharded, checkpointed run under TSan" \
    "$DIR/celltrial" simulate "$SRC/scenarios/default.yaml" --trials 4000 --threads 2 -q --shard 1/2 --checkpoint-every 0 --out "$T/shards"
  rm -rf "$T"
else
  step "configure and build (tests and program)" "$SRC/scripts/asan_copy.sh" "$DIR" celltrial_tests celltrial || finish
  # The unit tests and the program tests side by side (each runs one process at a time), each
  # with its output in a log of its own, shown when both are done (all of it on a failure).
  # The statistical checks (millions of simulated trials, the same code the unit tests run) only
  # with --full: under the fuzzer's coverage instrumentation they take minutes.
  # The mutation test simulates every accepted variant of every shipped scenario, most of this
  # job's time under ASan: here every third variant (all of them in the Release build and with --full).
  UNIT_SPEC=("~[statistical]")
  export CELLTRIAL_MUTATION_STRIDE=3
  [[ ${CELLTRIAL_FULL:-} == 1 ]] && UNIT_SPEC=() && CELLTRIAL_MUTATION_STRIDE=1
  "$DIR/tests/celltrial_tests" "${UNIT_SPEC[@]}" >"$DIR.unit.log" 2>&1 &
  unit_pid=$!
  bash "$SRC/tests/cli/program_tests.sh" "$DIR/celltrial" "$SRC" >"$DIR.program.log" 2>&1 &
  program_pid=$!
  unit_rc=0
  wait "$unit_pid" || unit_rc=$?
  program_rc=0
  wait "$program_pid" || program_rc=$?
  shown() {  # shown LOG EXIT_CODE
    if [[ $2 -eq 0 ]]; then tail -n 3 "$1"; else cat "$1"; fi
    return "$2"
  }
  step "unit tests under ASan+UBSan${UNIT_SPEC[*]:+ (statistical ones with --full)}" shown "$DIR.unit.log" "$unit_rc"
  step "program tests under ASan+UBSan" shown "$DIR.program.log" "$program_rc"
fi
finish
