# Helpers shared by the program and cluster tests (sourced). Each test ends with summary, which prints
# "N passed, M failed" and returns non-zero when something failed.
pass=0
fail=0
# The tests work in a scratch folder: a relative path to the program or the source tree they were
# given (tests/cli/program_tests.sh build-asan/celltrial .) is made absolute before they change to it.
if [[ -n ${BIN:-} && $BIN == */* && $BIN != /* ]]; then BIN=$PWD/$BIN; fi
if [[ -n ${SRC:-} && $SRC != /* ]]; then SRC=$PWD/$SRC; fi

# expect NAME CODE REGEX -- command...   (REGEX is matched against stdout+stderr; '' for none)
expect() {
  local name=$1 code=$2 regex=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $code ]]; then
    echo "FAIL $name: exit $rc, expected $code"; echo "$out" | head -20; fail=$((fail + 1)); return
  fi
  if [[ -n $regex ]] && ! grep -Eq -- "$regex" <<<"$out"; then
    echo "FAIL $name: output does not match /$regex/"; echo "$out" | head -20; fail=$((fail + 1)); return
  fi
  echo "ok   $name"
  pass=$((pass + 1))
}

# check NAME COMMAND...   (passes when the command succeeds)
check() {
  local name=$1
  shift
  if "$@"; then echo "ok   $name"; pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}

# same NAME FILE1 FILE2   (byte for byte)
same() {
  local name=$1
  if cmp "$2" "$3"; then echo "ok   $name"; pass=$((pass + 1)); else echo "FAIL $name"; fail=$((fail + 1)); fi
}

# wait_for_file FILE SECONDS: waits until FILE exists (polling); SECONDS only stops a hang, so give
# far more than the slowest machine needs.
wait_for_file() {
  local f=$1 deadline=$((SECONDS + $2))
  while [[ ! -e $f ]]; do
    [[ $SECONDS -ge $deadline ]] && return 1
    sleep 0.05
  done
}

# wait_for_line FILE REGEX PID: waits until FILE has a line matching REGEX. Fails at once when
# process PID ends first; the 600 s limit only guards against a hang (the line comes long before).
wait_for_line() {
  local f=$1 re=$2 pid=$3 deadline=$((SECONDS + 600))
  until grep -Eq -- "$re" "$f" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { grep -Eq -- "$re" "$f" 2>/dev/null; return; }
    [[ $SECONDS -ge $deadline ]] && return 1
    sleep 0.02
  done
}

# hold_and_signal SIGNAL ERRFILE COMMAND...: starts `celltrial simulate ...` with the test-only
# option --test-hold-after-checkpoint in the background, waits until it reports that its first
# checkpoint is saved (it then waits, unfinished, however fast or slow the machine is), sends
# SIGNAL and returns the run's exit status. Standard error goes to ERRFILE.
hold_and_signal() {
  local sig=$1 errfile=$2
  shift 2
  # Emptied here, before the run starts: the background shell's own truncation may come after the
  # first look at the file, which would then find an earlier run's line (the same ERRFILE is reused).
  : >"$errfile"
  "$@" --test-hold-after-checkpoint 2>"$errfile" &
  local pid=$!
  held_pids+=("$pid")
  if ! wait_for_line "$errfile" 'test hold: checkpoint saved' "$pid"; then
    echo "the run did not reach its first checkpoint:"
    head -5 "$errfile"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    return 99
  fi
  kill "-$sig" "$pid" 2>/dev/null
  { wait "$pid"; } 2>/dev/null
}
held_pids=()

# completed TRIALS_FILE: the completed_until of a checkpoint or shard file.
completed() {
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['shard']['completed_until'])" "$1"
}

summary() {
  echo
  echo "$pass passed, $fail failed"
  [[ $fail -eq 0 ]]
}

skip() {
  echo "skipped: $*"
  echo
  echo "0 passed, 0 failed"
  exit 0
}
