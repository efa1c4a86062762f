#!/usr/bin/env bash
# Builds tests/install/consumer against an installed celltrial (find_package(celltrial CONFIG)) and
# checks that its run of a scenario through the simulate service gives the installed program's
# `simulate --json` and results folder, byte for byte (the default scenario and a shipped file;
# run.json's timing fields aside), and that a bad scenario is a located error.
#   consumer_check.sh PREFIX SOURCE_DIR WORK_DIR
set -euo pipefail
prefix=$1 src=$2 work=$3
mkdir -p "$work"
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" -j2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

check() {  # check NAME [SCENARIO]
  local name=$1; shift
  rm -rf "$work/lib-results" "$work/results"
  "$work/consumer/consumer" "$@" 3000 7 "$work/lib-results" >"$work/lib.json"
  "$prefix/bin/celltrial" simulate "$@" --trials 3000 --seed 7 --json --out "$work/results" >"$work/cli.json" 2>/dev/null
  if ! cmp -s "$work/lib.json" "$work/cli.json"; then
    echo "FAIL: $name: the library's summary differs from the program's"; diff "$work/lib.json" "$work/cli.json" | head -20; exit 1
  fi
  for f in summary.json summary.csv scenario.yaml; do
    cmp -s "$work/lib-results/$f" "$work/results/$f" || { echo "FAIL: $name: $f differs"; exit 1; }
  done
  # run.json: the same but for the clock and the machine's speed
  python3 - "$work/lib-results/run.json" "$work/results/run.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for k in ("started_utc", "finished_utc", "wall_seconds", "trials_per_second", "threads"):
    a.pop(k, None); b.pop(k, None)
assert a == b, {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
PY
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["trials"]==3000 and j["seed"]==7, j' "$work/lib.json"
  echo "ok: $name: the library's summary is the program's"
}
check "default scenario"
check "reference_ancova.yaml" "$prefix/share/celltrial/scenarios/validation/reference_ancova.yaml"

printf 'schema_version: 1\ndesgin: {}\n' >"$work/bad.yaml"
set +e
"$work/consumer/consumer" "$work/bad.yaml" 10 1 "$work/bad-results" >"$work/out" 2>"$work/err"
code=$?
set -e
[[ $code -eq 65 ]] || { echo "FAIL: a bad scenario gave exit $code, not 65 (data)"; exit 1; }
[[ ! -e $work/bad-results ]] || { echo "FAIL: a bad scenario left a results folder"; exit 1; }
grep -q "bad.yaml:2" "$work/err" || { echo "FAIL: no located message:"; cat "$work/err"; exit 1; }
echo "ok: bad scenario -> exit $code, $(head -c 120 "$work/err" | tr '\n' ' ')"
