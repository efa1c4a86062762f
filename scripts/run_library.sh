#!/usr/bin/env bash
# Regenerates the committed results of every shipped scenario in results/<name>/.
# Each run uses the trial count and seed in its scenario file, so the results are reproducible
# to the bit: summary.json depends only on the scenario, the seed and the trial count.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
for f in scenarios/*.yaml scenarios/validation/*.yaml; do
  echo "== $f"
  ./build/celltrial simulate "$f" --quiet
done
