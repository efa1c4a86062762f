#!/usr/bin/env bash
# Builds oneTBB's libtbb instrumented for a sanitizer, from Debian's own source package of the
# installed libtbb-dev (same version, same headers, same ABI), and without tbbmalloc.
#
#   scripts/build_tbb.sh thread|address [PREFIX]
#   scripts/build_tbb.sh --prefix thread|address      prints the default PREFIX and stops
#
# scripts/setup.sh runs it for TSan (the sanitizer_thread test needs it; the build is done once, in
# about a minute on 2 cores, and kept). PREFIX defaults to /opt/celltrial/tbb-KIND as root and to
# ~/.cache/celltrial/tbb-KIND otherwise; scripts/sanitize.sh looks there.
# Installs into PREFIX and prints the CMake argument to use it as the last line:
#   -DTBB_DIR=PREFIX/lib/cmake/TBB
# A build tree configured with it links PREFIX/lib/libtbb.so.12 (CMake puts PREFIX/lib in the
# binaries' RPATH). Nothing is rebuilt when PREFIX already holds this version for this sanitizer.
#
# Why (tests/sanitizers/README.md): Debian's libtbb is not compiled with -fsanitize=thread, so
# ThreadSanitizer does not see the happens-before edges of TBB's scheduler (task spawn, steal,
# wait) and reports every access to data shared between the calling thread and TBB's workers
# (about 1,800 reports in the engine tests alone). Without tbbmalloc, libtbb falls back to malloc,
# which the sanitizers intercept, so the memory of tbb::enumerable_thread_specific and
# tbb::combinable is seen by ASan and TSan too.
#
# The source comes through apt (deb-src of the machine's Debian release, with a private lists
# folder, so the system's apt state is not touched). Offline: set TBB_SOURCE_DIR to an unpacked
# oneTBB source tree of the same version.
set -euo pipefail
default_prefix() {
  if [[ $(id -u) -eq 0 ]]; then echo "/opt/celltrial/tbb-$1"; else echo "${XDG_CACHE_HOME:-$HOME/.cache}/celltrial/tbb-$1"; fi
}
if [[ ${1:-} == --prefix ]]; then
  case ${2:-} in
    thread | address) default_prefix "$2"; exit 0 ;;
    *) echo "build_tbb.sh: usage: build_tbb.sh --prefix thread|address" >&2; exit 64 ;;
  esac
fi
KIND=${1:?usage: build_tbb.sh thread|address [PREFIX]}
PREFIX=${2:-$(default_prefix "$KIND")}
case $KIND in
  thread) SANITIZE=thread ;;
  address) SANITIZE="address -fno-omit-frame-pointer" ;;
  *) echo "build_tbb.sh: unknown sanitizer '$KIND' (thread or address)" >&2; exit 64 ;;
esac
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
PKG=$(dpkg-query -W -f='${source:Package}' libtbb-dev)
VER=$(dpkg-query -W -f='${source:Version}' libtbb-dev)
STAMP="$PKG $VER $KIND"
if [[ -f $PREFIX/lib/cmake/TBB/TBBConfig.cmake && -f $PREFIX/.build_tbb_stamp && $(cat "$PREFIX/.build_tbb_stamp") == "$STAMP" ]]; then
  echo "build_tbb.sh: $PREFIX already holds $STAMP"
  echo "-DTBB_DIR=$PREFIX/lib/cmake/TBB"
  exit 0
fi

WORK=$PREFIX.work
rm -rf "$WORK"
mkdir -p "$WORK"
SRCDIR=${TBB_SOURCE_DIR:-}
if [[ -z $SRCDIR ]]; then
  . /etc/os-release
  mkdir -p "$WORK/apt/lists/partial" "$WORK/src"
  {
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $VERSION_CODENAME main"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $VERSION_CODENAME-updates main"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security $VERSION_CODENAME-security main"
  } >"$WORK/apt/sources.list"
  APT=(apt-get -q -o "Dir::Etc::SourceList=$WORK/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State::Lists=$WORK/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
  "${APT[@]}" update >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log"; exit 1; }
  (cd "$WORK/src" && "${APT[@]}" source --download-only "$PKG=$VER") >>"$WORK/apt.log" 2>&1 ||
    { tail -20 "$WORK/apt.log"; exit 1; }
  (cd "$WORK/src" && dpkg-source -x ./*.dsc tree) >>"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log"; exit 1; }
  SRCDIR=$WORK/src/tree
fi

cmake -S "$SRCDIR" -B "$WORK/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DTBB_SANITIZE=$SANITIZE" \
  -DTBBMALLOC_BUILD=OFF -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF \
  -DTBB_DISABLE_HWLOC_AUTOMATIC_SEARCH=ON "-DCMAKE_INSTALL_PREFIX=$PREFIX" >"$WORK/configure.log" 2>&1 ||
  { tail -20 "$WORK/configure.log"; exit 1; }
cmake --build "$WORK/build" -j"${JOBS:-2}" >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; exit 1; }
cmake --install "$WORK/build" >"$WORK/install.log" 2>&1 || { tail -20 "$WORK/install.log"; exit 1; }
echo "$STAMP" >"$PREFIX/.build_tbb_stamp"
rm -rf "$WORK"
echo "build_tbb.sh: libtbb $VER with -fsanitize=$KIND, without tbbmalloc, in $PREFIX"
echo "-DTBB_DIR=$PREFIX/lib/cmake/TBB"
