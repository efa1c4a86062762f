#!/usr/bin/env bash
# Kill and resume with the real engine: a run (whole or one shard) killed with SIGKILL, even
# several times, and started again with the same command ends with the very same summary.json
# as an uninterrupted run; Ctrl-C saves what is done; a partial shard is refused by merge; a
# checkpoint of another run is never overwritten.
#
# No step depends on the machine's speed: each run that is stopped is started with the test-only
# option --test-hold-after-checkpoint, which makes it wait after its first checkpoint until the
# signal arrives, so the run is provably unfinished when it is killed. Two variables show that:
#   CELLTRIAL_TEST_THROTTLE=F   every chunk takes F times as long (--test-throttle F): a slower machine
#   CELLTRIAL_TEST_TRIALS=T     the run's trial count (default 400000): 40000 ends 10x sooner, as on a
#                               machine 10x faster
# Usage: resume_test.sh path/to/celltrial source_dir
set -u
BIN=$1
SRC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
T=$(mktemp -d)
cleanup() {
  for p in "${held_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
cd "$T"
REF=$SRC/scenarios/validation/reference_ancova.yaml
TRIALS=${CELLTRIAL_TEST_TRIALS:-400000}
THROTTLE=()
if [[ ${CELLTRIAL_TEST_THROTTLE:-1} != 1 ]]; then THROTTLE=(--test-throttle "$CELLTRIAL_TEST_THROTTLE"); fi
echo "trials $TRIALS, throttle ${CELLTRIAL_TEST_THROTTLE:-1}"
SHARD2=$(( 2 * TRIALS / 3 - TRIALS / 3 ))  # trials of shard 2/3
RUN=("$BIN" simulate "$REF" --trials $TRIALS --threads 2 --checkpoint-every 0 "${THROTTLE[@]}")

"$BIN" simulate "$REF" --trials $TRIALS --threads 2 -q --out full

# SIGKILL twice, then the same command finishes the run.
hold_and_signal KILL stderr.txt "${RUN[@]}" --out k
check "killed run: status 137" test $? -eq 137
check "killed run: no results" test ! -e k/summary.json
first=$(completed k/checkpoint.json)
check "killed run: checkpoint holds finished trials ($first)" test "$first" -gt 0 -a "$first" -lt $TRIALS
hold_and_signal KILL stderr.txt "${RUN[@]}" --out k
check "second kill: status 137" test $? -eq 137
second=$(completed k/checkpoint.json)
check "second kill: more trials saved ($first -> $second)" test "$second" -gt "$first" -a "$second" -lt $TRIALS
expect "resume with the same command" 0 "continuing from .*checkpoint.json: [0-9]+ of $TRIALS trials were already done" -- "${RUN[@]}" --out k
same "resumed run: summary.json identical to an uninterrupted run" full/summary.json k/summary.json
same "resumed run: summary.csv identical" full/summary.csv k/summary.csv
check "resumed run: checkpoint gone" test ! -e k/checkpoint.json
check "resumed run: run.json records the resumed trials" python3 -c "
import json; j=json.load(open('k/run.json')); assert j['resumed_trials']==$second, j['resumed_trials']"

# Ctrl-C: the finished trials are saved and the message says how to continue.
hold_and_signal INT stderr.txt "${RUN[@]}" --out c
check "Ctrl-C: status 130" test $? -eq 130
check "Ctrl-C: message says how to continue" grep -Eq "interrupted after [0-9]+ of $TRIALS trials; they are saved.*run the same command again" stderr.txt
check "Ctrl-C: no results" test ! -e c/summary.json
state=$(md5sum c/checkpoint.json)
expect "another run into the folder of an unfinished run" 74 'unfinished|another run' -- "$BIN" simulate "$REF" --trials $TRIALS --seed 5 --out c
expect "whole run vs shard of the same folder" 74 'results of a run|unfinished run' -- "$BIN" simulate "$REF" --trials $TRIALS --shard 1/2 --out c
check "checkpoint of the unfinished run untouched" test "$(md5sum c/checkpoint.json)" = "$state"
expect "resume after Ctrl-C" 0 '' -- "${RUN[@]}" --out c
same "after Ctrl-C: identical" full/summary.json c/summary.json

# A shard killed mid-way: merge names it; the same command finishes it.
S3=("$BIN" simulate "$REF" --trials $TRIALS --threads 2 -q --checkpoint-every 0 "${THROTTLE[@]}" --out s)
hold_and_signal KILL stderr.txt "${S3[@]}" --shard 2/3
check "killed shard: status 137" test $? -eq 137
"${S3[@]}" --shard 1/3 && "${S3[@]}" --shard 3/3
expect "merge refuses the partial shard" 65 "shards is missing: 2 .*Shard 2/3 stopped after [0-9]+ of $SHARD2 trials" -- "$BIN" merge s --out ms
expect "merge refuses a checkpoint given as a file" 65 'checkpoint of unfinished shard 2/3' -- "$BIN" merge s/shard-1-of-3.json s/checkpoint-shard-2-of-3.json s/shard-3-of-3.json --out ms
check "refused merge wrote nothing" test ! -e ms
expect "resume the shard" 0 '' -- "${S3[@]}" --shard 2/3
check "shard checkpoint replaced by the shard file" test ! -e s/checkpoint-shard-2-of-3.json -a -s s/shard-2-of-3.json
expect "merge" 0 '' -- "$BIN" merge s -q --out ms
same "killed and resumed shard: merged summary identical" full/summary.json ms/summary.json

summary
