#!/usr/bin/env bash
# Shards and merge with the real engine: 1, 2 and 4 shards merged give byte-identical results to
# one run; every kind of bad input is refused with its exit code and nothing is overwritten. Also
# checks the scripts `celltrial slurm` writes (the Slurm run itself is in slurm_test.sh).
# Usage: shards_test.sh path/to/celltrial source_dir
set -u
BIN=$1
SRC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
REF=$SRC/scenarios/validation/reference_ancova.yaml
TRIALS=30000

"$BIN" simulate "$REF" --trials $TRIALS --threads 2 -q --out one

# Shards run in any order and with any thread count merge to the very same bytes.
for n in 1 2 4; do
  for ((k = n; k >= 1; k--)); do
    "$BIN" simulate "$REF" --trials $TRIALS --shard "$k/$n" --threads $((k % 2 + 1)) -q --out "sh$n" || echo "shard $k/$n failed"
  done
  expect "merge $n shard(s)" 0 'merged' -- "$BIN" merge "sh$n" --out "m$n"
  same "$n shard(s): summary.json identical to one run" one/summary.json "m$n/summary.json"
  same "$n shard(s): summary.csv identical to one run" one/summary.csv "m$n/summary.csv"
  same "$n shard(s): scenario.yaml identical to one run" one/scenario.yaml "m$n/scenario.yaml"
done
check "shard files are named shard-K-of-N.json" test -s sh4/shard-1-of-4.json -a -s sh4/shard-4-of-4.json
check "shard file has format, version, identity, checksum" python3 -c "
import json; j=json.load(open('sh4/shard-3-of-4.json'))
assert j['format']=='celltrial.shard/3' and len(j['checksum'])==16 and len(j['scenario']['hash'])==16
assert j['scenario']['trials']==$TRIALS and j['shard']=={'index':3,'count':4,'first_trial':15000,'last_trial':22500,'completed_until':22500}
assert 'git_commit' in j and 'celltrial_version' in j and j['scenario_yaml'].startswith('schema_version')"
"$BIN" merge sh4 --json > merged.json
same "merge --json prints summary.json" one/summary.json merged.json
# The cp model of the built-in default scenario too, split 3 ways.
"$BIN" simulate --trials 3000 -q --out d1
for k in 1 2 3; do "$BIN" simulate --trials 3000 --shard $k/3 -q --out d3 || echo "default shard $k failed"; done
"$BIN" merge d3 -q --out dm
same "default scenario, 3 shards: identical" d1/summary.json dm/summary.json
# Files listed one by one, in any order, merge the same.
"$BIN" merge sh4/shard-4-of-4.json sh4/shard-2-of-4.json sh4/shard-1-of-4.json sh4/shard-3-of-4.json -q --out mfiles
same "shard files in any order" one/summary.json mfiles/summary.json

# A shard that is already done is not run again.
before=$(md5sum sh4/shard-2-of-4.json)
expect "finished shard: nothing to do" 0 'already complete' -- "$BIN" simulate "$REF" --trials $TRIALS --shard 2/4 --out sh4
check "finished shard file untouched" test "$(md5sum sh4/shard-2-of-4.json)" = "$before"

# Bad --shard values.
expect "--shard 0/4" 64 'command line \(--shard 0/4\).*numbered 1 to 4' -- "$BIN" simulate "$REF" --trials 100 --shard 0/4
expect "--shard 5/4" 64 'shard K=5 is out of range' -- "$BIN" simulate "$REF" --trials 100 --shard 5/4
expect "--shard 3/x" 64 'expected K/N' -- "$BIN" simulate "$REF" --trials 100 --shard 3/x
expect "--shard N > trials" 64 'at most 10 shards' -- "$BIN" simulate "$REF" --trials 10 --shard 1/11
expect "--shard with --json" 64 'cannot be used with --shard' -- "$BIN" simulate "$REF" --trials 100 --shard 1/2 --json
expect "--checkpoint-every -1" 64 'checkpoint-every' -- "$BIN" simulate "$REF" --trials 100 --checkpoint-every -1

