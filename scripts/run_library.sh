#!/usr/bin/env bash
# Regenerates the committed results of every shipped scenario in results/<name>/.
# Each run uses the trial count and seed in its scenario file, so the results are reproducible
# to the bit: summary.json depends only on the scenario, the seed and the trial count.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-only
scripts/build.sh
for f in scenarios/*.yaml scenarios/validation/*.yaml; do
  # Studies: below.
  [[ $f == scenarios/responder_sensitivity.yaml || $f == scenarios/design_comparison.yaml ]] && continue
  echo "== $f"
  # The scenarios in calendar time also export their first trial (trials.csv), to be looked at.
  export=()
  [[ $f == scenarios/longitudinal_ucb.yaml || $f == scenarios/delayed_treatment.yaml ]] && export=(--export-trials 1)
  ./build/celltrial simulate "$f" --quiet "${export[@]}"
done
echo "== ANCOVA vs MMRM under MCAR, MAR and MNAR dropout and both estimands (a sweep)"
./build/celltrial sweep scenarios/missing_data_estimands.yaml --quiet
echo "== sample size and assurance of the default scenario"
./build/celltrial power --target 0.8 --prior 'normal(1.42,0.56)' --quiet
echo "== responder sensitivity study (subgroups, enrichment, tornado, heat map, report)"
./build/celltrial study scenarios/responder_sensitivity.yaml --quiet
echo "== design comparison study (fixed, group-sequential, re-estimation, enrichment)"
./build/celltrial study scenarios/design_comparison.yaml --quiet
for d in results/*/; do
  # The study writes its own report (with its sections); every other folder gets one here.
  [[ $d == results/responder_sensitivity/ || $d == results/design_comparison/ ]] && continue
  if [[ -s $d/summary.json ]]; then ./build/celltrial report "$d" >/dev/null; fi
done
