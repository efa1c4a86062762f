#!/usr/bin/env bash
# Builds the fuzz targets in the ASan copy of celltrial (scripts/asan_copy.sh: clang, ASan + UBSan) and runs each
# fuzz target (fuzz/README.md) on a fresh copy of its seed corpus and regression inputs:
#   scripts/fuzz.sh [--runs N | --seconds S] [--build-dir DIR] [TARGET...]
# TARGET is scenario, set, partial, merge, data or summary (default: all six, as many at a time as there are cores). Without
# --runs or --seconds each target runs for 60 seconds (the CI run), or 300 with CELLTRIAL_FULL=1
# (scripts/test.sh --full); --runs N stops after N executions, --seconds S after S seconds.
# Any crash, sanitizer report, hang (over 30 s per input), out-of-memory or leak fails the script;
# the input that caused it is kept in DIR/fuzz-work/TARGET/ and named in the output (add it to
# tests/fuzz_fail/TARGET/ once fixed). The random seed is CELLTRIAL_FUZZ_SEED (default 1), so a run
# with --runs N tries the same inputs on any machine. DIR defaults to build/asan/ (shared with
# scripts/sanitize.sh address,undefined; scripts/asan_copy.sh). Ends with one line of figures
# per target (executions, seconds, exec/s, cov, ft) and "N passed, M failed".
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=$SRC/build/asan
RUNS=""
SECONDS_PER_TARGET=""
TARGETS=()
ALL=(scenario set partial merge data summary)
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --seconds) SECONDS_PER_TARGET=${2:?--seconds needs a number}; shift 2 ;;
    --build-dir) DIR=${2:?--build-dir needs a folder}; shift 2 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    scenario | set | partial | merge | data | summary) TARGETS+=("$1"); shift ;;
    *) echo "scripts/fuzz.sh: unknown argument '$1' (targets: ${ALL[*]}; options: --runs N, --seconds S, --build-dir DIR)" >&2
       exit 64 ;;
  esac
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL[@]}")
LIMIT=()
[[ -n $RUNS ]] && LIMIT+=(-runs="$RUNS")
[[ -n $SECONDS_PER_TARGET ]] && LIMIT+=(-max_total_time="$SECONDS_PER_TARGET")
[[ ${#LIMIT[@]} -gt 0 ]] || LIMIT=(-max_total_time="$([[ ${CELLTRIAL_FULL:-} == 1 ]] && echo 300 || echo 60)")

"$SRC/scripts/asan_copy.sh" "$DIR" "${TARGETS[@]/#/fuzz_}" || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# One target: fuzz it, and write its figures (and, on a failure, what it found) to WORK/result.
# Returns the fuzzer's exit code.
fuzz_target() {
  local t=$1
  local WORK=$DIR/fuzz-work/$t
  rm -rf "$WORK"
  mkdir -p "$WORK/corpus"
  cp "$SRC/fuzz/corpus/$t/"* "$WORK/corpus/"
  cp "$SRC/tests/fuzz_fail/$t/"* "$WORK/corpus/" 2>/dev/null || true
  local DICT=()
  [[ -f $SRC/fuzz/$t.dict ]] && DICT=(-dict="$SRC/fuzz/$t.dict")
  echo "== fuzz_$t ${LIMIT[*]} (log: $WORK/fuzz.log)"
  local start end rc execs cov secs rate line
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
    echo "ok   $line" >"$WORK/result"
  else
    { echo "FAIL $line"; grep -E 'ERROR: |BUG: |SUMMARY: |Test unit written to' "$WORK/fuzz.log" | head -8 | sed 's/^/     /'; } >"$WORK/result"
  fi
  return "$rc"
}

# The targets run side by side, as many at a time as there are cores (each fuzzer is one process);
# with a fixed number of executions and a fixed seed each tries the same inputs either way.
pass=0
fail=0
JOBS=$(nproc)
running=()
for t in "${TARGETS[@]}"; do
  while [[ ${#running[@]} -ge $JOBS ]]; do
    wait -n || true
    still=()
    for p in "${running[@]}"; do kill -0 "$p" 2>/dev/null && still+=("$p"); done
    running=("${still[@]}")
  done
  fuzz_target "$t" &
  running+=($!)
done
wait
echo
for t in "${TARGETS[@]}"; do
  result=$DIR/fuzz-work/$t/result
  if [[ -f $result ]] && head -1 "$result" | grep -q '^ok '; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
  cat "$result" 2>/dev/null || echo "FAIL $t: no result (the fuzzer did not finish)"
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