# Merge inputs that disagree: each culprit is named with what differs.
"$BIN" simulate "$REF" --trials $TRIALS --seed 11 --shard 3/4 -q --out seed11
mkdir mixed && cp sh4/shard-1-of-4.json sh4/shard-2-of-4.json sh4/shard-4-of-4.json mixed/ && cp seed11/shard-3-of-4.json mixed/
expect "merge: other seed named" 65 'mixed/shard-3-of-4.json: error: shard 3/4 of a different run: seed 11, not 7492' -- "$BIN" merge mixed --out x1
"$BIN" simulate "$REF" --trials 20000 --shard 1/4 -q --out t20
expect "merge: other trial count named" 65 't20/shard-1-of-4.json: error: .*20000 trials, not 30000' -- "$BIN" merge sh4 t20 --out x2
expect "merge: other split named" 65 'split into 2 shards, not 4' -- "$BIN" merge sh4 sh2/shard-1-of-2.json --out x3
"$BIN" simulate "$REF" --trials $TRIALS --set analysis.alpha=0.01 --shard 2/4 -q --out alpha
expect "merge: other scenario settings named" 65 'alpha/shard-2-of-4.json: error: .*scenario settings differ' -- "$BIN" merge sh4 alpha --out x4
mkdir dup && cp sh4/shard-2-of-4.json dup/
expect "merge: duplicate named" 65 'duplicate: shard 2/4' -- "$BIN" merge sh4 dup --out x5
mkdir gap && cp sh4/shard-1-of-4.json sh4/shard-4-of-4.json gap/
expect "merge: missing shards listed" 65 '2 of 4 shards are missing: 2-3' -- "$BIN" merge gap --out x6
mkdir bad && cp sh4/*.json bad/
sed -i 's/"completed_until": 15000/"completed_until": 15001/' bad/shard-2-of-4.json
expect "merge: edited file detected" 65 'bad/shard-2-of-4.json: error: .*checksum' -- "$BIN" merge bad --out x7
head -c 700 sh4/shard-3-of-4.json > bad/shard-3-of-4.json
expect "merge: truncated file detected" 65 'bad/shard-3-of-4.json: error: .*not complete JSON' -- "$BIN" merge bad --out x8
out=$("$BIN" merge bad --out x9 2>&1)
check "merge: every problem listed at once (2 damaged files, 2 shards missing)" test "$(grep -c 'error:' <<<"$out")" -eq 3
mkdir empty
expect "merge: folder without shards" 65 'holds no shard files' -- "$BIN" merge empty --out x10
expect "merge: missing input" 66 'nothere: error: no such file' -- "$BIN" merge nothere --out x11
expect "merge: no inputs" 64 'shards' -- "$BIN" merge
check "refused merges wrote nothing" bash -c '! ls -d x[0-9]* 2>/dev/null'

# Output folders that hold another run are refused and left alone.
sums() { find "$@" -type f -exec md5sum {} + | sort; }
state=$(sums sh4 one)
expect "shard of another seed into a shard folder" 74 'holds shard .* of another run .*seed 7492, not 12' -- "$BIN" simulate "$REF" --trials $TRIALS --seed 12 --shard 1/4 --out sh4
expect "shard of another split into a shard folder" 74 'split into 4.*split into 2' -- "$BIN" simulate "$REF" --trials $TRIALS --shard 1/2 --out sh4
expect "whole run into a shard folder" 74 'holds shard files' -- "$BIN" simulate "$REF" --trials $TRIALS --out sh4
expect "shards into a results folder" 74 'results of a run' -- "$BIN" simulate "$REF" --trials $TRIALS --shard 1/4 --out one
expect "merge into the shard folder" 74 'would replace them' -- "$BIN" merge sh4 --out sh4
mkdir mine && echo precious > mine/notes.txt
expect "merge into a folder of the user's" 74 'did not write' -- "$BIN" merge sh4 --out mine
expect "shards into a folder of the user's" 74 'notes.txt' -- "$BIN" simulate "$REF" --trials 100 --shard 1/2 --out mine
check "nothing overwritten" test "$(sums sh4 one)" = "$state"
check "user's file untouched" grep -qx precious mine/notes.txt
expect "merge replaces its own earlier results" 0 '' -- "$BIN" merge sh4 -q --out m4
check "no temporary files left" bash -c "! find . -name '*.tmp-*' | grep -q ."

# celltrial slurm: the scripts (the Slurm cluster run is slurm_test.sh).
expect "slurm writes the job" 0 'sh .*job/submit.sh' -- "$BIN" slurm "$REF" --trials $TRIALS --shards 4 --cpus-per-task 2 --partition short --time 1:00:00 --account proj --out job
check "array script" grep -q -- '--array=1-4' job/array.sbatch
check "array script runs the shards" grep -q -- '--shard "${SLURM_ARRAY_TASK_ID}/4" --threads "${SLURM_CPUS_PER_TASK:-2}"' job/array.sbatch
check "sbatch options" bash -c "grep -q -- '--partition=short' job/array.sbatch && grep -q -- '--time=1:00:00' job/merge.sbatch && grep -q -- '--account=proj' job/array.sbatch && grep -q -- '--cpus-per-task=2' job/array.sbatch"
check "merge depends on the array (afterok)" grep -q -- '--dependency=afterok:"$array" merge.sbatch' job/submit.sh
check "scripts are valid shell" bash -c 'bash -n job/array.sbatch && bash -n job/merge.sbatch && sh -n job/submit.sh'
# (show's comments say where each value was set, so they differ: compare without them)
check "job scenario loads back to the same run" bash -c "'$BIN' show job/scenario.yaml | grep -v '^#' | sed 's/  # .*//' > a.yaml && '$BIN' show '$REF' --set simulation.trials=$TRIALS | grep -v '^#' | sed 's/  # .*//' > b.yaml && cmp -s a.yaml b.yaml"
check "logs folder exists for sbatch --output" test -d job/logs
expect "slurm again into the unused job folder" 0 'Wrote' -- "$BIN" slurm "$REF" --trials $TRIALS --shards 4 --out job
mkdir -p job/shards
expect "slurm into a submitted job folder" 74 "submitted \('shards'\)" -- "$BIN" slurm "$REF" --shards 4 --out job
expect "slurm --shards 0" 64 'shards' -- "$BIN" slurm "$REF" --shards 0 --out j2
expect "slurm --shards > trials" 64 '11 shards for 10 trials' -- "$BIN" slurm "$REF" --trials 10 --shards 11 --out j2
expect "slurm --time typo" 64 'not a Slurm time limit' -- "$BIN" slurm "$REF" --shards 2 --time 1h --out j2
expect "slurm --partition with a space" 64 'not a partition name' -- "$BIN" slurm "$REF" --shards 2 --partition 'a b' --out j2
expect "slurm --out with a space" 64 'cannot quote' -- "$BIN" slurm "$REF" --shards 2 --out 'j 2'
check "refused slurm calls wrote nothing" bash -c '! ls -d j2 "j 2" 2>/dev/null'
expect "slurm --help" 0 'cpus-per-task' -- "$BIN" slurm --help
expect "simulate --help documents --shard" 0 'K counts from 1' -- "$BIN" simulate --help

summary
