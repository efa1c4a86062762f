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
echo "== sample size and assurance of the default scenario"
./build/celltrial power --target 0.8 --prior 'normal(1.42,0.56)' --quiet
echo "== responder sensitivity study"
./build/celltrial sweep scenarios/responder_sensitivity.yaml --quiet
if [[ -x ./build/celltrial ]] && ./build/celltrial report --help >/dev/null 2>&1; then
  for d in results/*/; do ./build/celltrial report "$d" >/dev/null || true; done
fi
