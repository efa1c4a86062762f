#!/usr/bin/env bash
# Tests of the built program: exit codes, messages, round trips, files written atomically.
# Usage: program_tests.sh path/to/celltrial source_dir
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# expect / check / summary helpers, shared with the cluster tests.
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"

cd "$T"
REF=$SRC/scenarios/validation/reference_ancova.yaml

expect "version" 0 'celltrial [0-9]+\.[0-9]+\.[0-9]+ \(commit' -- "$BIN" --version
expect "help lists exit codes" 0 '65 +data' -- "$BIN" --help
expect "simulate --help" 0 '--threads' -- "$BIN" simulate --help
expect "no subcommand is a usage error" 64 'subcommand' -- "$BIN"
expect "unknown option" 64 "celltrial simulate --help" -- "$BIN" simulate --bogus
expect "option typo names the option" 64 "unknown option '--trails' for 'celltrial simulate'. Did you mean '--trials'\\?" -- "$BIN" simulate "$REF" --trails 10
expect "option typo with a value" 64 "unknown option '--targt' for 'celltrial power'. Did you mean '--target'\\?" -- "$BIN" power "$REF" --targt=0.8
expect "command typo" 64 "'simulat' is not a command. Did you mean 'simulate'\\?" -- "$BIN" simulat "$REF"
expect "--threads 0" 64 'threads.*(range|0)' -- "$BIN" simulate --threads 0
expect "--trials abc" 64 'trials' -- "$BIN" simulate --trials abc
expect "--trials 0" 64 'trials' -- "$BIN" simulate --trials 0

# simulate: default scenario, results folder, provenance, JSON on stdout.
expect "simulate default" 0 'ucb vs placebo' -- "$BIN" simulate --trials 500 --threads 2 --out "$T/def"
check "results files exist" test -s "$T/def/summary.json" -a -s "$T/def/summary.csv" -a -s "$T/def/run.json" -a -s "$T/def/scenario.yaml"
check "run.json has provenance" grep -q '"git_commit"' "$T/def/run.json"
check "summary.json keys" python3 -c "
import json,sys; j=json.load(open('$T/def/summary.json'))
assert 0<=j['power']['estimate']<=1 and j['power']['mc_se']>0
assert 'mean' in j['estimate'] and 'true' in j['estimate'] and 'coverage' in j['estimate']
assert j['trials']==500 and j['seed']==20250411"
expect "default out folder is results/<name>" 0 '' -- "$BIN" simulate --trials 100 -q
check "results/ucb_phase3_default created" test -s "$T/results/ucb_phase3_default/summary.json"
expect "--json prints the summary" 0 '"power"' -- "$BIN" simulate "$REF" --trials 300 --json --out "$T/j"

# Bit-identical summaries for any thread count.
"$BIN" simulate "$REF" --trials 5000 --threads 1 -q --out "$T/t1"
"$BIN" simulate "$REF" --trials 5000 --threads 2 -q --out "$T/t2"
"$BIN" simulate "$REF" --trials 5000 --threads 7 -q --out "$T/t7"
check "threads 1 = 2" cmp -s "$T/t1/summary.json" "$T/t2/summary.json"
check "threads 1 = 7" cmp -s "$T/t1/summary.json" "$T/t7/summary.json"
# Recruitment in calendar time and the export of simulated trials.
ACCRUAL=(--set design.accrual.sites=12 --set design.accrual.ramp_up_months=6 --set design.accrual.screened_per_site_month=1.5)
expect "simulate with accrual" 0 'accrual: [0-9.]+ months first to last randomisation \(MC SE' -- "$BIN" simulate --trials 300 "${ACCRUAL[@]}" --export-trials 3 --out "$T/acc"
check "summary.json has accrual and duration with MC errors" python3 -c "
import json; s = json.load(open('$T/acc/summary.json'))
for k in ('accrual_months', 'duration_months'):
    d = s[k]; assert d['mean'] > 0 and d['mc_se'] > 0 and d['trials'] == 300 and d['quantiles']['0.05'] <= d['quantiles']['0.95'], d"
check "trials.csv: 3 trials x 440 children x 3 visits with months" python3 -c "
import csv; rows = list(csv.DictReader(open('$T/acc/trials.csv')))
assert len(rows) == 3 * 440 * 3 and {r['trial'] for r in rows} == {'0', '1', '2'} and {r['visit'] for r in rows} == {'3', '6', '12'}
assert all(float(r['month_randomised']) >= 0 for r in rows) and all((r['value'] == '') == (r['status'] != 'observed') for r in rows)"
# Trials in time: every visit, intercurrent events, the delayed-treatment design.
expect "simulate longitudinal_ucb" 0 'visits \(share assessed' -- "$BIN" simulate "$SRC/scenarios/longitudinal_ucb.yaml" --trials 200 --export-trials 2 --out "$T/long"
check "longitudinal_ucb: per-visit shares and means with MC errors, accrual, events" python3 -c "
import json; s = json.load(open('$T/long/summary.json')); f = s['follow_up']
assert [v['month'] for v in f['visits']] == [3, 6, 12] and f['intercurrent_events'] == ['botulinum_toxin', 'orthopaedic_surgery']
for v in f['visits']:
    for a in v['arms']: assert 0 < a['observed_share']['mean'] < 1 and a['observed_share']['mc_se'] > 0 and a['mean_change_all']['trials'] == 200
