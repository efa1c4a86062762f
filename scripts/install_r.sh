#!/usr/bin/env bash
# Installs what `library(celltrial)` in R needs: the packages it builds with, the celltrial library
# (cmake --install into PREFIX, default /usr/local) and the R package r/celltrial linked to it.
#   scripts/install_r.sh [PREFIX]
# The R package goes to R's first library (R_LIBS_USER, or the site library when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
scripts/setup.sh --r
scripts/build.sh
cmake --build build -j"$(nproc)"  # the libraries and the man pages the install puts beside them
cmake --install build --prefix "$prefix" >/dev/null
CELLTRIAL_PREFIX=$prefix R CMD INSTALL --preclean --clean r/celltrial
Rscript -e 'library(celltrial); cat("celltrial", ct_about()$version, "for R installed, linking", ct_about()$prefix, "\n")'
