#!/usr/bin/env bash
# Installs what building needs, builds the program only (not the tests and benchmarks), and
# simulates the shipped default scenario. Arguments go to `celltrial simulate`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-only
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target celltrial
./build/celltrial simulate "$@"
