#!/usr/bin/env bash
# Installs this build into a temporary prefix, builds tests/install/consumer against it with
# find_package(celltrial CONFIG), and checks that the consumer's summary of a scenario is the
# installed program's `simulate --json`, byte for byte (the default scenario and a shipped file).
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/celltrial include/celltrial/engine/engine.hpp lib/cmake/celltrial/celltrialConfig.cmake \
         lib/cmake/celltrial/celltrialConfigVersion.cmake share/celltrial/scenarios/default.yaml \
         share/man/man1/celltrial.1.gz share/man/man1/celltrial-simulate.1.gz \
         share/bash-completion/completions/celltrial share/zsh/vendor-completions/_celltrial; do
  [[ -e $tmp/prefix/$f ]] || { echo "FAIL: $f not installed"; exit 1; }
done
cmake -S "$src/tests/install/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
      -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/consumer" -j2 >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }

check() {  # check NAME [SCENARIO]
  local name=$1; shift
  "$tmp/consumer/consumer" "$@" 3000 7 >"$tmp/lib.json"
  "$tmp/prefix/bin/celltrial" simulate "$@" --trials 3000 --seed 7 --json --threads 2 >"$tmp/cli.json" 2>/dev/null
  if ! cmp -s "$tmp/lib.json" "$tmp/cli.json"; then
    echo "FAIL: $name: the library's summary differs from the program's"; diff "$tmp/lib.json" "$tmp/cli.json" | head -20; exit 1
  fi
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["trials"]==3000 and j["seed"]==7, j' "$tmp/lib.json"
  echo "ok: $name"
}
check "default scenario"
check "reference_ancova.yaml" "$tmp/prefix/share/celltrial/scenarios/validation/reference_ancova.yaml"

# A bad scenario: the consumer gets the located error, not a crash.
printf 'schema_version: 1\ndesgin: {}\n' >"$tmp/bad.yaml"
set +e
"$tmp/consumer/consumer" "$tmp/bad.yaml" 10 1 >"$tmp/out" 2>"$tmp/err"
code=$?
set -e
[[ $code -ne 0 ]] || { echo "FAIL: a bad scenario ran"; exit 1; }
grep -q "bad.yaml:2" "$tmp/err" || { echo "FAIL: no located message:"; cat "$tmp/err"; exit 1; }
echo "ok: bad scenario -> exit $code, $(head -c 120 "$tmp/err" | tr '\n' ' ')"
