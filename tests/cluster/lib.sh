# Helpers shared by the program and cluster tests (sourced). Each test ends with summary, which prints
# "N passed, M failed" and returns non-zero when something failed.
pass=0
fail=0

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

# wait_for_file FILE SECONDS: waits until FILE exists (polling), fails after SECONDS.
wait_for_file() {
  local f=$1 deadline=$((SECONDS + $2))
  while [[ ! -e $f ]]; do
    [[ $SECONDS -ge $deadline ]] && return 1
    sleep 0.05
  done
}

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
