#!/usr/bin/env bash
# celltrial report: exit codes, and the report rendered by a real browser (headless Chromium).
# Usage: report_browser_test.sh CELLTRIAL_BINARY SOURCE_DIR
# Set CELLTRIAL_KEEP_TMP=1 to keep the work folder (report.html, screenshot.png, dom.html).
set -u
BIN=${1:?usage: report_browser_test.sh CELLTRIAL_BINARY SOURCE_DIR}
SRC=${2:?usage: report_browser_test.sh CELLTRIAL_BINARY SOURCE_DIR}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/celltrial_report_browser.XXXXXX")
if [ -z "${CELLTRIAL_KEEP_TMP:-}" ]; then trap 'rm -rf "$WORK"' EXIT; else echo "work folder: $WORK"; fi

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAILED: $1"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

# ---- results to report on ----------------------------------------------------------------------
RES=$WORK/results
"$BIN" simulate "$SRC/scenarios/default.yaml" --trials 400 --out "$RES" >"$WORK/simulate.log" 2>&1
check "simulate writes a results folder" test -f "$RES/summary.json"
"$BIN" power "$SRC/scenarios/validation/reference_ancova.yaml" --target 0.8 --out "$WORK/pw" >"$WORK/power.log" 2>&1
check "power --target writes power_curve.json" test -f "$WORK/pw/power_curve.json"
cp "$WORK/pw/power_curve.json" "$RES/" 2>/dev/null
if [ -f "$WORK/pw/power_curve.png" ]; then
  cp "$WORK/pw/power_curve.png" "$RES/"
else
  # No gnuplot here: a 2x2 PNG so that the embedding is still exercised.
  printf '%s' 'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==' |
    base64 -d >"$RES/power_curve.png"
fi

# ---- the command -------------------------------------------------------------------------------
"$BIN" report "$RES" >"$WORK/report.out" 2>&1
rc=$?
check "report exits 0" test "$rc" -eq 0
check "report.html is written" test -s "$RES/report.html"
check "report names the file it wrote" grep -q "report.html" "$WORK/report.out"
HTML=$RES/report.html
check "no remote resources (http)" bash -c "! grep -qi 'http' '$HTML'"
check "PNG embedded as a data URI" grep -q 'src="data:image/png;base64,' "$HTML"

"$BIN" report "$WORK/no_such_folder" >/dev/null 2>"$WORK/e1.err"
rc=$?
check "missing folder exits 66" test "$rc" -eq 66
mkdir -p "$WORK/empty"
"$BIN" report "$WORK/empty" >/dev/null 2>"$WORK/e2.err"
rc=$?
check "folder without summary.json exits 66" test "$rc" -eq 66
check "the fix names celltrial simulate" grep -q "celltrial simulate" "$WORK/e2.err"
mkdir -p "$WORK/broken"
printf '{"scenario": "x",\n "trials": }\n' >"$WORK/broken/summary.json"
"$BIN" report "$WORK/broken" >/dev/null 2>"$WORK/e3.err"
rc=$?
check "malformed summary.json exits 65" test "$rc" -eq 65
check "malformed JSON message names the line" grep -q "summary.json:2:" "$WORK/e3.err"

# ---- the browser -------------------------------------------------------------------------------
find_chromium() { command -v chromium || command -v chromium-browser || command -v google-chrome || true; }
CHROME=$(find_chromium)
if [ -z "$CHROME" ]; then
  echo "$passed passed, $failed failed (before the browser checks)"
  echo "skipped: chromium is not installed (scripts/setup.sh installs the Debian package chromium)"
  [ "$failed" -eq 0 ]
  exit $?
fi

PROFILE=$(mktemp -d "$WORK/profile.XXXXXX")
FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --disable-dev-shm-usage "--user-data-dir=$PROFILE"
       --window-size=1200,2000)

# A copy of the report with a probe that writes what the browser decoded into the DOM.
PROBE=$WORK/probe.html
sed 's|</body>|<script>window.addEventListener("load",function(){var imgs=document.images;for(var i=0;i!==imgs.length;i++){imgs[i].setAttribute("data-natural-width",String(imgs[i].naturalWidth));}document.body.setAttribute("data-probe","tables="+document.querySelectorAll("table").length+";images="+imgs.length);});</script></body>|' \
  "$HTML" >"$PROBE"

timeout 120 "$CHROME" "${FLAGS[@]}" --virtual-time-budget=5000 --dump-dom "file://$PROBE" >"$WORK/dom.html" 2>"$WORK/chromium.log"
rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$WORK/dom.html" ]; then
  if ! grep -q '<html' "$WORK/dom.html" 2>/dev/null && grep -qiE 'cannot open display|error while loading shared libraries|Operation not permitted' "$WORK/chromium.log"; then
    echo "$passed passed, $failed failed (before the browser checks)"
    echo "skipped: chromium cannot run here: $(head -n 3 "$WORK/chromium.log" | tr '\n' ' ')"
    [ "$failed" -eq 0 ]
    exit $?
  fi
  bad "chromium --dump-dom (exit $rc): $(tail -n 5 "$WORK/chromium.log" | tr '\n' ' ')"
  finish
fi
ok "chromium renders the report"
DOM=$WORK/dom.html
check "the load probe ran" grep -q 'data-probe="tables=' "$DOM"
for cls in provenance comparison arms enrolment power-curve; do
  check "DOM has the $cls table" grep -q "<table class=\"$cls\"" "$DOM"
done
check "DOM has the resolved scenario" grep -q '<pre>' "$DOM"
check "DOM shows power rows" grep -q 'power (reject H0)' "$DOM"

imgs=$(grep -o '<img[ >][^>]*>' "$DOM" || true)
n_img=$(printf '%s\n' "$imgs" | grep -c '<img' || true)
check "the report has an image" test "$n_img" -ge 1
n_data=$(printf '%s\n' "$imgs" | grep -c 'src="data:' || true)
check "every <img> has a data: src ($n_data of $n_img)" test "$n_data" -eq "$n_img"
widths=$(printf '%s\n' "$imgs" | grep -o 'data-natural-width="[0-9]*"' | grep -o '[0-9]*' || true)
n_w=$(printf '%s\n' "$widths" | grep -c '^[0-9]' || true)
n_zero=$(printf '%s\n' "$widths" | grep -c '^0$' || true)
check "every <img> decoded ($n_w widths, $n_zero zero): $(echo $widths)" test "$n_w" -eq "$n_img" -a "$n_zero" -eq 0

SHOT=$WORK/screenshot.png
(cd "$WORK" && timeout 120 "$CHROME" "${FLAGS[@]}" --hide-scrollbars "--screenshot=$SHOT" "file://$HTML" \
  >"$WORK/shot.log" 2>&1)
check "screenshot written" test -s "$SHOT"
check "screenshot is a PNG" bash -c "head -c 8 '$SHOT' | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a'"
size=$(stat -c %s "$SHOT" 2>/dev/null || echo 0)
check "screenshot is not blank ($size bytes)" test "$size" -gt 20000

finish