assert all(a['intercurrent_event_share']['mean'] > 0 for a in f['arms']) and s['accrual_months']['mc_se'] > 0"
check "longitudinal_ucb trials.csv: statuses and events" python3 -c "
import csv; rows = list(csv.DictReader(open('$T/long/trials.csv')))
assert len(rows) == 2 * 440 * 3 and {r['status'] for r in rows} == {'observed', 'missed', 'dropped_out'}
assert {r['event'] for r in rows} >= {'', 'botulinum_toxin'}"
expect "simulate again into a folder holding trials.csv" 0 'results written to' -- "$BIN" simulate "$SRC/scenarios/longitudinal_ucb.yaml" --trials 20 --out "$T/long"
check "the second run without --export-trials leaves no trials.csv behind" test ! -e "$T/long/trials.csv"
expect "simulate delayed_treatment" 0 'delayed treatment at month 12: delayed gain' -- "$BIN" simulate "$SRC/scenarios/delayed_treatment.yaml" --trials 200 --out "$T/delay"
expect "delayed_treatment without the delayed start" 0 'ANCOVA' -- "$BIN" simulate "$SRC/scenarios/delayed_treatment.yaml" --trials 200 --set design.delayed_start_month=0 --out "$T/nodelay"
check "the delayed start leaves the primary comparison bit for bit" python3 -c "
import json; a = json.load(open('$T/delay/summary.json')); b = json.load(open('$T/nodelay/summary.json'))
assert a['comparisons'] == b['comparisons'] and a['arms'] == b['arms'] and 'delayed_treatment' in a and 'delayed_treatment' not in b
d = a['delayed_treatment']; assert d['power']['of'] == 200 and d['estimate']['mc_se'] > 0"
SSR=$SRC/scenarios/validation/sample_size_reestimation.yaml
expect "simulate sample-size re-estimation" 0 'sample-size re-estimation \(promising-zone, target 0.90, cap 400' -- "$BIN" simulate "$SSR" --trials 300 --out "$T/ssr"
check "re-estimation rows in summary.csv" grep -q 'sample-size re-estimation,p_increase' "$T/ssr/summary.csv"
expect "re-estimation cap below the planned N" 65 'max_sample_size: the cap 150 is not above design.sample_size \(200\)' -- "$BIN" validate "$SSR" --set design.interims.sample_size_reestimation.max_sample_size=150
expect "re-estimation with MMRM" 65 'sample_size_reestimation: sample-size re-estimation combines' -- "$BIN" validate "$SSR" --set analysis.method=mmrm
expect "re-estimation refuses a sample-size search" 65 'a search over design.sample_size' -- "$BIN" power "$SSR" --target 0.8
ENR=$SRC/scenarios/validation/enrichment_responders.yaml
expect "simulate adaptive enrichment" 0 "adaptive enrichment to 'responders'" -- "$BIN" simulate "$ENR" --trials 300 --out "$T/enr"
check "enrichment block in summary.json" python3 -c "
import json; e=json.load(open('$T/enr/summary.json'))['enrichment']
assert abs(sum(e['final_population'][k]['estimate'] for k in ('full','subgroup','stopped'))-1)<1e-12
assert all('mc_se' in e['claim_in_final_population'][k] for k in ('full','subgroup','stopped'))"
check "enrichment rows in summary.csv" grep -q 'adaptive enrichment,p_final_population_subgroup' "$T/enr/summary.csv"
expect "enrichment names an unknown subgroup" 65 "enrichment.subgroup: there is no subgroup 'responder'.*did you mean 'responders'" -- "$BIN" validate "$ENR" --set design.interims.enrichment.subgroup=responder
expect "enrichment with MMRM" 65 'enrichment: adaptive enrichment combines' -- "$BIN" validate "$ENR" --set analysis.method=mmrm
expect "enrichment refuses a sample-size search" 65 'restrict enrolment to a subgroup' -- "$BIN" power "$ENR" --target 0.8
ARM=$SRC/scenarios/arm_selection.yaml
expect "simulate arm selection" 0 "arm selection \\(select best on estimate" -- "$BIN" simulate "$ARM" --trials 200 --out "$T/arm"
check "arm_selection block in summary.json" python3 -c "
import json; e=json.load(open('$T/arm/summary.json'))['arm_selection']
assert e['arms'] == ['intrathecal', 'intravenous'] and len(e['final_selection']) == 3 and 'fwer' in e, e.keys()"
check "arm selection rows in summary.csv" grep -q 'arm selection,p_selected_intrathecal' "$T/arm/summary.csv"
expect "arm selection with a misspelt key" 65 "did you mean 'threshold'" -- "$BIN" validate "$ARM" --set design.interims.arm_selection.treshold=0
expect "arm selection with one active arm" 65 'arm selection chooses among two to 4 active arms' -- "$BIN" validate "$ARM" --set 'arms=[{name: sham, role: control}, {name: msc, role: active, effect_by_month: {12: 1}}]'
expect "arm selection refuses a sample-size search" 65 'may drop arms at its interim look' -- "$BIN" power "$ARM" --target 0.8
CAL=$SRC/scenarios/validation/gs_calendar.yaml
expect "simulate looks at calendar months" 0 'held' -- "$BIN" simulate "$CAL" --trials 200 --out "$T/cal"
check "calendar looks in summary.json" python3 -c "
import json; i=json.load(open('$T/cal/summary.json'))['interims']
assert i['months'] == [25.5, 38.5] and len(i['held']) == 2 and len(i['observed_information']) == 2, i.keys()"
expect "calendar looks with a classical boundary" 65 'design.interims.efficacy.boundary: at calendar looks the information is random' -- "$BIN" validate "$CAL" --set design.interims.efficacy.boundary=pocock
expect "calendar looks and information fractions" 65 'the looks are given twice' -- "$BIN" validate "$CAL" --set 'design.interims.information=[0.5]'
expect "delayed start before the primary visit" 65 'design.delayed_start_month: the control group would be treated at month 6, before the primary visit' -- "$BIN" validate "$SRC/scenarios/delayed_treatment.yaml" --set design.delayed_start_month=6
expect "delayed start without a visit a primary interval later" 65 'design.visits_months lacks 30' -- "$BIN" validate "$SRC/scenarios/delayed_treatment.yaml" --set design.delayed_start_month=18
expect "event rate above 1 per month" 65 'design.intercurrent_events\[0\].rate_per_month' -- "$BIN" validate "$SRC/scenarios/longitudinal_ucb.yaml" --set 'design.intercurrent_events[0].rate_per_month=2'
expect "--export-trials above the trial count" 64 'command line \(--export-trials\): error: --export-trials 11 asks for more trials than the run.s 10' -- "$BIN" simulate "$REF" --trials 10 --export-trials 11 --out "$T/ex"
check "--export-trials above the trial count writes nothing" test ! -e "$T/ex"
expect "--export-trials with --shard" 64 'a shard writes no results folder' -- "$BIN" simulate "$REF" --trials 10 --export-trials 2 --shard 1/2 --out "$T/exs"
expect "accrual without sites" 65 'design.accrual.sites: accrual needs the number of recruiting sites' -- "$BIN" validate "$REF" --set design.accrual.screened_per_site_month=2
check "csv identical" cmp -s "$T/t1/summary.csv" "$T/t7/summary.csv"

