#!/usr/bin/env bash
# Installs what celltrial needs from Debian 12 packages, if anything is missing. No test installs
# anything: this script does it all before the first test starts.
#   scripts/setup.sh               everything the whole test suite needs (the default), including
#                                  a ThreadSanitizer build of libtbb from Debian's source package
#                                  (scripts/build_tbb.sh; built once, about a minute, then kept)
#   scripts/setup.sh --build-only  only what building and running the program needs (quick start)
#   scripts/setup.sh --r           that and what installing the R package needs (scripts/install_r.sh)
# As root it runs apt-get; otherwise it uses sudo when it may, or prints the exact command to run.
set -euo pipefail
MODE=all
for arg in "$@"; do
  case $arg in
    --build-only) MODE=build ;;
    --r) MODE=r ;;
    --cluster | --all) MODE=all ;;  # --cluster: the former name of the default
    *) echo "celltrial setup: unknown option '$arg' (options: --build-only, --r)" >&2; exit 64 ;;
  esac
done
PACKAGES=(
  g++ cmake make                 # compiler and build
  libboost-dev libboost-math-dev # Boost.Math (distributions, quadrature) and headers
  libeigen3-dev                  # small dense linear algebra
  libtbb-dev                     # oneTBB parallel loops
  libcli11-dev                   # command line
  libyaml-cpp-dev                # scenario files
  nlohmann-json3-dev             # JSON results
  libpcg-cpp-dev                 # PCG-64 random engine
  gnuplot-nox                    # plots (optional at run time; tables are written without it)
  help2man                       # the man pages, made from each command's --help at build time
)
if [[ $MODE == r ]]; then
  PACKAGES+=(r-base-core pkgconf r-cran-rcpp)  # the R package, linked to the installed library
fi
if [[ $MODE == all ]]; then
  PACKAGES+=(
    catch2                       # unit tests (Catch2 v2)
    python3                      # the program tests read JSON with it
    python3-jsonschema python3-yaml  # docs/scenario.schema.json checked against the scenarios
    libopenmpi-dev openmpi-bin   # MPI build (-DCELLTRIAL_MPI=ON) and mpirun: tests/cluster/mpi_test.sh
    slurm-wlm munge              # a single-node Slurm cluster: tests/cluster/slurm_test.sh
    hostname                     # the Slurm test names its node
    zsh man-db bsdextrautils     # the zsh completion script checked by zsh; man pages rendered by man (col)
    chromium                     # the report rendered headless: tests/cli/report_browser_test.sh
    clang libclang-rt-14-dev     # libFuzzer and clang's sanitizer runtimes: scripts/fuzz.sh
    dpkg-dev                     # dpkg-source unpacks oneTBB's source for the TSan libtbb; dpkg-shlibdeps for cpack
    lintian                      # the Debian packages checked: tests/install/deb_test.sh
    r-base-core r-cran-nlme r-cran-emmeans r-cran-lme4 r-cran-pbkrtest r-cran-jsonlite r-cran-rpact  # R: MMRM and group-sequential reference checks, benchmarks
    pkgconf r-cran-rcpp r-cran-testthat r-cran-knitr r-cran-rmarkdown r-cran-ggplot2 r-cran-roxygen2 r-cran-processx pandoc  # the R package (r/celltrial): build, check, vignette
  )
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  :
elif [[ $(id -u) -eq 0 ]]; then
  echo "celltrial setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  echo "celltrial setup: installing ${missing[*]} (sudo)" >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "celltrial setup: missing packages: ${missing[*]}" >&2
  echo "Run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
if [[ $MODE == all ]]; then
  # TSan cannot see the synchronisation inside Debian's (uninstrumented) libtbb; the TSan job links
  # this instrumented build of the same version instead (tests/sanitizers/README.md).
  out=$("$(dirname "$0")/build_tbb.sh" thread) || { echo "$out" >&2; echo "celltrial setup: building the TSan libtbb failed" >&2; exit 1; }
  case $out in *"already holds"*) ;; *) echo "celltrial setup: ${out%%$'\n'-D*}" >&2 ;; esac
fi
