#!/usr/bin/env bash
# Configures and builds the program only (Release) in ./build: what running celltrial needs.
# scripts/test.sh builds the rest (tests, benchmarks) in the same folder.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCELLTRIAL_BUILD_TESTS=OFF -DCELLTRIAL_BUILD_BENCH=OFF >/dev/null
cmake --build build -j"$(nproc)" --target celltrial