# --set and --seed are recorded in the resolved scenario.
"$BIN" simulate "$REF" --trials 200 --seed 99 --set analysis.alpha=0.01 -q --out "$T/set"
check "--set recorded" grep -q '"alpha": 0.01' "$T/set/run.json"
check "--seed recorded" grep -q '"seed": 99' "$T/set/summary.json"

# validate and show.
expect "validate ok" 0 ': ok' -- "$BIN" validate "$SRC/scenarios/default.yaml" "$REF"
printf 'schema_version: 1\nanalysis:\n  alpah: 0.05\n' > bad.yaml
expect "validate typo" 65 "bad.yaml:3:3: error: analysis.alpah: unknown key 'alpah'.*did you mean 'alpha'" -- "$BIN" validate bad.yaml
expect "validate lists every file" 65 'bad.yaml: [0-9]+ problem' -- "$BIN" validate "$REF" bad.yaml
expect "validate missing file" 66 'nope.yaml: error: no such file' -- "$BIN" validate nope.yaml
expect "simulate missing file" 66 'no such file' -- "$BIN" simulate nope.yaml
expect "simulate a directory" 66 'directory' -- "$BIN" simulate "$T"

# Bad input on the command line and in files: one located message, exit 65 (64 for an option).
expect "--set with no value" 65 "command line \(--set analysis.alpha=\): error: analysis.alpha: no value is given after '='" -- "$BIN" validate "$REF" --set analysis.alpha=
expect "--set an empty value" 65 'no value is given' -- "$BIN" simulate "$REF" --trials 10 --set 'analysis.alpha=~' --out "$T/empty"
check "--set an empty value writes nothing" test ! -e "$T/empty"
expect "--out ''" 64 "--out: the folder name is empty" -- "$BIN" simulate "$REF" --trials 10 --out ''
check "--out '' writes no default folder" test ! -e "$T/results/reference_ancova"
expect "sweep --out ''" 64 "--out: the folder name is empty" -- "$BIN" sweep "$REF" --sweep analysis.alpha=0.05,0.01 --out ''
sed 's/^  alpha: .*/  alpha: 4.9e-324/' "$REF" > tiny_alpha.yaml
expect "a denormal alpha" 65 'tiny_alpha.yaml:[0-9]+:[0-9]+: error: analysis.alpha: must be from 1e-06 to 0.5' -- "$BIN" simulate tiny_alpha.yaml --trials 10 --out "$T/tiny"
{ cat "$REF"; printf -- '---\nname: second\n'; } > two_docs.yaml
expect "a second document" 65 'two_docs.yaml:[0-9]+:1: error: the file holds a second YAML document' -- "$BIN" validate two_docs.yaml
# Eight levels of ten aliases each: about 10^8 values once expanded, from 70 aliases.
{ cat "$REF"; python3 -c "
l = ['&a [' + ','.join(['1'] * 10) + ']']
l += ['&%s [%s]' % (c, ','.join(['*' + chr(ord(c) - 1)] * 10)) for c in 'bcdefgh']
print('sweep:\\n  vary:\\n    design.sample_size: [' + ', '.join(l) + ']')"; } > bomb.yaml
expect "an alias bomb: validate" 65 'bomb.yaml:[0-9]+:5: error: sweep.vary.design.sample_size: the scenario holds more than 100000 values' -- timeout 20 "$BIN" validate bomb.yaml
expect "an alias bomb: simulate" 65 'more than 100000 values' -- timeout 20 "$BIN" simulate bomb.yaml --trials 10 --out "$T/bomb"
{ cat "$REF"; printf 'sweep:\n  vary:\n'; for k in analysis.alpha analysis.alpha design.sample_size simulation.seed analysis.ci_level; do printf '    %s: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n' $k; done; } > big_grid.yaml
expect "a huge sweep grid" 65 'big_grid.yaml:[0-9]+:5: error: sweep.vary: the grid has 10000 points; a sweep runs at most 1000' -- timeout 20 "$BIN" validate big_grid.yaml
expect "a huge --sweep grid" 64 'the grid of .* has 1000000 points; a sweep runs at most 1000' -- timeout 20 "$BIN" sweep "$REF" --sweep analysis.alpha=1,2,3,4,5,6,7,8,9,10 --sweep design.sample_size=1,2,3,4,5,6,7,8,9,10 --sweep simulation.seed=1,2,3,4,5,6,7,8,9,10 --sweep analysis.ci_level=1,2,3,4,5,6,7,8,9,10 --sweep simulation.trials=1,2,3,4,5,6,7,8,9,10 --sweep population.male_fraction=1,2,3,4,5,6,7,8,9,10
{ cat "$REF"; printf 'sweep:\n  vary:\n    analysis.alpha: [0.05, 9]\n'; } > bad_point.yaml
expect "a bad sweep point names its line" 65 'bad_point.yaml:[0-9]+:[0-9]+: error: analysis.alpha: at sweep point 2 \(analysis.alpha=9\)' -- "$BIN" validate bad_point.yaml
: > empty.yaml
expect "empty file" 65 'empty.yaml: error: the file is empty' -- "$BIN" simulate empty.yaml
head -c 300 "$BIN" > garbage.yaml
expect "binary garbage" 65 'garbage.yaml' -- "$BIN" simulate garbage.yaml
printf 'schema_version: 1\nname: x\narms: [\n' > syntax.yaml
expect "YAML syntax error" 65 'syntax.yaml:[0-9]+:[0-9]+: error: YAML syntax error' -- "$BIN" simulate syntax.yaml
expect "bad --set value" 65 'command line \(--set analysis.alpha=abc\).*not a number' -- "$BIN" simulate "$REF" --set analysis.alpha=abc
expect "bad --set path" 65 "did you mean 'sample_size'" -- "$BIN" simulate "$REF" --set design.sample_sise=10
"$BIN" show "$REF" > shown.yaml
"$BIN" show shown.yaml > shown2.yaml
check "show round trip" cmp -s <(grep -v '^#' shown.yaml | sed 's/  # .*//') <(grep -v '^#' shown2.yaml | sed 's/  # .*//')
expect "show default" 0 'name: ucb_phase3_default' -- "$BIN" show

# Output safety: unwritable folder; a folder with the user's own files is never replaced.
mkdir -p ro && chmod 555 ro
if [[ $(id -u) -ne 0 ]]; then
  expect "unwritable output" 74 'ro' -- "$BIN" simulate "$REF" --trials 50 --out ro/x
fi
touch afile
expect "output is a file" 74 'not a folder' -- "$BIN" simulate "$REF" --trials 50 --out afile
mkdir -p mine && echo precious > mine/notes.txt
expect "foreign folder kept" 74 'did not write' -- "$BIN" simulate "$REF" --trials 50 --out mine
check "user's file untouched" grep -q precious mine/notes.txt
"$BIN" simulate "$REF" --trials 50 -q --out again && "$BIN" simulate "$REF" --trials 60 -q --out again
check "previous results replaced" grep -q '"trials": 60' again/summary.json
check "no temp folders left" bash -c "! ls -a . | grep -q -- '.tmp-'"

# power: closed forms, grids, JSON keys, assurance, errors.
expect "power rpact N" 0 '182\.78' -- "$BIN" power --delta 10 --sd 24 --power 0.8
expect "power pwr" 0 '0\.9677' -- "$BIN" power --smd 1 --n 60
"$BIN" power --smd 0.5 --power 0.8 --json > pj.json
check "power JSON keys" python3 -c "
import json; j=json.load(open('pj.json'))
assert abs(j['n_total_exact']-127.53)<0.01 and j['n_per_arm']==[64,64] and j['n_total']==128 and j['power']>0.8 and j['delta']==0.5"
expect "power grid rows" 0 '2\.0000.*\n?' -- "$BIN" power --delta 1,1.42,2 --sd 5.2 --power 0.8,0.9 --test ancova --rho 0.5
check "grid has 6 rows" test "$("$BIN" power --delta 1,1.42,2 --sd 5.2 --power 0.8,0.9 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 6
expect "solve delta" 0 '"delta"' -- "$BIN" power --sd 5.2 --n 400 --power 0.8 --json
expect "assurance" 0 'assurance' -- "$BIN" power --delta 1.42 --sd 5.2 --n 400 --prior 'normal(1.42,0.56)'
expect "dropout inflates" 0 '"n_total_randomised": 144' -- "$BIN" power --smd 0.5 --power 0.8 --dropout 0.1 --json
expect "power: nothing to solve" 64 'say what to solve' -- "$BIN" power --delta 1
expect "power: delta 0" 64 'no sample size|delta' -- "$BIN" power --delta 0 --sd 1 --power 0.8
expect "power: target out of range" 64 'power' -- "$BIN" power --delta 1 --power 1.5
expect "power: impossible rho" 64 'rho' -- "$BIN" power --delta 1 --power 0.8 --test ancova --rho 1.2
expect "power: dropout >= 1" 64 'dropout' -- "$BIN" power --delta 1 --power 0.8 --dropout 1
expect "power: N below arms" 64 'at least' -- "$BIN" power --delta 1 --n 1
expect "power: negative prior SD" 64 'prior|sd' -- "$BIN" power --delta 1 --n 100 --prior 'normal(1,-1)'
expect "power: bad prior" 64 'cannot read|unknown prior' -- "$BIN" power --delta 1 --n 100 --prior 'gamma(1,2)'
expect "power: test typo" 64 "did you mean 'ancova'" -- "$BIN" power --delta 1 --n 100 --test ancva
expect "power: scenario needs target" 64 'target' -- "$BIN" power "$REF"
expect "power: simulated N" 0 'chosen N = ' -- "$BIN" power "$REF" --target 0.8 --trials 500 --max-trials 1000 --out "$T/pw"
check "power curve files" test -s "$T/pw/power_curve.csv" -a -s "$T/pw/power_curve.json" -a -s "$T/pw/power_curve.gp"
expect "power: unreachable" 65 'not reached.*best found' -- "$BIN" power "$REF" --target 0.95 --n-max 40 --trials 300 --out "$T/pw2"

# sweep: grid, tidy CSV, scenario section, time estimate, errors.
expect "sweep runs" 0 'results written' -- "$BIN" sweep "$REF" --trials 300 --sweep design.sample_size=100,200 --sweep analysis.alpha=0.05,0.01 --out "$T/sw"
expect "sweep again into its own folder" 0 'results written' -- "$BIN" sweep "$REF" --trials 300 --sweep design.sample_size=100,200 --sweep analysis.alpha=0.05,0.01 --out "$T/sw"
check "sweep CSV has one row per point" test "$(wc -l < "$T/sw/sweep.csv")" -eq 5
check "sweep plot script" test -s "$T/sw/sweep_power.gp"
printf 'sweep:\n  mode: zip\n  vary: {design.sample_size: [100, 200], analysis.alpha: [0.05, 0.01]}\n' > sw.yaml
cat "$REF" sw.yaml > swept.yaml
expect "sweep section" 0 'results written' -- "$BIN" sweep swept.yaml --trials 200 --out "$T/sw2"
check "zip gives 2 rows" test "$(wc -l < "$T/sw2/sweep.csv")" -eq 3
expect "sweep nothing" 64 'nothing to sweep' -- "$BIN" sweep "$REF"
expect "sweep bad key" 65 "did you mean 'sample_size'" -- "$BIN" sweep "$REF" --sweep design.sample_sise=10,20
expect "sweep too long" 64 'would take about.*--yes' -- "$BIN" sweep "$REF" --trials 1000000000 --sweep design.sample_size=100,200 --out "$T/sw3"

# Ctrl-C during a run (held after its first checkpoint, so the run is unfinished on a machine of any
# speed): exit 130, no results folder that looks complete.
hold_and_signal INT "$T/int.err" "$BIN" simulate --trials 2000000000 -q --checkpoint-every 0 --out "$T/int"
rc=$?
check "interrupt exits 130" test $rc -eq 130
check "interrupt writes nothing" test ! -e "$T/int/summary.json"

# study: subgroups, multiplicity, enrichment, tornado, sweep heat map, forest plot, report.
cat > study.yaml <<'EOF'
schema_version: 1
name: small_study
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
arms:
  - {name: placebo, role: control, safety: {sae_risk: 0.13}}
  - name: ucb
    role: active
    effect_by_month: {12: 2.5}
    product: {type: ucb}
    modifiers: {age: {breaks_months: [60], multipliers: [1.4, 0.6]}}
    safety: {sae_risk: 0.16}
design: {sample_size: 200, visits_months: [12], dropout: {by_last_visit: 0.05}}
analysis:
  adjust_for: [gmfcs]
  subgroups:
    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III]}
  multiplicity: {procedure: graphical, hypotheses: [primary, under5], weights: [0.8, 0.2], transitions: [[0, 1], [1, 0]]}
  claims: {both: [primary, under5]}
