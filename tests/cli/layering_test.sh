#!/usr/bin/env bash
# The build's layering check (cmake/check_layers.cmake) passes on the source tree and fails, naming
# the file and the layers, on a copy where a lower layer includes a higher layer's header.
# Usage: layering_test.sh source_dir
set -u
SRC=$1
source "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# The layers as cmake/layers.cmake declares them, lowest first, comma-separated.
LAYERS=$(sed -n 's/^set(CELLTRIAL_LAYERS \(.*\))$/\1/p' "$SRC/cmake/layers.cmake" | tr ' ' ',')
check "the layers are read from cmake/layers.cmake" grep -q '^core,.*,services,cli$' <<<"$LAYERS"
expect "the source tree passes" 0 '' -- cmake -DSRC="$SRC" -DLAYERS=$LAYERS -DSTAMP="$T/ok.stamp" -P "$SRC/cmake/check_layers.cmake"
mkdir -p "$T/tree"
cp -r "$SRC/src" "$SRC/include" "$T/tree/"
printf '#include "celltrial/report/output.hpp"\n' >>"$T/tree/src/engine/engine.cpp"
expect "engine including report fails" 1 "src/engine/engine.cpp: layer 'engine' includes a header of the higher layer 'report'" \
  -- cmake -DSRC="$T/tree" -DLAYERS=$LAYERS -DSTAMP="$T/bad.stamp" -P "$SRC/cmake/check_layers.cmake"
check "no stamp for the broken tree" test ! -e "$T/bad.stamp"
cp "$SRC/src/engine/engine.cpp" "$T/tree/src/engine/engine.cpp"
printf '#include "celltrial/cli/cli.hpp"\n' >>"$T/tree/include/celltrial/core/error.hpp"
expect "a core header including cli fails" 1 "include/celltrial/core/error.hpp: layer 'core' includes a header of the higher layer 'cli'" \
  -- cmake -DSRC="$T/tree" -DLAYERS=$LAYERS -DSTAMP="$T/bad.stamp" -P "$SRC/cmake/check_layers.cmake"
summary
