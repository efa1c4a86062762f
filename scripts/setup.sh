#!/usr/bin/env bash
# Installs what celltrial needs from Debian 12 packages, if anything is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
#   scripts/setup.sh            what building and testing celltrial needs
#   scripts/setup.sh --cluster  also MPI (OpenMPI) and a Slurm + munge for the cluster tests
set -euo pipefail
CLUSTER=0
for arg in "$@"; do
  case $arg in
    --cluster) CLUSTER=1 ;;
    *) echo "celltrial setup: unknown option '$arg' (the only option is --cluster)" >&2; exit 64 ;;
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
  catch2                         # unit tests (Catch2 v2)
  python3                        # used by the program tests to read JSON
  gnuplot-nox                    # plots (optional at run time; tables are written without it)
)
if [[ $CLUSTER -eq 1 ]]; then
  PACKAGES+=(
    libopenmpi-dev openmpi-bin   # MPI build (-DCELLTRIAL_MPI=ON) and mpirun
    slurm-wlm munge              # single-node Slurm cluster for tests/cluster/slurm_test.sh
  )
fi
missing=()
for p in "${PACKAGES[@]}"; do
  [[ $p == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
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
  echo "Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