simulation: {trials: 300, seed: 5}
enrichment:
  screened_per_month: 10
  strategies: {all_comers: {}, under5: {population.eligibility.max_age_months: 59.99}}
tornado:
  vary: {arms.ucb.effect_by_month.12: [1.5, 3.5]}
sweep:
  vary: {design.sample_size: [150, 250], analysis.alpha: [0.05, 0.025]}
EOF
expect "study runs" 0 'results and report.html written' -- "$BIN" study study.yaml --search-trials 200 --search-max-trials 400 --out "$T/st"
expect "study again into its own folder" 0 'results and report.html written' -- "$BIN" study study.yaml --search-trials 200 --search-max-trials 400 --out "$T/st"
check "study files" test -s "$T/st/summary.json" -a -s "$T/st/enrichment.csv" -a -s "$T/st/tornado.csv" -a -s "$T/st/sweep.csv" -a -s "$T/st/forest.json" -a -s "$T/st/report.html"
check "enrichment has one row per strategy" test "$(wc -l < "$T/st/enrichment.csv")" -eq 3
check "study summary has subgroups and multiplicity" python3 -c "
import json; j=json.load(open('$T/st/summary.json'))
assert [g['hypothesis'] for g in j['subgroups']]==['under5','mild']
m=j['multiplicity']; assert m['procedure']=='graphical' and [h['name'] for h in m['hypotheses']]==['primary','under5']
c=m['claims'][0]; assert c['name']=='both' and c['estimate']<=min(h['power']['estimate'] for h in m['hypotheses'])
assert 0<j['subgroups'][1]['interaction']['power']['estimate']<1"
if command -v gnuplot >/dev/null; then
  check "study figures" test -s "$T/st/tornado.png" -a -s "$T/st/sweep_heatmap.png" -a -s "$T/st/forest.svg" -a -s "$T/st/enrichment_power.png"
  check "report embeds the figures" test "$(grep -o 'data:image/png;base64' "$T/st/report.html" | wc -l)" -ge 4
