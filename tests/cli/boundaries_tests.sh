#!/usr/bin/env bash
# Tests of `celltrial boundaries` and `celltrial power --looks`: published values, JSON keys, and
# bad input (exit code 64 and a message naming the option, the problem and the fix).
# Usage: boundaries_tests.sh path/to/celltrial source_dir
set -u
BIN=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"
cd "$T"

# Published values (docs: REFERENCE.md): O'Brien-Fleming, 3 equally spaced looks, one-sided 0.025.
expect "boundaries O'Brien-Fleming table" 0 '3 +1\.0000 +2\.0040 ' -- "$BIN" boundaries --looks 3 --boundary obrien-fleming
"$BIN" boundaries --looks 3 --boundary obrien-fleming --json > of.json
check "boundaries JSON: published O'Brien-Fleming values" python3 -c "
import json; j = json.load(open('of.json'))
assert list(j)[:9] == ['boundary', 'parameter', 'looks', 'alpha', 'sides', 'information', 'critical', 'nominal_alpha', 'alpha_spent'], list(j)
assert j['boundary'] == 'obrien-fleming' and j['parameter'] is None and j['looks'] == 3 and j['sides'] == 1
for a, b in zip(j['critical'], [3.4710914, 2.4544323, 2.0040356]): assert abs(a - b) < 5e-8, (a, b)
# the default grid (r = 32) gives alpha spent to ~1e-9 (test_group_sequential.cpp checks r = 64 to the printed digits)
for a, b in zip(j['alpha_spent'], [0.00025917372, 0.0071600594, 0.025]): assert abs(a - b) < 1e-9, (a, b)
assert 'futility' not in j"
"$BIN" boundaries --looks 4 --boundary haybittle-peto --json > hp.json
check "boundaries JSON: Haybittle-Peto 3, 3, 3, 1.9827514" python3 -c "
import json; j = json.load(open('hp.json'))
assert j['critical'][:3] == [3, 3, 3] and abs(j['critical'][3] - 1.9827514) < 5e-8 and j['parameter'] == 3"
"$BIN" boundaries --looks 4 --boundary obrien-fleming --sides 2 --alpha 0.05 --json > of2.json
check "boundaries JSON: two-sided O'Brien-Fleming 4.05, 2.86, 2.34, 2.02" python3 -c "
import json; j = json.load(open('of2.json'))
assert [round(c, 2) for c in j['critical']] == [4.05, 2.86, 2.34, 2.02] and j['sides'] == 2"
"$BIN" boundaries --information 0.3,0.6,1 --boundary spending-kim-demets --parameter 2 --beta-spending hsd --beta-parameter -2 --beta 0.1 --binding --json > fut.json
check "boundaries JSON: futility keys" python3 -c "
import json; j = json.load(open('fut.json'))
assert j['boundary'] == 'spending-kim-demets' and j['parameter'] == 2 and j['beta_spending'] == 'hsd' and j['beta_parameter'] == -2
assert j['binding'] is True and j['beta'] == 0.1 and len(j['futility']) == 3 and j['futility'][2] == j['critical'][2]
assert all(f < c for f, c in zip(j['futility'][:2], j['critical'][:2])) and abs(j['beta_spent'][2] - 0.1) < 1e-9
assert abs(j['alpha_spent'][0] - 0.025 * 0.09) < 1e-12 and j['information'] == [0.3, 0.6, 1] and j['drift'] > 3"
expect "boundaries futility table" 0 'futility +beta spent' -- "$BIN" boundaries --looks 3 --boundary spending-pocock --beta-spending pocock

