#!/usr/bin/env bash
# Builds the libFuzzer copy of celltrial (clang, ASan + UBSan; only the fuzz targets) and runs each
# fuzz target (fuzz/README.md) on a fresh copy of its seed corpus and regression inputs:
#   scripts/fuzz.sh [--runs N | --seconds S] [--build-dir DIR] [TARGET...]
# TARGET is scenario, set, partial or merge (default: all four, one after the other). Without
# --runs or --seconds each target runs for 60 seconds (the CI run), or 300 with CELLTRIAL_FULL=1
# (scripts/test.sh --full); --runs N stops after N executions, --seconds S after S seconds.
# Any crash, sanitizer report, hang (over 30 s per input), out-of-memory or leak fails the script;
# the input that caused it is kept in DIR/fuzz-work/TARGET/ and named in the output (add it to
# tests/fuzz_fail/TARGET/ once fixed). The random seed is CELLTRIAL_FUZZ_SEED (default 1), so a run
# with --runs N tries the same inputs on any machine. DIR defaults to build-fuzz/. Ends with one line of figures
# per target (executions, seconds, exec/s, cov, ft) and "N passed, M failed".
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=$SRC/build-fuzz
RUNS=""
SECONDS_PER_TARGET=""
TARGETS=()
ALL=(scenario set partial merge)
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --seconds) SECONDS_PER_TARGET=${2:?--seconds needs a number}; shift 2 ;;
    --build-dir) DIR=${2:?--build-dir needs a folder}; shift 2 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    scenario | set | partial | merge) TARGETS+=("$1"); shift ;;
    *) echo "scripts/fuzz.sh: unknown argument '$1' (targets: ${ALL[*]}; options: --runs N, --seconds S, --build-dir DIR)" >&2
       exit 64 ;;
  esac
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL[@]}")
LIMIT=()
[[ -n $RUNS ]] && LIMIT+=(-runs="$RUNS")
[[ -n $SECONDS_PER_TARGET ]] && LIMIT+=(-max_total_time="$SECONDS_PER_TARGET")
[[ ${#LIMIT[@]} -gt 0 ]] || LIMIT=(-max_total_time="$([[ ${CELLTRIAL_FULL:-} == 1 ]] && echo 300 || echo 60)")

CXX_COMPILER=$(command -v clang++ || command -v clang++-14 || true)
if [[ -z $CXX_COMPILER ]]; then
  echo "scripts/fuzz.sh: clang++ not found (scripts/setup.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi

echo "== configure $DIR (clang, CELLTRIAL_FUZZ=ON, ASan + UBSan)"
cmake -S "$SRC" -B "$DIR" -DCMAKE_CXX_COMPILER="$CXX_COMPILER" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCELLTRIAL_FUZZ=ON -DCELLTRIAL_SANITIZE=address,undefined -DCELLTRIAL_BUILD_TESTS=OFF \
  -DCELLTRIAL_BUILD_BENCH=OFF >"$DIR.configure.log" 2>&1 || { tail -20 "$DIR.configure.log"; exit 1; }
echo "== build ${TARGETS[*]/#/fuzz_}"
cmake --build "$DIR" -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}" || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
pass=0
fail=0
SUMMARY=()
for t in "${TARGETS[@]}"; do
  WORK=$DIR/fuzz-work/$t
  rm -rf "$WORK"
  mkdir -p "$WORK/corpus"
  cp "$SRC/fuzz/corpus/$t/"* "$WORK/corpus/"
  cp "$SRC/tests/fuzz_fail/$t/"* "$WORK/corpus/" 2>/dev/null || true
  DICT=()
  [[ -f $SRC/fuzz/$t.dict ]] && DICT=(-dict="$SRC/fuzz/$t.dict")
  echo "== fuzz_$t ${LIMIT[*]} (log: $WORK/fuzz.log)"
  start=$(date +%s.%N)
  "$DIR/fuzz/fuzz_$t" "${LIMIT[@]}" -seed="${CELLTRIAL_FUZZ_SEED:-1}" "${DICT[@]}" -timeout=30 -rss_limit_mb=2560 \
    -print_final_stats=1 -artifact_prefix="$WORK/" "$WORK/corpus" >"$WORK/fuzz.log" 2>&1
  rc=$?
  end=$(date +%s.%N)
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$WORK/fuzz.log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$WORK/fuzz.log" | tail -1)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  rate=$(awk -v n="${execs:-0}" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  line=$(printf '%-9s %10s execs %6s s %6s exec/s  %s' "$t" "${execs:-?}" "$secs" "$rate" "${cov:-}")
  if [[ $rc -eq 0 ]]; then
    echo "ok   $line"
    pass=$((pass + 1))
  else
    echo "FAIL $line"
    grep -E 'ERROR: |BUG: |SUMMARY: |Test unit written to' "$WORK/fuzz.log" | head -8 | sed 's/^/     /'
    fail=$((fail + 1))
  fi
  SUMMARY+=("$line")
done
echo
printf '%s\n' "${SUMMARY[@]}"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