fi
check "report has the study sections" grep -q 'id="enrichment"' "$T/st/report.html"
expect "subgroup attribute typo" 65 "did you mean 'age_months'" -- "$BIN" validate study.yaml --set 'analysis.subgroups=[{name: x, agee_months: {max: 60}}]'
expect "graphical weights above 1" 65 'more than 1' -- "$BIN" validate study.yaml --set 'analysis.multiplicity.weights=[0.9, 0.2]'
expect "transition row above 1" 65 'row sums to 1.5' -- "$BIN" validate study.yaml --set 'analysis.multiplicity.transitions=[[0, 1], [1.5, 0]]'
expect "unknown hypothesis" 65 "did you mean 'under5'" -- "$BIN" validate study.yaml --set 'analysis.claims={both: [primary, under_5]}'
expect "bad tornado key is found before anything runs" 65 "tornado's low value of arms.ucb.effect_by_mnth.12" -- "$BIN" study study.yaml --set 'tornado.vary={arms.ucb.effect_by_mnth.12: [1, 2]}' --out "$T/st3"
check "nothing written after a bad tornado key" test ! -e "$T/st3"
expect "bad enrichment key" 65 "enrichment strategy 'x'" -- "$BIN" study study.yaml --set 'enrichment.strategies={x: {population.eligibility.max_age_month: 50}}' --out "$T/st2"
expect "validate checks enrichment strategies too" 65 "enrichment strategy 'x'" -- "$BIN" validate study.yaml --set 'enrichment.strategies={x: {population.eligibility.max_age_month: 50}}'