# Bad input: exit 64, the option, the problem and the fix.
expect "information not increasing" 64 '--information: must increase strictly.*entry 2 is 0\.4\. Fix:' -- "$BIN" boundaries --information 0.5,0.4,1 --boundary pocock
expect "information not ending at 1" 64 '--information: ends at 0\.9 instead of 1\. Fix:' -- "$BIN" boundaries --information 0.5,0.9 --boundary pocock
expect "information outside (0, 1]" 64 '--information: must increase strictly within \(0, 1\]; entry 1 is -0\.2' -- "$BIN" boundaries --information=-0.2,1 --boundary pocock
expect "looks and information disagree" 64 '--looks: is 3 but 2 information fractions are given\. Fix:' -- "$BIN" boundaries --looks 3 --information 0.5,1 --boundary pocock
expect "no looks" 64 '--looks: is not given, or is 0\. Fix:' -- "$BIN" boundaries --boundary pocock
expect "zero looks" 64 '--looks: is not given, or is 0\. Fix:' -- "$BIN" boundaries --looks 0 --boundary pocock
expect "too many looks" 64 '--looks: is 101\. Fix: give between 1 and 100' -- "$BIN" boundaries --looks 101 --boundary pocock
expect "no boundary" 64 '--boundary: is not given\. Fix: choose one of obrien-fleming, pocock' -- "$BIN" boundaries --looks 3
expect "boundary typo" 64 "--boundary: 'spending-pocok' is not one of .*Fix: did you mean 'spending-pocock'\\?" -- "$BIN" boundaries --looks 3 --boundary spending-pocok
expect "parameter for a family without one" 64 '--parameter: the pocock boundary takes no parameter \(got 2\)\. Fix: leave --parameter out; it applies to wang-tsiatis' -- "$BIN" boundaries --looks 3 --boundary pocock --parameter 2
expect "parameter out of range" 64 '--parameter: the spending-kim-demets rho is 9, outside \[0\.4, 8\]\. Fix:' -- "$BIN" boundaries --looks 3 --boundary spending-kim-demets --parameter 9
expect "alpha above 0.5" 64 '--alpha: is 0\.6; it must be in \(0, 0\.5\)\. Fix:' -- "$BIN" boundaries --looks 3 --boundary pocock --alpha 0.6
expect "alpha 0" 64 '--alpha: is 0; it must be in \(0, 0\.5\)' -- "$BIN" boundaries --looks 3 --boundary pocock --alpha 0
expect "sides 3" 64 'sides' -- "$BIN" boundaries --looks 3 --boundary pocock --sides 3
expect "beta without beta spending" 64 '--beta: applies to futility bounds, which need --beta-spending\. Fix:' -- "$BIN" boundaries --looks 3 --boundary spending-pocock --beta 0.1
expect "beta spending with a classical boundary" 64 '--beta-spending: futility bounds by beta spending go with an alpha-spending boundary' -- "$BIN" boundaries --looks 3 --boundary pocock --beta-spending pocock
expect "beta spending two-sided" 64 '--beta-spending: futility bounds are computed for one-sided designs only' -- "$BIN" boundaries --looks 3 --boundary spending-pocock --sides 2 --alpha 0.05 --beta-spending pocock
expect "beta out of range" 64 '--beta: is 0\.7; it must be in \(0, 0\.5\)' -- "$BIN" boundaries --looks 3 --boundary spending-pocock --beta-spending pocock --beta 0.7
expect "Haybittle-Peto interim too low" 64 '--parameter: the interim boundaries 1\.2 already spend' -- "$BIN" boundaries --looks 3 --boundary haybittle-peto --parameter 1.2
expect "not a number" 64 'looks' -- "$BIN" boundaries --looks abc --boundary pocock
expect "unknown option" 64 "unknown option '--boundry' for 'celltrial boundaries'. Did you mean '--boundary'\\?" -- "$BIN" boundaries --looks 3 --boundry pocock

# power --looks: maximum and expected N (the reference scenario of issue 18: difference 1.42, SD 4.5,
# one-sided 0.025, power 0.9, three looks, O'Brien-Fleming: maximum N about 431).
"$BIN" power --delta 1.42 --sd 4.5 --power 0.9 --alpha 0.025 --sides 1 --looks 3 --boundary obrien-fleming --json > gs.json
"$BIN" power --delta 1.42 --sd 4.5 --power 0.9 --alpha 0.025 --sides 1 --json > fixed.json
check "power --looks: keys, fixed keys unchanged" python3 -c "
import json; g = json.load(open('gs.json')); f = json.load(open('fixed.json'))
for k, v in f.items(): assert g[k] == v, k
assert abs(g['n_max_exact'] - g['n_fixed_exact'] * g['inflation_factor']) < 1e-9 and 430 < g['n_max_exact'] < 432
assert g['n_max_per_arm'] == [216, 216] and g['n_max'] == 432 and g['expected_n_h1'] < g['expected_n_h0'] < g['n_max_exact']
assert g['looks'] == 3 and g['boundary'] == 'obrien-fleming'"
expect "power --looks table" 0 'inflation +n_max +E\[N\|H0\] +E\[N\|H1\]' -- "$BIN" power --delta 10 --sd 24 --power 0.8 --looks 4 --boundary pocock
expect "power --looks with futility" 0 '"expected_n_h0"' -- "$BIN" power --delta 1.42 --sd 4.5 --power 0.8 --alpha 0.025 --sides 1 --looks 3 --boundary spending-obrien-fleming --beta-spending obrien-fleming --json
expect "power: design option without --looks" 64 '--boundary: describes a group-sequential design, which needs the number of looks\. Fix: add --looks' -- "$BIN" power --delta 1 --power 0.8 --boundary pocock
expect "power --looks with --n" 64 '--looks: a group-sequential design is sized from the target power' -- "$BIN" power --delta 1 --n 100 --looks 3 --boundary pocock
expect "power --looks with --prior" 64 '--prior: assurance is computed for the fixed design only' -- "$BIN" power --delta 1 --power 0.8 --looks 3 --boundary pocock --prior 'normal(1,1)'
expect "power --looks, bad information" 64 '--information: ends at 0\.8 instead of 1' -- "$BIN" power --delta 1 --power 0.8 --information 0.5,0.8 --boundary pocock
expect "power --looks in scenario mode" 64 'closed-form calculation, not a scenario' -- "$BIN" power "$SRC/scenarios/validation/reference_ancova.yaml" --target 0.8 --looks 3 --boundary pocock

summary
