#!/usr/bin/env bash
# Installs this build into a temporary prefix (cmake --install), checks what is there, and builds an
# outside project against it (consumer_check.sh).
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/celltrial include/celltrial/engine/engine.hpp lib/cmake/celltrial/celltrialConfig.cmake \
         lib/cmake/celltrial/celltrialConfigVersion.cmake lib/x86_64-linux-gnu/pkgconfig/celltrial.pc share/celltrial/scenarios/default.yaml \
         share/man/man1/celltrial.1.gz share/man/man1/celltrial-simulate.1.gz \
         share/bash-completion/completions/celltrial share/zsh/vendor-completions/_celltrial; do
  [[ -e $tmp/prefix/$f ]] || { echo "FAIL: $f not installed"; exit 1; }
done
bash "$src/tests/install/consumer_check.sh" "$tmp/prefix" "$src" "$tmp/work"