# Sweeps from simulate and power, and sharded sweeps.
expect "simulate --sweep" 0 'results written' -- "$BIN" simulate study.yaml --sweep design.sample_size=150,250 -n 200 --out "$T/ss"
check "simulate --sweep rows (2 x 2 points with the scenario axis; primary + 2 subgroups)" test "$(wc -l < "$T/ss/sweep.csv")" -eq 13
expect "power --sweep needs --target" 64 'needs --target' -- "$BIN" power study.yaml --sweep design.sample_size=150,250
expect "power --sweep" 0 'at each grid point' -- "$BIN" power "$REF" --target 0.8 --trials 200 --max-trials 400 --sweep analysis.alpha=0.05,0.025 --out "$T/ps"
expect "power --sweep refuses --prior" 64 'not used with --sweep' -- "$BIN" power "$REF" --target 0.8 --prior 'normal(1.5,0.5)' --sweep analysis.alpha=0.05,0.025 --out "$T/ps2"
expect "simulate --sweep under an MPI launcher is refused" 64 'MPI' -- env OMPI_COMM_WORLD_SIZE=2 "$BIN" simulate "$REF" --sweep analysis.alpha=0.05,0.025 --out "$T/sw-mpi"
check "power sweep CSV" test "$(wc -l < "$T/ps/sample_size_sweep.csv")" -eq 3
SW=(--sweep design.sample_size=150,250 -n 300)
"$BIN" sweep study.yaml "${SW[@]}" -q --out "$T/swa"
for k in 1 2 3; do "$BIN" sweep study.yaml "${SW[@]}" --shard $k/3 -q --out "$T/swsh"; done
expect "sweep merge" 0 '' -- "$BIN" sweep study.yaml "${SW[@]}" --merge "$T/swsh" -q --out "$T/swb"
same "sharded sweep equals unsharded" "$T/swa/sweep.csv" "$T/swb/sweep.csv"
rm "$T/swsh/point-0002/shard-3-of-3.json"
expect "sweep merge with a missing shard" 65 'grid point 2: .*missing: 3' -- "$BIN" sweep study.yaml "${SW[@]}" --merge "$T/swsh" -q --out "$T/swc"

