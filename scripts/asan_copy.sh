#!/usr/bin/env bash
# Configures and builds the ASan + UBSan copy of celltrial that both scripts/sanitize.sh
# address,undefined (the unit and program tests) and scripts/fuzz.sh (the libFuzzer targets) use,
# so that the library is compiled once for both:
#   scripts/asan_copy.sh DIR TARGET...
# clang (libFuzzer needs it), -O1 -g1, every layer with ASan + UBSan and the fuzzer's coverage
# instrumentation (harmless in the tests and the program: the sanitizer runtime provides the hooks).
# The configuration is the same whoever calls, so neither caller rebuilds what the other built.
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: scripts/asan_copy.sh DIR TARGET...}
shift
CXX_COMPILER=$(command -v clang++ || command -v clang++-14 || true)
if [[ -z $CXX_COMPILER ]]; then
  echo "scripts/asan_copy.sh: clang++ not found (scripts/setup.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
mkdir -p "$(dirname "$DIR")"
echo "== configure $DIR (clang, ASan + UBSan, fuzzer coverage, -O1 -g1)"
cmake -S "$SRC" -B "$DIR" -DCMAKE_CXX_COMPILER="$CXX_COMPILER" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DCELLTRIAL_FUZZ=ON -DCELLTRIAL_SANITIZE=address,undefined \
  -DCELLTRIAL_BUILD_TESTS=ON -DCELLTRIAL_BUILD_BENCH=OFF >"$DIR.configure.log" 2>&1 ||
  { tail -20 "$DIR.configure.log"; exit 1; }
echo "== build $*"
cmake --build "$DIR" -j"$(nproc)" --target "$@"
