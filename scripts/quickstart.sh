#!/usr/bin/env bash
# Installs what is missing, builds, and simulates the shipped default scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
./build/celltrial simulate "$@"