# analyse: a trial's own data, analysed as every simulated trial is.
MMRM=$SRC/tests/reference/mmrm
expect "analyse --help" 0 'at most 5 levels' -- "$BIN" analyse --help
expect "analyse --help names the columns" 0 'Columns id, arm, visit .*, value .* and baseline; optional status' -- "$BIN" analyse --help
expect "analyse --help lists the exit codes" 0 '65 +data: a scenario or data file has problems' -- "$BIN" analyse --help
expect "--help lists analyse" 0 'analyse +Analyse a trial.s own data' -- "$BIN" --help
expect "analyse a reference dataset" 0 'treated vs control at month 12' -- "$BIN" analyse "$MMRM/mar_dropout.csv"
"$BIN" analyse "$MMRM/mar_dropout.csv" --json > mar.json
check "analyse --json: R's estimate, SE and d.f. for mar_dropout.csv (unstructured, Satterthwaite, month 12)" python3 -c "
import json
j = json.load(open('mar.json'))
assert list(j) == ['estimate', 'se', 'df', 't', 'p_value', 'ci_lower', 'ci_upper', 'covariance'], list(j)
recs = [r for r in json.load(open('$MMRM/reference.json'))['records'] if r['dataset'] == 'mar_dropout.csv'
        and r['covariance'] == 'unstructured' and r['df_method'] == 'satterthwaite' and r['contrast']['visits'] == [12]]
