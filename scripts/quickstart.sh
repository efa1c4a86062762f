#!/usr/bin/env bash
# Installs what building needs, builds the program only (not the tests and benchmarks), and
# simulates the shipped default scenario. Arguments go to `celltrial simulate`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-only
scripts/build.sh
./build/celltrial simulate "$@"
