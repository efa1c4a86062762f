#!/usr/bin/env bash
# The R package (r/celltrial): installs this build into a temporary prefix, checks that the help
# pages and NAMESPACE are those the roxygen comments make, builds the package with its vignette
# (R CMD build: the vignette runs the responder study and compares its enrichment table with
# results/responder_sensitivity/enrichment.csv), and runs R CMD check on the tarball, which must
# end with no ERROR and no WARNING (NOTEs are printed). Nothing is installed outside a temporary
# folder.
#   r_package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
for tool in R Rscript pkg-config pandoc; do
  command -v $tool >/dev/null || { echo "skipped: $tool is not installed (scripts/setup.sh installs it)"; exit 0; }
done
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap '[[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
export CELLTRIAL_PREFIX=$tmp/prefix
export R_LIBS_USER=$tmp/lib R_LIBS=$tmp/lib
export CELLTRIAL_RESULTS_DIR=$src/results
mkdir -p "$tmp/lib"
cp -r "$src/r/celltrial" "$tmp/celltrial"
rm -f "$tmp/celltrial/src/Makevars" "$tmp/celltrial/src/"*.o "$tmp/celltrial/src/"*.so
cd "$tmp"

# The help pages and NAMESPACE are generated from the roxygen comments in R/ and committed.
cp -r celltrial roxy
Rscript -e 'suppressMessages(roxygen2::roxygenise("roxy", load_code = "source"))' >/dev/null 2>roxy.log ||
  { cat roxy.log; echo "FAIL: roxygen2 could not read the package's comments"; exit 1; }
if ! diff -r celltrial/man roxy/man >/dev/null || ! diff celltrial/NAMESPACE roxy/NAMESPACE >/dev/null; then
  diff -r celltrial/man roxy/man || true
  diff celltrial/NAMESPACE roxy/NAMESPACE || true
  echo "FAIL: r/celltrial/man or NAMESPACE differ from the roxygen comments;"
  echo "      run: Rscript -e 'roxygen2::roxygenise(\"r/celltrial\", load_code = \"source\")'"
  exit 1
fi

R CMD build celltrial >build.log 2>&1 || { cat build.log; echo "FAIL: R CMD build (the vignette) failed"; exit 1; }
tarball=$(ls celltrial_*.tar.gz)
# The vignette was built just now; check does not run it a second time.
if ! R CMD check --no-manual --ignore-vignettes "$tarball" >check.log 2>&1; then
  awk '/^\* / {show = /\.\.\. (NOTE|WARNING|ERROR)$/} show' celltrial.Rcheck/00check.log 2>/dev/null || cat check.log
  for f in celltrial.Rcheck/00install.out celltrial.Rcheck/tests/testthat.Rout.fail; do
    [[ -f $f ]] && { echo "== $f"; tail -60 "$f"; }
  done
  echo "FAIL: R CMD check failed"
  exit 1
fi
status=$(grep '^Status:' celltrial.Rcheck/00check.log || true)
# Each NOTE, WARNING or ERROR with its explanation (the lines up to the next check).
awk '/^\* / {show = /\.\.\. (NOTE|WARNING|ERROR)$/} show' celltrial.Rcheck/00check.log
echo "R CMD check: $status"
if grep -qE 'WARNING|ERROR' <<<"$status"; then
  echo "FAIL: R CMD check reports $status"
  exit 1
fi
grep -E '^\[ FAIL|OK:|\[ FAIL' celltrial.Rcheck/tests/testthat.Rout | tail -3 || true
echo "ok: R CMD build and check ($status)"