assert len(recs) == 1, len(recs)
r = recs[0]
rel = lambda a, b: abs(a - b) / abs(b)
assert rel(j['estimate'], r['estimate']) < 1e-6 and rel(j['se'], r['se']) < 1e-6, (j, r)
assert rel(j['df'], r['df_independent']) < 1e-4, (j['df'], r['df_independent'])
assert len(j['covariance']) == 3 and all(len(row) == 3 for row in j['covariance'])
assert max(rel(x, y) for x, y in zip(sum(j['covariance'], []), r['covariance_matrix'])) < 1e-5
assert rel(j['t'], j['estimate'] / j['se']) < 1e-12 and j['ci_lower'] < j['estimate'] < j['ci_upper'] and 0 < j['p_value'] < 1"
expect "analyse an exported file needs --trial" 64 'error: --trial: the file holds 3 trials' -- "$BIN" analyse "$T/acc/trials.csv" --response change
expect "analyse one trial of an exported file" 0 'ucb vs placebo at month 12' -- "$BIN" analyse "$T/acc/trials.csv" --trial 2 --response change --adjust gmfcs
"$BIN" analyse "$T/acc/trials.csv" --trial 0 --response change --method ancova --json > anc.json
check "analyse --json with the ANCOVA: a 1 x 1 residual variance" python3 -c "
import json; j = json.load(open('anc.json')); assert len(j['covariance']) == 1 and len(j['covariance'][0]) == 1 and j['covariance'][0][0] > 0 and j['df'] == int(j['df'])"
expect "analyse a missing file" 66 'nope.csv: error: no such file' -- "$BIN" analyse nope.csv
expect "analyse a folder" 66 'a folder, not a file' -- "$BIN" analyse "$T"
: > empty.csv
expect "analyse an empty file" 65 'empty.csv: error: the file is empty' -- "$BIN" analyse empty.csv
printf 'id,arm,visit,value\n1,placebo,6,1\n' > nocol.csv
expect "analyse: a missing column" 65 "nocol.csv:1: error: the header has no column 'baseline' .*its columns are: id, arm, visit, value" -- "$BIN" analyse nocol.csv
{ head -3 "$MMRM/mar_dropout.csv"; echo '1,control,x12,1.5,36.5033'; } > nan.csv
expect "analyse: a cell that is not a number" 65 "nan.csv:4:11: error: column 'visit': 'x12' is not a number" -- "$BIN" analyse nan.csv
check "analyse writes nothing on standard output after an error" test -z "$("$BIN" analyse nan.csv 2>/dev/null)"
{ cat "$MMRM/mar_dropout.csv"; sed -n 2p "$MMRM/mar_dropout.csv"; } > dup.csv
expect "analyse: two rows for a child and visit" 65 "dup.csv:[0-9]+:[0-9]+: error: child '1' has a second row for visit 3 \(the first is on line 2\)" -- "$BIN" analyse dup.csv
sed '3s/36.5033$/36.6/' "$MMRM/mar_dropout.csv" > base.csv
expect "analyse: a baseline that differs between a child's rows" 65 "base.csv:3:[0-9]+: error: child '1' has baseline 36.6 here but 36.5033 on line 2" -- "$BIN" analyse base.csv
grep -v ',treated,' "$MMRM/mar_dropout.csv" > onearm.csv
expect "analyse: one arm" 65 "onearm.csv: error: the data have one arm \('control'\)" -- "$BIN" analyse onearm.csv
tr '\n' '\r' < "$MMRM/small.csv" > cr.csv
expect "analyse: carriage returns without line feeds" 65 'cr.csv:1:[0-9]+: error: a carriage return without a line feed' -- "$BIN" analyse cr.csv
sed 's/$/\r/' "$MMRM/small.csv" > crlf.csv
check "analyse: CRLF line endings give the same result" cmp -s <("$BIN" analyse "$MMRM/small.csv" --json) <("$BIN" analyse crlf.csv --json)
expect "analyse: an unknown control arm" 64 "command line \(--control placbo\): error: there is no arm 'placbo' in the data \(arms: 'control', 'treated'\)" -- "$BIN" analyse "$MMRM/mar_dropout.csv" --control placbo
expect "analyse: several arms need --arm" 64 "--arm: the data have 2 arms besides the control 'placebo' \('high', 'low'\)" -- "$BIN" analyse "$MMRM/three_arms.csv"
expect "analyse: --arm chooses the comparison" 0 'low vs placebo at month 12' -- "$BIN" analyse "$MMRM/three_arms.csv" --arm low --adjust gmfcs
expect "analyse: a visit not in the data" 64 'command line \(--visit 9\): error: month 9 is not a visit in the data \(visits: 3, 6, 12\)' -- "$BIN" analyse "$MMRM/mar_dropout.csv" --visit 9
expect "analyse: --visits after the primary visit" 64 'month 12 is after the primary visit \(month 6\)' -- "$BIN" analyse "$MMRM/mar_dropout.csv" --visit 6 --visits 6,12
expect "analyse: an unknown structure" 64 'covariance' -- "$BIN" analyse "$MMRM/mar_dropout.csv" --covariance ar2
expect "analyse: a correlation with one visit, as in a scenario" 64 'command line \(--covariance ar1\): error: analysis.mmrm.covariance: the ar1 structure has a correlation to estimate, but the model has 1 visit' -- "$BIN" analyse "$MMRM/mar_dropout.csv" --visit 3 --covariance ar1
printf 'id,arm,visit,value,baseline\n1,placebo,3,1,40\n1,placebo,6,2,40\n1,placebo,12,4,40\n2,placebo,3,0,52\n2,placebo,6,3,52\n2,placebo,12,2,52\n3,ucb,3,2,44\n3,ucb,6,3,44\n3,ucb,12,6,44\n4,ucb,3,1,50\n4,ucb,6,1,50\n4,ucb,12,5,50\n' > tiny.csv
expect "analyse: too few children for the covariance" 65 'tiny.csv: error: the mixed model cannot be fitted with the unstructured covariance: 4 children with 12 observations over 3 visits are too few.*Fix: try a simpler --covariance' -- "$BIN" analyse tiny.csv --fallback none
expect "analyse: a fallback structure is named" 0 'covariance +ar1 \(a fallback: unstructured and toeplitz did not converge\)' -- "$BIN" analyse tiny.csv

summary
