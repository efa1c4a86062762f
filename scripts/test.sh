#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
#   scripts/test.sh          CI mode: statistical checks with fewer trials and honest tolerances
#   scripts/test.sh --full   release checks: 1,000,000 trials per statistical check
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --full ]]; then export CELLTRIAL_FULL=1; fi
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)"
